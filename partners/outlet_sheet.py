"""Reading an office's spreadsheet of media outlets for import_outlets (README "A spreadsheet of outlets"):
a CSV (comma or semicolon, UTF-8 with or without BOM, else Windows-1252, through mediareg.csvfiles as the
other imports) or the first sheet of an XLSX (openpyxl, read-only), with its columns found under the
headers offices write ("Nama Perusahaan", "NPWP", "Nama Media", "Jenis Media", "Website", ...), whatever
their letter case, spaces or punctuation. Nothing here touches the database or judges a cell: the rules
of a row are partners.outlet_import's.

Also the template offices fill in (the same headers, one example row and, in the XLSX, a sheet
"Petunjuk" explaining each column), which the command and the admin's outlet list hand out.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.csvfiles import ImportFileError, decode_text, header_key, read_bytes, read_table, reading

# Canonical field -> the headers offices write for it, compared by column_key() (no case, spaces or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "company": ("Nama Perusahaan", "Perusahaan", "PT", "Perusahaan Pers", "Badan Hukum", "Nama Badan Hukum",
                "Company", "Company Name", "Legal Name"),
    "npwp": ("NPWP", "No NPWP", "Nomor NPWP", "NPWP Perusahaan", "Tax ID"),
    "outlet": ("Nama Media", "Media", "Nama Outlet", "Outlet", "Media Name", "Outlet Name"),
    "media_type": ("Jenis Media", "Jenis", "Tipe Media", "Media Type", "Type"),
    "website": ("Website", "Domain", "Alamat Website", "Situs", "Situs Web", "Alamat Situs", "Web", "URL"),
    "province": ("Provinsi", "Propinsi", "Prov", "Province"),
    "regency_city": ("Kabupaten/Kota", "Kab/Kota", "Kota/Kabupaten", "Kabupaten", "Kota", "Regency/City", "City"),
    "address": ("Alamat", "Alamat Kantor", "Alamat Perusahaan", "Address"),
    "phone": ("Telepon", "Telp", "No Telp", "No Telepon", "Nomor Telepon", "No. HP", "HP", "Nomor HP", "Telepon/HP",
              "WhatsApp", "No WA", "Phone"),
    "email": ("Email", "E-mail", "Surel", "Alamat Email", "Alamat Surel"),
}
# The columns a file must have; the others may be missing (their cells are then empty).
REQUIRED = ("company", "npwp", "outlet", "media_type")
# The template's headers: the first spelling of each column.
TEMPLATE_HEADERS = [aliases[0] for aliases in COLUMNS.values()]
# For mediareg.csvfiles' delimiter sniffing, which compares headers by header_key().
KNOWN_HEADERS = {header_key(alias) for aliases in COLUMNS.values() for alias in aliases}

XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def column_key(header) -> str:
    """A header as it is compared: lower case letters and digits only ("No. HP" and "no hp" are one)."""
    return re.sub(r"[^0-9a-z]", "", str(header or "").lower())


_BY_KEY = {column_key(alias): canonical for canonical, aliases in COLUMNS.items() for alias in aliases}


@dataclass
class SheetRow:
    number: int  # the row as the spreadsheet numbers it (the header is row 1), or the CSV line it starts on
    cells: dict[str, str]  # canonical field -> the cell, trimmed ("" when empty or the column is missing)


@dataclass
class Sheet:
    file_name: str
    rows: list[SheetRow]
    columns: list[str]  # the canonical fields the file has
    note: str = ""  # about the encoding of a CSV that was not UTF-8


def map_columns(headers: list) -> dict[str, int]:
    """Canonical field -> column index (the first column of a field counts); ImportFileError when a
    required column is missing."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        canonical = _BY_KEY.get(column_key(header))
        if canonical and canonical not in mapping:
            mapping[canonical] = index
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in mapping]
    if missing:
        raise ImportFileError(gettext("The file has no column %(missing)s. Columns found: %(found)s.") % {
            "missing": ", ".join(f"“{name}”" for name in missing),
            "found": ", ".join(str(h) for h in headers if h not in (None, "")) or "-"})
    return mapping


def cell_text(value) -> str:
    """A cell as text: a whole number without ".0", a date in ISO form, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return re.sub(r"\s+", " ", str(value)).strip()


def read_sheet(path: str | Path) -> Sheet:
    """The rows of a CSV or XLSX file (see the module docstring); ImportFileError when it cannot be read."""
    path = Path(path)
    if path.suffix.lower() == ".xls":
        raise ImportFileError(gettext("%(name)s is an old Excel file (.xls): save it as .xlsx or CSV and "
                                      "try again.") % {"name": path.name})
    with reading(path, gettext("a CSV or XLSX file")):
        if path.suffix.lower() in XLSX_SUFFIXES or zipfile.is_zipfile(path):
            (headers, raw_rows), note = _xlsx_rows(path), ""
        else:
            headers, raw_rows, note = _csv_rows(path)
    if not headers:
        raise ImportFileError(gettext("The file is empty: expected a header row and one row per outlet."))
    mapping = map_columns(headers)
    rows = []
    for number, values in raw_rows:
        cells = {name: cell_text(values[index]) if index < len(values) else "" for name, index in mapping.items()}
        if any(cells.values()):
            rows.append(SheetRow(number=number, cells={name: cells.get(name, "") for name in COLUMNS}))
    return Sheet(file_name=path.name, rows=rows, columns=[name for name in COLUMNS if name in mapping], note=note)


def _csv_rows(path: Path):
    text, _encoding, note = decode_text(read_bytes(path))
    # A title above the header ("Daftar Media 2026"): the table starts at the header line.
    lines = text.split("\n")
    skip = next((i for i, line in enumerate(lines[:HEADER_SEARCH_ROWS])
                 if any(_is_header(next(csv.reader([line], delimiter=d), [])) for d in (",", ";"))), 0)
    table = read_table("\n".join(lines[skip:]), KNOWN_HEADERS)
    return table.headers, [(line + skip, cells) for line, cells in table.rows], note


# How far down the header row is looked for, below a title or notes.
HEADER_SEARCH_ROWS = 10


def _is_header(values) -> bool:
    """The row names every required column."""
    found = {_BY_KEY.get(column_key(value)) for value in values}
    return all(name in found for name in REQUIRED)


def _xlsx_rows(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(gettext("%(name)s is not a readable XLSX file (%(error)s).") % {
            "name": path.name, "error": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode stops at the size the file claims; some exporters write a wrong one and the rows past
        # it would be lost without a word.
        sheet.reset_dimensions()
        headers: list = []
        above: list[tuple[int, list]] = []  # the rows read before the header (a title, notes)
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(value not in (None, "") for value in values):
                continue
            if headers:
                rows.append((number, list(values)))
            elif _is_header(cell_text(value) for value in values):
                headers = [cell_text(value) for value in values]
            else:
                above.append((number, list(values)))
                if len(above) == HEADER_SEARCH_ROWS:
                    break
        if not headers and above:
            # No header row: the first row is taken as one, for map_columns to name what is missing.
            headers = [cell_text(value) for value in above[0][1]]
    finally:
        workbook.close()
    return headers, rows


# --- the template ---------------------------------------------------------------------------------------------

# What the example row shows (a made-up company; its NPWP passes the check digit).
EXAMPLE = {
    "company": "PT Kabar Banjar Mandiri", "npwp": "01.312.166.0-091.000", "outlet": "Kabar Banjar",
    "media_type": "Online", "website": "kabarbanjar.co.id", "province": "Kalimantan Selatan",
    "regency_city": "Kabupaten Banjar", "address": "Jl. Ahmad Yani Km 37, Martapura",
    "phone": "0511-4721234", "email": "redaksi@kabarbanjar.co.id",
}

# What the sheet "Petunjuk" says about each column.
INSTRUCTIONS = {
    "company": _("Required. The legal name of the press company, e.g. PT ..., Yayasan ..., Koperasi ...."),
    "npwp": _("Required. The company's NPWP, 15 digits (01.312.166.0-091.000) or 16 digits starting with 0, "
              "with or without dots and dashes. An existing company with this NPWP is used as it is. Format the "
              "column as text so that the spreadsheet keeps the leading 0."),
    "outlet": _("Required. The name of the newspaper, website, TV or radio station."),
    "media_type": _("Required. Online (or Siber), Cetak (or Koran), Televisi (or TV), Radio."),
    "website": _("Required for online media: the address of the site, e.g. kabarbanjar.co.id. An existing "
                 "outlet with this website is used as it is."),
    "province": _("Optional. The company's province, e.g. Kalimantan Selatan, Kalsel, DKI Jakarta, Jatim."),
    "regency_city": _("Optional. The company's regency or city."),
    "address": _("Optional. The company's address."),
    "phone": _("Optional. The outlet's telephone or mobile number."),
    "email": _("Optional. The outlet's e-mail address."),
}


def instructions() -> list[tuple[str, str]]:
    return [(COLUMNS[name][0], str(text)) for name, text in INSTRUCTIONS.items()]


def general_instructions() -> list[str]:
    return [
        gettext("One row per media outlet; delete the example row before importing."),
        gettext("Keep the header row. Columns may be in any order; other columns are ignored."),
        gettext("Importing the same file again creates nothing twice: rows already in the registry are matched."),
        gettext("Run the import with --dry-run first: it checks every row and changes nothing."),
    ]


def template_xlsx() -> bytes:
    """The XLSX template: the headers and the example row on the first sheet, "Petunjuk" on the second."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Media")
    bold, text = workbook.add_format({"bold": True}), workbook.add_format({"num_format": "@"})
    for col, (name, header) in enumerate(zip(COLUMNS, TEMPLATE_HEADERS, strict=True)):
        # Every column as text: an NPWP or a phone number typed as a number would lose its leading 0.
        sheet.set_column(col, col, 24, text)
        sheet.write_string(0, col, header, bold)
        sheet.write_string(1, col, EXAMPLE[name], text)
    sheet.freeze_panes(1, 0)
    guide = workbook.add_worksheet("Petunjuk")
    guide.set_column(0, 0, 20)
    guide.set_column(1, 1, 100)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    guide.write_string(0, 0, gettext("Column"), bold)
    guide.write_string(0, 1, gettext("What to write"), bold)
    row = 1
    for header, explanation in instructions():
        guide.write_string(row, 0, header, wrap)
        guide.write_string(row, 1, explanation, wrap)
        row += 1
    row += 1
    for line in general_instructions():
        guide.write_string(row, 1, line, wrap)
        row += 1
    workbook.close()
    return buffer.getvalue()


def template_csv() -> bytes:
    """The CSV template: the headers and the example row, UTF-8 with a BOM (as Excel saves "CSV UTF-8")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow([EXAMPLE[name] for name in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_bytes(kind: str) -> bytes:
    """``kind`` is "xlsx" or "csv"."""
    return template_xlsx() if kind == "xlsx" else template_csv()
