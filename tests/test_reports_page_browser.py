"""/reports/ in a real browser at a 1366 × 900 laptop, reached as an auditor does: signed in, from the link on
the staff home. The page has the admin's title and breadcrumbs, each report's size, its filters and buttons
within the screen's width, no Content-Security-Policy complaint, and a download starts from its button.
Screenshots (reports-*.png) go to $SCREENSHOT_DIR when set, else to the test's tmp_path.

Skipped like the other browser tests when Chromium is missing (never under CI)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser import csp_complaints, log_in, new_page, no_horizontal_scroll, record_console, screenshot
from tests.catalog_helpers import listed_outlet
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

WIDTH, HEIGHT = 1366, 900


@pytest.fixture
def page(browser, live_server):
    page = record_console(new_page(browser, live_server, width=WIDTH, height=HEIGHT))
    yield page
    page.context.close()


def test_an_auditor_finds_the_reports_from_the_staff_home_and_takes_one_out(page, live_server, tmp_path):
    for name in ("Kabar Pagi", "Warta Senja"):
        listed_outlet(name)
    auditor = StaffUserFactory(username="auditor.peramban", groups=["Auditor"])
    log_in(page, live_server, auditor.username)
    link = page.locator("#reports-link").bounding_box()
    assert link["x"] + link["width"] <= WIDTH
    screenshot(page, tmp_path, "reports-staff-home.png", full_page=True)

    page.locator("#reports-link a").first.click()
    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.title() == "Reports | MediaReg"
    assert page.locator(".breadcrumbs").inner_text().replace("\u203a", ">").split() == ["Home", ">", "Reports"]
    outlets = page.locator("#report-outlets")
    assert "About 2 rows without filters." in outlets.inner_text()
    assert no_horizontal_scroll(page, WIDTH), "the page scrolls sideways"
    for button in page.locator("#report-outlets button").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= WIDTH
    screenshot(page, tmp_path, "reports-page.png", full_page=True)

    outlets.locator("select[name=profile]").select_option("public")
    with page.expect_download() as download:
        outlets.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("mediareg-outlets-public-")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert sorted(row[1] for row in rows[2:]) == ["Kabar Pagi", "Warta Senja"]
    assert csp_complaints(page) == []
