"""The e-catalog back office.

The outlet page of the registry gains the eligibility result with every rule's reason, the history of
results and the listing's standing; its list gains eligibility and listing columns and filters. Staff
act on listings only through catalog.lifecycle (the actions below), never by editing a listing in a
form, so every decision is a recorded transition with its actor and reason.

As in partners.admin, list pages run a fixed number of queries whatever the number of rows: the
result and the listing are selected with the rows (list_select_related), the failing rules are read
from the stored ``,code,code,`` string, and the unfiltered full count is switched off.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import count_of, staff_name
from partners.admin.base import RegistryAdmin
from partners.admin.outlets import MediaOutletAdmin
from partners.models import KbliCode, LegalForm, MediaOutlet, PressCompany, Province

from .. import applications, company_changes, lifecycle, transitions
from ..applications import ApplicationRefused
from ..eligibility import recheck_outlets
from ..models import (
    Application,
    CompanyChangeProposal,
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    ExpiryReminder,
    Listing,
    ListingState,
    ListingTransition,
    PendingRecheck,
    PressCouncilEntry,
    PressCouncilImport,
    RecheckRange,
    RecheckRun,
    RegistrationWindow,
    StaffSummary,
    SuspensionCause,
    TaxYearNotice,
    Trigger,
    WebRankList,
)
from ..rules import RULE_TITLES, reason_text

# Decisions and re-checks run in the request; larger selections belong to the nightly job or the
# recheck_eligibility command.
SELECTION_LIMIT = 1000
HISTORY_ROWS = 20

ACTION_LABELS = {
    "apply": _("applied"),
    "start_review": _("review started"),
    "approve": _("listed"),
    "reject": _("rejected"),
    "suspend": _("suspended by staff"),
    "lift_suspension": _("staff suspension lifted"),
    "delist": _("delisted"),
    "warning_1": _("first warning"),
    "warning_2_suspension": _("second warning, suspended"),
    "warning_3_delisting": _("third warning, delisted"),
    "revoke": _("revoked"),
    "reapply": _("applied again"),
    "auto_suspend": _("suspended: eligibility lost"),
    "auto_reinstate": _("listed again: eligible"),
    "sanction_ended": _("sanction period ended"),
}


# --- presentation helpers ------------------------------------------------------------------------


def rule_title(code: str) -> str:
    return str(RULE_TITLES.get(code, code))


def failing_titles(failing_codes: str) -> str:
    return ", ".join(rule_title(code) for code in failing_codes.split(",") if code)


def outcome_rows(outcomes: list[dict]) -> list[dict]:
    return [{"code": o.get("code", ""), "title": rule_title(o.get("code", "")), "passed": o.get("passed"),
             "reason": reason_text(o.get("reason"))} for o in outcomes or []]


def listing_summary(listing: Listing | None) -> str:
    if listing is None:
        return gettext("not applied")
    label = listing.get_state_display()
    if listing.state == ListingState.SUSPENDED and listing.suspension_cause:
        label = f"{label} ({listing.get_suspension_cause_display()})"
    if listing.sanction_ends_on:
        date = listing.sanction_ends_on.strftime("%d-%m-%Y")
        if listing.state == ListingState.DELISTED:
            label = gettext("%(state)s; may apply again from %(date)s") % {"state": label, "date": date}
        elif listing.suspension_cause == SuspensionCause.STAFF:
            label = gettext("%(state)s; a sanction runs until %(date)s") % {"state": label, "date": date}
        else:
            label = gettext("%(state)s until %(date)s") % {"state": label, "date": date}
    return label


def _related(obj, name):
    """A reverse one-to-one selected with the row, or None when the row has none (no query)."""
    return getattr(obj, name, None)


def _result(outlet) -> Eligibility | None:
    """The outlet's stored result; None until it has been evaluated (a re-check may insert the row
    before it fills it in)."""
    result = _related(outlet, "eligibility")
    return result if result is not None and result.outcomes else None


# --- filters -------------------------------------------------------------------------------------


class EligibleFilter(admin.SimpleListFilter):
    title = _("eligibility")
    parameter_name = "eligible"

    def lookups(self, request, model_admin):
        return [("yes", _("eligible")), ("no", _("not eligible")), ("unchecked", _("not checked yet"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(eligibility__is_eligible=True)
        if value == "no":
            return queryset.filter(eligibility__is_eligible=False)
        if value == "unchecked":
            return queryset.filter(eligibility__isnull=True)
        return queryset


class ListingStateFilter(admin.SimpleListFilter):
    title = _("e-catalog listing")
    parameter_name = "listing"

    def lookups(self, request, model_admin):
        return [*ListingState.choices, ("none", _("not applied"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ListingState.values:
            return queryset.filter(listing__state=value)
        if value == "none":
            return queryset.filter(listing__isnull=True)
        return queryset


class PendingRecheckFilter(admin.SimpleListFilter):
    """Outlets whose asked-for re-check has not run yet (catalog.pending); the sweep takes those older
    than a few minutes."""

    title = _("re-check pending")
    parameter_name = "recheck_pending"

    def lookups(self, request, model_admin):
        return [("yes", _("waiting for a re-check")), ("no", _("not waiting"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            marked = Exists(PendingRecheck.objects.filter(outlet=OuterRef("pk")))
            return queryset.filter(marked if self.value() == "yes" else ~marked)
        return queryset


class FailingRuleFilter(admin.SimpleListFilter):
    """Rows whose result fails a rule: a LIKE on the stored ``,code,code,`` string (codes are lower case,
    so the case-sensitive LIKE finds the same rows as ILIKE, without upper-casing every row)."""

    title = _("failing rule")
    parameter_name = "failing"
    field_path = "eligibility__failing_codes"

    def lookups(self, request, model_admin):
        return list(RULE_TITLES.items())

    def queryset(self, request, queryset):
        if self.value() in RULE_TITLES:
            return queryset.filter(**{f"{self.field_path}__contains": f",{self.value()},"})
        return queryset


class HistoryFailingRuleFilter(FailingRuleFilter):
    field_path = "failing_codes"


class TransitionActionFilter(admin.SimpleListFilter):
    """Fixed choices: a DISTINCT over the whole transition table on every page would not stay cheap."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(ACTION_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in ACTION_LABELS:
            return queryset.filter(action=self.value())
        return queryset


class ReminderSentFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", _("sent")), ("no", _("not sent yet"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


# --- read-only building blocks -------------------------------------------------------------------


class ReadOnlyAdmin(RegistryAdmin):
    """Rows written by the system (history, runs, imports): everyone sees them, nobody edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecentRowsFormSet(BaseInlineFormSet):
    """The newest rows only, with a link to the full list filtered on the parent."""

    limit = HISTORY_ROWS
    full_list_url_name = ""
    full_list_parameter = ""

    def get_queryset(self):
        if not hasattr(self, "_recent_rows"):
            self._recent_rows = super().get_queryset()[: self.limit]
        return self._recent_rows

    @property
    def full_list_url(self) -> str:
        if not self.instance or not self.instance.pk or not self.full_list_url_name:
            return ""
        return f"{reverse(self.full_list_url_name)}?{self.full_list_parameter}={self.instance.pk}"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    template = "admin/catalog/edit_inline/tabular_recent.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EligibilityHistoryFormSet(RecentRowsFormSet):
    full_list_url_name = "admin:catalog_eligibilitychange_changelist"
    full_list_parameter = "outlet__id__exact"


class EligibilityHistoryInline(ReadOnlyInline):
    model = EligibilityChange
    fk_name = "outlet"
    formset = EligibilityHistoryFormSet
    fields = ["created_at", "is_eligible", "failing_reasons", "trigger", "actor"]
    readonly_fields = fields
    verbose_name = _("eligibility change")
    verbose_name_plural = _("eligibility history (latest 20, newest first)")

    @admin.display(description=_("failing rules and reasons"))
    def failing_reasons(self, obj):
        rows = [row for row in outcome_rows(obj.outcomes) if not row["passed"]]
        return render_to_string("admin/catalog/failing_reasons.html", {"rows": rows})


class TransitionFormSet(RecentRowsFormSet):
    full_list_url_name = "admin:catalog_listingtransition_changelist"
    full_list_parameter = "listing__id__exact"


class ListingTransitionInline(ReadOnlyInline):
    model = ListingTransition
    formset = TransitionFormSet
    fields = ["created_at", "action_label", "from_state", "to_state", "actor_label", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("transitions (latest 20, newest first)")

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return ACTION_LABELS.get(obj.action, obj.action)


# --- listing decisions ---------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Kept with the decision in the listing's history."))


class ListingActionsMixin:
    """Actions on the listings of the selected rows. Subclasses say how a row leads to its outlet and
    listing (``selected``); the decisions themselves are catalog.lifecycle's, refused with a message
    when the listing's state does not allow them."""

    def selected(self, queryset) -> list[tuple[object, MediaOutlet, Listing | None]]:
        raise NotImplementedError

    def has_manage_listing_permission(self, request):
        return request.user.has_perm("catalog.manage_listing")

    def has_recheck_permission(self, request):
        return request.user.has_perm("catalog.recheck_eligibility")

    def _too_many(self, request, queryset) -> bool:
        if queryset.count() > SELECTION_LIMIT:
            self.message_user(request, gettext(
                "Select at most %(n)d rows at once; the nightly re-check and the recheck_eligibility command "
                "handle more.") % {"n": SELECTION_LIMIT}, messages.ERROR)
            return True
        return False

    def _decide(self, request, rows, decision, done_message) -> None:
        """Apply ``decision(outlet, listing)`` to each row; report what was done and each refusal with its
        reason."""
        done, refused = 0, []
        for _obj, outlet, listing in rows:
            try:
                decision(outlet, listing)
            except lifecycle.TransitionRefused as exc:
                refused.append((outlet, " ".join(exc.messages)))
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)
        for outlet, reason in refused:
            self.message_user(request, f"{outlet}: {reason}", messages.WARNING)

    @staticmethod
    def _needs_listing(listing):
        if listing is None:
            raise lifecycle.TransitionRefused(gettext("The outlet has no listing: it has not applied."),
                                              code="no_listing")
        return listing

    # re-check ---------------------------------------------------------------------------------

    @admin.action(description=_("Re-check eligibility now"), permissions=["recheck"])
    def recheck_now(self, request, queryset):
        if self._too_many(request, queryset):
            return
        outlet_ids = [outlet.pk for _obj, outlet, _listing in self.selected(queryset)]
        self.recheck_and_report(request, outlet_ids)

    def recheck_and_report(self, request, outlet_ids: list[int]) -> None:
        summary = recheck_outlets(outlet_ids, trigger=Trigger.STAFF, actor=request.user.get_username())
        results = list(Eligibility.objects.filter(pk__in=outlet_ids).select_related("outlet"))
        if len(results) == 1:
            result = results[0]
            if result.is_eligible:
                self.message_user(request, gettext("%(outlet)s is eligible.") % {"outlet": result.outlet},
                                  messages.SUCCESS)
            else:
                reasons = " ".join(row["reason"] for row in outcome_rows(result.outcomes) if not row["passed"])
                self.message_user(request, gettext("%(outlet)s is not eligible: %(reasons)s")
                                  % {"outlet": result.outlet, "reasons": reasons}, messages.WARNING)
        else:
            eligible = sum(1 for result in results if result.is_eligible)
            self.message_user(request, gettext(
                "Re-checked %(checked)d outlets: %(eligible)d eligible, %(ineligible)d not eligible; "
                "%(changed)d results changed.") % {"checked": summary.checked, "eligible": eligible,
                                                   "ineligible": len(results) - eligible,
                                                   "changed": summary.changed}, messages.SUCCESS)
        if summary.suspended or summary.reinstated:
            self.message_user(request, gettext(
                "Listings following eligibility: %(suspended)d suspended, %(reinstated)d listed again.")
                % {"suspended": summary.suspended, "reinstated": summary.reinstated}, messages.INFO)

    # list, lift -------------------------------------------------------------------------------

    @admin.action(description=_("List in the e-catalog (approve)"), permissions=["manage_listing"])
    def list_outlets(self, request, queryset):
        if self._too_many(request, queryset):
            return
        user = request.user

        def approve(outlet, listing):
            if listing is not None:
                return lifecycle.approve(listing, user=user)
            # The fresh result is kept even when the approval is refused; the new application is not.
            recheck_outlets([outlet.pk], trigger=Trigger.STAFF, actor=user.get_username())
            with transaction.atomic():
                return lifecycle.approve(lifecycle.ensure_listing(outlet, user=user), user=user)

        self._decide(request, self.selected(queryset), approve,
                     ngettext_lazy("%(n)d outlet listed.", "%(n)d outlets listed.", "n"))

    @admin.action(description=_("Lift the staff suspension"), permissions=["manage_listing"])
    def lift_suspensions(self, request, queryset):
        if self._too_many(request, queryset):
            return
        still_out = []

        def lift(outlet, listing):
            listing = lifecycle.lift_suspension(self._needs_listing(listing), user=request.user)
            if listing.state != ListingState.LISTED:
                still_out.append((outlet, listing))

        self._decide(request, self.selected(queryset), lift,
                     ngettext_lazy("%(n)d suspension lifted.", "%(n)d suspensions lifted.", "n"))
        for outlet, listing in still_out:
            if listing.suspension_cause == SuspensionCause.SANCTION:
                self.message_user(request, gettext(
                    "%(outlet)s stays suspended until %(date)s: the suspension of its second warning runs on.")
                    % {"outlet": outlet, "date": listing.sanction_ends_on.strftime("%d-%m-%Y")}, messages.WARNING)
            else:
                self.message_user(request, gettext(
                    "%(outlet)s stays suspended because it is not eligible: %(reasons)s")
                    % {"outlet": outlet, "reasons": listing.reason}, messages.WARNING)

    # decisions with a reason ------------------------------------------------------------------

    def _with_reason(self, request, queryset, *, action: str, title: str, button: str, decision,
                     done, notes=None):
        """An intermediate page asking for the reason (required), then the decision for every row."""
        if self._too_many(request, queryset):
            return None
        rows = self.selected(queryset)
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._decide(request, rows, lambda outlet, listing: decision(self._needs_listing(listing), reason),
                         done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "label_heading": gettext("Outlet"), "standing_heading": gettext("E-catalog listing now"),
            "refusal_note": gettext("Outlets whose listing does not allow this decision are left as they are and "
                                    "reported with the reason."),
            "rows": [{"pk": obj.pk, "label": outlet, "standing": listing_summary(listing),
                      "note": notes(listing) if notes else ""} for obj, outlet, listing in rows],
            "action": action,
            "button": button,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/reason_action.html", context)

    @admin.action(description=_("Suspend (a reason is required)"), permissions=["manage_listing"])
    def suspend_outlets(self, request, queryset):
        return self._with_reason(
            request, queryset, action="suspend_outlets", title=gettext("Suspend from the e-catalog"),
            button=gettext("Suspend"),
            decision=lambda listing, reason: lifecycle.suspend(listing, user=request.user, reason=reason),
            done=ngettext_lazy("%(n)d outlet suspended.", "%(n)d outlets suspended.", "n"))

    @admin.action(description=_("Delist (a reason is required)"), permissions=["manage_listing"])
    def delist_outlets(self, request, queryset):
        return self._with_reason(
            request, queryset, action="delist_outlets", title=gettext("Delist from the e-catalog"),
            button=gettext("Delist"),
            decision=lambda listing, reason: lifecycle.delist(listing, user=request.user, reason=reason),
            done=ngettext_lazy("%(n)d outlet delisted.", "%(n)d outlets delisted.", "n"))

    @admin.action(description=_("Sanction: next warning (a reason is required)"), permissions=["manage_listing"])
    def sanction_outlets(self, request, queryset):
        policy, today = EligibilityPolicy.load(), timezone.localdate()
        return self._with_reason(
            request, queryset, action="sanction_outlets", title=gettext("Give the next sanction"),
            button=gettext("Give the sanction"),
            decision=lambda listing, reason: lifecycle.sanction(listing, user=request.user, reason=reason),
            done=ngettext_lazy("%(n)d sanction given.", "%(n)d sanctions given.", "n"),
            notes=lambda listing: next_sanction(listing, policy, today))


def next_sanction(listing: Listing | None, policy: EligibilityPolicy, today) -> str:
    """What the next step on the ladder would do, for the confirmation page: the step is
    catalog.transitions.next_sanction_step's, the one statement of the ladder."""
    if listing is None:
        return gettext("not applied: no sanction possible")
    step = transitions.next_sanction_step(listing, policy, today)
    date = step.ends_on.strftime("%d-%m-%Y") if step.ends_on else ""
    if step.level == 1:
        return gettext("first warning; the listing stays as it is")
    if step.level == 2 and step.alongside_staff_suspension:
        return gettext("second warning: the staff suspension stays; lifted before %(date)s, the outlet stays "
                       "suspended until then") % {"date": date}
    if step.level == 2:
        return gettext("second warning: suspended until %(date)s") % {"date": date}
    if step.level == 3:
        return gettext("third warning: delisted; it may apply again from %(date)s and is never listed again "
                       "automatically") % {"date": date}
    return gettext("revocation as a catalog vendor")


# --- the outlet admin, extended ------------------------------------------------------------------


class CatalogOutletAdmin(ListingActionsMixin, MediaOutletAdmin):
    """partners' outlet admin with the e-catalog: eligibility, its history and the listing."""

    change_form_template = "admin/catalog/outlet_change_form.html"
    list_display = [*MediaOutletAdmin.list_display, "eligible", "failing_rules", "listing_state"]
    list_select_related = [*MediaOutletAdmin.list_select_related, "eligibility", "listing"]
    list_filter = [*MediaOutletAdmin.list_filter, EligibleFilter, ListingStateFilter, FailingRuleFilter,
                   PendingRecheckFilter]
    readonly_fields = [*MediaOutletAdmin.readonly_fields, "eligibility_result", "listing_standing"]
    inlines = [*MediaOutletAdmin.inlines, EligibilityHistoryInline]
    actions = ["recheck_now", "list_outlets", "suspend_outlets", "delist_outlets", "sanction_outlets",
               "lift_suspensions"]
    catalog_fieldset = (_("E-catalog"), {"fields": ["eligibility_result", "listing_standing"]})
    # The e-catalog panel links to these; staff who may not open them (budget officers) do without it.
    catalog_panel_permissions = ["catalog.view_eligibility", "catalog.view_eligibilitychange", "catalog.view_listing",
                                 "catalog.view_listingtransition"]

    def selected(self, queryset):
        return [(outlet, outlet, _related(outlet, "listing")) for outlet in queryset.select_related("listing")]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            # Not on the add page: there is no history yet, and the add form must not need its management form.
            inlines = [inline for inline in inlines if not isinstance(inline, ReadOnlyInline)]
        return inlines

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not request.user.has_perms(self.catalog_panel_permissions):
            return fieldsets
        return [fieldsets[0], self.catalog_fieldset, *fieldsets[1:]]

    # list columns -----------------------------------------------------------------------------

    @admin.display(description=_("eligible"), boolean=True, ordering="eligibility__is_eligible")
    def eligible(self, obj):
        result = _result(obj)
        return None if result is None else result.is_eligible

    @admin.display(description=_("failing rules"))
    def failing_rules(self, obj):
        result = _result(obj)
        if result is None:
            return gettext("not checked yet")
        return failing_titles(result.failing_codes) or "-"

    @admin.display(description=_("e-catalog"), ordering="listing__state")
    def listing_state(self, obj):
        return listing_summary(_related(obj, "listing"))

    # change page ------------------------------------------------------------------------------

    @admin.display(description=_("eligibility"))
    def eligibility_result(self, obj):
        result = _result(obj) if obj and obj.pk else None
        context = {"result": result, "rows": outcome_rows(result.outcomes) if result else []}
        if obj and obj.pk:
            context["pending"] = PendingRecheck.objects.filter(outlet=obj).first()
            context["history_url"] = (f"{reverse('admin:catalog_eligibilitychange_changelist')}"
                                      f"?outlet__id__exact={obj.pk}")
        return render_to_string("admin/catalog/eligibility_result.html", context)

    @admin.display(description=_("listing"))
    def listing_standing(self, obj):
        listing = _related(obj, "listing") if obj and obj.pk else None
        context = {"listing": listing}
        if listing is not None:
            transitions = list(listing.transitions.all()[:HISTORY_ROWS])
            context.update(
                summary=listing_summary(listing),
                transitions=[{"row": t, "action": ACTION_LABELS.get(t.action, t.action)} for t in transitions],
                listing_url=reverse("admin:catalog_listing_change", args=[listing.pk]),
                transitions_url=(f"{reverse('admin:catalog_listingtransition_changelist')}"
                                 f"?listing__id__exact={listing.pk}"),
                suspended_for_eligibility=(listing.state == ListingState.SUSPENDED
                                           and listing.suspension_cause == SuspensionCause.ELIGIBILITY),
            )
        return render_to_string("admin/catalog/listing_standing.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_recheck": self.has_recheck_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    # "re-check now" on the outlet page --------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/recheck/", self.admin_site.admin_view(self.recheck_view),
                 name="{}_{}_recheck".format(*info)),
            *super().get_urls(),
        ]

    def recheck_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_recheck_permission(request):
            raise PermissionDenied
        outlet = self.get_object(request, unquote(object_id))
        if outlet is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self.recheck_and_report(request, [outlet.pk])
        return HttpResponseRedirect(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk]))


admin.site.unregister(MediaOutlet)
admin.site.register(MediaOutlet, CatalogOutletAdmin)


# --- catalog models ------------------------------------------------------------------------------


@admin.register(Listing)
class ListingAdmin(ListingActionsMixin, RegistryAdmin):
    """Listings change only through the actions (catalog.lifecycle); the page itself is read-only."""

    list_display = ["outlet", "state", "suspension_cause", "sanction_level", "sanction_ends_on", "state_since",
                    "eligible"]
    list_select_related = ["outlet", "outlet__eligibility"]
    list_filter = ["state", "suspension_cause", "sanction_level"]
    search_fields = ["outlet__name"]
    search_help_text = _("Outlet name")
    fields = ["outlet", ("state", "state_since"), "suspension_cause", ("sanction_level", "sanction_ends_on"),
              "reason", "updated_at", "audit_trail"]
    readonly_fields = ["outlet", "state", "state_since", "suspension_cause", "sanction_level", "sanction_ends_on",
                       "reason", "updated_at", "audit_trail"]
    inlines = [ListingTransitionInline]
    actions = ["recheck_now", "start_review", "list_outlets", "reject_applications", "suspend_outlets",
               "delist_outlets", "sanction_outlets", "lift_suspensions"]

    def selected(self, queryset):
        return [(listing, listing.outlet, listing) for listing in queryset.select_related("outlet")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("eligible"), boolean=True, ordering="outlet__eligibility__is_eligible")
    def eligible(self, obj):
        result = _result(obj.outlet)
        return None if result is None else result.is_eligible

    @admin.action(description=_("Start the review"), permissions=["manage_listing"])
    def start_review(self, request, queryset):
        if self._too_many(request, queryset):
            return
        self._decide(request, self.selected(queryset),
                     lambda outlet, listing: lifecycle.start_review(listing, user=request.user),
                     ngettext_lazy("%(n)d review started.", "%(n)d reviews started.", "n"))

    @admin.action(description=_("Reject the application (a reason is required)"), permissions=["manage_listing"])
    def reject_applications(self, request, queryset):
        return self._with_reason(
            request, queryset, action="reject_applications", title=gettext("Reject the application"),
            button=gettext("Reject"),
            decision=lambda listing, reason: lifecycle.reject(listing, user=request.user, reason=reason),
            done=ngettext_lazy("%(n)d application rejected.", "%(n)d applications rejected.", "n"))


@admin.register(ListingTransition)
class ListingTransitionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "outlet", "action_label", "from_state", "to_state", "actor_label", "reason"]
    list_select_related = ["listing__outlet"]
    list_filter = [TransitionActionFilter, "to_state"]
    search_fields = ["listing__outlet__name"]
    search_help_text = _("Outlet name")
    date_hierarchy = "created_at"

    @admin.display(description=_("outlet"), ordering="listing__outlet__name")
    def outlet(self, obj):
        return obj.listing.outlet

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return ACTION_LABELS.get(obj.action, obj.action)


@admin.register(EligibilityChange)
class EligibilityChangeAdmin(ReadOnlyAdmin):
    """The history of results, for "was outlet X eligible on date D, and why"."""

    list_display = ["created_at", "outlet", "is_eligible", "failing_rules", "trigger", "actor"]
    list_select_related = ["outlet"]
    list_filter = ["trigger", "is_eligible", HistoryFailingRuleFilter]
    search_fields = ["outlet__name"]
    search_help_text = _("Outlet name")
    date_hierarchy = "created_at"
    fields = ["outlet", "created_at", "trigger", "actor", "is_eligible", "rule_outcomes"]
    readonly_fields = fields

    @admin.display(description=_("failing rules"))
    def failing_rules(self, obj):
        return failing_titles(obj.failing_codes) or "-"

    @admin.display(description=_("rule outcomes"))
    def rule_outcomes(self, obj):
        return render_to_string("admin/catalog/eligibility_result.html",
                                {"rows": outcome_rows(obj.outcomes), "history_row": True})


class RecheckRangeInline(ReadOnlyInline):
    model = RecheckRange
    template = "admin/edit_inline/tabular.html"
    fields = ["first_id", "last_id", "finished_at", "outlets_checked", "outlets_changed"]
    readonly_fields = fields


@admin.register(RecheckRun)
class RecheckRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "day", "finished_at", "trigger", "batches", "batches_done", "outlets_checked",
                    "outlets_changed"]
    list_filter = ["trigger"]
    date_hierarchy = "started_at"
    inlines = [RecheckRangeInline]


@admin.register(EligibilityPolicy)
class EligibilityPolicyAdmin(RegistryAdmin):
    """One policy row: the list page opens it, it cannot be added twice or deleted. Only superusers
    change it (no role is given catalog.change_eligibilitypolicy)."""

    fieldsets = [
        (_("Dewan Pers"), {"fields": ["min_verification_level", "press_council_grace_days"]}),
        (_("Tax status"), {"fields": [("kswp_window", "kswp_window_days"), ("kswp_grace_month", "kswp_grace_day"),
                                      "skf_max_age_months", "require_annual_tax_return",
                                      ("tax_return_deadline_month", "tax_return_deadline_day")]}),
        (_("Web traffic rank"), {"fields": ["web_rank_rule_enabled", "web_rank_threshold"]}),
        (_("Sanctions"), {"fields": ["suspension_months", "delisting_months"]}),
        (_("Reminders"), {"fields": ["reminder_days", ("tax_notice_month", "tax_notice_day"),
                                     "staff_summary_emails"]}),
        (_("Record"), {"fields": ["updated_at", "audit_trail"]}),
    ]
    readonly_fields = ["updated_at", "audit_trail"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EligibilityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = EligibilityPolicy.load()
        return HttpResponseRedirect(reverse("admin:catalog_eligibilitypolicy_change", args=[policy.pk]))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.message_user(request, gettext(
            "The policy applies from the next re-check: tonight's, or “Re-check eligibility now” on selected "
            "outlets."), messages.INFO)


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdmin):
    list_display = ["document", "expiry_date", "days_before", "recipients", "created_at", "sent_at"]
    list_select_related = ["document__company", "document__outlet"]
    list_filter = ["days_before", ReminderSentFilter]
    search_fields = ["document__number", "document__company__legal_name", "document__outlet__name"]
    search_help_text = _("Document number, company or outlet name")
    date_hierarchy = "expiry_date"


@admin.register(TaxYearNotice)
class TaxYearNoticeAdmin(ReadOnlyAdmin):
    list_display = ["company", "year", "recipients", "created_at", "sent_at"]
    list_select_related = ["company"]
    list_filter = ["year", ReminderSentFilter]
    search_fields = ["company__legal_name"]
    search_help_text = _("Company name")


@admin.register(StaffSummary)
class StaffSummaryAdmin(ReadOnlyAdmin):
    list_display = ["day", "period_start", "period_end", "outlet_count", "sent_at"]
    date_hierarchy = "day"


class PressCouncilEntryFormSet(RecentRowsFormSet):
    limit = 200
    full_list_url_name = "admin:catalog_presscouncilentry_changelist"
    full_list_parameter = "source__id__exact"

    def get_queryset(self):
        # The rows that could not be used first: they are what staff come for.
        if not hasattr(self, "_recent_rows"):
            queryset = super(RecentRowsFormSet, self).get_queryset()
            self._recent_rows = queryset.order_by("-outcome", "line_number").select_related("outlet")[: self.limit]
        return self._recent_rows


class PressCouncilEntryInline(ReadOnlyInline):
    model = PressCouncilEntry
    formset = PressCouncilEntryFormSet
    fields = ["line_number", "outcome", "problem", "outlet", "data"]
    readonly_fields = fields
    verbose_name_plural = _("rows (rows that could not be used first; at most 200 here)")


@admin.register(PressCouncilImport)
class PressCouncilImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "list_date", "file_name", "complete", "rows_read", "rows_matched",
                    "rows_created", "rows_skipped", "outlets_flagged", "actor"]
    list_filter = ["complete"]
    search_fields = ["file_name"]
    date_hierarchy = "list_date"
    inlines = [PressCouncilEntryInline]


@admin.register(PressCouncilEntry)
class PressCouncilEntryAdmin(ReadOnlyAdmin):
    list_display = ["source", "line_number", "outcome", "problem", "outlet"]
    list_select_related = ["source", "outlet"]
    list_filter = ["outcome"]
    search_fields = ["outlet__name", "problem"]
    search_help_text = _("Outlet name or problem")


@admin.register(WebRankList)
class WebRankListAdmin(ReadOnlyAdmin):
    list_display = ["list_id", "source", "list_date", "imported_at", "rows_read", "outlets_ranked"]
    list_filter = ["source"]
    date_hierarchy = "list_date"


# --- applications --------------------------------------------------------------------------------


class ApplicationAgeFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("7", _("more than 7 days")), ("30", _("more than 30 days"))]

    def queryset(self, request, queryset):
        if self.value() in ("7", "30"):
            return queryset.filter(submitted_at__lt=timezone.now() - timezone.timedelta(days=int(self.value())))
        return queryset


@admin.register(RegistrationWindow)
class RegistrationWindowAdmin(admin.ModelAdmin):
    list_display = ["opens_on", "closes_on", "note"]


@admin.register(Application)
class ApplicationAdmin(RegistryAdmin):
    """The review queue. Decisions go through catalog.applications and are e-mailed to the applicant."""

    list_display = ["submitted_at", "outlet", "company", "status", "waiting_days", "document_count",
                    "pending_documents", "decided_by"]
    list_select_related = ["outlet", "company", "decided_by"]
    list_filter = ["status", ApplicationAgeFilter]
    search_fields = ["code", "outlet__name", "company__legal_name"]
    search_help_text = _("Tracking code, outlet or company name")
    ordering = ["submitted_at"]  # oldest first: a queue
    actions = ["start_review", "approve", "request_changes", "reject"]
    fields = ["code", "status", "outlet", "company", "submitted_at", "applicant_email", "language", "client_ip",
              "documents_panel", "decider", "decided_at", "decision_reason", "audit_trail"]
    readonly_fields = fields
    # Adds the company data the applicant typed differently, to apply or ignore (below the fields).
    change_form_template = "admin/catalog/application_change_form.html"

    @admin.display(description=_("decided by"))
    def decider(self, obj):
        return staff_name(obj.decided_by)

    def get_queryset(self, request):
        through = Application.documents.through
        return super().get_queryset(request).annotate(
            documents_n=count_of(through, "application"),
            pending_n=count_of(through, "application", document__review_status="pending"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("catalog.manage_listing")

    @admin.display(description=_("waiting (days)"), ordering="submitted_at")
    def waiting_days(self, obj):
        end = obj.decided_at or timezone.now()
        return (end - obj.submitted_at).days

    @admin.display(description=_("documents"), ordering="documents_n")
    def document_count(self, obj):
        return obj.documents_n

    @admin.display(description=_("pending documents"), ordering="pending_n")
    def pending_documents(self, obj):
        return obj.pending_n

    @admin.display(description=_("documents"))
    def documents_panel(self, obj):
        documents = list(obj.documents.order_by("kind"))
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">{}</a></td></tr>", (
            (d.get_kind_display(), d.get_review_status_display(), d.rejection_reason, d.get_download_url(),
             gettext("Download")) for d in documents))
        review_url = reverse("admin:partners_document_changelist") + "?id__in=" + ",".join(
            str(d.pk) for d in documents)
        return format_html('<table>{}</table><p><a class="button" href="{}">{}</a></p>', rows, review_url,
                           gettext("Accept or reject these documents"))

    # company data typed in the application ------------------------------------------------------

    def has_company_change_permission(self, request):
        return request.user.has_perm("partners.change_presscompany")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        proposal = (CompanyChangeProposal.objects.select_related("decided_by").filter(application=application)
                    .first() if application else None)
        extra_context = {**(extra_context or {}), "company_changes": company_changes_context(
            proposal, can_decide=self.has_company_change_permission(request))}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/company-changes/<str:decision>/",
                 self.admin_site.admin_view(self.company_changes_view), name="{}_{}_company_changes".format(*info)),
            *super().get_urls(),
        ]

    def company_changes_view(self, request, object_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in ("apply", "ignore"):
            raise Http404
        if not self.has_company_change_permission(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        proposal = get_object_or_404(CompanyChangeProposal, application=application)
        try:
            if decision == "apply":
                applied = company_changes.apply_changes(
                    proposal, user=request.user, fields=request.POST.getlist("company_change"))
                self.message_user(request, gettext("Applied to %(company)s: %(fields)s.") % {
                    "company": application.company, "fields": ", ".join(
                        str(proposed_field_label(field)) for field in applied)}, messages.SUCCESS)
            else:
                company_changes.ignore_changes(proposal, user=request.user)
                self.message_user(request, gettext("The company data typed in the application was ignored."),
                                  messages.SUCCESS)
        except company_changes.ChangesRefused as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:catalog_application_change", args=[application.pk]))

    def _each(self, request, queryset, decision, done):
        decided, refused = 0, []
        for application in queryset.select_related("outlet"):
            try:
                decision(application)
            except (ApplicationRefused, lifecycle.TransitionRefused) as exc:
                refused.append(f"{application.outlet}: {' '.join(exc.messages)}")
            else:
                decided += 1
        if decided:
            self.message_user(request, done % {"n": decided}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Start the review"), permissions=["decide"])
    def start_review(self, request, queryset):
        self._each(request, queryset, lambda a: applications.start_review(a, user=request.user),
                   ngettext_lazy("%(n)d application under review.", "%(n)d applications under review.", "n"))

    @admin.action(description=_("Approve: list the outlet if it is eligible"), permissions=["decide"])
    def approve(self, request, queryset):
        self._each(request, queryset, lambda a: applications.approve_application(a, user=request.user),
                   ngettext_lazy("%(n)d application approved.", "%(n)d applications approved.", "n"))

    def _with_reason(self, request, queryset, action, title, button, decision, done):
        form = ApplicantReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda a: decision(a, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request), "title": title, "opts": self.model._meta, "form": form,
            "label_heading": gettext("Application"), "standing_heading": gettext("Status"),
            "rows": [{"pk": a.pk, "label": a.outlet, "standing": a.get_status_display()}
                     for a in queryset.select_related("outlet")],
            "action": action, "button": button, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/reason_action.html", context)

    @admin.action(description=_("Request changes (the reason is e-mailed)"), permissions=["decide"])
    def request_changes(self, request, queryset):
        return self._with_reason(
            request, queryset, "request_changes", gettext("Request changes"), gettext("Send the request"),
            lambda a, reason: applications.request_changes(a, user=request.user, reason=reason),
            ngettext_lazy("%(n)d applicant asked for changes.", "%(n)d applicants asked for changes.", "n"))

    @admin.action(description=_("Reject (the reason is e-mailed)"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._with_reason(
            request, queryset, "reject", gettext("Reject applications"), gettext("Reject"),
            lambda a, reason: applications.reject_application(a, user=request.user, reason=reason),
            ngettext_lazy("%(n)d application rejected.", "%(n)d applications rejected.", "n"))


class ApplicantReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("E-mailed to the applicant and shown on the status page: say what is "
                                         "wrong and what to send."))


# --- company data typed in an application ----------------------------------------------------------


def proposed_field_label(field: str) -> str:
    return PressCompany._meta.get_field(field).verbose_name


def _proposal_value(field: str, value, provinces: dict, kbli: dict) -> str:
    if value in (None, "", []):
        return "-"
    if field == "province":
        return provinces.get(value, str(value))
    if field == "legal_form":
        return str(LegalForm(value).label) if value in LegalForm.values else value
    if field == "kbli_codes":
        return ", ".join(f"{code} {kbli.get(code, '')}".strip() for code in value)
    return str(value)


def company_changes_context(proposal: CompanyChangeProposal | None, *, can_decide: bool) -> dict | None:
    """The rows of the proposal (field, on record now, typed), for the application's page; two queries
    for the labels of provinces and KBLI codes, whatever the number of rows."""
    if proposal is None:
        return None
    company = PressCompany.objects.get(pk=proposal.company_id)
    record = company_changes.company_values(company)
    provinces = dict(Province.objects.values_list("pk", "name"))
    codes = {*record["kbli_codes"], *proposal.proposed.get("kbli_codes", [])}
    kbli = dict(KbliCode.objects.filter(code__in=codes).values_list("code", "title"))
    rows = [{"field": field, "label": proposed_field_label(field),
             "on_record": _proposal_value(field, record[field], provinces, kbli),
             "typed": _proposal_value(field, typed, provinces, kbli),
             "applied": field in proposal.applied_fields}
            for field, typed in proposal.proposed.items()]
    is_open = proposal.status == CompanyChangeProposal.Status.OPEN
    return {"proposal": proposal, "rows": rows, "company": company, "is_open": is_open,
            "can_decide": can_decide and is_open}
