"""The REST API's outlet list at 50,000 outlets: p50, p90 and p99 milliseconds, and queries, per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench .venv/bin/python bench/api.py \
        [--outlets 50000] [--repeat 50] [--no-seed]

Uses its own database (created if missing; the default above, never the one of `make run` or the tests).
Seeds like bench/recheck.py (its SEED_SQL, INSERT ... SELECT generate_series: 50,000 outlets of 35,000
companies with domains, Dewan Pers verifications and six documents each), then adds what the API's filters
read: each outlet's current eligibility (80% eligible) and one history row, listing states (80% listed, the
rest applied, suspended, delisted), and a KSWP expiring within 0-44 days for one company in five. Triggers
are off while seeding, as in bench/recheck.py. --no-seed measures an already seeded database again.

Each page is requested through Django's test client (the whole stack: middleware, token authentication,
permissions, filters, cursor page, JSON) with a superuser's token, three times to warm up and then --repeat
times; printed per page: p50, p90, p99 in ms, SQL queries, rows. /api/v1/catalog/ is public and cached: it is
measured with the cache emptied before each request (the cost of a miss), and once warm.

Target (issue 12): the first page and the filtered pages of /api/v1/outlets/ answer with a p50 under 100 ms
on the 2-core machine. The last line says PASS or FAIL; it says FAIL, naming it, when an endpoint is missing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.database import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
os.environ.pop("REDIS_URL", None)  # the cache in-process (locmem): the figures are the API's own work
# The bench sends far more than a program may per minute; throttling is not what is measured.
for rate in ("API_USER_RATE", "API_ANON_RATE", "API_PUBLIC_RATE"):
    os.environ[rate] = "1000000/minute"

TARGET_P50_MS = 100

# What the API's filters read, on top of bench/recheck.py's seed. Deterministic: outlet g's facts follow g.
API_SEED_SQL = """
SET session_replication_role = replica;
TRUNCATE catalog_eligibility, catalog_eligibilitychange RESTART IDENTITY CASCADE;

-- Eligible unless the Dewan Pers certificate lapsed or is missing (g %% 10 in 0, 1), as the rules would find.
INSERT INTO catalog_eligibility (outlet_id, is_eligible, failing_codes, outcomes, changed_at, evaluated_at)
SELECT g, g %% 10 NOT IN (0, 1), CASE WHEN g %% 10 IN (0, 1) THEN ',press_council,' ELSE '' END, '[]',
       now() - interval '30 days', now()
FROM generate_series(1, %(outlets)s) g;

INSERT INTO catalog_eligibilitychange (outlet_id, created_at, trigger, actor, is_eligible, failing_codes, outcomes)
SELECT g, now() - interval '30 days', 'import', 'system:bench', g %% 10 NOT IN (0, 1),
       CASE WHEN g %% 10 IN (0, 1) THEN ',press_council,' ELSE '' END, '[]'
FROM generate_series(1, %(outlets)s) g;

UPDATE catalog_listing SET state = CASE WHEN outlet_id %% 20 = 3 THEN 'applied' WHEN outlet_id %% 20 = 7 THEN 'delisted'
                                        ELSE 'suspended' END,
                           suspension_cause = CASE WHEN outlet_id %% 20 IN (3, 7) THEN '' ELSE 'eligibility' END
WHERE outlet_id %% 10 IN (0, 1) OR outlet_id %% 20 IN (3, 7);

UPDATE partners_document SET expiry_date = current_date + (company_id %% 45)::int
WHERE kind = 'kswp' AND company_id %% 5 = 0;

SET session_replication_role = DEFAULT;
ANALYZE;
"""


def seed(outlets: int) -> None:
    from django.db import connection

    from bench.recheck import SEED_SQL, give_valid_npwps

    companies = max(1, int(outlets * 0.7))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL % {"companies": companies, "outlets": outlets})
        cursor.execute(API_SEED_SQL % {"outlets": outlets})
    give_valid_npwps()
    print(f"seeded {outlets} outlets, {companies} companies, {companies * 6} documents in "
          f"{time.perf_counter() - started:.1f} s (PostgreSQL {connection.pg_version})")


def legacy_npwp(company_pk: int) -> str:
    """The company's NPWP in the old 15-digit dotted form (01.001.234.5-091.000), as people still type it."""
    from partners.models import PressCompany

    digits = PressCompany.objects.get(pk=company_pk).npwp[-15:]
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:]}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, url: str, repeat: int, *, headers: dict, before=None) -> dict:
    """Milliseconds of ``repeat`` requests after three to warm up, with the queries and rows of the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        if before:
            before()
        response = client.get(url, **headers)
        if response.status_code != 200:
            return {"status": response.status_code, "body": response.content[:300].decode(errors="replace")}
    timings = []
    for _ in range(repeat):
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"status": 200, "p50": statistics.median(timings), "p90": percentile(timings, 0.9),
            "p99": percentile(timings, 0.99), "queries": len(queries), "rows": len(response.json()["results"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-seed", action="store_true", help="measure the database as it is")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from mediareg.api import tokens
    from partners.models import MediaOutlet

    setup_test_environment()  # the test client's host is allowed
    settings.SECURE_SSL_REDIRECT = False
    settings.DEBUG = True  # keep connection.queries for the count
    connection.force_debug_cursor = True
    call_command("migrate", verbosity=0)
    if not args.no_seed:
        seed(args.outlets)
    elif MediaOutlet.objects.count() < 10_000:
        sys.exit("The database is not seeded: run without --no-seed")
    settings.DEBUG = False  # measured as served: no debug pages, no query log beyond the captured one

    user, _ = get_user_model().objects.get_or_create(username="bench-api",
                                                     defaults={"is_staff": True, "is_superuser": True})
    key = tokens.token_create(user=user, name="bench/api.py", created_by=user)[1]
    signed_in = {"HTTP_AUTHORIZATION": f"Token {key}"}
    client = Client()

    missing = []
    for name in ("api-outlet-list", "api-catalog-list"):
        try:
            reverse(name)
        except NoReverseMatch:
            missing.append(name)
    if missing:
        print(f"target: p50 of /api/v1/outlets/ pages under {TARGET_P50_MS} ms at {args.outlets} outlets: FAIL "
              f"(no endpoint named {', '.join(missing)}: merge partners/catalog api.py first)")
        sys.exit(1)

    outlet_pages = [
        ("outlets, first page", "/api/v1/outlets/"),
        ("outlets, online + eligible + search name",
         "/api/v1/outlets/?media_type=online&eligible=true&search=Outlet+4321"),
        ("outlets, search by domain URL", "/api/v1/outlets/?search=https://www.bench-outlet-4321.id/x"),
        ("outlets, search by legacy NPWP (dotted)", f"/api/v1/outlets/?search={legacy_npwp(1234)}"),
        ("outlets, document expiring within 30 days", "/api/v1/outlets/?document_expiring_within=30"),
        ("outlets, radio, suspended, factual", "/api/v1/outlets/?media_type=radio&listing=suspended"
                                                 "&dewan_pers=factual"),
        ("outlets, province 31, 100 rows", "/api/v1/outlets/?province=31&page_size=100"),
    ]
    print(f"{MediaOutlet.objects.count()} outlets; {args.repeat} requests per page after 3 to warm up")
    print(f"{'page':<46} {'p50':>8} {'p90':>8} {'p99':>8}  queries  rows")
    results, failed = {}, []

    def show(label, figures):
        if figures["status"] != 200:
            print(f"{label:<46} answered {figures['status']}: {figures['body']}")
            failed.append(label)
            return
        print(f"{label:<46} {figures['p50']:6.1f}ms {figures['p90']:6.1f}ms {figures['p99']:6.1f}ms  "
              f"{figures['queries']:7d}  {figures['rows']:4d}")
        results[label] = figures

    for label, url in outlet_pages:
        show(label, measure(client, url, args.repeat, headers=signed_in))
    # The second page follows the first's cursor, as a program walking the list does.
    second = client.get("/api/v1/outlets/", **signed_in).json().get("next")
    if second:
        show("outlets, second page (cursor)", measure(client, second, args.repeat, headers=signed_in))
    show("catalog (public), first page, cache empty", measure(client, "/api/v1/catalog/", args.repeat, headers={},
                                                              before=cache.clear))
    show("catalog (public), first page, cached", measure(client, "/api/v1/catalog/", args.repeat, headers={}))

    outlet_p50 = [figures["p50"] for label, figures in results.items() if label.startswith("outlets")]
    worst = max(outlet_p50, default=float("inf"))
    verdict = "PASS" if not failed and worst < TARGET_P50_MS else "FAIL"
    print(f"target: p50 of /api/v1/outlets/ pages (first and filtered) under {TARGET_P50_MS} ms at "
          f"{args.outlets} outlets: worst {worst:.1f} ms: {verdict}" + (f" ({', '.join(failed)} failed)" if failed
                                                                         else ""))


if __name__ == "__main__":
    main()
