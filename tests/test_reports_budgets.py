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
from budgets.models import MediaOrder, RevisionReason
from budgets.reports import spend_ledger_rows, spend_ledger_values
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
            "entry": "e-catalog order", "number of the spend outside the catalog": "",
            "placed by": "Siti Rahmawati", "tier on the order date": "A", "reference price": "", "price offered": "",
            "price agreed": "", "negotiated on": "", "negotiated by (agency / outlet)": ""}
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
    # The orders an admin action selected (ids), for the person's agency only.
    selected = ReportFilters(ids=[world["paid"].pk, world["cancelled"].pk])
    assert [row[0] for row in spend_ledger_rows(selected, None)] == [world["paid"].pk, world["cancelled"].pk]
    assert [row[0] for row in spend_ledger_rows(selected, world["officer"])] == [world["paid"].pk]


def test_the_public_profile_leaves_out_who_placed_the_order(client, auditor, world):
    client.force_login(auditor)
    rows = read_csv(client.get("/reports/spend-ledger.csv", {"profile": "public"}))
    assert "placed by" not in rows[1] and "dipesan oleh" not in rows[1]
    assert not any("Siti" in cell or "Rahmawati" in cell for row in rows for cell in row)
    full = read_csv(client.get("/reports/spend-ledger.csv"))
    assert len(full[1]) == len(rows[1]) + 2  # who placed the order, who negotiated its price


def test_the_ledgers_select_is_one_query_for_copy(world):
    """bench/export.py runs the same SELECT through COPY: it is one statement with the columns in order."""
    values = spend_ledger_values(ReportFilters(), None, language="en")
    sql, params = values.query.sql_with_params()
    assert sql.startswith("SELECT") and len(values.query.values_select) + len(values.query.annotation_select) == 36
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


# --- budget-utilisation -------------------------------------------------------------------------------------

@pytest.fixture
def revised(world):
    """Alpha's 2026 budget cut to Rp 800 million by a refocusing; Beta's year without media spending."""
    services.budget_revise(world["alpha_2026"], amount_after=800_000_000, reason=RevisionReason.REFOCUSING,
                           reference="SKB Mendagri-Menkeu", revised_on=datetime.date(2026, 4, 9))
    services.budget_set_policy(world["beta_2026"], spending_allowed=False, reference="Ingub 1/2026")
    return world


def test_budget_utilisation_has_a_row_per_agency_and_year_with_its_figures(client, auditor, revised):
    for file_format in ("csv", "xlsx"):
        rows = download(client, auditor, "budget-utilisation", file_format)

        def n(value, xlsx=file_format == "xlsx"):
            return value if xlsx else str(value)

        assert [(r["agency"], r["fiscal year"]) for r in rows] == [
            ("Dinas Kominfo Alpha", n(2025)), ("Dinas Kominfo Alpha", n(2026)), ("Dinas Kominfo Beta", n(2026))]
        alpha_2025, alpha_2026, beta_2026 = rows
        assert alpha_2026 == {
            "agency": "Dinas Kominfo Alpha", "fiscal year": n(2026), "account code": "5.1.02.02.01.0055",
            "account name": "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan",
            "original amount (murni)": n(1_000_000_000), "revisions": n(1),
            "current amount (after revisions)": n(800_000_000), "ordered": n(20_000_000),
            "committed (ordered, not paid)": n(0), "paid (realisasi)": n(20_000_000),
            "spent outside the catalog": n(0),
            "remaining (current minus ordered and spent outside the catalog)": n(780_000_000),
            "absorption (paid and spent outside the catalog ÷ current, %)": n(2.5),
            "media spending allowed": "yes", "policy decision reference": ""}
        absorption = "absorption (paid and spent outside the catalog ÷ current, %)"
        assert (alpha_2025["ordered"], alpha_2025["committed (ordered, not paid)"], alpha_2025["paid (realisasi)"],
                alpha_2025["revisions"], alpha_2025[absorption]) == (
            n(9_000_000), n(9_000_000), n(0), n(0), n(0.0))
        # The cancelled order holds nothing; the year's policy is off, with its reference.
        assert (beta_2026["ordered"], beta_2026["remaining (current minus ordered and spent outside the catalog)"],
                beta_2026["media spending allowed"], beta_2026["policy decision reference"]) == (
            n(0), n(1_000_000_000), "no", "Ingub 1/2026")


def test_budget_utilisation_is_scoped_and_filtered(client, auditor, revised):
    def keys(user, **params):
        return [(r["agency"], r["fiscal year"]) for r in download(client, user, "budget-utilisation", **params)]

    alpha = "Dinas Kominfo Alpha"
    assert keys(revised["officer"]) == [(alpha, "2025"), (alpha, "2026")]
    assert keys(revised["officer"], agency="beta") == []
    assert keys(auditor, year=2026) == [(alpha, "2026"), ("Dinas Kominfo Beta", "2026")]
    assert keys(auditor, agency="alpha", year=2025) == [(alpha, "2025")]
    # The spend ledger's date filters do not apply here: they are ignored, not refused.
    assert len(keys(auditor, date_from="2026-01-01")) == 3


def test_budget_utilisation_runs_the_same_queries_for_one_budget_and_for_twenty(client, auditor):
    agency = make_agency()
    make_budget(agency, year=2000)

    def queries():
        client.force_login(auditor)
        client.get("/reports/budget-utilisation.csv")
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(client.get("/reports/budget-utilisation.csv"))
        return len(captured), len(rows) - 2

    one, rows = queries()
    assert rows == 1
    for year in range(2001, 2020):
        services.budget_revise(make_budget(agency, year=year), amount_after=5, reason=RevisionReason.CORRECTION,
                               reference="x", revised_on=datetime.date(year, 2, 1))
    twenty, rows = queries()
    assert rows == 20 and twenty == one


# --- exceptions ---------------------------------------------------------------------------------------------

def findings(client, user, file_format="csv", **params) -> list[dict]:
    return download(client, user, "exceptions", file_format, **params)


def codes(rows) -> list[tuple]:
    return [(r["check (code)"], r["number"] if isinstance(r["number"], int) else int(r["number"])) for r in rows]


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=JAKARTA)


def drop_constraint(table: str, name: str) -> None:
    """Drop a CHECK inside the test's transaction (rolled back after the test), to write a state the
    database refuses, as a bypass of it would leave. The deferred foreign-key checks run first: PostgreSQL
    does not alter a table with pending trigger events."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_clean_data_gives_no_exception(client, auditor):
    agency = make_agency()
    officer = budget_officer(agency)
    outlet = listed_eligible_outlet()
    price = approved_price(outlet, unit_price=5_000_000)
    budget = make_budget(agency)
    pay(place(budget, price, quantity=3, user=officer), paid_on=datetime.date(2026, 10, 1))
    services.order_cancel(place(budget, price, user=officer), reason="Batal", user=officer, today=TODAY)
    place(budget, price, order_date=datetime.date(2026, 11, 20), user=officer)
    # A document that ran out and was replaced the next day, and one that ran out before the listing.
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, issue_date=datetime.date(2026, 8, 1),
                    expiry_date=datetime.date(2026, 8, 31))
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, issue_date=datetime.date(2026, 9, 1),
                    expiry_date=datetime.date(2026, 12, 31))
    DocumentFactory(outlet=outlet, kind=DocumentKind.BROADCAST_LICENCE, accepted=True,
                    issue_date=datetime.date(2020, 1, 1), expiry_date=datetime.date(2025, 1, 1))
    # A rejected document that expired is nobody's to keep.
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, rejected=True, issue_date=datetime.date(2026, 9, 1),
                    expiry_date=datetime.date(2026, 10, 1))
    for file_format in ("csv", "xlsx"):
        assert findings(client, auditor, file_format) == []
        assert findings(client, officer, file_format) == []


def test_an_order_whose_snapshot_says_not_eligible_is_found(client, auditor, world):
    # order_place refuses such an order: the snapshot is changed here as a bypass would.
    order = world["paid"]
    MediaOrder.objects.filter(pk=order.pk).update(
        eligible_on_order_date=False, eligibility_outcomes=[
            {"code": "tax_status", "passed": False, "reason": {"id": "KSWP tidak ada.", "en": "No KSWP."}}])
    MediaOrder.objects.filter(pk=world["discounted"].pk).update(listing_state_on_order_date="suspended")
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "order_snapshot_not_eligible"]
    assert codes(rows) == [("order_snapshot_not_eligible", world["discounted"].pk),
                           ("order_snapshot_not_eligible", order.pk)]
    discounted, paid = rows
    assert paid == {
        "check (code)": "order_snapshot_not_eligible",
        "check": "Order to an outlet not listed or not eligible on the order date (the order's snapshot)",
        "concerns": "order", "number": str(order.pk), "name": "Advertorial 600 kata",
        "outlet number": str(world["outlet"].pk), "outlet": "Warta Satu", "company": "'" + DANGEROUS,
        "agency": "Dinas Kominfo Alpha", "fiscal year": "2026", "date": "2026-09-14", "amount": "20000000",
        "detail": "The order's snapshot of 2026-09-14: listing Listed, not eligible. Order status: Paid. "
                  "Failing rules: No KSWP.", "people named": ""}
    assert "listing Suspended, eligible" in discounted["detail"]


def test_an_order_is_checked_again_against_the_catalogs_history(client, auditor, world):
    from catalog.models import EligibilityChange, Listing, ListingTransition

    outlet = world["outlet"]
    # On the paid order's day the outlet's result was "not eligible" from 08:00 until a re-check on the 20th;
    # on the 2025 order's day the listing was suspended from 07:00 until the next day. Both orders' snapshots
    # say otherwise (written as if the snapshot had been bypassed).
    EligibilityChange.objects.create(outlet=outlet, created_at=at(datetime.date(2026, 9, 14), 8), trigger="schedule",
                                     is_eligible=False, failing_codes=",tax_status,web_rank,", outcomes=[])
    EligibilityChange.objects.create(outlet=outlet, created_at=at(datetime.date(2026, 9, 20), 1), trigger="schedule",
                                     is_eligible=True, outcomes=[])
    listing = Listing.objects.get(outlet=outlet)
    ListingTransition.objects.create(listing=listing, created_at=at(datetime.date(2025, 6, 10), 7), action="suspend",
                                     from_state="listed", to_state="suspended", actor_label="rina.verifikator")
    ListingTransition.objects.create(listing=listing, created_at=at(datetime.date(2025, 6, 11), 9),
                                     action="reinstate", from_state="suspended", to_state="listed",
                                     actor_label="rina.verifikator")
    rows = [r for r in findings(client, auditor) if r["check (code)"].startswith("order_")]
    assert codes(rows) == [("order_history_not_eligible", world["discounted"].pk),
                           ("order_history_not_eligible", world["paid"].pk)]
    assert rows[0]["detail"] == ("The catalog's history at the end of 2025-06-10: listing Suspended, eligible. "
                                 "Order status: Committed. Failing rules: none")
    assert rows[1]["detail"] == ("The catalog's history at the end of 2026-09-14: listing Listed, not eligible. "
                                 "Order status: Paid. Failing rules: Current tax status (KSWP or SKF); "
                                 "Web traffic rank")
    # The cancelled order of 5 October, after the re-check of the 20th, is not found.


def test_an_order_inserted_around_the_service_for_an_outlet_never_listed_is_found(client, auditor, world):
    from tests.factories import MediaOutletFactory

    # Written directly, as a bypass of order_place would: its snapshot claims what the catalog never said.
    stranger = MediaOutletFactory(name="Warta Gelap")
    order = MediaOrder.objects.create(
        budget=world["alpha_2026"], outlet=stranger, price_item=world["price"], quantity=1, unit_price=10_000_000,
        amount=10_000_000, order_date=datetime.date(2026, 11, 2), service_start=datetime.date(2026, 11, 2),
        service_end=datetime.date(2026, 11, 9), eligible_on_order_date=True, listing_state_on_order_date="listed")
    rows = [r for r in findings(client, auditor) if r["check (code)"].startswith("order_")]
    assert codes(rows) == [("order_history_not_eligible", order.pk)]
    assert (rows[0]["outlet"], rows[0]["detail"]) == (
        "Warta Gelap", "The catalog's history at the end of 2026-11-02: listing none, never evaluated by then. "
                       "Order status: Committed. Failing rules: none")


def test_a_paid_order_without_accepted_proof_is_found(client, auditor, world):
    # The database's CHECK refuses it; it is dropped inside this test's transaction (rolled back after)
    # to write the state a bypass of the constraint would leave.
    drop_constraint("budgets_mediaorder", "order_paid_has_proof_and_payment")
    MediaOrder.objects.filter(pk=world["paid"].pk).update(proof_status="rejected", proof_reason="Tautan mati")
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "paid_without_accepted_proof"]
    assert codes(rows) == [("paid_without_accepted_proof", world["paid"].pk)]
    assert rows[0]["detail"] == "Paid on 2026-10-01 (SP2D-001); proof of publication: Proof rejected."
    assert (rows[0]["check"], rows[0]["amount"]) == ("Paid order without accepted proof of publication", "20000000")


def test_a_price_override_is_found_with_its_reason(client, auditor, world):
    rows = findings(client, auditor)
    # And nothing else in this world but its proof, never sent since June 2025 and so overdue (docs/domain.md
    # "Proof deadlines").
    assert codes(rows) == [("price_override", world["discounted"].pk), ("proof_overdue", world["discounted"].pk)]
    assert rows[0]["detail"] == ("1 × Rp 10.000.000 = Rp 10.000.000; the amount is Rp 9.000.000. "
                                 "Reason: Diskon akhir tahun. Order status: Committed.")
    assert (rows[0]["agency"], rows[0]["fiscal year"], rows[0]["date"]) == ("Dinas Kominfo Alpha", "2025", "2025-06-10")


def test_a_budget_below_its_orders_is_found_by_its_figure_or_by_its_orders(client, auditor, world):
    from budgets.models import Budget

    # The CHECK ordered + other spend <= current refuses the first; it is dropped inside this test's transaction.
    drop_constraint("budgets_budget", "budget_spend_within_amount")
    Budget.objects.filter(pk=world["alpha_2026"].pk).update(current_amount=10_000_000)
    # The second breaks no constraint: the budget's figure is out of step with its orders (9 million).
    Budget.objects.filter(pk=world["alpha_2025"].pk).update(current_amount=5_000_000, ordered_amount=0)
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "budget_below_orders"]
    assert codes(rows) == [("budget_below_orders", world["alpha_2025"].pk),
                           ("budget_below_orders", world["alpha_2026"].pk)]
    assert rows[1]["detail"] == ("The current amount Rp 10.000.000 is below what is ordered: Rp 20.000.000 by "
                                 "the budget's figure, Rp 20.000.000 by its orders that are not cancelled.")
    assert (rows[1]["concerns"], rows[1]["name"], rows[1]["amount"], rows[1]["date"]) == (
        "budget", "Dinas Kominfo Alpha 2026: Belanja Jasa Iklan/Reklame, Film, dan Pemotretan", "10000000",
        "2026-11-26")
    assert "Rp 0 by the budget's figure, Rp 9.000.000 by its orders" in rows[0]["detail"]


def test_a_document_that_expired_while_the_outlet_stayed_listed_is_found(client, auditor, world):
    from catalog.models import Listing, ListingTransition

    outlet = world["outlet"]
    skf = DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, number="SKF-9",
                          issue_date=datetime.date(2026, 9, 1), expiry_date=datetime.date(2026, 10, 1))
    certificate = DocumentFactory(outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                                  number="DP-7", issue_date=datetime.date(2021, 11, 1),
                                  expiry_date=datetime.date(2026, 11, 1))
    # An SKF that ran out on 31 August and that SKF-9, issued on 1 September, replaced: not found.
    DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, number="SKF-8",
                    issue_date=datetime.date(2026, 8, 1), expiry_date=datetime.date(2026, 8, 31))
    # Another outlet, taken out of the catalog the night after its document expired: not found.
    other = listed_eligible_outlet("Warta Dua")
    DocumentFactory(outlet=other, kind=DocumentKind.BROADCAST_LICENCE, accepted=True, number="IPP-1",
                    issue_date=datetime.date(2021, 1, 1), expiry_date=datetime.date(2026, 11, 20))
    listing = Listing.objects.get(outlet=other)
    ListingTransition.objects.create(listing=listing, created_at=at(datetime.date(2026, 11, 21), 1), action="suspend",
                                     from_state="listed", to_state="suspended", actor_label="system:recheck")
    Listing.objects.filter(pk=listing.pk).update(state="suspended", suspension_cause="eligibility")
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "document_expired_while_listed"]
    assert codes(rows) == [("document_expired_while_listed", skf.pk),  # by expiry date
                           ("document_expired_while_listed", certificate.pk)]
    assert rows[0] == {
        "check (code)": "document_expired_while_listed", "check": "Document expired while the outlet stayed listed",
        "concerns": "document", "number": str(skf.pk), "name": "Tax clearance letter (SKF) SKF-9",
        "outlet number": str(outlet.pk), "outlet": "Warta Satu", "company": "'" + DANGEROUS, "agency": "",
        "fiscal year": "", "date": "2026-10-01", "amount": "",
        "detail": "Tax clearance letter (SKF) SKF-9 expired on 2026-10-01; no accepted Tax clearance letter (SKF) "
                  "replaced it by 2026-10-02, and the outlet was still listed at the end of that day.",
        "people named": ""}
    assert rows[1]["name"] == "Dewan Pers verification certificate DP-7"


def test_a_company_document_is_found_for_each_of_its_listed_outlets(client, auditor, world):
    from tests.catalog_helpers import listed_outlet

    outlet = world["outlet"]
    sister = listed_outlet("Warta Saudara", company=outlet.company)
    not_listed = listed_outlet("Warta Ditolak", company=outlet.company, state="rejected")
    skf = DocumentFactory(company=outlet.company, kind=DocumentKind.SKF, accepted=True, number="SKF-1",
                          issue_date=datetime.date(2026, 9, 1), expiry_date=datetime.date(2026, 10, 1))
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "document_expired_while_listed"]
    assert {(int(r["number"]), int(r["outlet number"])) for r in rows} == {(skf.pk, outlet.pk), (skf.pk, sister.pk)}
    assert not_listed.pk not in {int(r["outlet number"]) for r in rows}


def test_a_listed_outlet_without_a_current_tax_status_is_found(client, auditor, world):
    # Listed since March 2025 with the KSWP of January 2025, which counted until 31 March 2026.
    stale = listed_eligible_outlet("Warta Basi", since=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=JAKARTA))
    # The same, but a current SKF stands in for the KSWP (catalog.rules.rule_tax_status).
    with_skf = listed_eligible_outlet("Warta Fiskal", since=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=JAKARTA))
    DocumentFactory(company=with_skf.company, kind=DocumentKind.SKF, accepted=True,
                    issue_date=datetime.date(2026, 11, 20), expiry_date=datetime.date(2026, 12, 20))
    # A KSWP of this year that was rejected, or is still waiting, counts for nothing.
    DocumentFactory(company=stale.company, kind=DocumentKind.KSWP, rejected=True, issue_date=datetime.date(2026, 2, 1))
    DocumentFactory(company=stale.company, kind=DocumentKind.KSWP, issue_date=datetime.date(2026, 3, 1))
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "listed_without_tax_status"]
    assert codes(rows) == [("listed_without_tax_status", stale.pk)]
    assert rows[0]["detail"] == ("Listed on 2026-11-26 without a KSWP that counts that day or a current SKF; "
                                 "the latest accepted KSWP is of 2025-01-01.")
    assert (rows[0]["concerns"], rows[0]["name"], rows[0]["date"]) == ("outlet", "Warta Basi", "2026-11-26")


def test_exceptions_are_scoped_to_the_agency_and_filtered(client, auditor, world):
    beta_order = place(world["beta_2026"], world["price"], quantity=2, amount=15_000_000, override_reason="Paket",
                       order_date=datetime.date(2026, 11, 2))
    stale = listed_eligible_outlet("Warta Basi", since=datetime.datetime(2025, 3, 3, 9, 0, tzinfo=JAKARTA))
    everything = codes(findings(client, auditor))
    # Neither order's proof was sent: both are overdue on the pinned day.
    assert everything == [("price_override", world["discounted"].pk), ("price_override", beta_order.pk),
                          ("proof_overdue", world["discounted"].pk), ("proof_overdue", beta_order.pk),
                          ("listed_without_tax_status", stale.pk)]
    # The command's progress bar counts the same rows, a count query per check.
    from mediareg.reports import get_report

    assert get_report("exceptions").count(ReportFilters(), None) == 5
    assert get_report("exceptions").count(ReportFilters(agency="beta"), world["officer"]) == 1
    # A budget officer: their agency's orders, and the registry's findings (every agency's).
    assert codes(findings(client, world["officer"], "xlsx")) == [
        ("price_override", world["discounted"].pk), ("proof_overdue", world["discounted"].pk),
        ("listed_without_tax_status", stale.pk)]
    assert codes(findings(client, world["officer"], agency="beta")) == [("listed_without_tax_status", stale.pk)]
    assert codes(findings(client, auditor, agency="beta")) == [
        ("price_override", beta_order.pk), ("proof_overdue", beta_order.pk), ("listed_without_tax_status", stale.pk)]
    assert codes(findings(client, auditor, year=2025)) == [
        ("price_override", world["discounted"].pk), ("proof_overdue", world["discounted"].pk),
        ("listed_without_tax_status", stale.pk)]
    # Staff who may see orders but not the registry get no registry finding (and, with no agency, no order).
    reader = StaffUserFactory(permissions=["budgets.view_mediaorder"])
    assert findings(client, reader) == []


def test_exceptions_run_the_same_queries_for_one_order_and_for_a_hundred(client, auditor):
    agency = make_agency()
    outlet = listed_eligible_outlet()
    price = approved_price(outlet, unit_price=1_000_000)
    budget = make_budget(agency)

    def queries():
        client.force_login(auditor)
        client.get("/reports/exceptions.csv")
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(client.get("/reports/exceptions.csv"))
        return len(captured), len(rows) - 2

    # Each order is found twice: its amount, and its proof overdue on the pinned day.
    place(budget, price, amount=900_000, override_reason="Diskon")
    one, rows = queries()
    assert rows == 2
    for _ in range(99):
        place(budget, price, amount=900_000, override_reason="Diskon")
    hundred, rows = queries()
    assert rows == 200 and hundred == one


def test_the_reports_page_offers_the_budget_reports_to_those_who_may_take_them_out(client, auditor, world):
    client.force_login(auditor)
    body = client.get("/reports/").content.decode()
    for name in ("spend-ledger", "budget-utilisation", "exceptions"):
        assert f'id="report-{name}"' in body
    client.force_login(world["officer"])
    body = client.get("/reports/").content.decode()
    assert 'id="report-spend-ledger"' in body and 'id="report-exceptions"' in body


def test_only_the_ledger_has_personal_data(client, auditor, world):
    from mediareg.reports import get_report

    assert [c.key for c in get_report("spend-ledger").columns if c.personal] == ["placed_by", "negotiated_by"]
    # The exceptions report names people (who negotiated, placed, approved) in its own column only.
    assert [c.key for c in get_report("exceptions").columns if c.personal] == ["people"]
    for name in ("budget-utilisation",):
        report = get_report(name)
        assert report.columns_for("public") == report.columns
        client.force_login(auditor)
        assert read_csv(client.get(f"/reports/{name}.csv", {"profile": "public"}))[1] == \
            read_csv(client.get(f"/reports/{name}.csv"))[1]


@pytest.mark.parametrize(("day", "found"), [(datetime.date(2027, 3, 31), False), (datetime.date(2027, 4, 1), True)])
def test_last_years_kswp_counts_until_the_grace_date_and_not_a_day_longer(client, auditor, world, day, found):
    import time_machine

    # The outlet's latest KSWP is of 5 January 2026: it counts until 31 March 2027 (catalog.tax_calendar).
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=JAKARTA), tick=False):
        rows = [r for r in findings(client, auditor) if r["check (code)"] == "listed_without_tax_status"]
    assert codes(rows) == ([("listed_without_tax_status", world["outlet"].pk)] if found else [])
