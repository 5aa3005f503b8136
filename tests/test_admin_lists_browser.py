"""The back office's lists on a 1366 x 900 laptop, in a real browser (issue 9, part 2): Debian's headless
Chromium, driven by Playwright, opens the outlet, document and application lists and the outlet page
of the demo register (mediareg.demo) as a superuser, and checks that the key columns' cells lie inside
the viewport and that no table is wider than its container.

Skipped like tests/test_apply_browser.py when Chromium is missing (never under CI). Screenshots go to
SHOTS (set LISTS_SHOTS to keep them elsewhere); their paths are printed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from mediareg import demo
from partners.models import MediaOutlet
from tests.factories import TEST_PASSWORD, UserFactory
from tests.test_apply_browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

# The live server answers from another thread: its data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day")]

WIDTH, HEIGHT = 1366, 900
SHOTS = Path(os.environ.get("LISTS_SHOTS", "/work/shots"))

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


@pytest.fixture
def page(transactional_db, live_server):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # As in tests/test_apply_browser.py: Playwright's event loop makes Django treat this thread as async.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Staff work in Jakarta: the date fields then show no "hours behind the server" note.
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, timezone_id="Asia/Jakarta")
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
            connections.close_all()


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"lists-{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def test_the_key_columns_of_each_list_and_the_outlet_page_fit_a_1366_px_laptop(page, live_server):
    demo.seed_demo(with_users=False)
    UserFactory(username="admin-kominfo", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill("admin-kominfo")
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")

    for name, (path, columns) in KEY_COLUMNS.items():
        page.goto(f"{live_server.url}{path}")
        measured = page.evaluate(MEASURE, columns)
        screenshot(page, name)
        assert measured["table"] <= measured["container"], (name, measured)
        assert measured["page"] <= WIDTH, (name, measured)
        for column, cells in measured["cells"].items():
            assert cells["count"] > 0, (name, column, "no rows: the demo has some")
            assert cells["right"] <= WIDTH, (name, column, cells)

    outlet = MediaOutlet.objects.filter(documents__isnull=False).order_by("pk").first()
    page.goto(f"{live_server.url}/admin/partners/mediaoutlet/{outlet.pk}/change/")
    assert page.locator(".catalog-eligibility").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('#content-main *')]
        .map((element) => element.getBoundingClientRect().right))""")
    assert widest <= WIDTH, widest
    screenshot(page, "outlet-page")
    page.locator("#documents-group").scroll_into_view_if_needed()
    screenshot(page, "outlet-page-documents")
