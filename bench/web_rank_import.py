"""Benchmark of `import_web_rank`: a 1,000,000-row Tranco-style list against 50,000 outlets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench .venv/bin/python bench/web_rank_import.py
    ... bench/web_rank_import.py --outlets 50000 --rows 1000000

Use a dedicated database name in DATABASE_URL (the script creates and migrates it when missing):
the outlets it creates are committed so that a fresh process can run the import, and the script
deletes them again at the end, but it must not share a database with anyone's work.

The import runs in a child process started before anything else (Linux keeps ru_maxrss across
fork and exec), so that its peak memory (resource.getrusage ru_maxrss) is measured from a clean
start and not hidden by the memory the seeding used. The list holds our
outlets' domains at every 100th rank (a tenth of them as the registrable parent of a subdomain
outlet) and invented domains everywhere else. Prints seconds, rows per second and peak RSS growth.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")

BENCH_PREFIX = "PT Bench Rank "
LIST_ID = "bench-web-rank"


def ensure_database() -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a dedicated PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/mediareg_bench")
    config = dj_database_url.parse(url)
    connection = psycopg2.connect(dbname="postgres", user=config["USER"], password=config["PASSWORD"],
                                  host=config["HOST"], port=config["PORT"] or 5432)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    connection.close()


def outlet_domain(i: int) -> str:
    return f"media{i}.co.id" if i % 2 else f"media{i}.id"


def without_triggers() -> None:
    """Inside a transaction: no audit-trail triggers for the scratch rows, so that they leave no events
    behind and seeding and removal are quick. Needs a superuser (the local postgres user); without
    one, the rows are written with their triggers."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        print("note: not a superuser; the audit-trail triggers stay on (slower, and they keep events)")


def seed(outlets: int) -> None:
    from django.db import transaction

    from partners.models import LegalForm, MediaOutlet, MediaType, OutletDomain, PressCompany

    with transaction.atomic():
        without_triggers()
        companies = PressCompany.objects.bulk_create(
            [PressCompany(legal_name=f"{BENCH_PREFIX}{n:05d}", legal_form=LegalForm.PT, npwp=None)
             for n in range(outlets // 10 + 1)], batch_size=2000)
        created = MediaOutlet.objects.bulk_create(
            [MediaOutlet(company=companies[i // 10], name=f"Bench Media {i:06d}", media_type=MediaType.ONLINE)
             for i in range(outlets)], batch_size=2000)
        domains = []
        for i, outlet in enumerate(created):
            # One outlet in ten is known by a subdomain; the list ranks its registrable parent.
            domain = f"berita.{outlet_domain(i)}" if i % 10 == 3 else outlet_domain(i)
            domains.append(OutletDomain(outlet=outlet, domain=domain, is_primary=True))
        OutletDomain.objects.bulk_create(domains, batch_size=2000)
    analyze()


def analyze() -> None:
    """Fresh planner statistics: with the tables believed empty, the deletes in cleanup() go quadratic."""
    from django.db import connection

    from catalog.models import OutletWebRank
    from partners.models import MediaOutlet, OutletDomain, PressCompany

    with connection.cursor() as cursor:
        for model in (PressCompany, MediaOutlet, OutletDomain, OutletWebRank):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def write_list(path: Path, rows: int, outlets: int) -> None:
    """Rank r is our outlet r // 100 when r is a multiple of 100 (while there are outlets), else invented."""
    with path.open("w", encoding="ascii", buffering=1 << 20) as out:
        chunk = []
        for rank in range(1, rows + 1):
            i = rank // 100
            domain = outlet_domain(i) if rank % 100 == 0 and i < outlets else f"site{rank}.example{rank % 7}.com"
            chunk.append(f"{rank},{domain}\n")
            if len(chunk) == 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def cleanup() -> None:
    """Delete what seed() and the import wrote; plain SQL, as the bench outlets have nothing else."""
    from django.db import connection, transaction

    from catalog.models import OutletWebRank, WebRankList
    from partners.models import MediaOutlet, OutletDomain, PressCompany

    companies = f"SELECT id FROM {PressCompany._meta.db_table} WHERE legal_name LIKE %s"
    outlets = f"SELECT id FROM {MediaOutlet._meta.db_table} WHERE company_id IN ({companies})"
    pattern = BENCH_PREFIX + "%"
    analyze()
    with transaction.atomic(), connection.cursor() as cursor:
        without_triggers()
        cursor.execute(f"DELETE FROM {OutletWebRank._meta.db_table} WHERE rank_list_id IN "
                       f"(SELECT id FROM {WebRankList._meta.db_table} WHERE list_id = %s)", [LIST_ID])
        cursor.execute(f"DELETE FROM {WebRankList._meta.db_table} WHERE list_id = %s", [LIST_ID])
        cursor.execute(f"DELETE FROM {OutletDomain._meta.db_table} WHERE outlet_id IN ({outlets})", [pattern])
        cursor.execute(f"DELETE FROM {MediaOutlet._meta.db_table} WHERE id IN ({outlets})", [pattern])
        cursor.execute(f"DELETE FROM {PressCompany._meta.db_table} WHERE legal_name LIKE %s", [pattern])


def child() -> None:
    """Wait for the list's path on stdin, run one import and print its figures as JSON."""
    import django

    django.setup()
    from catalog.web_rank import import_web_rank

    path = sys.stdin.readline().strip()
    if not path:
        return
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = import_web_rank(path, list_id=LIST_ID)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": result.rows_read, "outlets": result.outlets,
                      "ranked": result.ranked, "rss_before_kb": before, "rss_peak_kb": after}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return

    # Started while this process is still small; it sets Django up and waits for the file.
    worker = subprocess.Popen([sys.executable, __file__, "--child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=os.environ)
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cleanup()  # leftovers of an interrupted run
    try:
        started = time.perf_counter()
        seed(args.outlets)
        print(f"seeded {args.outlets:,} outlets with domains in {time.perf_counter() - started:.1f} s")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "top-1m.csv"
            started = time.perf_counter()
            write_list(path, args.rows, args.outlets)
            print(f"wrote {args.rows:,} rows ({path.stat().st_size / 2**20:.1f} MiB) in "
                  f"{time.perf_counter() - started:.1f} s")
            output, _ = worker.communicate(f"{path}\n")
            if worker.returncode:
                sys.exit(f"the import failed (exit status {worker.returncode})")
        figures = json.loads(output.strip().splitlines()[-1])
        growth_mib = (figures["rss_peak_kb"] - figures["rss_before_kb"]) / 1024
        print(f"import_web_rank: {figures['seconds']:.2f} s for {figures['rows']:,} rows "
              f"({figures['rows'] / figures['seconds']:,.0f} rows/s); {figures['ranked']:,} of "
              f"{figures['outlets']:,} outlets ranked; peak RSS growth {growth_mib:.1f} MiB "
              f"(from {figures['rss_before_kb'] / 1024:.0f} to {figures['rss_peak_kb'] / 1024:.0f} MiB)")
    finally:
        if worker.poll() is None:
            worker.kill()
        started = time.perf_counter()
        cleanup()
        print(f"removed the benchmark data in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
