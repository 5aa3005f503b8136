"""Spend outside the catalog in the back office: the list (scoped to the person's agency, one budget's from
the budget page), the form that records an entry with its evidence, the entry's page with the evidence link
and the cancel button.

Every write is a budgets.services call (other_spend_record, other_spend_cancel) and a refusal is shown in the
service's own words: on the add form as the form's error, after the cancel action as a message. An entry is
never edited or deleted: one recorded wrongly is cancelled with a reason (its amount is free again) and
recorded anew. docs/domain.md "Spend outside the catalog" has the rules.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import (
    act_on_each,
    audit_trail_link,
    fieldsets_for,
    label,
    reason_page,
    staff_name,
    truncated,
    without_related_buttons,
)
from mediareg.display import local_date
from mediareg.money import format_rupiah

from .. import selectors, services
from ..models import Budget, OtherSpend
from ..services import BudgetRefused
from .orders import AgencyFilter, OrderReasonForm, YearFilter
from .prices import RupiahField, ServiceFormMixin


def spend_status_label(spend: OtherSpend) -> str:
    if spend.is_cancelled:
        return label(gettext("cancelled"), "muted", title=spend.cancel_reason)
    return label(gettext("recorded"), "good")


class OtherSpendForm(ServiceFormMixin, forms.ModelForm):
    """Recorded by services.other_spend_record while the form is validated (ServiceFormMixin); the hidden key
    made when the form is shown records a form sent twice once."""

    entry_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    amount = RupiahField(label=capfirst(_("amount")), min_value=1,
                         help_text=_("Whole rupiah, e.g. 5000000 or 5.000.000."))
    # Checked by content and size by the service (partners.uploads.check_document_file), not by the model form.
    evidence_file = forms.FileField(label=_("evidence"), help_text=_(
        "The receipt, invoice or SP2D: PDF, JPEG or PNG."))

    class Meta:
        model = OtherSpend
        fields = ["budget", "kind", "description", "recipient", "outlet", "company", "amount", "spent_on",
                  "reference", "evidence_file"]
        help_texts = {"recipient": _("Who was paid. Leave empty when the outlet or company below is chosen."),
                      "outlet": _("When the money went to an outlet of the registry."),
                      "spent_on": _("The payment date, in the budget's year.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "recipient" in self.fields:  # the add form (the entry's page shows the fields read-only)
            self.fields["recipient"].required = False

    already_recorded = False

    def place(self, cleaned):
        self.already_recorded = OtherSpend.objects.filter(request_key=cleaned["entry_key"]).exists()
        return services.other_spend_record(
            budget=cleaned["budget"], kind=cleaned["kind"], description=cleaned.get("description") or "",
            recipient=cleaned.get("recipient") or "", outlet=cleaned.get("outlet"), company=cleaned.get("company"),
            amount=cleaned["amount"], spent_on=cleaned["spent_on"], reference=cleaned.get("reference") or "",
            evidence_file=cleaned.get("evidence_file"), request_key=cleaned["entry_key"], user=self.user)


class BudgetFilter(admin.SimpleListFilter):
    """One budget's entries (the budget page links here); the sidebar shows the chosen one, to clear it."""

    title = _("budget")
    parameter_name = "budget__id__exact"

    def lookups(self, request, model_admin):
        value = self.value()
        if not (value and value.isdigit()):
            return []
        return [(str(b.pk), str(b)) for b in selectors.visible_budgets(request.user).select_related("agency")
                .filter(pk=int(value))]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(budget_id=int(value)) if value and value.isdigit() else queryset


@admin.register(OtherSpend)
class OtherSpendAdmin(admin.ModelAdmin):
    form = OtherSpendForm
    change_form_template = "admin/budgets/other_spend_change_form.html"
    list_display = ["spent_day", "budget_name", "kind", "recipient_name", "amount_display", "reference",
                    "status_label"]
    list_select_related = ["budget__agency"]
    list_filter = [YearFilter, AgencyFilter, BudgetFilter, "kind"]
    search_fields = ["recipient", "reference"]
    search_help_text = _("Recipient or payment reference")
    autocomplete_fields = ["outlet", "company"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["cancel_entries"]
    add_fieldsets = [(None, {"fields": ["budget", "kind", "description", "recipient", ("outlet", "company"),
                                        "amount", "spent_on", "reference", "evidence_file", "entry_key"]})]
    fieldsets = [
        (None, {"fields": ["budget", "kind", "description", "recipient", "outlet", "company", "amount_display",
                           "spent_on", "reference", "evidence_links", "status_label"]}),
        (_("Cancellation"), {"fields": ["cancelled_on", "cancel_reason", "cancelled_by_name"]}),
        (_("Record"), {"fields": ["entered_by", "created_at", "request_key", "audit_trail"]}),
    ]
    page_fields = ["budget", "kind", "description", "recipient", "outlet", "company", "amount_display", "spent_on",
                   "reference", "evidence_links", "evidence_name", "status_label", "cancelled_on", "cancel_reason",
                   "cancelled_by_name", "entered_by", "created_at", "request_key", "audit_trail"]

    # who sees and does what ------------------------------------------------------------------

    def get_queryset(self, request):
        return selectors.visible_other_spends(request.user, super().get_queryset(request).select_related(
            "budget__agency", "outlet", "company", "created_by", "cancelled_by"))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # another agency's entry does not exist for this person

    def has_change_permission(self, request, obj=None):
        # The entry's facts are never edited (its page is read-only); its one change is cancelling it.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request):
        return request.user.has_perm("budgets.cancel_otherspend")

    def may_cancel(self, request, spend: OtherSpend) -> bool:
        return (not spend.is_cancelled and request.user.has_perm("budgets.cancel_otherspend")
                and services.can_act_for(request.user, spend.budget.agency_id))

    # list columns ----------------------------------------------------------------------------

    @admin.display(description=_("date spent"), ordering="spent_on")
    def spent_day(self, obj):
        return date_format(obj.spent_on, "SHORT_DATE_FORMAT")

    @admin.display(description=_("budget"), ordering="budget__agency__name")
    def budget_name(self, obj):
        return truncated(str(obj.budget), width="s")

    @admin.display(description=_("paid to"), ordering="recipient")
    def recipient_name(self, obj):
        return truncated(obj.recipient, width="m")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_rupiah(obj.amount).replace(" ", "\u00a0")

    @admin.display(description=_("status"), ordering="cancelled_on")
    def status_label(self, obj):
        return spend_status_label(obj)

    # the entry's page ------------------------------------------------------------------------

    @admin.display(description=_("evidence"))
    def evidence_links(self, obj):
        return format_html('<a href="{}" class="evidence-download">{}</a> ({})',
                           reverse("other-spend-evidence", args=[obj.pk]), gettext("Download"),
                           obj.evidence_original_filename or gettext("file"))

    @admin.display(description=_("evidence"))
    def evidence_name(self, obj):
        return obj.evidence_original_filename or gettext("file")

    @admin.display(description=_("cancelled by"))
    def cancelled_by_name(self, obj):
        return staff_name(obj.cancelled_by) if obj.is_cancelled else "-"

    @admin.display(description=_("entered by"))
    def entered_by(self, obj):
        return staff_name(obj.created_by)

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        return audit_trail_link(obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = list(self.fieldsets)
        if not obj.is_cancelled:
            fieldsets = [fs for fs in fieldsets if fs[1]["fields"][0] != "cancelled_on"]
        return fieldsets_for(request, fieldsets,
                             file_links=("budgets.download_spend_evidence", "evidence_links", "evidence_name"))

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.page_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        without_related_buttons(form, "budget", "outlet", "company")
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "budget":
            # Only the person's agency's budgets: a forged choice is "not one of the choices".
            budgets = Budget.objects.select_related("agency").order_by("agency__name", "-year")
            if not request.user.is_superuser:
                agency = services.agency_of(request.user)
                budgets = budgets.filter(agency=agency) if agency else budgets.none()
            kwargs["queryset"] = budgets
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = {"spent_on": timezone.localdate()}
        return {**initial, **super().get_changeform_initial_data(request)}  # ?budget=<pk> from the budget page

    def save_model(self, request, obj, form, change):
        """Recorded by services.other_spend_record while the form was validated (ServiceFormMixin)."""
        obj._already_recorded = form.already_recorded

    def log_addition(self, request, obj, message):
        if not getattr(obj, "_already_recorded", False):
            super().log_addition(request, obj, message)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {"show_save_and_continue": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        """To the entry's page with the budget's remaining amount (or, for a form sent twice, that it was
        recorded once); to a new form after "Save and add another"."""
        if getattr(obj, "_already_recorded", False):
            self.message_user(request, gettext("This form had already been sent: the spending was recorded once, "
                                               "and here it is."), messages.WARNING)
        else:
            budget = Budget.objects.get(pk=obj.budget_id)
            self.message_user(request, gettext("Recorded: %(amount)s to %(recipient)s. %(remaining)s of %(budget)s "
                                               "remains.") % {
                "amount": format_rupiah(obj.amount), "recipient": obj.recipient, "budget": budget,
                "remaining": format_rupiah(budget.remaining_amount)}, messages.SUCCESS)
        if "_addanother" in request.POST:
            return HttpResponseRedirect(reverse("admin:budgets_otherspend_add"))
        return HttpResponseRedirect(reverse("admin:budgets_otherspend_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        spend = self.get_object(request, unquote(object_id))
        if spend is None:
            raise Http404
        extra_context = {**(extra_context or {}), "can_cancel": self.may_cancel(request, spend)}
        return super().change_view(request, object_id, form_url, extra_context)

    # cancelling --------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view),
                 name="{}_{}_cancel".format(*info)),
            *super().get_urls(),
        ]

    def cancel_view(self, request, object_id):
        """The cancel button of one entry: the list's action for this entry (the same reason page, checks and
        messages)."""
        spend = self.get_object(request, unquote(object_id))
        if spend is None:
            raise Http404
        if not (request.user.has_perm("budgets.cancel_otherspend")
                and services.can_act_for(request.user, spend.budget.agency_id)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        page = reverse("admin:budgets_otherspend_change", args=[spend.pk])
        return self.cancel_entries(request, self.get_queryset(request).filter(pk=spend.pk)) or \
            HttpResponseRedirect(page)

    @admin.action(description=_("Cancel selected spending (a reason is required)"), permissions=["cancel"])
    def cancel_entries(self, request, queryset):
        form = OrderReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            act_on_each(self, request, queryset,
                        lambda spend: services.other_spend_cancel(spend, reason=reason, user=request.user),
                        ngettext_lazy("%(n)d entry cancelled; its amount is free again in the budget.",
                                      "%(n)d entries cancelled; their amounts are free again in the budget.", "n"),
                        refusals=(BudgetRefused,))
            return None
        return reason_page(
            self, request, form=form, action="cancel_entries", title=gettext("Cancel spending outside the catalog"),
            button=gettext("Cancel the entry"), label_heading=gettext("Entry"), standing_heading=gettext("Date spent"),
            rows=[{"pk": spend.pk, "label": spend, "standing": local_date(spend.spent_on)} for spend in queryset])
