"""/transparency/ (issue 10, items 7 and 8): per agency and year, for anyone, the budget and its revisions,
what was ordered and paid, spend per outlet without personal data, the fair-distribution figures and the
chart, in both languages, with a fixed number of queries and a cache that never hides a money change."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from budgets import public, services
from budgets.models import RevisionReason
from budgets.selectors import fair_distribution
from catalog.models import Listing, ListingState
from tests.budget_helpers import (
    ORDER_DAY,
    SERVICE_UNTIL,
    approved_price,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.catalog_helpers import listed_outlet
from tests.helpers import closed_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

URL = "/transparency/"
MILLION = 1_000_000


def text(response) -> str:
    """What a reader sees: the page's text without tags, white space folded."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(response, title: str, next_title: str) -> str:
    page = text(response)
    return page.split(title, 1)[1].split(next_title, 1)[0]


def pay(order, day=datetime.date(2026, 10, 1)):
    services.order_publish(order, published_url="https://example.id/berita/1", today=order.proof_due_on)
    services.order_review_proof(order, accept=True, user=None)
    return services.order_pay(order, paid_on=day, reference=f"SP2D-{order.pk}", today=datetime.date(2026, 11, 26))


def order_of(budget, outlet, amount, **fields):
    return place(budget, approved_price(outlet, unit_price=amount), **fields)


@pytest.fixture
def dki():
    """An agency whose 2026 budget of Rp 5 billion was cut by refocusing, with three outlets: two ordered
    (one paid), one cancelled order, and a listed outlet that received nothing."""
    agency = make_agency("Dinas Kominfotik Uji", slug="kominfotik-uji")
    budget = make_budget(agency, year=2026, amount=5_000_000_000)
    services.budget_revise(budget, amount_after=4_000_000_000, reason=RevisionReason.REFOCUSING,
                           reference="DPPA 12/2026", revised_on=datetime.date(2026, 6, 2),
                           note="Dana dialihkan untuk penanganan banjir.")
    kabar = listed_eligible_outlet("Kabar Betawi")
    warta = listed_eligible_outlet("Warta Priangan")
    sepi = listed_eligible_outlet("Suara Sepi")
    paid = order_of(budget, kabar, 300 * MILLION)
    order_of(budget, warta, 100 * MILLION)
    cancelled = order_of(budget, warta, 700 * MILLION)
    services.order_cancel(cancelled, reason="Salah pesan")
    pay(paid)
    budget.refresh_from_db()
    return {"agency": agency, "budget": budget, "kabar": kabar, "warta": warta, "sepi": sepi}


# --- what is shown -----------------------------------------------------------------------------------


def test_the_figures_of_orders_placed_through_the_services(client, english, dki):
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Dinas Kominfotik Uji: fiscal year 2026" in page
    figures = section(response, "Original budget", "Revisions")
    assert "(murni) Rp 5.000.000.000" in figures
    assert "Budget after revisions Rp 4.000.000.000" in figures
    # The cancelled order (Rp 700 million) is left out; paid is the one paid order.
    assert "Ordered Rp 400.000.000" in figures
    assert "Paid (realisasi) Rp 300.000.000" in figures
    assert "Absorption (serapan) 7.5%" in figures  # 300 million ÷ 4 billion
    assert "Remaining Rp 3.600.000.000" in figures
    spend = section(response, "Spending per outlet", "Fair distribution")
    assert "Kabar Betawi 1 Rp 300.000.000 Rp 300.000.000 75.0%" in spend
    assert "Warta Priangan 1 Rp 100.000.000 Rp 0 25.0%" in spend
    assert "Total Rp 400.000.000 Rp 300.000.000 100.0%" in spend
    assert "Suara Sepi" not in spend
    assert "Rp 700.000.000" not in page


def test_revisions_are_shown_with_their_date_reason_reference_and_explanation(client, english, dki):
    services.budget_revise(dki["budget"], amount_after=4_500_000_000, reason=RevisionReason.AMENDMENT,
                           reference="Perda APBD-P 5/2026", revised_on=datetime.date(2026, 9, 30))
    revisions = section(client.get(URL), "Revisions", "Spending per outlet")
    assert ("2 June 2026 Rp 5.000.000.000 Rp 4.000.000.000 Refocusing and reallocation DPPA 12/2026 "
            "Dana dialihkan untuk penanganan banjir.") in revisions
    assert "30 September 2026 Rp 4.000.000.000 Rp 4.500.000.000 Budget amendment (APBD-Perubahan) " \
           "Perda APBD-P 5/2026 —" in revisions


def test_a_budget_never_revised_says_so(client, english):
    make_budget(make_agency(), year=2026)
    assert "No revision: the budget is as first adopted." in text(client.get(URL))


def test_a_year_with_the_policy_off_says_so_with_its_reference_and_note(client, english, dki):
    make_budget(dki["agency"], year=2018, amount=0, spending_allowed=False, policy_reference="Ingub 7/2018",
                policy_note="Tidak ada kerja sama media berbayar tahun ini.")
    response = client.get(URL, {"agency": "kominfotik-uji", "year": "2018"})
    page = text(response)
    assert ("No media spending in 2018: the regional head's policy was no paid media cooperation that year. "
            "Decision: Ingub 7/2018 Tidak ada kerja sama media berbayar tahun ini.") in page
    assert "No order: media spending was off this year." in page
    assert "outlet-spend" not in response.content.decode()  # no empty table
    assert "Fair distribution" not in page
    # The chart marks the year too.
    assert "2018 Rp 0 Rp 0 Rp 0 off by policy" in page


def test_no_personal_data_on_the_page(client, english, dki):
    """Outlets and companies have people, contacts and an NPWP; staff entered the revision: none is shown."""
    secrets = ["@"]
    for outlet in (dki["kabar"], dki["warta"], dki["sepi"]):
        outlet.person_in_charge, outlet.editor_in_chief = f"Budi {outlet.pk}", f"Siti {outlet.pk}"
        outlet.save()
        company = outlet.company
        secrets += [outlet.person_in_charge, outlet.editor_in_chief, outlet.email, outlet.phone,
                    outlet.editor_certificate_no, company.email, company.phone, company.address, company.legal_name,
                    company.npwp, company.npwp_display, company.nib]
    cache.clear()
    html = client.get(URL).content.decode()
    assert "Kabar Betawi" in html and "Suara Sepi" in html
    for secret in secrets:
        assert secret not in html, secret
    assert "/documents/" not in html and "/admin/" not in html


def test_rupiah_are_written_the_indonesian_way_in_both_languages(client, dki):
    indonesian = text(client.get(URL))
    assert "Rp 5.000.000.000" in indonesian and "Rp 4.000.000.000" in indonesian
    assert "7,5%" in indonesian  # the absorption, with the Indonesian decimal comma
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text(client.get(URL))
    assert "Rp 5.000.000.000" in english and "7.5%" in english


def test_indonesian_by_default_and_english_on_request(client, dki):
    response = client.get(URL)
    assert '<html lang="id">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL)
    assert '<html lang="en">' in response.content.decode()
    assert "Transparency of media spending" in text(response)


def test_the_chart_of_the_agency_by_year(client, english, dki):
    make_budget(dki["agency"], year=2025, amount=2_000_000_000)
    html = client.get(URL).content.decode()
    assert '<svg viewBox=' in html and 'role="img"' in html and "<script" not in html
    table = html.split('class="year-chart-table"')[1]
    assert re.findall(r'<th scope="row">(\d{4})</th>', table) == ["2025", "2026"]
    assert "Rp 4.000.000.000" in table and "Rp 300.000.000" in table


# --- choosing the agency and the year ----------------------------------------------------------------


def test_the_default_is_the_first_agency_and_its_latest_year(client, english):
    banjar = make_agency("Diskominfo Banjar Uji", slug="banjar-uji")
    later = make_agency("Kominfotik Zamrud Uji", slug="zamrud-uji")
    for year in (2024, 2026, 2025):
        make_budget(banjar, year=year, amount=year * MILLION)
    make_budget(later, year=2026)
    response = client.get(URL)
    assert "Diskominfo Banjar Uji: fiscal year 2026" in text(response)
    html = response.content.decode()
    # Plain links choose the agency and the year; the chosen ones are marked for screen readers.
    assert '<a href="/transparency/?agency=zamrud-uji">Kominfotik Zamrud Uji</a>' in html
    assert 'href="/transparency/?agency=banjar-uji" aria-current="page"' in html
    assert re.findall(r'\?agency=banjar-uji&amp;year=(\d{4})"', html) == ["2026", "2025", "2024"]
    assert "Diskominfo Banjar Uji: fiscal year 2024" in text(client.get(URL, {"agency": "banjar-uji",
                                                                             "year": "2024"}))
    assert "Kominfotik Zamrud Uji: fiscal year 2026" in text(client.get(URL, {"agency": "zamrud-uji"}))


@pytest.mark.parametrize("query", [{"agency": "no-such-agency"}, {"agency": "banjar-uji", "year": "2019"},
                                   {"agency": "banjar-uji", "year": "dua ribu"}, {"year": "\x00"},
                                   {"agency": "x" * 5000}])
def test_an_unknown_agency_or_year_is_404(client, english, query):
    make_budget(make_agency("Diskominfo Banjar Uji", slug="banjar-uji"), year=2026)
    response = client.get(URL, query)
    assert response.status_code == 404
    assert "No budget at this address" in text(response)
    assert 'href="/transparency/?agency=banjar-uji"' in response.content.decode()


def test_an_agency_without_a_budget_and_no_agency_at_all(client, english):
    assert "No agency has published a media budget yet." in text(client.get(URL))
    make_agency("Diskominfo Banjar Uji")
    assert "This agency has not published a media budget yet." in text(client.get(URL))


def test_the_site_header_links_to_the_page(client, english):
    for url in ("/apply/", "/catalog/"):
        assert f'href="{URL}"' in client.get(url).content.decode()


def test_only_get_and_head(client):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


# --- fair distribution ---------------------------------------------------------------------------------


@pytest.fixture
def seven_and_one():
    """Seven outlets ordered 30, 20, 15, 10, 10, 10 and 5 million (100 million in all), an eighth listed
    outlet got nothing, and a cancelled order of 50 million to the last counts for nothing."""
    agency = make_agency("Diskominfo Banjar Uji", slug="banjar-uji")
    budget = make_budget(agency, year=2026, amount=1_000_000_000)
    outlets = [listed_eligible_outlet(f"Portal {letter}") for letter in "ABCDEFGH"]
    for outlet, millions in zip(outlets, (30, 20, 15, 10, 10, 10, 5), strict=False):
        order_of(budget, outlet, millions * MILLION)
    services.order_cancel(order_of(budget, outlets[6], 50 * MILLION), reason="Batal")
    return agency, outlets


def test_fair_distribution_by_hand(seven_and_one):
    agency, _outlets = seven_and_one
    fair = fair_distribution(agency, 2026)
    assert (fair.listed_outlets, fair.listed_with_orders, fair.total) == (8, 7, 100 * MILLION)
    # The five largest: 30 + 20 + 15 + 10 + 10 of 100.
    assert fair.top5_share == pytest.approx(0.85)
    # HHI = Σ (share in %)²: 900 + 400 + 225 + 100 + 100 + 100 + 25.
    assert fair.hhi == 1850
    assert [o.name for o in fair.listed_without_orders] == ["Portal H"]


def test_fair_distribution_on_the_page(client, seven_and_one):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fair = section(client.get(URL), "Fair distribution", "Budget and spending by year")
    assert "Listed outlets that received an order 7 of 8 87.5%" in fair
    assert "Share of the five largest outlets 85.0%" in fair
    assert "Concentration (Herfindahl–Hirschman index) 1,850" in fair
    assert "1,850 is what 5.4 outlets with equal shares would give." in fair
    assert "Listed outlets that received nothing Portal H" in fair
    cache.clear()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = text(client.get(URL))
    assert "85,0%" in page and "1.850" in page


def test_every_listed_outlet_ordered_and_a_long_list_is_cut(client, english, monkeypatch, seven_and_one):
    agency, outlets = seven_and_one
    monkeypatch.setattr(public, "WITHOUT_ORDERS_SHOWN", 2)
    for number in range(4):
        listed_outlet(f"Portal Z{number}")
    fair = section(client.get(URL), "Listed outlets that received nothing", "Budget and spending by year")
    assert fair.startswith(" Portal H Portal Z0 and 3 more outlets")


# --- queries and the cache -----------------------------------------------------------------------------


def cold_queries(client, url=URL) -> tuple[int, str]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), text(response)


def test_the_same_number_of_queries_for_1_and_100_orders(client, english, django_assert_max_num_queries):
    budget = make_budget(make_agency(), year=2026, amount=10_000_000_000)
    outlets = [listed_eligible_outlet() for _ in range(10)]
    prices = [approved_price(outlet, unit_price=MILLION) for outlet in outlets]
    place(budget, prices[0])
    one, page = cold_queries(client)
    assert "Ordered Rp 1.000.000" in page
    for number in range(99):
        place(budget, prices[number % 10], order_date=ORDER_DAY - datetime.timedelta(days=number % 20),
              service_end=SERVICE_UNTIL)  # running to late November: no proof overdue when the next is placed
    hundred, page = cold_queries(client)
    assert "Ordered Rp 100.000.000" in page and "10 of 10" in page
    assert one == hundred <= 6
    # From the cache: the agencies and the agency's budgets, which make the key.
    with django_assert_max_num_queries(2):
        assert client.get(URL).status_code == 200


def test_a_new_order_or_revision_shows_at_once(client, english, dki):
    assert "Ordered Rp 400.000.000" in text(client.get(URL))
    order_of(dki["budget"], dki["sepi"], 50 * MILLION)
    page = text(client.get(URL))
    assert "Ordered Rp 450.000.000" in page and "Suara Sepi 1 Rp 50.000.000" in page
    services.budget_revise(dki["budget"], amount_after=4_200_000_000, reason=RevisionReason.AMENDMENT,
                           reference="Perda 9/2026", revised_on=datetime.date(2026, 10, 1))
    assert "Budget after revisions Rp 4.200.000.000" in text(client.get(URL))
    budget = services.budget_set_policy(dki["budget"], spending_allowed=False, reference="Ingub 3/2026")
    assert "Decision: Ingub 3/2026" in text(client.get(URL))
    services.order_cancel(budget.orders.get(outlet=dki["sepi"]), reason="Batal")
    assert "Suara Sepi 1" not in text(client.get(URL))


def test_a_listing_change_shows_within_the_cache_lifetime(client, english, dki):
    assert "Listed outlets that received an order 2 of 3" in text(client.get(URL))
    listed_outlet("Aceh Kini")
    assert "2 of 3" in text(client.get(URL))  # the cached page, for a while
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=public.CACHE_SECONDS + 1), tick=False):
        assert "Listed outlets that received an order 2 of 4" in text(client.get(URL))


def test_the_cache_is_kept_per_language(client, dki):
    indonesian = text(client.get(URL))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert text(client.get(URL)) != indonesian


def test_pages_are_private_to_the_visitor(client, english, dki):
    response = client.get(URL)
    assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_the_page_works_with_the_cache_down(client, english, dki, caplog):
    redis_down = override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                       "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}})
    with redis_down:
        response = client.get(URL)
        assert response.status_code == 200 and "Ordered Rp 400.000.000" in text(response)
    assert "transparency page not cached: the cache is unreachable" in caplog.text


def test_a_suspended_outlet_keeps_its_spend(client, english, dki):
    """What was spent stays public whatever the outlet's standing now."""
    Listing.objects.filter(outlet=dki["kabar"]).update(state=ListingState.SUSPENDED, suspension_cause="staff")
    assert "Kabar Betawi 1 Rp 300.000.000" in text(client.get(URL))
