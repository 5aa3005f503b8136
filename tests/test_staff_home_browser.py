"""The staff home in a real browser at a 1366 × 900 laptop (issue 9, "Shows that it is done"): signed
in through the login page, the panels come first and lie within the viewport's width, with no
horizontal scrolling, for the auditor (every panel) and the reviewer. Screenshots (dashboard-*.png) go
to $SCREENSHOT_DIR when set, else to the test's tmp_path; their paths are printed (pytest -s shows them).

Skipped like the other browser tests when Chromium is missing (never under CI); the browser comes from
tests/conftest.py and tests/browser.py.
"""

from __future__ import annotations

import pytest

from tests.browser import log_in, new_page, no_horizontal_scroll, screenshot
from tests.factories import StaffUserFactory
from tests.staff_home_helpers import build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

WIDTH, HEIGHT = 1366, 900


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server, width=WIDTH, height=HEIGHT)
    yield page
    page.context.close()


@pytest.mark.parametrize(("group", "panels"), [
    # The catalog's six, the objections and connected outlets, and the budgets' five an auditor (of no agency)
    # sees: orders waiting for proof, proof waiting for review, held orders, proof overdue, above the reference.
    ("Auditor", 13),
    ("Verifikator", 7),  # the catalog's five, the objections and connected outlets
])
def test_the_panels_fit_a_laptop_screen(page, live_server, tmp_path, group, panels):
    build_world(outlets=3)
    user = StaffUserFactory(username=f"home-{group.lower()}", groups=[group])
    log_in(page, live_server, user.username)

    sections = page.locator("#staff-home > section")
    assert sections.count() == panels
    assert no_horizontal_scroll(page, WIDTH), "the page scrolls sideways"
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

    screenshot(page, tmp_path, f"dashboard-{group.lower()}.png", full_page=True)
