"""Importing the Dewan Pers list of press companies into the registry (docs/domain.md "Dewan Pers verification").

The file is read by partners.press_council_list (via mediareg.csvfiles). Each row is matched to an
outlet by any of its normalised website domains, else by its name when exactly one outlet has that
name; what is new (company, outlet, domains, verification) is created, so importing the same file
twice creates nothing the second time. The matching is the import's own (indexes of what the file
mentions, read once); every write goes through partners.services, with the checks every interface
applies. With ``complete`` the file is the whole list, and verified outlets missing from it are
flagged. A plain function that never prints: the import_press_council command parses arguments, shows
progress and prints the summary.

What the catalog does with an import it hears through partners.signals, as partners never imports the
catalog: inside the import's transaction it keeps the file and every row as evidence
(press_council_list_applied), and once that has committed it re-checks the outlets the list touched or
flagged and answers with the figures the command reports (press_council_list_imported).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from mediareg.csvfiles import Progress, decode_text, read_bytes, read_table

from . import services
from .models import (
    MediaOutlet,
    OutletDomain,
    PressCompany,
    PressVerification,
    Province,
    VerificationLevel,
    VerificationSource,
)
from .press_council_list import (
    KNOWN_HEADERS,
    ListRow,
    RowError,
    company_key,
    legal_form_of,
    map_columns,
    parse_row,
    row_evidence,
)
from .signals import press_council_list_applied, press_council_list_imported

ACTOR = "system:import_press_council"
# What became of each row (the catalog keeps it as PressCouncilEntry.outcome).
MATCHED, CREATED, SKIPPED = "matched", "created", "skipped"


@dataclass
class ImportedRow:
    """One row of the file as read, with what became of it."""

    line: int
    data: dict[str, str]  # the cells by header (press_council_list.row_evidence)
    outcome: str  # MATCHED, CREATED or SKIPPED
    problem: str  # why it was skipped, or what staff should know about it
    outlet_id: int | None


@dataclass
class PressCouncilReport:
    file_name: str
    sha256: str
    list_date: datetime.date
    complete: bool
    actor: str
    rows: list[ImportedRow]
    skipped: list[tuple[int, str]]  # rows not used: (line, why)
    notes: list[tuple[int, str]]  # rows used, with something staff should know
    encoding_note: str
    flagged: int  # verified outlets missing from a complete list, flagged now
    outlet_ids: list[int]  # the outlets the list touched or flagged, for the re-check
    # The catalog's answer once the import has committed (partners.signals.press_council_list_imported):
    # ``checked`` and ``changed`` outlets, and the policy's ``grace_days`` for a flagged outlet.
    recheck: object | None = None

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    @property
    def rows_created(self) -> int:
        return sum(row.outcome == CREATED for row in self.rows)

    @property
    def rows_matched(self) -> int:
        return sum(row.outcome == MATCHED for row in self.rows)

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)


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


def import_press_council(path: str | Path, *, list_date: datetime.date | None = None, complete: bool = False,
                         progress: Progress | None = None) -> PressCouncilReport:
    """Import a CSV of the Dewan Pers list; see the module docstring and README "Importing the Dewan Pers list".

    Certificate: the public list shows no certificate number (docs/domain.md, "Dewan Pers verification"),
    and the database keeps a certificate date only with its number. So a factual row gives the certificate
    number and date only when the file has a certificate number column with a value; otherwise its date is the
    status date, an existing certificate entered by staff is kept, and a new outlet has none until
    staff enter it from the certificate (the press council rule then asks for it).
    """
    path = Path(path)
    data = read_bytes(path)
    text, _encoding, encoding_note = decode_text(data)
    table = read_table(text, KNOWN_HEADERS)
    columns = map_columns(table.headers)
    list_date = list_date or timezone.localdate()

    parsed: list[ListRow] = []
    errors: dict[int, RowError] = {}
    evidence: dict[int, dict] = {}
    for line, cells in table.rows:
        evidence[line] = row_evidence(table.headers, cells)
        try:
            parsed.append(parse_row(line, cells, columns))
        except RowError as exc:
            errors[line] = exc
    total = len(table.rows)
    if progress and errors:
        progress(len(errors), total)

    # The import re-checks every outlet it touched itself once it has committed (the catalog's answer
    # to press_council_list_imported), so its registry edit sends nothing of its own.
    with transaction.atomic(), services.registry_edit(actor=ACTOR, announce=False) as edit:
        importer = _PressCouncilImporter(parsed, timezone.now())
        # Oldest first, so that when one outlet is on several rows the latest date is applied last and
        # stays (docs/domain.md "Dewan Pers verification"); rows without a date count as oldest.
        for row in sorted(parsed, key=lambda r: (r.date or datetime.date.min, r.line)):
            try:
                importer.apply(row)
            except RowError as exc:
                errors[row.line] = exc
            if progress:
                progress(1, total)
        importer.note_duplicates()

        flagged_ids = []
        if complete:
            protected = set(importer.outlet_of_line.values())
            protected.update(pk for exc in errors.values() for pk in exc.candidates)
            flagged_ids = services.verifications_flag_missing(kept=protected, since=list_date)

        rows = []
        for line, _cells in table.rows:
            if line in errors:
                outcome, problem = SKIPPED, str(errors[line])
            else:
                outcome = CREATED if line in importer.created_lines else MATCHED
                problem = "; ".join(importer.notes.get(line, []))
            rows.append(ImportedRow(line=line, data=evidence[line], outcome=outcome, problem=problem,
                                    outlet_id=importer.outlet_of_line.get(line)))
        report = PressCouncilReport(
            file_name=path.name, sha256=hashlib.sha256(data).hexdigest(), list_date=list_date, complete=complete,
            actor=ACTOR, rows=rows,
            skipped=sorted((line, str(exc)) for line, exc in errors.items()),
            notes=sorted((line, "; ".join(notes)) for line, notes in importer.notes.items()
                         if notes and line not in errors),
            encoding_note=encoding_note, flagged=len(flagged_ids),
            outlet_ids=sorted(set(importer.outlet_of_line.values()) | edit.touched_outlets()))
        # The evidence commits with the registry changes, or neither does.
        press_council_list_applied.send(sender=PressCouncilReport, report=report)

    answers = press_council_list_imported.send(sender=PressCouncilReport, report=report)
    report.recheck = next((answer for _receiver, answer in answers if answer is not None), None)
    return report


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
            # A savepoint: a row the registry or the database refuses leaves no trace, and asks for no re-check.
            with transaction.atomic(), services.registry_edit():
                if outlet_id is None:
                    outlet, company_new = self._create_outlet(row, notes)
                else:
                    outlet, company_new = registry.outlets[outlet_id], None
                    if outlet.media_type != row.media_type:
                        notes.append(f"the list says media type {row.media_type}, the register "
                                     f"{outlet.media_type}; the register was not changed")
                new_domains = self._add_domains(outlet, row, notes)
                verification = self._update_verification(outlet, row, notes)
        except ValidationError as exc:
            registry.verifications.pop(outlet_id, None)  # may hold what was rolled back: read it again
            raise RowError(f"the registry refused the row ({'; '.join(exc.messages)})") from exc
        except DatabaseError as exc:
            registry.verifications.pop(outlet_id, None)
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
            # The list publishes no NPWP: a new company waits for staff to enter it.
            company, _created = services.company_register(
                npwp=None, legal_name=row.company, legal_form=legal_form_of(row.company), address=row.address,
                province_id=self.registry.provinces.get(row.province.lower()))
            company_new = company
            if row.province and company.province_id is None:
                notes.append(f"province “{row.province}” is not known; left empty")
        outlet, _created = services.outlet_register(
            company=company, name=row.name, media_type=row.media_type, person_in_charge=row.person_in_charge,
            editor_in_chief=row.editor_in_chief, email=row.email, phone=row.phone)
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
        added = []
        for domain in new:
            try:
                services.outlet_domain_add(outlet, domain)
            except services.DomainTaken as taken:  # taken by another import or page since the file was read
                notes.append(f"website {domain} belongs to another outlet (“{taken.owner.name}”); not added")
            else:
                added.append(domain)
        return added

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
        return services.verification_save(verification)  # recomputes valid_until

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
