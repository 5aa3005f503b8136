"""The outside lists as imported, read-only: each Dewan Pers list import with every row as read (the
evidence), and the web rank lists.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mediareg.admin_helpers import ActorNameMixin, truncated

from ..models import PressCouncilEntry, PressCouncilImport, WebRankList
from .common import ReadOnlyAdmin, ReadOnlyInline, RecentRowsFormSet


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
class PressCouncilImportAdmin(ActorNameMixin, ReadOnlyAdmin):
    list_display = ["imported_at", "list_date", "file", "complete", "rows_read", "rows_matched",
                    "rows_created", "rows_skipped", "outlets_flagged", "actor_name"]
    list_filter = ["complete"]
    search_fields = ["file_name"]
    date_hierarchy = "list_date"
    inlines = [PressCouncilEntryInline]

    @admin.display(description=_("file"), ordering="file_name")
    def file(self, obj):
        return truncated(obj.file_name, width="m")


@admin.register(PressCouncilEntry)
class PressCouncilEntryAdmin(ReadOnlyAdmin):
    list_display = ["list_import", "line_number", "outcome", "problem_text", "outlet"]
    list_select_related = ["source", "outlet"]
    list_filter = ["outcome"]
    search_fields = ["outlet__name", "problem"]
    search_help_text = _("Outlet name or problem")

    @admin.display(description=PressCouncilEntry._meta.get_field("source").verbose_name, ordering="source")
    def list_import(self, obj):
        return truncated(obj.source, width="m")

    @admin.display(description=_("problem"))
    def problem_text(self, obj):
        return truncated(obj.problem, width="l")


@admin.register(WebRankList)
class WebRankListAdmin(ReadOnlyAdmin):
    list_display = ["list_id", "source", "list_date", "imported_at", "rows_read", "outlets_ranked"]
    list_filter = ["source"]
    date_hierarchy = "list_date"
