"""Fair-distribution quotas (budgets.controls.quota; docs/domain.md "Fair-distribution quotas"): per budget and
media type, at most a share of the budget and/or a number of orders per outlet in the year. An order that
would break one is refused with the same reason in the service, the admin and the API; the staff home shows
the outlets nearing their quota and the listed outlets that received nothing; the exceptions report lists
outlets over a quota. Fixed queries throughout."""

from __future__ import annotations

import datetime
import html
import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from budgets import services
from budgets.home_distribution import staff_home_panels
from budgets.models import MediaOrder, OutletQuota
from budgets.services import BudgetRefused
from mediareg.api.tokens import token_create
from partners.models import MediaType
from tests.budget_helpers import (
    ORDER_DAY,
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
)
from tests.factories import StaffUserFactory
from tests.test_reports_budgets import codes, findings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
ADD = reverse("admin:budgets_mediaorder_add")

ORDERS_REFUSAL = ("Kabar Bengkulu would break the quota of Dinas Kominfo Bengkulu Selatan 2026 for Online (siber) "
                  "outlets: at most 2 orders per outlet. It has 2 orders this year; this order would make 3.")
SHARE_REFUSAL = ("Kabar Bengkulu would break the quota of Dinas Kominfo Bengkulu Selatan 2026 for Online (siber) "
                 "outlets: at most 10.00 % of the budget (Rp 10.000.000) per outlet. It has received Rp 10.000.000 "
                 "(10.00 %) this year; this order of Rp 1.000.000 would make Rp 11.000.000 (11.00 %).")


@pytest.fixture
def world():
    """Bengkulu Selatan: a budget of Rp 100 juta, an online outlet with a Rp 1 juta item."""
    agency = make_agency("Dinas Kominfo Bengkulu Selatan", slug="bengkulu-selatan")
    budget = make_budget(agency, amount=100_000_000)
    outlet = listed_eligible_outlet("Kabar Bengkulu")
    return {"agency": agency, "budget": budget, "officer": budget_officer(agency, "anggaran.bs"), "outlet": outlet,
            "price": approved_price(outlet, unit_price=1_000_000, name="Berita online")}


def set_quota(budget, *, user=None, share=None, orders=None, media_type=MediaType.ONLINE, factor="1.50"):
    return services.budget_set_controls(budget, price_comparison_factor=Decimal(factor), user=user,
                                        quotas={media_type: (share, orders)})


# --- the control ---------------------------------------------------------------------------------------------

@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


def test_the_order_at_the_limit_is_placed_and_the_next_refused_with_the_reason(world, in_english):
    budget, price = world["budget"], world["price"]
    set_quota(budget, orders=2)
    place(budget, price)
    place(budget, price)  # the second: at the limit, allowed
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price)
    assert (refused.value.code, refused.value.messages) == ("quota_orders", [ORDERS_REFUSAL])
    budget.refresh_from_db()
    assert (budget.ordered_amount, MediaOrder.objects.count()) == (2_000_000, 2)


def test_a_cancelled_order_frees_its_place(world):
    budget, price = world["budget"], world["price"]
    set_quota(budget, orders=1)
    services.order_cancel(place(budget, price), reason="Batal", today=TODAY)
    assert place(budget, price).pk


def test_the_share_of_the_budget_counts_the_amount_after_this_order(world, in_english):
    budget, price = world["budget"], world["price"]
    set_quota(budget, share=Decimal("10"))
    place(budget, price, quantity=10)  # exactly 10 % of Rp 100 juta: allowed
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price)
    assert (refused.value.code, refused.value.messages) == ("quota_share", [SHARE_REFUSAL])


def test_other_media_types_agencies_and_outlets_are_not_limited(world):
    budget, price = world["budget"], world["price"]
    set_quota(budget, orders=1, media_type=MediaType.PRINT)
    place(budget, price)
    place(budget, price)  # online: no quota
    set_quota(budget, orders=1)
    other_budget = make_budget(make_agency("Dinas Lain"), amount=100_000_000)
    place(other_budget, price)  # another agency's orders count for its own budget only
    place(budget, approved_price(listed_eligible_outlet("Portal Lain"), unit_price=1_000_000))
    with pytest.raises(BudgetRefused):
        place(budget, price)


@pytest.mark.parametrize(("share", "orders", "code"), [
    ("0", None, "quota_share_invalid"), ("100.5", None, "quota_share_invalid"), ("1.234", None, "quota_share_invalid"),
    (None, "0", "quota_orders_invalid"), (None, "1.5", "quota_orders_invalid")])
def test_a_quota_out_of_range_is_refused(world, share, orders, code):
    with pytest.raises(BudgetRefused) as refused:
        set_quota(world["budget"], share=share, orders=orders)
    assert refused.value.code == code and not OutletQuota.objects.exists()


def test_the_factor_is_at_least_one_and_quotas_are_replaced_as_a_whole(world):
    with pytest.raises(BudgetRefused) as refused:
        set_quota(world["budget"], orders=3, factor="0.90")
    assert refused.value.code == "factor_invalid"
    set_quota(world["budget"], orders=3, factor="2")
    set_quota(world["budget"], share="5", media_type=MediaType.PRINT, factor="2")
    assert list(OutletQuota.objects.values_list("media_type", "max_share_percent", "max_orders")) == [
        ("print", Decimal("5.00"), None)]
    other = budget_officer(make_agency("Dinas Lain"))
    with pytest.raises(BudgetRefused):
        set_quota(world["budget"], orders=3, user=other)


# --- the admin and the API: the same reason ----------------------------------------------------------------

def form_data(budget, price):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": "1", "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21", "ecatalog_reference": "",
            "description": "", "amount": "", "override_reason": "", "comparison_reason": "",
            "placement_key": str(uuid.uuid4())}


def api_headers(user):
    _token, key = token_create(user=user, name="Sistem", created_by=user)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_admin_form_and_the_api_refuse_with_the_services_reason(client, english, world):
    budget, price, officer = world["budget"], world["price"], world["officer"]
    set_quota(budget, orders=2)
    # Services running to late November: no proof is overdue on the day the form is sent (the overdue control).
    place(budget, price, service_end=SERVICE_UNTIL)
    place(budget, price, service_end=SERVICE_UNTIL)
    client.force_login(officer)
    response = client.post(ADD, form_data(budget, price))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert list(errors) == [ORDERS_REFUSAL]
    assert ORDERS_REFUSAL in html.unescape(response.content.decode())
    body = {"budget": budget.pk, "price_item": price.pk, "quantity": 1, "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21"}
    answer = client.post("/api/v1/orders/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                         **api_headers(officer))
    assert answer.status_code == 400 and answer.json() == {"non_field_errors": [ORDERS_REFUSAL]}
    assert MediaOrder.objects.count() == 2


def test_the_budget_page_shows_and_its_own_page_sets_the_factor_and_quotas(client, english, world):
    budget, officer = world["budget"], world["officer"]
    client.force_login(officer)
    url = reverse("admin:budgets_budget_controls", args=[budget.pk])
    data = {"price_comparison_factor": "2.00", "share_online": "12.5", "orders_online": "8", "share_print": "",
            "orders_print": "", "share_television": "", "orders_television": "", "share_radio": "",
            "orders_radio": "4"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    budget.refresh_from_db()
    assert budget.price_comparison_factor == Decimal("2.00")
    assert sorted(OutletQuota.objects.values_list("media_type", "max_share_percent", "max_orders")) == [
        ("online", Decimal("12.50"), 8), ("radio", None, 4)]
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", client.get(response.url).content.decode())).split())
    assert "Online (siber): at most 12.50 % of the budget (Rp 12.500.000); at most 8 orders" in page
    assert "Radio: at most 4 orders" in page
    # Another agency's officer may not.
    client.force_login(budget_officer(make_agency("Dinas Lain")))
    assert client.post(url, data).status_code == 404


def test_the_api_shows_and_sets_the_factor_and_quotas(client, world):
    budget, officer = world["budget"], world["officer"]
    headers = api_headers(officer)
    response = client.post(f"/api/v1/budgets/{budget.pk}/controls/", {
        "price_comparison_factor": "1.75", "quotas": [{"media_type": "online", "max_orders": 5}]},
        content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert (response.json()["price_comparison_factor"], response.json()["quotas"]) == (
        "1.75", [{"media_type": "online", "max_share_percent": None, "max_orders": 5}])
    refused = client.post(f"/api/v1/budgets/{budget.pk}/controls/", {
        "price_comparison_factor": "1.75", "quotas": [{"media_type": "online", "max_orders": 0}]},
        content_type="application/json", **headers)
    assert refused.status_code == 400
    assert client.get(f"/api/v1/budgets/{budget.pk}/", **headers).json()["quotas"][0]["max_orders"] == 5


# --- the staff home ---------------------------------------------------------------------------------------------

def home_panels(user):
    return {panel["id"]: panel for panel in staff_home_panels(user, TODAY)}


def test_the_staff_home_shows_outlets_nearing_their_quota_and_listed_outlets_without_orders(client, world):
    budget, price, officer = world["budget"], world["price"], world["officer"]
    set_quota(budget, orders=5, share="50")
    near = listed_eligible_outlet("Portal Hampir")
    near_price = approved_price(near, unit_price=1_000_000)
    for _ in range(4):  # 4 of 5 orders: 80 %
        place(budget, near_price)
    place(budget, price, quantity=3)  # 3 of 5 orders, 3 % of the budget: not near
    quiet = listed_eligible_outlet("Radio Sunyi")
    panels = home_panels(officer)
    quota = panels["home-outlets-near-quota"]
    assert quota["count"] == 1 and [row["outlet__name"] for row in quota["rows"]] == ["Portal Hampir"]
    assert (quota["rows"][0]["orders"], quota["rows"][0]["max_orders"]) == (4, 5)
    without = panels["home-outlets-without-orders"]
    assert quiet.name in [row["name"] for row in without["rows"]] and without["count"] == 1
    client.force_login(officer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="home-outlets-near-quota"' in page and "Portal Hampir" in page
    assert 'id="home-outlets-without-orders"' in page and "Radio Sunyi" in page
    # Staff without an agency (an auditor sees every agency's figures elsewhere) get neither panel.
    assert home_panels(StaffUserFactory(groups=["Auditor"])) == {}


def test_the_staff_home_panels_run_the_same_queries_for_few_and_many(world):
    budget, officer = world["budget"], world["officer"]
    set_quota(budget, orders=1)  # one order: at the limit, so near it

    def queries():
        home_panels(officer)  # the officer's agency and permissions, read once per request
        with CaptureQueriesContext(connection) as captured:
            panels = home_panels(officer)
        return len(captured), panels

    outlet = listed_eligible_outlet("Portal 0")
    place(budget, approved_price(outlet, unit_price=1_000_000))
    listed_eligible_outlet("Sunyi 0")
    few, panels = queries()
    assert panels["home-outlets-near-quota"]["count"] == 1
    for n in range(1, 8):
        place(budget, approved_price(listed_eligible_outlet(f"Portal {n}"), unit_price=1_000_000))
        listed_eligible_outlet(f"Sunyi {n}")
    many, panels = queries()
    assert panels["home-outlets-near-quota"]["count"] == 8 and panels["home-outlets-without-orders"]["count"] == 9
    assert many == few == 4  # the quotas' one, the distribution's three


# --- the exceptions report -------------------------------------------------------------------------------------

def test_the_exceptions_report_lists_outlets_over_a_quota_set_later(client, auditor, world):
    budget, price = world["budget"], world["price"]
    for _ in range(3):
        place(budget, price)
    set_quota(budget, orders=2)
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "outlet_over_quota"]
    assert codes(rows) == [("outlet_over_quota", world["outlet"].pk)]
    assert (rows[0]["agency"], rows[0]["amount"], rows[0]["fiscal year"]) == (
        "Dinas Kominfo Bengkulu Selatan", "3000000", "2026")
    assert rows[0]["detail"] == ("3 orders, Rp 3.000.000 (3.00 % of the budget Rp 100.000.000); the quota for "
                                 "Online (siber) outlets: at most 2 orders per outlet.")
    set_quota(budget, orders=3)
    assert not [r for r in findings(client, auditor) if r["check (code)"] == "outlet_over_quota"]


def test_the_quota_check_runs_the_same_queries_for_one_outlet_and_many(client, auditor, world):
    budget = world["budget"]
    outlets = [listed_eligible_outlet(f"Portal {n}") for n in range(6)]
    prices = [approved_price(outlet, unit_price=1_000_000) for outlet in outlets]

    def queries():
        client.force_login(auditor)
        client.get("/reports/exceptions.csv")
        with CaptureQueriesContext(connection) as captured:
            rows = findings(client, auditor)
        return len(captured), [r for r in rows if r["check (code)"] == "outlet_over_quota"]

    place(budget, prices[0])
    place(budget, prices[0])
    set_quota(budget, orders=1)
    one, rows = queries()
    assert len(rows) == 1
    set_quota(budget, orders=None, share=None)
    for price in prices[1:]:
        place(budget, price)
        place(budget, price)
    set_quota(budget, orders=1)
    many, rows = queries()
    assert len(rows) == 6 and many == one


# --- racing orders ------------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_racing_orders_never_break_the_quota():
    """Eight threads order to one outlet at once against a quota of three: the budget row lock counts them one
    after the other, so exactly three are placed and the rest refused by the quota."""
    budget = make_budget(make_agency(), amount=100_000_000)
    price = approved_price(listed_eligible_outlet(), unit_price=1_000_000)
    set_quota(budget, orders=3)
    barrier, outcomes, lock = threading.Barrier(8), [], threading.Lock()

    def run():
        try:
            barrier.wait(30)
            try:
                # The service runs to late November, so no proof is overdue on TODAY (the overdue control).
                services.order_place(budget=budget, price_item=price, quantity=1, order_date=ORDER_DAY,
                                     service_start=ORDER_DAY, service_end=SERVICE_UNTIL, today=TODAY)
                outcome = "placed"
            except BudgetRefused as refusal:
                outcome = refusal.code
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(outcomes) == ["placed"] * 3 + ["quota_orders"] * 5
    assert MediaOrder.objects.filter(budget=budget).count() == 3
