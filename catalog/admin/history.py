"""The catalog's history, read-only: eligibility changes ("was outlet X eligible on date D, and why"),
listing transitions and the nightly re-check runs; the recent rows also show on the outlet and listing
pages.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ActorNameMixin, ExportSelectedMixin, label, truncated

from ..models import EligibilityChange, ListingTransition, RecheckRange, RecheckRun
from .common import ACTION_LABELS, ReadOnlyAdmin, ReadOnlyInline, RecentRowsFormSet, failing_titles, outcome_rows
from .filters import HistoryFailingRuleFilter, ListingChangeFilter, RecentDaysFilter, TransitionActionFilter


class EligibilityHistoryFormSet(RecentRowsFormSet):
    full_list_url_name = "admin:catalog_eligibilitychange_changelist"
    full_list_parameter = "outlet__id__exact"


class EligibilityHistoryInline(ActorNameMixin, ReadOnlyInline):
    model = EligibilityChange
    fk_name = "outlet"
    formset = EligibilityHistoryFormSet
    fields = ["created_at", "is_eligible", "failing_reasons", "trigger", "actor_name"]
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


class ListingTransitionInline(ActorNameMixin, ReadOnlyInline):
    model = ListingTransition
    formset = TransitionFormSet
    fields = ["created_at", "action_label", "from_state", "to_state", "actor_name", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("transitions (latest 20, newest first)")

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return ACTION_LABELS.get(obj.action, obj.action)


@admin.register(ListingTransition)
class ListingTransitionAdmin(ActorNameMixin, ReadOnlyAdmin):
    list_display = ["created_at", "outlet", "action_label", "from_state", "to_state", "actor_name", "reason_text"]
    list_select_related = ["listing__outlet"]
    list_filter = [TransitionActionFilter, "to_state", ListingChangeFilter, RecentDaysFilter]
    search_fields = ["listing__outlet__name"]
    search_help_text = _("Outlet name")
    date_hierarchy = "created_at"

    @admin.display(description=_("outlet"), ordering="listing__outlet__name")
    def outlet(self, obj):
        return truncated(obj.listing.outlet.name, width="m")

    @admin.display(description=_("reason"))
    def reason_text(self, obj):
        return truncated(obj.reason, width="l")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return ACTION_LABELS.get(obj.action, obj.action)


@admin.register(EligibilityChange)
class EligibilityChangeAdmin(ExportSelectedMixin, ActorNameMixin, ReadOnlyAdmin):
    """The history of results, for "was outlet X eligible on date D, and why"."""

    export_report = "eligibility-history"

    list_display = ["created_at", "outlet_name", "eligible", "failing_rules", "trigger", "actor_name"]
    list_select_related = ["outlet"]
    list_filter = ["trigger", "is_eligible", HistoryFailingRuleFilter]
    search_fields = ["outlet__name"]
    search_help_text = _("Outlet name")
    date_hierarchy = "created_at"
    fields = ["outlet", "created_at", "trigger", "actor_name", "is_eligible", "rule_outcomes"]
    readonly_fields = fields

    @admin.display(description=_("outlet"), ordering="outlet__name")
    def outlet_name(self, obj):
        return truncated(obj.outlet.name, width="m")

    @admin.display(description=_("eligible"), ordering="is_eligible")
    def eligible(self, obj):
        return label(gettext("eligible"), "good") if obj.is_eligible else label(gettext("not eligible"), "bad")

    def get_queryset(self, request):
        # The page's and the history page's title name the outlet (EligibilityChange.__str__).
        return super().get_queryset(request).select_related("outlet")

    @admin.display(description=_("failing rules"))
    def failing_rules(self, obj):
        return truncated(failing_titles(obj.failing_codes), width="l")

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
