"""What the catalog's pages share: the labels of listing actions, how results and listings are shown,
the read-only base classes for rows the system writes, and the forms that ask for a decision's reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ReadOnlyMixin, label
from partners.admin.base import RegistryAdmin

from ..models import Eligibility, Listing, ListingState, SuspensionCause
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
    "objection_upheld": _("objection upheld: decision taken back"),
}


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


# The tone of each listing state's label in the lists.
LISTING_TONES = {
    ListingState.LISTED: "good",
    ListingState.APPLIED: "info",
    ListingState.UNDER_REVIEW: "info",
    ListingState.SUSPENDED: "warn",
    ListingState.DELISTED: "bad",
    ListingState.REJECTED: "bad",
    ListingState.REVOKED: "bad",
}


def listing_label(listing: Listing | None) -> str:
    """The listing's state as a short label; the whole standing (cause, sanction dates) on hover."""
    if listing is None:
        return label(gettext("not applied"), "muted")
    return label(listing.get_state_display(), LISTING_TONES.get(listing.state, "muted"),
                 title=listing_summary(listing))


def eligibility_label(result: Eligibility | None) -> str:
    """A stored result as a short label; the failing rules on hover."""
    if result is None:
        return label(gettext("not checked yet"), "muted")
    if result.is_eligible:
        return label(gettext("eligible"), "good")
    return label(gettext("not eligible"), "bad", title=failing_titles(result.failing_codes))


def related_row(obj, name):
    """A reverse one-to-one selected with the row, or None when the row has none (no query)."""
    return getattr(obj, name, None)


def stored_result(outlet) -> Eligibility | None:
    """The outlet's stored result; None until it has been evaluated (a re-check may insert the row
    before it fills it in)."""
    result = related_row(outlet, "eligibility")
    return result if result is not None and result.outcomes else None


class ReadOnlyAdmin(ReadOnlyMixin, RegistryAdmin):
    """Rows written by the system (history, runs, imports): everyone sees them, nobody edits them."""


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


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    template = "admin/catalog/edit_inline/tabular_recent.html"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Kept with the decision in the listing's history."))


class ApplicantReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("E-mailed to the applicant and shown on the status page: say what is "
                                         "wrong and what to send."))
