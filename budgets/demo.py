"""The budgets part of the demo data (mediareg.demo, for seed_demo): two agencies, their budgets since
2016, the listed demo outlets' price lists and orders in every status (docs/domain.md "Budgets and orders").

- Kominfotik DKI (a province): no media spending in 2016–2018 (the governor's policy), about Rp 15 billion
  in 2019, a refocusing cut of more than half in April 2020, about Rp 5 billion in 2021 after the second
  refocusing, an APBD-Perubahan increase in 2023, plausible amounts since.
- Diskominfo Banjar (a regency) copied the scheme after its visit to DKI in November 2021: a small budget
  from 2022.

Everything is written through budgets.services, as an officer would (the demo officer of the agency when
there are demo logins, else the job). The orders go back to 2019 while the catalog demo lists its outlets
today; catalog.demo.record_demo_history gives those listings a labelled demo history from
``DEMO_HISTORY_START``, so that order_place checks the orders as it checks any other (docs/domain.md,
"The demo").

Reproducible and idempotent: the plan comes from seeded random generators and fixed dates; an order is
identified by a request key derived from its agency, year and number, so a second run finds every order
and changes nothing. The current year's orders are those of its plan dated up to today (the first one is
never later than today), so the demo works on any day, 1 January and 31 December included. The outcome of
an order (paid, waiting for proof, ...) is decided by the run that places it: the most recent orders are
the unfinished ones.

Each agency's current year also has spend outside the catalog (a newspaper subscription, a press gathering
on Hari Pers Nasional, at DKI a DPRD publication), recorded through other_spend_record after the orders,
within the part of the budget the orders leave free, so that /transparency/ and the spend ledger show it.
"""

from __future__ import annotations

import datetime
import random
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.files.base import ContentFile
from django.db import models, transaction

from catalog.demo import record_demo_history
from catalog.eligibility import eligibility_on, listing_state_on
from catalog.models import ListingState
from catalog.tiers import Tier, tier_on
from partners.demo.files import pdf_bytes, png_bytes
from partners.demo.owners import SHARED_OWNER_NAME, shared_owner_companies
from partners.models import MediaOutlet, MediaType, OutletDomain

from . import services
from .controls.interests import ANSWER as INTEREST_ANSWER
from .controls.interests import interests_in_outlet
from .deadlines import DEFAULT_DEADLINES, ProofDeadlines, proof_deadline
from .models import (
    Agency,
    AgencyStaff,
    Budget,
    BudgetRevision,
    ConflictHandling,
    DeclaredInterest,
    InterestRelation,
    InterestRole,
    MediaOrder,
    OtherSpend,
    OtherSpendKind,
    PriceItem,
    PriceStatus,
    ProductKind,
    ReferencePrice,
    RevisionReason,
)
from .selectors import proof_overdue_orders
from .services.flags import waiting_flags

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
FIRST_BUDGET_YEAR = 2016
# The start of the demo's order history (see catalog.demo.record_demo_history): the first working day
# of 2019, the first year of the demo with media spending.
DEMO_HISTORY_START = datetime.datetime(2019, 1, 2, 9, 0, tzinfo=JAKARTA)
FIRST_PRICE_DAY = datetime.date(2019, 1, 1)
PRICE_CHANGE_DAY = datetime.date(2023, 1, 1)
# Orders are dated between these days of their year, so that their service and payment fit in the year.
ORDERS_FROM, ORDERS_UNTIL = (1, 6), (11, 20)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "demo-orders.mediareg.invalid")  # for the demo orders' request keys


@dataclass(frozen=True)
class OtherSpendSpec:
    """Spend outside the catalog in an agency's current year, dated ``month``/``day`` (or today, if earlier)."""

    kind: str
    month: int
    day: int
    amount: int
    recipient: str  # empty: the first listed demo print outlet (a subscription to it)
    description: str


OTHER_SPEND = {
    "kominfotik-dki": (
        OtherSpendSpec(OtherSpendKind.SUBSCRIPTION, 1, 6, 48_000_000, "",
                       "Langganan surat kabar harian, 40 eksemplar untuk ruang baca dan pimpinan, satu tahun"),
        OtherSpendSpec(OtherSpendKind.PRESS_GATHERING, 2, 9, 85_000_000, "Panitia Hari Pers Nasional Jakarta",
                       "Jamuan dan sewa tempat pertemuan wartawan pada Hari Pers Nasional"),
        OtherSpendSpec(OtherSpendKind.LEGISLATURE_PUBLICATION, 3, 16, 150_000_000,
                       "Sekretariat DPRD Provinsi DKI Jakarta",
                       "Publikasi kegiatan DPRD di media cetak dan daring (titipan pos Sekretariat DPRD)"),
    ),
    "diskominfo-banjar": (
        OtherSpendSpec(OtherSpendKind.SUBSCRIPTION, 1, 8, 12_000_000, "",
                       "Langganan surat kabar harian untuk kantor bupati, satu tahun"),
        OtherSpendSpec(OtherSpendKind.PRESS_GATHERING, 2, 9, 20_000_000, "PWI Kabupaten Banjar",
                       "Silaturahmi wartawan pada Hari Pers Nasional"),
    ),
}

POLICY_OFF_REFERENCE = "Instruksi Gubernur: tanpa belanja iklan media berbayar (contoh demo)"
POLICY_OFF_NOTE = ("Sejak Desember 2014 gubernur meminta SKPD berhenti membeli iklan layanan masyarakat di "
                   "televisi; pada tahun ini pos belanja media tidak diisi dan tidak ada pesanan. Rujukan "
                   "ini contoh untuk demo, bukan nomor keputusan yang sebenarnya.")


@dataclass(frozen=True)
class RevisionSpec:
    amount_after: int
    reason: str
    revised_on: datetime.date
    reference: str
    note: str = ""


@dataclass(frozen=True)
class BudgetSpec:
    year: int
    amount: int  # the original amount (murni)
    spending_allowed: bool = True
    policy_reference: str = ""
    policy_note: str = ""
    revisions: tuple[RevisionSpec, ...] = ()
    spend_share: float = 0.9  # the year's orders as a share of its smallest amount

    @property
    def smallest_amount(self) -> int:
        return min([self.amount, *(r.amount_after for r in self.revisions)])


@dataclass(frozen=True)
class AgencySpec:
    slug: str
    name: str
    short_name: str
    kind: str
    region_code: str
    code: str  # in the demo's e-catalog and payment references
    first_year: int
    budget: Callable[[int], BudgetSpec]
    orders_per_year: int  # about how many orders share a year's spend
    unfinished: tuple[str, ...]  # the outcomes of its most recent orders, newest first
    conflict_handling: str = ConflictHandling.REFUSE
    declares_interest: bool = False  # the DPRD member who owns demo outlets (partners.demo.owners)


def dki_budget(year: int) -> BudgetSpec:
    if year <= 2018:
        return BudgetSpec(year, 0, spending_allowed=False, policy_reference=POLICY_OFF_REFERENCE,
                          policy_note=POLICY_OFF_NOTE)
    if year == 2020:
        return BudgetSpec(year, 16_500_000_000, revisions=(RevisionSpec(
            6_600_000_000, RevisionReason.REFOCUSING, datetime.date(2020, 4, 17),
            "SKB Mendagri dan Menkeu 119/2813/SJ, 177/KMK.07/2020 (9 April 2020)",
            "Refocusing dan realokasi untuk penanganan COVID-19: belanja barang dan jasa dipotong "
            "sekurang-kurangnya 50%."),))
    if year == 2021:
        return BudgetSpec(year, 6_000_000_000, spend_share=0.93, revisions=(RevisionSpec(
            5_000_000_000, RevisionReason.REFOCUSING, datetime.date(2021, 3, 1),
            "PMK 17/PMK.07/2021 dan SE-2/PK/2021 (8 Februari 2021)",
            "8% DAU dicadangkan untuk penanganan COVID-19 dan vaksinasi."),))
    if year == 2023:
        return BudgetSpec(year, 9_000_000_000, revisions=(RevisionSpec(
            10_000_000_000, RevisionReason.AMENDMENT, datetime.date(2023, 9, 25),
            "Perda Perubahan APBD 2023 (contoh demo)", "Tambahan untuk sosialisasi Pemilu 2024."),))
    amounts = {2019: 15_000_000_000, 2022: 7_500_000_000, 2024: 10_500_000_000, 2025: 9_500_000_000}
    return BudgetSpec(year, amounts.get(year, 10_000_000_000), spend_share=0.94 if year == 2019 else 0.9)


def banjar_budget(year: int) -> BudgetSpec:
    amounts = {2022: 600_000_000, 2023: 750_000_000, 2024: 850_000_000, 2025: 900_000_000}
    return BudgetSpec(year, amounts.get(year, 950_000_000), spend_share=0.85)


AGENCIES = (
    AgencySpec("kominfotik-dki", "Dinas Komunikasi, Informatika dan Statistik Provinsi DKI Jakarta",
               "Kominfotik DKI", Agency.Kind.PROVINCE, "31", "DKI", FIRST_BUDGET_YEAR, dki_budget, 6,
               ("committed", "committed", "proof_pending", "proof_rejected", "accepted", "overdue", "late")),
    AgencySpec("diskominfo-banjar", "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Banjar",
               "Diskominfo Banjar", Agency.Kind.REGENCY, "63.03", "BJR", 2022, banjar_budget, 3,
               ("committed", "proof_pending", "accepted"), conflict_handling=ConflictHandling.SECOND_APPROVAL,
               declares_interest=True),
)

# What each kind of outlet sells: (kind, description, unit, lowest and highest unit price, largest quantity
# of one order). Prices of Jakarta media; each outlet's own price is drawn between the two.
PRODUCTS = {
    MediaType.ONLINE: (
        (ProductKind.ADVERTORIAL, "Advertorial 500-700 kata dengan 2 foto", "artikel", 12_500_000, 25_000_000, 96),
        (ProductKind.BANNER, "Banner 300x250 di halaman depan", "bulan", 20_000_000, 40_000_000, 12),
        (ProductKind.SOCIAL_POST, "Unggahan di Instagram dan X", "unggahan", 3_000_000, 7_500_000, 150),
        (ProductKind.VIDEO, "Video liputan 2-3 menit", "video", 25_000_000, 45_000_000, 36),
    ),
    MediaType.PRINT: (
        (ProductKind.ADVERTORIAL, "Advertorial 1/2 halaman berwarna", "penerbitan", 35_000_000, 70_000_000, 104),
        (ProductKind.PRINT_AD, "Iklan display 1/4 halaman", "penerbitan", 15_000_000, 30_000_000, 104),
    ),
    MediaType.TELEVISION: (
        (ProductKind.TV_SPOT, "Iklan layanan masyarakat 30 detik", "spot", 12_500_000, 25_000_000, 300),
        (ProductKind.VIDEO, "Liputan khusus atau talkshow 30 menit", "tayangan", 75_000_000, 150_000_000, 48),
    ),
    MediaType.RADIO: (
        (ProductKind.RADIO_SPOT, "Iklan layanan masyarakat 60 detik", "spot", 1_000_000, 2_500_000, 600),
        (ProductKind.ADVERTORIAL, "Dialog interaktif 60 menit", "siaran", 7_500_000, 15_000_000, 96),
    ),
}
# How much of an agency's spend each kind of outlet tends to get.
TYPE_WEIGHT = {MediaType.TELEVISION: 4.0, MediaType.ONLINE: 3.0, MediaType.PRINT: 2.0, MediaType.RADIO: 1.5}
TOPICS = ("Jakarta Sehat", "Pencegahan banjir", "Transportasi umum terintegrasi", "Layanan Jakarta Kini",
          "Pembayaran pajak daerah", "Pengelolaan sampah", "Ruang terbuka hijau", "Festival budaya Betawi")
YEAR_TOPICS = {2020: "Pencegahan COVID-19", 2021: "Vaksinasi COVID-19", 2024: "Pemilu 2024"}
# Reference prices (Standar Harga Satuan) from the year Kaltim's Pergub 49/2024 set tiers; the demo's own numbers.
REFERENCE_PRICES_FROM = 2024
REFERENCE_SOURCE = "Pergub Standar Harga Satuan %(year)s, lampiran belanja jasa iklan (contoh demo)"
PREMIUM_NAME = "Advertorial premium di halaman utama selama 7 hari"
PREMIUM_REASON = ("Penempatan di halaman utama selama tujuh hari dengan pembaca dua kali rata-rata media daring "
                  "sejenis; di atas batas atas SHS, disetujui dengan pertimbangan jangkauan.")
NEGOTIATED_ORDER_KEY = uuid.uuid5(NAMESPACE, "reference-price:negotiated-order")
PROOF_REJECTED = "Tangkapan layar tidak menampilkan tanggal tayang; kirim ulang bukti yang lengkap."
CANCELLED = "Acara diundur ke tahun berikutnya; pesanan dibatalkan sebelum tayang."
LATE_REASON = ("Redaksi terlambat mengirim tangkapan layar karena pergantian staf; tayang sesuai jadwal, "
               "terlihat di arsip situs.")
# Outcomes that leave the order's proof unresolved: once its deadline passes, the outlet gets no new order from
# the agency (budgets.controls.overdue_proof), so they go only to an outlet's last planned order of the agency.
UNRESOLVED = ("committed", "proof_rejected", "overdue")


@dataclass
class OrderPlan:
    agency: AgencySpec
    year: int
    number: int
    outlet: MediaOutlet
    product: tuple  # an entry of PRODUCTS
    quantity: int
    order_date: datetime.date
    service_days: int
    cancelled: bool
    outcome: str = "paid"

    @property
    def request_key(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.agency.slug}:{self.year}:{self.number}")

    @property
    def service_start(self) -> datetime.date:
        return self.order_date + datetime.timedelta(days=self.number % 4)

    @property
    def service_end(self) -> datetime.date:
        return min(self.service_start + datetime.timedelta(days=self.service_days),
                   datetime.date(self.year, 12, 31))


@dataclass
class BudgetsDemoResult:
    agencies: int = 0
    budgets: int = 0
    price_items: int = 0
    orders: int = 0
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: list[str] = field(default_factory=list)  # planned orders that the rules refused, with why
    # Planned orders not placed because the outlet owes the agency an overdue proof (an earlier run's order
    # was left without proof): the proof deadline control at work, not a fault of the plan.
    held_back: list[str] = field(default_factory=list)
    officers: dict[str, str] = field(default_factory=dict)  # user name: agency


def seed_budgets_demo(*, today: datetime.date, actor: str, officers: dict | None = None) -> BudgetsDemoResult:
    """Write the budgets demo where it is missing. ``officers`` maps an agency's slug to the demo login
    that works for it (attached here, and named as the one who placed its orders)."""
    result = BudgetsDemoResult()
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            _seed(today, actor, officers or {}, result, stored_files)
    except BaseException:
        storage = MediaOrder._meta.get_field("proof_file").storage
        for name in stored_files:  # proof files of a run that left no rows
            storage.delete(name)
        raise
    return result


def _seed(today, actor, officers, result, stored_files) -> None:
    outlet_ids = record_demo_history(since=DEMO_HISTORY_START, actor=actor)
    outlets = list(MediaOutlet.objects.filter(pk__in=outlet_ids).order_by("pk"))
    domains = dict(OutletDomain.objects.filter(outlet__in=outlets, is_primary=True)
                   .values_list("outlet_id", "domain"))
    reviewer = next(iter(officers.values()), None)
    prices = _price_lists(outlets, today, reviewer, result)
    existing = set(MediaOrder.objects.filter(budget__agency__slug__in=[a.slug for a in AGENCIES])
                   .values_list("request_key", flat=True))
    for spec in AGENCIES:
        agency, created = Agency.objects.get_or_create(slug=spec.slug, defaults={
            "name": spec.name, "short_name": spec.short_name, "kind": spec.kind, "region_code": spec.region_code,
            "conflict_handling": spec.conflict_handling})
        result.created["agencies"] += created
        officer = officers.get(spec.slug)
        if officer is not None:
            membership, joined = AgencyStaff.objects.get_or_create(user=officer, defaults={"agency": agency})
            if membership.agency_id == agency.pk:
                result.officers[officer.get_username()] = str(agency)
            else:
                officer = None  # works for another agency: the demo places this agency's orders as the job
        budgets = _budgets(agency, spec, today, officer, result)
        _reference_prices(budgets, prices, officer, result)
        declared = _declare_interest(agency, spec, outlets, today, officer, result)
        # The agency orders from a declared outlet only as the held order below: its plan leaves them out.
        plans = _order_plans(spec, [o for o in outlets if o.pk not in declared], prices, budgets, today,
                              ProofDeadlines.of(agency))
        _place(agency, spec, plans, budgets, prices, domains, existing, today, officer, result, stored_files)
        _other_spend(agency, spec, budgets, outlets, today, officer, result, stored_files)
        if declared:
            _held_order(agency, spec, outlets, declared, prices, budgets, existing, today, officer, result)
    _above_the_reference(outlets, today, officers, result)
    _integrity_cases(outlets, prices, today, officers, result)
    result.agencies = Agency.objects.filter(slug__in=[a.slug for a in AGENCIES]).count()
    result.budgets = Budget.objects.filter(agency__slug__in=[a.slug for a in AGENCIES]).count()
    result.price_items = PriceItem.objects.filter(outlet__in=outlets).count()
    result.orders = MediaOrder.objects.filter(budget__agency__slug__in=[a.slug for a in AGENCIES]).count()


# --- price lists ----------------------------------------------------------------------------------------

def _price_lists(outlets, today, reviewer, result) -> dict[tuple, list[PriceItem]]:
    """Every listed demo outlet's products, approved from 2019; a third of them raised one price from
    2023 (orders before keep the old one); two outlets sent a new price that waits for approval and one
    whose price was rejected. Returns the approved items by (outlet id, kind, description), oldest first."""
    have = set(PriceItem.objects.filter(outlet__in=outlets).values_list("outlet_id", "kind", "name", "valid_from"))
    sent_by_outlet = set(PriceItem.objects.filter(outlet__in=outlets, source=PriceItem.Source.OUTLET)
                         .values_list("outlet_id", "kind", "name"))
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    for position, outlet in enumerate(outlets):
        rng = random.Random(f"mediareg-demo-prices:{outlet.name}")
        for index, (kind, name, unit, low, high, _most) in enumerate(PRODUCTS[outlet.media_type]):
            price = _round_price(rng.uniform(low, high))
            versions = [(FIRST_PRICE_DAY, price)]
            if index == 0 and position % 3 == 0:
                versions.append((PRICE_CHANGE_DAY, _round_price(price * 1.1)))
            for valid_from, unit_price in versions:
                if (outlet.pk, kind, name, valid_from) in have:
                    continue
                item = services.price_submit(outlet, kind=kind, name=name, unit=unit, unit_price=unit_price,
                                             valid_from=valid_from)
                services.price_approve(item, user=reviewer)
                result.created["price items"] += 1
            if index == 0 and position in (1, 4, 6) and (outlet.pk, kind, name) not in sent_by_outlet:
                raise_by = 1.6 if position == 6 else 1.08
                item = services.price_submit(outlet, kind=kind, name=name, unit=unit,
                                             unit_price=_round_price(versions[-1][1] * raise_by),
                                             valid_from=next_month, source=PriceItem.Source.OUTLET)
                if position == 6:
                    services.price_reject(item, user=reviewer, reason="Kenaikan 60% tidak didukung daftar harga "
                                                                      "media sejenis; ajukan ulang dengan rincian.")
                result.created["price items"] += 1
    approved = defaultdict(list)
    for item in PriceItem.objects.filter(outlet__in=outlets, status=PriceStatus.APPROVED).order_by("valid_from"):
        approved[(item.outlet_id, item.kind, item.name)].append(item)
    return approved


def _round_price(value: float) -> int:
    return max(250_000, round(value / 250_000) * 250_000)


def _price_on(items: list[PriceItem], day: datetime.date) -> PriceItem | None:
    return next((item for item in reversed(items) if item.valid_on(day)), None)


# --- budgets --------------------------------------------------------------------------------------------

def _budgets(agency, spec: AgencySpec, today, officer, result) -> dict[int, tuple[Budget, BudgetSpec]]:
    """The agency's budgets from its first year to this one, with their revisions (added later, in date
    order among the orders, see _place)."""
    stored = {budget.year: budget for budget in Budget.objects.filter(agency=agency)}
    budgets = {}
    for year in range(spec.first_year, today.year + 1):
        plan = spec.budget(year)
        budget = stored.get(year)
        if budget is None:
            budget = services.budget_create(agency, year=year, original_amount=plan.amount, user=officer,
                                            spending_allowed=plan.spending_allowed,
                                            policy_reference=plan.policy_reference, policy_note=plan.policy_note)
            result.created["budgets"] += 1
        budgets[year] = (budget, plan)
    return budgets


# --- reference prices (docs/domain.md "Tiers and reference prices") ---------------------------------------

def _ceil_price(numerator: int, denominator: int = 1) -> int:
    """numerator ÷ denominator rupiah rounded up to Rp 250.000, in whole numbers (money is never a float)."""
    step = 250_000 * denominator
    return max(250_000, -(-numerator // step) * 250_000)


def _reference_prices(budgets, prices, officer, result) -> None:
    """From REFERENCE_PRICES_FROM, each spending year's Standar Harga Satuan per kind of product and tier: tier A's
    reference is the highest demo price of the kind, so that every planned order stays within it; B and C get
    the same figures (the demo's listed outlets are all factually verified). The upper bound is a quarter
    above."""
    highest = defaultdict(int)
    for (_outlet_id, kind, _name), items in prices.items():
        highest[kind] = max(highest[kind], *(item.unit_price for item in items))
    for year, (budget, plan) in sorted(budgets.items()):
        if year < REFERENCE_PRICES_FROM or not plan.spending_allowed:
            continue
        have = set(ReferencePrice.objects.filter(budget=budget).values_list("kind", "tier"))
        for kind, price in sorted(highest.items()):
            for tier in Tier.values:
                if (kind, tier) in have:
                    continue
                services.reference_price_save(
                    budget, kind=kind, tier=tier, reference_price=_ceil_price(price),
                    upper_bound=_ceil_price(price * 5, 4), source_reference=REFERENCE_SOURCE % {"year": year},
                    user=officer)
                result.created["reference prices"] += 1


def _above_the_reference(outlets, today, officers, result) -> None:
    """Once: a premium advertorial priced above every agency's upper bound, approved with a reason, and one order
    of it by the first agency at a negotiated price, so that both show in the exceptions report."""
    agency_spec = AGENCIES[0]
    officer = officers.get(agency_spec.slug)
    budget = Budget.objects.filter(agency__slug=agency_spec.slug, year=today.year).first()
    # An online outlet that owes the agency no proof (budgets.controls.overdue_proof would refuse the order).
    owing = set(proof_overdue_orders(today).filter(budget__agency__slug=agency_spec.slug)
                .values_list("outlet_id", flat=True))
    outlet = next((o for o in outlets if o.media_type == MediaType.ONLINE and o.pk not in owing), None)
    if budget is None or outlet is None or MediaOrder.objects.filter(request_key=NEGOTIATED_ORDER_KEY).exists():
        return
    tier = tier_on(outlet.pk, today)
    bounds = ReferencePrice.objects.filter(budget__year=today.year, kind=ProductKind.ADVERTORIAL, tier=tier)
    reference = bounds.filter(budget=budget).first()
    if reference is None:
        return
    highest_bound = max(bound.upper_bound for bound in bounds)
    item = PriceItem.objects.filter(outlet=outlet, name=PREMIUM_NAME).first()
    if item is None:
        item = services.price_submit(outlet, kind=ProductKind.ADVERTORIAL, name=PREMIUM_NAME, unit="artikel",
                                     unit_price=_ceil_price(highest_bound * 11, 10), valid_from=today.replace(day=1))
        item = services.price_approve(item, user=officer, reason=PREMIUM_REASON)
        result.created["price items"] += 1
    agreed = _ceil_price(reference.reference_price + item.unit_price, 2)
    services.order_place(
        budget=budget, price_item=item, quantity=2, order_date=today, service_start=today,
        service_end=min(today + datetime.timedelta(days=7), datetime.date(today.year, 12, 31)), user=officer,
        request_key=NEGOTIATED_ORDER_KEY, today=today, ecatalog_reference=f"EKAT-{agency_spec.code}-{today.year}-NEGO",
        description=f"{PREMIUM_NAME}: Layanan Jakarta Kini",
        answers={"negotiation": {"offered": item.unit_price, "agreed": agreed,
                                 "agency_negotiator": "Rina Kusumawati",
                                 "outlet_negotiator": "Budi Santoso", "negotiated_on": today}})
    result.created["orders"] += 1


# --- orders ---------------------------------------------------------------------------------------------

def _order_plans(spec: AgencySpec, outlets, prices, budgets, today,
                 deadlines: ProofDeadlines = DEFAULT_DEADLINES) -> list[OrderPlan]:
    """Each year's orders, up to about its spend share of the budget, over the year and in turn over the
    listed outlets (one of them left out, for the fair-distribution list), television and online with
    the larger orders; only those dated up to today. The most recent ones are unfinished
    (spec.unfinished), about one in nine is cancelled."""
    plans = []
    for year, (_budget, budget_spec) in sorted(budgets.items()):
        if not budget_spec.spending_allowed or year < DEMO_HISTORY_START.year or len(outlets) < 2:
            continue
        rng = random.Random(f"mediareg-demo-orders:{spec.slug}:{year}")
        turn = [outlet for outlet in outlets if outlet != outlets[year % len(outlets)]]
        rng.shuffle(turn)
        mean_weight = sum(TYPE_WEIGHT[o.media_type] for o in turn) / len(turn)
        target = int(budget_spec.smallest_amount * budget_spec.spend_share)
        year_plans, total = [], 0
        while total < target and len(year_plans) < 60:
            number = len(year_plans)
            outlet = turn[number % len(turn)]
            product = rng.choice(PRODUCTS[outlet.media_type])
            kind, name, _unit, _low, _high, most = product
            # The highest of the product's prices, so that the plan stays within the budget.
            unit_price = prices[(outlet.pk, kind, name)][-1].unit_price
            size = target / spec.orders_per_year * TYPE_WEIGHT[outlet.media_type] / mean_weight
            quantity = max(1, min(most, round(size * rng.uniform(0.5, 1.5) / unit_price)))
            quantity = min(quantity, (target - total) // unit_price)
            if quantity < 1:
                break
            cancelled = number % 9 == 4
            year_plans.append(OrderPlan(spec, year, number, outlet, product, quantity, order_date=None,
                                        service_days=rng.choice((7, 14, 30, 60)), cancelled=cancelled))
            if not cancelled:
                total += quantity * unit_price
        first, last = (datetime.date(year, *ORDERS_FROM), datetime.date(year, *ORDERS_UNTIL))
        step = (last - first).days / max(1, len(year_plans))
        for plan in year_plans:
            plan.order_date = first + datetime.timedelta(days=int((plan.number + rng.random() * 0.8) * step))
        if year == today.year and year_plans:
            year_plans[0].order_date = min(year_plans[0].order_date, today)
        plans.extend(p for p in year_plans if p.order_date <= today)
    placed_in = lambda p: (p.order_date, p.year, p.number)  # noqa: E731 (the order _place places them in)
    live = sorted((p for p in plans if not p.cancelled), key=placed_in, reverse=True)
    last_to = {}  # each outlet's last planned order, cancelled ones included (they are placed too)
    for plan in sorted(plans, key=placed_in):
        last_to[plan.outlet.pk] = plan
    for outcome in spec.unfinished:
        plan = next((p for p in live if p.outcome == "paid" and _may_end_as(p, outcome, last_to, today, deadlines)),
                    None)
        if plan is not None:
            plan.outcome = outcome
    for plan in plans:
        if plan.cancelled:
            plan.outcome = "cancelled"
    return plans


def plan_deadline(plan: OrderPlan, deadlines: ProofDeadlines) -> datetime.date:
    return proof_deadline(plan.outlet.media_type, plan.outlet.publication_frequency, plan.service_end, deadlines)


def _may_end_as(plan: OrderPlan, outcome: str, last_to: dict, today, deadlines: ProofDeadlines) -> bool:
    """An order left without proof is its outlet's last of the agency (a later one would be refused); an
    overdue one and a late claim are past their deadline today."""
    if outcome in UNRESOLVED and last_to[plan.outlet.pk] is not plan:
        return False
    if outcome in ("overdue", "late"):
        return plan_deadline(plan, deadlines) < today
    return True


def _place(agency, spec, plans, budgets, prices, domains, existing, today, officer, result, stored_files) -> None:
    """Place the planned orders that are missing, in date order with the budgets' revisions, and take
    each new order to its planned outcome through the services."""
    revised = set(BudgetRevision.objects.filter(budget__agency=agency).values_list("budget_id", "reference"))
    events = [(plan.order_date, 1, plan) for plan in plans]
    for budget, budget_spec in budgets.values():
        events.extend((revision.revised_on, 0, (budget, revision)) for revision in budget_spec.revisions
                      if revision.revised_on <= today)
    for _day, is_order, event in sorted(events, key=lambda e: (e[0], e[1], getattr(e[2], "number", 0))):
        if not is_order:
            budget, revision = event
            if (budget.pk, revision.reference) not in revised:
                services.budget_revise(budget, amount_after=revision.amount_after, reason=revision.reason,
                                       reference=revision.reference, revised_on=revision.revised_on,
                                       note=revision.note, user=officer)
                result.created["revisions"] += 1
            continue
        plan = event
        if plan.request_key in existing:
            continue
        kind, name, *_rest = plan.product
        item = _price_on(prices[(plan.outlet.pk, kind, name)], plan.order_date)
        try:
            order = services.order_place(
                budget=budgets[plan.year][0], price_item=item, quantity=plan.quantity, order_date=plan.order_date,
                service_start=plan.service_start, service_end=plan.service_end, user=officer,
                request_key=plan.request_key, today=today,
                ecatalog_reference=f"EKAT-{spec.code}-{plan.year}-{plan.number + 1:04d}",
                description=f"{name}: {YEAR_TOPICS.get(plan.year) or TOPICS[plan.number % len(TOPICS)]}")
        except services.BudgetRefused as refusal:
            held = getattr(refusal, "code", "") == "proof_overdue"
            (result.held_back if held else result.refused).append(
                f"{agency} {plan.year} #{plan.number + 1}: {refusal.messages[0]}")
            continue
        result.created["orders"] += 1
        _follow(order, plan, domains.get(plan.outlet.pk), today, officer, stored_files)


def _other_spend(agency, spec, budgets, outlets, today, officer, result, stored_files) -> None:
    """The current year's spend outside the catalog that is missing, each identified by a request key from its
    agency, year and number (so a second run finds it)."""
    if today.year not in budgets or not budgets[today.year][1].spending_allowed:
        return
    budget = budgets[today.year][0]
    newspaper = next((outlet for outlet in outlets if outlet.media_type == MediaType.PRINT), None)
    for number, entry in enumerate(OTHER_SPEND.get(spec.slug, ())):
        key = uuid.uuid5(NAMESPACE, f"{spec.slug}:{today.year}:other:{number}")
        if OtherSpend.objects.filter(request_key=key).exists():
            continue
        day = min(datetime.date(today.year, entry.month, entry.day), today)
        outlet = newspaper if not entry.recipient else None
        reference = f"SP2D {number + 1:04d}/LS-LAIN/{spec.code}/{today.year}"
        receipt = ContentFile(pdf_bytes(f"Kuitansi {entry.recipient or (outlet.name if outlet else '')}",
                                        [entry.description, reference]), name="kuitansi.pdf")
        try:
            spend = services.other_spend_record(
                budget=budget, kind=entry.kind, description=entry.description,
                recipient=entry.recipient or ("" if outlet else "Harian Umum Lokal"), outlet=outlet,
                amount=entry.amount, spent_on=day, reference=reference, evidence_file=receipt, user=officer,
                request_key=key, today=today)
        except services.BudgetRefused as refusal:
            result.refused.append(f"{agency} {today.year} spend outside the catalog #{number + 1}: "
                                  f"{refusal.messages[0]}")
            continue
        stored_files.append(spend.evidence_file.name)
        result.created["spend outside the catalog"] += 1


def _follow(order: MediaOrder, plan: OrderPlan, domain: str | None, today, officer, stored_files) -> None:
    if plan.outcome == "cancelled":
        services.order_cancel(order, reason=CANCELLED, user=officer,
                              today=min(today, plan.order_date + datetime.timedelta(days=5)))
        return
    if plan.outcome in ("committed", "overdue"):
        return
    # Online outlets show the link; radio, television and print send a broadcast log or a scan, and proof
    # that waits for review always comes with a screenshot for staff to open.
    proof = None
    if not domain or plan.outcome == "proof_pending":
        if plan.outlet.media_type == MediaType.ONLINE or plan.outcome == "proof_pending":
            proof = ContentFile(png_bytes(), name="tangkapan-layar.png")
        else:
            proof = ContentFile(pdf_bytes(f"Bukti tayang {plan.outlet.name}",
                                          [f"Pesanan {order.ecatalog_reference}", order.description]),
                                name="bukti-tayang.pdf")
    url = f"https://{domain}/berita/{plan.year}/{order.ecatalog_reference.lower()}" if domain else ""
    # Filed the day after the service ended (or today, for a service not over yet), within its deadline; the
    # late claim three days after its deadline, with its reason (held for a second approver).
    filed = min(today, plan.service_end + datetime.timedelta(days=1))
    late = plan.outcome == "late"
    if late:
        filed = min(today, order.proof_due_on + datetime.timedelta(days=3))
    order = services.order_publish(order, published_url=url, proof_file=proof, user=officer, today=filed,
                                   late_reason=LATE_REASON if late else "")
    if order.proof_file:
        stored_files.append(order.proof_file.name)
    if plan.outcome == "proof_pending":
        return
    accept = plan.outcome != "proof_rejected"
    order = services.order_review_proof(order, accept=accept, user=officer, reason="" if accept else PROOF_REJECTED)
    if plan.outcome == "paid" and not waiting_flags(order).exists():  # a held order waits for its approver
        paid_on = min(plan.service_end + datetime.timedelta(days=10), datetime.date(plan.year, 12, 30), today)
        services.order_pay(order, paid_on=max(paid_on, plan.order_date), user=officer, today=today,
                           reference=f"SP2D {plan.number + 1:04d}/LS/{plan.agency.code}/{plan.year}")


# --- a declared interest and the order it holds (docs/domain.md "Owners and conflicts of interest") ------------

INTEREST_REFERENCE = "Formulir pernyataan kepentingan 01/DPRD-BJR (contoh demo)"
INTEREST_NOTE = ("Anggota DPRD yang menjadi pemilik manfaat dua perusahaan pers demo dengan rekening bank yang sama; "
                 "contoh demo, bukan orang sebenarnya.")
HELD_REASON = ("Satu-satunya media yang meliput langsung Musrenbang kecamatan; disetujui kepala dinas secara lisan, "
               "menunggu persetujuan kedua PPK.")


def _declare_interest(agency, spec: AgencySpec, outlets, today, officer, result) -> set[int]:
    """For an agency that declares one: the DPRD member who is the shared beneficial owner of two demo companies
    (partners.demo.owners) declares the first of their outlets. Returns the ids of the listed demo outlets
    connected to the agency's declared interests (its own, by company or by the owner's name)."""
    if not spec.declares_interest:
        return set()
    companies = shared_owner_companies()
    owned = [outlet for outlet in outlets if outlet.company_id in companies]
    if owned and not DeclaredInterest.objects.filter(agency=agency, person_name=SHARED_OWNER_NAME).exists():
        interest = DeclaredInterest(agency=agency, person_name=SHARED_OWNER_NAME, role=InterestRole.LEGISLATOR,
                                    position="Anggota Komisi I DPRD Kabupaten Banjar",
                                    relation=InterestRelation.SELF, declared_on=datetime.date(today.year, 1, 2),
                                    reference=INTEREST_REFERENCE, note=INTEREST_NOTE)
        services.interest_save(interest, outlets=owned[:1], companies=[], user=officer)
        result.created["declared interests"] += 1
    return {outlet.pk for outlet in outlets if interests_in_outlet(agency.pk, outlet, today)}


def _held_order(agency, spec, outlets, declared, prices, budgets, existing, today, officer, result) -> None:
    """One order of this year to a declared outlet, with the officer's reason: placed, held for a second
    approver (the agency's policy), and unpaid until the PPK approves it."""
    key = uuid.uuid5(NAMESPACE, f"{spec.slug}:{today.year}:declared-interest")
    if key in existing or today.year not in budgets:
        return
    outlet = next(o for o in outlets if o.pk in declared)
    items = [item for (outlet_id, _kind, _name), versions in prices.items() if outlet_id == outlet.pk
             for item in versions if item.valid_on(today)]
    if not items:
        return
    item = min(items, key=lambda i: i.unit_price)
    try:
        services.order_place(
            budget=budgets[today.year][0], price_item=item, quantity=1, order_date=today, service_start=today,
            service_end=min(today + datetime.timedelta(days=7), datetime.date(today.year, 12, 31)), user=officer,
            request_key=key, today=today, ecatalog_reference=f"EKAT-{spec.code}-{today.year}-KEP",
            description=f"{item.name}: Musrenbang kecamatan", answers={INTEREST_ANSWER: HELD_REASON})
    except services.BudgetRefused as refusal:
        held = getattr(refusal, "code", "") == "proof_overdue"  # the outlet owes a proof: the control at work
        (result.held_back if held else result.refused).append(
            f"{agency} {today.year} (declared interest): {refusal.messages[0]}")
        return
    result.created["orders"] += 1


# --- integrity controls (docs/domain.md "Integrity controls") -------------------------------------------

NEGOTIATED = "Harga negosiasi untuk pemerintah kabupaten (contoh demo)."
ABOVE_OTHERS = "Liputan eksklusif di halaman utama; media menolak harga kabupaten (contoh demo)."


def _integrity_cases(outlets, prices, today, officers, result) -> None:
    """This year's cases of the issue-14 controls, so that they show on the staff home and in the exceptions
    report (idempotent, by request keys and by the quotas already set):

    - price comparison: Diskominfo Banjar negotiated half the list price of an outlet's cheapest product;
      Kominfotik DKI then orders it at the list price, more than 1.5× Banjar's, and the order is held for a
      second approver (DKI's earlier orders of it this year are in the exceptions report);
    - a quota: Banjar caps the orders per outlet of the media type of the outlet its plan leaves out this
      year, at the most any outlet of that type gets in the whole year's plan (so no planned order is ever
      refused); that outlet gets as many orders now, at its limit, nearing its quota on the staff home;
    - last year's quota, set after the year's orders, that the outlet Banjar paid most exceeds: a row of the
      exceptions report.
    """
    by_slug = {budget.agency.slug: budget for budget in Budget.objects.select_related("agency")
               .filter(agency__slug__in=[a.slug for a in AGENCIES], year=today.year)}
    dki, banjar = by_slug.get(AGENCIES[0].slug), by_slug.get(AGENCIES[1].slug)
    if dki is None or banjar is None or len(outlets) < 3 or not (dki.spending_allowed and banjar.spending_allowed):
        return
    left_out = outlets[today.year % len(outlets)]  # as _order_plans leaves it out this year
    day, end = today, min(today + datetime.timedelta(days=7), datetime.date(today.year, 12, 31))

    def order(budget, key, item, *, officer, amount=None, reason="", answers=None):
        request_key = uuid.uuid5(NAMESPACE, f"{budget.agency.slug}:{budget.year}:{key}")
        if MediaOrder.objects.filter(request_key=request_key).exists():
            return
        try:
            services.order_place(budget=budget, price_item=item, quantity=1, order_date=day, service_start=day,
                                 service_end=end, user=officer, request_key=request_key, today=today, amount=amount,
                                 override_reason=reason, answers=answers,
                                 ecatalog_reference=f"EKAT-{budget.year}-{key.upper()}",
                                 description=f"{item.name}: {TOPICS[0]}")
        except services.BudgetRefused as refusal:
            result.refused.append(f"{budget}: {refusal.messages[0]}")
            return
        result.created["orders"] += 1

    def orderable(outlet, *budgets) -> bool:
        """Listed and eligible on the day (the demo's catalog suspends some outlets later on), and, for each of
        ``budgets``' agencies, neither connected to a declared interest nor owing a proof (the controls would
        refuse the order: budgets.controls.interests, overdue_proof)."""
        if not (listing_state_on(outlet.pk, day) == ListingState.LISTED and eligibility_on(outlet.pk, day).eligible):
            return False
        return not any(interests_in_outlet(budget.agency_id, outlet, day)
                       or proof_overdue_orders(today).filter(budget__agency_id=budget.agency_id, outlet=outlet).exists()
                       for budget in budgets)

    # Price comparison: an outlet of another media type than the quota's, its cheapest product.
    compared = next((o for o in outlets if o != left_out and o.media_type != left_out.media_type
                     and orderable(o, banjar, dki)), None)
    item = _cheapest(prices, compared, day) if compared is not None else None
    if item is not None:
        order(banjar, "negotiated", item, officer=officers.get(AGENCIES[1].slug), amount=item.unit_price // 2,
              reason=NEGOTIATED)
        order(dki, "above-others", item, officer=officers.get(AGENCIES[0].slug),
              answers={"comparison_reason": ABOVE_OTHERS})

    # The quota nearing its limit.
    spec = AGENCIES[1]
    full_year = _order_plans(spec, outlets, prices, {banjar.year: (banjar, spec.budget(banjar.year))},
                             datetime.date(today.year, 12, 31))
    planned = defaultdict(int)
    for plan in full_year:
        if not plan.cancelled and plan.outlet.media_type == left_out.media_type:
            planned[plan.outlet.pk] += 1
    limit = max([2, *planned.values()])
    item = _cheapest(prices, left_out, day)
    _ensure_quota(banjar, left_out.media_type, orders=limit, result=result)
    if item is not None and orderable(left_out, banjar):
        for n in range(limit):
            order(banjar, f"quota-{n + 1}", item, officer=officers.get(spec.slug))

    # Last year's quota, set after the year: the outlet Banjar paid most is over it.
    last = Budget.objects.filter(agency=banjar.agency, year=today.year - 1).first()
    if last is not None and last.current_amount:
        top = (MediaOrder.objects.filter(budget=last).exclude(status="cancelled")
               .values("outlet_id", "outlet__media_type").annotate(total=models.Sum("amount"))
               .order_by("-total", "outlet_id").values_list("outlet__media_type", "total").first())
        if top is not None:
            share = (Decimal(top[1]) * 100 / last.current_amount * Decimal("0.9")).quantize(
                Decimal("0.01"), rounding=ROUND_DOWN)
            if share >= Decimal("0.01"):
                _ensure_quota(last, top[0], share=share, result=result)


def _cheapest(prices, outlet, day) -> PriceItem | None:
    """The outlet's approved product with the lowest price valid on ``day``."""
    valid = [_price_on(items, day) for (outlet_id, _kind, _name), items in prices.items() if outlet_id == outlet.pk]
    return min((item for item in valid if item is not None), key=lambda item: item.unit_price, default=None)


def _ensure_quota(budget, media_type, *, share=None, orders=None, result) -> None:
    """Add a quota for ``media_type`` to the budget's, unless it has one (a second run changes nothing)."""
    quotas = {q.media_type: (q.max_share_percent, q.max_orders) for q in budget.quotas.all()}
    if media_type in quotas:
        return
    quotas[media_type] = (share, orders)
    services.budget_set_controls(budget, price_comparison_factor=budget.price_comparison_factor, quotas=quotas)
    result.created["quotas"] += 1
