"""The registry's demo plan: 50 Jakarta media outlets under 35 press companies, built in memory.

In the spirit of the seed article (Diskominfotik DKI Jakarta lists about 50 media in the
e-catalog): mostly online media, some print, TV and radio; Dewan Pers verification of every level,
some factual certificates lapsed; company and outlet documents of which most are accepted, some
pending, some rejected, some expired or expiring soon. Every name and domain is invented; domains
carry "-demo" so nobody mistakes them for real outlets.

The plan is plain data (CompanySpec, OutletSpec, DocumentSpec) built from the tables
(partners.demo.tables) and a fixed random seed, with dates relative to today; partners.demo.seeder
writes it. The tax documents are dated by a tax calendar the caller passes (TaxDates), so that they
count or lapse as the catalog's rules say without the registry importing the catalog.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
from typing import Protocol

from django.utils import timezone
from stdnum import luhn

from mediareg.dates import add_months, add_years

from ..identifiers import format_npwp
from ..models import (
    CompetencyLevel,
    DocumentKind,
    PressVerification,
    PublicationFrequency,
    ReviewStatus,
    VerificationLevel,
    VerificationSource,
)
from .tables import (
    AHU_CODE,
    BROADCAST_LICENCE_YEARS,
    COMPANIES,
    FIRST_NAMES,
    LAPSED,
    LAPSING,
    LAST_NAMES,
    ONLINE,
    PRESS_KBLI,
    PRINT,
    PT_PERORANGAN,
    RANDOM_SEED,
    REGIONS,
    REJECTION_REASONS,
    ROMAN_MONTHS,
    SUPPORTING_KBLI,
    TV,
    UKW_CODE,
    UKW_ORGANISATIONS,
    WITHOUT_PRESS_KBLI,
)


class TaxDates(Protocol):
    """The dates of the tax calendar that the plan's KSWPs and annual returns follow
    (catalog.tax_calendar.TaxCalendar answers them; the project's demo passes it in)."""

    def kswp_counts_from(self, today: datetime.date) -> datetime.date: ...

    def required_return_year(self, today: datetime.date) -> int: ...

    def return_deadline(self, tax_year: int) -> datetime.date: ...


@dataclasses.dataclass
class DocumentSpec:
    kind: str
    number: str
    issue_date: datetime.date
    expiry_date: datetime.date | None = None
    tax_year: int | None = None
    review_status: str = ReviewStatus.ACCEPTED
    reviewed_at: datetime.datetime | None = None
    rejection_reason: str = ""
    image: bool = False


@dataclasses.dataclass
class OutletSpec:
    name: str
    fields: dict
    domains: list[str]
    verification: dict
    documents: list[DocumentSpec] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CompanySpec:
    npwp: str
    legal_name: str
    fields: dict
    kbli: list[str]
    outlets: list[OutletSpec]
    documents: list[DocumentSpec] = dataclasses.field(default_factory=list)


def print_frequency(name: str) -> str:
    """A demo print outlet's frequency, from its name: a tabloid or a "Mingguan" is weekly, a "Bulanan"
    monthly, the rest daily newspapers."""
    if "Mingguan" in name or "Tabloid" in name:
        return PublicationFrequency.WEEKLY
    return PublicationFrequency.MONTHLY if "Bulanan" in name else PublicationFrequency.DAILY


def slugify_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace(",", "")).strip("-")


def home_domain(outlet_name: str) -> str:
    """The invented web address of an outlet, also its e-mail domain; "-demo" marks it as not real."""
    return f"{slugify_name(outlet_name)}-demo.{['id', 'co.id', 'com'][len(outlet_name) % 3]}"


def legacy_npwp(type_digits: str, serial: int, kpp: str, branch: str = "000") -> str:
    """A 15-digit NPWP whose ninth digit is the Luhn check digit over the first eight (docs/domain.md,
    "NPWP, NIK and NIB")."""
    head = f"{type_digits}{serial:06d}"
    return head + luhn.calc_check_digit(head) + kpp + branch


class PlanBuilder:
    """Turns the tables into CompanySpecs.

    Identities (NPWP, NIB, numbers, names) must come out the same on any day, or a later run would
    add a second set. So every draw from the generator has a range that does not depend on today:
    spans that do (such as "since 1 January") use ``day_between``, which always draws exactly once.
    Document numbers never contain a date that moves with today.
    """

    def __init__(self, today: datetime.date, tax_dates: TaxDates, seed: int = RANDOM_SEED):
        self.today = today
        self.tax_calendar = tax_dates
        self.rng = random.Random(seed)
        self.tz = timezone.get_current_timezone()
        self._used: set[str] = set()

    # -- small helpers ------------------------------------------------------------------------
    def unique(self, make) -> str:
        while (value := make()) in self._used:
            pass
        self._used.add(value)
        return value

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = max(0, (last - first).days)
        return first + datetime.timedelta(days=int(self.rng.random() * (span + 1)))

    def moment(self, day: datetime.date, hours: tuple[int, int]) -> datetime.datetime:
        clock = datetime.time(self.rng.randint(*hours), self.rng.randint(0, 59))
        return timezone.make_aware(datetime.datetime.combine(day, clock), self.tz)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def phone(self) -> str:
        return f"(021) {self.rng.randint(2100, 8999)} {self.rng.randint(1000, 9999)}"

    def mobile(self) -> str:
        rng = self.rng
        prefix = f"08{rng.choice('1257')}{rng.randint(1, 9)}"
        return f"{prefix}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"

    def review(self, issue_date: datetime.date, weights) -> dict:
        status = self.rng.choices(
            [ReviewStatus.ACCEPTED, ReviewStatus.PENDING, ReviewStatus.REJECTED], weights=weights)[0]
        if status == ReviewStatus.PENDING:
            return {"review_status": status}
        day = min(self.today, max(issue_date + datetime.timedelta(days=1), self.days_ago(1, 120)))
        decision = {"review_status": status, "reviewed_at": self.moment(day, (8, 16))}
        if status == ReviewStatus.REJECTED:
            decision["rejection_reason"] = self.rng.choice(REJECTION_REASONS)
        return decision

    def doc(self, kind, number, issue_date, expiry_date=None, weights=(90, 6, 4), **extra) -> DocumentSpec:
        assert issue_date <= self.today and (expiry_date is None or expiry_date >= issue_date), (kind, number)
        return DocumentSpec(kind=kind, number=number, issue_date=issue_date, expiry_date=expiry_date,
                            **extra, **self.review(issue_date, weights))

    # -- companies ----------------------------------------------------------------------------
    def build(self) -> list[CompanySpec]:
        # Dewan Pers does not verify a PT perorangan's outlets; the others share out the levels.
        verifiable = sum(len(outlets) for form, _, _, outlets in COMPANIES if form != PT_PERORANGAN)
        levels = self.verification_levels(verifiable)
        return [self.company(form, name, regency, outlets, levels)
                for form, name, regency, outlets in COMPANIES]

    def company(self, legal_form, legal_name, regency, outlets, levels) -> CompanySpec:
        rng = self.rng
        streets, (postal_low, postal_high), kpp_codes, kanwil = REGIONS[regency]
        npwp = self.unique(lambda: "0" + legacy_npwp(
            rng.choice(["01", "02", "03"]), rng.randint(1, 999_999), rng.choice(kpp_codes)))
        nib = self.unique(lambda: rng.choice(["8120", "9120"]) + f"{rng.randint(0, 999_999_999):09d}")
        street = f"{rng.choice(streets)} No. {rng.randint(1, 120)}"
        fields = {
            "legal_name": legal_name,
            "legal_form": legal_form,
            "nib": nib,
            "address": f"{street}, RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 12):03d}",
            "regency_city": regency,
            "postal_code": str(rng.randint(postal_low, postal_high)),
            "email": f"sekretariat@{home_domain(outlets[0][0])}",
            "phone": self.phone(),
        }
        kbli = [] if legal_name in WITHOUT_PRESS_KBLI else sorted({PRESS_KBLI[kind] for _, kind in outlets})
        if not kbli or rng.random() < 0.5:
            kbli.append(rng.choice(SUPPORTING_KBLI))
        outlet_specs = [
            self.outlet(name, kind, VerificationLevel.NONE if legal_form == PT_PERORANGAN else levels.pop())
            for name, kind in outlets
        ]
        spec = CompanySpec(npwp=npwp, legal_name=legal_name, fields=fields, kbli=kbli, outlets=outlet_specs)
        spec.documents = self.company_documents(legal_form, npwp, nib, kanwil)
        return spec

    def company_documents(self, legal_form, npwp, nib, kanwil) -> list[DocumentSpec]:
        rng = self.rng
        docs = []
        founded = self.day_between(datetime.date(2008, 1, 1), datetime.date(2021, 12, 31))
        if legal_form != PT_PERORANGAN:  # a PT perorangan registers by statement, without a notarial deed
            docs.append(self.doc(DocumentKind.DEED, str(rng.randint(1, 150)), founded))
            if rng.random() < 0.3:
                amended = self.day_between(founded + datetime.timedelta(days=200), datetime.date(2024, 6, 30))
                docs.append(self.doc(DocumentKind.DEED_AMENDMENT, str(rng.randint(1, 150)), amended))
        approved = founded + datetime.timedelta(days=rng.randint(3, 21))
        approval_no = f"AHU-{rng.randint(1, 99999):07d}.AH.{AHU_CODE[legal_form]}.Tahun {approved.year}"
        docs.append(self.doc(DocumentKind.LAW_MINISTRY_APPROVAL, approval_no, approved))
        # OSS has issued NIBs since July 2018.
        nib_issued = self.day_between(max(approved, datetime.date(2018, 7, 9)), datetime.date(2024, 12, 31))
        docs.append(self.doc(DocumentKind.NIB, nib, nib_issued))
        registered = approved + datetime.timedelta(days=14)
        docs.append(self.doc(DocumentKind.NPWP_CARD, format_npwp(npwp), registered))
        docs.append(self.kswp(kanwil))
        if rng.random() < 0.45:
            docs.append(self.skf(kanwil))
        docs.append(self.annual_tax_return())
        if rng.random() < 0.5:
            number = f"REF/{rng.randint(100, 999)}/KCP-JKT/{rng.randint(10, 99)}"
            docs.append(self.doc(DocumentKind.BANK_ACCOUNT_LETTER, number, self.days_ago(10, 300)))
        if rng.random() < 0.3:
            office = f"KP.{rng.randint(1, 9):02d}03"
            number = f"S-{rng.randint(100, 9999)}PKP/WPJ.{kanwil}/{office}/{registered.year}"
            docs.append(self.doc(DocumentKind.PKP_LETTER, number, registered + datetime.timedelta(days=45)))
        if rng.random() < 0.25:
            docs.append(self.doc(DocumentKind.OTHER, "", self.days_ago(20, 200), image=True))
        return docs

    def kswp(self, kanwil) -> DocumentSpec:
        """A KSWP that counts today for most companies (from January to the grace date that may still be
        last year's), an out-of-date one for a few."""
        counts_from = self.tax_calendar.kswp_counts_from(self.today)
        if self.rng.random() < 0.15:
            day = datetime.timedelta(days=1)
            issued = self.day_between(counts_from - 200 * day, counts_from - day)
        else:
            issued = self.day_between(counts_from, self.today)
        number = f"S-{self.rng.randint(1, 99999):05d}/KSWP/WPJ.{kanwil}"
        return self.doc(DocumentKind.KSWP, number, issued)

    def skf(self, kanwil) -> DocumentSpec:
        """Valid one month from issue: some have long expired, the others run out within weeks."""
        issued = self.days_ago(4, 25) if self.rng.random() < 0.5 else self.days_ago(45, 240)
        number = f"KET-{self.rng.randint(1, 99999):05d}/SKF/WPJ.{kanwil}/KP.{self.rng.randint(1, 9):02d}03"
        return self.doc(DocumentKind.SKF, number, issued, add_months(issued, 1))

    def annual_tax_return(self) -> DocumentSpec:
        """The return the tax calendar requires today; in the filing season (January to 30 April) about
        half have already filed the newer one; a few only have an out-of-date return."""
        required = self.tax_calendar.required_return_year(self.today)
        newest = self.today.year - 1
        draw = self.rng.random()
        if draw < 0.1:
            tax_year = required - 1
        elif newest > required and draw < 0.55:
            tax_year = newest
        else:
            tax_year = required
        filed = self.day_between(datetime.date(tax_year + 1, 1, 15),
                                 min(self.today, self.tax_calendar.return_deadline(tax_year)))
        number = f"BPE-{self.rng.randint(10**14, 10**15 - 1)}"
        return self.doc(DocumentKind.ANNUAL_TAX_RETURN, number, min(filed, self.today), tax_year=tax_year)

    # -- outlets ------------------------------------------------------------------------------
    def outlet(self, name, media_type, level) -> OutletSpec:
        rng = self.rng
        home = home_domain(name)
        domains = []
        if media_type == ONLINE or rng.random() < 0.5:
            domains.append(home)
            if rng.random() < 0.15:  # an old address that still points at the outlet
                domains.append(f"{slugify_name(name)}-demo.{'id' if home.endswith('.com') else 'com'}")
        competency = rng.choices(
            [CompetencyLevel.UTAMA, CompetencyLevel.MADYA, CompetencyLevel.MUDA, CompetencyLevel.NONE],
            weights=[65, 15, 8, 12])[0]
        ukw_date = self.day_between(datetime.date(2012, 1, 1), datetime.date(2024, 12, 31))
        certificate_no = ""
        if competency:
            tested_by = f"{rng.randint(100, 19999)}-{rng.choice(UKW_ORGANISATIONS)}"
            certificate_no = (f"{tested_by}/{UKW_CODE[competency]}/DP/{ROMAN_MONTHS[ukw_date.month - 1]}"
                              f"/{ukw_date.year}")
        fields = {
            "media_type": media_type,
            "publication_frequency": print_frequency(name) if media_type == PRINT else "",
            "person_in_charge": self.person(),
            "editor_in_chief": self.person(),
            "editor_competency": competency,
            "editor_certificate_no": certificate_no,
            "email": f"redaksi@{home}",
            "phone": self.mobile() if rng.random() < 0.4 else self.phone(),
        }
        verification = self.verification(level)
        spec = OutletSpec(name=name, fields=fields, domains=domains, verification=verification)
        spec.documents = self.outlet_documents(media_type, verification, certificate_no, ukw_date)
        return spec

    def verification_levels(self, count: int) -> list[str]:
        """About two thirds factual (five lapsed, two about to lapse), the rest administrative or none."""
        administrative, none, lapsed, lapsing = round(count * 0.2), round(count * 0.12), 5, 2
        factual = count - administrative - none - lapsed - lapsing
        levels = ([LAPSED] * lapsed + [LAPSING] * lapsing + [VerificationLevel.FACTUAL] * factual
                  + [VerificationLevel.ADMINISTRATIVE] * administrative + [VerificationLevel.NONE] * none)
        self.rng.shuffle(levels)
        return levels

    def verification(self, level) -> dict:
        rng = self.rng
        source = VerificationSource.IMPORT if rng.random() < 0.6 else VerificationSource.STAFF
        result = {"source": source, "checked_at": self.moment(self.days_ago(1, 45), (1, 5)), "note": ""}
        if level in (VerificationLevel.FACTUAL, LAPSED, LAPSING):
            five_years_ago = add_years(self.today, -5)
            if level == LAPSED:
                signed = five_years_ago - datetime.timedelta(days=rng.randint(20, 700))
                result["note"] = "Sertifikat sudah lewat lima tahun; menunggu verifikasi ulang Dewan Pers."
            elif level == LAPSING:
                signed = five_years_ago + datetime.timedelta(days=rng.randint(5, 25))
                result["note"] = "Sertifikat segera berakhir; perusahaan sudah diingatkan untuk memperbarui."
            else:
                signed = self.days_ago(120, 4 * 365)
            sequence = self.unique(lambda: str(rng.randint(100, 1999)))
            number = f"{sequence}/DP-Verifikasi/K/{ROMAN_MONTHS[signed.month - 1]}/{signed.year}"
            result.update(level=VerificationLevel.FACTUAL, status_date=signed, certificate_number=number,
                          certificate_date=signed)
        elif level == VerificationLevel.ADMINISTRATIVE:
            result.update(level=level, status_date=self.days_ago(90, 3 * 365),
                          note="Terverifikasi administrasi; verifikasi faktual belum dijadwalkan.")
        else:
            result.update(level=VerificationLevel.NONE, status_date=None, note=rng.choice(
                ["Belum terdata di Dewan Pers.", "Pendataan sedang diajukan ke Dewan Pers."]))
        return result

    def outlet_documents(self, media_type, verification, certificate_no, ukw_date) -> list[DocumentSpec]:
        rng, today = self.rng, self.today
        docs = []
        if verification.get("certificate_date") and rng.random() < 0.95:
            # Number and dates are taken from the stored verification when written (Seeder).
            signed = verification["certificate_date"]
            docs.append(self.doc(DocumentKind.PRESS_COUNCIL_CERTIFICATE, verification["certificate_number"],
                                 signed, PressVerification.compute_valid_until(signed), weights=(90, 7, 3)))
        if rng.random() < 0.9:
            docs.append(self.doc(DocumentKind.EDITORIAL_BOX, "", self.days_ago(3, 150)))
        if rng.random() < 0.7:
            this_year = self.day_between(datetime.date(today.year, 1, 1), today)
            docs.append(self.doc(DocumentKind.RATE_CARD, "", this_year))
        if certificate_no:
            docs.append(self.doc(DocumentKind.COMPETENCY_CERTIFICATE, certificate_no, ukw_date))
        if media_type in BROADCAST_LICENCE_YEARS:
            years = BROADCAST_LICENCE_YEARS[media_type]
            # Most licences have years left; about one in four runs out within the next four weeks.
            if rng.random() < 0.25:
                expires = today + datetime.timedelta(days=rng.randint(3, 28))
            else:
                expires = today + datetime.timedelta(days=rng.randint(200, 365 * years - 100))
            number = f"{rng.randint(100, 999)}/IPP-{'TV' if media_type == TV else 'RD'}/KOMINFO"
            docs.append(self.doc(DocumentKind.BROADCAST_LICENCE, number, add_years(expires, -years), expires))
        return docs
