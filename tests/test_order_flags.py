"""The second approval of orders that an integrity control held (budgets.controls, budgets.services.flags):
the order stands and its amount is committed, but it is paid only after a second person, not the one who
placed it, approved each flag with a reason."""

from __future__ import annotations

import datetime

import pytest

from budgets import controls, services
from budgets.controls import Hold
from budgets.models import FlagRule, MediaOrder, OrderFlag
from budgets.services import BudgetRefused
from tests.budget_helpers import approved_price, budget_officer, listed_eligible_outlet, make_budget, place, publish
from tests.factories import StaffUserFactory, grant_permissions

pytestmark = pytest.mark.django_db


def hold_everything(draft):
    return [Hold(FlagRule.PRICE_COMPARISON, "Test hold of %(amount)s", {"amount": draft.amount},
                 reason=draft.answer("reason", ""))]


def refuse_everything(draft):
    raise BudgetRefused("Refused by the test control.", code="test_refusal")


@pytest.fixture
def control(monkeypatch):
    def use(function):
        monkeypatch.setattr(controls, "CONTROLS", [function])
    return use


@pytest.fixture
def order_setup():
    budget = make_budget()
    officer = budget_officer(budget.agency)
    price = approved_price(listed_eligible_outlet())
    return budget, officer, price


def ppk(agency, username="ppk"):
    from budgets.models import AgencyStaff

    user = StaffUserFactory(username=username, groups=["PPK"])
    AgencyStaff.objects.create(user=user, agency=agency)
    return user


def test_a_refusing_control_stops_the_order_and_writes_nothing(control, order_setup):
    budget, officer, price = order_setup
    control(refuse_everything)
    with pytest.raises(BudgetRefused) as refused:
        place(budget, price, user=officer)
    assert refused.value.code == "test_refusal"
    budget.refresh_from_db()
    assert (MediaOrder.objects.count(), budget.ordered_amount) == (0, 0)


def test_a_held_order_is_committed_but_paid_only_after_a_second_person_approves(control, order_setup):
    budget, officer, price = order_setup
    control(hold_everything)
    order = place(budget, price, user=officer, answers={"reason": "Only outlet covering the event"})
    budget.refresh_from_db()
    assert budget.ordered_amount == order.amount
    flag = order.flags.get()
    assert (flag.rule, flag.reason, flag.raised_by, flag.waiting) == (
        FlagRule.PRICE_COMPARISON, "Only outlet covering the event", officer, True)
    assert flag.detail == {"id": "Test hold of 10000000", "en": "Test hold of 10000000"}

    staff = StaffUserFactory(is_superuser=True)
    order = services.order_review_proof(publish(order, user=staff), accept=True, user=staff)
    with pytest.raises(BudgetRefused) as refused:
        services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", user=staff,
                           today=datetime.date(2026, 11, 26))
    assert refused.value.code == "flag_waiting"

    grant_permissions(officer, "budgets.approve_orderflag")
    officer = type(officer).objects.get(pk=officer.pk)
    with pytest.raises(BudgetRefused) as refused:
        services.order_flag_approve(flag, user=officer, reason="Fine")
    assert refused.value.code == "same_person"
    approver = ppk(budget.agency)
    with pytest.raises(BudgetRefused) as refused:
        services.order_flag_approve(flag, user=approver, reason=" ")
    assert refused.value.code == "reason_required"
    flag = services.order_flag_approve(flag, user=approver, reason="Price checked against the SHS")
    assert (flag.approved_by, flag.approval_reason, flag.waiting) == (approver, "Price checked against the SHS", False)
    with pytest.raises(BudgetRefused) as refused:
        services.order_flag_approve(flag, user=approver, reason="again")
    assert refused.value.code == "already_approved"
    order = services.order_pay(order, paid_on=datetime.date(2026, 10, 1), reference="SP2D-1", user=staff,
                               today=datetime.date(2026, 11, 26))
    assert order.status == "paid"


def test_only_the_agencys_approvers_approve(control, order_setup):
    budget, officer, price = order_setup
    control(hold_everything)
    flag = place(budget, price, user=officer).flags.get()
    with pytest.raises(BudgetRefused) as refused:
        services.order_flag_approve(flag, user=ppk(make_budget().agency, "ppk.other"), reason="ok")
    assert refused.value.code == "other_agency"
    with pytest.raises(BudgetRefused) as refused:
        services.order_flag_approve(flag, user=budget_officer(budget.agency), reason="ok")
    assert refused.value.code == "not_approver"
    assert OrderFlag.objects.get().waiting


def test_raising_a_rule_again_asks_for_a_new_approval(control, order_setup):
    budget, officer, price = order_setup
    control(hold_everything)
    order = place(budget, price, user=officer)
    flag = services.order_flag_approve(order.flags.get(), user=ppk(budget.agency), reason="checked")
    again = services.order_flag_raise(order, rule=FlagRule.PRICE_COMPARISON, message="Changed", user=officer)
    assert (again.pk, again.waiting, again.approval_reason) == (flag.pk, True, "")
