"""The exceptions report and the staff home keep the same number of queries with every integrity check, at
100 orders and at 10,000 (issue 14). The orders are written in bulk (10,000 through order_place would take
minutes); each kind of finding the checks look for is among them, so every check's query returns rows at
both sizes. On the pinned ordinary day."""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import services
from budgets.models import (
    Budget,
    DeclaredInterest,
    FlagRule,
    MediaOrder,
    OrderFlag,
    OrderStatus,
    ProductKind,
    ProofStatus,
)
from catalog.tiers import Tier
from partners import services as registry
from partners.models import CompanyBankAccount, MediaType
from tests.budget_helpers import approved_price, budget_officer, listed_eligible_outlet, make_agency, make_budget
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
AMPLE = 10**15  # no bulk order may make a budget fall below its orders


@pytest.fixture
def world():
    """Two agencies buying from the same five outlets; the bulk orders are spread over them. Every control has
    something to find: a quota per media type, a declared interest, reference prices, two outlets of different
    companies sharing a bank account, and an objection left undecided past its period."""
    province, regency = make_agency("Kominfotik Provinsi"), make_agency("Diskominfo Kabupaten")
    budgets = [make_budget(province, amount=AMPLE), make_budget(regency, amount=AMPLE)]
    outlets = [listed_eligible_outlet(f"Kabar Skala {n}") for n in range(5)]
    prices = [approved_price(outlet, unit_price=2_000_000) for outlet in outlets]
    officer = budget_officer(province)
    for budget in budgets:
        services.budget_set_controls(budget, price_comparison_factor=Decimal("1.50"),
                                     quotas={MediaType.ONLINE: (Decimal("1"), 3)})
        for tier in Tier.values:
            services.reference_price_save(budget, kind=ProductKind.ADVERTORIAL, tier=tier, reference_price=1_500_000,
                                          upper_bound=2_500_000, source_reference="SHS uji")
    services.interest_save(DeclaredInterest(agency=province, person_name="Anggota Dewan", role="legislator",
                                            declared_on=datetime.date(2026, 1, 2)), outlets=outlets[:1])
    for outlet in outlets[:2]:  # two companies, one bank account: connected outlets
        registry.bank_accounts_save(outlet.company, saved=[CompanyBankAccount(
            bank_name="Bank Uji", account_number="1234567890", account_holder=outlet.company.legal_name)])
    objection_late()
    return {"budgets": budgets, "prices": prices, "officer": officer,
            "auditor": StaffUserFactory(username="auditor.skala", groups=["Auditor"]),
            "superuser": StaffUserFactory(is_superuser=True)}


def objection_late():
    """A rejected application objected to in March and left undecided, well past its objection period."""
    from tests.test_objections import filed_objection

    filed_objection()


def add_orders(world, count: int) -> None:
    """``count`` orders in bulk, a share of each kind of finding: amounts that differ from quantity × price,
    services that ended without proof, proof waiting for review, paid orders, and holds waiting for or
    given a second approval."""
    budgets, prices = world["budgets"], world["prices"]
    orders = []
    for n, budget, price in zip(range(count), itertools.cycle(budgets), itertools.cycle(prices), strict=False):
        day = datetime.date(2026, 1 + n % 10, 1 + n % 28)
        kind = n % 5
        unit = price.unit_price * (3 if n % 7 == 0 else 1)  # every seventh far above the others' price
        order = MediaOrder(
            request_key=uuid.uuid4(), budget=budget, outlet_id=price.outlet_id, price_item=price, quantity=1,
            unit_price=unit, amount=unit - 100_000 if kind == 0 else unit,
            override_reason="Diskon negosiasi" if kind == 0 else "", order_date=day, service_start=day,
            service_end=day + datetime.timedelta(days=3), proof_due_on=day + datetime.timedelta(days=5),
            reference_price=1_500_000, reference_source="SHS uji", tier_on_order_date="A",
            negotiation_offered=unit, negotiation_agreed=unit, negotiated_on=day, negotiated_by_agency="Rina",
            negotiated_by_outlet="Budi",
            eligible_on_order_date=True,
            listing_state_on_order_date="listed", status=OrderStatus.COMMITTED, created_by=world["officer"])
        if kind == 2:
            order.status, order.proof_status = OrderStatus.PUBLISHED, ProofStatus.PENDING
            order.published_url = "https://kabar.example/berita"
        elif kind == 3:
            order.status, order.proof_status = OrderStatus.PAID, ProofStatus.ACCEPTED
            order.published_url, order.paid_on, order.payment_reference = "https://kabar.example/b", day, f"SP2D-{n}"
        orders.append(order)
    MediaOrder.objects.bulk_create(orders, batch_size=2000)
    flags = [OrderFlag(order=order, rule=FlagRule.PRICE_COMPARISON, detail={"id": "Harga", "en": "Price"},
                       reason="Liputan khusus", raised_by=world["officer"],
                       **({"approved_by": world["superuser"], "approved_at": order.created_at,
                           "approval_reason": "Wajar"} if n % 2 else {}))
             for n, order in enumerate(o for o in orders if o.unit_price > 2_000_000)]
    OrderFlag.objects.bulk_create(flags, batch_size=2000)
    Budget.objects.filter(pk__in=[b.pk for b in budgets]).update(ordered_amount=0)


def queries(client, user, url: str) -> tuple[int, bytes]:
    client.force_login(user)
    client.get(url)  # the session and the language settle on the first request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    return len(captured), body


ROLES = ("auditor", "officer", "superuser")


def measure(client, world) -> dict[str, tuple[int, int, int]]:
    """For each role: the queries of the staff home and of the exceptions file, and the file's lines."""
    figures = {}
    for role in ROLES:
        home, _page = queries(client, world[role], "/admin/")
        report, body = queries(client, world[role], "/reports/exceptions.csv")
        figures[role] = (home, report, len(body.splitlines()))
    return figures


def test_the_staff_home_and_the_exceptions_report_keep_their_queries_from_100_to_10000_orders(client, world):
    add_orders(world, 100)
    at_100 = measure(client, world)
    add_orders(world, 9_900)
    assert MediaOrder.objects.count() == 10_000
    at_10000 = measure(client, world)
    for role in ROLES:
        assert at_10000[role][:2] == at_100[role][:2], role
    # Every kind of finding grew with the orders (the officer sees their agency's half).
    assert at_10000["auditor"][2] > 50 * at_100["auditor"][2]
    assert at_10000["officer"][2] > 50 * at_100["officer"][2]
    _queries, page = queries(client, world["officer"], "/admin/")
    assert b'id="home-orders-second-approval"' in page
    _queries, body = queries(client, world["auditor"], "/reports/exceptions.csv")
    codes = {line.split(b",")[0] for line in body.splitlines()[2:]}
    assert {b"price_override", b"order_held_for_second_approval", b"proof_overdue", b"order_above_reference",
            b"price_above_other_agencies", b"outlet_over_quota", b"outlets_connected",
            b"objection_not_decided_in_time"} <= codes
