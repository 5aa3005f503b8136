"""The staff home in a real browser at a 1366 × 900 laptop (issue 9, "Shows that it is done"): signed
in through the login page, the panels come first and lie within the viewport's width, with no
horizontal scrolling, for the auditor (every panel) and the reviewer. Screenshots are written to
/work/shots when that folder exists (the issue's closing note names them), else to the test's tmp_path.

Skipped like tests/test_apply_browser.py when Chromium is missing (never under CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.factories import TEST_PASSWORD, StaffUserFactory
from tests.staff_home_helpers import build_world
from tests.test_apply_browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

WIDTH, HEIGHT = 1366, 900
SHOTS = Path("/work/shots")


@pytest.fixture
def page(transactional_db, live_server):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # As in tests/test_apply_browser.py: Playwright's event loop makes Django treat this thread as async.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
            connections.close_all()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def shot_path(tmp_path, name: str) -> Path:
    folder = SHOTS if SHOTS.is_dir() else tmp_path
    return folder / f"dashboard-{name}.png"


@pytest.mark.parametrize(("group", "panels"), [
    ("Auditor", 6),
    ("Verifikator", 5),
])
def test_the_panels_fit_a_laptop_screen(page, live_server, tmp_path, group, panels):
    build_world(outlets=3)
    user = StaffUserFactory(username=f"home-{group.lower()}", groups=[group])
    sign_in(page, live_server, user.username)

    sections = page.locator("#staff-home > section")
    assert sections.count() == panels
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "the page scrolls sideways"
    for index in range(panels):
        box = sections.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, sections.nth(index).get_attribute("id")
    # The panels come first: the first one starts above the list of models, in the first screen.
    first = sections.first.bounding_box()
    assert first["y"] < HEIGHT / 3
    assert first["y"] < page.locator("#content-main .module[class*=app-]").first.bounding_box()["y"]
    # Each table cell of the panels lies within the viewport too (long names are cut, not pushed out).
    rights = page.evaluate("""() => [...document.querySelectorAll('#staff-home td, #staff-home th')]
        .map((cell) => cell.getBoundingClientRect().right)""")
    assert rights and max(rights) <= WIDTH
    assert "Kabar Pagi" in page.locator("#home-expiring-documents").inner_text()

    path = shot_path(tmp_path, group.lower())
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
