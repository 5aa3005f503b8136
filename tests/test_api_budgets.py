"""The budgets API's reads (budgets/api.py): agencies, budgets with their figures and revisions, the price list
and media orders, each filter, who sees what (a budget officer their own agency, auditors and superusers
every agency, everyone else nothing), and a fixed number of queries per page whatever its size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import services
from budgets.models import ProductKind, RevisionReason
from tests.budget_helpers import (
    ORDER_DAY,
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    pay,
    place,
    publish,
)
from tests.factories import StaffUserFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
LISTS = ["agencies", "budgets", "price-items", "orders"]


@pytest.fixture
def world():
    """Two agencies with a budget officer each; budgets, revisions, prices and orders of both."""
    banjar = make_agency("Dinas Kominfo Kabupaten Banjar", slug="banjar", kind="regency")
    dki = make_agency("Dinas Kominfotik Provinsi DKI Jakarta", slug="dki")
    martapura = listed_eligible_outlet("Kabar Martapura")
    jakarta = listed_eligible_outlet("Warta Jakarta")
    advertorial = approved_price(martapura, unit_price=10_000_000, name="Advertorial 600 kata")
    video = approved_price(jakarta, unit_price=5_000_000, kind=ProductKind.VIDEO, name="Video 60 detik")
    old_banner = approved_price(jakarta, unit_price=2_000_000, kind=ProductKind.BANNER, name="Banner lama",
                                valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2026, 6, 30))
    waiting = services.price_submit(martapura, kind=ProductKind.BANNER, name="Banner 300x250", unit_price=3_000_000,
                                    valid_from=datetime.date(2026, 10, 1), unit="hari")
    superuser = StaffUserFactory(is_superuser=True, username="admin.api")
    banjar_2026 = make_budget(banjar, year=2026, amount=1_000_000_000)
    services.budget_revise(banjar_2026, amount_after=800_000_000, reason=RevisionReason.REFOCUSING,
                           reference="Perbup 12/2026", revised_on=datetime.date(2026, 5, 2), note="Refocusing",
                           user=superuser)
    banjar_2025 = make_budget(banjar, year=2025, amount=500_000_000)
    dki_2026 = make_budget(dki, year=2026, amount=5_000_000_000)
    committed = place(banjar_2026, advertorial, quantity=2, user=superuser, ecatalog_reference="EPURCH-1")
    paid = pay(place(banjar_2026, video, order_date=datetime.date(2026, 10, 1), user=superuser),
               paid_on=datetime.date(2026, 10, 20), user=superuser, reference="SP2D-77")
    cancelled = services.order_cancel(place(banjar_2026, advertorial, user=superuser,
                                            order_date=datetime.date(2026, 9, 20)),
                                      reason="Salah media", user=superuser, today=TODAY)
    dki_order = publish(place(dki_2026, video, quantity=3, user=superuser, order_date=datetime.date(2026, 11, 2)),
                        user=superuser)
    return {
        "banjar": banjar, "dki": dki, "martapura": martapura, "jakarta": jakarta, "advertorial": advertorial,
        "video": video, "old_banner": old_banner, "waiting": waiting, "banjar_2026": banjar_2026,
        "banjar_2025": banjar_2025, "dki_2026": dki_2026, "committed": committed, "paid": paid,
        "cancelled": cancelled, "dki_order": dki_order, "superuser": superuser,
        "officer_banjar": budget_officer(banjar, "anggaran.banjar"),
        "officer_dki": budget_officer(dki, "anggaran.dki"),
        "auditor": StaffUserFactory(username="auditor.api", groups=["Auditor"]),
        "reviewer": StaffUserFactory(username="verifikator.api", groups=["Verifikator"]),
    }


def get(client, user, url, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def rows(client, user, name, **params) -> list[dict]:
    response = get(client, user, f"/api/v1/{name}/", **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(client, user, name, **params) -> list[int]:
    return [row["id"] for row in rows(client, user, name, **params)]


def detail_urls(w) -> list[str]:
    return [f"/api/v1/agencies/{w['dki'].pk}/", f"/api/v1/budgets/{w['dki_2026'].pk}/",
            f"/api/v1/price-items/{w['video'].pk}/", f"/api/v1/orders/{w['dki_order'].pk}/"]


# --- who reads what -----------------------------------------------------------------------------------------

def test_an_anonymous_visitor_is_asked_to_sign_in(client, world):
    for url in [f"/api/v1/{name}/" for name in LISTS] + detail_urls(world):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert "Warta Jakarta" not in response.content.decode()


def test_a_reviewer_or_staff_without_budget_permissions_reads_nothing(client, world):
    for user in (world["reviewer"], StaffUserFactory()):
        for url in [f"/api/v1/{name}/" for name in LISTS] + detail_urls(world):
            response = get(client, user, url)
            assert response.status_code == 403, (user, url)
            assert "Warta Jakarta" not in response.content.decode()


def test_a_budget_officer_sees_their_own_agency_only(client, world):
    w = world
    for officer, own, other in ((w["officer_banjar"], "banjar", "dki"), (w["officer_dki"], "dki", "banjar")):
        assert ids(client, officer, "agencies") == [w[own].pk]
        assert {row["agency"] for row in rows(client, officer, "budgets")} == {w[own].pk}
        assert {row["agency"] for row in rows(client, officer, "orders")} == {w[own].pk}
        # Other agencies' figures are not there even when asked for.
        assert ids(client, officer, "budgets", agency=w[other].pk) == []
        assert ids(client, officer, "orders", agency=w[other].pk) == []
    # The price list is shared by every agency, as outlets are.
    assert len(ids(client, w["officer_banjar"], "price-items")) == 4
    assert ids(client, w["officer_dki"], "price-items") == ids(client, w["officer_banjar"], "price-items")


def test_another_agencys_rows_are_not_found(client, world):
    w = world
    officer = w["officer_banjar"]
    for url in (f"/api/v1/agencies/{w['dki'].pk}/", f"/api/v1/budgets/{w['dki_2026'].pk}/",
                f"/api/v1/orders/{w['dki_order'].pk}/"):
        response = get(client, officer, url)
        assert response.status_code == 404, url
        assert "Warta Jakarta" not in response.content.decode()
    assert get(client, officer, f"/api/v1/orders/{w['committed'].pk}/").status_code == 200
    assert get(client, officer, f"/api/v1/price-items/{w['video'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ["auditor", "superuser"])
def test_auditors_and_superusers_see_every_agency(client, world, role):
    w = world
    user = w[role]
    assert ids(client, user, "agencies") == [w["banjar"].pk, w["dki"].pk]  # by name
    assert sorted(ids(client, user, "budgets")) == sorted(
        [w["banjar_2026"].pk, w["banjar_2025"].pk, w["dki_2026"].pk])
    assert sorted(ids(client, user, "orders")) == sorted(
        w[name].pk for name in ("committed", "paid", "cancelled", "dki_order"))
    for url in detail_urls(w):
        assert get(client, user, url).status_code == 200, url


def test_a_user_with_the_view_permissions_but_no_agency_sees_no_agencys_rows(client, world):
    user = UserFactory(permissions=["budgets.view_agency", "budgets.view_budget", "budgets.view_mediaorder"])
    for name in ("agencies", "budgets", "orders"):
        assert rows(client, user, name) == []


# --- what is read -------------------------------------------------------------------------------------------

def test_an_agency(client, world):
    w = world
    response = get(client, w["officer_banjar"], f"/api/v1/agencies/{w['banjar'].pk}/")
    assert response.json() == {"id": w["banjar"].pk, "name": "Dinas Kominfo Kabupaten Banjar",
                               "short_name": "Dinas Kominfo Kabupaten Banjar", "slug": "banjar", "kind": "regency",
                               "region_code": "", "conflict_handling": "refuse"}
    assert ids(client, w["auditor"], "agencies", kind="regency") == [w["banjar"].pk]
    assert ids(client, w["auditor"], "agencies", kind="province") == [w["dki"].pk]
    response = get(client, w["auditor"], "/api/v1/agencies/", kind="planet")
    assert response.status_code == 400 and "kind" in response.json()


def test_a_budget_with_its_figures_in_whole_rupiah_and_its_revisions(client, world):
    w = world
    budget = get(client, w["officer_banjar"], f"/api/v1/budgets/{w['banjar_2026'].pk}/").json()
    assert {key: budget[key] for key in ("agency", "agency_name", "year", "original_amount", "current_amount",
                                         "ordered_amount", "paid_amount", "committed_amount", "remaining_amount",
                                         "spending_allowed", "account_code")} == {
        "agency": w["banjar"].pk, "agency_name": "Dinas Kominfo Kabupaten Banjar", "year": 2026,
        "original_amount": 1_000_000_000, "current_amount": 800_000_000,
        "ordered_amount": 25_000_000,  # 2 × 10 million committed, 5 million paid; the cancelled one is free again
        "paid_amount": 5_000_000, "committed_amount": 20_000_000, "remaining_amount": 775_000_000,
        "spending_allowed": True, "account_code": "5.1.02.02.01.0055"}
    for key in ("original_amount", "current_amount", "ordered_amount", "paid_amount", "remaining_amount"):
        assert type(budget[key]) is int  # noqa: E721 - whole rupiah, never a float or a string
    [revision] = budget["revisions"]
    assert {key: revision[key] for key in ("amount_before", "amount_after", "reason", "note", "revised_on",
                                           "reference")} == {
        "amount_before": 1_000_000_000, "amount_after": 800_000_000, "reason": "refocusing", "note": "Refocusing",
        "revised_on": "2026-05-02", "reference": "Perbup 12/2026"}
    assert budget["created_at"].endswith("+07:00")  # Asia/Jakarta


def test_budgets_by_agency_and_year(client, world):
    w = world
    auditor = w["auditor"]
    assert ids(client, auditor, "budgets") == [w["banjar_2026"].pk, w["dki_2026"].pk, w["banjar_2025"].pk]
    assert sorted(ids(client, auditor, "budgets", agency=w["banjar"].pk)) == sorted(
        [w["banjar_2026"].pk, w["banjar_2025"].pk])
    assert sorted(ids(client, auditor, "budgets", year=2026)) == sorted([w["banjar_2026"].pk, w["dki_2026"].pk])
    assert ids(client, auditor, "budgets", agency=w["dki"].pk, year=2025) == []
    assert ids(client, auditor, "budgets", agency=999_999) == []
    for bad in ({"year": "2026.5"}, {"agency": "banjar"}):
        response = get(client, auditor, "/api/v1/budgets/", **bad)
        assert response.status_code == 400 and list(response.json()) == list(bad)


def test_the_price_list_and_its_filters(client, world):
    w = world
    user = w["officer_dki"]
    item = get(client, user, f"/api/v1/price-items/{w['advertorial'].pk}/").json()
    assert {key: item[key] for key in ("outlet", "outlet_name", "kind", "description", "unit", "unit_price",
                                       "valid_from", "valid_until", "status", "source")} == {
        "outlet": w["martapura"].pk, "outlet_name": "Kabar Martapura", "kind": "advertorial",
        "description": "Advertorial 600 kata", "unit": "artikel", "unit_price": 10_000_000,
        "valid_from": "2026-01-01", "valid_until": None, "status": "approved", "source": "staff"}
    assert sorted(ids(client, user, "price-items", outlet=w["jakarta"].pk)) == sorted(
        [w["video"].pk, w["old_banner"].pk])
    assert sorted(ids(client, user, "price-items", kind="banner")) == sorted([w["old_banner"].pk, w["waiting"].pk])
    assert ids(client, user, "price-items", status="submitted") == [w["waiting"].pk]
    assert ids(client, user, "price-items", status="rejected") == []
    # Valid on a day: from valid_from to valid_until, both included; no end means until replaced.
    assert sorted(ids(client, user, "price-items", valid_on="2026-06-30")) == sorted(
        [w["advertorial"].pk, w["video"].pk, w["old_banner"].pk])
    assert sorted(ids(client, user, "price-items", valid_on="2026-07-01")) == sorted(
        [w["advertorial"].pk, w["video"].pk])
    assert sorted(ids(client, user, "price-items", valid_on="2026-10-01")) == sorted(
        [w["advertorial"].pk, w["video"].pk, w["waiting"].pk])
    assert ids(client, user, "price-items", valid_on="2025-03-01") == [w["old_banner"].pk]
    assert ids(client, user, "price-items", outlet=w["jakarta"].pk, kind="video", status="approved",
               valid_on="2026-09-01") == [w["video"].pk]
    for bad in ({"valid_on": "2026-02-30"}, {"status": "maybe"}, {"kind": "billboard"}, {"outlet": "x"}):
        response = get(client, user, "/api/v1/price-items/", **bad)
        assert response.status_code == 400 and list(response.json()) == list(bad), bad


def test_an_order_with_its_eligibility_on_the_order_date(client, world):
    w = world
    order = get(client, w["officer_banjar"], f"/api/v1/orders/{w['committed'].pk}/").json()
    assert {key: order[key] for key in (
        "budget", "agency", "agency_name", "year", "outlet", "outlet_name", "price_item", "product_kind",
        "product_description", "unit", "quantity", "unit_price", "amount", "override_reason", "order_date",
        "service_start", "service_end", "ecatalog_reference", "status", "proof_status", "published_url",
        "has_proof_file", "paid_on", "payment_reference", "cancelled_on", "cancel_reason")} == {
        "budget": w["banjar_2026"].pk, "agency": w["banjar"].pk, "agency_name": "Dinas Kominfo Kabupaten Banjar",
        "year": 2026, "outlet": w["martapura"].pk, "outlet_name": "Kabar Martapura", "price_item": w["advertorial"].pk,
        "product_kind": "advertorial", "product_description": "Advertorial 600 kata", "unit": "artikel",
        "quantity": 2, "unit_price": 10_000_000, "amount": 20_000_000, "override_reason": "",
        "order_date": "2026-09-14", "service_start": "2026-09-14", "service_end": "2026-09-21",
        "ecatalog_reference": "EPURCH-1", "status": "committed", "proof_status": "none", "published_url": "",
        "has_proof_file": False, "paid_on": None, "payment_reference": "", "cancelled_on": None, "cancel_reason": ""}
    assert order["request_key"] == str(w["committed"].request_key)
    snapshot = order["eligibility"]
    assert (snapshot["eligible"], snapshot["listing_state"]) == (True, "listed")
    assert snapshot["eligible_since"].startswith("2026-08-17T09:00:00")
    assert snapshot["outcomes"] and all(outcome["passed"] for outcome in snapshot["outcomes"])
    # The stored reasons are given in the request's language.
    client.force_login(w["officer_banjar"])
    english = client.get(f"/api/v1/orders/{w['committed'].pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [o["code"] for o in english["eligibility"]["outcomes"]] == [o["code"] for o in snapshot["outcomes"]]
    assert [o["reason"] for o in english["eligibility"]["outcomes"]] != [o["reason"] for o in snapshot["outcomes"]]

    paid = get(client, w["auditor"], f"/api/v1/orders/{w['paid'].pk}/").json()
    assert {key: paid[key] for key in ("status", "proof_status", "paid_on", "payment_reference", "published_url")} == {
        "status": "paid", "proof_status": "accepted", "paid_on": "2026-10-20", "payment_reference": "SP2D-77",
        "published_url": "https://portal.example/berita/1"}
    cancelled = get(client, w["auditor"], f"/api/v1/orders/{w['cancelled'].pk}/").json()
    assert (cancelled["status"], cancelled["cancelled_on"], cancelled["cancel_reason"]) == (
        "cancelled", "2026-11-26", "Salah media")


def test_orders_by_every_filter(client, world):
    w = world
    user = w["superuser"]

    def order_ids(**params):
        return sorted(ids(client, user, "orders", **params))

    def of(*names):
        return sorted(w[name].pk for name in names)

    everything = of("committed", "paid", "cancelled", "dki_order")
    assert ids(client, user, "orders") == [w[n].pk for n in ("dki_order", "paid", "cancelled", "committed")]
    assert order_ids(budget=w["banjar_2026"].pk) == of("committed", "paid", "cancelled")
    assert order_ids(budget=w["banjar_2025"].pk) == []
    assert order_ids(agency=w["dki"].pk) == of("dki_order")
    assert order_ids(outlet=w["jakarta"].pk) == of("paid", "dki_order")
    assert order_ids(status="committed") == of("committed")
    assert order_ids(status="published") == of("dki_order")
    assert order_ids(status="paid") == of("paid")
    assert order_ids(status="cancelled") == of("cancelled")
    assert order_ids(year=2026) == everything
    assert order_ids(year=2025) == []
    assert order_ids(kind="video") == of("paid", "dki_order")
    assert order_ids(proof="none") == of("committed", "cancelled")
    assert order_ids(proof="pending") == of("dki_order")
    assert order_ids(proof="accepted") == of("paid")
    assert order_ids(proof="rejected") == []
    assert order_ids(order_date_from="2026-09-20") == of("paid", "cancelled", "dki_order")
    assert order_ids(order_date_until="2026-09-20") == of("committed", "cancelled")
    assert order_ids(order_date_from="2026-09-15", order_date_until="2026-10-01") == of("paid", "cancelled")
    assert order_ids(agency=w["banjar"].pk, outlet=w["martapura"].pk, status="committed", year=2026,
                     kind="advertorial", proof="none", order_date_from=ORDER_DAY.isoformat(),
                     order_date_until=ORDER_DAY.isoformat()) == of("committed")
    for bad in ({"status": "lost"}, {"proof": "maybe"}, {"order_date_from": "kemarin"}, {"year": "dua"},
                {"budget": "1.5"}):
        response = get(client, user, "/api/v1/orders/", **bad)
        assert response.status_code == 400 and list(response.json()) == list(bad), bad


def test_cursor_pages_walk_every_order_once(client, world):
    client.force_login(world["superuser"])
    seen, url = [], "/api/v1/orders/?page_size=1"
    while url:
        page = client.get(url).json()
        assert set(page) == {"next", "previous", "results"}
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == ids(client, world["superuser"], "orders")
    response = get(client, world["superuser"], "/api/v1/orders/", page_size=100)
    assert len(response.json()["results"]) == 4  # at most 100 a page; here all there is
    response = get(client, world["superuser"], "/api/v1/orders/", page_size=1000)
    assert response.status_code == 400 and list(response.json()) == ["page_size"]  # said, not silently cut


# --- a fixed number of queries per page --------------------------------------------------------------------

def hundred_agencies(agency):
    for _n in range(100):
        make_agency()


def hundred_budgets(agency):
    superuser = StaffUserFactory(is_superuser=True)
    for year in range(2001, 2101):
        budget = make_budget(agency, year=year, amount=1_000_000)
        services.budget_revise(budget, amount_after=900_000, reason=RevisionReason.CORRECTION, reference="Koreksi",
                               revised_on=datetime.date(year, 3, 1), user=superuser)


def hundred_prices(agency):
    outlet = listed_eligible_outlet()
    for n in range(100):
        services.price_submit(outlet, kind=ProductKind.BANNER, name=f"Banner {n}", unit_price=1_000_000 + n,
                              valid_from=datetime.date(2026, 1, 1))


def hundred_orders(agency):
    budget = make_budget(agency, amount=10_000_000_000)
    price = approved_price(listed_eligible_outlet(), unit_price=1_000_000)
    superuser = StaffUserFactory(is_superuser=True)
    for n in range(100):
        # Running to late November: no proof is overdue when the next order is placed.
        place(budget, price, user=superuser, order_date=ORDER_DAY + datetime.timedelta(days=n % 30),
              service_end=SERVICE_UNTIL)


@pytest.mark.parametrize(("name", "build"), [("agencies", hundred_agencies), ("budgets", hundred_budgets),
                                             ("price-items", hundred_prices), ("orders", hundred_orders)])
def test_a_page_of_1_or_100_rows_costs_the_same_queries(client, name, build, django_assert_num_queries):
    agency = make_agency()
    build(agency)
    # An auditor sees every agency: for agencies that is the 100 built and the auditor's page covers them.
    user = StaffUserFactory(groups=["Auditor"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as one:
        response = client.get(f"/api/v1/{name}/", {"page_size": 1})
    assert len(response.json()["results"]) == 1
    with django_assert_num_queries(len(one)):
        response = client.get(f"/api/v1/{name}/", {"page_size": 100})
    assert len(response.json()["results"]) == 100
    # A budget officer's page (scoped to their agency) costs the same whatever its size too.
    officer = budget_officer(agency)
    client.force_login(officer)
    if name == "agencies":
        return  # an officer sees one agency: their own
    with CaptureQueriesContext(connection) as one:
        response = client.get(f"/api/v1/{name}/", {"page_size": 1})
    assert len(response.json()["results"]) == 1
    with django_assert_num_queries(len(one)):
        response = client.get(f"/api/v1/{name}/", {"page_size": 100})
    assert len(response.json()["results"]) == 100
    print(f"{name}: {len(one)} queries a page")  # noqa: T201 - the figure quoted in the report
