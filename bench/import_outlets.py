"""Benchmark of `import_outlets`: a 2,000-row spreadsheet against a registry of 20,000 outlets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench_import REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/import_outlets.py [--outlets 20000] [--rows 2000]

The database's name must contain "bench": the script creates and migrates it when missing and EMPTIES
ITS REGISTRY (companies, outlets and everything that refers to them) before seeding, so it must not
share a database with anyone's work. The re-check requests of the import go to REDIS_URL's broker.

The file has a quarter of its rows for outlets already in the registry (by website, with the NPWP in
its punctuated form), and three quarters new outlets of new companies, two outlets per company. Prints,
for the CSV (a dry run: every row created, then rolled back), the same rows as XLSX (created) and a
rerun of the CSV (every row matched): seconds, rows per second, queries, and queries per row.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")


def ensure_database() -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a dedicated PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/mediareg_bench_import")
    config = dj_database_url.parse(url)
    if "bench" not in config["NAME"]:
        sys.exit(f"The database name {config['NAME']} has no 'bench' in it: this script empties its registry.")
    connection = psycopg2.connect(dbname="postgres", user=config["USER"], password=config["PASSWORD"],
                                  host=config["HOST"], port=config["PORT"] or 5432)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    connection.close()


def npwp(n: int) -> str:
    from stdnum import luhn

    head = f"02{n % 1_000_000:06d}"
    return f"0{head}{luhn.calc_check_digit(head)}{800 + n // 1_000_000 % 100:03d}000"


def seed(outlets: int) -> None:
    """``outlets`` online outlets with a domain each, ten per company with an NPWP; no audit triggers."""
    from django.db import connection, transaction

    from partners.models import LegalForm, MediaOutlet, MediaType, OutletDomain, PressCompany

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {PressCompany._meta.db_table} CASCADE")
            cursor.execute("SET LOCAL session_replication_role = replica")
        companies = PressCompany.objects.bulk_create(
            [PressCompany(legal_name=f"PT Bench Ada {n:05d}", legal_form=LegalForm.PT, npwp=npwp(n))
             for n in range(outlets // 10 + 1)], batch_size=2000)
        created = MediaOutlet.objects.bulk_create(
            [MediaOutlet(company=companies[i // 10], name=f"Bench Ada {i:06d}", media_type=MediaType.ONLINE)
             for i in range(outlets)], batch_size=2000)
        OutletDomain.objects.bulk_create(
            [OutletDomain(outlet=outlet, domain=f"ada{i}.co.id", is_primary=True) for i, outlet in enumerate(created)],
            batch_size=2000)
    with connection.cursor() as cursor:
        for model in (PressCompany, MediaOutlet, OutletDomain):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def rows(count: int, outlets: int) -> list[list[str]]:
    from partners.identifiers import format_npwp

    result = []
    for r in range(count):
        if r % 4 == 0:  # an outlet of the registry, by its website
            i = (r * 7) % outlets
            result.append([f"PT Bench Ada {i // 10:05d}", format_npwp(npwp(i // 10)), f"Bench Ada {i:06d}", "Online",
                           f"https://www.ada{i}.co.id/", "", "", "", "", ""])
        else:
            c = 500_000 + r // 2
            result.append([f"PT Bench Baru {c}", npwp(c), f"Bench Baru {r:05d}", "Siber", f"baru{r}.id",
                           "Kalsel", "Kabupaten Banjar", "Jl. A. Yani", "0511-472000", f"redaksi@baru{r}.id"])
    return result


def write_files(folder: Path, data: list[list[str]]) -> tuple[Path, Path]:
    import csv

    import openpyxl

    from partners.outlet_sheet import TEMPLATE_HEADERS

    csv_path, xlsx_path = folder / "media.csv", folder / "media.xlsx"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(TEMPLATE_HEADERS)
        writer.writerows(data)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADERS)
    for row in data:
        sheet.append(row)
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def measure(label: str, path: Path, **options) -> None:
    from django.db import connection

    from partners.outlet_import import import_outlets

    queries = []  # counted by a wrapper: Django's own query log keeps only the last 9,000

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = import_outlets(path, **options)
        seconds = time.perf_counter() - started
    n = len(result.rows)
    print(f"{label}: {seconds:.2f} s for {n:,} rows ({n / seconds:,.0f} rows/s); {result.created:,} created, "
          f"{result.matched:,} matched, {result.refused:,} refused; {len(queries):,} queries "
          f"({len(queries) / n:.2f} per row)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=2_000)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(args.outlets)
    print(f"seeded {args.outlets:,} outlets with domains in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, xlsx_path = write_files(Path(tmp), rows(args.rows, args.outlets))
        measure("CSV, dry run (every new row created, then rolled back)", csv_path, dry_run=True)
        measure("XLSX (created)", xlsx_path)
        measure("CSV again (rerun)", csv_path)


if __name__ == "__main__":
    main()
