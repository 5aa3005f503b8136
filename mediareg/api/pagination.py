"""Pages of the API's lists.

Cursor pages (DRF's CursorPagination): each page is one indexed query whatever its position, and rows added
or removed while a program walks the list are neither skipped nor repeated, as offset pages would. The
number of rows per page is ``page_size`` (1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE if not given). Rows come in
the view's ``ordering`` (or as ``?ordering=`` asks, with mediareg.api.ordering.CursorOrdering), which must end
with a unique field (``pk``), so that the cursor is exact.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination as DrfCursorPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class CursorPagination(DrfCursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-pk"

    def get_ordering(self, request, queryset, view):
        # DRF's own reads only an OrderingFilter or the paginator's default, never the view's ordering.
        if getattr(view, "ordering", None) and not any(
                hasattr(backend, "get_ordering") for backend in getattr(view, "filter_backends", [])):
            return tuple(view.ordering)
        return super().get_ordering(request, queryset, view)

    def get_page_size(self, request):
        """``page_size`` as asked, or a 400 naming it: DRF would silently give the default page for
        ``page_size=abc`` or ``0`` and cut ``500`` to 100, so a program would not learn that it asked wrongly."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return size

    def decode_cursor(self, request):
        """An empty ``cursor=`` is the first page (a program that fills in the link's parts as it found them),
        not "Invalid cursor"."""
        if request.query_params.get(self.cursor_query_param) == "":
            return None
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = str(_("Rows per page, 1 to %(max)d (%(default)d if not given).")
                                               % {"max": self.max_page_size, "default": self.page_size})
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": self.max_page_size,
                                       "default": self.page_size}
        return parameters
