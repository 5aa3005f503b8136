"""Reading a report's filters from a request's query string or a command's options."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy as pgettext

from .base import Profile, Report, ReportFilters


def _date(value: str, label) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_("%(field)s is a date written YYYY-MM-DD.") % {"field": label}) from exc


def parse_filters(report: Report, data) -> ReportFilters:
    """``data`` (a QueryDict or a dict of text) as the report's filters; a filter the report does not take
    is ignored, a malformed one refused with a ValidationError that says which."""
    filters = ReportFilters()
    if "agency" in report.filters and data.get("agency"):
        slug = data.get("agency")
        if not apps.get_model("budgets", "Agency").objects.filter(slug=slug).exists():
            raise ValidationError(_("No agency has the address name %(slug)s.") % {"slug": slug})
        filters.agency = slug
    if "year" in report.filters and data.get("year"):
        try:
            filters.year = int(data.get("year"))
        except ValueError as exc:
            raise ValidationError(_("The year is a number such as 2026.")) from exc
        if not 2000 <= filters.year <= 2100:
            raise ValidationError(_("The year is a number such as 2026."))
    if "date_from" in report.filters:
        filters.date_from = _date(data.get("date_from", ""), pgettext("start of a period", "From"))
    if "date_to" in report.filters:
        filters.date_to = _date(data.get("date_to", ""), pgettext("end of a period", "To"))
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError(_("The period ends before it starts."))
    if "as_of" in report.filters:
        filters.as_of = _date(data.get("as_of", ""), _("As of"))
    return filters


def parse_profile(value: str) -> str:
    value = value or Profile.FULL
    if value not in Profile.values:
        raise ValidationError(_("The profile is full or public."))
    return value
