"""The public open data of the API (issue 12, item 2): /api/v1/catalog/ (the listed outlets, as the /catalog/ page)
and /api/v1/transparency/ (per agency and year, the figures of the /transparency/ page). Open to everyone, no
personal data, cached, throttled per address, a fixed number of queries per page."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from budgets import services
from budgets.models import AgencyStaff, Budget, MediaOrder, RevisionReason
from budgets.selectors import fair_distribution, spend_by_month
from catalog.models import Application, Listing, ListingState, ListingTransition
from catalog.selectors import CatalogFilters, public_catalog
from mediareg.api.tokens import token_create
from partners.models import Document, MediaOutlet, MediaType, PressCompany, VerificationLevel
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
)
from tests.catalog_helpers import listed_outlet
from tests.conftest import JAKARTA
from tests.factories import MediaOutletFactory, StaffUserFactory, UserFactory
from tests.helpers import closed_port
from tests.test_csp import POLICY, directives

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit")]

CATALOG = "/api/v1/catalog/"
TRANSPARENCY = "/api/v1/transparency/"
MILLION = 1_000_000
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def later(seconds: int | None = None):
    """The clock moved past the public answers' cache lifetime."""
    seconds = settings.API_PUBLIC_CACHE_SECONDS + 1 if seconds is None else seconds
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


@pytest.fixture
def several(db):
    return {
        "kabar": listed_outlet("Kabar Betawi", domain="kabarbetawi.id", province="31"),
        "warta": listed_outlet("Warta Priangan", domain="wartapriangan.id", province="32",
                               media_type=MediaType.PRINT),
        "suara": listed_outlet("Suara Dewata", domain="radiodewata.co.id", province="51", media_type=MediaType.RADIO,
                               level=VerificationLevel.ADMINISTRATIVE),
        "tv": listed_outlet("betawi TV", domain="btv.id", province="31", media_type=MediaType.TELEVISION),
    }


# --- /api/v1/catalog/ ----------------------------------------------------------------------------------


def test_the_catalog_lists_the_listed_outlets_with_their_public_facts(client):
    kabar = listed_outlet("Kabar Betawi", domain="kabarbetawi.id")
    for state in (ListingState.APPLIED, ListingState.UNDER_REVIEW, ListingState.SUSPENDED, ListingState.DELISTED,
                  ListingState.REJECTED, ListingState.REVOKED):
        listed_outlet(f"Tidak Tampil {state}", state=state)
    MediaOutletFactory(name="Tanpa Listing")

    response = client.get(CATALOG, **EN)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["previous"] is None and body["next"] is None
    assert body["results"] == [{
        "id": kabar.pk, "url": f"http://testserver{CATALOG}{kabar.pk}/", "name": "Kabar Betawi",
        "media_type": "online", "media_type_label": "Online (siber)", "domain": "kabarbetawi.id",
        "website": "https://kabarbetawi.id/", "level": "factual",
        "level_label": "Administratively and factually verified", "tier": "A", "province": "DKI Jakarta",
        "province_code": "31", "listed_since": "2026-08-17T09:00:00+07:00",
        "first_listed": "2026-08-17T09:00:00+07:00",
    }]


def test_the_catalog_is_the_pages_set_in_the_pages_order(client, several):
    """Name order whatever the letter case, the same outlets as /catalog/ for the same filters."""
    for filters in ({}, {"q": "betawi"}, {"province": "31"}, {"media_type": "print"}):
        page = public_catalog(CatalogFilters(**filters), per_page=100)
        assert names(client.get(CATALOG, filters)) == [outlet.name for outlet in page.object_list]
    assert names(client.get(CATALOG)) == ["betawi TV", "Kabar Betawi", "Suara Dewata", "Warta Priangan"]


@pytest.mark.parametrize("filters, expected", [
    ({"q": "betawi"}, ["betawi TV", "Kabar Betawi"]),          # a part of the name, any letter case
    ({"q": "PRIANGAN"}, ["Warta Priangan"]),
    ({"q": "radiodewata"}, ["Suara Dewata"]),                  # a part of the domain
    ({"q": "https://www.radiodewata.co.id/berita/1"}, ["Suara Dewata"]),  # an address as pasted
    ({"q": "  kabar   betawi "}, ["Kabar Betawi"]),             # white space folded, as on the page
    ({"q": "tidak ada"}, []),
    ({"media_type": "print"}, ["Warta Priangan"]),
    ({"province": "31"}, ["betawi TV", "Kabar Betawi"]),
    ({"level": "administrative"}, ["Suara Dewata"]),
    ({"level": "none"}, []),
    ({"level": "factual", "province": "31", "media_type": "online"}, ["Kabar Betawi"]),
    ({"q": "betawi", "media_type": "television"}, ["betawi TV"]),
    ({"utm_source": "newsletter"}, ["betawi TV", "Kabar Betawi", "Suara Dewata", "Warta Priangan"]),
])
def test_catalog_filters(client, several, filters, expected):
    assert names(client.get(CATALOG, filters)) == expected


def test_an_outlet_without_verification_counts_as_not_verified(client):
    listed_outlet("Tanpa Verifikasi", level=None)
    response = client.get(CATALOG, {"level": "none"}, **EN)
    assert names(response) == ["Tanpa Verifikasi"]
    assert response.json()["results"][0]["level_label"] == "Not verified"


def test_a_filter_that_is_not_valid_is_a_400_naming_it(client, several):
    response = client.get(CATALOG, {"media_type": "carrier-pigeon", "level": "gold"}, **EN)
    assert response.status_code == 400
    assert response.json() == {
        "media_type": ["Select a valid choice. carrier-pigeon is not one of the available choices."],
        "level": ["Select a valid choice. gold is not one of the available choices."]}
    for odd in ({"q": "x\x00y"}, {"q": "a" * 101}, {"province": "311"}, {"page_size": "x"}):
        assert client.get(CATALOG, odd).status_code in (200, 400), odd
    assert client.get(CATALOG, {"q": "x\x00y"}).status_code == 400
    assert client.get(CATALOG, {"cursor": "not-a-cursor"}).status_code == 404


def test_the_outlet_endpoint(client):
    outlet = listed_outlet("Suara Dewata", domain="suaradewata.id", media_type=MediaType.RADIO, province="51",
                           level=VerificationLevel.ADMINISTRATIVE)
    # Listed in March, suspended, listed again in August: both dates are given.
    ListingTransition.objects.create(listing=outlet.listing, created_at=datetime.datetime(2026, 3, 2, tzinfo=JAKARTA),
                                     action="approve", from_state="under_review", to_state=ListingState.LISTED,
                                     actor_label="rina.verifikator")

    response = client.get(f"{CATALOG}{outlet.pk}/", **EN)

    assert response.status_code == 200
    assert response.json() == {
        "id": outlet.pk, "url": f"http://testserver{CATALOG}{outlet.pk}/", "name": "Suara Dewata",
        "media_type": "radio", "media_type_label": "Radio", "domain": "suaradewata.id",
        "website": "https://suaradewata.id/", "level": "administrative", "level_label": "Administratively verified",
        "tier": "B", "province": "Bali", "province_code": "51", "listed_since": "2026-08-17T09:00:00+07:00",
        "first_listed": "2026-03-02T00:00:00+07:00",
    }


@pytest.mark.parametrize("state", [ListingState.APPLIED, ListingState.SUSPENDED, ListingState.DELISTED,
                                   ListingState.REVOKED])
def test_an_outlet_that_is_not_listed_is_a_404(client, state):
    outlet = listed_outlet("Belum Tampil", state=state)
    response = client.get(f"{CATALOG}{outlet.pk}/", **EN)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_unknown_outlets_are_404(client):
    assert client.get(f"{CATALOG}999999/").status_code == 404
    assert client.get(f"{CATALOG}{MediaOutletFactory().pk}/").status_code == 404  # no listing at all
    assert client.get(f"{CATALOG}abc/").status_code == 404
    assert client.get(f"{CATALOG}99999999999999999999/").status_code == 404  # beyond a bigint
    for odd in ("-1", "1.5", "%C2%B2", "abc"):  # the API's own 404 (JSON), not the site's page
        response = client.get(f"{CATALOG}{odd}/", **EN)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), odd


def test_labels_follow_accept_language_indonesian_by_default(client, several):
    url = f"{CATALOG}{several['suara'].pk}/"
    indonesian = client.get(url).json()
    english = client.get(url, **EN).json()  # after the Indonesian answer was cached: kept apart
    assert indonesian["level_label"] == "Terverifikasi administratif"
    assert english["level_label"] == "Administratively verified"
    assert client.get(url).json()["level_label"] == "Terverifikasi administratif"
    assert client.get(url).headers["Content-Language"] == "id"


def test_cursor_pages_walk_every_outlet_once_in_order(client):
    for number in range(7):
        listed_outlet(f"Portal {number}")
    listed_outlet("portal 3")  # the same name in another case: the tie is broken by id

    seen, url = [], f"{CATALOG}?page_size=3&province=31"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [row["name"] for row in body["results"]]
        url = body["next"]
    assert seen == ["Portal 0", "Portal 1", "Portal 2", "Portal 3", "portal 3", "Portal 4", "Portal 5", "Portal 6"]


def test_a_catalog_page_runs_one_query_whatever_its_size(client, django_assert_num_queries):
    for number in range(101):
        listed_outlet(f"Portal {number:03d}")
    with django_assert_num_queries(1):
        assert len(names(client.get(CATALOG, {"page_size": 1}))) == 1
    with django_assert_num_queries(1):
        assert len(names(client.get(CATALOG, {"page_size": 100}))) == 100
    with django_assert_num_queries(1):  # filtered
        assert len(names(client.get(CATALOG, {"page_size": 100, "q": "portal", "level": "factual",
                                              "province": "31", "media_type": "online"}))) == 100
    outlet = MediaOutlet.objects.get(name="Portal 050")
    with django_assert_num_queries(1):
        assert client.get(f"{CATALOG}{outlet.pk}/").status_code == 200


def test_a_cached_answer_runs_no_query(client, several, django_assert_num_queries):
    first = client.get(CATALOG, {"q": "betawi"}).json()
    detail = client.get(f"{CATALOG}{several['kabar'].pk}/").json()
    with django_assert_num_queries(0):
        assert client.get(CATALOG, {"q": "betawi"}).json() == first
        # The same query written another way, or with parameters the endpoint does not read: the same entry.
        assert client.get(f"{CATALOG}?utm_source=x&q=betawi").json() == first
        assert client.get(f"{CATALOG}{several['kabar'].pk}/").json() == detail


def test_a_newly_listed_outlet_appears_within_the_cache_lifetime(client, several):
    assert len(names(client.get(CATALOG))) == 4
    newcomer = listed_outlet("Aceh Kini", province="11")
    assert "Aceh Kini" not in names(client.get(CATALOG))  # the cached list, for a while
    with later():
        assert names(client.get(CATALOG))[0] == "Aceh Kini"
        assert client.get(f"{CATALOG}{newcomer.pk}/").status_code == 200


def test_a_suspended_outlet_leaves_within_the_cache_lifetime(client, several):
    kabar = several["kabar"]
    assert client.get(f"{CATALOG}{kabar.pk}/").status_code == 200
    Listing.objects.filter(outlet=kabar).update(state=ListingState.SUSPENDED, suspension_cause="staff")
    with later():
        assert client.get(f"{CATALOG}{kabar.pk}/").status_code == 404
        assert "Kabar Betawi" not in names(client.get(CATALOG))


def test_the_cache_lifetime_is_a_setting(client, several, settings):
    settings.API_PUBLIC_CACHE_SECONDS = 10
    assert len(names(client.get(CATALOG))) == 4
    listed_outlet("Aceh Kini", province="11")
    with later(11):
        assert names(client.get(CATALOG))[0] == "Aceh Kini"


def test_answers_tell_caches_what_they_vary_on(client, several):
    response = client.get(CATALOG)
    assert "Accept-Language" in response["Vary"]
    assert "no-cache" in response["Cache-Control"]
    assert "Accept-Language" in client.get(CATALOG)["Vary"]  # from the cache too


def test_the_open_data_works_with_the_cache_down(client, several, caplog):
    """Redis refusing connections: answers are computed every time, not throttled, the outage logged."""
    redis_down = override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                       "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}})
    with redis_down:
        assert len(names(client.get(CATALOG))) == 4
        assert client.get(f"{CATALOG}{several['kabar'].pk}/").status_code == 200
    assert "public API answer not cached: the cache is unreachable" in caplog.text
    assert "API request not throttled: the cache is unreachable" in caplog.text


def test_only_reads(client, several):
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(CATALOG).status_code in (401, 405)
        assert method(f"{CATALOG}{several['kabar'].pk}/").status_code in (401, 405)
    assert client.post(CATALOG).status_code == 405  # open: not a sign-in question, the method is not there
    assert client.head(CATALOG).status_code == 200


# --- /api/v1/transparency/ ----------------------------------------------------------------------------


@pytest.fixture
def dki():
    """An agency whose 2026 budget of Rp 5 billion was cut by refocusing (by a budget officer), with three listed
    outlets: two ordered (one paid), one cancelled order, and one that received nothing; a 2018 budget with the
    policy off."""
    agency = make_agency("Dinas Kominfotik Uji", slug="kominfotik-uji")
    officer = budget_officer(agency, "anggaran.uji", first_name="Bambang", last_name="Pamungkas")
    old = make_budget(agency, year=2018, amount=0, spending_allowed=False, policy_reference="Ingub 7/2018",
                      policy_note="Tidak ada kerja sama media berbayar tahun ini.")
    budget = make_budget(agency, year=2026, amount=5_000_000_000)
    services.budget_revise(budget, amount_after=4_000_000_000, reason=RevisionReason.REFOCUSING,
                           reference="DPPA 12/2026", revised_on=datetime.date(2026, 6, 2),
                           note="Dana dialihkan untuk penanganan banjir.", user=officer)
    kabar = listed_eligible_outlet("Kabar Betawi")
    warta = listed_eligible_outlet("Warta Priangan")
    sepi = listed_eligible_outlet("Suara Sepi")
    paid = place(budget, approved_price(kabar, unit_price=300 * MILLION))
    place(budget, approved_price(warta, unit_price=100 * MILLION), order_date=datetime.date(2026, 10, 5))
    cancelled = place(budget, approved_price(warta, unit_price=700 * MILLION))
    services.order_cancel(cancelled, reason="Salah pesan")
    pay(paid, paid_on=datetime.date(2026, 10, 1))
    budget.refresh_from_db()
    return {"agency": agency, "budget": budget, "old": old, "kabar": kabar, "warta": warta, "sepi": sepi,
            "officer": officer}


def detail_url(slug: str, year: int) -> str:
    return f"{TRANSPARENCY}{slug}/{year}/"


def test_the_list_gives_every_agency_year_with_its_totals(client, dki):
    other = make_agency("Diskominfo Banjar Uji", slug="banjar-uji", kind="regency")
    make_budget(other, year=2026, amount=500 * MILLION)

    response = client.get(TRANSPARENCY)

    assert response.status_code == 200
    rows = response.json()["results"]
    # By agency name: "Dinas Kominfotik Uji" before "Diskominfo Banjar Uji".
    assert [(row["agency"]["slug"], row["year"]) for row in rows] == [
        ("kominfotik-uji", 2018), ("kominfotik-uji", 2026), ("banjar-uji", 2026)]
    assert rows[1] == {
        "agency": {"slug": "kominfotik-uji", "name": "Dinas Kominfotik Uji", "short_name": "Dinas Kominfotik Uji",
                   "kind": "province"},
        "year": 2026, "url": f"http://testserver{TRANSPARENCY}kominfotik-uji/2026/",
        "account_code": dki["budget"].account_code, "account_name": dki["budget"].account_name,
        "original_amount": 5_000_000_000, "current_amount": 4_000_000_000, "ordered_amount": 400 * MILLION,
        "paid_amount": 300 * MILLION, "other_spent_amount": 0, "total_amount": 400 * MILLION,
        "remaining_amount": 3_600_000_000, "absorption": 0.075,
        "spending_allowed": True, "revision_count": 1,
    }
    assert rows[0]["spending_allowed"] is False and rows[0]["absorption"] is None


@pytest.mark.parametrize("filters, expected", [
    ({"agency": "kominfotik-uji"}, [("kominfotik-uji", 2018), ("kominfotik-uji", 2026)]),
    ({"year": "2026"}, [("kominfotik-uji", 2026), ("banjar-uji", 2026)]),
    ({"agency": "banjar-uji", "year": "2026"}, [("banjar-uji", 2026)]),
    ({"agency": "tidak-ada"}, []),
    ({"year": "2019"}, []),
])
def test_transparency_filters(client, dki, filters, expected):
    make_budget(make_agency("Diskominfo Banjar Uji", slug="banjar-uji"), year=2026)
    rows = client.get(TRANSPARENCY, filters).json()["results"]
    assert [(row["agency"]["slug"], row["year"]) for row in rows] == expected


def test_a_year_filter_that_is_not_a_year_is_a_400(client, dki):
    response = client.get(TRANSPARENCY, {"year": "dua ribu"}, **EN)
    assert (response.status_code, response.json()) == (400, {"year": ["Enter a whole number."]})
    assert client.get(TRANSPARENCY, {"year": "99999999999"}).status_code == 400
    assert client.get(TRANSPARENCY, {"year": "2026.5"}).status_code == 400


def test_a_year_gives_the_figures_of_the_transparency_page(client, dki):
    budget = dki["budget"]

    response = client.get(detail_url("kominfotik-uji", 2026), **EN)

    assert response.status_code == 200
    body = response.json()
    assert body["original_amount"] == 5_000_000_000 and body["current_amount"] == 4_000_000_000
    assert body["ordered_amount"] == 400 * MILLION and body["paid_amount"] == 300 * MILLION
    assert body["policy_reference"] == "" and body["policy_note"] == ""
    assert body["revisions"] == [{
        "revised_on": "2026-06-02", "amount_before": 5_000_000_000, "amount_after": 4_000_000_000,
        "reason": "refocusing", "reason_label": "Refocusing and reallocation", "reference": "DPPA 12/2026",
        "note": "Dana dialihkan untuk penanganan banjir."}]
    # Spend by month: orders by order date (the cancelled one left out), payments by payment date.
    months = {row["month"]: (row["ordered"], row["paid"]) for row in body["months"]}
    assert sorted(months) == list(range(1, 13))
    assert months[9] == (300 * MILLION, 0) and months[10] == (100 * MILLION, 300 * MILLION)
    assert [(m.ordered, m.paid) for m in spend_by_month(budget)] == [months[n] for n in range(1, 13)]
    assert body["outlets"] == [
        {"outlet_id": dki["kabar"].pk, "name": "Kabar Betawi", "media_type": "online", "orders": 1,
         "ordered": 300 * MILLION, "paid": 300 * MILLION, "share": 0.75},
        {"outlet_id": dki["warta"].pk, "name": "Warta Priangan", "media_type": "online", "orders": 1,
         "ordered": 100 * MILLION, "paid": 0, "share": 0.25},
    ]
    fair = fair_distribution(dki["agency"], 2026)
    assert body["fair_distribution"] == {
        "listed_outlets": 3, "outlets_with_orders": 2, "listed_with_orders": 2, "listed_without_orders": 1,
        "reach": fair.reach, "top5_share": 1.0, "hhi": fair.hhi, "total": 400 * MILLION}
    assert fair.hhi == 6250  # 75² + 25²
    assert body["listed_without_orders"] == [{"outlet_id": dki["sepi"].pk, "name": "Suara Sepi"}]


def test_a_year_with_the_policy_off(client, dki):
    body = client.get(detail_url("kominfotik-uji", 2018)).json()
    assert body["spending_allowed"] is False
    assert body["policy_reference"] == "Ingub 7/2018"
    assert body["policy_note"] == "Tidak ada kerja sama media berbayar tahun ini."
    assert body["outlets"] == [] and body["revisions"] == []
    assert body["fair_distribution"]["total"] == 0 and body["fair_distribution"]["hhi"] is None


def test_unknown_agency_or_year_is_a_404(client, dki):
    for url in (detail_url("tidak-ada", 2026), detail_url("kominfotik-uji", 2019),
                detail_url("kominfotik-uji", 99999999999999), f"{TRANSPARENCY}kominfotik-uji/dua-ribu/",
                f"{TRANSPARENCY}kominfotik-uji/", detail_url("kominfotik-uji", -2026),
                detail_url("kominfotik uji", 2026), f"{TRANSPARENCY}kominfotik-uji/%C2%B2%C2%B2/"):
        response = client.get(url, **EN)
        assert response.status_code == 404, url
        if url != f"{TRANSPARENCY}kominfotik-uji/":  # that one is no address of the API at all
            assert response.json() == {"detail": "Not found."}, url


def test_a_money_change_shows_at_once(client, dki, django_assert_num_queries):
    url = detail_url("kominfotik-uji", 2026)
    assert client.get(url).json()["paid_amount"] == 300 * MILLION
    client.get(TRANSPARENCY)
    # Served from the cache: the one query is the budgets' digest, whatever the number of orders.
    with django_assert_num_queries(1):
        assert client.get(url).json()["paid_amount"] == 300 * MILLION
    with django_assert_num_queries(1):
        assert client.get(TRANSPARENCY).status_code == 200

    order = MediaOrder.objects.get(outlet=dki["warta"], status="committed")
    pay(order, paid_on=datetime.date(2026, 11, 2))
    body = client.get(url).json()
    assert body["paid_amount"] == 400 * MILLION
    assert body["months"][10]["paid"] == 100 * MILLION
    assert client.get(TRANSPARENCY, {"year": 2026}).json()["results"][0]["paid_amount"] == 400 * MILLION

    services.budget_revise(dki["budget"], amount_after=4_500_000_000, reason=RevisionReason.AMENDMENT,
                           reference="Perda APBD-P 5/2026", revised_on=datetime.date(2026, 9, 30))
    assert [r["reference"] for r in client.get(url).json()["revisions"]] == ["DPPA 12/2026", "Perda APBD-P 5/2026"]


def test_a_listing_change_shows_within_the_cache_lifetime(client, dki):
    url = detail_url("kominfotik-uji", 2026)
    assert client.get(url).json()["fair_distribution"]["listed_outlets"] == 3
    listed_eligible_outlet("Baru Tampil", since=timezone.now() - datetime.timedelta(days=1))
    assert client.get(url).json()["fair_distribution"]["listed_outlets"] == 3
    with later():
        assert client.get(url).json()["fair_distribution"]["listed_outlets"] == 4


def test_a_year_runs_a_fixed_number_of_queries_whatever_the_orders(client, dki, django_assert_num_queries):
    """The digest, the budget, its revisions, three for the months, one for the spend outside the e-catalog by
    kind and three for fair distribution."""
    with django_assert_num_queries(10):
        assert client.get(detail_url("kominfotik-uji", 2026)).status_code == 200
    for number in range(5):
        place(dki["budget"], approved_price(listed_eligible_outlet(f"Lagi {number}"), unit_price=MILLION))
    with later(), django_assert_num_queries(10):
        assert len(client.get(detail_url("kominfotik-uji", 2026)).json()["outlets"]) == 7


def test_a_transparency_page_runs_the_same_queries_whatever_its_size(client, django_assert_num_queries):
    for number in range(4):
        agency = make_agency(f"Dinas Uji {number}", slug=f"dinas-uji-{number}")
        for year in range(2000, 2026):
            make_budget(agency, year=year, amount=MILLION)
    # The digest and the page.
    with django_assert_num_queries(2):
        assert len(client.get(TRANSPARENCY, {"page_size": 1}).json()["results"]) == 1
    with django_assert_num_queries(2):
        body = client.get(TRANSPARENCY, {"page_size": 100}).json()
    assert len(body["results"]) == 100
    assert body["results"][0]["agency"]["slug"] == "dinas-uji-0" and body["results"][0]["year"] == 2000
    assert client.get(body["next"]).json()["results"][-1]["year"] == 2025


def test_transparency_in_both_languages(client, dki):
    url = detail_url("kominfotik-uji", 2026)
    assert client.get(url).json()["revisions"][0]["reason_label"] == "Refocusing dan realokasi"
    assert client.get(url, **EN).json()["revisions"][0]["reason_label"] == "Refocusing and reallocation"


# --- who may read, throttling ---------------------------------------------------------------------------


def test_everyone_gets_the_same_public_data(dki, auditor):
    """Anonymous, a reviewer, a budget officer of this agency and of another, an auditor, a superuser, a token:
    the same answers (the open data is not scoped to an agency)."""
    listed_outlet("Kabar Lain", domain="kabarlain.id")
    urls = [CATALOG, f"{CATALOG}{dki['kabar'].pk}/", TRANSPARENCY, detail_url("kominfotik-uji", 2026)]
    anonymous = Client()
    expected = [anonymous.get(url).json() for url in urls]
    people = [StaffUserFactory(groups=["Verifikator"]), dki["officer"], budget_officer(make_agency()), auditor,
              UserFactory(is_staff=True, is_superuser=True), UserFactory()]
    for person in people:
        signed_in = Client()
        signed_in.force_login(person)
        assert [signed_in.get(url).json() for url in urls] == expected, person
    _, key = token_create(user=dki["officer"], name="Sistem keuangan", created_by=dki["officer"])
    assert [Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").json() for url in urls] == expected
    assert Client().get(CATALOG, HTTP_AUTHORIZATION="Token salah").status_code == 401  # a bad token is still refused


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "public": "3/minute"}}


def test_the_default_public_rate():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"] == "60/minute"


def test_a_burst_from_one_address_is_throttled(client, several, three_a_minute):
    urls = [CATALOG, f"{CATALOG}{several['kabar'].pk}/", TRANSPARENCY]  # cached or not, each counts
    for url in urls:
        assert client.get(url).status_code == 200
    refused = client.get(CATALOG, **EN)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert client.get(CATALOG, REMOTE_ADDR="198.51.100.7").status_code == 200  # another address
    with later(61):
        assert client.get(CATALOG).status_code == 200


def test_signed_in_people_count_against_their_own_rate(client, several, three_a_minute):
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    for _ in range(5):
        assert client.get(CATALOG).status_code == 200


# --- no personal data --------------------------------------------------------------------------------


def crawl(client, url: str, pages: list) -> None:
    """Every page of a list and every row's own answer (its url)."""
    while url:
        response = client.get(url, {"page_size": 100} if "?" not in url else None)
        assert response.status_code == 200, url
        body = response.json()
        pages.append(body)
        for row in body["results"]:
            detail = client.get(row["url"])
            assert detail.status_code == 200, row["url"]
            pages.append(detail.json())
        url = body["next"]


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return [value] if isinstance(value, str) else []


def personal_values() -> tuple[set[str], set[str]]:
    """Every person's name, contact, tax and identity number and every file name the data holds: the log-in
    names (ordinary words in the demo: "anggaran", "auditor") as whole values, the rest anywhere in the text."""
    logins, values = set(), set()
    for user in get_user_model().objects.all():
        logins.add(user.username)
        values |= {user.email, user.get_full_name()}
    for outlet in MediaOutlet.objects.all():
        values |= {outlet.person_in_charge, outlet.editor_in_chief, outlet.email, outlet.phone,
                   outlet.editor_certificate_no}
    for company in PressCompany.objects.all():
        values |= {company.npwp, company.npwp_display, company.nib, company.email, company.phone, company.address}
    for document in Document.objects.all():
        values |= {document.file.name, document.original_filename, document.number}
    for order in MediaOrder.objects.all():
        values |= {order.proof_file.name if order.proof_file else "", order.proof_original_filename}
    for application in Application.objects.all():
        values |= {application.applicant_email, str(application.client_ip or ""), application.code}
    return logins, {value.strip() for value in values if value and len(value.strip()) >= 4}


def test_no_personal_value_in_any_answer_over_the_demo_data(client, settings):
    """The demo register (seed_demo: outlets with people in charge and contacts, companies with NPWP, documents,
    budgets, revisions and orders with proofs), plus a named budget officer who revised a budget and placed and
    paid an order: every page and every row of both endpoints, searched for every personal value."""
    settings.DEBUG = True  # the demo's staff logins are made only with DEBUG on
    with time_machine.travel(datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    budget = Budget.objects.get(agency__slug="kominfotik-dki", year=2026)
    officer = budget_officer(make_agency(), "bambang.p", first_name="Bambang", last_name="Pamungkas",
                             email="bambang.pamungkas@kominfo.example.go.id")
    AgencyStaff.objects.filter(user=officer).update(agency=budget.agency)
    services.budget_revise(budget, amount_after=budget.current_amount + MILLION, reason=RevisionReason.AMENDMENT,
                           reference="Perda 9/2026", revised_on=datetime.date(2026, 11, 2), user=officer)
    outlet = listed_eligible_outlet("Kabar Pribadi")
    pay(place(budget, approved_price(outlet, unit_price=MILLION), user=officer), paid_on=datetime.date(2026, 11, 20),
        user=officer)
    assert MediaOutlet.objects.exclude(person_in_charge="").exists()
    assert PressCompany.objects.exclude(npwp="").exists() and Document.objects.exists()
    assert MediaOrder.objects.exclude(proof_original_filename="").exists()

    pages: list = []
    crawl(client, CATALOG, pages)
    crawl(client, TRANSPARENCY, pages)
    assert len(pages) > 20
    assert "Kabar Pribadi" in json.dumps(pages)  # the officer's order was read

    logins, values = personal_values()
    assert {"bambang.p", "anggaran", "Bambang Pamungkas"} <= logins | values
    text = json.dumps(pages, ensure_ascii=False)
    assert logins.isdisjoint(strings_in(pages))
    found = [value for value in values
             if re.search(rf"(?<![\w@.]){re.escape(value)}(?![\w@])", text, flags=re.IGNORECASE)]
    assert found == []
    digits = re.sub(r"\D", "", text)
    for company in PressCompany.objects.exclude(npwp=""):
        assert re.sub(r"\D", "", company.npwp) not in digits, company.npwp  # in any format
    assert "@" not in text
    assert "/documents/" not in text and ".pdf" not in text.lower() and ".png" not in text.lower()


# --- the content security policy ------------------------------------------------------------------


def test_json_answers_carry_the_policy_and_nothing_to_run(client, several):
    """The CSP middleware adds the site's policy to API answers too; a JSON body has no markup a browser would
    run, so it needs nothing from the policy."""
    for url in (CATALOG, f"{CATALOG}{several['kabar'].pk}/", TRANSPARENCY, f"{CATALOG}999/"):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert directives(response["Content-Security-Policy"]) == directives(POLICY), url
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        json.loads(response.content)


def test_the_api_front_page_lists_both(client):
    endpoints = client.get("/api/v1/").json()["endpoints"]
    assert endpoints["catalog"] == f"http://testserver{CATALOG}"
    assert endpoints["transparency"] == f"http://testserver{TRANSPARENCY}"
