"""Listing decisions: the actions staff take on the outlet list and the listing list (re-check, list,
lift, suspend, delist, sanction; start review and reject on listings), all through catalog.lifecycle,
refused with a message when the listing's state does not allow them; and the read-only listing page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, reason_page, truncated
from partners.admin.base import RegistryAdmin
from partners.models import MediaOutlet

from .. import lifecycle, transitions
from ..eligibility import recheck_outlets
from ..models import Eligibility, EligibilityPolicy, Listing, ListingState, SuspensionCause, Trigger
from .common import (
    SELECTION_LIMIT,
    ReasonForm,
    eligibility_label,
    listing_label,
    listing_summary,
    outcome_rows,
    stored_result,
)
from .history import ListingTransitionInline


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
        return reason_page(
            self, request, form=form, action=action, title=title, button=button,
            label_heading=gettext("Outlet"), standing_heading=gettext("E-catalog listing now"),
            refusal_note=gettext("Outlets whose listing does not allow this decision are left as they are and "
                                 "reported with the reason."),
            rows=[{"pk": obj.pk, "label": outlet, "standing": listing_summary(listing),
                   "note": notes(listing) if notes else ""} for obj, outlet, listing in rows])

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


@admin.register(Listing)
class ListingAdmin(ListingActionsMixin, ReadOnlyMixin, RegistryAdmin):
    """Listings change only through the actions (catalog.lifecycle); the page itself is read-only."""

    # The suspension's cause and the sanction's dates are on the state label's hover and on the page.
    list_display = ["outlet_name", "state_label", "sanction_level", "sanction_ends_on", "state_since_on",
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

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("state"), ordering="state")
    def state_label(self, obj):
        return listing_label(obj)

    @admin.display(description=_("since"), ordering="state_since")
    def state_since_on(self, obj):
        return date_format(timezone.localtime(obj.state_since), "SHORT_DATE_FORMAT")

    @admin.display(description=_("eligible"), ordering="outlet__eligibility__is_eligible")
    def eligible(self, obj):
        return eligibility_label(stored_result(obj.outlet))

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
