"""What the budgets' pages share: rows scoped to the user's agency, and changes only by those who act
for it (budgets.services.access)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404

from ..services.access import can_act_for


class AgencyScopedAdmin(admin.ModelAdmin):
    """A page of one agency's rows. The list, the change page and every action read ``get_queryset``,
    which ``scope`` narrows to what the user may see (budgets.selectors.visible_*): a budget officer
    their own agency's, auditors and superusers every agency's. A row may be changed only by someone
    who acts for its agency (superusers for any), whatever their model permissions say, so an auditor's
    pages are read-only and another agency's row is not even found (404, not a redirect that names it).
    """

    show_full_result_count = False  # the unfiltered count is a second full count (docs/architecture.md)

    def scope(self, request, queryset):
        raise NotImplementedError

    def agency_id_of(self, obj) -> int:
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or can_act_for(request.user, self.agency_id_of(obj)))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404
