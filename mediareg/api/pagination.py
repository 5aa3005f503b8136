"""Pages of the API's lists.

Cursor pages (DRF's CursorPagination): each page is one indexed query whatever its position, and rows added
or removed while a program walks the list are neither skipped nor repeated, as offset pages would. The
number of rows per page is ``page_size`` (1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE if not given). Rows come in
the view's ``ordering`` (or as ``?ordering=`` asks, with mediareg.api.ordering.CursorOrdering), which must end
with a unique field (``pk``), so that the cursor is exact.
"""

from __future__ import annotations

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
