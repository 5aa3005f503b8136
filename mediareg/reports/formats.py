"""The files: CSV streamed row by row, XLSX written in constant memory, both with the same cells.

Both start with a line that names the report and its profile, then the header row in the chosen language.
Dates are ISO (2026-12-02), moments ISO in Asia/Jakarta, rupiah whole numbers, yes/no in words. Text that
a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage return) is prefixed
with an apostrophe (OWASP "CSV injection"): outlets type much of this text themselves.
"""

from __future__ import annotations

import csv
import datetime
import operator
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .base import FORMULA_STARTS, Profile, Report, ReportFilters
from .copy import copy_csv

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


# What a cell of each kind may hold that the writers take as it is, because they write it as cell() would:
# None as an empty field (csv; write_xlsx leaves the cell empty), an int as a number, a date (not a
# datetime) in its ISO form (str(date)). Anything else goes through cell(). A str in a text column is
# taken as it is unless it starts like a formula (row_formatter).
_AS_IS = {
    "text": frozenset({type(None)}),
    "int": frozenset({type(None), int}),
    "money": frozenset({type(None), int}),
    "date": frozenset({type(None), datetime.date}),
}
_FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))


def row_formatter(report: Report, profile: str) -> Callable[[tuple], list]:
    """A function from a report's row (all columns) to the cells of the profile's columns, written as
    ``[cell(row[i], kind) ...]`` would be (None and dates are left to the writers, which write them as
    cell() does) but faster: a million rows of thirty columns are thirty million cells, and calling cell()
    for each took longer than PostgreSQL takes to produce the rows (bench/export.py). Types that need no
    change (most of them) pass without a call; ``yes``/``no`` are translated once, not once per cell.
    Call it inside the file's translation.override."""
    columns = report.columns_for(profile)
    wanted = [i for i, c in enumerate(report.columns) if c in columns]
    kinds = [report.columns[i].kind for i in wanted]
    as_is = [_AS_IS.get(kind, frozenset({type(None)})) for kind in kinds]
    text = [kind == "text" for kind in kinds]
    words = {True: _("yes"), False: _("no")}
    pick = operator.itemgetter(*wanted) if len(wanted) > 1 else (lambda row: (row[wanted[0]],))
    plan = list(zip(as_is, text, kinds, strict=True))
    first = _FORMULA_FIRST

    def slow(value, kind):
        if value.__class__ is bool and kind != "percent":
            return words[value]
        return cell(value, kind)

    def format_row(row: tuple) -> list:
        return [value if value.__class__ in keep
                or (is_text and value.__class__ is str and not (value and value[0] in first))
                else slow(value, kind)
                for value, (keep, is_text, kind) in zip(pick(row), plan, strict=True)]

    return format_row


_DAY = "day"


class _Days(dict):
    def __missing__(self, day: datetime.date) -> str:
        if len(self) > 100_000:
            self.clear()
        text = self[day] = day.isoformat()
        return text


class _Echo:
    def write(self, value):
        return value


def csv_line_writer(report: Report, profile: str) -> Callable[[tuple], str]:
    """A function from a report's row to its CSV line, equal to ``csv.writer().writerow(format_row(row))``
    but faster again, because the csv module costs some 150 ns a field: a spend-ledger row of 28 columns
    takes 4.5 µs here, 7.7 µs with row_formatter and the csv module, 13 µs with cell() and the csv module.

    The types of a row's values (its signature, one dict look-up) say which values need cell(): None
    (empty), a bool (yes/no), a datetime, a Decimal, a str in a yes/no column... The rest, most of a row,
    is joined with commas as it is. That line is the csv module's own as long as no field needs quotes
    (no comma beyond the separators, no quote, no line break) and no field starts like a formula; any
    other row goes through format_row and the csv module. Call it inside the file's translation.override."""
    columns = report.columns_for(profile)
    wanted = [i for i, c in enumerate(report.columns) if c in columns]
    kinds = [report.columns[i].kind for i in wanted]
    commas = len(wanted) - 1
    words = {True: _("yes"), False: _("no")}
    format_row = row_formatter(report, profile)
    echo = csv.writer(_Echo())
    if wanted == list(range(len(report.columns))):
        pick = None  # the whole row, as it is
    elif len(wanted) > 1:
        pick = operator.itemgetter(*wanted)
    else:
        pick = lambda row: (row[wanted[0]],)  # noqa: E731
    first = _FORMULA_FIRST
    plans: dict[tuple, list] = {}
    days = _Days()  # a ledger's dates repeat: each is written out once, then looked up

    def plan(signature: tuple) -> list[tuple[int, str | None]]:
        """The positions whose value is not written as str() gives it, with what to do: None for empty."""
        fixes = []
        for position, (kind_of_value, kind) in enumerate(zip(signature, kinds, strict=True)):
            if kind_of_value is type(None):
                fixes.append((position, None))
            elif kind_of_value is datetime.date and kind != "bool":
                fixes.append((position, _DAY))
            elif kind != "bool" and (kind_of_value is str or kind_of_value is int and kind != "percent"):
                continue  # cell() gives str(value) (a str that starts like a formula is caught below)
            else:
                fixes.append((position, kind))
        return fixes

    def line(row: tuple) -> str:
        values = row if pick is None else pick(row)
        signature = tuple(map(type, values))
        fixes = plans.get(signature)
        if fixes is None:
            fixes = plans[signature] = plan(signature)
        if fixes:
            values = list(values)
            for position, kind in fixes:
                if kind is None:
                    values[position] = ""
                elif kind is _DAY:
                    values[position] = days[values[position]]
                else:
                    value = values[position]
                    values[position] = words[value] if value.__class__ is bool and kind != "percent" else cell(
                        value, kind)
        text = ",".join(map(str, values))
        if (commas and text.count(",") == commas and '"' not in text and "\r" not in text and "\n" not in text
                and text[:1] not in first and ",=" not in text and ",+" not in text and ",-" not in text
                and ",@" not in text and ",\t" not in text):
            return text + "\r\n"
        return echo.writerow(format_row(row))

    return line


def title_line(report: Report, profile: str) -> str:
    return _("MediaReg report %(name)s, profile: %(profile)s, made %(when)s") % {
        "name": report.name, "profile": Profile(profile).label,
        "when": timezone.localtime().isoformat(timespec="minutes")}


def file_name(report: Report, profile: str, extension: str) -> str:
    """``mediareg-spend-ledger-public-2026-12-02.csv``: the profile is in the name too."""
    return f"mediareg-{report.name}-{profile}-{timezone.localdate().isoformat()}.{extension}"


def csv_chunks(report: Report, filters: ReportFilters, user, *, profile: str = Profile.FULL, language: str = "id",
               finished: Callable[[int], None] | None = None,
               progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The CSV file in pieces of about 64 kB, in ``language``; ``finished(rows)`` is called at the end."""

    columns = report.columns_for(profile)
    rows = 0
    with translation.override(language):
        writer = csv.writer(_Echo())
        lines = [BOM, writer.writerow([title_line(report, profile)]), writer.writerow([str(c.label) for c in columns])]
        select = report.copy_select(filters, user, profile)
        if select is not None:
            # PostgreSQL writes the rows (mediareg.reports.copy): the same cells, a third of the time. A list
            # of SELECTs is copied one after the other (the spend ledger's orders, then its other spend).
            yield "".join(lines).encode("utf-8")
            for part in select if isinstance(select, list) else [select]:
                done = rows
                rows += yield from copy_csv(*part, progress=progress and (lambda n, done=done: progress(done + n)))
            if finished:
                finished(rows)
            return
        line = csv_line_writer(report, profile)
        size = 0
        for row in report.rows(filters, user):
            text = line(row)
            lines.append(text)
            size += len(text)
            rows += 1
            if size > 65_536:
                yield "".join(lines).encode("utf-8")
                lines, size = [], 0
                if progress:
                    progress(rows)
        yield "".join(lines).encode("utf-8")
    if finished:
        finished(rows)


def write_xlsx(report: Report, filters: ReportFilters, user, *, profile: str = Profile.FULL, language: str = "id",
               target=None, progress: Callable[[int], None] | None = None) -> tuple[object, int]:
    """The XLSX file, written by xlsxwriter in constant-memory mode (a row is flushed as soon as the next
    begins) to ``target`` or a temporary file; returns the file and the number of rows."""
    import xlsxwriter

    target = target or tempfile.TemporaryFile()
    columns = report.columns_for(profile)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False,
                                            "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(report.name[:31])
    bold = workbook.add_format({"bold": True})
    rows = 0
    with translation.override(language):
        format_row = row_formatter(report, profile)
        sheet.write_string(0, 0, title_line(report, profile))
        for col, column in enumerate(columns):
            sheet.write_string(1, col, str(column.label), bold)
        for r, row in enumerate(report.rows(filters, user), start=2):
            for col, value in enumerate(format_row(row)):
                if value is None or value == "":
                    continue  # an empty cell, as xlsxwriter writes an empty string
                if value.__class__ is int or value.__class__ is float:
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
            rows += 1
            if progress and rows % 1000 == 0:
                progress(rows)
    workbook.close()
    target.seek(0)
    return target, rows
