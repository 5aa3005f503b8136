"""Load a realistic demo register: 50 Jakarta media outlets under 35 press companies.

In the spirit of the seed article (Diskominfotik DKI Jakarta lists about 50 media in the
e-catalog): mostly online media, some print, TV and radio; Dewan Pers verification of every level,
some factual certificates lapsed; company and outlet documents of which most are accepted, some
pending, some rejected, some expired or expiring soon. Every name and domain is invented; domains
carry "-demo" so nobody mistakes them for real outlets.

The data is first built in memory from a fixed random seed (dates relative to today), then written
where missing: companies by NPWP, outlets by (company, name), domains by domain, one verification
per outlet, documents by (company, outlet, kind, number). A second run adds nothing.

Demo logins (admin, verifikator, auditor; the password is the user name) exist only with DEBUG on.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import re

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from mediareg.audit import audit_context
from mediareg.dates import add_months, add_years
from partners.demo.files import PDF_CONTENT_TYPE, PNG_CONTENT_TYPE, pdf_bytes, png_bytes
from partners.identifiers import format_npwp, is_nik_form, normalize_npwp
from partners.models import (
    CompetencyLevel,
    Document,
    DocumentKind,
    KbliCode,
    LegalForm,
    MediaOutlet,
    MediaType,
    OutletDomain,
    PressCompany,
    PressVerification,
    Province,
    ReviewStatus,
    VerificationLevel,
    VerificationSource,
)

ACTOR = "system:seed_demo"
RANDOM_SEED = 2021
JAKARTA_PROVINCE_CODE = "31"

ONLINE, PRINT, TV, RADIO = MediaType.ONLINE, MediaType.PRINT, MediaType.TELEVISION, MediaType.RADIO
PT, PT_PERORANGAN = LegalForm.PT, LegalForm.PT_PERORANGAN
YAYASAN, KOPERASI = LegalForm.YAYASAN, LegalForm.KOPERASI

# ---------------------------------------------------------------------------------------------
# Data tables
# ---------------------------------------------------------------------------------------------

# (legal form, legal name, regency/city, [(outlet name, media type), ...])
COMPANIES = [
    (PT, "PT Cempaka Kabar Nusantara", "Jakarta Pusat",
     [("Kabar Cempaka", ONLINE), ("Cempaka Pagi", PRINT)]),
    (PT, "PT Lintas Menteng Media", "Jakarta Pusat", [("Lintas Menteng", ONLINE)]),
    (PT, "PT Gerbang Warta Betawi", "Jakarta Timur",
     [("Gerbang Betawi", ONLINE), ("Radio Gerbang 98,4 FM", RADIO)]),
    (PT, "PT Sunda Kelapa Pratama Media", "Jakarta Utara", [("Pelabuhan Kabar", ONLINE)]),
    (PT, "PT Teras Ibukota Multimedia", "Jakarta Selatan",
     [("Teras Ibukota", ONLINE), ("Teras Ibukota TV", TV)]),
    (PT, "PT Cahaya Monas Informasi", "Jakarta Pusat", [("Sorot Monas", ONLINE)]),
    (PT, "PT Jendela Kramat Media", "Jakarta Pusat", [("Jendela Kramat", ONLINE)]),
    (PT, "PT Arus Ciliwung Mandiri", "Jakarta Timur",
     [("Arus Ciliwung", ONLINE), ("Arus Ciliwung Mingguan", PRINT)]),
    (PT, "PT Kabar Pesisir Seribu", "Kepulauan Seribu", [("Kabar Pesisir Seribu", ONLINE)]),
    (PT, "PT Gema Tanjung Priok Media", "Jakarta Utara",
     [("Gema Priok", ONLINE), ("Radio Gema Priok 101,2 FM", RADIO)]),
    (PT, "PT Pantau Kali Besar Digital", "Jakarta Barat", [("Pantau Kali Besar", ONLINE)]),
    (PT, "PT Suluh Kebayoran Pers", "Jakarta Selatan",
     [("Suluh Kebayoran", ONLINE), ("Tabloid Suluh", PRINT)]),
    (PT, "PT Nadi Metropolitan Media", "Jakarta Barat",
     [("Nadi Metro", ONLINE), ("Nadi Metro Harian", PRINT), ("Nadi Metro TV", TV)]),
    (PT, "PT Rawamangun Cipta Informasi", "Jakarta Timur", [("Catatan Rawamangun", ONLINE)]),
    (PT, "PT Kemuning Sinar Media", "Jakarta Barat", [("Sinar Kemuning", ONLINE)]),
    (PT, "PT Semanggi Kabar Utama", "Jakarta Selatan", [("Simpang Semanggi", ONLINE)]),
    (PT, "PT Angin Timur Siaran", "Jakarta Timur", [("Radio Angin Timur 95,7 FM", RADIO)]),
    (PT, "PT Cikini Raya Multimedia", "Jakarta Pusat",
     [("Kabar Cikini", ONLINE), ("Radio Cikini 90,5 FM", RADIO)]),
    (PT, "PT Dermaga Sunter Media", "Jakarta Utara", [("Dermaga Sunter", ONLINE)]),
    (PT, "PT Laras Kota Penyiaran", "Jakarta Selatan",
     [("Laras Kota TV", TV), ("Radio Laras 103,9 FM", RADIO)]),
    (PT, "PT Ruang Warga Digital", "Jakarta Selatan", [("Ruang Warga", ONLINE)]),
    (PT, "PT Bintang Kemayoran Pers", "Jakarta Pusat",
     [("Bintang Kemayoran", ONLINE), ("Bintang Kemayoran Pekanan", PRINT)]),
    (PT, "PT Condet Lestari Media", "Jakarta Timur", [("Kabar Condet", ONLINE)]),
    (PT, "PT Lensa Grogol Media", "Jakarta Barat", [("Lensa Grogol", ONLINE)]),
    (PT, "PT Kilas Cengkareng Informasi", "Jakarta Barat", [("Kilas Cengkareng", ONLINE)]),
    (PT, "PT Pelita Marunda Media", "Jakarta Utara",
     [("Pelita Marunda", ONLINE), ("Radio Pelita Marunda 89,1 FM", RADIO)]),
    (PT, "PT Jejak Kuningan Digital", "Jakarta Selatan", [("Jejak Kuningan", ONLINE)]),
    (PT, "PT Gelora Matraman Pers", "Jakarta Timur", [("Gelora Matraman", PRINT)]),
    (PT, "PT Pilar Senayan Media", "Jakarta Pusat", [("Pilar Senayan", ONLINE), ("Pilar Senayan TV", TV)]),
    (YAYASAN, "Yayasan Cakrawala Warga Jakarta", "Jakarta Timur",
     [("Cakrawala Warga", ONLINE), ("Radio Komunitas Cakrawala 107,7 FM", RADIO)]),
    (YAYASAN, "Yayasan Literasi Pesisir Utara", "Jakarta Utara", [("Literasi Pesisir", ONLINE)]),
    (YAYASAN, "Yayasan Kabar Kampung Betawi", "Jakarta Selatan",
     [("Kabar Kampung", ONLINE), ("Kampung Betawi Bulanan", PRINT)]),
    (KOPERASI, "Koperasi Jurnalis Ibukota Sejahtera", "Jakarta Pusat", [("Lembar Ibukota", ONLINE)]),
    (KOPERASI, "Koperasi Pers Warga Cilincing", "Jakarta Utara", [("Catatan Cilincing", ONLINE)]),
    # A single-founder PT perorangan: Dewan Pers does not accept it for the press (domain.md §1.4).
    (PT_PERORANGAN, "PT Kabar Kilat Dani Pratama", "Jakarta Barat", [("Kabar Kilat Jakarta", ONLINE)]),
]

# Companies whose NIB lists only supporting KBLI codes, no press code: not eligible.
WITHOUT_PRESS_KBLI = {
    "PT Kilas Cengkareng Informasi", "PT Dermaga Sunter Media", "Koperasi Pers Warga Cilincing",
}

PRESS_KBLI = {ONLINE: "63122", PRINT: "58130", TV: "60202", RADIO: "60102"}
SUPPORTING_KBLI = ["73100", "74142", "82302"]

# regency/city: (streets, postal code range, tax office (KPP) codes, regional tax office (Kanwil))
REGIONS = {
    "Jakarta Pusat": (
        ["Jl. Kebon Sirih", "Jl. Cikini Raya", "Jl. Salemba Raya", "Jl. Kramat Raya", "Jl. Kwitang",
         "Jl. Percetakan Negara"], (10110, 10750), ["071", "072", "073", "074"], "04"),
    "Jakarta Utara": (
        ["Jl. Yos Sudarso", "Jl. Danau Sunter Utara", "Jl. Pluit Raya", "Jl. Enggano", "Jl. Plumpang Semper"],
        (14110, 14470), ["043", "044", "045", "046"], "21"),
    "Jakarta Barat": (
        ["Jl. Panjang", "Jl. Daan Mogot", "Jl. Letjen S. Parman", "Jl. Tanjung Duren Raya",
         "Jl. Kedoya Raya"],
        (11110, 11850), ["031", "032", "033", "034", "035"], "06"),
    "Jakarta Selatan": (
        ["Jl. Kemang Raya", "Jl. Warung Buncit Raya", "Jl. Fatmawati Raya", "Jl. Ciputat Raya",
         "Jl. Tebet Raya", "Jl. Kapten Tendean"], (12110, 12960), ["012", "013", "014", "015", "016"], "05"),
    "Jakarta Timur": (
        ["Jl. Pemuda", "Jl. Pramuka", "Jl. D.I. Panjaitan", "Jl. Raya Condet", "Jl. Matraman Raya",
         "Jl. Dewi Sartika"], (13110, 13960), ["001", "002", "003", "004"], "20"),
    "Kepulauan Seribu": (
        ["Jl. Dermaga Pulau Pramuka", "Jl. Pulau Panggang", "Jl. Pulau Kelapa"],
        (14510, 14540), ["074"], "04"),
}

FIRST_NAMES = [
    "Agus", "Ahmad", "Andi", "Ani", "Arif", "Bambang", "Budi", "Citra", "Dani", "Dewi", "Dimas", "Eka",
    "Fajar", "Fitri", "Gilang", "Hadi", "Hendra", "Indah", "Irfan", "Joko", "Kartika", "Lestari", "Maya",
    "Nur", "Putri", "Rahmat", "Rina", "Rizki", "Sari", "Siti", "Taufik", "Teguh", "Wahyu", "Wulan", "Yanti",
    "Yusuf",
]
LAST_NAMES = [
    "Hidayat", "Kurniawan", "Lubis", "Nasution", "Pratama", "Purba", "Rahmawati", "Saputra", "Setiawan",
    "Siregar", "Situmorang", "Susanto", "Wibowo", "Wijaya", "Hakim", "Harahap", "Gunawan", "Permana",
    "Santoso", "Utami", "Maulana", "Ramadhan", "Syahputra", "Handayani",
]
UKW_ORGANISATIONS = ["PWI", "AJI", "IJTI", "LPDS", "UPDM"]
UKW_CODE = {CompetencyLevel.MUDA: "WM", CompetencyLevel.MADYA: "WMd", CompetencyLevel.UTAMA: "WU"}
# Legal entity approvals from the Ministry of Law (AHU) carry a code for the kind of entity.
AHU_CODE = {PT: "01.01", YAYASAN: "01.04", KOPERASI: "01.26", PT_PERORANGAN: "01.30"}

REJECTION_REASONS = [
    "Pindaian tidak terbaca; unggah ulang dengan resolusi yang lebih baik.",
    "Nama badan hukum pada dokumen tidak sama dengan akta pendirian.",
    "Nomor NPWP pada dokumen berbeda dengan data perusahaan.",
    "Halaman pengesahan dan tanda tangan tidak lengkap.",
    "Dokumen sudah tidak berlaku pada saat diunggah.",
    "Dokumen yang diunggah bukan dokumen yang diminta.",
]

# kind: (title on the demo PDF, original file name stem)
DOCUMENT_TITLES = {
    DocumentKind.DEED: ("Akta Pendirian", "akta-pendirian"),
    DocumentKind.DEED_AMENDMENT: ("Akta Perubahan", "akta-perubahan"),
    DocumentKind.LAW_MINISTRY_APPROVAL: ("SK Pengesahan Kemenkumham", "sk-kemenkumham"),
    DocumentKind.NIB: ("Nomor Induk Berusaha (NIB)", "nib-oss"),
    DocumentKind.NPWP_CARD: ("Kartu NPWP Badan", "npwp-badan"),
    DocumentKind.KSWP: ("Konfirmasi Status Wajib Pajak (KSWP)", "kswp"),
    DocumentKind.SKF: ("Surat Keterangan Fiskal", "skf"),
    DocumentKind.ANNUAL_TAX_RETURN: ("Bukti Penerimaan SPT Tahunan PPh Badan", "spt-tahunan"),
    DocumentKind.PKP_LETTER: ("Surat Pengukuhan PKP", "surat-pkp"),
    DocumentKind.BANK_ACCOUNT_LETTER: ("Surat Keterangan Rekening Bank", "rekening-perusahaan"),
    DocumentKind.PRESS_COUNCIL_CERTIFICATE: ("Sertifikat Verifikasi Dewan Pers", "sertifikat-dewan-pers"),
    DocumentKind.EDITORIAL_BOX: ("Box Redaksi", "box-redaksi"),
    DocumentKind.RATE_CARD: ("Rate Card Iklan dan Advertorial", "rate-card"),
    DocumentKind.COMPETENCY_CERTIFICATE: ("Sertifikat Uji Kompetensi Wartawan", "sertifikat-ukw"),
    DocumentKind.BROADCAST_LICENCE: ("Izin Penyelenggaraan Penyiaran (IPP)", "ipp"),
    DocumentKind.OTHER: ("Foto Kantor dan Papan Nama", "foto-kantor"),
}

# A broadcasting licence (IPP) runs ten years for television, five for radio.
BROADCAST_LICENCE_YEARS = {TV: 10, RADIO: 5}

# Besides the three levels, the plan marks factual certificates that are past, or within a few
# weeks of, the end of their five years.
LAPSED, LAPSING = "factual-lapsed", "factual-lapsing"

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

DEMO_USERS = [
    # (user name, which is also the password; group; superuser)
    ("admin", None, True),
    ("verifikator", "Verifikator", False),
    ("auditor", "Auditor", False),
]


# ---------------------------------------------------------------------------------------------
# The plan: plain data built from the tables and one seeded random generator
# ---------------------------------------------------------------------------------------------

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


def slugify_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace(",", "")).strip("-")


def home_domain(outlet_name: str) -> str:
    """The invented web address of an outlet, also its e-mail domain; "-demo" marks it as not real."""
    return f"{slugify_name(outlet_name)}-demo.{['id', 'co.id', 'com'][len(outlet_name) % 3]}"


def legacy_npwp(type_digits: str, serial: int, kpp: str, branch: str = "000") -> str:
    """A 15-digit NPWP whose ninth digit is the Luhn check digit over the first eight (domain.md §3.1)."""
    head = f"{type_digits}{serial:06d}"
    return head + luhn.calc_check_digit(head) + kpp + branch


class PlanBuilder:
    """Turns the tables into CompanySpecs.

    Identities (NPWP, NIB, numbers, names) must come out the same on any day, or a later run would
    add a second set. So every draw from the generator has a range that does not depend on today:
    spans that do (such as "since 1 January") use ``day_between``, which always draws exactly once.
    Document numbers never contain a date that moves with today.
    """

    def __init__(self, today: datetime.date, seed: int = RANDOM_SEED):
        from catalog.models import EligibilityPolicy
        from catalog.tax_calendar import TaxCalendar

        self.today = today
        # The demo follows the shipped policy's tax calendar (KSWP grace date, return filing deadline).
        self.tax_calendar = TaxCalendar(EligibilityPolicy())
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


# ---------------------------------------------------------------------------------------------
# Writing the plan: create what is missing, leave what exists untouched
# ---------------------------------------------------------------------------------------------

class Seeder:
    def __init__(self, reviewer):
        self.reviewer = reviewer
        self.companies: dict[str, PressCompany] = {}  # by NPWP
        self.outlets: dict[tuple[int, str], MediaOutlet] = {}  # by (company id, lower-case name)
        self.verifications: dict[int, PressVerification] = {}  # by outlet id
        self.created = {"companies": 0, "outlets": 0, "domains": 0, "verifications": 0, "documents": 0}
        self.new_documents: list[Document] = []

    def apply(self, plan: list[CompanySpec]) -> None:
        province = Province.objects.filter(code=JAKARTA_PROVINCE_CODE).first()
        kbli = KbliCode.objects.in_bulk(field_name="code")
        if province is None or not set(PRESS_KBLI.values()) <= set(kbli):
            raise CommandError("Reference data (province 31, press KBLI codes) is missing: "
                               "run `manage.py migrate` first.")
        self.add_companies(plan, province, kbli)
        self.add_outlets(plan)
        self.add_domains(plan)
        self.add_verifications(plan)
        self.add_documents(plan)

    def outlet(self, company_spec: CompanySpec, outlet_spec: OutletSpec) -> MediaOutlet:
        return self.outlets[(self.companies[company_spec.npwp].pk, outlet_spec.name.lower())]

    def each_outlet(self, plan):
        for company_spec in plan:
            for outlet_spec in company_spec.outlets:
                yield outlet_spec, self.outlet(company_spec, outlet_spec)

    def add_companies(self, plan, province, kbli) -> None:
        self.companies = PressCompany.objects.in_bulk([spec.npwp for spec in plan], field_name="npwp")
        for spec in plan:
            if spec.npwp not in self.companies:
                company = PressCompany.objects.create(npwp=spec.npwp, province=province, **spec.fields)
                company.kbli_codes.add(*(kbli[code] for code in spec.kbli))
                self.companies[spec.npwp] = company
                self.created["companies"] += 1

    def add_outlets(self, plan) -> None:
        self.outlets = {(o.company_id, o.name.lower()): o
                        for o in MediaOutlet.objects.filter(company__in=list(self.companies.values()))}
        new = [MediaOutlet(company=self.companies[spec.npwp], name=outlet.name, **outlet.fields)
               for spec in plan for outlet in spec.outlets
               if (self.companies[spec.npwp].pk, outlet.name.lower()) not in self.outlets]
        for outlet in MediaOutlet.objects.bulk_create(new):
            self.outlets[(outlet.company_id, outlet.name.lower())] = outlet
        self.created["outlets"] += len(new)

    def add_domains(self, plan) -> None:
        wanted = {domain: (outlet, position == 0)
                  for spec, outlet in self.each_outlet(plan) for position, domain in enumerate(spec.domains)}
        taken = set(OutletDomain.objects.filter(domain__in=list(wanted)).values_list("domain", flat=True))
        new = [OutletDomain(outlet=outlet, domain=domain, is_primary=primary)
               for domain, (outlet, primary) in wanted.items() if domain not in taken]
        OutletDomain.objects.bulk_create(new)
        self.created["domains"] += len(new)

    def add_verifications(self, plan) -> None:
        self.verifications = {v.outlet_id: v for v in
                              PressVerification.objects.filter(outlet__in=list(self.outlets.values()))}
        for spec, outlet in self.each_outlet(plan):
            if outlet.pk not in self.verifications:
                # One by one: save() derives valid_until from the signing date.
                verification = PressVerification.objects.create(outlet=outlet, **spec.verification)
                self.verifications[outlet.pk] = verification
                self.created["verifications"] += 1

    def add_documents(self, plan) -> None:
        existing = set(Document.objects.filter(company__in=list(self.companies.values()))
                       .values_list("company_id", "outlet_id", "kind", "number"))
        new = []
        for spec in plan:
            company = self.companies[spec.npwp]
            owners = [(None, spec.legal_name, spec.documents)]
            owners += [(self.outlet(spec, o), o.name, o.documents) for o in spec.outlets]
            for outlet, owner_name, documents in owners:
                for doc in documents:
                    if doc.kind == DocumentKind.PRESS_COUNCIL_CERTIFICATE:
                        doc = self.certificate_as_stored(outlet, doc)
                        if doc is None:
                            continue
                    key = (company.pk, outlet.pk if outlet else None, doc.kind, doc.number)
                    if key not in existing:
                        existing.add(key)
                        new.append(self.document(company, outlet, owner_name, doc))
        # On insert the file field writes each file into private storage under a random name.
        self.new_documents = new
        Document.objects.bulk_create(new, batch_size=200)
        self.created["documents"] += len(new)

    def certificate_as_stored(self, outlet, doc: DocumentSpec) -> DocumentSpec | None:
        """The certificate document shows what the outlet's verification record says."""
        verification = self.verifications[outlet.pk]
        if not verification.certificate_number:
            return None
        return dataclasses.replace(doc, number=verification.certificate_number,
                                   issue_date=verification.certificate_date, expiry_date=verification.valid_until)

    def document(self, company, outlet, owner_name, spec: DocumentSpec) -> Document:
        title, stem = DOCUMENT_TITLES[spec.kind]
        if spec.image:
            data, content_type, filename = png_bytes(), PNG_CONTENT_TYPE, f"{stem}.png"
        else:
            lines = [owner_name, f"Nomor: {spec.number or '-'}", f"Tanggal: {spec.issue_date:%d-%m-%Y}"]
            if spec.expiry_date:
                lines.append(f"Berlaku sampai: {spec.expiry_date:%d-%m-%Y}")
            if spec.tax_year:
                lines.append(f"Tahun pajak: {spec.tax_year}")
            lines.append("DOKUMEN CONTOH (DEMO) - bukan dokumen asli")
            data, content_type = pdf_bytes(title, lines), PDF_CONTENT_TYPE
            filename = f"{stem}-{spec.tax_year or spec.issue_date.year}.pdf"
        decided = spec.review_status != ReviewStatus.PENDING
        return Document(
            company=company, outlet=outlet, kind=spec.kind, number=spec.number, issue_date=spec.issue_date,
            expiry_date=spec.expiry_date, tax_year=spec.tax_year,
            file=ContentFile(data, name=filename), original_filename=filename, content_type=content_type,
            size=len(data), review_status=spec.review_status, reviewed_at=spec.reviewed_at,
            reviewed_by=self.reviewer if decided else None, rejection_reason=spec.rejection_reason,
        )

    def discard_new_files(self) -> None:
        """After a failed run the rows are rolled back; remove the files they had already written."""
        for document in self.new_documents:
            if document.file and getattr(document.file, "_committed", False):
                document.file.storage.delete(document.file.name)


def check_npwps(plan: list[CompanySpec]) -> None:
    for spec in plan:
        if normalize_npwp(spec.npwp) != spec.npwp or is_nik_form(spec.npwp):
            raise CommandError(f"Demo NPWP {spec.npwp} of {spec.legal_name} is not a valid entity NPWP.")


class Command(BaseCommand):
    help = "Load the demo register (35 Jakarta press companies, 50 outlets, their documents). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo logins.")

    def handle(self, *args, no_users=False, **options):
        plan = PlanBuilder(timezone.localdate()).build()
        check_npwps(plan)
        with_users = settings.DEBUG and not no_users
        seeder = None
        try:
            # The audit trail names the job (PostgreSQL; the embedded SQLite default records none).
            with audit_context(actor=ACTOR), transaction.atomic():
                new_users = self.ensure_users() if with_users else []
                seeder = Seeder(reviewer=get_user_model().objects.filter(username="verifikator").first())
                seeder.apply(plan)
        except BaseException:
            if seeder is not None:
                seeder.discard_new_files()
            raise
        self.report(plan, seeder.created, new_users, with_users)
        if apps.is_installed("catalog"):
            # The registry is this app's; eligibility and listings are the catalog's to seed.
            from catalog.demo import seed_catalog_demo

            with audit_context(actor=ACTOR):
                counts = seed_catalog_demo()
            self.stdout.write("E-catalog: eligibility re-checked; new listings: "
                              + ", ".join(f"{n} {state}" for state, n in counts.items()))

    def ensure_users(self) -> list[str]:
        from mediareg.roles import ensure_roles

        ensure_roles()
        user_model = get_user_model()
        created = []
        for username, group_name, superuser in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                # The password is set only when the account is created; an existing one keeps its own.
                user = user_model(username=username, email=f"{username}@example.com", is_staff=True,
                                  is_superuser=superuser)
                user.set_password(username)
                user.save()
                created.append(username)
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
        return created

    def report(self, plan, created, new_users, with_users):
        outlets = sum(len(spec.outlets) for spec in plan)
        documents = Document.objects.filter(company__npwp__in=[spec.npwp for spec in plan]).count()
        details = ", ".join(f"{n} {what}" for what, n in created.items() if n)
        self.stdout.write(f"Demo data: {len(plan)} companies, {outlets} outlets, {documents} documents "
                          f"(created {sum(created.values())}{': ' + details if details else ''})")
        if with_users:
            note = f" (new: {', '.join(new_users)})" if new_users else ""
            self.stdout.write(f"Demo reviewers: verifikator / verifikator, auditor / auditor{note}")
            self.stdout.write(self.style.SUCCESS("Admin login: admin / admin at http://127.0.0.1:8000/admin/"))
        else:
            self.stdout.write("No demo logins were created (DEBUG is off or --no-users); "
                              "create an administrator with `manage.py createsuperuser`.")
