"""Spend outside the catalog in the reports (budgets/reports.py): the spend ledger lists it after the orders
with its kind, recipient, amount, date and reference (so the ledger holds all the money), scoped and filtered
like the orders, in the same fixed number of queries for 1 and 100 entries; the budget utilisation has its
column and counts it in the remaining amount and the absorption."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import services
from budgets.reports import spend_ledger_rows
from mediareg.reports import ReportFilters
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    record_other_spend,
)
from tests.test_reports_budgets import download, read_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def world():
    alpha, beta = make_agency("Dinas Kominfo Alpha", slug="alpha"), make_agency("Dinas Kominfo Beta", slug="beta")
    officer = budget_officer(alpha, "anggaran.alpha", first_name="Siti", last_name="Rahmawati")
    outlet = listed_eligible_outlet("Harian Alpha")
    budget = make_budget(alpha, year=2026, amount=100_000_000)
    order = place(budget, approved_price(outlet, unit_price=10_000_000), user=officer)
    subscription = record_other_spend(budget, amount=3_600_000, kind="subscription", outlet=outlet, recipient="",
                                      spent_on=datetime.date(2026, 1, 15), reference="SP2D-0012/2026", user=officer,
                                      description="Langganan Harian Alpha setahun")
    gathering = record_other_spend(budget, amount=7_500_000, kind="press_gathering", recipient="PWI Alpha",
                                   spent_on=datetime.date(2026, 10, 2), reference="KW-77", user=officer)
    cancelled = record_other_spend(budget, amount=1_000_000, kind="other", spent_on=datetime.date(2026, 10, 3),
                                   user=officer)
    services.other_spend_cancel(cancelled, reason="Dicatat ganda", user=officer, today=TODAY)
    beta_budget = make_budget(beta, year=2026, amount=50_000_000)
    publication = record_other_spend(beta_budget, amount=20_000_000, kind="legislature_publication",
                                     recipient="Tabloid DPRD Beta", spent_on=datetime.date(2026, 6, 1))
    return {"officer": officer, "outlet": outlet, "order": order, "subscription": subscription,
            "gathering": gathering, "cancelled": cancelled, "publication": publication, "budget": budget}


def test_the_ledger_lists_the_spend_outside_the_catalog_after_the_orders(client, auditor, world):
    for file_format in ("csv", "xlsx"):
        rows = download(client, auditor, "spend-ledger", file_format)

        def n(value, xlsx=file_format == "xlsx"):
            return value if xlsx else str(value)

        assert [(r["entry"], r["order number"], r["number of the spend outside the catalog"]) for r in rows] == [
            ("e-catalog order", n(world["order"].pk), ""),
            ("spend outside the catalog", "", n(world["subscription"].pk)),
            ("spend outside the catalog", "", n(world["publication"].pk)),
            ("spend outside the catalog", "", n(world["gathering"].pk)),
            ("spend outside the catalog", "", n(world["cancelled"].pk)),
        ]  # the orders, then the spend outside the catalog by date spent
        subscription = rows[1]
        assert {key: subscription[key] for key in (
            "agency", "fiscal year", "outlet number", "outlet", "company", "product kind", "product",
            "what is published", "quantity", "amount", "status", "order date", "payment date",
            "payment reference (SP2D)", "cancelled on", "eligible on the order date", "placed by")} == {
            "agency": "Dinas Kominfo Alpha", "fiscal year": n(2026), "outlet number": n(world["outlet"].pk),
            "outlet": "Harian Alpha", "company": world["outlet"].company.legal_name,
            "product kind": "Newspaper or magazine subscription", "product": "",
            "what is published": "Langganan Harian Alpha setahun", "quantity": "", "amount": n(3_600_000),
            "status": "Paid", "order date": "2026-01-15", "payment date": "2026-01-15",
            "payment reference (SP2D)": "SP2D-0012/2026", "cancelled on": "", "eligible on the order date": "",
            "placed by": "Siti Rahmawati"}
        cancelled = rows[4]
        assert (cancelled["status"], cancelled["cancelled on"], cancelled["payment date"], cancelled["amount"]) == (
            "Cancelled", "2026-11-26", "", n(1_000_000))
        assert rows[2]["product kind"] == "Legislature (DPRD) publication" and rows[2]["outlet"] == "Tabloid DPRD Beta"
        # Everything not cancelled adds up to what the budgets hold: orders and spend outside the catalog.
        live = sum(int(r["amount"]) for r in rows if r["status"] != "Cancelled")
        assert live == 10_000_000 + 3_600_000 + 7_500_000 + 20_000_000


def test_the_ledgers_other_spend_is_scoped_and_filtered_like_its_orders(client, auditor, world):
    def entries(user, **params):
        return [r["number of the spend outside the catalog"] for r in download(client, user, "spend-ledger", **params)
                if r["entry"] == "spend outside the catalog"]

    officer = world["officer"]
    assert entries(officer) == [str(world[k].pk) for k in ("subscription", "gathering", "cancelled")]
    assert entries(officer, agency="beta") == []
    assert entries(auditor, agency="beta") == [str(world["publication"].pk)]
    assert entries(auditor, date_from="2026-06-01", date_to="2026-10-02") == [
        str(world["publication"].pk), str(world["gathering"].pk)]
    assert entries(auditor, year=2025) == []
    # The orders an admin action selected (ids) are only those orders.
    assert [row[0] for row in spend_ledger_rows(ReportFilters(ids=[world["order"].pk]), None)] == [world["order"].pk]
    # The public profile leaves out who entered it.
    client.force_login(auditor)
    public = read_csv(client.get("/reports/spend-ledger.csv", {"profile": "public"}))
    assert not any("Rahmawati" in cell for row in public for cell in row)


def test_the_ledger_runs_the_same_queries_for_one_entry_and_for_a_hundred(client, auditor):
    budget = make_budget(make_agency(), amount=1_000_000_000)
    record_other_spend(budget, amount=1_000)

    def queries():
        client.force_login(auditor)
        client.get("/reports/spend-ledger.csv")
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(client.get("/reports/spend-ledger.csv"))
        return len(captured), len(rows) - 2

    one, rows = queries()
    assert rows == 1
    for _ in range(99):
        record_other_spend(budget, amount=1_000)
    hundred, rows = queries()
    assert rows == 100 and hundred == one


def test_budget_utilisation_counts_the_spend_outside_the_catalog(client, auditor, world):
    rows = {(r["agency"], r["fiscal year"]): r for r in download(client, auditor, "budget-utilisation")}
    alpha = rows[("Dinas Kominfo Alpha", "2026")]
    assert (alpha["ordered"], alpha["spent outside the catalog"],
            alpha["remaining (current minus ordered and spent outside the catalog)"],
            alpha["absorption (paid and spent outside the catalog ÷ current, %)"]) == (
        "10000000", "11100000", "78900000", "11.1")
    beta = rows[("Dinas Kominfo Beta", "2026")]
    assert (beta["spent outside the catalog"], beta["absorption (paid and spent outside the catalog ÷ current, %)"]) \
        == ("20000000", "40.0")
