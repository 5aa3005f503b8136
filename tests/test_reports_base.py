"""The report machinery (mediareg.reports), through the eligibility-history report: CSV and XLSX files with
a title line naming the profile, a header in the chosen language, ISO dates and inert formulas; the log
of every file taken out; the page, the file views' permissions and the command."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from catalog.eligibility import recheck_outlets
from mediareg.models import DataAccess
from tests.catalog_helpers import eligible_outlet
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

URL = "/reports/eligibility-history"


@pytest.fixture
def history():
    dangerous = eligible_outlet(name='=HYPERLINK("http://x","y")')
    plain = eligible_outlet(name="Warta Biasa")
    recheck_outlets([dangerous.pk, plain.pk], trigger="staff")
    return dangerous, plain


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_names_its_profile_then_a_header_in_the_chosen_language_then_the_rows(client, auditor, history):
    client.force_login(auditor)
    rows = read_csv(client.get(URL + ".csv"))
    assert "profile: lengkap" in rows[0][0] or "profil" in rows[0][0].lower()
    assert rows[1][0] in ("waktu", "time")
    names = {row[2] for row in rows[2:]}
    # A name that a spreadsheet would run as a formula comes out inert.
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names and "Warta Biasa" in names
    assert all(row[0][:4].isdigit() and row[0][4] == "-" for row in rows[2:])  # ISO moments
    client.cookies["django_language"] = "en"
    english = read_csv(client.get(URL + ".csv"))
    assert english[1][:3] == ["time", "outlet number", "outlet"]
    assert "profile: full" in english[0][0]


def test_the_xlsx_has_the_same_cells(client, auditor, history):
    client.force_login(auditor)
    response = client.get(URL + ".xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="mediareg-eligibility-history-full-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert len(values) == 2 + 2
    assert any(row[2] == "'=HYPERLINK(\"http://x\",\"y\")" for row in values[2:])


def test_every_file_is_logged_with_its_filters_and_rows(client, auditor, history):
    client.force_login(auditor)
    read_csv(client.get(URL + ".csv?date_from=2026-01-01&profile=public"))
    entry = DataAccess.objects.get()
    assert (entry.user, entry.kind, entry.name, entry.file_format, entry.profile, entry.rows) == (
        auditor, "report", "eligibility-history", "csv", "public", 2)
    assert entry.filters == {"date_from": "2026-01-01"}


def test_a_malformed_filter_is_refused_and_a_report_without_permission_is_closed(client, auditor, history):
    client.force_login(auditor)
    assert client.get(URL + ".csv?date_from=kemarin").status_code == 400
    assert client.get("/reports/no-such-report.csv").status_code == 404
    assert client.get(URL + ".pdf").status_code == 404
    client.force_login(StaffUserFactory())
    assert client.get(URL + ".csv").status_code == 403
    client.logout()
    assert client.get(URL + ".csv").status_code == 302  # to the login page
    assert client.post(URL + ".csv").status_code in (302, 405)


def test_the_reports_page_lists_what_the_user_may_take_out(client, auditor):
    client.force_login(auditor)
    body = client.get("/reports/").content.decode()
    assert 'id="report-eligibility-history"' in body


def test_the_command_writes_the_same_file_and_is_logged(tmp_path, history):
    target = tmp_path / "riwayat.csv"
    call_command("export_report", "eligibility-history", "--output", str(target), "--language", "en")
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert rows[1][0] == "time" and len(rows) == 4
    entry = DataAccess.objects.get()
    assert entry.actor.startswith("command:export_report") and entry.rows == 2
    xlsx = tmp_path / "riwayat.xlsx"
    call_command("export_report", "eligibility-history", "--output", str(xlsx), "--format", "xlsx")
    assert len(list(load_workbook(xlsx).active.values)) == 4
