"""Media orders in the back office: the list (scoped to the person's agency), the form that places an
order, and the order's page with its eligibility snapshot and the next steps (publication with proof,
proof review, payment, cancellation).

Every write is a budgets.services call and a refusal is shown with the service's own message: on the add
form as the form's error, on the step pages beside the form, after a list action as a message. The
order's facts are never edited: an order placed wrongly is cancelled (its amount is free again) and
placed anew. docs/domain.md "Orders" has the rules.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.admin.common import outcome_rows
from catalog.models import ListingState
from catalog.rules import reason_text
from mediareg.admin_helpers import (
    ExportSelectedMixin,
    act_on_each,
    audit_trail_link,
    fieldsets_for,
    label,
    reason_page,
    staff_name,
    truncated,
    without_related_buttons,
)
from mediareg.display import local_date, local_datetime, yes_no_icon
from mediareg.money import format_rupiah
from partners.models import MediaOutlet

from .. import comparison, selectors, services
from ..controls.reference_price import Negotiation
from ..deadlines import days_late
from ..models import Budget, FlagRule, MediaOrder, OrderFlag, OrderStatus, ProofStatus
from ..services import BudgetRefused
from .filters import ProofDeadlineFilter, ReferenceFilter, WaitingForProofFilter
from .prices import RupiahField, ServiceFormMixin

ORDER_TONES = {OrderStatus.COMMITTED: "info", OrderStatus.PUBLISHED: "info", OrderStatus.PAID: "good",
               OrderStatus.CANCELLED: "muted"}
PROOF_TONES = {ProofStatus.NONE: "muted", ProofStatus.PENDING: "warn", ProofStatus.ACCEPTED: "good",
               ProofStatus.REJECTED: "bad"}


def order_status_label(order: MediaOrder) -> str:
    title = order.cancel_reason if order.status == OrderStatus.CANCELLED else ""
    return label(order.get_status_display(), ORDER_TONES.get(order.status, "muted"), title=title)


def proof_label(order: MediaOrder, today=None) -> str:
    """The proof's standing; a committed order whose service period is over and has no proof yet is flagged
    (it is one of the orders waiting for proof, budgets.selectors.orders_waiting_for_proof)."""
    if order.status == OrderStatus.CANCELLED and not order.proof_status:
        return "-"
    if not order.proof_status and order.service_end < (today or timezone.localdate()):
        return label(order.get_proof_status_display(), "warn", title=gettext("The service period has ended."))
    title = order.proof_reason if order.proof_status == ProofStatus.REJECTED else ""
    return label(order.get_proof_status_display(), PROOF_TONES.get(order.proof_status, "muted"), title=title)


# --- list filters: each a fixed number of queries, none that lists every outlet ---------------------------


class YearFilter(admin.SimpleListFilter):
    title = _("fiscal year")
    parameter_name = "budget__year"

    def lookups(self, request, model_admin):
        years = (selectors.visible_budgets(request.user).order_by("-year").values_list("year", flat=True)
                 .distinct())
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(budget__year=int(value)) if value and value.isdigit() else queryset


class AgencyFilter(admin.SimpleListFilter):
    """Shown only to those who see more than one agency."""

    title = _("agency")
    parameter_name = "budget__agency"  # a name the admin allows (a field path), not "...__id__exact"

    def lookups(self, request, model_admin):
        return [(str(agency.pk), str(agency)) for agency in selectors.visible_agencies(request.user)]

    def has_output(self):
        return len(self.lookup_choices) > 1

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(budget__agency_id=int(value)) if value and value.isdigit() else queryset


class OutletFilter(admin.SimpleListFilter):
    """One outlet's orders. The register holds tens of thousands of outlets, too many for a sidebar: an
    outlet is chosen from the list (its name in the outlet column) or found with the search box, and the
    sidebar shows the chosen one, to clear it."""

    title = _("outlet")
    parameter_name = "outlet__id__exact"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        return [(str(pk), name) for pk, name in MediaOutlet.objects.filter(pk=int(value)).values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(outlet_id=int(value)) if value and value.isdigit() else queryset


class ProofFilter(admin.SimpleListFilter):
    title = _("proof")
    parameter_name = "proof"

    def lookups(self, request, model_admin):
        return [("none" if value == "" else value, text) for value, text in ProofStatus.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(proof_status="")
        if value in ProofStatus.values:
            return queryset.filter(proof_status=value)
        return queryset


# --- forms ---------------------------------------------------------------------------------------------


class OrderPlaceForm(ServiceFormMixin, forms.ModelForm):
    """Placed by services.order_place while the form is validated (ServiceFormMixin). The hidden request key
    is made when the form is shown, so the same form sent twice (a double click, a browser's retry) places
    one order: the second sending finds the first."""

    # Not the model's request_key (not editable, so a model form may not name it): passed to the service.
    placement_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    amount = RupiahField(
        label=capfirst(_("amount")), required=False, min_value=1,
        help_text=_("Leave empty for quantity × the approved price. A different amount needs a reason below."))
    interest_reason = forms.CharField(
        label=_("Reason despite a declared interest"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when the outlet is connected to an interest declared to your agency and its policy allows "
                    "a second approval: why order from it anyway. The order then waits for a second approver."))
    # budgets.controls.price_comparison: kept with the flag when the price is far above other agencies'.
    comparison_reason = forms.CharField(
        label=_("Reason for a price above other agencies'"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When this outlet charged another agency much less for the same product this year, the order "
                    "waits for a second approver; say here why this price is right."))

    class Meta:
        model = MediaOrder
        fields = ["budget", "price_item", "quantity", "order_date", "service_start", "service_end",
                  "ecatalog_reference", "description", "amount", "override_reason"]
        help_texts = {"price_item": _("Type the outlet's name: approved prices are offered. The price must be "
                                      "valid on the order date.")}

    # The negotiation with the outlet, needed when the approved price is above the agency's reference price
    # (budgets.controls.reference_price); passed to the service as answers["negotiation"].
    negotiation_offered = RupiahField(label=capfirst(_("price offered")), required=False, min_value=1,
                                      help_text=_("Per unit, as the outlet offered it."))
    negotiation_agreed = RupiahField(label=capfirst(_("price agreed")), required=False, min_value=1,
                                     help_text=_("Per unit. Leave the amount empty: the order is quantity × this "
                                                 "price."))
    negotiated_by_agency = forms.CharField(label=capfirst(_("negotiated for the agency by")), required=False,
                                           max_length=200)
    negotiated_by_outlet = forms.CharField(label=capfirst(_("negotiated for the outlet by")), required=False,
                                           max_length=200)
    negotiated_on = forms.DateField(label=capfirst(_("negotiated on")), required=False,
                                    widget=admin.widgets.AdminDateWidget)

    already_placed = False

    def answers(self, cleaned) -> dict:
        """What the person answered to the integrity controls (budgets.controls), keyed by control."""
        answers = {"interest_reason": cleaned.get("interest_reason") or "",
                   "comparison_reason": cleaned.get("comparison_reason") or ""}
        negotiation = {"offered": cleaned.get("negotiation_offered"), "agreed": cleaned.get("negotiation_agreed"),
                       "agency_negotiator": cleaned.get("negotiated_by_agency") or "",
                       "outlet_negotiator": cleaned.get("negotiated_by_outlet") or "",
                       "negotiated_on": cleaned.get("negotiated_on")}
        if any(v not in (None, "") for v in negotiation.values()):
            answers["negotiation"] = negotiation
        return answers

    def place(self, cleaned):
        self.already_placed = MediaOrder.objects.filter(request_key=cleaned["placement_key"]).exists()
        return services.order_place(
            budget=cleaned["budget"], price_item=cleaned["price_item"], quantity=cleaned["quantity"],
            order_date=cleaned["order_date"], service_start=cleaned["service_start"],
            service_end=cleaned["service_end"], amount=cleaned.get("amount"),
            override_reason=cleaned.get("override_reason") or "", ecatalog_reference=cleaned.get("ecatalog_reference")
            or "", description=cleaned.get("description") or "", request_key=cleaned["placement_key"], user=self.user,
            answers=self.answers(cleaned))


class PublishForm(forms.Form):
    published_url = forms.URLField(label=_("published link"), required=False, max_length=500, assume_scheme="https",
                                   help_text=_("The address of the published article, video or post."))
    proof_file = forms.FileField(label=_("screenshot or scan"), required=False,
                                 help_text=_("PDF, JPEG or PNG: a screenshot of the page or a scan of the print."))


    late_reason = forms.CharField(
        label=_("reason for a late claim"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required after the proof deadline: why the proof comes late. A late claim waits for a second "
                    "approval before payment."))


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("payment date"), widget=admin.widgets.AdminDateWidget)
    reference = forms.CharField(label=_("payment reference (SP2D)"), max_length=100)


class OrderReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Kept with the order and shown on its page."))


# --- the admin -----------------------------------------------------------------------------------------


@admin.register(MediaOrder)
class MediaOrderAdmin(ExportSelectedMixin, admin.ModelAdmin):
    form = OrderPlaceForm
    change_form_template = "admin/budgets/order_change_form.html"
    list_display = ["order_day", "budget_name", "outlet_name", "product", "quantity", "amount_display",
                    "status_label", "proof_state", "proof_due"]
    list_select_related = ["budget__agency", "outlet", "price_item"]
    list_filter = [YearFilter, AgencyFilter, OutletFilter, "price_item__kind", "status", ProofFilter,
                   WaitingForProofFilter, ProofDeadlineFilter, ReferenceFilter]
    search_fields = ["ecatalog_reference"]
    search_help_text = _("Outlet name or e-catalog order reference")
    autocomplete_fields = ["price_item"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["accept_proofs", "reject_proofs", "cancel_orders", "approve_orders"]
    export_report = "spend-ledger"  # "Export selected as CSV" once the report exists (mediareg.admin_helpers)
    add_fieldsets = [
        (None, {"fields": ["budget", "price_item", "quantity", "order_date", ("service_start", "service_end"),
                           "ecatalog_reference", "description", "placement_key"]}),
        (_("A different amount"), {"fields": ["amount", "override_reason"]}),
        (_("Declared interest"), {"fields": ["interest_reason"]}),
        (_("Negotiation (a price above the reference price)"), {
            "fields": [("negotiation_offered", "negotiation_agreed"), ("negotiated_by_agency", "negotiated_by_outlet"),
                       "negotiated_on"],
            "description": _("Needed when the approved price is above your agency's reference price for the product "
                             "and the outlet's tier: the order is then placed at the price agreed.")}),
        (_("Price comparison across agencies"), {"fields": ["comparison_reason"]}),
    ]
    # The order's page, by section; the sections of steps not taken yet are left out (get_fieldsets).
    sections = {
        "order": (None, {"fields": ["budget", "budget_figures", "outlet", "product_name", "quantity",
                                    "unit_price_display", "amount_display", "override_reason", "order_date",
                                    ("service_start", "service_end"), "ecatalog_reference", "description",
                                    "status_label"]}),
        "eligibility": (_("Eligibility on the order date"), {"fields": ["eligibility_snapshot"]}),
        "flags": (_("Integrity controls: second approval"), {"fields": ["flag_list"]}),
        "comparison": (_("Same outlet, other agencies"), {"fields": ["other_agencies"]}),
        "reference": (_("Reference price and negotiation"), {"fields": ["reference_standing", "negotiation"]}),
        "proof": (_("Proof of publication"), {"fields": ["proof_state", "proof_deadline", "published_link",
                                                         "proof_file_links", "proof_submitted_at",
                                                         ("proof_reviewer", "proof_reviewed_at"), "proof_reason"]}),
        "payment": (_("Payment"), {"fields": ["paid_on", "payment_reference"]}),
        "cancellation": (_("Cancellation"), {"fields": ["cancelled_on", "cancel_reason"]}),
        "record": (_("Record"), {"fields": ["placed_by", "created_at", "request_key", "audit_trail"]}),
    }
    page_fields = ["budget_figures", "product_name", "unit_price_display", "amount_display", "status_label",
                   "eligibility_snapshot", "flag_list", "other_agencies", "reference_standing", "negotiation",
                   "proof_state", "proof_deadline", "published_link", "proof_file_links", "proof_file_name",
                   "proof_reviewer", "placed_by", "audit_trail"]

    # who sees and does what ------------------------------------------------------------------

    def get_queryset(self, request):
        waiting = OrderFlag.objects.filter(order=OuterRef("pk"), approved_at__isnull=True)
        return selectors.visible_orders(request.user, super().get_queryset(request).select_related(
            "budget__agency", "outlet", "price_item", "created_by", "proof_reviewed_by")
            .annotate(flags_waiting=Exists(waiting)))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another agency's order does not exist for this person: not found, as for one never placed.
        raise Http404

    def has_change_permission(self, request, obj=None):
        # The order's facts are never edited (its page is read-only); its changes are the steps below.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_proof_permission(self, request):
        return request.user.has_perm("budgets.review_proof")

    def has_cancel_permission(self, request):
        return request.user.has_perm("budgets.cancel_mediaorder")

    def has_approve_permission(self, request):
        return request.user.has_perm("budgets.approve_orderflag")

    STEP_PERMISSIONS = {"publish": "budgets.change_mediaorder", "accept_proof": "budgets.review_proof",
                        "reject_proof": "budgets.review_proof", "pay": "budgets.pay_mediaorder",
                        "cancel": "budgets.cancel_mediaorder", "approve": "budgets.approve_orderflag"}

    def may_take(self, request, step: str, order: MediaOrder) -> bool:
        return (request.user.has_perm(self.STEP_PERMISSIONS[step])
                and services.can_act_for(request.user, order.budget.agency_id))

    # list columns ----------------------------------------------------------------------------

    @admin.display(description=_("order date"), ordering="order_date")
    def order_day(self, obj):
        return date_format(obj.order_date, "SHORT_DATE_FORMAT")

    @admin.display(description=_("budget"), ordering="budget__agency__name")
    def budget_name(self, obj):
        return truncated(str(obj.budget), width="s")

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        url = "?" + urlencode({OutletFilter.parameter_name: obj.outlet_id})
        return format_html('<a href="{}" title="{}">{}</a>', url, gettext("Only this outlet's orders"),
                           truncated(obj.outlet.name, width="m"))

    @admin.display(description=_("product"), ordering="price_item__kind")
    def product(self, obj):
        return truncated(f"{obj.price_item.get_kind_display()}: {obj.price_item.name}", width="m")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_rupiah(obj.amount).replace(" ", "\u00a0")  # "Rp" stays with its number

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        held = ""
        if getattr(obj, "flags_waiting", False) and obj.status != OrderStatus.CANCELLED:
            held = format_html(" {}", label(gettext("second approval"), "warn",
                               title=gettext("Held by an integrity control: it cannot be paid before a second "
                                             "person approves it.")))
        return format_html("{}{}", order_status_label(obj), held)

    @admin.display(description=_("proof"), ordering="proof_status")
    def proof_state(self, obj):
        return proof_label(obj)

    @admin.display(description=_("proof due"), ordering="proof_due_on")
    def proof_due(self, obj):
        """The proof deadline; flagged when it has passed without proof waiting or accepted, with the days."""
        if obj.proof_due_on is None:
            return "-"
        day = date_format(obj.proof_due_on, "SHORT_DATE_FORMAT")
        today = timezone.localdate()
        if (obj.status in (OrderStatus.COMMITTED, OrderStatus.PUBLISHED) and obj.proof_due_on < today
                and obj.proof_status in (ProofStatus.NONE, ProofStatus.REJECTED)):
            late = days_late(obj.proof_due_on, today)
            return label(day, "bad", title=ngettext("Proof overdue by %(n)d day", "Proof overdue by %(n)d days",
                                                    late) % {"n": late})
        return day

    # the order's page -----------------------------------------------------------------------

    @admin.display(description=_("proof deadline"))
    def proof_deadline(self, obj):
        """The deadline, and when the proof was filed (how many days late)."""
        if obj.proof_due_on is None:
            return "-"
        text = gettext("due by %(day)s") % {"day": local_date(obj.proof_due_on)}
        if obj.proof_filed_on:
            late = days_late(obj.proof_due_on, obj.proof_filed_on)
            filed = gettext("filed on %(day)s") % {"day": local_date(obj.proof_filed_on)}
            if late:
                filed += " (" + ngettext("%(n)d day late", "%(n)d days late", late) % {"n": late} + ")"
            text = f"{text}; {filed}"
        return text

    @admin.display(description=_("budget figures"))
    def budget_figures(self, obj):
        budget = obj.budget
        return gettext("%(current)s allocated; %(ordered)s ordered, of which %(paid)s paid; %(remaining)s "
                       "remaining.") % {
            "current": format_rupiah(budget.current_amount), "ordered": format_rupiah(budget.ordered_amount),
            "paid": format_rupiah(budget.paid_amount), "remaining": format_rupiah(budget.remaining_amount)}

    @admin.display(description=_("product"))
    def product_name(self, obj):
        return f"{obj.price_item.get_kind_display()}: {obj.price_item.name}"

    @admin.display(description=_("unit price"))
    def unit_price_display(self, obj):
        return f"{format_rupiah(obj.unit_price)} / {obj.price_item.unit}"

    @admin.display(description=_("eligibility on the order date"))
    def eligibility_snapshot(self, obj):
        state = obj.listing_state_on_order_date
        return render_to_string("admin/budgets/order_eligibility.html", {
            "order": obj, "eligible_icon": yes_no_icon(obj.eligible_on_order_date),
            "listing_state": ListingState(state).label if state in ListingState.values else gettext("no listing"),
            "since": local_datetime(obj.eligibility_since) if obj.eligibility_since else "",
            "rows": outcome_rows(obj.eligibility_outcomes)})

    @admin.display(description=_("holds"))
    def flag_list(self, obj):
        flags = list(obj.flags.select_related("raised_by", "approved_by").order_by("raised_at", "pk"))
        return render_to_string("admin/budgets/order_flags.html", {"flags": [{
            "rule": flag.get_rule_display(), "finding": reason_text(flag.detail), "reason": flag.reason,
            "raised_at": local_datetime(flag.raised_at), "raised_by": staff_name(flag.raised_by),
            "waiting": flag.waiting, "approved_by": staff_name(flag.approved_by),
            "approved_at": local_datetime(flag.approved_at) if flag.approved_at else "",
            "approval_reason": flag.approval_reason} for flag in flags]})

    @admin.display(description=_("reference price"))
    def reference_standing(self, obj):
        tier = obj.get_tier_on_order_date_display() if obj.tier_on_order_date else gettext("no tier")
        if obj.reference_price is None:
            return gettext("%(tier)s on the order date; no reference price set for the product and tier.") % {
                "tier": tier}
        text = gettext("%(tier)s on the order date; reference price %(reference)s (%(source)s).") % {
            "tier": tier, "reference": format_rupiah(obj.reference_price), "source": obj.reference_source}
        if obj.unit_price > obj.reference_price:
            text += " " + gettext("The approved price %(price)s is above it.") % {
                "price": format_rupiah(obj.unit_price)}
        return text

    @admin.display(description=_("negotiation"))
    def negotiation(self, obj):
        if obj.negotiation_agreed is None:
            return "-"
        return Negotiation(offered=obj.negotiation_offered, agreed=obj.negotiation_agreed,
                           agency_negotiator=obj.negotiated_by_agency, outlet_negotiator=obj.negotiated_by_outlet,
                           negotiated_on=obj.negotiated_on).sentence()

    @admin.display(description=_("prices paid by other agencies"))
    def other_agencies(self, obj):
        """What the same outlet charged other agencies for the same kind of product in the order's year (one
        query; budgets.comparison), against this order's effective unit price and its budget's factor."""
        unit_price = comparison.effective_unit_price(obj.amount, obj.quantity)
        factor = obj.budget.price_comparison_factor
        rows = [{"agency": row.agency, "orders": row.orders, "lowest": format_rupiah(row.lowest),
                 "highest": format_rupiah(row.highest), "above": unit_price > row.lowest * factor}
                for row in comparison.other_agency_prices(obj)]
        return render_to_string("admin/budgets/order_other_agencies.html", {
            "rows": rows, "unit_price": format_rupiah(unit_price), "factor": f"{factor:.2f}",
            "year": obj.budget.year, "kind": obj.price_item.get_kind_display()})

    @admin.display(description=_("published link"))
    def published_link(self, obj):
        if not obj.published_url:
            return "-"
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.published_url,
                           obj.published_url)

    @admin.display(description=_("screenshot or scan"))
    def proof_file_name(self, obj):
        return (obj.proof_original_filename or gettext("file")) if obj.proof_file else "-"

    @admin.display(description=_("screenshot or scan"))
    def proof_file_links(self, obj):
        if not obj.proof_file:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="proof-preview">{}</a> '
            '<a href="{}" class="proof-download">{}</a> ({})',
            reverse("order-proof-preview", args=[obj.pk]), gettext("Preview"),
            reverse("order-proof", args=[obj.pk]), gettext("Download"), obj.proof_original_filename)

    @admin.display(description=_("proof reviewed by"))
    def proof_reviewer(self, obj):
        return staff_name(obj.proof_reviewed_by)

    @admin.display(description=_("placed by"))
    def placed_by(self, obj):
        return staff_name(obj.created_by)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        shown = dict(self.sections)
        if obj.status != OrderStatus.PAID:
            del shown["payment"]
        if obj.status != OrderStatus.CANCELLED:
            del shown["cancellation"]
        if not obj.tier_on_order_date and obj.reference_price is None and obj.negotiation_agreed is None:
            del shown["reference"]  # placed before tiers and reference prices were kept
        if not obj.proof_status:
            shown["proof"] = (shown["proof"][0], {"fields": ["proof_state", "proof_deadline"]})
        if not obj.flags.exists():
            del shown["flags"]
        return fieldsets_for(request, shown.values(),
                             file_links=("budgets.download_proof", "proof_file_links", "proof_file_name"))

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.page_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        without_related_buttons(form, "budget", "price_item")
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget":
            # Only the budgets the person may place orders on: a forged choice is "not one of the choices".
            kwargs["queryset"] = self.budgets_to_order_on(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def budgets_to_order_on(request):
        budgets = Budget.objects.select_related("agency").order_by("agency__name", "-year")
        if request.user.is_superuser:
            return budgets
        agency = services.agency_of(request.user)
        return budgets.filter(agency=agency) if agency else budgets.none()

    def get_changeform_initial_data(self, request):
        today = timezone.localdate()
        initial = {"order_date": today, "service_start": today, "quantity": 1}
        this_year = [b for b in self.budgets_to_order_on(request).filter(year=today.year)[:2]]
        if len(this_year) == 1:
            initial["budget"] = this_year[0].pk
        return {**initial, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        """Placed by services.order_place while the form was validated (ServiceFormMixin)."""
        obj._already_placed = form.already_placed

    def log_addition(self, request, obj, message):
        if not getattr(obj, "_already_placed", False):  # logged once, when it was placed
            super().log_addition(request, obj, message)

    def add_view(self, request, form_url="", extra_context=None):
        # An order is not edited after it is placed: saving leads to its page, or to a new form.
        extra_context = {"show_save_and_continue": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        """To the order's page, with the budget's remaining amount (or, for a form sent twice, that the
        order was recorded once); to a new form after "Save and add another"."""
        if getattr(obj, "_already_placed", False):
            self.message_user(request, gettext("This form had already been sent: the order was recorded once, "
                                               "and here it is."), messages.WARNING)
        else:
            budget = Budget.objects.get(pk=obj.budget_id)
            self.message_user(request, gettext("Order placed: %(amount)s to %(outlet)s. %(remaining)s of %(budget)s "
                                               "remains.") % {
                "amount": format_rupiah(obj.amount), "outlet": obj.outlet, "budget": budget,
                "remaining": format_rupiah(budget.remaining_amount)}, messages.SUCCESS)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:budgets_mediaorder_add"))
        return HttpResponseRedirect(reverse("admin:budgets_mediaorder_change", args=[obj.pk]))

    def get_search_results(self, request, queryset, search_term):
        """Outlet names through their trigram index (a subquery, no join), or the e-catalog reference."""
        term = search_term.strip()
        if not term:
            return queryset, False
        outlets = MediaOutlet.objects.filter(name__icontains=term).values("pk")
        return queryset.filter(outlet__in=outlets) | queryset.filter(ecatalog_reference__icontains=term), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        extra_context = {**(extra_context or {}), **self.steps_context(request, order)}
        return super().change_view(request, object_id, form_url, extra_context)

    def steps_context(self, request, order: MediaOrder) -> dict:
        """The buttons of the next steps the person may take on this order now."""
        open_order = order.status in (OrderStatus.COMMITTED, OrderStatus.PUBLISHED)
        held = open_order and order.flags_waiting
        steps = {
            "publish": open_order and order.proof_status != ProofStatus.ACCEPTED,
            "accept_proof": order.proof_status == ProofStatus.PENDING and open_order,
            "reject_proof": order.proof_status == ProofStatus.PENDING and open_order,
            "pay": (order.status == OrderStatus.PUBLISHED and order.proof_status == ProofStatus.ACCEPTED
                    and not held),
            "cancel": open_order,
            "approve": held,
        }
        allowed = {step for step, possible in steps.items() if possible and self.may_take(request, step, order)}
        may_pay = self.may_take(request, "pay", order)
        return {"steps": allowed, "pay_needs_approval": held and may_pay,
                "pay_needs_proof": open_order and not held and "pay" not in allowed and may_pay}

    # the next steps -----------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/step/<str:step>/", self.admin_site.admin_view(self.step_view),
                 name="{}_{}_step".format(*info)),
            *super().get_urls(),
        ]

    def step_view(self, request, object_id, step):
        """One step on one order. Accepting or rejecting proof and cancelling run the list's action for this
        order (the same checks, reason page and messages); publication and payment have their own page."""
        if step not in self.STEP_PERMISSIONS:
            raise Http404
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.may_take(request, step, order):
            raise PermissionDenied
        page = reverse("admin:budgets_mediaorder_change", args=[order.pk])
        if step in ("accept_proof", "reject_proof", "cancel", "approve"):
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            action = {"accept_proof": self.accept_proofs, "reject_proof": self.reject_proofs,
                      "cancel": self.cancel_orders, "approve": self.approve_orders}[step]
            return action(request, self.get_queryset(request).filter(pk=order.pk)) or HttpResponseRedirect(page)
        if request.method == "POST":
            form = (PublishForm(request.POST, request.FILES) if step == "publish" else PayForm(request.POST))
            if form.is_valid():
                try:
                    done = self.publish(request, order, form) if step == "publish" else self.pay(request, order, form)
                except BudgetRefused as refusal:
                    form.add_error(None, refusal.messages)
                else:
                    self.message_user(request, done, messages.SUCCESS)
                    return HttpResponseRedirect(page)
        else:
            form = PublishForm() if step == "publish" else PayForm(initial={"paid_on": timezone.localdate()})
        title = gettext("Record the publication") if step == "publish" else gettext("Record the payment")
        return render(request, "admin/budgets/order_step.html", {
            **self.admin_site.each_context(request), "title": title, "opts": self.opts, "order": order,
            "form": form, "media": self.media + form.media, "cancel_url": page,
            "amount": format_rupiah(order.amount),
            "button": gettext("Record the publication") if step == "publish" else gettext("Record the payment")})

    def publish(self, request, order, form) -> str:
        order = services.order_publish(order, published_url=form.cleaned_data["published_url"],
                                       proof_file=form.cleaned_data["proof_file"], user=request.user,
                                       late_reason=form.cleaned_data["late_reason"])
        if order.flags.filter(rule=FlagRule.LATE_PROOF, approved_at__isnull=True).exists():
            return gettext("The publication is recorded after its deadline; its proof waits for review, and the "
                           "order for a second approval before payment.")
        return gettext("The publication is recorded; its proof waits for review.")

    def pay(self, request, order, form) -> str:
        order = services.order_pay(order, paid_on=form.cleaned_data["paid_on"],
                                   reference=form.cleaned_data["reference"], user=request.user)
        return gettext("Payment of %(amount)s recorded (%(reference)s, %(day)s).") % {
            "amount": format_rupiah(order.amount), "reference": order.payment_reference,
            "day": local_date(order.paid_on)}

    def _each(self, request, queryset, act, done):
        act_on_each(self, request, queryset, act, done, refusals=(BudgetRefused,))

    def _with_reason(self, request, queryset, *, action, title, button, act, done):
        form = OrderReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda order: act(order, reason), done)
            return None
        return reason_page(
            self, request, form=form, action=action, title=title, button=button,
            label_heading=gettext("Order"), standing_heading=gettext("Status"),
            rows=[{"pk": order.pk, "label": order, "standing": order.get_status_display()} for order in queryset])

    @admin.action(description=_("Accept the proof of selected orders"), permissions=["review_proof"])
    def accept_proofs(self, request, queryset):
        self._each(request, queryset, lambda order: services.order_review_proof(order, accept=True, user=request.user),
                   ngettext_lazy("Proof of %(n)d order accepted.", "Proof of %(n)d orders accepted.", "n"))

    @admin.action(description=_("Reject the proof of selected orders (a reason is required)"),
                  permissions=["review_proof"])
    def reject_proofs(self, request, queryset):
        return self._with_reason(
            request, queryset, action="reject_proofs", title=gettext("Reject proof of publication"),
            button=gettext("Reject the proof"),
            act=lambda order, reason: services.order_review_proof(order, accept=False, reason=reason,
                                                                  user=request.user),
            done=ngettext_lazy("Proof of %(n)d order rejected.", "Proof of %(n)d orders rejected.", "n"))

    @admin.action(description=_("Cancel selected orders (a reason is required)"), permissions=["cancel"])
    def cancel_orders(self, request, queryset):
        return self._with_reason(
            request, queryset, action="cancel_orders", title=gettext("Cancel orders"),
            button=gettext("Cancel the order"),
            act=lambda order, reason: services.order_cancel(order, reason=reason, user=request.user),
            done=ngettext_lazy("%(n)d order cancelled; its amount is free again in the budget.",
                               "%(n)d orders cancelled; their amounts are free again in the budget.", "n"))

    @admin.action(description=_("Give the second approval of selected held orders (a reason is required)"),
                  permissions=["approve"])
    def approve_orders(self, request, queryset):
        return self._with_reason(
            request, queryset, action="approve_orders", title=gettext("Second approval of held orders"),
            button=gettext("Approve"),
            act=lambda order, reason: services.order_approve(order, reason=reason, user=request.user),
            done=ngettext_lazy("%(n)d order approved by a second person; it can be paid once its proof is accepted.",
                               "%(n)d orders approved by a second person; they can be paid once their proof is "
                               "accepted.", "n"))
