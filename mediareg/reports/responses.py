"""A report's file as an HTTP response, logged: shared by /reports/<name>.csv|xlsx (``views``) and the admin's
"Export selected as CSV" action (``mediareg.admin_helpers.export_selected_action``), so a file taken out
either way has the same cells, headers and line in the data access log (mediareg.access)."""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse

from ..access import finish_access, record_access
from ..models import DataAccess
from .base import Profile, Report, ReportFilters
from .formats import csv_chunks, file_name, write_xlsx

FORMATS = ("csv", "xlsx")


def report_response(report: Report, filters: ReportFilters, user, *, file_format: str = "csv",
                    profile: str = Profile.FULL, language: str = "id"):
    """The CSV streamed row by row (the log's row count is filled in when the last row has gone out), or
    the XLSX written in constant memory to a temporary file; no-store, nosniff, as an attachment whose name
    says the report, the profile and the day. The caller has checked ``report.allowed(user)``."""
    entry = record_access(kind=DataAccess.Kind.REPORT, name=report.name, user=user, file_format=file_format,
                          profile=profile, filters=filters.as_dict())
    filename = file_name(report, profile, file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_chunks(report, filters, user, profile=profile, language=language,
                       finished=lambda rows: finish_access(entry, rows)),
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        handle, rows = write_xlsx(report, filters, user, profile=profile, language=language)
        finish_access(entry, rows)
        response = FileResponse(handle, as_attachment=True, filename=filename,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
