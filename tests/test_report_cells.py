"""The fast writers of report rows (mediareg.reports.formats.row_formatter and csv_line_writer) give exactly
the cells and lines of the plain way, cell() for each value and the csv module for each row, whatever the
values: every kind of column against every type a row may hold, formulas, commas, quotes, line breaks and
personal columns left out."""

import csv
import datetime
import io
import itertools
import random
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from mediareg.reports import Column, Profile, Report
from mediareg.reports.formats import cell, csv_line_writer, row_formatter

KINDS = ("text", "date", "datetime", "money", "int", "bool", "percent")
VALUES = [
    None, "", "Warta Nusantara", "Wartä Ñusantara — 2026", "PT Pers, Tbk", 'kata "kutipan"', "baris\nbaru",
    "baris\r\nbaru", '=HYPERLINK("http://x","y")', "+62 812", "-5", "@akun", "\tTab", "\rCR", " spasi", "'kutip",
    0, 5, -5, 12_500_000, True, False, Decimal("5.00"), Decimal("-3"), 1.5, -0.25, 0.1234,
    datetime.date(2026, 9, 14), datetime.date(1999, 1, 1),
    timezone.make_aware(datetime.datetime(2026, 9, 14, 23, 30)),
    datetime.datetime(2026, 1, 1, 3, 4, tzinfo=datetime.UTC),
    gettext_lazy("yes"),
]


class Mixed(Report):
    name = "mixed"
    columns = [Column(f"c{i}", f"c{i}", kind, personal=(i % 3 == 1)) for i, kind in enumerate(KINDS * 2)]


class Single(Report):
    name = "single"
    columns = [Column("only", "only", "text")]


def plain_cells(report, profile, row):
    return [cell(value, column.kind) for value, column in zip(row, report.columns, strict=True)
            if column in report.columns_for(profile)]


def written(cells):
    """Cells as both writers write them: row_formatter leaves None and dates for them (empty, ISO)."""
    return ["" if value is None else value.isoformat() if type(value) is datetime.date else value for value in cells]


def plain_line(report, profile, row):
    out = io.StringIO()
    csv.writer(out).writerow(plain_cells(report, profile, row))
    return out.getvalue()


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("profile", [Profile.FULL, Profile.PUBLIC])
def test_the_fast_writers_give_the_plain_cells_and_lines(profile, language):
    chance = random.Random(11)
    rows = [tuple(chance.choice(VALUES) for _ in Mixed.columns) for _ in range(3000)]
    # Every value in every column at least once, the rest of the row ordinary.
    ordinary = (None, "Warta", None, 1, 2, True, 0.5) * 2
    rows += [ordinary[:i] + (value,) + ordinary[i + 1:] for i, value in itertools.product(range(14), VALUES)]
    with translation.override(language):
        format_row, line = row_formatter(Mixed(), profile), csv_line_writer(Mixed(), profile)
        for row in rows:
            assert written(format_row(row)) == plain_cells(Mixed(), profile, row), row
            assert line(row) == plain_line(Mixed(), profile, row), row


def test_a_report_of_one_column():
    line, format_row = csv_line_writer(Single(), Profile.FULL), row_formatter(Single(), Profile.FULL)
    for value in VALUES:
        assert line((value,)) == plain_line(Single(), Profile.FULL, (value,))
        assert written(format_row((value,))) == plain_cells(Single(), Profile.FULL, (value,))
    assert line(("",)) == '""\r\n'  # as the csv module writes a row of one empty field
