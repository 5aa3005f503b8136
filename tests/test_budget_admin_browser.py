"""The budget pages in a real browser at a 1366 × 900 laptop, in both languages: the list and the budget
page (figures, spend per month, the chart by year, the revisions) lie within the window's width, the
chart is drawn, and the Content-Security-Policy has nothing to complain about; a revision is added
through its page as a budget officer does. Screenshots (budget-*.png) go to $SCREENSHOT_DIR when set,
else to the test's tmp_path.

Skipped like the other browser tests when Chromium is missing (never under CI).
"""

from __future__ import annotations

import datetime

import pytest

from budgets import services
from budgets.models import BudgetRevision
from tests.browser import csp_complaints, log_in, new_page, no_horizontal_scroll, record_console, screenshot
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
    publish,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

WIDTH, HEIGHT = 1366, 900


@pytest.fixture
def officer():
    """A province's officer whose agency has budgets 2019-2026 (2022 with the policy off) and orders in 2026."""
    agency = make_agency("Dinas Komunikasi, Informatika dan Statistik Provinsi Uji", slug="provinsi-uji")
    for year, amount in [(2019, 15_000_000_000), (2020, 12_000_000_000), (2021, 5_000_000_000),
                         (2023, 7_500_000_000), (2024, 8_000_000_000), (2025, 9_000_000_000)]:
        make_budget(agency, year=year, amount=amount)
    make_budget(agency, year=2022, amount=0, spending_allowed=False, policy_reference="Pergub 12/2021")
    budget = make_budget(agency, year=2026, amount=5_000_000_000)
    services.budget_revise(budget, amount_after=4_250_000_000, reason="refocusing", reference="DPPA 903/2026",
                           revised_on=datetime.date(2026, 7, 1), note="Refocusing untuk penanganan bencana")
    price = approved_price(listed_eligible_outlet("Portal Berita Nusantara Raya"), unit_price=125_000_000)
    pay(place(budget, price, quantity=4), paid_on=datetime.date(2026, 10, 20))
    publish(place(budget, price, quantity=2, order_date=datetime.date(2026, 10, 5)))
    place(budget, price, quantity=3, order_date=datetime.date(2026, 11, 2))
    user = budget_officer(agency, "anggaran.provinsi")
    user.budget = budget
    return user


@pytest.fixture
def page(browser, live_server):
    page = record_console(new_page(browser, live_server, width=WIDTH, height=HEIGHT))
    yield page
    page.context.close()


def fits(page) -> None:
    assert no_horizontal_scroll(page, WIDTH), f"{page.url} scrolls sideways"
    rights = page.evaluate("""() => [...document.querySelectorAll('#content td, #content th, #content svg')]
        .map((cell) => cell.getBoundingClientRect().right)""")
    assert rights and max(rights) <= WIDTH, page.url


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_budget_pages_fit_a_laptop_screen(browser, live_server, tmp_path, officer, language):
    page = record_console(new_page(browser, live_server, english=language == "en", width=WIDTH, height=HEIGHT))
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/admin/budgets/budget/")
    fits(page)
    assert page.locator("#result_list tbody tr").count() == 8
    screenshot(page, tmp_path, f"budget-list-{language}.png", full_page=True)

    page.goto(f"{live_server.url}/admin/budgets/budget/{officer.budget.pk}/change/")
    fits(page)
    assert page.locator("#figure-paid td").inner_text() == "Rp 500.000.000"
    assert page.locator("#budget-chart svg rect").count() >= 8
    assert page.locator("#revisions-group").inner_text().count("DPPA 903/2026") == 1
    screenshot(page, tmp_path, f"budget-page-{language}.png", full_page=True)
    assert not csp_complaints(page)
    assert page.console_errors == []  # e.g. chart coordinates written "224,5" in Indonesian
    page.context.close()


def test_a_revision_is_added_through_its_page(page, live_server, tmp_path, officer):
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/admin/budgets/budget/{officer.budget.pk}/change/")
    page.locator("#budget-revise").click()
    page.locator("#id_amount_after").fill("1000000")
    page.locator("#id_reason").select_option("amendment")
    page.locator("#id_revised_on").fill("2026-11-20")
    page.locator("#id_reference").fill("Perda 5/2026")
    page.locator("input[type=submit]").click()
    assert "cannot go below what its orders already hold" in page.locator(".field-amount_after .errorlist").inner_text()
    fits(page)
    screenshot(page, tmp_path, "budget-revision-refused.png", full_page=True)

    page.locator("#id_amount_after").fill("4500000000")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/budgets/budget/{officer.budget.pk}/change/")
    assert page.locator("#figure-current td").inner_text() == "Rp 4.500.000.000"
    assert BudgetRevision.objects.filter(budget=officer.budget).count() == 2
    assert not csp_complaints(page)
    assert page.console_errors == []  # e.g. chart coordinates written "224,5" in Indonesian
