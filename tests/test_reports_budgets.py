"""The budgets' reports (budgets/reports.py): the spend ledger, the budget utilisation and the exceptions,
read back from the CSV and XLSX files a person downloads and checked against data made through the
services (tests/budget_helpers.py); scoped to the person's agency; filtered; the public-safe profile
without people's names; the same queries for 1 order as for 100."""

import csv
import datetime
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from budgets import services
from budgets.models import MediaOrder
from budgets.reports import spend_ledger_values
from mediareg.reports import ReportFilters
from partners.models import DocumentKind
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
)
from tests.factories import DocumentFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
TODAY = datetime.date(2026, 11, 26)
DANGEROUS = '=HYPERLINK("http://x","y")'


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [["" if value is None else value for value in row] for row in sheet.values]


def as_dicts(rows: list[list]) -> list[dict]:
    """The data rows under the header (rows[1]), keyed by the header's words; rows[0] is the title line."""
    header = rows[1]
    return [dict(zip(header, row, strict=True)) for row in rows[2:]]


def download(client, user, name: str, file_format: str = "csv", **params) -> list[dict]:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(f"/reports/{name}.{file_format}", params)
    return as_dicts(read_csv(response) if file_format == "csv" else read_xlsx(response))


@pytest.fixture
def world():
    """Two agencies: Alpha with a 2025 and a 2026 budget, Beta with 2026; one outlet listed since March 2025
    whose company's name would be a spreadsheet formula; an order of each kind of life (paid, committed
    with a negotiated amount, cancelled)."""
    alpha = make_agency("Dinas Kominfo Alpha", slug="alpha")
    beta = make_agency("Dinas Kominfo Beta", slug="beta")
    officer = budget_officer(alpha, "anggaran.alpha", first_name="Siti", last_name="Rahmawati")
    outlet = listed_eligible_outlet("Warta Satu", since=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=JAKARTA))
    outlet.company.legal_name = DANGEROUS
    outlet.company.save(update_fields=["legal_name"])
    # This year's KSWP, so that the outlet's tax status is current today (the one of its listing day, dated
    # January 2025, counted until 31 March 2026).
    DocumentFactory(company=outlet.company, kind=DocumentKind.KSWP, accepted=True,
                    issue_date=datetime.date(2026, 1, 5))
    price = approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata",
                           valid_from=datetime.date(2025, 1, 1))
    alpha_2026, alpha_2025 = make_budget(alpha, year=2026), make_budget(alpha, year=2025)
    beta_2026 = make_budget(beta, year=2026)
    paid = place(alpha_2026, price, quantity=2, order_date=datetime.date(2026, 9, 14), user=officer,
                 ecatalog_reference="EK-2026-001", description="Dua artikel HUT provinsi")
    paid = pay(paid, paid_on=datetime.date(2026, 10, 1), reference="SP2D-001")
    discounted = place(alpha_2025, price, quantity=1, order_date=datetime.date(2025, 6, 10), user=officer,
                       amount=9_000_000, override_reason="Diskon akhir tahun")
    cancelled = place(beta_2026, price, quantity=3, order_date=datetime.date(2026, 10, 5))
    cancelled = services.order_cancel(cancelled, reason="Acara batal", today=TODAY)
    return {"alpha": alpha, "beta": beta, "officer": officer, "outlet": outlet, "price": price, "paid": paid,
            "discounted": discounted, "cancelled": cancelled, "alpha_2026": alpha_2026, "alpha_2025": alpha_2025,
            "beta_2026": beta_2026}


# --- spend-ledger -------------------------------------------------------------------------------------------

def test_the_spend_ledger_has_every_order_with_its_facts_in_csv_and_xlsx(client, auditor, world):
    outlet = world["outlet"]
    for file_format in ("csv", "xlsx"):
        rows = download(client, auditor, "spend-ledger", file_format)
        assert [int(r["order number"]) for r in rows] == [
            world["discounted"].pk, world["paid"].pk, world["cancelled"].pk]  # by order date
        discounted, paid, cancelled = rows
        assert paid == {
            "order number": paid["order number"], "agency": "Dinas Kominfo Alpha", "fiscal year": 2026 if
            file_format == "xlsx" else "2026", "account code": "5.1.02.02.01.0055",
            "outlet number": outlet.pk if file_format == "xlsx" else str(outlet.pk), "outlet": "Warta Satu",
            "company": "'" + DANGEROUS, "product kind": "Advertorial", "product": "Advertorial 600 kata",
            "what is published": "Dua artikel HUT provinsi", "quantity": 2 if file_format == "xlsx" else "2",
            "unit price": 10_000_000 if file_format == "xlsx" else "10000000",
            "amount": 20_000_000 if file_format == "xlsx" else "20000000", "reason for a different amount": "",
            "status": "Paid", "order date": "2026-09-14", "service from": "2026-09-14",
            "service until": "2026-09-21", "e-catalog order reference": "EK-2026-001", "proof": "Proof accepted",
            "published link": "https://portal.example/berita/1", "payment date": "2026-10-01",
            "payment reference (SP2D)": "SP2D-001", "cancelled on": "", "eligible on the order date": "yes",
            "listing on the order date": "Listed", "failing rules on the order date": "",
            "placed by": "Siti Rahmawati"}
        assert (discounted["fiscal year"], discounted["amount"], discounted["reason for a different amount"],
                discounted["status"], discounted["proof"]) == (
            2025 if file_format == "xlsx" else "2025", 9_000_000 if file_format == "xlsx" else "9000000",
            "Diskon akhir tahun", "Committed", "No proof yet")
        assert (cancelled["agency"], cancelled["status"], cancelled["cancelled on"], cancelled["placed by"]) == (
            "Dinas Kominfo Beta", "Cancelled", "2026-11-26", "")


def test_the_spend_ledger_speaks_the_chosen_language(client, auditor, world):
    client.force_login(auditor)
    client.cookies["django_language"] = "id"
    rows = read_csv(client.get("/reports/spend-ledger.csv"))
    assert "profil" in rows[0][0].lower()
    assert "Dibayar" in {row[14] for row in rows[2:]}  # the status in Indonesian


def test_the_failing_rules_of_the_snapshot_come_out_in_the_files_language(client, auditor, world):
    # An order placed while the outlet was eligible keeps no failing rule; one whose snapshot says otherwise
    # (written here directly: order_place refuses such an order) shows the rules that failed, in words.
    order = world["discounted"]
    MediaOrder.objects.filter(pk=order.pk).update(eligible_on_order_date=False, eligibility_outcomes=[
        {"code": "npwp", "passed": True, "reason": {"id": "NPWP sah.", "en": "NPWP valid."}},
        {"code": "tax_status", "passed": False, "reason": {"id": "KSWP tidak ada.", "en": "No KSWP."}},
        {"code": "web_rank", "passed": False, "reason": {"id": "Peringkat kurang.", "en": "Rank too low."}},
    ])
    rows = {r["order number"]: r for r in download(client, auditor, "spend-ledger")}
    row = rows[str(order.pk)]
    assert (row["eligible on the order date"], row["failing rules on the order date"]) == (
        "no", "No KSWP.; Rank too low.")
    client.cookies["django_language"] = "id"
    body = read_csv(client.get("/reports/spend-ledger.csv"))
    assert "KSWP tidak ada.; Peringkat kurang." in {r[26] for r in body[2:]}
    # Outcomes written around the services (an object, a reason in plain text) never break the file.
    MediaOrder.objects.filter(pk=order.pk).update(eligibility_outcomes={"passed": False})
    MediaOrder.objects.filter(pk=world["paid"].pk).update(
        eligible_on_order_date=False, eligibility_outcomes=[{"code": "old", "passed": False, "reason": "Alasan lama"}])
    rows = {r["order number"]: r for r in download(client, auditor, "spend-ledger")}
    assert rows[str(order.pk)]["failing rules on the order date"] == ""
    assert rows[str(world["paid"].pk)]["failing rules on the order date"] == "Alasan lama"


def test_a_budget_officer_takes_out_only_their_agencys_orders_and_an_auditor_all(client, auditor, world):
    officer_rows = download(client, world["officer"], "spend-ledger")
    assert {r["agency"] for r in officer_rows} == {"Dinas Kominfo Alpha"} and len(officer_rows) == 2
    beta_officer = budget_officer(world["beta"])
    assert [r["status"] for r in download(client, beta_officer, "spend-ledger", "xlsx")] == ["Cancelled"]
    # Asking for the other agency's file gives nothing of it.
    assert download(client, world["officer"], "spend-ledger", agency="beta") == []
    assert len(download(client, auditor, "spend-ledger")) == 3
    client.force_login(StaffUserFactory())  # staff without the permission
    assert client.get("/reports/spend-ledger.csv").status_code == 403


def test_the_spend_ledger_filters_by_agency_year_and_order_date(client, auditor, world):
    def numbers(**params):
        return [int(r["order number"]) for r in download(client, auditor, "spend-ledger", **params)]

    assert numbers(agency="alpha") == [world["discounted"].pk, world["paid"].pk]
    assert numbers(year=2025) == [world["discounted"].pk]
    assert numbers(year=2026, agency="alpha") == [world["paid"].pk]
    assert numbers(date_from="2026-09-14", date_to="2026-10-04") == [world["paid"].pk]
    assert numbers(date_from="2026-09-15") == [world["cancelled"].pk]
    assert numbers(date_to="2026-09-13") == [world["discounted"].pk]


def test_the_public_profile_leaves_out_who_placed_the_order(client, auditor, world):
    client.force_login(auditor)
    rows = read_csv(client.get("/reports/spend-ledger.csv", {"profile": "public"}))
    assert "placed by" not in rows[1] and "dipesan oleh" not in rows[1]
    assert not any("Siti" in cell or "Rahmawati" in cell for row in rows for cell in row)
    full = read_csv(client.get("/reports/spend-ledger.csv"))
    assert len(full[1]) == len(rows[1]) + 1


def test_the_ledgers_select_is_one_query_for_copy(world):
    """bench/export.py runs the same SELECT through COPY: it is one statement with the columns in order."""
    values = spend_ledger_values(ReportFilters(), None, language="en")
    sql, params = values.query.sql_with_params()
    assert sql.startswith("SELECT") and len(values.query.values_select) + len(values.query.annotation_select) == 28
    assert list(values)[0][0] == world["discounted"].pk


def ledger_queries(client, user) -> tuple[int, int]:
    client.force_login(user)
    client.get("/reports/spend-ledger.csv")  # warm up the session and content types
    with CaptureQueriesContext(connection) as captured:
        rows = read_csv(client.get("/reports/spend-ledger.csv"))
    return len(captured), len(rows) - 2


def test_the_spend_ledger_runs_the_same_queries_for_one_order_and_for_a_hundred(client, auditor):
    agency = make_agency()
    outlet = listed_eligible_outlet()
    price = approved_price(outlet, unit_price=1_000_000)
    budget = make_budget(agency, amount=1_000_000_000)
    place(budget, price)
    one, rows = ledger_queries(client, auditor)
    assert rows == 1
    for _ in range(99):
        place(budget, price)
    hundred, rows = ledger_queries(client, auditor)
    assert rows == 100 and hundred == one


def test_the_command_exports_every_agencys_orders(tmp_path, world):
    from django.core.management import call_command

    target = tmp_path / "ledger.csv"
    call_command("export_report", "spend-ledger", "--output", str(target), "--language", "en", "--agency", "alpha")
    rows = as_dicts(list(csv.reader(io.StringIO(target.read_text("utf-8-sig")))))
    assert [int(r["order number"]) for r in rows] == [world["discounted"].pk, world["paid"].pk]
