"""Admin list and search pages on the 50,000-outlet bench database: milliseconds and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mediareg_bench .venv/bin/python bench/admin_search.py

Run bench/recheck.py first: it creates and seeds that database (35,000 companies, 50,000 outlets).
Each page is requested through Django's test client as a superuser, once to warm up and then five
times; the median is printed with the query count and whether PostgreSQL used the trigram index for
the name search (docs/architecture.md "Performance": constant queries, no sequential scan per search).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mediareg_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediareg.settings")
os.environ.pop("REDIS_URL", None)


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from partners.models import MediaOutlet, PressCompany

    setup_test_environment()  # the test client then records the template context (the row count)
    if MediaOutlet.objects.count() < 10_000:
        sys.exit("Seed the bench database first: bench/recheck.py")
    user, _ = get_user_model().objects.get_or_create(username="bench-admin",
                                                     defaults={"is_staff": True, "is_superuser": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    company = PressCompany.objects.order_by("pk")[12345]
    legacy_npwp = company.npwp_display
    pages = [
        ("outlets, first page", "/admin/partners/mediaoutlet/"),
        ("outlets, filtered: radio", "/admin/partners/mediaoutlet/?media_type=radio"),
        ("outlets, filtered: not eligible", "/admin/partners/mediaoutlet/?eligible=no"),
        ("outlets, search by name part", "/admin/partners/mediaoutlet/?q=Outlet+4321"),
        ("outlets, search by domain URL", "/admin/partners/mediaoutlet/?q=https://www.bench-outlet-4321.id/x"),
        ("companies, first page", "/admin/partners/presscompany/"),
        ("companies, search by legacy NPWP", f"/admin/partners/presscompany/?q={legacy_npwp}"),
        ("companies, search by name part", "/admin/partners/presscompany/?q=Media+1234"),
        ("documents, expiring in 30 days", "/admin/partners/document/?expiry=30"),
    ]
    print(f"{MediaOutlet.objects.count()} outlets, {PressCompany.objects.count()} companies")
    for label, url in pages:
        assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        rows = len(response.context["cl"].result_list)
        print(f"{label:<40} {statistics.median(timings):7.1f} ms  {len(queries):3d} queries  {rows:3d} rows")

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM partners_mediaoutlet WHERE UPPER(name::text) LIKE UPPER(%s)",
                       ["%Outlet 4321%"])
        plan = " ".join(row[0] for row in cursor.fetchall())
    print("name search uses the trigram index:", "outlet_name_trgm" in plan)


if __name__ == "__main__":
    main()
