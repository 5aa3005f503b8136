"""Importing an office's spreadsheet of media outlets (README "A spreadsheet of outlets"): the rules of a row.

partners.outlet_sheet reads the file; here each row is checked (its cells, the NPWP by the registry's own
rule, partners.identifiers), matched to the registry (a company by its NPWP in any punctuation, an outlet
by its website, else by its name within the company) and, when new, created through partners.services,
the admin's write path. Every row ends created, matched or refused, a refusal with a code and a reason
staff can read. The run is one transaction with a savepoint per row, so a refused row leaves nothing
behind; a dry run checks every row the same way, writes included, and rolls everything back. What is
in the registry is read once, in bulk, before the rows: a rerun of the same file reads, matches every
row and writes nothing (no audit events either). The new outlets are re-checked by a worker once the
run has committed (partners.signals.registry_changed with the import trigger).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mediareg.csvfiles import Progress
from mediareg.reports.formats import BOM, inert

from . import services
from .identifiers import normalize_company_npwp, normalize_domain
from .models import MediaOutlet, MediaType, OutletDomain, PressCompany, Province
from .outlet_sheet import COLUMNS, REQUIRED, Sheet, SheetRow, read_sheet
from .press_council_list import legal_form_of, normalize_media_type

ACTOR = "system:import_outlets"
TRIGGER = "import"  # catalog.models.Trigger.IMPORT: why the new outlets are re-checked
CREATED, MATCHED, REFUSED = "created", "matched", "refused"

# Refusal code -> the reason staff read (params: the cell as written and what the code needs).
REASONS = {
    "missing_cell": _("Empty cell: %(columns)s."),
    "media_type_unknown": _("Media type “%(value)s” is not known: write Online, Cetak, Televisi or Radio."),
    "online_without_website": _("An online outlet needs its website (column Website)."),
    "website_invalid": _("“%(value)s” is not a website address (write it like kabarbanjar.co.id)."),
    "npwp_invalid": _("NPWP “%(value)s” is not valid: %(detail)s"),
    "npwp_is_nik": _("NPWP “%(value)s” is a person's NIK: a press company's 16-digit NPWP starts with 0."),
    "npwp_placeholder": _("NPWP “%(value)s” is the placeholder of tax invoices, not a company's NPWP."),
    "province_unknown": _("Province “%(value)s” is not known (write e.g. Kalimantan Selatan, Kalsel, DKI Jakarta)."),
    "email_invalid": _("“%(value)s” is not an e-mail address."),
    "domain_other_company": _("Website %(domain)s belongs to the outlet “%(outlet)s” of another company "
                              "(“%(company)s”)."),
    "domain_company_without_npwp": _("Website %(domain)s belongs to the outlet “%(outlet)s” of the company "
                                     "“%(company)s”, which has no NPWP in the registry yet: enter its NPWP there, "
                                     "then import the file again."),
    "duplicate": _("Same outlet as row %(row)d of this file."),
    "invalid": _("The registry refused the row: %(detail)s"),
}
# The code a registry-held domain gives; "domain_company_without_npwp" is its case with a hint.
DOMAIN_CODES = {"domain_company_without_npwp": "domain_other_company"}

# Other spellings of the provinces (partners/migrations/0002_reference_data.py), by Kemendagri code; the
# names themselves, their codes and "Provinsi ..." are accepted too.
PROVINCE_ALIASES = {
    "11": ("NAD", "Nanggroe Aceh Darussalam", "Aceh Darussalam"),
    "12": ("Sumut",), "13": ("Sumbar",), "16": ("Sumsel",),
    "19": ("Babel", "Bangka Belitung"), "21": ("Kepri",),
    "31": ("DKI", "Jakarta", "DKI Jakarta Raya", "Daerah Khusus Ibukota Jakarta", "Daerah Khusus Jakarta"),
    "32": ("Jabar",), "33": ("Jateng",),
    "34": ("DIY", "Yogyakarta", "Jogja", "Jogjakarta", "Yogya", "Daerah Istimewa Yogyakarta"),
    "35": ("Jatim",), "52": ("NTB",), "53": ("NTT",),
    "61": ("Kalbar",), "62": ("Kalteng",), "63": ("Kalsel",), "64": ("Kaltim",), "65": ("Kaltara",),
    "71": ("Sulut",), "72": ("Sulteng",), "73": ("Sulsel",), "74": ("Sultra",), "76": ("Sulbar",),
    "82": ("Malut",), "92": ("Pabar", "Papbar"), "96": ("PBD",),
}
_PROVINCE_PREFIX = re.compile(r"^(provinsi|propinsi|prov)(?=.)")


def province_key(value: str) -> str:
    """A province as compared: letters and digits only, lower case, without "Provinsi"."""
    return _PROVINCE_PREFIX.sub("", re.sub(r"[^0-9a-z]", "", (value or "").lower()))


def province_index() -> dict[str, int]:
    """Every accepted spelling (province_key) -> province id: one query."""
    index: dict[str, int] = {}
    for pk, code, name in Province.objects.values_list("pk", "code", "name"):
        for spelling in (code, name, *PROVINCE_ALIASES.get(code, ())):
            index[province_key(spelling)] = pk
    return index


class Refused(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params

    @property
    def reason(self) -> str:
        return str(REASONS[self.code] % self.params)


@dataclass
class RowResult:
    """What became of one row: what the report shows."""

    row: int
    outcome: str  # CREATED, MATCHED or REFUSED
    company: str
    outlet: str
    website: str = ""
    code: str = ""  # why it was refused (a key of REASONS, domain codes as DOMAIN_CODES says)
    reason: str = ""  # the refusal, or what staff should know about a matched row
    outlet_id: int | None = None


@dataclass
class OutletImport:
    file_name: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    note: str = ""  # about the file's encoding

    def count(self, outcome: str) -> int:
        return sum(row.outcome == outcome for row in self.rows)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def matched(self) -> int:
        return self.count(MATCHED)

    @property
    def refused(self) -> int:
        return self.count(REFUSED)


@dataclass
class OutletRow:
    """A row whose cells passed the checks, normalised."""

    number: int
    company: str
    npwp: str  # 16 digits
    outlet: str
    media_type: str
    domain: str
    province_id: int | None
    regency_city: str
    address: str
    phone: str
    email: str


def check_row(row: SheetRow, provinces: dict[str, int]) -> OutletRow:
    """The row's cells checked and normalised, or Refused."""
    cells = row.cells
    missing = [COLUMNS[name][0] for name in REQUIRED if not cells[name]]
    if missing:
        raise Refused("missing_cell", columns=", ".join(missing))
    npwp = _npwp(cells["npwp"])
    media_type = normalize_media_type(cells["media_type"])
    if media_type is None:
        raise Refused("media_type_unknown", value=cells["media_type"])
    domain = ""
    if cells["website"]:
        try:
            domain = normalize_domain(cells["website"])
        except ValidationError as exc:
            raise Refused("website_invalid", value=cells["website"]) from exc
    elif media_type == MediaType.ONLINE:
        raise Refused("online_without_website")
    province_id = None
    if cells["province"]:
        province_id = provinces.get(province_key(cells["province"]))
        if province_id is None:
            raise Refused("province_unknown", value=cells["province"])
    if cells["email"]:
        try:
            validate_email(cells["email"])
        except ValidationError as exc:
            raise Refused("email_invalid", value=cells["email"]) from exc
    # Cells too long for the registry are not cut short: the services' validation refuses the row in its words.
    return OutletRow(number=row.number, company=cells["company"], npwp=npwp, outlet=cells["outlet"],
                     media_type=media_type, domain=domain, province_id=province_id,
                     regency_city=cells["regency_city"], address=cells["address"],
                     phone=_phone(cells["phone"]), email=cells["email"])


def _npwp(value: str) -> str:
    # A spreadsheet column of numbers drops the leading 0 of an entity's NPWP (01.312.166.0-091.000 becomes
    # 13121660091000): 14 bare digits get it back.
    digits = value.replace(" ", "")
    if digits.isdigit() and len(digits) == 14:
        digits = "0" + digits
    try:
        return normalize_company_npwp(digits)
    except ValidationError as exc:
        code = exc.code if exc.code in ("npwp_is_nik", "npwp_placeholder") else "npwp_invalid"
        raise Refused(code, value=value, detail=" ".join(exc.messages)) from exc


def _phone(value: str) -> str:
    # A mobile number typed as a number loses its leading 0 (812... for 0812...).
    return "0" + value if value.isdigit() and value.startswith("8") else value


class _Registry:
    """What the file's rows can mean, read in bulk before the first row (companies by NPWP, outlets by
    website and by name within those companies), and kept in step with what the import creates."""

    def __init__(self, rows: list[OutletRow]):
        self.companies: dict[str, PressCompany] = {
            company.npwp: company for company in PressCompany.objects.filter(npwp__in={row.npwp for row in rows})}
        self.domain_owner: dict[str, MediaOutlet] = {
            row.domain: row.outlet for row in OutletDomain.objects.select_related("outlet__company").filter(
                domain__in={row.domain for row in rows if row.domain})}
        self.outlets_by_name: dict[tuple[int, str], MediaOutlet] = {
            (outlet.company_id, outlet.name.lower()): outlet
            for outlet in MediaOutlet.objects.select_related("company").filter(
                company_id__in=[company.pk for company in self.companies.values()])}

    def learn(self, company: PressCompany, outlet: MediaOutlet, domain: str) -> None:
        self.companies[company.npwp] = company
        self.outlets_by_name[(company.pk, outlet.name.lower())] = outlet
        if domain:
            self.domain_owner[domain] = outlet


def import_outlets(path: str | Path, *, dry_run: bool = False, progress: Progress | None = None) -> OutletImport:
    """Import a CSV or XLSX of outlets (see the module docstring); ImportFileError when the file cannot be read."""
    sheet: Sheet = read_sheet(path)
    result = OutletImport(file_name=sheet.file_name, dry_run=dry_run, note=sheet.note)
    total = len(sheet.rows)
    provinces = province_index()
    checked: dict[int, OutletRow | Refused] = {}
    for row in sheet.rows:
        try:
            checked[row.number] = check_row(row, provinces)
        except Refused as refused:
            checked[row.number] = refused

    with transaction.atomic():
        with services.registry_edit(actor=ACTOR, trigger=TRIGGER, announce=not dry_run):
            importer = _Importer([row for row in checked.values() if isinstance(row, OutletRow)])
            for row in sheet.rows:
                item = checked[row.number]
                if isinstance(item, Refused):
                    result.rows.append(RowResult(row=row.number, outcome=REFUSED, company=row.cells["company"],
                                                 outlet=row.cells["outlet"], website=row.cells["website"],
                                                 code=item.code, reason=item.reason))
                else:
                    result.rows.append(importer.apply(item))
                if progress:
                    progress(1, total)
        if dry_run:
            transaction.set_rollback(True)
    return result


class _Importer:
    def __init__(self, rows: list[OutletRow]):
        self.registry = _Registry(rows)
        self.seen: dict[object, int] = {}  # an outlet's domain, or (NPWP, name), -> the first row that had it

    def apply(self, row: OutletRow) -> RowResult:
        keys = [("domain", row.domain)] if row.domain else []
        keys.append(("name", row.npwp, row.outlet.lower()))
        first = next((self.seen[key] for key in keys if key in self.seen), None)
        try:
            if first is not None:
                raise Refused("duplicate", row=first)
            result = self._apply(row)
        except Refused as refused:
            return RowResult(row=row.number, outcome=REFUSED, company=row.company, outlet=row.outlet,
                             website=row.domain, code=DOMAIN_CODES.get(refused.code, refused.code),
                             reason=refused.reason)
        for key in keys:
            self.seen[key] = row.number
        return result

    def _apply(self, row: OutletRow) -> RowResult:
        registry = self.registry
        company = registry.companies.get(row.npwp)
        if row.domain and (owner := registry.domain_owner.get(row.domain)):
            if company is None or owner.company_id != company.pk:
                code = "domain_other_company" if owner.company.npwp else "domain_company_without_npwp"
                raise Refused(code, domain=row.domain, outlet=owner.name, company=owner.company.legal_name)
            return self._result(row, MATCHED, company, owner)
        known = registry.outlets_by_name.get((company.pk, row.outlet.lower())) if company else None
        if known is not None and not row.domain:
            return self._result(row, MATCHED, company, known)
        try:
            # A savepoint: a row the registry or the database refuses leaves no trace, and asks for no re-check.
            with transaction.atomic(), services.registry_edit():
                if known is not None:
                    services.outlet_domain_add(known, row.domain)
                    outlet, outcome = known, MATCHED
                else:
                    if company is None:
                        company, _new = services.company_register(
                            npwp=row.npwp, legal_name=row.company, legal_form=legal_form_of(row.company),
                            address=row.address, province_id=row.province_id, regency_city=row.regency_city)
                    outlet, _new = services.outlet_register(
                        company=company, name=row.outlet, media_type=row.media_type, domain=row.domain,
                        email=row.email, phone=row.phone)
                    outcome = CREATED
        except services.DomainTaken as taken:  # taken by another page or import since the file was read
            raise Refused("domain_other_company", domain=taken.domain, outlet=taken.owner.name,
                          company=taken.owner.company.legal_name) from taken
        except ValidationError as exc:
            raise Refused("invalid", detail=_messages(exc)) from exc
        except DatabaseError as exc:
            raise Refused("invalid", detail=(str(exc).splitlines() or [""])[0][:200]) from exc
        # Only now, after the savepoint is released, do the indexes learn what was written.
        registry.learn(company, outlet, row.domain)
        result = self._result(row, outcome, company, outlet)
        if known is not None:
            result.reason = " ".join(filter(None, [
                gettext("Website %(domain)s added to the outlet.") % {"domain": row.domain}, result.reason]))
        return result

    @staticmethod
    def _result(row: OutletRow, outcome: str, company: PressCompany, outlet: MediaOutlet) -> RowResult:
        result = RowResult(row=row.number, outcome=outcome, company=company.legal_name, outlet=outlet.name,
                           website=row.domain, outlet_id=outlet.pk)
        if outcome == MATCHED and outlet.media_type != row.media_type:
            # The import adds what is new and changes nothing that exists: staff decide on the outlet's page.
            result.reason = gettext("The file says %(file)s, the registry %(registry)s; the registry was not "
                                    "changed.") % {"file": MediaType(row.media_type).label,
                                                   "registry": MediaType(outlet.media_type).label}
        return result


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                         for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


# --- the report -------------------------------------------------------------------------------------------------


def report_headers() -> list[str]:
    return [gettext("Row"), gettext("Outcome"), gettext("Company"), gettext("Outlet"), gettext("Website"),
            gettext("Code"), gettext("Reason")]


def write_report(result: OutletImport, target) -> None:
    """The report as CSV (UTF-8 with a BOM, for Excel) into an open text file: one line per row."""
    writer = csv.writer(target, lineterminator="\r\n")
    target.write(BOM)
    writer.writerow(report_headers())
    for row in result.rows:
        writer.writerow([row.row, row.outcome, inert(row.company), inert(row.outlet), inert(row.website), row.code,
                         inert(row.reason)])


def summary(result: OutletImport) -> str:
    line = gettext("%(file)s: %(rows)d rows, %(created)d created, %(matched)d matched, %(refused)d refused.") % {
        "file": result.file_name, "rows": len(result.rows), "created": result.created, "matched": result.matched,
        "refused": result.refused}
    if result.dry_run:
        line += " " + gettext("Dry run: nothing was saved.")
    return line
