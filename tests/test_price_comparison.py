"""Price comparison across agencies (budgets.comparison, budgets.controls.price_comparison; docs/domain.md
"Price comparison across agencies"): an order whose unit price is more than its budget's factor (1.5 by
default) times the lowest price another agency paid the same outlet for the same kind of product that year is
placed but held for a second approver; the comparison is on the order's page, in the API and in the
exceptions report, each in a fixed number of queries."""

from __future__ import annotations

import datetime
import html
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import comparison, services
from budgets.models import FlagRule, MediaOrder, ProductKind
from budgets.services import BudgetRefused
from mediareg.api.tokens import token_create
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    publish,
)
from tests.factories import StaffUserFactory
from tests.helpers import page_queries
from tests.helpers import text as folded
from tests.test_reports_budgets import codes, findings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
ADD = reverse("admin:budgets_mediaorder_add")


@pytest.fixture
def world():
    """Jepara's finding: Kominfo Jepara paid Warta Jepara Rp 2.000.000 for an advertorial; the Dinas
    Pariwisata is about to order one at Rp 4.995.000 (two products of the same kind at the outlet)."""
    kominfo, pariwisata = make_agency("Dinas Kominfo Jepara", slug="kominfo"), make_agency(
        "Dinas Pariwisata Jepara", slug="pariwisata")
    outlet = listed_eligible_outlet("Warta Jepara")
    cheap = approved_price(outlet, unit_price=2_000_000, name="Advertorial 300 kata")
    dear = approved_price(outlet, unit_price=4_995_000, name="Advertorial 600 kata")
    kominfo_budget, pariwisata_budget = make_budget(kominfo), make_budget(pariwisata)
    kominfo_officer = budget_officer(kominfo, "anggaran.kominfo")
    officer = budget_officer(pariwisata, "anggaran.pariwisata")
    first = place(kominfo_budget, cheap, user=kominfo_officer)
    return {"kominfo": kominfo, "pariwisata": pariwisata, "outlet": outlet, "cheap": cheap, "dear": dear,
            "kominfo_budget": kominfo_budget, "budget": pariwisata_budget, "officer": officer, "first": first}


HELD = ("The unit price Rp 4.995.000 is more than 1.50× the lowest price another agency paid this outlet for the "
        "same product in 2026: Rp 2.000.000 (Dinas Kominfo Jepara, order {order}).")


def flag_of(order):
    return order.flags.filter(rule=FlagRule.PRICE_COMPARISON).first()


# --- the control ---------------------------------------------------------------------------------------------

def test_an_order_far_above_another_agencys_price_is_held_until_a_second_approval(world, english):
    order = place(world["budget"], world["dear"], user=world["officer"],
                  answers={"comparison_reason": "Liputan khusus dua halaman"})
    flag = flag_of(order)
    assert flag is not None and flag.waiting
    assert flag.detail["en"] == HELD.format(order=world["first"].pk)
    assert (flag.reason, flag.raised_by) == ("Liputan khusus dua halaman", world["officer"])
    world["budget"].refresh_from_db()
    assert world["budget"].ordered_amount == 4_995_000  # placed: its amount is committed
    staff = StaffUserFactory(is_superuser=True)
    order = services.order_review_proof(publish(order, user=staff), accept=True, user=staff)
    with pytest.raises(BudgetRefused) as refused:
        services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", user=staff, today=TODAY)
    assert refused.value.code == "flag_waiting"


def test_without_a_reason_the_order_is_still_placed_and_held(world):
    order = place(world["budget"], world["dear"], user=world["officer"])
    assert flag_of(order).reason == "" and flag_of(order).waiting


@pytest.mark.parametrize(("unit_price", "held"), [(3_000_000, False), (3_000_001, True), (2_900_000, False)])
def test_up_to_the_factor_is_not_held(world, unit_price, held):
    price = approved_price(world["outlet"], unit_price=unit_price, name="Advertorial foto")
    order = place(world["budget"], price, user=world["officer"])
    assert (flag_of(order) is not None) is held


def test_the_factor_is_the_budgets(world):
    services.budget_set_controls(world["budget"], price_comparison_factor=Decimal("2.50"), user=world["officer"])
    assert flag_of(place(world["budget"], world["dear"], user=world["officer"])) is None  # 2.4975× ≤ 2.5×


def test_what_is_compared_is_the_effective_price_of_other_agencies_orders_that_stand(world):
    outlet, budget, officer = world["outlet"], world["budget"], world["officer"]
    # The agency's own cheaper order, another kind of product and a cancelled order do not count.
    services.order_cancel(world["first"], reason="Batal", today=TODAY)
    place(budget, world["cheap"], user=officer)
    banner = approved_price(outlet, unit_price=1_000_000, kind=ProductKind.BANNER, name="Banner")
    place(world["kominfo_budget"], banner)
    assert flag_of(place(budget, world["dear"], user=officer)) is None
    # A negotiated amount is what was paid: Rp 6.000.000 for three advertorials is Rp 2.000.000 each.
    place(world["kominfo_budget"], world["dear"], quantity=3, amount=6_000_000, override_reason="Paket tiga")
    assert flag_of(place(budget, world["dear"], user=officer)) is not None


def test_the_comparison_of_many_orders_is_one_query(world, django_assert_num_queries):
    for _ in range(5):
        place(world["budget"], world["dear"])
    orders = comparison.with_comparison(MediaOrder.objects.all())
    with django_assert_num_queries(1):
        rows = {o.pk: (o.effective_unit_price, o.other_lowest_price, o.other_lowest_agency, o.other_agencies)
                for o in orders}
    assert rows[world["first"].pk] == (2_000_000, 4_995_000, "Dinas Pariwisata Jepara", 1)
    assert sorted(set(rows.values()))[1] == (4_995_000, 2_000_000, "Dinas Kominfo Jepara", 1)


def test_a_page_of_orders_is_compared_in_one_query_with_the_same_figures(world, django_assert_num_queries):
    """compare_page (the API's pages) gives what with_comparison gives, order by order, in one query."""
    for _ in range(5):
        place(world["budget"], world["dear"])
    place(world["kominfo_budget"], world["dear"], quantity=3, amount=6_000_000, override_reason="Paket tiga")
    fields = ("effective_unit_price", "other_lowest_price", "other_lowest_agency", "other_lowest_order",
              "other_agencies")
    expected = {o.pk: tuple(getattr(o, f) for f in fields)
                for o in comparison.with_comparison(MediaOrder.objects.all())}
    page = list(MediaOrder.objects.select_related("budget", "price_item"))
    with django_assert_num_queries(1):
        comparison.compare_page(page)
    assert {o.pk: tuple(getattr(o, f) for f in fields) for o in page} == expected


# --- the admin -----------------------------------------------------------------------------------------------

def form_data(budget, price, **overrides):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": "1", "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21", "ecatalog_reference": "",
            "description": "", "amount": "", "override_reason": "", "comparison_reason": "",
            "placement_key": str(uuid.uuid4()), **overrides}


def words(response) -> str:
    """The page's words: tags dropped, entities read, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_admin_form_passes_the_reason_and_the_order_page_shows_other_agencies(client, english, world):
    client.force_login(world["officer"])
    response = client.post(ADD, form_data(world["budget"], world["dear"], comparison_reason="Dua halaman penuh"))
    assert response.status_code == 302
    order = MediaOrder.objects.get(budget=world["budget"])
    assert flag_of(order).reason == "Dua halaman penuh"
    page = words(client.get(response.url))
    assert "Same outlet, other agencies" in page
    assert "This order: Rp 4.995.000 per unit (Advertorial, 2026)" in page
    assert "Dinas Kominfo Jepara 1 Rp 2.000.000 above the factor Rp 2.000.000" in page


def test_the_order_page_reads_other_agencies_in_fixed_queries(client, world):
    order = place(world["budget"], world["dear"])
    admin = StaffUserFactory(is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:budgets_mediaorder_change", args=[order.pk])
    one, _response = page_queries(client, url)
    for n in range(3):
        place(make_budget(make_agency(f"Dinas Lain {n}")), world["cheap"])
    more, response = page_queries(client, url)
    assert more == one
    assert folded(response).count("Dinas Lain") == 3


# --- the API -------------------------------------------------------------------------------------------------

def api_headers(user):
    _token, key = token_create(user=user, name="Sistem", created_by=user)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_the_api_takes_the_reason_and_shows_the_comparison(client, world):
    headers = api_headers(world["officer"])
    body = {"budget": world["budget"].pk, "price_item": world["dear"].pk, "quantity": 1,
            "order_date": ORDER_DAY.isoformat(), "service_start": ORDER_DAY.isoformat(),
            "service_end": "2026-09-21", "comparison_reason": "Dua halaman penuh"}
    response = client.post("/api/v1/orders/", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    order = MediaOrder.objects.get(pk=response.json()["id"])
    assert flag_of(order).reason == "Dua halaman penuh"
    detail = client.get(f"/api/v1/orders/{order.pk}/", **headers).json()
    assert detail["price_comparison"] == {
        "effective_unit_price": 4_995_000, "lowest_other_price": 2_000_000,
        "lowest_other_agency": "Dinas Kominfo Jepara", "lowest_other_order": world["first"].pk, "other_agencies": 1,
        "factor": "1.50", "above_factor": True}


def test_the_api_order_list_reads_the_comparison_in_fixed_queries(client, world):
    auditor = StaffUserFactory(username="auditor.api", groups=["Auditor"])
    headers = api_headers(auditor)

    def queries():
        client.get("/api/v1/orders/", **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/orders/", **headers)
        assert response.status_code == 200
        return len(captured), response.json()["results"]

    one, rows = queries()
    for _ in range(5):
        place(world["budget"], world["dear"])
    more, rows = queries()
    assert more == one and len(rows) == 6
    assert sum(row["price_comparison"]["above_factor"] for row in rows) == 5


# --- the exceptions report -----------------------------------------------------------------------------------

def test_the_exceptions_report_lists_every_order_above_the_factor(client, auditor, world, monkeypatch):
    from budgets import controls

    # Placed as before the control existed: not held, but the report finds it.
    monkeypatch.setattr(controls, "CONTROLS", [])
    order = place(world["budget"], world["dear"])
    assert not order.flags.exists()
    rows = [r for r in findings(client, auditor) if r["check (code)"] == "price_above_other_agencies"]
    assert codes(rows) == [("price_above_other_agencies", order.pk)]
    assert rows[0]["agency"] == "Dinas Pariwisata Jepara" and rows[0]["amount"] == "4995000"
    assert rows[0]["detail"] == (
        "Unit price Rp 4.995.000, more than 1.50× the lowest another agency paid the outlet for the same product "
        f"in 2026: Rp 2.000.000 (Dinas Kominfo Jepara, order {world['first'].pk}). Order status: Committed.")
    # Cancelled, it is no longer a finding.
    services.order_cancel(order, reason="Batal", today=TODAY)
    assert not [r for r in findings(client, auditor) if r["check (code)"] == "price_above_other_agencies"]


def test_the_price_check_runs_the_same_queries_for_one_order_and_for_many(client, auditor, world):
    def queries():
        client.force_login(auditor)
        client.get("/reports/exceptions.csv")
        with CaptureQueriesContext(connection) as captured:
            rows = findings(client, auditor)
        return len(captured), [r for r in rows if r["check (code)"] == "price_above_other_agencies"]

    place(world["budget"], world["dear"])
    one, rows = queries()
    assert len(rows) == 1
    for _ in range(20):
        place(world["budget"], world["dear"])
    many, rows = queries()
    assert len(rows) == 21 and many == one


def test_the_reports_window_agrees_with_the_orders_own_comparison(world):
    """The exceptions report reads the lowest other price with window functions over every order, the order's
    page and the API with a subquery per order: the same orders are above the factor either way, with the same
    lowest price, also when an agency's own cheaper order and a cancelled one are among them."""
    dear, cheap = world["dear"], world["cheap"]
    third = make_budget(make_agency("Dinas Ketiga"))
    mid = approved_price(world["outlet"], unit_price=2_500_000, name="Advertorial foto")
    own_cheap = place(world["budget"], cheap, amount=1_000_000, override_reason="Diskon")  # Pariwisata: Rp 1 juta
    held = place(world["budget"], dear)
    place(third, mid)
    services.order_cancel(place(make_budget(make_agency("Dinas Batal")), cheap, amount=500_000,
                                override_reason="Diskon"), reason="Batal", today=TODAY)
    windowed = {o.pk: (o.other_lowest_price, o.other_lowest_order)
                for o in comparison.above_factor(MediaOrder.objects.all())}
    by_subquery = {o.pk: (o.other_lowest_price, o.other_lowest_order)
                   for o in comparison.with_comparison(MediaOrder.objects.exclude(status="cancelled"))
                   if o.other_lowest_price is not None
                   and o.effective_unit_price > o.other_lowest_price * o.budget.price_comparison_factor}
    assert windowed == by_subquery
    # Kominfo's Rp 2 juta is twice Pariwisata's Rp 1 juta; Pariwisata's Rp 4.995 juta above Kominfo's Rp 2 juta;
    # the third agency's Rp 2,5 juta is 2.5× Pariwisata's Rp 1 juta.
    assert set(windowed) == {world["first"].pk, held.pk, MediaOrder.objects.get(budget=third).pk}
    assert windowed[held.pk] == (2_000_000, world["first"].pk)
    assert windowed[world["first"].pk] == (1_000_000, own_cheap.pk)
