"""What a report is: a name, columns, the filters it takes, the permission that opens it, and rows.

Rows are produced one at a time from a server-side cursor (``QuerySet.iterator(chunk_size=...)``), never
a list, so a report of a million rows takes the memory of one chunk. Each row is a tuple in the order of
``columns``; the writers (``formats``) turn dates into ISO dates, rupiah into whole numbers and escape text.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, fields

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

CHUNK = 2_000
# Text a spreadsheet would read as a formula starts with one of these; every writer of a file (formats, copy)
# puts an apostrophe before it (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Profile(TextChoices):
    FULL = "full", _("full (auditors and staff)")
    PUBLIC = "public", _("public-safe (no personal data, for publication under UU 14/2008)")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # lazy, translated when the header is written
    kind: str = "text"  # text | date | datetime | money | int | bool | percent
    personal: bool = False  # left out of the public-safe profile (UU 27/2022): names, phones, e-mails, NIK


@dataclass
class ReportFilters:
    """The filters a report may take; each report says which apply (``Report.filters``)."""

    agency: str = ""  # an agency's slug
    year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    as_of: datetime.date | None = None
    ids: list[int] | None = None  # the rows an admin action selected

    def as_dict(self) -> dict:
        """What the log keeps: only the filters that were set, as text."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, "", []):
                out[f.name] = value.isoformat() if isinstance(value, datetime.date) else value
        return out


class Report:
    """Subclass, set the attributes and implement ``queryset`` and ``rows`` (``count`` when a cheaper count
    exists)."""

    name: str = ""  # the address and the command's argument: "spend-ledger"
    title = ""
    description = ""
    permission: str = ""  # the Django permission that opens it, e.g. "budgets.view_mediaorder"
    filters: tuple[str, ...] = ()  # which of ReportFilters' fields apply
    columns: list[Column] = []

    def allowed(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm(self.permission))

    def columns_for(self, profile: str) -> list[Column]:
        return [c for c in self.columns if profile == Profile.FULL or not c.personal]

    def queryset(self, filters: ReportFilters, user):
        """The rows' source, filtered and scoped to what ``user`` may see (None: a command, sees all)."""
        raise NotImplementedError

    def rows(self, filters: ReportFilters, user) -> Iterator[tuple]:
        """One tuple per row, in the order of ``columns`` (all of them; the writer drops personal ones)."""
        raise NotImplementedError

    def count(self, filters: ReportFilters, user) -> int:
        return self.queryset(filters, user).count()

    def copy_select(self, filters: ReportFilters, user, profile: str) -> tuple[str, tuple] | list | None:
        """Optionally, the CSV's rows as one SELECT whose columns are the profile's cells, so that PostgreSQL
        writes them itself (``mediareg.reports.copy``: build it with ``sql_cells``), or a list of such SELECTs
        written one after the other. Called inside the file's language. None, the default: ``rows`` and the
        Python writer."""
        return None


REGISTRY: dict[str, Report] = {}


def register(report_class):
    """``@register`` on a Report subclass: one instance under its name."""
    report = report_class()
    if report.name in REGISTRY:
        raise ValueError(f"two reports are named {report.name!r}")
    REGISTRY[report.name] = report
    return report_class


def get_report(name: str) -> Report | None:
    return REGISTRY.get(name)


def visible_reports(user) -> list[Report]:
    return [report for report in REGISTRY.values() if report.allowed(user)]
