"""The declared-interest register and its order control (budgets.controls.interests, docs/domain.md "Owners
and conflicts of interest"): an order to an outlet connected to an interest declared to the ordering agency
is refused with the person and their role (service, admin add form and API in the same words), or, under the
second-approval policy and with a reason, placed but held and unpayable until a second person approves it."""

from __future__ import annotations

import datetime
import html
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from budgets import controls, services
from budgets.controls.interests import declared_interest
from budgets.models import (
    ConflictHandling,
    DeclaredInterest,
    FlagRule,
    InterestRelation,
    InterestRole,
    MediaOrder,
)
from budgets.services import BudgetRefused
from mediareg.api.tokens import token_create
from partners.models import CompanyOwner, OwnerKind
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
from tests.helpers import text as folded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day", "english")]

ADD_ORDER = reverse("admin:budgets_mediaorder_add")
REFUSED = ("Kabar Martapura is declared as an interest of H. Ahmad Fauzi, Member of the regional legislature "
           "(DPRD) (own interest), to Diskominfo Banjar. The agency's policy refuses orders to outlets connected "
           "to a declared interest.")


@pytest.fixture(autouse=True)
def services_in_english():
    """Refusals raised outside a request are compared with their English text too."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def only_this_control(monkeypatch):
    """Only the control under test: the other integrity controls have their own tests."""
    monkeypatch.setattr(controls, "CONTROLS", [declared_interest])


@pytest.fixture
def agency():
    return make_agency("Dinas Komunikasi dan Informatika Kabupaten Banjar", slug="banjar")


@pytest.fixture
def officer(agency):
    agency.short_name = "Diskominfo Banjar"
    agency.save()
    return budget_officer(agency, "anggaran.banjar")


@pytest.fixture
def budget(agency):
    return make_budget(agency, amount=100_000_000)


@pytest.fixture
def outlet():
    return listed_eligible_outlet("Kabar Martapura")


@pytest.fixture
def price(outlet):
    return approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")


def declare(agency, user, *, outlets=(), companies=(), name="H. Ahmad Fauzi", role=InterestRole.LEGISLATOR,
            **fields):
    interest = DeclaredInterest(agency=agency, person_name=name, role=role, declared_on=datetime.date(2026, 2, 10),
                                reference="Formulir 04/DPRD/2026", **fields)
    return services.interest_save(interest, outlets=outlets, companies=companies, user=user)


def form_data(budget, price, **overrides):
    return {"budget": budget.pk, "price_item": price.pk, "quantity": "1", "order_date": ORDER_DAY.isoformat(),
            "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21", "ecatalog_reference": "",
            "description": "", "amount": "", "override_reason": "", "interest_reason": "",
            "placement_key": str(uuid.uuid4()), **overrides}


def api_post(client, user, url, body):
    _token, key = token_create(user=user, name="Sistem", created_by=user)
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}",
                       HTTP_ACCEPT_LANGUAGE="en")


# --- refused -------------------------------------------------------------------------------------------------


def test_an_order_to_an_outlet_owned_by_a_declared_legislator_is_refused_everywhere_with_the_same_reason(
        client, agency, officer, budget, outlet, price):
    declare(agency, officer, outlets=[outlet])
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price, user=officer)
    assert refused.value.code == "declared_interest"
    assert refused.value.messages == [REFUSED]

    client.force_login(officer)
    response = client.post(ADD_ORDER, form_data(budget, price))
    assert response.status_code == 200
    assert REFUSED in html.unescape(folded(response))

    answer = api_post(client, officer, "/api/v1/orders/", {
        "budget": budget.pk, "price_item": price.pk, "quantity": 1, "order_date": ORDER_DAY.isoformat(),
        "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21"})
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"] == [REFUSED]
    assert not MediaOrder.objects.exists()
    budget.refresh_from_db()
    assert budget.ordered_amount == 0


def test_a_declared_company_covers_its_outlets_and_an_owner_is_matched_by_name(agency, officer, budget, outlet,
                                                                               price):
    interest = declare(agency, officer, companies=[outlet.company], name="Siti Rahma",
                       role=InterestRole.OFFICIAL, relation=InterestRelation.SPOUSE)
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price, user=officer)
    assert refused.value.messages[0].startswith(
        f"Kabar Martapura belongs to {outlet.company.legal_name}, declared as an interest of Siti Rahma, Official "
        "of the agency (through the spouse)")

    # The same person declared with another outlet, and named (spelt differently) as the company's owner.
    other = listed_eligible_outlet("Warta Banjar")
    services.interest_save(interest, outlets=[other], companies=[], user=officer)
    CompanyOwner.objects.create(company=outlet.company, name="  SITI   rahma ", kind=OwnerKind.BENEFICIAL_OWNER)
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price, user=officer)
    assert "is named as an owner of" in refused.value.messages[0]


def test_an_undeclared_outlet_an_ended_interest_and_another_agencys_interest_do_not_count(
        agency, officer, budget, outlet, price):
    declare(agency, officer, outlets=[listed_eligible_outlet("Warta Banjar")])  # another outlet
    declare(agency, officer, outlets=[outlet], name="Former Head", role=InterestRole.OFFICIAL,
            active_until=datetime.date(2026, 6, 30))  # ended before the order date
    other_agency = make_agency("Dinas Kominfo Tanah Laut", slug="tala")
    declare(other_agency, None, outlets=[outlet])
    order = place(budget, price, user=officer)
    assert not order.flags.exists()


# --- held for a second approver ------------------------------------------------------------------------------


def test_with_the_second_approval_policy_the_order_needs_a_reason_and_is_held_until_approved(
        client, agency, officer, budget, outlet, price):
    agency.conflict_handling = ConflictHandling.SECOND_APPROVAL
    agency.save()
    declare(agency, officer, outlets=[outlet])

    with pytest.raises(BudgetRefused) as refused:
        place(budget, price, user=officer)
    assert refused.value.code == "interest_reason_required"
    client.force_login(officer)
    response = client.post(ADD_ORDER, form_data(budget, price))
    assert "Give the reason for ordering from it anyway" in html.unescape(folded(response))

    response = client.post(ADD_ORDER, form_data(budget, price, interest_reason="Only outlet with a Martapura desk"))
    assert response.status_code == 302
    order = MediaOrder.objects.get()
    flag = order.flags.get()
    assert (flag.rule, flag.reason, flag.raised_by) == (FlagRule.DECLARED_INTEREST,
                                                        "Only outlet with a Martapura desk", officer)
    assert "H. Ahmad Fauzi" in flag.detail["en"] and "H. Ahmad Fauzi" in flag.detail["id"]

    superuser = StaffUserFactory(is_superuser=True)
    order = services.order_review_proof(publish(order, user=superuser), accept=True, user=superuser)
    with pytest.raises(BudgetRefused) as refused:
        services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", user=superuser,
                           today=datetime.date(2026, 11, 26))
    assert refused.value.code == "flag_waiting"
    services.order_flag_approve(flag, user=superuser, reason="Checked the coverage plan")
    order = services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", user=superuser,
                               today=datetime.date(2026, 11, 26))
    assert order.status == "paid"


def test_the_api_passes_the_reason_and_the_order_is_held(client, agency, officer, budget, outlet, price):
    agency.conflict_handling = ConflictHandling.SECOND_APPROVAL
    agency.save()
    declare(agency, officer, outlets=[outlet])
    answer = api_post(client, officer, "/api/v1/orders/", {
        "budget": budget.pk, "price_item": price.pk, "quantity": 1, "order_date": ORDER_DAY.isoformat(),
        "service_start": ORDER_DAY.isoformat(), "service_end": "2026-09-21",
        "interest_reason": "Only outlet with a Martapura desk"})
    assert answer.status_code == 201, answer.content
    assert MediaOrder.objects.get().flags.get().rule == FlagRule.DECLARED_INTEREST


def test_the_control_reads_a_fixed_number_of_queries(agency, officer, budget, outlet, price,
                                                     django_assert_max_num_queries):
    from budgets.controls import OrderDraft

    for n in range(5):
        declare(agency, officer, outlets=[listed_eligible_outlet(f"Lain {n}")], name=f"Pejabat {n}")
        CompanyOwner.objects.create(company=outlet.company, name=f"Pemilik {n}", kind=OwnerKind.SHAREHOLDER,
                                    share_percent=Decimal(10))
    draft = OrderDraft(budget=budget, outlet=outlet, price_item=price, quantity=1, unit_price=1, amount=1,
                       order_date=ORDER_DAY)
    with django_assert_max_num_queries(1):
        assert declared_interest(draft) == []
    declare(agency, officer, outlets=[outlet])
    draft = OrderDraft(budget=budget, outlet=MediaOrder._meta.get_field("outlet").related_model.objects
                       .select_related("company").get(pk=outlet.pk), price_item=price, quantity=1, unit_price=1,
                       amount=1, order_date=ORDER_DAY)
    with django_assert_max_num_queries(2), pytest.raises(BudgetRefused):
        declared_interest(draft)


# --- the register --------------------------------------------------------------------------------------------


def test_a_budget_officer_records_an_interest_in_the_admin_for_their_own_agency_only(client, agency, officer,
                                                                                    outlet):
    client.force_login(officer)
    add = reverse("admin:budgets_declaredinterest_add")
    response = client.post(add, {"person_name": "H. Ahmad Fauzi", "role": "legislator", "position": "Komisi I",
                                 "relation": "self", "outlets": [outlet.pk], "declared_on": "2026-02-10",
                                 "reference": "04/DPRD/2026", "active_until": "", "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    interest = DeclaredInterest.objects.get()
    assert (interest.agency, list(interest.outlets.all()), interest.created_by) == (agency, [outlet], officer)
    assert "H. Ahmad Fauzi" in folded(client.get(reverse("admin:budgets_declaredinterest_changelist")))

    empty = client.post(add, {"person_name": "Someone", "role": "official", "relation": "self",
                              "declared_on": "2026-02-10"})
    assert "Name at least one outlet or press company" in html.unescape(folded(empty))

    other = declare(make_agency("Dinas Lain", slug="lain"), None, outlets=[outlet], name="Orang Lain")
    assert client.get(reverse("admin:budgets_declaredinterest_change", args=[other.pk])).status_code == 404
    assert "Orang Lain" not in folded(client.get(reverse("admin:budgets_declaredinterest_changelist")))


def test_the_api_reads_and_writes_the_register_of_the_officers_agency(client, agency, officer, outlet):
    answer = api_post(client, officer, "/api/v1/declared-interests/", {
        "person_name": "H. Ahmad Fauzi", "role": "legislator", "relation": "self", "outlets": [outlet.pk],
        "declared_on": "2026-02-10"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["agency"] == agency.pk
    empty = api_post(client, officer, "/api/v1/declared-interests/", {
        "person_name": "Someone", "role": "official", "relation": "self", "declared_on": "2026-02-10"})
    assert empty.status_code == 400
    assert "Name at least one outlet or press company" in str(empty.json())
    declare(make_agency("Dinas Lain", slug="lain"), None, outlets=[outlet], name="Orang Lain")
    _token, key = token_create(user=officer, name="Baca", created_by=officer)
    listed = client.get("/api/v1/declared-interests/", HTTP_AUTHORIZATION=f"Token {key}").json()
    assert [row["person_name"] for row in listed["results"]] == ["H. Ahmad Fauzi"]
