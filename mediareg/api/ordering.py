"""``?ordering=`` for lists in cursor pages (mediareg.api.pagination).

A cursor remembers its place by the value of the first ordering field, so a list may be sorted only by
fields that never are NULL and change seldom (a name, a creation time, the id), and the rows must keep one
order among equal values: the id follows the chosen field, in the same direction. A view names what may be
asked for, with the field each name sorts by: ``ordering_fields = {"name": "name", "created": "created_at"}``,
and its default ``ordering`` (ending with "pk").
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

TIEBREAKER = "pk"


class CursorOrdering(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        term = request.query_params.get(self.ordering_param, "").strip()
        if not term:
            return self.get_default_ordering(view)
        fields = self.allowed(view)
        descending = term.startswith("-")
        name = term.removeprefix("-")
        if name not in fields:
            raise exceptions.ValidationError({self.ordering_param: [
                _("Sort by one of: %(names)s (a leading - for descending order).")
                % {"names": ", ".join(fields)}]})
        sign = "-" if descending else ""
        field = fields[name]
        return [f"{sign}{field}"] if field == TIEBREAKER else [f"{sign}{field}", f"{sign}{TIEBREAKER}"]

    def get_default_ordering(self, view):
        ordering = list(getattr(view, "ordering", None) or [])
        if not ordering or ordering[-1].removeprefix("-") != TIEBREAKER:
            raise ImproperlyConfigured(f"{type(view).__name__}.ordering must end with pk (cursor pages).")
        return ordering

    @staticmethod
    def allowed(view) -> dict[str, str]:
        return dict(getattr(view, "ordering_fields", None) or {})

    def get_schema_operation_parameters(self, view):
        names = list(self.allowed(view))
        return [{
            "name": self.ordering_param, "required": False, "in": "query",
            "description": str(_("The order of the list: one of the names, with a leading - for descending "
                                 "order. Rows with the same value follow in id order.")),
            "schema": {"type": "string", "enum": [*names, *(f"-{name}" for name in names)]},
        }]
