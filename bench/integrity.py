"""The integrity controls at scale (issue 14): the staff home and the exceptions report at 10,000 and 100,000
orders, and order_place with every control on, in milliseconds and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench_integrity .venv/bin/python bench/integrity.py \
        [--orders 10000 100000] [--placements 200]

Uses its own database (created and migrated when missing; never the one of `make run` or the tests), and a new
pair of agencies for every run. Two agencies buy from the same five listed, eligible outlets, with every control
set: reference prices per tier, a quota per media type, a declared interest, and two outlets of different
companies sharing a bank account. The orders are written in bulk (through order_place, 100,000 would take an
hour), a share of each kind of finding among them: amounts that differ, proofs overdue, proof waiting for review,
paid orders, prices above another agency's, holds waiting for or given a second approval.

Printed, for each size: the staff home (GET /admin/) for a budget officer, an auditor and a superuser, and the
exceptions report's CSV for the auditor and the officer: the median of three requests after a warm-up, the
queries (the same at every size: docs/architecture.md "Performance") and the report's rows. Then order_place
with every control on, against the largest size: p50 and p99 of --placements orders placed one after the other
(each one passes the overdue-proof, quota, reference-price, declared-interest and price-comparison controls).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.database import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_bench_integrity")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
os.environ.pop("REDIS_URL", None)  # nothing here sends tasks; keep the figures the pages' own

UNIT_PRICE = 2_000_000
AMPLE = 10**15


def listed_outlet(name: str, since):
    """A listed outlet found eligible, through rows written directly (as bench/orders.py does)."""
    from catalog.models import Eligibility, EligibilityChange, Listing, ListingState, ListingTransition, Trigger
    from partners.models import MediaOutlet, MediaType, PressCompany, Province

    company = PressCompany.objects.create(legal_name=f"PT {name}", province=Province.objects.filter(code="31").first(),
                                          phone=f"0812{uuid.uuid4().int % 10**8:08d}")
    outlet = MediaOutlet.objects.create(company=company, name=name, media_type=MediaType.ONLINE,
                                        phone=f"0813{uuid.uuid4().int % 10**8:08d}")
    listing = Listing.objects.create(outlet=outlet, state=ListingState.LISTED, state_since=since)
    ListingTransition.objects.create(listing=listing, created_at=since, action="approve", from_state="",
                                     to_state=ListingState.LISTED, actor_label="system:bench")
    EligibilityChange.objects.create(outlet=outlet, created_at=since, trigger=Trigger.IMPORT, actor="system:bench",
                                     is_eligible=True, outcomes=[])
    Eligibility.objects.create(outlet=outlet, is_eligible=True, outcomes=[], changed_at=since, evaluated_at=since)
    return outlet


def setup(today: datetime.date) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from budgets import services
    from budgets.models import Agency, AgencyStaff, DeclaredInterest, ProductKind
    from catalog.tiers import Tier
    from mediareg.roles import ensure_roles
    from partners import services as registry
    from partners.models import CompanyBankAccount, MediaType

    ensure_roles()
    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    users = get_user_model().objects
    agencies = [Agency.objects.create(name=f"{label} Bench {run}", short_name=label, slug=f"bench-{n}-{run}",
                                      kind=Agency.Kind.PROVINCE) for n, label in enumerate(("Provinsi", "Kabupaten"))]
    budgets = [services.budget_create(agency, year=today.year, original_amount=AMPLE) for agency in agencies]
    since = timezone.make_aware(datetime.datetime(today.year, 1, 1)) - datetime.timedelta(days=1)
    outlets = [listed_outlet(f"Bench Integritas {run} {n}", since) for n in range(5)]
    prices = []
    for outlet in outlets:
        item = services.price_submit(outlet, kind=ProductKind.ADVERTORIAL, name="Advertorial bench", unit="artikel",
                                     unit_price=UNIT_PRICE, valid_from=datetime.date(today.year, 1, 1))
        prices.append(services.price_approve(item, user=None))
    for budget in budgets:
        services.budget_set_controls(budget, price_comparison_factor=Decimal("1.50"),
                                     quotas={MediaType.ONLINE: (Decimal("100"), 10**6)})
        for tier in Tier.values:
            services.reference_price_save(budget, kind=ProductKind.ADVERTORIAL, tier=tier, reference_price=UNIT_PRICE,
                                          upper_bound=UNIT_PRICE * 2, source_reference="SHS bench")
    services.interest_save(DeclaredInterest(agency=agencies[0], person_name="Anggota Dewan Bench", role="legislator",
                                            declared_on=datetime.date(today.year, 1, 2)), outlets=outlets[:1])
    for outlet in outlets[:2]:
        registry.bank_accounts_save(outlet.company, saved=[CompanyBankAccount(
            bank_name="Bank Bench", account_number=f"99{run[-10:]}", account_holder=outlet.company.legal_name)])
    officer = users.create(username=f"bench-officer-{run}", is_staff=True)
    officer.groups.add(Group.objects.get(name="Petugas Anggaran"))
    AgencyStaff.objects.create(user=officer, agency=agencies[0])
    auditor = users.create(username=f"bench-auditor-{run}", is_staff=True)
    auditor.groups.add(Group.objects.get(name="Auditor"))
    superuser = users.create(username=f"bench-admin-{run}", is_staff=True, is_superuser=True)
    return {"budgets": budgets, "prices": prices, "outlets": outlets, "officer": officer, "auditor": auditor,
            "superuser": superuser}


def add_orders(world: dict, count: int, today: datetime.date) -> None:
    """``count`` orders in bulk, spread over both agencies and the five outlets, a share of each finding."""
    from budgets.models import MediaOrder, OrderFlag, OrderStatus, ProofStatus

    budgets, prices, officer = world["budgets"], world["prices"][1:], world["officer"]  # not the declared outlet
    days = (today - datetime.date(today.year, 1, 1)).days or 1
    batch, flags = [], []
    for n, budget, price in zip(range(count), itertools.cycle(budgets), itertools.cycle(prices), strict=False):
        day = datetime.date(today.year, 1, 1) + datetime.timedelta(days=n % days)
        kind = n % 5
        unit = UNIT_PRICE * (3 if n % 7 == 0 else 1)
        order = MediaOrder(
            request_key=uuid.uuid4(), budget=budget, outlet_id=price.outlet_id, price_item=price, quantity=1,
            unit_price=unit, amount=unit - 100_000 if kind == 0 else unit,
            override_reason="Diskon negosiasi" if kind == 0 else "", order_date=day, service_start=day,
            service_end=day, proof_due_on=day + datetime.timedelta(days=2), reference_price=UNIT_PRICE,
            reference_source="SHS bench", tier_on_order_date="C",
            **({"negotiation_offered": unit, "negotiation_agreed": unit, "negotiated_on": day,
                "negotiated_by_agency": "Rina", "negotiated_by_outlet": "Budi"} if unit > UNIT_PRICE else {}),
            eligible_on_order_date=True, listing_state_on_order_date="listed", status=OrderStatus.COMMITTED,
            created_by=officer)
        if kind == 2:
            order.status, order.proof_status, order.published_url = (OrderStatus.PUBLISHED, ProofStatus.PENDING,
                                                                     "https://bench.example/b")
        elif kind == 3:
            order.status, order.proof_status = OrderStatus.PAID, ProofStatus.ACCEPTED
            order.published_url, order.paid_on, order.payment_reference = "https://bench.example/b", day, f"SP2D-{n}"
        batch.append(order)
        if len(batch) == 5000:
            flags += _write(batch, officer, world["superuser"])
            batch = []
    if batch:
        flags += _write(batch, officer, world["superuser"])
    OrderFlag.objects.bulk_create(flags, batch_size=5000)


def _write(orders, officer, approver) -> list:
    from budgets.models import FlagRule, MediaOrder, OrderFlag

    MediaOrder.objects.bulk_create(orders)
    return [OrderFlag(order=order, rule=FlagRule.PRICE_COMPARISON, detail={"id": "Harga", "en": "Price"},
                      reason="Liputan khusus", raised_by=officer,
                      **({"approved_by": approver, "approved_at": order.created_at, "approval_reason": "Wajar"}
                         if n % 2 else {}))
            for n, order in enumerate(o for o in orders if o.unit_price > UNIT_PRICE)]


def timed(client, url: str) -> tuple[float, int, int]:
    """Median milliseconds of three requests after a warm-up, the queries of the last, the body's lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, secure=True)
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            timings.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(queries), body.count(b"\n")


def measure(world: dict, size: int) -> None:
    from django.test import Client

    for role in ("officer", "auditor", "superuser"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world[role])
        client.cookies["django_language"] = "en"
        ms, queries, _lines = timed(client, "/admin/")
        print(f"{size:>7} orders  staff home, {role:<9} {ms:8.1f} ms {queries:4d} queries")
        if role != "superuser":
            ms, queries, lines = timed(client, "/reports/exceptions.csv")
            print(f"{size:>7} orders  exceptions CSV, {role:<9} {ms:8.1f} ms {queries:4d} queries {lines - 2:7d} rows")


def placements(world: dict, count: int, today: datetime.date) -> None:
    """order_place with every control on: an agency ordering from an outlet others paid less (a hold), above its
    reference price (with the negotiation), within its quota, not declared, owing no proof."""
    from budgets import services
    from mediareg.audit import audit_context

    budget = world["budgets"][0]
    price = world["prices"][2]
    negotiation = {"offered": UNIT_PRICE, "agreed": UNIT_PRICE, "agency_negotiator": "Rina",
                   "outlet_negotiator": "Budi", "negotiated_on": today}
    timings, holds = [], 0
    with audit_context(actor="system:bench-integrity"):
        for _ in range(count):
            started = time.perf_counter()
            order = services.order_place(budget=budget, price_item=price, quantity=1, order_date=today,
                                         service_start=today, service_end=today, today=today, user=None,
                                         answers={"negotiation": negotiation, "comparison_reason": "bench"})
            timings.append((time.perf_counter() - started) * 1000)
            holds += order.flags.exists()
    timings.sort()
    print(f"order_place with every control on: {count} orders, p50 {timings[len(timings) // 2]:.1f} ms, "
          f"p99 {timings[min(len(timings) - 1, int(0.99 * len(timings)))]:.1f} ms, held {holds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--placements", type=int, default=200)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    # The pages' static links without collectstatic's manifest, as in the tests (tests/conftest.py).
    override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "127.0.0.1"], STORAGES={
        **settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    ).enable()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    world = setup(today)
    written = 0
    for size in sorted(args.orders):
        started = time.perf_counter()
        add_orders(world, size - written, today)
        written = size
        print(f"{size:>7} orders written in bulk in {time.perf_counter() - started:.1f} s")
        measure(world, size)
    placements(world, args.placements, today)


if __name__ == "__main__":
    main()
