"""The outlet's own price list (issue 10, item 3): an outlet in the e-catalog sees its products and unit
prices and submits a new one, without an account, through the keys the catalog already gave it: its
renewal link (/apply/renew/<token>/prices/) or its application's status page (/apply/status/<code>/prices/).

The pages live here and not in catalog, because catalog must not import budgets (docs/architecture.md);
they reuse the catalog's readers of those keys, its rate limit on public submissions and its pages for
a bad link or an unknown code. A submitted price waits for staff approval (budgets.services.price_submit)
and cannot be ordered until then.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog.models import Application, Listing
from catalog.views import TRACKING_CODE, outlet_of_renewal_link, over_rate_limit
from mediareg.audit import audit_context

from . import services
from .models import PriceItem, ProductKind
from .services.prices import PRICE_LIST_STATES

# Who submits, in the audit trail: the outlet, through one of its keys; nobody signs in.
ACTOR = "public:price_list"
# Whole rupiah, as people write them: 15000000, 15.000.000 or 15 000 000, with or without "Rp".
WHOLE_RUPIAH = re.compile(r"\d{1,3}(?:[. ]\d{3})+|\d+")
MAX_PRICE = 10**15  # a quadrillion rupiah: far above any media product, far below the BIGINT limit


class RupiahField(forms.CharField):
    """A whole-rupiah amount typed as text: "15.000.000" and "15000000" are the same; cents, commas and
    negative amounts are refused with a message that shows how to write it."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "30"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 30:
            raise ValidationError(_("This price is too large; check the number of digits."), code="max_value")
        text = re.sub(r"^rp\.?\s*", "", text.strip(), flags=re.IGNORECASE).replace("\u00a0", " ").strip()
        if text.startswith("-"):
            raise ValidationError(_("A price is at least Rp 1."), code="min_value")
        if not WHOLE_RUPIAH.fullmatch(text):
            raise ValidationError(_("Write the price in whole rupiah, without cents, e.g. 15.000.000 or 15000000."),
                                  code="invalid")
        amount = int(re.sub(r"[. ]", "", text))
        if amount < 1:
            raise ValidationError(_("A price is at least Rp 1."), code="min_value")
        if amount > MAX_PRICE:
            raise ValidationError(_("This price is too large; check the number of digits."), code="max_value")
        return amount


class PriceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Product"), choices=[("", _("Choose the kind of product")), *ProductKind.choices])
    name = forms.CharField(label=_("Description"), max_length=200,
                           help_text=_("What is delivered, e.g. 'Advertorial 600 words with 2 photos'."))
    unit = forms.CharField(label=_("Unit"), max_length=60,
                           help_text=_("What one unit is: per article, per day, per 30-second spot, ..."))
    unit_price = RupiahField(label=_("Unit price (rupiah)"),
                             help_text=_("Whole rupiah, e.g. 15.000.000."))
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Leave empty if the price holds until you send a new one."))

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The price cannot end before it starts."))
        return data


# A refusal of the service beside the field it concerns (the others above the form).
REFUSAL_FIELDS = {"kind_required": "kind", "name_required": "name", "price_invalid": "unit_price",
                  "validity_order": "valid_until"}


def _listed(outlet) -> bool:
    state = Listing.objects.filter(outlet=outlet).values_list("state", flat=True).first()
    return state in PRICE_LIST_STATES


def _page(request, outlet, *, back_url: str, here: str):
    """The price list of ``outlet`` and the form to add a price; ``back_url`` is the key's own page."""
    if not _listed(outlet):
        return render(request, "budgets/price_list_closed.html", {"outlet": outlet, "back_url": back_url},
                      status=403)
    if request.method == "POST":
        if over_rate_limit(request):
            return render(request, "apply/refused.html", {"reason": "rate"}, status=429)
        form = PriceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with audit_context(actor=ACTOR):
                    item = services.price_submit(
                        outlet, kind=data["kind"], name=data["name"], unit=data["unit"],
                        unit_price=data["unit_price"], valid_from=data["valid_from"],
                        valid_until=data["valid_until"], source=PriceItem.Source.OUTLET)
            except services.BudgetRefused as refusal:
                form.add_error(REFUSAL_FIELDS.get(refusal.code), refusal)
            else:
                messages.success(request, gettext("Thank you: the price of “%(product)s” was received and waits "
                                                  "for approval by the office.") % {"product": item.name})
                return redirect(f"{here}#price-{item.pk}")
        status = 400
    else:
        form, status = PriceForm(initial={"valid_from": timezone.localdate()}), 200
    items = list(PriceItem.objects.filter(outlet=outlet).order_by("kind", "name", "-valid_from", "-pk"))
    return render(request, "budgets/price_list.html", {
        "outlet": outlet, "form": form, "items": items, "back_url": back_url, "today": timezone.localdate(),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def by_renewal_link(request, token: str):
    outlet, problem = outlet_of_renewal_link(request, token)
    if problem is not None:
        return problem
    return _page(request, outlet, back_url=reverse("renewal", args=[token]),
                 here=reverse("renewal-prices", args=[token]))


@never_cache
@require_http_methods(["GET", "POST"])
def by_status_page(request, code: str):
    application = (Application.objects.select_related("outlet").filter(code=code).first()
                   if TRACKING_CODE.fullmatch(code) else None)
    if application is None:
        shown = code if TRACKING_CODE.fullmatch(code) else ""
        return render(request, "apply/status_unknown.html", {"code": shown, "looked_up": True}, status=404)
    return _page(request, application.outlet, back_url=reverse("application-status", args=[code]),
                 here=reverse("application-prices", args=[code]))
