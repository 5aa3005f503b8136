"""The registry's reports (issue 11): ``outlets`` (the register with eligibility and listing, today or
``as_of`` a past day from the history) and ``documents`` (metadata, never files), read as a person gets them
from /reports/ in CSV and XLSX; the public-safe profile without personal data; inert formulas; a fixed
number of queries at any size; the /reports/ page with each report's size, and its link on the staff home.

History is made by the catalog itself on pinned days (time-machine): outlets listed by a reviewer on
1 September 2026, one suspended by a re-check after its KSWP was rejected on 15 October, one never
evaluated; the test day is the ordinary day, 26 November 2026."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from catalog import lifecycle
from catalog.eligibility import eligibility_on, listing_state_on, recheck_outlets
from catalog.models import EligibilityChange, ListingState, Trigger
from mediareg.reports import ReportFilters, get_report
from partners.models import Document, DocumentKind, MediaType, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, MediaOutletFactory, PressCompanyFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
LISTED_AT = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=JAKARTA)
SUSPENDED_AT = datetime.datetime(2026, 10, 15, 14, 0, tzinfo=JAKARTA)
FORMULA = '=HYPERLINK("http://x","y")'
INERT = "'" + FORMULA


def read_csv(response) -> list[list[str]]:
    """The rows of a streamed CSV after its byte-order mark: the title line, the header, the data."""
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response) -> list[list]:
    """The sheet's rows, empty cells as "" (as in the CSV), and the cells' types, to see no formula."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "a cell is a formula"
    return [["" if value is None else value for value in row] for row in sheet.values]


def by_key(rows: list[list]) -> dict:
    """Data rows as {first column: {header: value}} (the header is English: the ``english`` fixture)."""
    header = rows[1]
    return {int(row[0]): dict(zip(header, row, strict=True)) for row in rows[2:]}


@pytest.fixture
def reviewer():
    return StaffUserFactory(username="rina.verifikator", first_name="Rina", last_name="Verifikatorwati")


@pytest.fixture
def registry(reviewer):
    """Three outlets: listed and eligible; listed, then suspended when its KSWP was rejected; and one never
    evaluated, whose name and company's name are formulas."""
    with time_machine.travel(LISTED_AT, tick=False):
        listed = eligible_outlet(name="Kabar Pagi", person_in_charge="Budi Santoso", editor_in_chief="Siti Rahmawati",
                                 email="budi.santoso@gmail.example", phone="0812-1111-2222")
        suspended = eligible_outlet(name="Warta Senja", media_type=MediaType.PRINT, person_in_charge="Agus Salim",
                                    editor_in_chief="Dewi Lestari", email="dewi.lestari@yahoo.example",
                                    phone="0813-3333-4444")
        for outlet in (listed, suspended):
            lifecycle.approve(lifecycle.ensure_listing(outlet, user=reviewer), user=reviewer)
    with time_machine.travel(SUSPENDED_AT, tick=False):
        Document.objects.filter(company=suspended.company, kind=DocumentKind.KSWP).update(
            review_status=ReviewStatus.REJECTED, rejection_reason="Buram, unggah ulang", reviewed_by=reviewer,
            reviewed_at=timezone.now())
        recheck_outlets([suspended.pk], trigger=Trigger.DOCUMENT_REVIEW)
    never = MediaOutletFactory(name=FORMULA, company=PressCompanyFactory(legal_name=FORMULA),
                               person_in_charge="Joko Susilo", editor_in_chief="Sri Wahyuni")
    assert not EligibilityChange.objects.filter(outlet=never).exists()
    return {"listed": listed, "suspended": suspended, "never": never}


def outlets(client, fmt: str = "csv", **query) -> list[list]:
    response = client.get(f"/reports/outlets.{fmt}", query)
    return read_csv(response) if fmt == "csv" else read_xlsx(response)


# --- outlets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_outlets_report_has_a_row_per_outlet_with_its_company_eligibility_and_listing(
        client, english, auditor, registry, fmt):
    client.force_login(auditor)
    rows = outlets(client, fmt)
    assert "outlets" in rows[0][0] and "profile: full" in rows[0][0]
    assert rows[1][:13] == ["outlet number", "outlet", "media type", "primary domain", "company", "company NPWP",
                            "province", "Dewan Pers verification", "eligible", "failing rules (codes)",
                            "failing rules", "listing", "listed since"]
    table = by_key(rows)
    assert set(table) == {outlet.pk for outlet in registry.values()}
    listed, suspended, never = (table[registry[k].pk] for k in ("listed", "suspended", "never"))

    company = registry["listed"].company
    assert (listed["outlet"], listed["media type"], listed["company"], listed["province"]) == (
        "Kabar Pagi", "Online (siber)", company.legal_name, "DKI Jakarta")
    assert listed["primary domain"] == registry["listed"].domains.get().domain
    # As the registry shows it (99.999.999.9-999.999), text in both formats.
    assert listed["company NPWP"] == company.npwp_display
    assert re.fullmatch(r"\d\d\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}", listed["company NPWP"])
    assert listed["Dewan Pers verification"] == "Administratively and factually verified"
    assert (listed["eligible"], listed["failing rules (codes)"], listed["failing rules"]) == ("yes", "", "")
    assert (listed["listing"], listed["listed since"]) == ("Listed", "2026-09-01")
    assert (listed["person in charge"], listed["editor-in-chief"]) == ("Budi Santoso", "Siti Rahmawati")
    assert (listed["outlet e-mail"], listed["outlet phone"]) == ("budi.santoso@gmail.example", "0812-1111-2222")
    # A number in the workbook, its digits in the CSV.
    assert listed["outlet number"] == (registry["listed"].pk if fmt == "xlsx" else str(registry["listed"].pk))

    assert (suspended["media type"], suspended["eligible"], suspended["listing"], suspended["listed since"]) == (
        "Print (cetak)", "no", "Suspended", "")
    assert "tax_status" in suspended["failing rules (codes)"] and "KSWP" in suspended["failing rules"]

    # Never evaluated: not eligible, no listing; its formula names come out as text.
    assert (never["eligible"], never["failing rules (codes)"], never["listing"]) == ("no", "", "")
    assert (never["outlet"], never["company"]) == (INERT, INERT)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_as_of_gives_eligibility_and_listing_as_they_stood_at_the_end_of_that_day(
        client, english, auditor, registry, fmt):
    client.force_login(auditor)
    suspended, listed, never = (registry[k].pk for k in ("suspended", "listed", "never"))

    day_before = by_key(outlets(client, fmt, as_of="2026-10-14"))
    assert (day_before[suspended]["eligible"], day_before[suspended]["listing"]) == ("yes", "Listed")
    assert day_before[suspended]["listed since"] == "2026-09-01"
    assert day_before[suspended]["failing rules (codes)"] == ""

    for day in ("2026-10-15", "2026-10-16"):  # the day of the suspension counts to its end
        after = by_key(outlets(client, fmt, as_of=day))
        assert (after[suspended]["eligible"], after[suspended]["listing"], after[suspended]["listed since"]) == (
            "no", "Suspended", "")
        assert "tax_status" in after[suspended]["failing rules (codes)"]
        assert (after[listed]["eligible"], after[listed]["listing"]) == ("yes", "Listed")

    # Before anything was evaluated or listed, every outlet was not eligible and had no listing.
    before = by_key(outlets(client, fmt, as_of="2026-08-31"))
    assert {(row["eligible"], row["listing"], row["listed since"]) for row in before.values()} == {("no", "", "")}
    assert before[never]["eligible"] == "no"


def test_the_history_answers_as_the_catalog_does_for_one_outlet(registry):
    """The subqueries give what catalog.eligibility answers outlet by outlet."""
    report = get_report("outlets")
    keys = [c.key for c in report.columns]
    eligible, listing = keys.index("eligible"), keys.index("listing")
    for day in (datetime.date(2026, 8, 31), datetime.date(2026, 9, 1), datetime.date(2026, 10, 14),
                datetime.date(2026, 10, 15), datetime.date(2026, 11, 26)):
        rows = {row[0]: row for row in report.rows(ReportFilters(as_of=day), None)}
        for pk, row in rows.items():
            assert row[eligible] == eligibility_on(pk, day).eligible, (pk, day)
            state = listing_state_on(pk, day)
            assert row[listing] == (str(ListingState(state).label) if state else ""), (pk, day)


def test_the_public_profile_leaves_out_every_personal_column_and_value(client, english, auditor, registry):
    client.force_login(auditor)
    report = get_report("outlets")
    personal = [str(c.label) for c in report.columns if c.personal]
    assert {"person in charge", "editor-in-chief", "outlet e-mail", "outlet phone"} <= set(personal)
    full = outlets(client)
    values = {row[full[1].index(label)] for row in full[2:] for label in personal} - {""}
    assert {"Budi Santoso", "Dewi Lestari", "budi.santoso@gmail.example", "0813-3333-4444", "Joko Susilo"} <= values

    for fmt in ("csv", "xlsx"):
        response = client.get(f"/reports/outlets.{fmt}", {"profile": "public"})
        assert "-public-" in response["Content-Disposition"]
        rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
        assert "public-safe" in rows[0][0]
        assert not set(personal) & set(rows[1])
        assert "company NPWP" in rows[1]  # company data, not personal (UU 27/2022; docs/domain.md)
        text = "\n".join(str(cell) for row in rows for cell in row)
        assert not [value for value in values if value in text]
        assert len(rows) == 2 + 3


def test_the_admin_action_filter_ids_limits_the_rows(registry):
    report = get_report("outlets")
    chosen = [registry["listed"].pk, registry["never"].pk]
    assert sorted(row[0] for row in report.rows(ReportFilters(ids=chosen), None)) == sorted(chosen)
    assert report.count(ReportFilters(ids=chosen), None) == 2


def many_outlets(n: int, reviewer) -> None:
    """``n`` outlets with a primary domain, a listing, a result and history, and documents."""
    company = PressCompanyFactory()
    made = []
    for _n in range(n):
        outlet = MediaOutletFactory(company=company)
        outlet.domains.create(domain=f"portal-banyak-{outlet.pk}.example.id", is_primary=True)
        lifecycle.ensure_listing(outlet, user=reviewer)
        DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX, rejected=True, reviewed_by=reviewer)
        made.append(outlet.pk)
    recheck_outlets(made, trigger=Trigger.STAFF)


def queries_of(name: str, filters: ReportFilters) -> tuple[int, int]:
    report = get_report(name)
    with CaptureQueriesContext(connection) as captured:
        rows = sum(1 for _row in report.rows(filters, None))
    return len(captured), rows


@pytest.mark.parametrize(("name", "filters"), [
    ("outlets", ReportFilters()),
    ("outlets", ReportFilters(as_of=datetime.date(2026, 11, 26))),
    ("documents", ReportFilters()),
])
def test_the_same_queries_for_1_and_50_outlets(reviewer, name, filters):
    many_outlets(1, reviewer)
    few, rows_few = queries_of(name, filters)
    many_outlets(49, reviewer)
    many, rows_many = queries_of(name, filters)
    assert (few, many) == (few, few) and few <= 2
    assert rows_many == rows_few + 49


# --- documents -------------------------------------------------------------------------------------


@pytest.fixture
def documents(registry, reviewer):
    outlet = registry["listed"]
    certificate = DocumentFactory(
        outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, number="975/DP-Verifikasi/K/IV/2024",
        issue_date=datetime.date(2024, 4, 10), expiry_date=datetime.date(2029, 4, 9), rejected=True,
        reviewed_by=reviewer, rejection_reason="Tanda tangan tidak terbaca", original_filename="KTP Budi Santoso.pdf")
    formula = DocumentFactory(company=registry["never"].company, kind=DocumentKind.NPWP_CARD, number=FORMULA)
    tax_return = Document.objects.get(company=outlet.company, kind=DocumentKind.ANNUAL_TAX_RETURN)
    return {"certificate": certificate, "formula": formula, "tax_return": tax_return}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_documents_report_gives_metadata_and_decisions_never_files(client, english, auditor, documents, fmt):
    client.force_login(auditor)
    response = client.get(f"/reports/documents.{fmt}")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[1] == ["document number", "kind", "belongs to", "name", "company", "number on the document",
                       "issue date", "expiry date", "tax year", "review", "reviewed by", "reviewed at",
                       "rejection reason", "uploaded at", "original file name"]
    table = by_key(rows)
    assert set(table) == set(Document.objects.values_list("pk", flat=True))

    certificate = table[documents["certificate"].pk]
    company = documents["certificate"].company.legal_name
    assert (certificate["kind"], certificate["belongs to"], certificate["name"], certificate["company"]) == (
        "Dewan Pers verification certificate", "outlet", "Kabar Pagi", company)
    assert (certificate["number on the document"], certificate["issue date"], certificate["expiry date"]) == (
        "975/DP-Verifikasi/K/IV/2024", "2024-04-10", "2029-04-09")
    assert (certificate["review"], certificate["reviewed by"], certificate["rejection reason"]) == (
        "Rejected", "Rina Verifikatorwati", "Tanda tangan tidak terbaca")
    assert certificate["reviewed at"].startswith("2026-11-26T") and certificate["uploaded at"].startswith("2026-11-26T")
    assert certificate["original file name"] == "KTP Budi Santoso.pdf"

    tax_return = table[documents["tax_return"].pk]
    assert (tax_return["kind"], tax_return["belongs to"], tax_return["name"], tax_return["review"]) == (
        "Annual tax return (SPT Tahunan)", "company", company, "Accepted")
    assert tax_return["tax year"] in (2025, "2025") and tax_return["uploaded at"].startswith("2026-09-01T")

    formula = table[documents["formula"].pk]
    assert (formula["name"], formula["company"], formula["number on the document"]) == (INERT, INERT, INERT)
    assert (formula["review"], formula["reviewed by"], formula["reviewed at"]) == ("Pending review", "", "")
    # Metadata only: no file's stored name nor an address to download it.
    body = "\n".join(str(cell) for row in rows for cell in row)
    assert documents["certificate"].file.name not in body and "/documents/" not in body


def test_documents_are_filtered_by_upload_day_and_the_public_profile_has_no_reviewer_nor_file_name(
        client, english, auditor, documents):
    client.force_login(auditor)
    september = read_csv(client.get("/reports/documents.csv", {"date_from": "2026-09-01", "date_to": "2026-09-01"}))
    uploaded_then = set(Document.objects.filter(created_at__date__lte=datetime.date(2026, 9, 1))
                        .values_list("pk", flat=True))
    assert set(by_key(september)) == uploaded_then and documents["tax_return"].pk in uploaded_then
    today = read_csv(client.get("/reports/documents.csv", {"date_from": "2026-11-26"}))
    assert set(by_key(today)) == {documents["certificate"].pk, documents["formula"].pk}

    public = read_csv(client.get("/reports/documents.csv", {"profile": "public"}))
    assert "reviewed by" not in public[1] and "original file name" not in public[1]
    text = "\n".join(",".join(row) for row in public)
    assert "Verifikatorwati" not in text and "Budi Santoso" not in text and "dokumen.pdf" not in text
    assert "Tanda tangan tidak terbaca" in text


def test_a_person_without_the_permission_cannot_take_the_reports_out(client, registry):
    client.force_login(StaffUserFactory())
    assert client.get("/reports/outlets.csv").status_code == 403
    assert client.get("/reports/documents.xlsx").status_code == 403
    client.force_login(StaffUserFactory(permissions=["partners.view_mediaoutlet"]))
    assert client.get("/reports/outlets.csv").status_code == 200
    assert client.get("/reports/documents.csv").status_code == 403


# --- the /reports/ page and its link on the staff home ----------------------------------------------


def page_queries(client) -> tuple[int, str]:
    client.get("/reports/")  # warms up the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_page_says_how_many_rows_each_report_has_at_a_fixed_number_of_queries(
        client, english, auditor, registry, reviewer):
    client.force_login(auditor)
    few, body = page_queries(client)
    outlets_box = body.split('id="report-outlets"')[1].split("</fieldset>")[0]
    assert "About 3 rows without filters." in outlets_box
    documents_box = body.split('id="report-documents"')[1].split("</fieldset>")[0]
    assert f"About {Document.objects.count()} rows without filters." in documents_box
    # The admin's look: the site's title, the breadcrumbs home, one heading.
    assert "<title>Reports | MediaReg</title>" in body and "Django site admin" not in body
    assert "MediaReg: press partnership registry" in body
    assert '<div class="breadcrumbs"><a href="/admin/">Home</a> › Reports</div>' in body
    assert body.count("<h1>") == 1

    many_outlets(49, reviewer)
    many, body = page_queries(client)
    assert many == few
    assert "About 52 rows without filters." in body.split('id="report-outlets"')[1]


def test_the_staff_home_links_to_the_reports_for_those_who_may_see_one(client, english, auditor):
    client.force_login(auditor)
    home = client.get("/admin/").content.decode()
    assert 'id="reports-link"' in home and 'href="/reports/"' in home
    assert home.index('id="staff-home"') < home.index('id="reports-link"') < home.index('class="app-')
    assert 'id="reports-link"' not in client.get("/admin/partners/").content.decode()
    client.force_login(StaffUserFactory())
    assert 'id="reports-link"' not in client.get("/admin/").content.decode()
