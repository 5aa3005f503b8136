"""The spend ledger's CSV written by PostgreSQL (mediareg.reports.copy, Report.copy_select) is the file the
Python writer makes from the report's rows, byte for byte: in both profiles and languages, with formulas,
commas, quotes, line breaks, empty and missing values, words for every code and yes/no. It streams in
pieces, counts its rows for the log, and a download cut off leaves the connection usable."""

import datetime

import pytest
from django.db import connection

from budgets import services
from budgets.models import MediaOrder
from budgets.reports import SpendLedgerReport
from mediareg.models import DataAccess
from mediareg.reports import Profile, ReportFilters, get_report
from mediareg.reports.formats import csv_chunks
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
    publish,
    record_other_spend,
)
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]


class RowsOnly(SpendLedgerReport):
    """The same report written by the Python writer (not registered)."""

    def copy_select(self, filters, user, profile):
        return None


OTHER_SPEND = 3  # the entries of spend outside the catalog in the ledger fixture
TRICKY = ['=HYPERLINK("http://x","y")', "+62 812 0000", "-5", "@akun", "\tberita", "\rberita", "koma, titik",
          'kata "kutipan"', "baris\nbaru", "baris\r\nbaru", "", "\\.", "'kutip", "Ñusantara — ü", "biasa"]


@pytest.fixture
def ledger():
    agency = make_agency("Dinas Kominfo, Statistik dan \"Persandian\"", slug="kominfo-copy")
    officer = budget_officer(agency, first_name="=Siti", last_name="Rahmawati, S.Kom")
    budget = make_budget(agency, year=2026, amount=5_000_000_000)
    outlet = listed_eligible_outlet("@Warta, \"Satu\"")
    price = approved_price(outlet, unit_price=1_000_000, name="-Advertorial\n600 kata")
    orders = []
    for n, text in enumerate(TRICKY):
        order = place(budget, price, quantity=1 + n % 3, user=officer, description=text,
                      ecatalog_reference=text[:100])
        if n % 4 == 1:
            publish(order)
        elif n % 4 == 2:
            pay(order, paid_on=datetime.date(2026, 10, 1), reference=f"SP2D/{n}")
        elif n % 4 == 3:
            services.order_cancel(order, reason=text or "batal", user=officer)
        orders.append(order)
    # The snapshot of an order that was not eligible, as older data or an override would have it.
    MediaOrder.objects.filter(pk=orders[0].pk).update(
        eligible_on_order_date=False, listing_state_on_order_date="suspended",
        eligibility_outcomes=[{"code": "npwp", "passed": False, "reason": {"id": "=NPWP, tidak sah", "en": "bad"}},
                              {"code": "kswp", "passed": False, "reason": "KSWP \"lama\""}])
    MediaOrder.objects.filter(pk=orders[1].pk).update(created_by=None, override_reason="Diskon, \"khusus\"")
    # Spend outside the catalog, after the orders: with the registry's outlet (and so its company), by
    # someone with no name, and cancelled.
    record_other_spend(budget, kind="press_gathering", recipient="", outlet=outlet, description=TRICKY[0],
                       reference="=SP2D, \"1\"", user=officer)
    record_other_spend(budget, kind="other", recipient="baris\nbaru", description="koma, titik", reference="-2")
    cancelled = record_other_spend(budget, kind="legislature_publication", recipient="@DPRD",
                                   description="Ñusantara — ü", user=officer)
    services.other_spend_cancel(cancelled, reason="'kutip", user=officer)
    return orders


def body(report, profile, language, **kwargs) -> bytes:
    return b"".join(csv_chunks(report, ReportFilters(), None, profile=profile, language=language, **kwargs))


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("profile", [Profile.FULL, Profile.PUBLIC])
def test_postgresql_writes_the_python_writers_file_byte_for_byte(ledger, profile, language):
    report = get_report("spend-ledger")
    assert report.copy_select(ReportFilters(), None, profile) is not None
    by_copy = body(report, profile, language)
    assert by_copy == body(RowsOnly(), profile, language)
    assert by_copy.count(b"\r\n") >= len(TRICKY) + OTHER_SPEND + 2
    assert b"'=SP2D" in by_copy and b"'@DPRD" in by_copy
    assert b"'=HYPERLINK" in by_copy and b"'@akun" in by_copy
    assert (b"=Siti" in by_copy) == (profile == Profile.FULL)


def test_it_streams_in_pieces_and_counts_its_rows(ledger):
    counted, progress = [], []
    pieces = list(csv_chunks(get_report("spend-ledger"), ReportFilters(), None, finished=counted.append,
                             progress=progress.append))
    assert counted == [len(TRICKY) + OTHER_SPEND]
    assert progress[-1] == len(TRICKY) + OTHER_SPEND
    assert len(pieces) >= 2  # the title and header first, then the rows


def test_the_view_and_its_log_use_it(client, auditor, ledger):
    client.force_login(auditor)
    response = client.get("/reports/spend-ledger.csv?agency=kominfo-copy")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())
    assert DataAccess.objects.get().rows == len(TRICKY) + OTHER_SPEND


def test_a_person_who_may_see_no_order_gets_the_empty_file(client, ledger):
    """Staff with the orders' view permission but no agency see no order (budgets.selectors.visible_orders
    gives .none(), which has no SQL): the Python writer writes the title and header."""
    client.force_login(StaffUserFactory(groups=["Petugas Anggaran"]))
    response = client.get("/reports/spend-ledger.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).count(b"\r\n") == 2


def test_a_download_cut_off_cancels_the_copy_and_leaves_the_connection_usable(ledger):
    pieces = csv_chunks(get_report("spend-ledger"), ReportFilters(), None)
    next(pieces)  # the title and header
    next(pieces)  # the COPY has started
    pieces.close()
    assert MediaOrder.objects.count() == len(TRICKY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
