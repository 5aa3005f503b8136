"""Spend outside the catalog on the public /transparency/ page and /api/v1/transparency/: the totals count it
(the public total is the whole total), a breakdown by kind shows what it was, a new or cancelled entry shows on
the next visit despite the caches, no one's name or file is published, and the queries stay fixed."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import services
from tests.budget_helpers import record_other_spend
from tests.test_transparency import URL, dki, section, text  # noqa: F401 (dki: a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

API = "/api/v1/transparency/kominfotik-uji/2026/"
MILLION = 1_000_000
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def spent(dki):  # noqa: F811
    """dki's budget (Rp 4 billion; Rp 400 million ordered, Rp 300 million of it paid) with a subscription, two
    press gatherings, a legislature publication and a cancelled entry outside the catalog."""
    budget = dki["budget"]
    record_other_spend(budget, amount=36 * MILLION, kind="subscription", recipient="Harian Ibu Kota",
                       spent_on=datetime.date(2026, 1, 15), description="Langganan 30 eksemplar")
    record_other_spend(budget, amount=10 * MILLION, kind="press_gathering", recipient="PWI Jaya",
                       spent_on=datetime.date(2026, 2, 9))
    record_other_spend(budget, amount=15 * MILLION, kind="press_gathering", recipient="AJI Jakarta",
                       spent_on=datetime.date(2026, 2, 20))
    record_other_spend(budget, amount=100 * MILLION, kind="legislature_publication", recipient="Tabloid DPRD",
                       spent_on=datetime.date(2026, 5, 4))
    cancelled = record_other_spend(budget, amount=999 * MILLION, kind="other", recipient="Salah catat",
                                   spent_on=datetime.date(2026, 5, 5))
    services.other_spend_cancel(cancelled, reason="Salah catat", today=TODAY)
    return dki


def test_the_page_counts_it_in_the_totals_and_shows_it_by_kind(client, english, spent):
    response = client.get(URL)
    figures = section(response, "Original budget", "Revisions")
    assert "Ordered Rp 400.000.000" in figures
    assert "Spent outside the e-catalog Rp 161.000.000" in figures
    assert "Total spending Rp 561.000.000" in figures
    assert "Remaining Rp 3.439.000.000" in figures  # 4 billion − 400 million − 161 million
    assert "Absorption (serapan) 11.5%" in figures  # (300 + 161) million ÷ 4 billion
    kinds = section(response, "Spending outside the e-catalog", "Fair distribution")
    assert "Newspaper or magazine subscription 1 Rp 36.000.000" in kinds
    assert "Press gathering 2 Rp 25.000.000" in kinds
    assert "Legislature (DPRD) publication 1 Rp 100.000.000" in kinds
    assert "Total Rp 161.000.000" in kinds
    page = text(response)
    assert "Rp 999.000.000" not in page  # cancelled
    assert "PWI Jaya" not in page and "kuitansi" not in page  # amounts by kind only, no recipient or file


def test_a_budget_without_it_says_so(client, english, dki):  # noqa: F811
    kinds = section(client.get(URL), "Spending outside the e-catalog", "Fair distribution")
    assert "No media spending outside the e-catalog was recorded from this budget." in kinds


def test_a_new_or_cancelled_entry_shows_on_the_next_visit(client, english, spent):
    assert "Total spending Rp 561.000.000" in text(client.get(URL))
    assert client.get(API).json()["total_amount"] == 561 * MILLION
    entry = record_other_spend(spent["budget"], amount=9 * MILLION, kind="sponsored_event", recipient="Festival")
    assert "Total spending Rp 570.000.000" in text(client.get(URL))  # a new cache key: the budget row changed
    assert client.get(API).json()["total_amount"] == 570 * MILLION  # a new fingerprint
    services.other_spend_cancel(entry, reason="Acara batal", today=TODAY)
    assert "Total spending Rp 561.000.000" in text(client.get(URL))
    assert client.get(API).json()["total_amount"] == 561 * MILLION


def test_the_api_gives_the_totals_months_and_kinds(client, spent):
    body = client.get(API, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["ordered_amount"], body["other_spent_amount"], body["total_amount"], body["remaining_amount"]) == (
        400 * MILLION, 161 * MILLION, 561 * MILLION, 3_439 * MILLION)
    assert body["absorption"] == pytest.approx(0.11525)
    assert body["other_spend"] == [
        {"kind": "subscription", "label": "Newspaper or magazine subscription", "entries": 1, "amount": 36 * MILLION},
        {"kind": "press_gathering", "label": "Press gathering", "entries": 2, "amount": 25 * MILLION},
        {"kind": "legislature_publication", "label": "Legislature (DPRD) publication", "entries": 1,
         "amount": 100 * MILLION}]
    months = {row["month"]: row["other_spent"] for row in body["months"]}
    assert (months[1], months[2], months[5], months[3]) == (36 * MILLION, 25 * MILLION, 100 * MILLION, 0)
    listed = client.get("/api/v1/transparency/", {"agency": "kominfotik-uji", "year": 2026}).json()["results"][0]
    assert (listed["other_spent_amount"], listed["total_amount"]) == (161 * MILLION, 561 * MILLION)
    assert "PWI Jaya" not in str(body) and "reference" not in str(body["other_spend"])


def test_the_page_runs_the_same_queries_for_1_and_100_entries(client, english, dki):  # noqa: F811
    def cold() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    record_other_spend(dki["budget"], amount=1_000)
    one = cold()
    for _ in range(99):
        record_other_spend(dki["budget"], amount=1_000, kind="press_gathering")
    assert cold() == one <= 7
