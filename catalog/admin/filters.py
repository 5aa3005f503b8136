"""List filters of the catalog's pages. Each is cheap on a large table: fixed choices, and a LIKE on
the stored ``,code,code,`` string rather than a join.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import ListingState, PendingRecheck
from ..rules import RULE_TITLES
from ..tiers import Tier
from .common import ACTION_LABELS


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


class TierFilter(admin.SimpleListFilter):
    """By the tier the list computes (catalog.selectors.outlet_list's ``tier``, catalog.tiers)."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return [*Tier.choices, ("none", _("no tier"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value in Tier.values:
            return queryset.filter(tier=value)
        if value == "none":
            return queryset.filter(tier__isnull=True)
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


class ApplicationAgeFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("7", _("more than 7 days")), ("30", _("more than 30 days"))]

    def queryset(self, request, queryset):
        if self.value() in ("7", "30"):
            return queryset.filter(submitted_at__lt=timezone.now() - timezone.timedelta(days=int(self.value())))
        return queryset


class ListingChangeFilter(admin.SimpleListFilter):
    """Transitions into suspension, or out of it back into the catalog (the staff home's figures)."""

    title = _("change")
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [("suspended", _("suspended")), ("reinstated", _("listed again after a suspension"))]

    def queryset(self, request, queryset):
        change = {"suspended": selectors.SUSPENDED_Q, "reinstated": selectors.REINSTATED_Q}.get(self.value())
        return queryset if change is None else queryset.filter(change)


class RecentDaysFilter(admin.SimpleListFilter):
    """Rows of the last N days, today included (Asia/Jakarta dates), as the staff home counts them."""

    title = _("when")
    parameter_name = "days"

    def lookups(self, request, model_admin):
        return [("7", _("last 7 days")), ("30", _("last 30 days"))]

    def queryset(self, request, queryset):
        if self.value() in ("7", "30"):
            first_day = timezone.localdate() - timezone.timedelta(days=int(self.value()) - 1)
            return queryset.filter(created_at__gte=selectors.start_of_day(first_day))
        return queryset
