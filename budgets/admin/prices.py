"""The e-catalog price list in the back office: every outlet's products and prices, the staff's own
entries, and the approval that makes a price orderable.

Prices are shared by every agency, as outlets are, so the list is not scoped to an agency. A price is
never edited (an approved one is what past orders were placed at; a new price is a new item), so its
page is read-only and its only changes are approve and reject (budgets.services.prices).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import (
    act_on_each,
    audit_trail_link,
    label,
    reason_page,
    return_url,
    staff_name,
    truncated,
    without_field,
)
from mediareg.money import format_rupiah
from partners.models import MediaOutlet

from .. import services
from ..models import PriceItem, PriceStatus
from ..services import BudgetRefused
from ..services.prices import approval_bound
from .filters import BoundFilter, PriceYearFilter

PRICE_TONES = {PriceStatus.SUBMITTED: "warn", PriceStatus.APPROVED: "good", PriceStatus.REJECTED: "bad"}


def price_label(item: PriceItem) -> str:
    """The price's status as a short label; who decided, and why it was rejected, on hover."""
    title = ""
    if item.status != PriceStatus.SUBMITTED and item.reviewed_by_id:
        title = gettext("by %(who)s") % {"who": staff_name(item.reviewed_by)}
    if item.status == PriceStatus.REJECTED and item.review_reason:
        title = f"{title}: {item.review_reason}" if title else item.review_reason
    return label(item.get_status_display(), PRICE_TONES.get(item.status, "muted"), title=title)


class RupiahField(forms.IntegerField):
    """Whole rupiah, typed as staff write them: ``5000000``, ``5.000.000`` or ``Rp 5.000.000``."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value[:2].lower() == "rp":
                value = value[2:]
            value = value.replace(".", "").replace(" ", "")
        return super().to_python(value)


class ServiceFormMixin:
    """A model form whose record a budgets service writes, in ``place()``, while the form is validated.

    The admin saves only after a form is valid and has no way to show a refusal raised in ``save_model``
    but an error page; here a BudgetRefused becomes the form's error, with the service's own message, and
    the service's record becomes the form's instance. The admin's add view runs validation and save in
    one transaction, so nothing half-done can remain. The model's own validation is the service's: the
    form does not construct or check an instance of its own (``_post_clean``).
    """

    user = None  # set by the admin's get_form: the person in whose name the service acts

    def place(self, cleaned: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        self.placed = None
        if not self.errors:
            try:
                self.placed = self.place(cleaned)
            except BudgetRefused as refusal:
                raise forms.ValidationError(refusal.messages) from refusal
        return cleaned

    def _post_clean(self):
        if getattr(self, "placed", None) is not None:
            self.instance = self.placed


class PriceItemForm(ServiceFormMixin, forms.ModelForm):
    unit_price = RupiahField(label=capfirst(_("unit price")), min_value=1,
                             help_text=_("Whole rupiah, e.g. 5000000 or 5.000.000."))

    class Meta:
        model = PriceItem
        fields = ["outlet", "kind", "name", "unit", "unit_price", "valid_from", "valid_until"]

    def place(self, cleaned):
        return services.price_submit(
            cleaned["outlet"], kind=cleaned["kind"], name=cleaned["name"], unit=cleaned.get("unit") or "",
            unit_price=cleaned["unit_price"], valid_from=cleaned["valid_from"],
            valid_until=cleaned.get("valid_until"), source=PriceItem.Source.STAFF, user=self.user)


class PriceReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Kept with the price; say what is wrong so a corrected price can be entered."))


class AboveBoundReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Why a price above the upper bound of the reference price is approved (the "
                                         "outlet's reach, the product's size, ...). Kept with the price and listed in "
                                         "the exceptions report."))


@admin.register(PriceItem)
class PriceItemAdmin(admin.ModelAdmin):
    form = PriceItemForm
    change_form_template = "admin/budgets/price_change_form.html"
    list_display = ["outlet_name", "kind", "description", "price", "valid_from", "valid_until", "status_label",
                    "source"]
    list_select_related = ["outlet", "reviewed_by"]
    list_filter = ["status", "kind", "outlet__media_type", BoundFilter, PriceYearFilter]
    # The search itself is get_search_results (outlet names through their trigram index); the admin needs a
    # search field to show the box and to serve the order form's product autocomplete.
    search_fields = ["name"]
    search_help_text = _("Outlet name or product description")
    autocomplete_fields = ["outlet"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["approve_prices", "approve_prices_above_bound", "reject_prices"]
    add_fieldsets = [
        (None, {"fields": ["outlet", "kind", "name", "unit", "unit_price", ("valid_from", "valid_until")]}),
    ]
    fieldsets = [
        (None, {"fields": ["outlet", "kind", "name", "unit", "unit_price_display",
                           ("valid_from", "valid_until")]}),
        (_("Approval"), {"fields": ["status", "source", "submitted_at", ("reviewer", "reviewed_at"),
                                    "review_reason", "bound_check"]}),
        (_("Record"), {"fields": ["audit_trail"]}),
    ]

    # list columns -------------------------------------------------------------------------------

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("description"), ordering="name")
    def description(self, obj):
        return truncated(obj.name, width="l")

    @admin.display(description=_("unit price"), ordering="unit_price")
    def price(self, obj):
        return f"{format_rupiah(obj.unit_price)} / {obj.unit}"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return price_label(obj)

    # the page --------------------------------------------------------------------------------

    @admin.display(description=_("unit price"))
    def unit_price_display(self, obj):
        return f"{format_rupiah(obj.unit_price)} / {obj.unit}"

    @admin.display(description=_("reference price's upper bound"))
    def bound_check(self, obj):
        """The upper bound the approval was checked against, and the reason for a price above it; for a price
        waiting, the bound that would apply to the viewer's approval (budgets.services.prices.approval_bound)."""
        if obj.status == PriceStatus.SUBMITTED:
            bound = approval_bound(obj, getattr(obj, "viewer", None))
            if bound is None:
                return gettext("No reference price applies: no upper bound.")
            text = gettext("%(bound)s (%(source)s, tier %(tier)s).") % {
                "bound": format_rupiah(bound.upper_bound), "source": bound.source_text, "tier": bound.tier}
            if obj.unit_price > bound.upper_bound:
                text += " " + gettext("The price is above it: approving it needs a reason.")
            return text
        if obj.approval_bound is None:
            return gettext("No reference price applied: no upper bound.") if obj.status == PriceStatus.APPROVED else "-"
        text = f"{format_rupiah(obj.approval_bound)} ({obj.approval_bound_source})."
        if obj.above_bound_reason:
            text += " " + gettext("Approved above it. Reason: %(reason)s") % {"reason": obj.above_bound_reason}
        return text

    @admin.display(description=_("reviewed by"))
    def reviewer(self, obj):
        return staff_name(obj.reviewed_by)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("outlet", "reviewed_by")

    def get_object(self, request, object_id, from_field=None):
        item = super().get_object(request, object_id, from_field)
        if item is not None:
            item.viewer = request.user  # whose approval bound_check describes
        return item

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if request.user.has_perm("mediareg.view_auditevent"):
            return self.fieldsets
        # Who may not open the audit trail is not linked to it.
        return [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                for name, options in self.fieldsets]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["unit_price_display", "reviewer", "bound_check", "audit_trail"]

    def save_model(self, request, obj, form, change):
        """Written by services.price_submit while the form was validated (ServiceFormMixin)."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if self.is_order_autocomplete(request):
            # The order form offers approved prices only; the order's date is checked when it is placed.
            queryset = queryset.filter(status=PriceStatus.APPROVED)
        if not term:
            return queryset, False
        outlets = MediaOutlet.objects.filter(name__icontains=term).values("pk")
        return queryset.filter(outlet__in=outlets) | queryset.filter(name__icontains=term), False

    @staticmethod
    def is_order_autocomplete(request) -> bool:
        return (request.GET.get("app_label") == "budgets" and request.GET.get("model_name") == "mediaorder"
                and request.GET.get("field_name") == "price_item")

    # A price is never edited or deleted: its page shows it, and approve and reject are its changes.

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request):
        return request.user.has_perm("budgets.approve_priceitem")

    # approve and reject ------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "decisions": (
            item is not None and item.status == PriceStatus.SUBMITTED and self.has_approve_permission(request))}
        if item is not None and item.status == PriceStatus.APPROVED and self.has_add_permission(request):
            # A price is never edited: a new price of the product is a new item, its form filled in from this one.
            extra_context["new_price_url"] = reverse("admin:budgets_priceitem_add") + "?" + urlencode({
                "outlet": item.outlet_id, "kind": item.kind, "name": item.name, "unit": item.unit})
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/decide/<str:decision>/", self.admin_site.admin_view(self.decide_view),
                 name="{}_{}_decide".format(*info)),
            *super().get_urls(),
        ]

    def decide_view(self, request, object_id, decision):
        """Approve or reject one price from its page: the list's action for this one item (the same checks,
        reason page and messages), then back to the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in ("approve", "approve_above_bound", "reject"):
            raise Http404
        if not self.has_approve_permission(request):
            raise PermissionDenied
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        action = {"approve": self.approve_prices, "approve_above_bound": self.approve_prices_above_bound,
                  "reject": self.reject_prices}[decision]
        response = action(request, PriceItem.objects.filter(pk=item.pk))
        return response or HttpResponseRedirect(
            return_url(request, reverse("admin:budgets_priceitem_change", args=[item.pk])))

    def _each(self, request, queryset, decide, done):
        act_on_each(self, request, queryset.select_related("outlet"), decide, done, refusals=(BudgetRefused,))

    @admin.action(description=_("Approve selected prices"), permissions=["approve"])
    def approve_prices(self, request, queryset):
        self._each(request, queryset, lambda item: services.price_approve(item, user=request.user),
                   ngettext_lazy("%(n)d price approved.", "%(n)d prices approved.", "n"))

    @admin.action(description=_("Approve selected prices above the upper bound (a reason is required)"),
                  permissions=["approve"])
    def approve_prices_above_bound(self, request, queryset):
        form = AboveBoundReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset,
                       lambda item: services.price_approve(item, user=request.user, reason=reason),
                       ngettext_lazy("%(n)d price approved.", "%(n)d prices approved.", "n"))
            return None
        rows = []
        for item in queryset.select_related("outlet"):
            bound = approval_bound(item, request.user) if item.status == PriceStatus.SUBMITTED else None
            rows.append({"pk": item.pk, "label": item, "standing": (
                gettext("upper bound %(bound)s") % {"bound": format_rupiah(bound.upper_bound)} if bound
                else gettext("no upper bound"))})
        return reason_page(
            self, request, form=form, action="approve_prices_above_bound",
            title=gettext("Approve prices above the upper bound"), button=gettext("Approve"),
            label_heading=gettext("Price"), standing_heading=gettext("Reference price"), rows=rows)

    @admin.action(description=_("Reject selected prices (a reason is required)"), permissions=["approve"])
    def reject_prices(self, request, queryset):
        form = PriceReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda item: services.price_reject(item, user=request.user, reason=reason),
                       ngettext_lazy("%(n)d price rejected.", "%(n)d prices rejected.", "n"))
            return None
        return reason_page(
            self, request, form=form, action="reject_prices", title=gettext("Reject prices"),
            button=gettext("Reject"), label_heading=gettext("Price"), standing_heading=gettext("Status"),
            rows=[{"pk": item.pk, "label": item, "standing": item.get_status_display()}
                  for item in queryset.select_related("outlet")])

