"""The budgets' panels on the staff home (budgets/home.py): media orders waiting for proof of publication
and proof waiting for review, per agency, each figure linked to the order list filtered to its rows, at a
fixed number of queries. On the pinned ordinary day (Thursday 26 November 2026)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import selectors, services
from budgets.admin.filters import WaitingForProofFilter
from budgets.home import staff_home_panels
from budgets.models import MediaOrder
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    publish,
)
from tests.factories import StaffUserFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
ENDED = datetime.date(2026, 9, 20)
LATER = datetime.date(2026, 12, 10)


@pytest.fixture
def world():
    """The province: an order whose service ended without proof, one whose proof was rejected, one whose
    proof waits for review and one still running. The regency: an order whose service ended without proof."""
    province, regency = make_agency("Dinas Provinsi Uji"), make_agency("Dinas Kabupaten Uji")
    outlet = listed_eligible_outlet("Portal Uji Dua")
    price = approved_price(outlet)
    budget, other = make_budget(province), make_budget(regency)
    staff = UserFactory(username="super", is_staff=True, is_superuser=True)
    # Placed first: once the proofs of the others are overdue (from 22 September) the outlet gets no new order
    # from the province (the proof deadline control).
    running = place(budget, price, order_date=datetime.date(2026, 11, 20), service_end=LATER)
    rejected = publish(place(budget, price, service_end=datetime.date(2026, 9, 25)))
    return {
        "officer": budget_officer(province), "other_officer": budget_officer(regency), "superuser": staff,
        "no_proof": place(budget, price, service_end=ENDED),
        "rejected": services.order_review_proof(rejected, accept=False, user=staff, reason="Tautan tidak terbuka"),
        "review": publish(place(budget, price)),
        "running": running,
        "other_no_proof": place(other, price, service_end=ENDED),
        "budget": budget, "price": price,
    }


def panels(user) -> dict:
    return {panel["id"]: panel for panel in staff_home_panels(user, TODAY)}


def test_the_panels_count_each_agencys_orders(world, auditor):
    officer = panels(world["officer"])
    assert officer["home-orders-waiting-proof"]["count"] == 2
    assert [o.pk for o in officer["home-orders-waiting-proof"]["rows"]] == [world["no_proof"].pk,
                                                                          world["rejected"].pk]
    assert officer["home-orders-waiting-proof"]["rows"][0].days_waiting == 67
    assert officer["home-proofs-waiting-review"]["count"] == 1
    assert [o.pk for o in officer["home-proofs-waiting-review"]["rows"]] == [world["review"].pk]

    other = panels(world["other_officer"])
    assert (other["home-orders-waiting-proof"]["count"], other["home-proofs-waiting-review"]["count"]) == (1, 0)
    every = panels(auditor)
    assert (every["home-orders-waiting-proof"]["count"], every["home-proofs-waiting-review"]["count"]) == (3, 1)
    assert every["home-orders-waiting-proof"]["show_agency"] and not officer["home-orders-waiting-proof"]["show_agency"]


def test_the_panels_are_only_for_staff_who_may_see_orders(world):
    assert panels(StaffUserFactory(groups=["Verifikator"])) == {}


def figure_count(html: str, panel: str) -> int:
    section = html.split(f'id="{panel}"')[1].split("</section>")[0]
    return int(re.search(r'class="home-figure"[^>]*><strong>(\d+)</strong>', section).group(1))


def test_the_home_shows_the_panels(client, english, world):
    client.force_login(world["officer"])
    html = client.get("/admin/").content.decode()
    assert figure_count(html, "home-orders-waiting-proof") == 2
    assert figure_count(html, "home-proofs-waiting-review") == 1
    waiting = html.split('id="home-orders-waiting-proof"')[1].split("</section>")[0]
    assert "Portal Uji Dua" in waiting and "67 days" in waiting and "proof rejected" in waiting
    client.force_login(StaffUserFactory(groups=["Verifikator"]))
    assert "home-orders-waiting-proof" not in client.get("/admin/").content.decode()


def test_the_links_name_the_order_lists_filters(world):
    found = panels(world["officer"])
    if MediaOrder not in admin.site._registry:
        # Without the order list (budgets/admin/orders.py) the figures are shown without a link.
        assert found["home-orders-waiting-proof"]["url"] == "" and found["home-proofs-waiting-review"]["url"] == ""
        return
    assert found["home-orders-waiting-proof"]["url"] == "/admin/budgets/mediaorder/?waiting=proof"
    assert found["home-proofs-waiting-review"]["url"] == (
        "/admin/budgets/mediaorder/?status__exact=published&proof_status__exact=pending")


@pytest.mark.parametrize("role", ["officer", "other_officer", "superuser"])
def test_each_figure_links_to_exactly_its_orders(client, world, role):
    if MediaOrder not in admin.site._registry:
        pytest.skip("the media order list (budgets/admin/orders.py) is not registered on this branch")
    user = world[role]
    client.force_login(user)
    for panel in panels(user).values():
        response = client.get(panel["url"])
        assert response.status_code == 200, panel["url"]
        assert response.context["cl"].result_count == panel["count"], panel["id"]


def waiting_filter(user, value: str):
    request = type("Request", (), {"user": user, "GET": {}})()
    model_admin = admin.ModelAdmin(MediaOrder, admin.site)
    chosen = WaitingForProofFilter(request, {"waiting": [value]}, MediaOrder, model_admin)
    return set(chosen.queryset(request, MediaOrder.objects.all()).values_list("pk", flat=True))


def test_the_order_lists_filter_reads_the_same_selectors(world, auditor):
    officer = world["officer"]
    assert waiting_filter(officer, "proof") == {world["no_proof"].pk, world["rejected"].pk}
    assert waiting_filter(officer, "review") == {world["review"].pk}
    assert waiting_filter(auditor, "proof") == set(
        selectors.orders_waiting_for_proof(auditor, TODAY).values_list("pk", flat=True))
    assert world["other_no_proof"].pk in waiting_filter(auditor, "proof")


def home_queries(client, user) -> int:
    client.force_login(user)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["officer", "superuser"])
def test_the_panels_run_the_same_queries_for_few_and_many_orders(client, world, role):
    few = home_queries(client, world[role])
    for _n in range(30):
        place(world["budget"], world["price"], service_end=ENDED)
        publish(place(world["budget"], world["price"]))
    assert home_queries(client, world[role]) == few
    assert panels(world[role])["home-proofs-waiting-review"]["count"] == 31
