"""Placing and following an order in a real browser at a 1366 x 900 laptop: the product is found by typing
the outlet's name in the autocomplete (Django's, under our Content-Security-Policy), the order is placed,
its page shows the next steps in view, and the list fits the screen in both languages.

Debian's headless Chromium driven by Playwright against pytest-django's live server (tests/browser.py).
Screenshots (orders-*.png) go to $SCREENSHOT_DIR when set, else to the test's tmp_path.
"""

from __future__ import annotations

import datetime

import pytest

from budgets import services
from budgets.models import MediaOrder, OrderStatus
from tests.browser import csp_complaints, log_in, new_page, no_horizontal_scroll, record_console, screenshot
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)

WIDTH, HEIGHT = 1366, 900

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day")]


@pytest.fixture
def officer():
    agency = make_agency("Dinas Komunikasi dan Informatika Kabupaten Banjar", slug="banjar")
    user = budget_officer(agency, "petugas.banjar")
    make_budget(agency, amount=250_000_000)
    return user


def test_an_officer_places_an_order_by_typing_the_outlets_name(browser, live_server, officer, tmp_path):
    from playwright.sync_api import expect  # here: without playwright the browser fixture skips the test

    outlet = listed_eligible_outlet("Kabar Martapura")
    approved_price(outlet, unit_price=12_500_000, name="Advertorial 600 kata dengan 2 foto")
    approved_price(listed_eligible_outlet("Radio Intan"), unit_price=2_000_000, name="Spot 60 detik")
    page = record_console(new_page(browser, live_server, width=WIDTH, height=HEIGHT))
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/admin/budgets/mediaorder/add/")
    # Django's autocomplete: open it, type part of the outlet's name, choose the product.
    page.locator(".field-price_item .select2-selection").click()
    page.locator(".select2-search__field").fill("martap")
    # The list first shows every approved price, then the ones whose outlet matches what was typed.
    expect(page.locator(".select2-results__option", has_text="Radio Intan")).to_have_count(0)
    option = page.locator(".select2-results__option", has_text="Kabar Martapura")
    expect(option).to_have_count(1)
    option.click()
    page.locator("#id_quantity").fill("2")
    for name in ("order_date", "service_start"):
        page.locator(f"#id_{name}").fill(ORDER_DAY.strftime("%Y-%m-%d"))
    page.locator("#id_service_end").fill((ORDER_DAY + datetime.timedelta(days=7)).strftime("%Y-%m-%d"))
    page.locator("#id_ecatalog_reference").fill("EPC-2026-0042")
    screenshot(page, tmp_path, "orders-add.png", full_page=True)
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/change/")
    order = MediaOrder.objects.get()
    assert (order.amount, order.outlet, order.status) == (25_000_000, outlet, OrderStatus.COMMITTED)
    assert "Rp 225.000.000" in page.locator(".messagelist").inner_text()
    steps = page.locator("#order-steps")
    box = steps.bounding_box()
    assert box and box["y"] + box["height"] <= HEIGHT, "the next steps are below the fold"
    assert "Eligible on the order date" in page.locator(".order-eligibility").inner_text()
    screenshot(page, tmp_path, "orders-page.png", full_page=True)
    assert not csp_complaints(page), csp_complaints(page)
    page.context.close()


@pytest.mark.parametrize("english", [True, False])
def test_the_order_list_fits_a_laptop(browser, live_server, officer, tmp_path, english):
    budget = officer.agency_staff.agency.budgets.get()
    for n in range(6):
        outlet = listed_eligible_outlet(f"Portal Berita Kalimantan Selatan Sangat Panjang {n}")
        order = place(budget, approved_price(outlet, name="Advertorial panjang dengan foto dan video pendek"),
                      user=officer, ecatalog_reference=f"EPC-2026-{n:04d}")
        if n % 2:
            services.order_publish(order, published_url="https://example.id/a", user=officer,
                                   today=order.proof_due_on)
    page = record_console(new_page(browser, live_server, english=english, width=WIDTH, height=HEIGHT))
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/admin/budgets/mediaorder/")
    assert page.locator("#result_list tbody tr").count() == 6
    screenshot(page, tmp_path, f"orders-list-{'en' if english else 'id'}.png", full_page=True)
    assert no_horizontal_scroll(page, WIDTH)
    assert not csp_complaints(page), csp_complaints(page)
    page.context.close()
