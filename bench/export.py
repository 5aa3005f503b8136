"""The spend ledger exported from 100,000 and 1,000,000 orders: seconds and peak memory of each way out,
beside PostgreSQL's own COPY of the same SELECT.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench_export .venv/bin/python bench/export.py \
        [--orders 100000 1000000] [--cases copy csv command xlsx ocds]

Uses its own database (created if missing; the default above, never the one of `make run` or the tests)
and empties its agencies, budgets, orders, outlets and companies (and what refers to them) at the start.
Seeds with INSERT ... SELECT generate_series with the triggers off (`session_replication_role = replica`,
as bench/recheck.py: no audit events for the seed): 30 agencies with a budget for each year 2019-2026,
2,000 outlets with one approved price each, and the orders, 60% paid, 20% published, 15% committed and 5%
cancelled, each with a realistic eligibility snapshot (eight rule outcomes in two languages, one in fifty
with a failing rule). The orders grow to each --orders figure in turn, and every case runs on the whole
ledger (no filter) at that size:

- copy:    psql's way, `COPY (<the ledger's SELECT>) TO STDOUT WITH CSV HEADER`: the same SELECT that the
           files stream (budgets.reports.spend_ledger_values), so the same joins and the failing reasons
           computed by PostgreSQL; the rows are counted and dropped.
- csv:     GET /reports/spend-ledger.csv through Django's test client (every middleware, a superuser),
           its streaming_content consumed as a browser would.
- xlsx:    GET /reports/spend-ledger.xlsx, likewise (written by xlsxwriter in constant memory to a
           temporary file, then sent).
- command: `manage.py export_report spend-ledger --output /dev/null` (call_command in its own process).
- ocds:    GET /reports/spend-ledger.ocds.json (budgets.ocds), likewise.

Each case runs in a fresh child process (one per case, size and repetition) so that peaks do not mix; with
--repeat N the fastest of N runs is shown, with the highest peak of them. The child
sets Django up, makes one warm-up request, then reports resource.getrusage ru_maxrss before and after
the export (peak RSS is the whole process, interpreter and Django included; growth is what the export
added). Targets (issue 11): the CSV within 2x the time of COPY; peak memory under 150 MB and flat as
rows grow.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.database import ensure_database  # noqa: E402 (after the path is set)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_bench_export")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
os.environ.pop("REDIS_URL", None)  # nothing here needs the broker or the cache; keep the figures the export's own
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # Django's test client, with DEBUG off as in production

AGENCIES = 30
YEARS = range(2019, 2027)
OUTLETS = 2_000
COMPANIES = 1_400
USER_PREFIX = "bench.export."
CASES = ("copy", "csv", "command", "xlsx", "ocds")
LABELS = {
    "copy": "PostgreSQL COPY (same SELECT) TO STDOUT",
    "csv": "view /reports/spend-ledger.csv",
    "command": "manage.py export_report spend-ledger (CSV)",
    "xlsx": "view /reports/spend-ledger.xlsx",
    "ocds": "view /reports/spend-ledger.ocds.json",
}

# Eight rule outcomes in both languages, as catalog.rules writes them (about 1.3 kB, like a real snapshot).
_PASSED = [
    ("dewan_pers", "Terverifikasi Dewan Pers; sertifikat berlaku sampai 2028-04-30.",
     "Verified by Dewan Pers; certificate valid until 2028-04-30."),
    ("npwp", "NPWP perusahaan sah.", "The company's NPWP is valid."),
    ("legal_form", "Bentuk badan usaha perusahaan (PT) diterima untuk pers.",
     "The company's legal form (PT) is accepted for the press."),
    ("tax_status", "Status pajak terkonfirmasi (KSWP tanggal 2026-01-02, berlaku sampai 2026-12-31).",
     "Tax status confirmed (KSWP of 2026-01-02, counts until 2026-12-31)."),
    ("annual_tax_return", "SPT Tahunan 2025 diterima; berlaku sampai 2027-04-30.",
     "Annual tax return for 2025 accepted; it counts until 2027-04-30."),
    ("legal_documents", "Akta, pengesahan Kemenkumham, NIB dan kode usaha pers lengkap.",
     "Deed, Ministry of Law approval, NIB and a press business code are in order."),
    ("web_rank", "Peringkat 12.345 dalam daftar tranco-2026.", "Ranked 12,345 in list tranco-2026."),
    ("sanction", "Tidak sedang dikenai sanksi.", "No sanction in force."),
]


def _outcomes(failing: str = "") -> str:
    return json.dumps([{"code": code, "passed": code != failing, "reason": {"id": id_text, "en": en_text}}
                       for code, id_text, en_text in _PASSED])


SEED_SQL = """
SET session_replication_role = replica;  -- no triggers (audit events) while seeding
TRUNCATE budgets_agency, partners_presscompany, partners_mediaoutlet, mediareg_dataaccess
         RESTART IDENTITY CASCADE;

INSERT INTO budgets_agency (name, short_name, slug, kind, region_code, created_at)
SELECT 'Dinas Kominfo Bench ' || lpad(a::text, 2, '0'), 'Bench ' || a, 'bench-' || a, 'regency', '', now()
FROM generate_series(1, %(agencies)s) a ORDER BY a;

-- Budget id (a - 1) * years + (year - first year) + 1.
INSERT INTO budgets_budget (year, account_code, account_name, original_amount, current_amount, ordered_amount,
                            paid_amount, spending_allowed, policy_reference, policy_note, created_at, updated_at,
                            agency_id)
SELECT y, '5.1.02.02.01.0055', 'Belanja Jasa Iklan/Reklame, Film, dan Pemotretan', 10000000000000,
       10000000000000, 0, 0, true, '', '', now(), now(), a
FROM generate_series(1, %(agencies)s) a CROSS JOIN generate_series(%(first_year)s, %(last_year)s) y ORDER BY a, y;

INSERT INTO partners_presscompany (created_at, updated_at, legal_name, legal_form, npwp, nib, address, regency_city,
                                   postal_code, email, phone, province_id)
SELECT now(), now(), 'PT Bench Ekspor ' || c, 'pt', NULL, '', '', 'Jakarta Pusat', '', '', '', NULL
FROM generate_series(1, %(companies)s) c ORDER BY c;

INSERT INTO partners_mediaoutlet (created_at, updated_at, name, media_type, person_in_charge, editor_in_chief,
                                  editor_competency, editor_certificate_no, email, phone, company_id)
SELECT now(), now(), 'Bench Warta ' || o, 'online', 'Penanggung Jawab ' || o, 'Pemimpin Redaksi ' || o, '', '',
       'redaksi' || o || '@bench.example', '0812-0000-' || lpad(o::text, 4, '0'), 1 + (o - 1) %% %(companies)s
FROM generate_series(1, %(outlets)s) o ORDER BY o;

-- One approved price per outlet, price item id = outlet id.
INSERT INTO budgets_priceitem (kind, name, unit, unit_price, valid_from, valid_until, status, source, submitted_at,
                               reviewed_at, review_reason, outlet_id, reviewed_by_id)
SELECT 'advertorial', 'Advertorial 600 kata dengan 2 foto', 'artikel', 1000000 + (o %% 20) * 250000,
       DATE '2019-01-01', NULL, 'approved', 'staff', now(), now(), '', o, NULL
FROM generate_series(1, %(outlets)s) o ORDER BY o;

SET session_replication_role = DEFAULT;
"""

ORDERS_SQL = """
SET session_replication_role = replica;
INSERT INTO budgets_mediaorder (
    request_key, quantity, unit_price, amount, override_reason, order_date, service_start, service_end, proof_due_on,
    ecatalog_reference, description, status, eligible_on_order_date, listing_state_on_order_date,
    eligibility_outcomes, eligibility_since, published_url, proof_file, proof_original_filename,
    proof_content_type, proof_status, proof_submitted_at, proof_reviewed_at, proof_reason, paid_on,
    payment_reference, cancelled_on, cancel_reason, created_at, updated_at, budget_id, created_by_id, outlet_id,
    proof_reviewed_by_id, price_item_id)
SELECT gen_random_uuid(), q, price, q * price, '', d, d, d + 7, d + 9,
       'EPURCH-' || g, 'Advertorial kegiatan dinas nomor ' || g, st, g %% 50 <> 0, 'listed',
       CASE WHEN g %% 50 = 0 THEN %(failing)s::jsonb ELSE %(passing)s::jsonb END, TIMESTAMPTZ '2019-01-02 09:00+07',
       CASE WHEN st IN ('published', 'paid') THEN 'https://bench-warta-' || o || '.example/berita/' || g ELSE '' END,
       '', '', '', CASE st WHEN 'published' THEN 'pending' WHEN 'paid' THEN 'accepted' ELSE '' END,
       CASE WHEN st IN ('published', 'paid') THEN d + 10 END, CASE WHEN st = 'paid' THEN d + 12 END, '',
       CASE WHEN st = 'paid' THEN d + 30 END, CASE WHEN st = 'paid' THEN 'SP2D-' || g ELSE '' END,
       CASE WHEN st = 'cancelled' THEN d + 3 END, CASE WHEN st = 'cancelled' THEN 'Kegiatan ditunda' ELSE '' END,
       now(), now(), b, %(first_user)s + a - 1, o, NULL, o
FROM (
    SELECT g, b, a, o, q, 1000000 + (o %% 20) * 250000 AS price,
           make_date(%(first_year)s + (b - 1) %% %(years)s, 1, 1) + (g %% 330) AS d,
           CASE WHEN g %% 20 = 0 THEN 'cancelled' WHEN g %% 20 < 4 THEN 'committed'
                WHEN g %% 20 < 8 THEN 'published' ELSE 'paid' END AS st
    FROM (SELECT g, 1 + g %% %(budgets)s AS b, 1 + (g %% %(budgets)s) / %(years)s AS a,
                 1 + (g * 7) %% %(outlets)s AS o, 1 + g %% 5 AS q
          FROM generate_series(%(start)s, %(end)s) g) numbers
) orders
ORDER BY g;
SET session_replication_role = DEFAULT;
"""

# The budgets' figures as the services keep them (ordered: not cancelled; paid: paid), in one statement.
FIGURES_SQL = """
SET session_replication_role = replica;
UPDATE budgets_budget b SET ordered_amount = f.ordered, paid_amount = f.paid
FROM (SELECT budget_id, coalesce(sum(amount) FILTER (WHERE status <> 'cancelled'), 0) AS ordered,
             coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0) AS paid
      FROM budgets_mediaorder GROUP BY budget_id) f
WHERE b.id = f.budget_id;
SET session_replication_role = DEFAULT;
ANALYZE;
"""


def seed_registry() -> int:
    """Agencies, budgets, companies, outlets and prices; one officer a agency (placed_by). Returns the first
    officer's id."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL % {"agencies": AGENCIES, "first_year": YEARS[0], "last_year": YEARS[-1],
                                   "companies": COMPANIES, "outlets": OUTLETS})
    # After the orders are gone (the truncation above), so that no order of theirs needs updating.
    User.objects.filter(username__startswith=USER_PREFIX).delete()
    officers = User.objects.bulk_create([
        User(username=f"{USER_PREFIX}{a:02d}", first_name="Petugas", last_name=f"Anggaran {a}", is_staff=True)
        for a in range(1, AGENCIES + 1)])
    User.objects.create_superuser(f"{USER_PREFIX}admin", "", None)
    return min(officer.pk for officer in officers)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def grow_orders(start: int, end: int, first_user: int) -> None:
    """Orders number ``start`` to ``end``, in batches of 200,000 (one statement each)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for low in range(start, end + 1, 200_000):
            high = min(end, low + 199_999)
            cursor.execute(ORDERS_SQL % {
                "start": low, "end": high, "budgets": AGENCIES * len(YEARS), "years": len(YEARS),
                "first_year": YEARS[0], "outlets": OUTLETS, "first_user": first_user,
                "failing": _literal(_outcomes(failing="tax_status")), "passing": _literal(_outcomes())})
        cursor.execute(FIGURES_SQL)


# --- the child: one case, measured --------------------------------------------------------------------------

class Sink:
    """Counts what it is given, keeps nothing."""

    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.bytes += len(data)
        self.lines += data.count(b"\n")
        return len(data)


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(case: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from budgets.reports import spend_ledger_values
    from mediareg.models import DataAccess
    from mediareg.reports import ReportFilters

    sink = Sink()
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{USER_PREFIX}admin"))
    paths = {"csv": "/reports/spend-ledger.csv", "xlsx": "/reports/spend-ledger.xlsx",
             "ocds": "/reports/spend-ledger.ocds.json"}

    def request(path):
        response = client.get(path, secure=True)
        assert response.status_code == 200, (response.status_code, path)
        for chunk in response.streaming_content:
            sink.write(chunk)

    # Warm up what the first request of any process loads (URLs, templates, translations), on no rows.
    request("/reports/spend-ledger.csv?year=2000")
    sink.bytes = sink.lines = 0
    before = _maxrss_kb()
    started = time.perf_counter()
    if case == "copy":
        sql, params = spend_ledger_values(ReportFilters(), None, language="id").query.sql_with_params()
        with connection.cursor() as cursor:
            select = cursor.mogrify(sql, params).decode()
            cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
        rows = sink.lines - 1
    elif case == "command":
        call_command("export_report", "spend-ledger", output=os.devnull, verbosity=0, stderr=Sink())
        rows = DataAccess.objects.latest("pk").rows
        sink.bytes = None
    else:
        request(paths[case])
        rows = DataAccess.objects.latest("pk").rows
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "bytes": sink.bytes, "rss_before_kb": before,
                      "rss_peak_kb": _maxrss_kb()}))


def run_case(case: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, env=os.environ)
    if done.returncode:
        sys.exit(f"{case} failed (exit status {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="ledger sizes, measured in turn (the orders grow to each)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each case this many times and keep the fastest (the machine is shared)")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first_user = seed_registry()
    print(f"seeded {AGENCIES} agencies, {AGENCIES * len(YEARS)} budgets, {OUTLETS:,} outlets with prices in "
          f"{time.perf_counter() - started:.1f} s (PostgreSQL {connection.pg_version})")
    connection.close()  # the children open their own; nothing of ours stays open while they run

    results = {}
    seeded = 0
    for size in sorted(args.orders):
        started = time.perf_counter()
        grow_orders(seeded + 1, size, first_user)
        connection.close()
        print(f"orders {seeded + 1:,} to {size:,} seeded in {time.perf_counter() - started:.1f} s")
        seeded = size
        for case in args.cases:
            runs = [run_case(case) for _ in range(args.repeat)]
            results[size, case] = figures = min(runs, key=lambda run: run["seconds"])
            figures["rss_peak_kb"] = max(run["rss_peak_kb"] for run in runs)
            print(f"  {size:>9,}  {LABELS[case]:<44} {figures['seconds']:7.1f} s  "
                  f"peak {figures['rss_peak_kb'] / 1024:5.0f} MB", flush=True)

    print()
    print(f"{'orders':>9}  {'way out':<44} {'seconds':>8} {'rows/s':>9} {'x COPY':>7} {'peak RSS':>9} "
          f"{'growth':>7} {'MB out':>7}")
    for size in sorted(args.orders):
        copy = results.get((size, "copy"))
        for case in args.cases:
            f = results[size, case]
            ratio = f"{f['seconds'] / copy['seconds']:6.2f}x" if copy else "      -"
            out = f"{f['bytes'] / 2**20:7.0f}" if f["bytes"] is not None else "      -"
            print(f"{size:>9,}  {LABELS[case]:<44} {f['seconds']:8.1f} {f['rows'] / f['seconds']:9,.0f} {ratio:>7} "
                  f"{f['rss_peak_kb'] / 1024:6.0f} MB {(f['rss_peak_kb'] - f['rss_before_kb']) / 1024:4.0f} MB {out}")
        if copy and (size, "csv") in results:
            csv = results[size, "csv"]
            print(f"{'':>9}  target CSV within 2x COPY: {csv['seconds'] / copy['seconds']:.2f}x "
                  f"{'PASS' if csv['seconds'] <= 2 * copy['seconds'] else 'FAIL'}")
    peaks = [f["rss_peak_kb"] / 1024 for (size, case), f in results.items() if case != "copy"]
    if peaks:
        print(f"target peak RSS under 150 MB: highest {max(peaks):.0f} MB {'PASS' if max(peaks) < 150 else 'FAIL'}")


if __name__ == "__main__":
    main()
