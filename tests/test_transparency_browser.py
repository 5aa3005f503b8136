"""/transparency/ in a browser (issue 10, item 8: "reads well on a phone"): Debian's headless Chromium at
375 × 812 and at 1366 × 900 against the live server. The page never scrolls sideways, every figure and
table cell lies inside the window (the tables become cards on a phone), the chart is drawn and scales to
the width, and the years are chosen with plain links. Skipped like the other browser tests when
Chromium is missing (never under CI).

Screenshots (transparency-*.png) go to $SCREENSHOT_DIR when set, else to the test's tmp_path.
"""

from __future__ import annotations

import datetime

import pytest

from budgets import services
from budgets.models import RevisionReason
from tests.browser import csp_complaints, new_page, no_horizontal_scroll, record_console, screenshot
from tests.budget_helpers import approved_price, listed_eligible_outlet, make_agency, make_budget, place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
MILLION = 1_000_000


@pytest.fixture
def spending():
    """A province-like agency: years with the policy off, a refocused year, and 2026 with orders to outlets
    with long names."""
    agency = make_agency("Dinas Komunikasi, Informatika dan Statistik Provinsi Uji", slug="kominfotik-uji")
    make_agency("Diskominfo Kabupaten Banjar Uji", slug="banjar-uji", kind="regency")
    make_budget(agency, year=2017, amount=0, spending_allowed=False, policy_reference="Ingub 7/2017",
                policy_note="Tidak ada kerja sama media berbayar.")
    make_budget(agency, year=2019, amount=15_000_000_000)
    refocused = make_budget(agency, year=2020, amount=12_000_000_000)
    services.budget_revise(refocused, amount_after=6_000_000_000, reason=RevisionReason.REFOCUSING,
                           reference="SKB Mendagri-Menkeu 9 April 2020", revised_on=datetime.date(2020, 4, 20),
                           note="Belanja barang dan jasa dipotong separuh untuk penanganan COVID-19.")
    make_budget(agency, year=2021, amount=5_000_000_000)
    budget = make_budget(agency, year=2026, amount=5_000_000_000)
    services.budget_revise(budget, amount_after=4_750_000_000, reason=RevisionReason.SHIFT,
                           reference="DPPA-P 900/1234/2026/Kominfotik", revised_on=datetime.date(2026, 7, 1),
                           note="Pergeseran antarkegiatan.")
    names = ["Betawi Televisi Nusantara Raya Jaya Sentosa Abadi", "Kabar Betawi", "Warta Priangan",
             "Suara Dewata", "Radio Suara Kepulauan Seribu", "Portal Berita Sepi"]
    outlets = [listed_eligible_outlet(name) for name in names]
    for outlet, millions in zip(outlets[:5], (1_250, 600, 450, 300, 150), strict=True):
        order = place(budget, approved_price(outlet, unit_price=millions * MILLION))
    services.order_publish(order, published_url="https://example.id/berita/1", today=order.proof_due_on)
    services.order_review_proof(order, accept=True, user=None)
    services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", today=datetime.date(2026, 11, 26))
    return agency


@pytest.fixture
def page(browser, live_server):
    page = record_console(new_page(browser, live_server, **PHONE, device_scale_factor=1, is_mobile=True,
                                   has_touch=True))
    yield page
    page.context.close()


def fits(page, width: int):
    """No sideways scrolling; every figure and cell of the page's own tables lies inside the window (the
    chart's table of figures may scroll inside its box); the chart is drawn, as wide as it can be."""
    assert no_horizontal_scroll(page, width)
    outside = page.evaluate("""(width) => [...document.querySelectorAll(
            'main dt, main dd, main .stack-table th, main .stack-table td, main .picker a, main h1, main h2')]
        .filter(el => { const box = el.getBoundingClientRect();
                        return box.width && (box.left < 0 || box.right > width); })
        .map(el => el.textContent.trim().slice(0, 40))""", width)
    assert outside == []
    chart = page.locator("figure.year-chart svg")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["width"] >= min(width - 40, 600) and box["height"] > 100  # scaled to the width, not cut
    assert page.locator("figure.year-chart rect").count() >= 5
    assert csp_complaints(page) == []
    assert page.console_errors == []  # e.g. chart coordinates written "224,5" in Indonesian


def test_the_page_on_a_phone(page, live_server, tmp_path, spending):
    page.goto(f"{live_server.url}/transparency/")
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.locator("h2.year-title").inner_text()
    assert heading == "Dinas Komunikasi, Informatika dan Statistik Provinsi Uji: fiscal year 2026"
    assert "Rp 4.750.000.000" in page.locator(".money-figures").first.inner_text()
    fits(page, PHONE["width"])
    screenshot(page, tmp_path, "transparency-phone-2026.png", full_page=True)

    # A year with the policy off, chosen by its link.
    page.get_by_role("link", name="2017", exact=True).click()
    page.wait_for_url("**/transparency/?agency=kominfotik-uji&year=2017")
    assert "No media spending in 2017" in page.locator(".policy-off").inner_text()
    fits(page, PHONE["width"])
    screenshot(page, tmp_path, "transparency-phone-2017.png", full_page=True)

    # The refocused year, its revision as a card.
    page.get_by_role("link", name="2020", exact=True).click()
    page.wait_for_url("**/transparency/?agency=kominfotik-uji&year=2020")
    revision = page.locator(".revisions-table tbody tr").inner_text()
    assert "20 April 2020" in revision and "Refocusing and reallocation" in revision
    fits(page, PHONE["width"])

    # The other agency, which has no budget yet.
    page.get_by_role("link", name="Diskominfo Kabupaten Banjar Uji").click()
    page.wait_for_url("**/transparency/?agency=banjar-uji")
    assert "has not published a media budget yet" in page.locator("main").inner_text()
    assert no_horizontal_scroll(page, PHONE["width"])


def test_the_page_in_indonesian_on_a_phone(browser, live_server, tmp_path, spending):
    page = record_console(new_page(browser, live_server, english=False, **PHONE, device_scale_factor=1,
                                   is_mobile=True, has_touch=True))
    try:
        page.goto(f"{live_server.url}/transparency/")
        assert page.locator("html").get_attribute("lang") == "id"
        fits(page, PHONE["width"])
        screenshot(page, tmp_path, "transparency-phone-id.png", full_page=True)
    finally:
        page.context.close()


def test_the_page_on_a_laptop(page, live_server, tmp_path, spending):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/transparency/")
    assert page.locator(".outlet-spend thead th").all_inner_texts() == ["Outlet", "Orders", "Ordered", "Paid", "Share"]
    assert page.locator(".outlet-spend tbody th").all_inner_texts()[0] == \
        "Betawi Televisi Nusantara Raya Jaya Sentosa Abadi"
    fits(page, LAPTOP["width"])
    # The chart's own table of figures fits too: nothing to scroll on a laptop.
    assert page.evaluate("(() => { const t = document.querySelector('.year-chart-table');"
                         " return t.scrollWidth <= t.clientWidth; })()")
    screenshot(page, tmp_path, "transparency-laptop.png", full_page=True)
