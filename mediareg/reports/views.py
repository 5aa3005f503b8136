"""/reports/: the reports a member of staff may take out, with their filters, and the files themselves
(/reports/<name>.csv and .xlsx). Read only: GET and HEAD; every file is logged (mediareg.access)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .base import Profile, ReportFilters, get_report, visible_reports
from .filters import parse_filters, parse_profile
from .responses import FORMATS, report_response


@staff_member_required
@require_safe
def report_list(request):
    agencies = list(apps.get_model("budgets", "Agency").objects.order_by("name").values_list("slug", "name"))
    # Each report's size without filters (one count query a report, within what the user may see), so a
    # person knows before downloading how large the file will be.
    reports = [(report, report.count(ReportFilters(), request.user)) for report in visible_reports(request.user)]
    return render(request, "reports/index.html", {
        **admin.site.each_context(request),  # the site's title and header, as on every admin page
        "reports": reports, "agencies": agencies, "profiles": Profile.choices, "title": _("Reports"),
    })


def _prepare(request, name: str):
    report = get_report(name)
    if report is None:
        raise Http404
    if not report.allowed(request.user):
        raise PermissionDenied
    filters = parse_filters(report, request.GET)
    profile = parse_profile(request.GET.get("profile", ""))
    return report, filters, profile


@staff_member_required
@require_safe
def report_file(request, name: str, file_format: str):
    if file_format not in FORMATS:
        raise Http404
    try:
        report, filters, profile = _prepare(request, name)
    except ValidationError as refusal:
        return HttpResponseBadRequest(" ".join(refusal.messages), content_type="text/plain; charset=utf-8")
    return report_response(report, filters, request.user, file_format=file_format, profile=profile,
                           language=get_language() or "id")
