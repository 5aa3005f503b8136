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
from tests.test_api_orders import Api
from tests.test_reports_budgets import findings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]


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


# --- the order's page, the list, the API, the staff home and the exceptions report -----------------------


@pytest.fixture
def held(control, order_setup):
    """An order placed by the budget officer and held by the test control, its proof accepted."""
    budget, officer, price = order_setup
    control(hold_everything)
    order = place(budget, price, user=officer, answers={"reason": "Satu-satunya media di lokasi"})
    staff = StaffUserFactory(is_superuser=True)
    services.order_review_proof(publish(order, user=staff), accept=True, user=staff)
    return order, officer, ppk(budget.agency)


def test_the_order_page_shows_the_hold_and_the_approver_approves_it_there(client, english, held):
    order, officer, approver = held
    page = f"/admin/budgets/mediaorder/{order.pk}/change/"
    client.force_login(officer)
    text = client.get(page).content.decode()
    assert "Integrity controls: second approval" in text and "Test hold of 10000000" in text
    assert "Satu-satunya media di lokasi" in text
    assert "Payment can be recorded after the second approval" in text
    assert "order-approve" not in text and "order-pay" not in text  # the officer may not approve

    client.force_login(approver)
    text = client.get(page).content.decode()
    assert "order-approve" in text
    step = f"/admin/budgets/mediaorder/{order.pk}/step/approve/"
    form = client.post(step, {"next": page})
    assert form.status_code == 200 and "Second approval of held orders" in form.content.decode()
    response = client.post(step, {"action": "approve_orders", "apply": "1", "_selected_action": [order.pk],
                                  "reason": "Harga wajar menurut SHS"})
    assert response.status_code == 302
    flag = OrderFlag.objects.get(order=order)
    assert (flag.approved_by, flag.approval_reason) == (approver, "Harga wajar menurut SHS")
    text = client.get(page).content.decode()
    assert "Harga wajar menurut SHS" in text and "order-approve" not in text


def test_the_order_list_filters_and_labels_the_held_orders(client, english, held, order_setup):
    order, officer, approver = held
    budget, _officer, price = order_setup
    controls.CONTROLS.clear()
    other = place(budget, price, user=officer)
    client.force_login(officer)
    text = client.get("/admin/budgets/mediaorder/", {"waiting": "approval"}).content.decode()
    assert f"/admin/budgets/mediaorder/{order.pk}/change/" in text
    assert f"/admin/budgets/mediaorder/{other.pk}/change/" not in text
    assert "second approval" in text


def test_the_approver_cannot_approve_their_own_order_in_the_admin(client, english, control, order_setup):
    budget, _officer, price = order_setup
    control(hold_everything)
    approver = ppk(budget.agency)
    grant_permissions(approver, "budgets.add_mediaorder")
    order = place(budget, price, user=approver)
    client.force_login(approver)
    response = client.post(f"/admin/budgets/mediaorder/{order.pk}/step/approve/", {
        "action": "approve_orders", "apply": "1", "_selected_action": [order.pk], "reason": "Saya sendiri"},
        follow=True)
    assert "someone other than the person who placed the order" in response.content.decode()
    assert OrderFlag.objects.get(order=order).waiting


def test_the_api_shows_the_holds_and_approves_with_the_same_refusals(client, held):
    order, officer, approver = held
    url = f"/api/v1/orders/{order.pk}/"
    body = Api(client, officer).get(url).json()
    assert [(f["rule"], f["finding"], f["reason"], f["waiting"]) for f in body["flags"]] == [
        ("price_comparison", "Test hold of 10000000", "Satu-satunya media di lokasi", True)]
    refused = Api(client, approver).post(url + "approve/", {"reason": ""}, language="en")
    assert refused.status_code == 400 and "Give the reason for approving the flagged order." in refused.content.decode()
    assert Api(client, officer).post(url + "approve/", {"reason": "ok"}).status_code == 403
    done = Api(client, approver).post(url + "approve/", {"reason": "Sudah dibandingkan"})
    assert done.status_code == 200, done.content
    assert done.json()["flags"][0]["waiting"] is False
    assert done.json()["flags"][0]["approval_reason"] == "Sudah dibandingkan"
    paid = Api(client, StaffUserFactory(is_superuser=True)).post(url + "pay/", {
        "paid_on": "2026-11-20", "reference": "SP2D-9"})
    assert paid.status_code == 200, paid.content


def test_paying_a_held_order_through_the_api_is_refused_with_the_reason(client, held):
    order, _officer, _approver = held
    response = Api(client, StaffUserFactory(is_superuser=True)).post(
        f"/api/v1/orders/{order.pk}/pay/", {"paid_on": "2026-11-20", "reference": "SP2D-9"}, language="en")
    assert response.status_code == 400
    assert "This order waits for a second approval" in response.content.decode()


def test_the_staff_home_lists_the_held_orders(client, english, held):
    order, officer, _approver = held
    client.force_login(officer)
    text = client.get("/admin/").content.decode()
    assert 'id="home-orders-second-approval"' in text
    assert "Orders waiting for a second approval" in text
    assert "Price far above what other agencies paid the outlet" in text
    assert "/admin/budgets/mediaorder/?waiting=approval" in text


def test_the_exceptions_report_names_the_rule_who_went_ahead_and_who_approved(client, held, auditor):
    order, officer, approver = held
    officer.first_name, officer.last_name = "Rina", "Anggaran"
    officer.save()
    services.order_approve(order, user=approver, reason="Harga sesuai negosiasi")
    rows = [row for row in findings(client, auditor) if row["check (code)"] == "order_held_for_second_approval"]
    assert len(rows) == 1
    detail, people = rows[0]["detail"], rows[0]["people named"]
    assert rows[0]["number"] == str(order.pk)
    assert "Price far above what other agencies paid the outlet: Test hold of 10000000" in detail
    assert "reason given: Satu-satunya media di lokasi" in detail and "reason: Harga sesuai negosiasi" in detail
    # The names are in the personal column only (the public profile leaves it out).
    assert "Rina" not in detail and approver.get_full_name() not in detail
    assert people == f"Raised by Rina Anggaran; second approval by {approver.get_full_name()}."
