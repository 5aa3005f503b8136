"""The Dewan Pers list of press companies as scraped from dewanpers.or.id (docs/domain.md, "Dewan Pers
verification"): its columns under their Indonesian or English headers, and each row read into a ListRow, normalised, or
refused with a RowError that says why. Nothing here touches the database: partners.press_council_import
matches the rows to the registry and writes them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from mediareg.csvfiles import ImportFileError, header_key

from .identifiers import split_websites
from .models import LegalForm, MediaType, VerificationLevel

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
KNOWN_HEADERS = {alias for aliases in COLUMNS.values() for alias in aliases}
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
# Words offices add to a media type that do not change it ("TV lokal", "Radio swasta", "Portal berita").
_MEDIA_TYPE_FILLER = {"lokal", "local", "swasta", "publik", "komunitas", "daerah", "nasional", "berita", "news",
                      "jaringan"}

# Status words (docs/domain.md, "Dewan Pers verification"). A status is read word by word: filler words are
# dropped, every other word must be one of these, otherwise the status is not recognised and the row is not used.
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


def normalize_media_type(value: str) -> str | None:
    key = re.sub(r"\s+", " ", (value or "").strip().lower())
    if key in MEDIA_TYPE_BY_WORD:
        return MEDIA_TYPE_BY_WORD[key]
    return MEDIA_TYPE_BY_WORD.get(" ".join(word for word in key.split(" ") if word not in _MEDIA_TYPE_FILLER))


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


def row_evidence(headers: list[str], cells: list[str]) -> dict[str, str]:
    """The row as read, by header (a header without a name, or repeated, gets one), kept as evidence."""
    data: dict[str, str] = {}
    for index, value in enumerate(cells):
        header = headers[index] if index < len(headers) and headers[index] else f"column {index + 1}"
        key, n = header, 2
        while key in data:
            key, n = f"{header} ({n})", n + 1
        data[key] = value
    return data
