"""Imports of outside lists: the Dewan Pers list of press companies and Tranco-style web rank lists.

Plain functions that never print; the management commands import_press_council and
import_web_rank parse arguments, show progress and print the summary.

Dewan Pers list (domain.md §1.2, §1.3): a CSV as scraped from the public list, Indonesian or
English headers, comma or semicolon, UTF-8 (with or without BOM) or cp1252. Each row is matched to
an outlet by any of its normalised website domains, else by its name when exactly one outlet has
that name; what is new (company, outlet, domains, verification) is created. A file is evidence:
one PressCouncilImport with the file's SHA-256 and one PressCouncilEntry per row as read.

Web rank list (domain.md §5): ``rank,domain`` lines without a header (Tranco's top-1m.csv, also
inside its ZIP). The file is streamed line by line; only the set of our outlets' domains (and
their registrable parents) is kept in memory, never the list.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import itertools
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.eligibility import RecheckSummary, recheck_outlets
from catalog.models import EligibilityPolicy, OutletWebRank, PressCouncilEntry, PressCouncilImport, Trigger, WebRankList
from mediareg.audit import audit_context
from partners.identifiers import split_websites
from partners.models import (
    LegalForm,
    MediaOutlet,
    MediaType,
    OutletDomain,
    PressCompany,
    PressVerification,
    Province,
    VerificationLevel,
    VerificationSource,
)

# progress(advance, total): called as work is done; total is None when unknown.
Progress = Callable[[int, "int | None"], None]

PRESS_COUNCIL_ACTOR = "system:import_press_council"
WEB_RANK_ACTOR = "system:import_web_rank"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, a required column absent)."""


# =================================================================================================
# Dewan Pers list
# =================================================================================================

# Canonical field -> accepted headers, compared after header_key() (trimmed, lower case, "_" as space).
COLUMNS: dict[str, tuple[str, ...]] = {
    "no": ("no", "no.", "nomor", "#"),
    "name": ("nama media", "outlet name", "media name", "nama", "name", "media"),
    "media_type": ("jenis media", "media type", "jenis", "type"),
    "person_in_charge": ("penanggung jawab", "person in charge", "pj"),
    "editor_in_chief": ("pemimpin redaksi", "editor in chief", "editor-in-chief", "pemred"),
    "company": ("badan hukum", "company", "legal entity", "legal name", "perusahaan", "nama perusahaan"),
    "province": ("provinsi", "province"),
    "address": ("alamat", "address"),
    "phone": ("telp", "telp.", "telepon", "phone", "telephone"),
    "email": ("email", "e-mail", "surel"),
    "website": ("website", "situs", "situs web", "url", "web"),
    "status": ("status", "status verifikasi", "verification level", "verification status", "level"),
    "date": ("tanggal", "user status certificate date", "approved date", "date", "status date",
             "tanggal verifikasi", "tanggal status"),
    "certificate_number": ("nomor sertifikat", "no sertifikat", "no. sertifikat", "certificate number",
                           "certificate no", "certificate no."),
    "certificate_date": ("tanggal sertifikat", "certificate date"),
}
REQUIRED_COLUMNS = {"name": "outlet name (Nama Media)", "media_type": "media type (Jenis Media)",
                    "status": "status (Status)"}

MEDIA_TYPES = {
    MediaType.ONLINE: {"siber", "online", "media siber", "media online", "cyber", "media cyber", "daring",
                       "media daring", "situs", "portal", "internet"},
    MediaType.PRINT: {"cetak", "print", "media cetak", "koran", "surat kabar", "harian", "majalah", "tabloid",
                      "newspaper", "magazine"},
    MediaType.TELEVISION: {"televisi", "tv", "television", "media televisi", "media tv"},
    MediaType.RADIO: {"radio", "media radio"},
}
MEDIA_TYPE_BY_WORD = {word: media_type for media_type, words in MEDIA_TYPES.items() for word in words}

# Status words (domain.md §1.2). A status is read word by word: filler words are dropped, every
# other word must be one of these, otherwise the status is not recognised and the row is not used.
_STATUS_FILLER = {"terverifikasi", "verifikasi", "verified", "secara", "dan", "and", "sudah", "telah"}
_STATUS_ADMIN = {"administrasi", "administratif", "administrative", "administratively", "ta"}
_STATUS_FACTUAL = {"faktual", "factual", "factually", "tf", "taf"}

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "agus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?$")
_WORD_DATE = re.compile(r"^(\d{1,2})[\s-]+([a-z]+)\.?[\s-]+(\d{4})$")
_EMAIL = re.compile(r"^[^@\s;,/]+@[^@\s;,/]+\.[a-z]{2,}$", re.IGNORECASE)


def header_key(header: str) -> str:
    return re.sub(r"[\s_]+", " ", (header or "").strip().lstrip("\ufeff").lower()).strip()


def normalize_media_type(value: str) -> str | None:
    key = re.sub(r"\s+", " ", (value or "").strip().lower())
    return MEDIA_TYPE_BY_WORD.get(key)


def normalize_status(value: str) -> str | None:
    """The verification level a status string of the list means, or None when not recognised."""
    text = (value or "").lower().replace("&", " dan ").replace("+", " dan ")
    words = re.findall(r"[a-z]+", text)
    admin = factual = False
    for word in words:
        if word in _STATUS_FILLER:
            continue
        if word in _STATUS_ADMIN:
            admin = True
        elif word in _STATUS_FACTUAL:
            factual = True
        else:
            return None
    if factual:
        return VerificationLevel.FACTUAL
    if admin:
        return VerificationLevel.ADMINISTRATIVE
    return None


def parse_list_date(value: str) -> datetime.date | None:
    """YYYY-MM-DD (a time after it is ignored), DD/MM/YYYY, DD-MM-YYYY or "9 April 2022" (Indonesian or
    English month names). Empty gives None; anything else raises ValueError."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if match := _ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if match := _DMY_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if match := _WORD_DATE.match(text.lower()):
            day, month_name, year = match.groups()
            if month_name in MONTHS:
                return datetime.date(int(year), MONTHS[month_name], int(day))
    except ValueError:
        pass
    raise ValueError(f"date “{text}” is not understood (use YYYY-MM-DD, DD/MM/YYYY or “9 April 2022”)")


def company_key(legal_name: str) -> str:
    """A legal name compared case-insensitively, ignoring dots, commas and repeated spaces."""
    return " ".join(re.sub(r"[.,]", " ", legal_name.lower()).split())


def legal_form_of(legal_name: str) -> str:
    """The legal form a company name shows: "PT …" / "PT. …", "Yayasan …", "Koperasi …", "CV …"."""
    name = legal_name.strip().lower()
    if re.match(r"^pt[.\s]", name):
        return LegalForm.PT
    if name.startswith("yayasan"):
        return LegalForm.YAYASAN
    if name.startswith("koperasi"):
        return LegalForm.KOPERASI
    if re.match(r"^cv[.\s]", name):
        return LegalForm.CV
    return LegalForm.OTHER


@dataclass
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number of the row's first line, cells)
    delimiter: str


def decode_list(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, note): UTF-8 with or without BOM, else cp1252 with a note saying so."""
    try:
        return data.decode("utf-8-sig"), "utf-8", ""
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"The file is neither UTF-8 nor Windows-1252 text (undecodable byte at position "
                f"{utf8_error.start}); save it as CSV UTF-8 and try again.") from exc
        return text, "cp1252", (f"the file is not UTF-8 (byte at position {utf8_error.start}); "
                                "it was read as Windows-1252 (cp1252): check accented names")


def sniff_delimiter(first_line: str) -> str:
    """Comma or semicolon: the one that splits the header into more known columns (then more cells)."""
    known = {alias for aliases in COLUMNS.values() for alias in aliases}

    def score(delimiter):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(header_key(cell) in known for cell in cells), len(cells)

    return max([",", ";"], key=score)


def read_csv_table(text: str) -> CsvTable:
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise ImportFileError("The file is empty: expected a header line and one row per outlet.")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for cells in reader:
            start = last_line + 1  # a quoted cell may span lines: report where the row begins
            last_line = reader.line_num
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        raise ImportFileError(f"Line {reader.line_num}: the CSV is malformed ({exc}).") from exc
    return CsvTable(headers=headers or [], rows=rows, delimiter=delimiter)


def map_columns(headers: list[str]) -> dict[str, int]:
    """Canonical field -> column index; raises ImportFileError naming a missing required column."""
    by_alias = {alias: canonical for canonical, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        canonical = by_alias.get(header_key(header))
        if canonical and canonical not in mapping:
            mapping[canonical] = index
    missing = [label for canonical, label in REQUIRED_COLUMNS.items() if canonical not in mapping]
    if missing:
        raise ImportFileError(
            f"The file has no column for {', '.join(missing)}. Columns found: "
            f"{', '.join(h for h in headers if h) or 'none'}.")
    return mapping


@dataclass
class ListRow:
    """One usable row of the list, parsed and normalised."""

    line: int
    name: str
    media_type: str
    level: str
    date: datetime.date | None
    domains: list[str]
    company: str = ""
    person_in_charge: str = ""
    editor_in_chief: str = ""
    province: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    certificate_number: str = ""
    certificate_date: datetime.date | None = None
    notes: list[str] = field(default_factory=list)


class RowError(Exception):
    """This row cannot be used; the message says why."""

    def __init__(self, message: str, candidates: tuple[int, ...] = ()):
        super().__init__(message)
        self.candidates = candidates  # outlets the row may mean: not flagged as missing from the list


def parse_row(line: int, cells: list[str], columns: dict[str, int]) -> ListRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    name = re.sub(r"\s+", " ", cell("name"))
    if not name:
        raise RowError("the outlet name is empty")
    raw_type = cell("media_type")
    media_type = normalize_media_type(raw_type)
    if media_type is None:
        raise RowError(f"media type “{raw_type}” is not recognised (Siber/Online, Cetak/Print, Televisi/TV, Radio)"
                       if raw_type else "the media type is empty")
    raw_status = cell("status")
    level = normalize_status(raw_status)
    if level is None:
        raise RowError(f"status “{raw_status}” is not recognised (expected Terverifikasi Administrasi or "
                       "Terverifikasi Administrasi dan Faktual)" if raw_status else "the status is empty")
    try:
        date = parse_list_date(cell("date"))
        certificate_date = parse_list_date(cell("certificate_date"))
    except ValueError as exc:
        raise RowError(str(exc)) from exc
    email = cell("email")
    row = ListRow(
        line=line, name=name[:200], media_type=media_type, level=level, date=date,
        domains=split_websites(cell("website")),
        company=re.sub(r"\s+", " ", cell("company"))[:200],
        person_in_charge=cell("person_in_charge")[:200], editor_in_chief=cell("editor_in_chief")[:200],
        province=cell("province"), address=cell("address"), phone=cell("phone")[:30],
        email=email if _EMAIL.match(email) and len(email) <= 254 else "",
        certificate_number=cell("certificate_number")[:100], certificate_date=certificate_date,
    )
    return row


@dataclass
class PressCouncilResult:
    record: PressCouncilImport
    skipped: list[tuple[int, str]]  # rows not used: (line, why)
    notes: list[tuple[int, str]]  # rows used, with something staff should know
    encoding_note: str
    flagged: int
    recheck: RecheckSummary
    grace_days: int

    @property
    def touched(self) -> int:
        return self.record.rows_matched + self.record.rows_created


class _Registry:
    """In-memory indexes of the outlets, domains and companies the file mentions; kept in step with
    what the import creates, so that two rows of one new outlet are not created twice."""

    def __init__(self, rows: list[ListRow]):
        domains = {domain for row in rows for domain in row.domains}
        names = {row.name.lower() for row in rows}
        self.domain_owner: dict[str, int] = dict(
            OutletDomain.objects.filter(domain__in=domains).values_list("domain", "outlet_id"))
        self.outlets_by_name: dict[str, set[int]] = defaultdict(set)
        for pk, lname in (MediaOutlet.objects.annotate(lname=Lower("name")).filter(lname__in=names)
                          .values_list("pk", "lname")):
            self.outlets_by_name[lname].add(pk)
        # Companies by company_key(): "PT. Kabar Kita" and "pt kabar kita" are one legal name.
        self.companies_by_name: dict[str, list[int]] = defaultdict(list)
        if any(row.company for row in rows):
            for pk, legal_name in PressCompany.objects.order_by("pk").values_list("pk", "legal_name").iterator(5000):
                self.companies_by_name[company_key(legal_name)].append(pk)
        self.provinces = {name.lower(): pk for pk, name in Province.objects.values_list("pk", "name")}
        # The outlets a row can mean, with their verification: loaded once, not once per row.
        known = set(self.domain_owner.values()).union(*self.outlets_by_name.values())
        self.outlets: dict[int, MediaOutlet] = {o.pk: o for o in MediaOutlet.objects.filter(pk__in=known)}
        self.names: dict[int, str] = {pk: outlet.name for pk, outlet in self.outlets.items()}
        self.verifications: dict[int, PressVerification | None] = dict.fromkeys(known)
        self.verifications.update((v.outlet_id, v) for v in PressVerification.objects.filter(outlet_id__in=known))
        self.with_primary: set[int] = set(OutletDomain.objects.filter(outlet_id__in=known, is_primary=True)
                                          .values_list("outlet_id", flat=True))

    def verification_of(self, outlet: MediaOutlet) -> PressVerification:
        if outlet.pk in self.verifications:
            verification = self.verifications[outlet.pk]
        else:
            verification = PressVerification.objects.filter(outlet=outlet).first()
        return verification or PressVerification(outlet=outlet)

    def outlet_name(self, pk: int) -> str:
        if pk not in self.names:
            self.names[pk] = MediaOutlet.objects.filter(pk=pk).values_list("name", flat=True).first() or str(pk)
        return self.names[pk]

    def resolve(self, row: ListRow) -> int | None:
        """The existing outlet the row means, None when it is new; RowError when it cannot tell."""
        owners = list(dict.fromkeys(self.domain_owner[d] for d in row.domains if d in self.domain_owner))
        if len(owners) > 1:
            names = ", ".join(f"“{self.outlet_name(pk)}”" for pk in owners)
            raise RowError(f"its websites belong to different outlets ({names})", candidates=tuple(owners))
        if owners:
            return owners[0]
        same_name = self.outlets_by_name.get(row.name.lower(), set())
        if len(same_name) > 1:
            raise RowError(f"several outlets are called “{row.name}”; add its website to the right one",
                           candidates=tuple(sorted(same_name)))
        return next(iter(same_name), None)


def _row_evidence(headers: list[str], cells: list[str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for index, value in enumerate(cells):
        header = headers[index] if index < len(headers) and headers[index] else f"column {index + 1}"
        key, n = header, 2
        while key in data:
            key, n = f"{header} ({n})", n + 1
        data[key] = value
    return data


def import_press_council(path: str | Path, *, list_date: datetime.date | None = None, complete: bool = False,
                         progress: Progress | None = None) -> PressCouncilResult:
    """Import a CSV of the Dewan Pers list; see the module docstring and README "Importing the Dewan Pers list".

    Certificate: the public list shows no certificate number (domain.md §1.3), and the database keeps
    a certificate date only with its number. So a factual row gives the certificate number and date
    only when the file has a certificate number column with a value; otherwise its date is the
    status date, an existing certificate entered by staff is kept, and a new outlet has none until
    staff enter it from the certificate (the press council rule then asks for it).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFileError(f"File not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a directory, not a CSV file.") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    text, _encoding, encoding_note = decode_list(data)
    table = read_csv_table(text)
    columns = map_columns(table.headers)
    list_date = list_date or timezone.localdate()

    parsed: list[ListRow] = []
    errors: dict[int, RowError] = {}
    evidence: dict[int, dict] = {}
    for line, cells in table.rows:
        evidence[line] = _row_evidence(table.headers, cells)
        try:
            parsed.append(parse_row(line, cells, columns))
        except RowError as exc:
            errors[line] = exc
    total = len(table.rows)
    if progress and errors:
        progress(len(errors), total)

    policy = EligibilityPolicy.load()
    with audit_context(actor=PRESS_COUNCIL_ACTOR), transaction.atomic():
        record = PressCouncilImport.objects.create(
            list_date=list_date, file_name=path.name[:255], sha256=hashlib.sha256(data).hexdigest(),
            complete=complete, rows_read=total, actor=PRESS_COUNCIL_ACTOR)
        importer = _PressCouncilImporter(parsed, timezone.now())
        # Oldest first, so that when one outlet is on several rows the latest date is applied last and
        # stays (domain.md §1.3); rows without a date count as oldest.
        for row in sorted(parsed, key=lambda r: (r.date or datetime.date.min, r.line)):
            try:
                importer.apply(row)
            except RowError as exc:
                errors[row.line] = exc
            if progress:
                progress(1, total)
        importer.note_duplicates()

        flagged = 0
        protected = set(importer.outlet_of_line.values())
        protected.update(pk for exc in errors.values() for pk in exc.candidates)
        flagged_ids: list[int] = []
        if complete:
            missing = (PressVerification.objects
                       .filter(level__in=[VerificationLevel.ADMINISTRATIVE, VerificationLevel.FACTUAL],
                               missing_from_list_since__isnull=True)
                       .exclude(outlet_id__in=protected))
            flagged_ids = list(missing.values_list("outlet_id", flat=True))
            flagged = PressVerification.objects.filter(outlet_id__in=flagged_ids).update(
                missing_from_list_since=list_date, updated_at=timezone.now())

        entries = []
        for line, _cells in table.rows:
            outlet_id = importer.outlet_of_line.get(line)
            if line in errors:
                outcome, problem = PressCouncilEntry.Outcome.SKIPPED, str(errors[line])
            else:
                created = line in importer.created_lines
                outcome = PressCouncilEntry.Outcome.CREATED if created else PressCouncilEntry.Outcome.MATCHED
                problem = "; ".join(importer.notes.get(line, []))
            entries.append(PressCouncilEntry(source=record, line_number=line, data=evidence[line],
                                             outcome=outcome, problem=problem, outlet_id=outlet_id))
        PressCouncilEntry.objects.bulk_create(entries, batch_size=1000)
        record.rows_created = len(importer.created_lines)
        record.rows_matched = len(importer.outlet_of_line) - record.rows_created
        record.rows_skipped = len(errors)
        record.outlets_flagged = flagged
        record.save(update_fields=["rows_created", "rows_matched", "rows_skipped", "outlets_flagged"])

    touched = set(importer.outlet_of_line.values()) | set(flagged_ids)
    summary = recheck_outlets(touched, trigger=Trigger.IMPORT, actor=PRESS_COUNCIL_ACTOR, policy=policy)
    return PressCouncilResult(
        record=record,
        skipped=sorted((line, str(exc)) for line, exc in errors.items()),
        notes=sorted((line, "; ".join(notes)) for line, notes in importer.notes.items()
                     if notes and line not in errors),
        encoding_note=encoding_note, flagged=flagged, recheck=summary,
        grace_days=policy.press_council_grace_days,
    )


class _PressCouncilImporter:
    def __init__(self, rows: list[ListRow], now: datetime.datetime):
        self.registry = _Registry(rows)
        self.now = now
        self.outlet_of_line: dict[int, int] = {}
        self.created_lines: set[int] = set()
        self.applied_order: list[int] = []
        self.notes: dict[int, list[str]] = defaultdict(list)

    def apply(self, row: ListRow) -> None:
        registry = self.registry
        outlet_id = registry.resolve(row)
        notes: list[str] = []
        try:
            with transaction.atomic():  # a savepoint: a row the database refuses leaves no trace
                if outlet_id is None:
                    outlet, company_new = self._create_outlet(row, notes)
                else:
                    outlet, company_new = registry.outlets[outlet_id], None
                    if outlet.media_type != row.media_type:
                        notes.append(f"the list says media type {row.media_type}, the register "
                                     f"{outlet.media_type}; the register was not changed")
                new_domains = self._add_domains(outlet, row, notes)
                verification = self._update_verification(outlet, row, notes)
        except DatabaseError as exc:
            registry.verifications.pop(outlet_id, None)  # may hold what was rolled back: read it again
            first_line = (str(exc).splitlines() or [""])[0][:200]
            raise RowError(f"the database refused the row ({exc.__class__.__name__}: {first_line})") from exc
        # Only now, after the savepoint is released, do the indexes learn what was written.
        if outlet_id is None:
            self.created_lines.add(row.line)
            registry.outlets[outlet.pk] = outlet
            registry.outlets_by_name[outlet.name.lower()].add(outlet.pk)
            registry.names[outlet.pk] = outlet.name
            if company_new is not None:
                registry.companies_by_name[company_key(company_new.legal_name)].append(company_new.pk)
        for domain in new_domains:
            registry.domain_owner[domain] = outlet.pk
        if new_domains:
            registry.with_primary.add(outlet.pk)
        registry.verifications[outlet.pk] = verification
        self.outlet_of_line[row.line] = outlet.pk
        self.applied_order.append(row.line)
        self.notes[row.line].extend(notes)

    def _create_outlet(self, row: ListRow, notes: list[str]):
        if not row.company:
            raise RowError("a new outlet needs its legal entity (Badan Hukum), which is empty")
        company_new = None
        companies = self.registry.companies_by_name.get(company_key(row.company), [])
        if len(companies) > 1:
            raise RowError(f"several companies are called “{row.company}”")
        if companies:
            company = PressCompany.objects.get(pk=companies[0])
        else:
            company = company_new = PressCompany.objects.create(
                legal_name=row.company, legal_form=legal_form_of(row.company), npwp=None,
                address=row.address, province_id=self.registry.provinces.get(row.province.lower()),
            )
            if row.province and company.province_id is None:
                notes.append(f"province “{row.province}” is not known; left empty")
        outlet = MediaOutlet.objects.create(
            company=company, name=row.name, media_type=row.media_type, person_in_charge=row.person_in_charge,
            editor_in_chief=row.editor_in_chief, email=row.email, phone=row.phone,
        )
        self.registry.verifications[outlet.pk] = None  # a new outlet has none yet
        return outlet, company_new

    def _add_domains(self, outlet: MediaOutlet, row: ListRow, notes: list[str]) -> list[str]:
        """The row's domains that nobody has yet; one owned by another outlet is not taken."""
        owner = self.registry.domain_owner
        new = [d for d in row.domains if d not in owner]
        for domain in row.domains:
            if domain in owner and owner[domain] != outlet.pk:
                notes.append(f"website {domain} belongs to another outlet "
                              f"(“{self.registry.outlet_name(owner[domain])}”); not added")
        if not new:
            return []
        has_primary = outlet.pk in self.registry.with_primary
        OutletDomain.objects.bulk_create([
            OutletDomain(outlet=outlet, domain=domain, is_primary=not has_primary and index == 0)
            for index, domain in enumerate(new)
        ])
        return new

    def _update_verification(self, outlet: MediaOutlet, row: ListRow, notes: list[str]) -> PressVerification:
        verification = self.registry.verification_of(outlet)
        level_changed = verification.level != row.level
        verification.level = row.level
        if row.date is not None:
            verification.status_date = row.date
        elif level_changed:
            verification.status_date = None
        if row.level == VerificationLevel.FACTUAL:
            if row.certificate_number:
                same = row.certificate_number == verification.certificate_number
                verification.certificate_date = (row.certificate_date or row.date
                                                 or (verification.certificate_date if same else None))
                verification.certificate_number = row.certificate_number
            elif row.certificate_date and not verification.certificate_number:
                notes.append("certificate date without a certificate number: kept as the status date only")
            # Otherwise an existing certificate (entered by staff) is kept: the public list has none.
        else:
            if row.certificate_number or row.certificate_date:
                notes.append("certificate ignored: only factual verification has a certificate")
            if verification.certificate_number or verification.certificate_date:
                notes.append(f"certificate {verification.certificate_number or '(no number)'} removed: "
                             "the list shows administrative verification only")
            verification.certificate_number, verification.certificate_date = "", None
        verification.source = VerificationSource.IMPORT
        verification.checked_at = self.now
        verification.missing_from_list_since = None
        verification.save()  # recomputes valid_until
        return verification

    def note_duplicates(self) -> None:
        """Rows of one outlet: the one applied last (latest date) stands; say so on every row."""
        lines_of: dict[int, list[int]] = defaultdict(list)
        for line in self.applied_order:
            lines_of[self.outlet_of_line[line]].append(line)
        for lines in lines_of.values():
            if len(lines) < 2:
                continue
            kept = lines[-1]
            for line in lines[:-1]:
                self.notes[line].append(f"same outlet as line {kept}, which has the latest date and was kept")
            others = ", ".join(str(line) for line in sorted(lines[:-1]))
            self.notes[kept].append(f"also on line(s) {others}; this row has the latest date and was kept")


# =================================================================================================
# Web rank list
# =================================================================================================

# Second-level suffixes under which names are registered (a small explicit list, no dependency):
# news.kabar.co.id belongs to kabar.co.id, but news.kabar.id to kabar.id. Also a few hosting
# services whose customers get their own subdomain, so that kabar.blogspot.com does not get
# blogspot.com's rank.
SECOND_LEVEL_SUFFIXES = frozenset({
    "co.id", "or.id", "ac.id", "go.id", "web.id", "my.id", "sch.id", "net.id", "biz.id", "ponpes.id",
    "mil.id", "desa.id",
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk",
    "com.au", "net.au", "org.au", "com.sg", "com.my", "co.jp", "co.nz", "com.br", "co.in", "co.kr",
    "com.cn", "com.hk", "com.tw", "co.th", "com.ph", "com.vn",
    "blogspot.com", "wordpress.com", "wixsite.com", "weebly.com", "github.io",
})
RANK_BATCH_SIZE = 5000
MALFORMED_SHOWN = 20


def registrable_domain(domain: str) -> str:
    """The name a registrant owns: kabar.co.id for news.kabar.co.id, kabar.com for m.kabar.com."""
    labels = domain.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in SECOND_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass
class WebRankResult:
    rank_list: WebRankList
    rows_read: int
    outlets: int
    ranked: int
    malformed_count: int
    malformed: list[tuple[int, str]]  # the first MALFORMED_SHOWN: (line, text)
    replaced: bool
    recheck: RecheckSummary | None


def default_list_id(path: str | Path) -> str:
    name = Path(path).name
    for suffix in (".zip", ".csv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name[:50] or "list"


class _RankSource:
    """A binary line stream of the list: the CSV itself, or top-1m.csv (or the only .csv) in a ZIP."""

    def __init__(self, path: Path):
        self.path = path
        self._zip = None
        try:
            if zipfile.is_zipfile(path):
                self._zip = zipfile.ZipFile(path)
                members = [info for info in self._zip.infolist() if not info.is_dir()]
                chosen = next((m for m in members if Path(m.filename).name == "top-1m.csv"), None)
                csvs = [m for m in members if m.filename.lower().endswith(".csv")]
                if chosen is None and len(csvs) == 1:
                    chosen = csvs[0]
                if chosen is None:
                    raise ImportFileError(f"{path.name} holds no top-1m.csv (found: "
                                          f"{', '.join(m.filename for m in members) or 'nothing'}).")
                self.size = chosen.file_size
                self.stream = self._zip.open(chosen)
            else:
                self.size = path.stat().st_size
                self.stream = path.open("rb")
        except FileNotFoundError as exc:
            raise ImportFileError(f"File not found: {path}") from exc
        except IsADirectoryError as exc:
            raise ImportFileError(f"{path} is a directory, not a CSV or ZIP file.") from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise ImportFileError(f"{path.name} is not a readable ZIP file ({exc}).") from exc
        except OSError as exc:
            raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc

    def close(self):
        self.stream.close()
        if self._zip is not None:
            self._zip.close()


def scan_rank_file(path: Path, wanted: set[bytes], progress: Progress | None = None):
    """Stream the list once; return (best rank per wanted domain, rows read, malformed count, first
    malformed lines). Memory holds only ``wanted`` and what matched, whatever the list's length."""
    found: dict[bytes, int] = {}
    malformed: list[tuple[int, str]] = []
    malformed_count = rows = line_no = pending = 0
    source = _RankSource(path)
    try:
        first = source.stream.readline().removeprefix(codecs.BOM_UTF8)
        for raw in itertools.chain([first] if first else [], source.stream):
            line_no += 1
            pending += len(raw)
            if pending >= 1 << 20 and progress:
                progress(pending, source.size)
                pending = 0
            rank_text, comma, domain = raw.partition(b",")
            domain = domain.strip().lower()
            rank_text = rank_text.strip()
            if not comma or not domain or not rank_text.isdigit() or b"," in domain:
                if not raw.strip() or (line_no == 1 and raw.strip().lower() == b"rank,domain"):
                    continue  # blank line, or a header someone added
                malformed_count += 1
                if len(malformed) < MALFORMED_SHOWN:
                    malformed.append((line_no, raw.decode("utf-8", "replace").strip()[:100]))
                continue
            rows += 1
            if domain in wanted:
                rank = int(rank_text)
                if rank >= 1 and (domain not in found or rank < found[domain]):
                    found[domain] = rank
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ImportFileError(f"Reading {path.name} failed at line {line_no + 1}: {exc}") from exc
    finally:
        source.close()
    if progress and pending:
        progress(pending, source.size)
    return found, rows, malformed_count, malformed


def best_rank(domains: list[str], found: dict[bytes, int]) -> tuple[int, str] | None:
    """(rank, ranked domain) of the best of an outlet's domains: each matches exactly, or else through
    its registrable parent (news.kabar.co.id through kabar.co.id); None when none is in the list."""
    best = None
    for domain in domains:
        rank = found.get(domain.encode("ascii", "ignore"))
        hit = (rank, domain) if rank is not None else None
        if hit is None:
            parent = registrable_domain(domain)
            rank = found.get(parent.encode("ascii", "ignore")) if parent != domain else None
            hit = (rank, parent) if rank is not None else None
        if hit and (best is None or hit < best):
            best = hit
    return best


def import_web_rank(path: str | Path, *, list_id: str | None = None, list_date: datetime.date | None = None,
                    source: str = "tranco", progress: Progress | None = None) -> WebRankResult:
    """Import a Tranco-format list: each outlet with a domain gets one OutletWebRank in this list, its
    best rank across its domains (a domain matches exactly or through its registrable parent; an
    exact match counts before the parent's), or no rank. Re-importing a list id replaces its rows."""
    path = Path(path)
    list_id = (list_id or default_list_id(path))[:50]
    list_date = list_date or timezone.localdate()

    domains_of: dict[int, list[str]] = defaultdict(list)
    for outlet_id, domain in OutletDomain.objects.order_by().values_list("outlet_id", "domain").iterator(5000):
        domains_of[outlet_id].append(domain)
    wanted: set[bytes] = set()
    for domains in domains_of.values():
        for domain in domains:
            wanted.add(domain.encode("ascii", "ignore"))
            wanted.add(registrable_domain(domain).encode("ascii", "ignore"))

    found, rows_read, malformed_count, malformed = scan_rank_file(path, wanted, progress)

    bests = [(outlet_id, best_rank(domains, found)) for outlet_id, domains in domains_of.items()]
    ranked = sum(best is not None for _outlet_id, best in bests)

    with audit_context(actor=WEB_RANK_ACTOR), transaction.atomic():
        rank_list = WebRankList.objects.select_for_update().filter(source=source, list_id=list_id).first()
        replaced = rank_list is not None
        if replaced:
            rank_list.ranks.all().delete()
            rank_list.imported_at = timezone.now()
        else:
            rank_list = WebRankList(source=source, list_id=list_id)
        rank_list.list_date, rank_list.rows_read, rank_list.outlets_ranked = list_date, rows_read, ranked
        rank_list.save()
        for start in range(0, len(bests), RANK_BATCH_SIZE):
            OutletWebRank.objects.bulk_create([
                OutletWebRank(rank_list=rank_list, outlet_id=outlet_id, rank=best[0] if best else None,
                              domain=best[1] if best else "")
                for outlet_id, best in bests[start:start + RANK_BATCH_SIZE]
            ])

    summary = None
    policy = EligibilityPolicy.load()
    if policy.web_rank_rule_enabled:
        online = MediaOutlet.objects.filter(media_type=MediaType.ONLINE).values_list("pk", flat=True)
        summary = recheck_outlets(list(online), trigger=Trigger.IMPORT, actor=WEB_RANK_ACTOR, policy=policy)
    return WebRankResult(rank_list=rank_list, rows_read=rows_read, outlets=len(domains_of), ranked=ranked,
                         malformed_count=malformed_count, malformed=malformed, replaced=replaced, recheck=summary)
