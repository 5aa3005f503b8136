"""The files: CSV streamed row by row, XLSX written in constant memory, both with the same cells.

Both start with a line that names the report and its profile, then the header row in the chosen language.
Dates are ISO (2026-12-02), moments ISO in Asia/Jakarta, rupiah whole numbers, yes/no in words. Text that
a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage return) is prefixed
with an apostrophe (OWASP "CSV injection"): outlets type much of this text themselves.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .base import Profile, Report, ReportFilters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def inert(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value, kind: str):
    """The value of a cell: a number, an ISO date or (escaped) text."""
    if value is None or value == "":
        return ""
    if kind == "date" and isinstance(value, datetime.date | datetime.datetime):
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        return value.isoformat()
    if kind == "datetime" and isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if kind in ("money", "int") and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return int(value)
    if kind == "percent" and isinstance(value, float | Decimal | int):
        return round(float(value) * 100, 1)
    if kind == "bool" or isinstance(value, bool):
        return _("yes") if value else _("no")
    return inert(str(value))


def title_line(report: Report, profile: str) -> str:
    return _("MediaReg report %(name)s, profile: %(profile)s, made %(when)s") % {
        "name": report.name, "profile": Profile(profile).label,
        "when": timezone.localtime().isoformat(timespec="minutes")}


def file_name(report: Report, profile: str, extension: str) -> str:
    """``mediareg-spend-ledger-public-2026-12-02.csv``: the profile is in the name too."""
    return f"mediareg-{report.name}-{profile}-{timezone.localdate().isoformat()}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_chunks(report: Report, filters: ReportFilters, user, *, profile: str = Profile.FULL, language: str = "id",
               finished: Callable[[int], None] | None = None,
               progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The CSV file in pieces of about 64 kB, in ``language``; ``finished(rows)`` is called at the end."""
    columns = report.columns_for(profile)
    wanted = [i for i, c in enumerate(report.columns) if c in columns]
    writer = csv.writer(_Echo())
    rows = 0
    with translation.override(language):
        buffer = io.StringIO()
        buffer.write(BOM)
        buffer.write(writer.writerow([title_line(report, profile)]))
        buffer.write(writer.writerow([str(c.label) for c in columns]))
        for row in report.rows(filters, user):
            buffer.write(writer.writerow([cell(row[i], report.columns[i].kind) for i in wanted]))
            rows += 1
            if buffer.tell() > 65_536:
                yield buffer.getvalue().encode("utf-8")
                buffer = io.StringIO()
                if progress:
                    progress(rows)
        yield buffer.getvalue().encode("utf-8")
    if finished:
        finished(rows)


def write_xlsx(report: Report, filters: ReportFilters, user, *, profile: str = Profile.FULL, language: str = "id",
               target=None, progress: Callable[[int], None] | None = None) -> tuple[object, int]:
    """The XLSX file, written by xlsxwriter in constant-memory mode (a row is flushed as soon as the next
    begins) to ``target`` or a temporary file; returns the file and the number of rows."""
    import xlsxwriter

    target = target or tempfile.TemporaryFile()
    columns = report.columns_for(profile)
    wanted = [i for i, c in enumerate(report.columns) if c in columns]
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False,
                                            "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(report.name[:31])
    bold = workbook.add_format({"bold": True})
    rows = 0
    with translation.override(language):
        sheet.write_string(0, 0, title_line(report, profile))
        for col, column in enumerate(columns):
            sheet.write_string(1, col, str(column.label), bold)
        for r, row in enumerate(report.rows(filters, user), start=2):
            for col, i in enumerate(wanted):
                value = cell(row[i], report.columns[i].kind)
                if isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, value)
            rows += 1
            if progress and rows % 1000 == 0:
                progress(rows)
    workbook.close()
    target.seek(0)
    return target, rows
