"""The back office's lists on a 1366 x 900 laptop, in a real browser (issue 9, part 2): Debian's headless
Chromium, driven by Playwright, opens the outlet, document and application lists and the outlet page
of the demo register (mediareg.demo) as a superuser, and checks that the key columns' cells lie inside
the viewport and that no table is wider than its container.

Skipped like the other browser tests when Chromium is missing (never under CI); the browser comes from
tests/conftest.py and tests/browser.py. Screenshots (lists-*.png) go to $SCREENSHOT_DIR when set, else
to the test's tmp_path; their paths are printed (pytest -s shows them).
"""

from __future__ import annotations

import pytest

from mediareg import demo
from partners.models import MediaOutlet
from tests.browser import log_in, new_page, no_horizontal_scroll, screenshot
from tests.factories import UserFactory

# The live server answers from another thread: its data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day")]

WIDTH, HEIGHT = 1366, 900

# The key columns of each list (their cells' classes, Django's "field-<name>"), which must be visible.
KEY_COLUMNS = {
    "outlets": ("/admin/partners/mediaoutlet/",
                ["outlet_name", "verification_level", "documents_state", "eligible", "failing_rules",
                 "listing_state"]),
    "outlets-expiring": ("/admin/partners/mediaoutlet/?expiring=30",
                         ["outlet_name", "documents_state", "eligible", "listing_state"]),
    "documents": ("/admin/partners/document/", ["document_kind", "owner", "expiry_state", "review_state"]),
    "documents-expiring": ("/admin/partners/document/?expiry=30", ["document_kind", "expiry_state", "review_state"]),
    "applications": ("/admin/catalog/application/", ["outlet_name", "status_label", "documents_state"]),
}

MEASURE = """(columns) => {
    const table = document.querySelector('#result_list');
    const container = table.closest('.results') || table.parentElement;
    const cells = {};
    for (const column of columns) {
        const found = [...document.querySelectorAll(`#result_list tbody .field-${column}`)];
        cells[column] = {count: found.length,
                         right: Math.max(...found.map((cell) => cell.getBoundingClientRect().right))};
    }
    return {table: table.getBoundingClientRect().width, container: container.clientWidth,
            page: document.documentElement.scrollWidth, cells};
}"""


@pytest.fixture(params=["id", "en"])
def page(request, browser, live_server):
    """In Indonesian (the default, whose labels and headings are the longer) and in English. Staff work
    in Jakarta: the date fields then show no "hours behind the server" note."""
    page = new_page(browser, live_server, english=request.param == "en", width=WIDTH, height=HEIGHT,
                    timezone_id="Asia/Jakarta")
    page.language = request.param
    yield page
    page.context.close()


def test_the_key_columns_of_each_list_and_the_outlet_page_fit_a_1366_px_laptop(page, live_server, tmp_path):
    demo.seed_demo(with_users=False)
    UserFactory(username="admin-kominfo", is_staff=True, is_superuser=True)
    log_in(page, live_server, "admin-kominfo")

    for name, (path, columns) in KEY_COLUMNS.items():
        page.goto(f"{live_server.url}{path}")
        measured = page.evaluate(MEASURE, columns)
        screenshot(page, tmp_path, f"lists-{name}-{page.language}.png")
        assert measured["table"] <= measured["container"], (name, measured)
        assert measured["page"] <= WIDTH, (name, measured)
        for column, cells in measured["cells"].items():
            assert cells["count"] > 0, (name, column, "no rows: the demo has some")
            assert cells["right"] <= WIDTH, (name, column, cells)

    outlet = MediaOutlet.objects.filter(documents__isnull=False).order_by("pk").first()
    page.goto(f"{live_server.url}/admin/partners/mediaoutlet/{outlet.pk}/change/")
    assert page.locator(".catalog-eligibility").is_visible()
    assert no_horizontal_scroll(page, WIDTH)
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('#content-main *')]
        .map((element) => element.getBoundingClientRect().right))""")
    assert widest <= WIDTH, widest
    screenshot(page, tmp_path, f"lists-outlet-page-{page.language}.png")
    page.locator("#documents-group").scroll_into_view_if_needed()
    screenshot(page, tmp_path, f"lists-outlet-page-documents-{page.language}.png")

    # The company page carries the same document rows (and the company's outlets).
    company = outlet.company
    page.goto(f"{live_server.url}/admin/partners/presscompany/{company.pk}/change/")
    assert no_horizontal_scroll(page, WIDTH)
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('#content-main *')]
        .map((element) => element.getBoundingClientRect().right))""")
    assert widest <= WIDTH, widest
    screenshot(page, tmp_path, f"lists-company-page-{page.language}.png", full_page=True)
