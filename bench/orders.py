"""Media orders racing for one budget on PostgreSQL: orders per second, order_place latency, refusals and
overspend.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench .venv/bin/python bench/orders.py \
        [--threads 8] [--seconds 30] [--budget 10000000000]

Uses its own database (created if missing; the default above, never the one of `make run` or the tests)
and, in it, a new agency, budget, outlet and price for every run, so runs do not disturb each other or
bench/recheck.py's outlets. The outlet is listed and eligible through rows written directly (as the
tests' builders do): what is measured is budgets.services.order_place, not the catalog.

Each thread places orders of 1 to 5 units of a Rp 1,000,000 product, one after the other, for the given
time, each with its own request key, in its own connection, as a budget officer's request would. The
budget (default Rp 10 billion, about 3,300 orders) runs out during the run on this machine, so both ways
out of order_place are measured: placed (the budget row locked, the order inserted, the budget updated)
and refused as over budget (the budget row locked and read). Printed: orders per second (over the time
the budget lasted), p50/p99 latency of order_place for placed and refused calls, the refusals by
reason, and the overspend count: orders that, taken in the order they were committed, took the
budget's orders above its amount, plus any difference between the budget's ordered figure and the sum
of its live orders. Both must be 0 (docs/architecture.md "Money").
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.database import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
os.environ.pop("REDIS_URL", None)  # nothing here sends tasks; keep the figures the orders' own

UNIT_PRICE = 1_000_000


def setup(amount: int, today: datetime.date):
    """A new agency with this year's budget, and a listed, eligible outlet with an approved price."""
    from django.utils import timezone

    from budgets import services
    from budgets.models import Agency, ProductKind
    from catalog.models import EligibilityChange, Listing, ListingState, ListingTransition, Trigger
    from partners.models import MediaOutlet, MediaType, PressCompany, Province

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    agency = Agency.objects.create(name=f"Dinas Kominfo Bench {run}", short_name="Bench", slug=f"bench-{run}",
                                   kind=Agency.Kind.PROVINCE)
    budget = services.budget_create(agency, year=today.year, original_amount=amount)
    company = PressCompany.objects.create(legal_name=f"PT Bench Orders {run}",
                                          province=Province.objects.filter(code="31").first())
    outlet = MediaOutlet.objects.create(company=company, name=f"Bench Orders {run}", media_type=MediaType.ONLINE)
    since = timezone.make_aware(datetime.datetime(today.year, 1, 1)) - datetime.timedelta(days=1)
    listing = Listing.objects.create(outlet=outlet, state=ListingState.LISTED, state_since=since)
    ListingTransition.objects.create(listing=listing, created_at=since, action="approve", from_state="",
                                     to_state=ListingState.LISTED, actor_label="system:bench")
    EligibilityChange.objects.create(outlet=outlet, created_at=since, trigger=Trigger.IMPORT, actor="system:bench",
                                     is_eligible=True, outcomes=[])
    item = services.price_submit(outlet, kind=ProductKind.ADVERTORIAL, name="Advertorial bench", unit="artikel",
                                 unit_price=UNIT_PRICE, valid_from=datetime.date(today.year, 1, 1))
    return budget, services.price_approve(item, user=None)


def worker(n: int, budget, item, today: datetime.date, start: threading.Barrier, seconds: float, out: list,
           last_placed: list) -> None:
    from django.db import connection

    from budgets import services
    from mediareg.audit import audit_context

    rng = random.Random(n)
    placed, refused, reasons, errors = [], [], Counter(), []
    try:
        start.wait()
        deadline = time.perf_counter() + seconds
        with audit_context(actor=f"system:bench-orders-{n}"):
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    services.order_place(budget=budget, price_item=item, quantity=rng.randint(1, 5), order_date=today,
                                         service_start=today, service_end=today, today=today)
                    ended = time.perf_counter()
                    placed.append(ended - began)
                    last_placed.append(ended)
                except services.BudgetRefused as refusal:
                    refused.append(time.perf_counter() - began)
                    reasons[refusal.code] += 1
    except Exception as exc:  # noqa: BLE001 (reported below; a crash must not pass for a quiet run)
        errors.append(repr(exc))
    finally:
        connection.close()
        out.append((placed, refused, reasons, errors))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def overspend(budget) -> tuple[int, int]:
    """Orders that took the budget's orders above its amount, in commit order (the order of their ids,
    assigned under the budget row lock), and the difference between the budget's figure and its orders."""
    from django.db.models import Sum

    from budgets.models import Budget, OrderStatus

    budget = Budget.objects.get(pk=budget.pk)
    live = budget.orders.exclude(status=OrderStatus.CANCELLED)
    total, over = 0, 0
    for amount in live.order_by("pk").values_list("amount", flat=True).iterator(chunk_size=5000):
        total += amount
        over += total > budget.current_amount
    mismatch = abs(budget.ordered_amount - (live.aggregate(s=Sum("amount"))["s"] or 0))
    return over, mismatch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--budget", type=int, default=10_000_000_000, help="the budget, in rupiah")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from budgets.models import Budget
    from mediareg.money import format_rupiah

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    budget, item = setup(args.budget, today)
    connection.close()  # the threads use their own connections

    start, out, last_placed = threading.Barrier(args.threads + 1), [], []
    threads = [threading.Thread(target=worker, args=(n, budget, item, today, start, args.seconds, out, last_placed))
               for n in range(args.threads)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    placed = [t for result in out for t in result[0]]
    refused = [t for result in out for t in result[1]]
    reasons = sum((result[2] for result in out), Counter())
    errors = [e for result in out for e in result[3]]
    budget = Budget.objects.get(pk=budget.pk)
    over, mismatch = overspend(budget)

    def ms(values, share):
        return f"{percentile(values, share) * 1000:6.1f} ms"

    print(f"PostgreSQL {connection.pg_version}; {args.threads} threads for {elapsed:.1f} s against one budget "
          f"of {format_rupiah(budget.current_amount)}")
    print(f"calls        {len(placed) + len(refused):7d}  {(len(placed) + len(refused)) / elapsed:7.1f}/s  "
          f"p50 {ms(placed + refused, 0.5)}  p99 {ms(placed + refused, 0.99)}")
    # Orders per second while there was budget left: after it ran out, every call is a refusal.
    lasted = (max(last_placed) - began) if last_placed else elapsed
    print(f"placed       {len(placed):7d}  {len(placed) / lasted:7.1f}/s  "
          f"p50 {ms(placed, 0.5)}  p99 {ms(placed, 0.99)}"
          + (f"  mean {statistics.fmean(placed) * 1000:.1f} ms" if placed else "")
          + f"  (in the {lasted:.1f} s the budget lasted)")
    print(f"refused      {len(refused):7d}  {len(refused) / elapsed:7.1f}/s  "
          f"p50 {ms(refused, 0.5)}  p99 {ms(refused, 0.99)}  by reason: {dict(reasons) or '-'}")
    print(f"budget       ordered {format_rupiah(budget.ordered_amount)} of {format_rupiah(budget.current_amount)}, "
          f"remaining {format_rupiah(budget.remaining_amount)}")
    print(f"overspend    {over} orders over the budget; the budget's figure differs from its orders by "
          f"{format_rupiah(mismatch)}")
    if errors:
        print(f"errors       {len(errors)}: {errors[:3]}")
    verdict = "PASS" if over == 0 and mismatch == 0 and not errors and placed else "FAIL"
    print(f"target: no overspend and no error under {args.threads} racing threads: {verdict}")
    if verdict == "FAIL":
        sys.exit(1)


if __name__ == "__main__":
    main()
