"""The public e-catalog on a phone (issue 9, part 6, "Shows that it is done"): Debian's headless Chromium
at 390 × 844 against the live server. Nothing is wider than the screen, the search works, the outlet
page opens, and the language switch keeps the search. Skipped like the other browser tests when
Chromium is missing (never under CI); the browser comes from tests/conftest.py and tests/browser.py.

Screenshots (catalog-*.png) go to $SCREENSHOT_DIR when set, else to the test's tmp_path; their paths
are printed (pytest -s shows them).
"""

from __future__ import annotations

import pytest

from partners.models import MediaType, VerificationLevel
from tests.browser import csp_complaints, new_page, no_horizontal_scroll, record_console, screenshot
from tests.catalog_helpers import listed_outlet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A page in a 390 px wide Chromium window."""
    page = record_console(new_page(browser, live_server, **PHONE, device_scale_factor=1, is_mobile=True,
                                   has_touch=True))
    yield page
    page.context.close()


def fits_the_screen(page):
    """No horizontal scrolling, and every outlet's cells lie inside the 390 px viewport."""
    assert no_horizontal_scroll(page, PHONE["width"])
    outside = page.evaluate("""(width) => [...document.querySelectorAll(
            'main th, main td, main dd, main input, main select, main button')]
        .filter(el => { const box = el.getBoundingClientRect();
                        return box.width && (box.left < 0 || box.right > width); })
        .map(el => el.textContent.trim().slice(0, 40) || el.name)""", PHONE["width"])
    assert outside == []
    assert csp_complaints(page) == []


@pytest.fixture
def catalog_outlets():
    outlets = [
        listed_outlet("Kabar Betawi", domain="kabarbetawi.id", province="31"),
        listed_outlet("Warta Priangan", domain="wartapriangan.id", province="32", media_type=MediaType.PRINT),
        listed_outlet("Suara Dewata", domain="radiodewata.co.id", province="51", media_type=MediaType.RADIO,
                      level=VerificationLevel.ADMINISTRATIVE),
        listed_outlet("Betawi Televisi Nusantara Raya Jaya Sentosa Abadi", province="31",
                      domain="betawi-televisi-nusantara-raya-jaya-sentosa-abadi.co.id",
                      media_type=MediaType.TELEVISION),
    ]
    outlets += [listed_outlet(f"Portal Daerah {number:02d}", province="33") for number in range(20)]
    return outlets


def test_the_catalog_on_a_phone(phone, live_server, tmp_path, catalog_outlets):
    page = phone
    page.goto(f"{live_server.url}/catalog/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("status").inner_text() == "24 outlets listed"
    assert page.locator(".catalog-name").count() == 20  # a page
    fits_the_screen(page)
    screenshot(page, tmp_path, "catalog-phone-list.png", full_page=True)

    # The next page, then a search by a part of the name and a province.
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**/catalog/?page=2")
    assert page.locator(".catalog-name").count() == 4
    page.get_by_label("Name or website").fill("betawi")
    page.get_by_label("Province").select_option(label="DKI Jakarta")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/catalog/?q=betawi*")
    assert page.locator(".catalog-name").all_inner_texts() == ["Betawi Televisi Nusantara Raya Jaya Sentosa Abadi",
                                                               "Kabar Betawi"]
    assert page.get_by_role("status").inner_text() == "2 outlets listed matching the search"
    assert page.get_by_label("Name or website").input_value() == "betawi"  # the form keeps the search
    fits_the_screen(page)
    screenshot(page, tmp_path, "catalog-phone-search.png", full_page=True)

    # A search by a website, as pasted.
    page.get_by_label("Name or website").fill("https://www.radiodewata.co.id/berita")
    page.get_by_label("Province").select_option("")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/catalog/?q=*")
    assert page.locator(".catalog-name").all_inner_texts() == ["Suara Dewata"]

    # The outlet's page.
    page.get_by_role("link", name="Suara Dewata").click()
    page.wait_for_url(f"**/catalog/{catalog_outlets[2].pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Suara Dewata"
    facts = page.locator(".catalog-facts").inner_text()
    for fact in ("Radio", "radiodewata.co.id", "Administratively verified", "Bali", "17 August 2026"):
        assert fact in facts
    fits_the_screen(page)
    screenshot(page, tmp_path, "catalog-phone-outlet.png", full_page=True)


def test_the_language_switch_keeps_the_search(phone, live_server, tmp_path, catalog_outlets):
    page = phone
    page.goto(f"{live_server.url}/catalog/?q=betawi&province=31")
    page.locator("#language-switch-select").select_option("id")
    with page.expect_navigation():
        page.locator(".language-button").click()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.url.endswith("/catalog/?q=betawi&province=31")
    assert page.locator(".catalog-name").count() == 2
    assert "17 Agustus 2026" in page.locator(".catalog-table").inner_text()
    assert page.locator("#id_q").input_value() == "betawi"
    fits_the_screen(page)
    screenshot(page, tmp_path, "catalog-phone-indonesian.png", full_page=True)


def test_the_catalog_on_a_laptop(phone, live_server, tmp_path, catalog_outlets):
    """At 1366 px the list is a table whose columns all lie inside the window."""
    page = phone
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/catalog/?province=31")
    assert page.locator(".catalog-table thead th").all_inner_texts() == [
        "Outlet", "Media type", "Website", "Dewan Pers verification", "Tier", "Province", "Listed since"]
    assert no_horizontal_scroll(page, 1366)
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main td')].map(td => td.getBoundingClientRect().right))")
    assert right <= 1366
    screenshot(page, tmp_path, "catalog-laptop-list.png", full_page=True)
