"""Budgets: the list with each year's figures, the budget page (figures, spend per month, the chart of
budget against spend by year, the revisions), and the pages that change a budget, each a call of one
service: a new budget (budget_create), a revision (budget_revise) and the spending policy
(budget_set_policy).

The budget page itself saves nothing: the original amount is fixed once the budget exists, the current
amount changes only by a revision, which is only ever added (docs/domain.md "Budgets"), and the policy
only with its decision's reference. A refusal of a service (BudgetRefused) is shown on its form, next
to the field it concerns, in the service's own words.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, audit_trail_link, label, staff_name, truncated, without_field
from mediareg.money import format_rupiah
from partners.models import MediaType

from .. import selectors, services
from ..charts import year_chart
from ..home import admin_url
from ..models import Agency, Budget, BudgetRevision
from ..services import BudgetRefused, agency_of, can_act_for, may_see_every_agency
from .base import AgencyScopedAdmin
from .references import ReferencePriceInline

# The listed outlets without an order named on the budget page (the rest are counted on /transparency/).
WITHOUT_ORDERS_SHOWN = 30


def percent(fraction: float | None) -> str:
    """Absorption for display: "12,5 %" in Indonesian, "12.5 %" in English; "-" for a budget of zero."""
    if fraction is None:
        return "-"
    return f"{formats.number_format(fraction * 100, 1)} %"


def rupiah_or_dash(amount: int) -> str:
    return format_rupiah(amount) if amount else "-"


# --- the forms of the pages that change a budget ----------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's own date picker (no script: the Content-Security-Policy allows none inline)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RefusalOnField:
    """A form that shows a service's refusal on the field it concerns (by the refusal's code), or above
    the fields when it concerns none of them."""

    refusal_fields: dict[str, str] = {}

    def show_refusal(self, refusal: BudgetRefused) -> None:
        field = self.refusal_fields.get(refusal.code)
        self.add_error(field if field in self.fields else None, refusal)


class BudgetCreateForm(RefusalOnField, forms.ModelForm):
    """A new budget. Only validates what was typed: budgets.services.budget_create creates it."""

    refusal_fields = {"duplicate_year": "year", "amount_invalid": "original_amount",
                      "policy_reference_required": "policy_reference", "other_agency": "agency"}

    class Meta:
        model = Budget
        fields = ["agency", "year", "account_code", "account_name", "original_amount", "spending_allowed",
                  "policy_reference", "policy_note"]
        help_texts = {
            "original_amount": _("Whole rupiah as in the DPA, without dots: 5000000000 is Rp 5.000.000.000. "
                                 "It stays as entered; later changes are revisions."),
            "policy_reference": _("Required when media spending is off: the regional head's decision or letter."),
        }
        widgets = {"policy_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:  # a budget officer's budgets are their own agency's
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies
        # Left empty, they are the agency's budget-year defaults (budgets.services.budget_create).
        for name in ("account_code", "account_name"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Empty: the agency's default.")


class RevisionForm(RefusalOnField, forms.ModelForm):
    """A revision of the budget. budgets.services.budget_revise adds it."""

    refusal_fields = {"below_committed": "amount_after", "unchanged": "amount_after",
                      "amount_invalid": "amount_after", "reason_required": "reason",
                      "reference_required": "reference", "date_outside_year": "revised_on"}

    class Meta:
        model = BudgetRevision
        fields = ["amount_after", "reason", "revised_on", "reference", "note"]
        labels = {"amount_after": _("New amount"), "revised_on": _("Date of the decision")}
        help_texts = {"amount_after": _("Whole rupiah, without dots: the budget's amount after this revision.")}
        widgets = {"revised_on": DateInput, "note": forms.Textarea(attrs={"rows": 3})}


class PolicyForm(RefusalOnField, forms.Form):
    """The year's spending policy. budgets.services.budget_set_policy sets it (the reference is required
    there, so its refusal is the message staff read)."""

    refusal_fields = {"policy_reference_required": "reference"}

    spending_allowed = forms.BooleanField(
        label=_("Media spending allowed"), required=False,
        help_text=_("Untick when the regional head's policy is no paid media cooperation this year: no order can "
                    "be placed while it is off. Orders already placed stay."))
    reference = forms.CharField(label=_("Policy decision reference"), max_length=200, required=False,
                                help_text=_("The number of the decision or letter that sets the policy."))
    note = forms.CharField(label=_("Policy note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ControlsForm(RefusalOnField, forms.Form):
    """The budget's price comparison factor and its fair-distribution quotas per media type, set by
    budgets.services.budget_set_controls (a media type with both limits empty has no quota)."""

    refusal_fields = {"factor_invalid": "price_comparison_factor"}

    price_comparison_factor = forms.DecimalField(
        label=_("Price comparison factor"), max_digits=4, decimal_places=2, min_value=1,
        help_text=_("An order whose unit price is more than this many times the lowest price another agency paid "
                    "the same outlet for the same kind of product this year waits for a second approver."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, name in MediaType.choices:
            self.fields[f"share_{value}"] = forms.DecimalField(
                label=_("%(type)s: maximum share of the budget per outlet (%%)") % {"type": name}, required=False,
                max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100)
            self.fields[f"orders_{value}"] = forms.IntegerField(
                label=_("%(type)s: maximum orders per outlet") % {"type": name}, required=False, min_value=1,
                max_value=2**31 - 1)

    @classmethod
    def initial_of(cls, budget: Budget) -> dict:
        initial = {"price_comparison_factor": budget.price_comparison_factor}
        for quota in budget.quotas.all():
            initial[f"share_{quota.media_type}"] = quota.max_share_percent
            initial[f"orders_{quota.media_type}"] = quota.max_orders
        return initial

    def quotas(self) -> dict:
        return {value: (self.cleaned_data.get(f"share_{value}"), self.cleaned_data.get(f"orders_{value}"))
                for value in MediaType.values}


# --- the revisions on the budget page ---------------------------------------------------------------------


class RevisionInline(ReadOnlyMixin, admin.TabularInline):
    """The budget's revisions, oldest first. Read-only for everyone: revisions are only ever added (a
    database trigger refuses changes and deletions), on their own page (BudgetAdmin.revise_view)."""

    model = BudgetRevision
    extra = 0
    fields = ["revised_on", "before", "after", "reason", "reference", "note", "entered_by"]
    readonly_fields = fields
    ordering = ["revised_on", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description=_("before"))
    def before(self, obj):
        return format_rupiah(obj.amount_before)

    @admin.display(description=_("after"))
    def after(self, obj):
        return format_rupiah(obj.amount_after)

    @admin.display(description=_("entered by"))
    def entered_by(self, obj):
        return staff_name(obj.created_by)


# --- the budget pages -------------------------------------------------------------------------------------


@admin.register(Budget)
class BudgetAdmin(AgencyScopedAdmin):
    """Each agency's budget per year, scoped to the user's agency (AgencyScopedAdmin)."""

    list_display = ["agency_name", "year", "budget_amount", "ordered", "paid", "remaining", "absorption_text",
                    "policy_label"]
    list_select_related = ["agency"]
    search_fields = ["agency__name", "agency__short_name"]
    search_help_text = _("Agency name")
    ordering = ["agency__name", "-year"]
    list_per_page = 50
    inlines = [RevisionInline, ReferencePriceInline]
    fieldsets = [
        (None, {"fields": ["agency", "year", "account_code", "account_name", "audit_trail"]}),
        (_("Spending policy"), {"fields": ["policy_state", "policy_reference", "policy_note"]}),
        (_("Price comparison and quotas"), {"fields": ["price_comparison_factor", "quota_summary"]}),
    ]
    readonly_fields = ["agency", "year", "account_code", "account_name", "audit_trail", "policy_state",
                       "policy_reference", "policy_note", "price_comparison_factor", "quota_summary"]
    change_form_template = "admin/budgets/budget_change_form.html"

    class Media:
        css = {"all": ["budgets/budget_admin.css"]}

    def scope(self, request, queryset):
        return selectors.visible_budgets(request.user, queryset).select_related("agency")

    def agency_id_of(self, obj) -> int:
        return obj.agency_id

    def get_list_filter(self, request):
        if may_see_every_agency(request.user):
            return [("agency", admin.RelatedOnlyFieldListFilter), "year", "spending_allowed"]
        return ["year", "spending_allowed"]

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("mediareg.view_auditevent"):
            return self.fieldsets
        return [(name, {**options, "fields": without_field(options["fields"], "audit_trail")})
                for name, options in self.fieldsets]

    def has_add_permission(self, request):
        # A budget belongs to the agency of the person who enters it; superusers choose the agency.
        return super().has_add_permission(request) and (
            request.user.is_superuser or agency_of(request.user) is not None)

    def has_delete_permission(self, request, obj=None):
        return False  # a budget's history is public (/transparency/); its orders hold on to it

    def has_revise_permission(self, request, budget) -> bool:
        return request.user.has_perm("budgets.add_budgetrevision") and can_act_for(request.user, budget.agency_id)

    # list columns ------------------------------------------------------------------------------------

    @admin.display(description=_("agency"), ordering="agency__name")
    def agency_name(self, obj):
        return truncated(obj.agency, width="m", title=obj.agency.name)

    @admin.display(description=_("budget"), ordering="current_amount")
    def budget_amount(self, obj):
        return format_rupiah(obj.current_amount)

    @admin.display(description=_("ordered"), ordering="ordered_amount")
    def ordered(self, obj):
        return format_rupiah(obj.ordered_amount)

    @admin.display(description=_("paid"), ordering="paid_amount")
    def paid(self, obj):
        return format_rupiah(obj.paid_amount)

    @admin.display(description=_("remaining"))
    def remaining(self, obj):
        return format_rupiah(obj.remaining_amount)

    @admin.display(description=_("absorption"))
    def absorption_text(self, obj):
        return percent(obj.absorption)

    @admin.display(description=_("media spending"), ordering="spending_allowed")
    def policy_label(self, obj):
        if obj.spending_allowed:
            return label(gettext("allowed"), "good")
        return label(gettext("off by policy"), "bad", title=obj.policy_reference)

    # the budget page ---------------------------------------------------------------------------------

    @admin.display(description=_("media spending"))
    def policy_state(self, obj):
        return self.policy_label(obj)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    @admin.display(description=_("fair-distribution quotas"))
    def quota_summary(self, obj):
        """Each media type's quota per outlet (one query), or that there is none."""
        rows = []
        for quota in obj.quotas.all():
            limits = []
            if quota.max_share_percent is not None:
                limits.append(gettext("at most %(share)s %% of the budget (%(amount)s)") % {
                    "share": formats.number_format(quota.max_share_percent, 2),
                    "amount": format_rupiah(int(quota.max_share_percent * obj.current_amount / 100))})
            if quota.max_orders is not None:
                limits.append(gettext("at most %(n)s orders") % {"n": quota.max_orders})
            rows.append(format_html("<li>{}: {}</li>", quota.get_media_type_display(), "; ".join(limits)))
        if not rows:
            return gettext("No quota: any outlet may receive any number of orders.")
        return format_html('<ul class="budget-quotas">{}</ul>', format_html_join("", "{}", ((row,) for row in rows)))

    def figures_context(self, request, budget: Budget) -> dict:
        """The budget's figures, its spend per month, how evenly its orders went to the listed outlets and its
        agency's chart by year (seven queries)."""
        months, ordered_total, paid_to_date, other_total = [], 0, 0, 0
        for month in selectors.spend_by_month(budget):
            ordered_total += month.ordered
            paid_to_date += month.paid
            other_total += month.other
            months.append({"name": MONTHS[month.month], "ordered": rupiah_or_dash(month.ordered),
                           "paid": rupiah_or_dash(month.paid), "paid_to_date": rupiah_or_dash(paid_to_date),
                           "other": rupiah_or_dash(month.other)})
        figures = [
            ("original", _("Original amount (murni)"), format_rupiah(budget.original_amount)),
            ("current", _("Budget after revisions (allocated)"), format_rupiah(budget.current_amount)),
            ("ordered", _("Ordered, paid orders included"), format_rupiah(budget.ordered_amount)),
            ("committed", _("Committed: ordered, not yet paid"), format_rupiah(budget.committed_amount)),
            ("paid", _("Paid (realisasi)"), format_rupiah(budget.paid_amount)),
            ("other", _("Spent outside the catalog (subscriptions, press gatherings, ...)"),
             format_rupiah(budget.other_spent_amount)),
            ("remaining", _("Remaining: budget less orders and spend outside the catalog"),
             format_rupiah(budget.remaining_amount)),
            ("absorption", _("Absorption (serapan): paid and spent outside the catalog ÷ budget"),
             percent(budget.absorption)),
        ]
        return {
            "figures": [{"key": key, "label": text, "value": value} for key, text, value in figures],
            "months": months,
            "month_totals": {"ordered": format_rupiah(ordered_total), "paid": format_rupiah(paid_to_date),
                             "other": format_rupiah(other_total)},
            # Payments of the year's orders made after 31 December (spend_by_month counts the year's months).
            "paid_later": format_rupiah(budget.paid_amount - paid_to_date) if budget.paid_amount > paid_to_date else "",
            "chart": year_chart(selectors.agency_years(budget.agency)),
            # The same figures /transparency/ publishes, where staff decide the next orders.
            "fair": selectors.fair_distribution(budget.agency, budget.year, without_orders_rows=WITHOUT_ORDERS_SHOWN),
            "transparency_url": reverse("transparency") + "?" + urlencode({"agency": budget.agency.slug,
                                                                             "year": budget.year}),
            "orders_url": (admin_url("budgets_mediaorder_changelist", query={"budget__id__exact": budget.pk})
                           if request.user.has_perm("budgets.view_mediaorder") else ""),
            "other_spend_url": (admin_url("budgets_otherspend_changelist", query={"budget__id__exact": budget.pk})
                                if request.user.has_perm("budgets.view_otherspend") else ""),
            "other_spend_add_url": (admin_url("budgets_otherspend_add", query={"budget": budget.pk})
                                    if request.user.has_perm("budgets.add_otherspend")
                                    and can_act_for(request.user, budget.agency_id) else ""),
            "can_revise": self.has_revise_permission(request, budget),
            "can_set_policy": self.has_change_permission(request, budget),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.figures_context(request, obj))
            # Nothing on the page is saved: the buttons above it lead to the pages that change a budget.
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and request.method == "POST":
            # The page has nothing to save (see the module's docstring): refused as Django refuses a
            # read-only page to those who may not change it, and as not allowed to those who may.
            budget = self.scoped_budget(request, object_id)
            if not self.has_change_permission(request, budget):
                raise PermissionDenied
            return HttpResponseNotAllowed(["GET"])
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/revise/", self.admin_site.admin_view(self.revise_view),
                 name="{}_{}_revise".format(*info)),
            path("<path:object_id>/policy/", self.admin_site.admin_view(self.policy_view),
                 name="{}_{}_policy".format(*info)),
            path("<path:object_id>/controls/", self.admin_site.admin_view(self.controls_view),
                 name="{}_{}_controls".format(*info)),
            *super().get_urls(),
        ]

    def action_page(self, request, form, *, title: str, button: str, budget: Budget | None = None,
                    facts: list | None = None):
        """A page with one form that calls one service (templates/admin/budgets/budget_action.html)."""
        cancel_url = (reverse("admin:budgets_budget_change", args=[budget.pk]) if budget
                      else reverse("admin:budgets_budget_changelist"))
        return render(request, "admin/budgets/budget_action.html", {
            **self.admin_site.each_context(request),
            "title": title, "opts": self.opts, "original": budget, "form": form, "button": button,
            "facts": facts or [], "cancel_url": cancel_url,
        })

    def scoped_budget(self, request, object_id) -> Budget:
        budget = self.get_object(request, unquote(object_id))
        if budget is None:  # another agency's budget, or none
            raise Http404
        return budget

    def add_view(self, request, form_url="", extra_context=None):
        """A new budget, created by budgets.services.budget_create."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        own = None if request.user.is_superuser else agency_of(request.user)
        initial = {"year": timezone.localdate().year}
        if own:
            initial.update(account_code=own.default_account_code, account_name=own.default_account_name)
        else:
            initial.update(account_code="", account_name="")
        form = BudgetCreateForm(request.POST or None, agencies=None if own else Agency.objects.all(),
                                initial=initial)
        if request.method == "POST" and form.is_valid():
            fields = dict(form.cleaned_data)
            agency = fields.pop("agency", None) or own
            try:
                budget = services.budget_create(agency, user=request.user, **fields)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                self.log_addition(request, budget, [{"added": {}}])
                self.message_user(request, gettext("The budget %(budget)s was added.") % {"budget": budget},
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget.pk]))
        return self.action_page(request, form, title=gettext("Add a budget"), button=gettext("Add the budget"),
                                facts=[(_("agency"), own)] if own else [])

    def revise_view(self, request, object_id):
        """A revision of the budget (perubahan, refocusing), added by budgets.services.budget_revise."""
        budget = self.scoped_budget(request, object_id)
        if not self.has_revise_permission(request, budget):
            raise PermissionDenied
        today = timezone.localdate()
        form = RevisionForm(request.POST or None, initial={
            "amount_after": budget.current_amount, "revised_on": today if today.year == budget.year else None})
        if request.method == "POST" and form.is_valid():
            try:
                revision = services.budget_revise(budget, user=request.user, **form.cleaned_data)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                message = gettext("Revised from %(before)s to %(after)s (%(reference)s).") % {
                    "before": format_rupiah(revision.amount_before), "after": format_rupiah(revision.amount_after),
                    "reference": revision.reference}
                self.log_change(request, budget, message)
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget.pk]))
        return self.action_page(request, form, budget=budget, title=gettext("Revise %(budget)s") % {"budget": budget},
                                button=gettext("Add the revision"), facts=[
                                    (_("Budget after revisions (allocated)"), format_rupiah(budget.current_amount)),
                                    (_("Ordered, paid orders included"), format_rupiah(budget.ordered_amount)),
                                    (_("Paid (realisasi)"), format_rupiah(budget.paid_amount)),
                                    (_("Spent outside the catalog (subscriptions, press gatherings, ...)"),
                                     format_rupiah(budget.other_spent_amount)),
                                    (_("Lowest possible amount"), format_rupiah(budget.spent_total))])

    def policy_view(self, request, object_id):
        """The year's spending policy, set by budgets.services.budget_set_policy."""
        budget = self.scoped_budget(request, object_id)
        if not self.has_change_permission(request, budget):
            raise PermissionDenied
        form = PolicyForm(request.POST or None, initial={"spending_allowed": budget.spending_allowed})
        if request.method == "POST" and form.is_valid():
            try:
                budget = services.budget_set_policy(budget, user=request.user, **form.cleaned_data)
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                message = (gettext("Media spending is allowed (%(reference)s).") if budget.spending_allowed
                           else gettext("Media spending is off (%(reference)s).")) % {
                               "reference": budget.policy_reference}
                self.log_change(request, budget, message)
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget.pk]))
        return self.action_page(
            request, form, budget=budget, title=gettext("Spending policy of %(budget)s") % {"budget": budget},
            button=gettext("Set the policy"), facts=[
                (_("media spending"), self.policy_label(budget)),
                (_("policy decision reference"), budget.policy_reference or "-")])

    def controls_view(self, request, object_id):
        """The price comparison factor and the quotas, set by budgets.services.budget_set_controls."""
        budget = self.scoped_budget(request, object_id)
        if not self.has_change_permission(request, budget):
            raise PermissionDenied
        form = ControlsForm(request.POST or None, initial=ControlsForm.initial_of(budget))
        if request.method == "POST" and form.is_valid():
            try:
                budget = services.budget_set_controls(
                    budget, user=request.user, price_comparison_factor=form.cleaned_data["price_comparison_factor"],
                    quotas=form.quotas())
            except BudgetRefused as refusal:
                form.show_refusal(refusal)
            else:
                message = gettext("The price comparison factor and the quotas of %(budget)s are saved.") % {
                    "budget": budget}
                self.log_change(request, budget, message)
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget.pk]))
        return self.action_page(
            request, form, budget=budget, title=gettext("Price comparison and quotas of %(budget)s") % {
                "budget": budget}, button=gettext("Save"), facts=[
                (_("Budget after revisions (allocated)"), format_rupiah(budget.current_amount))])
