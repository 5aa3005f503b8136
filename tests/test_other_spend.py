"""Spend outside the catalog (budgets.services.other_spend): recorded against the same budget as the orders,
with its kind, payment reference and evidence; the budget's remaining amount, the revision floor and the
order check count it; cancelled with a reason, never deleted."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from budgets import services
from budgets.models import Budget, OtherSpend, OtherSpendKind, RevisionReason
from budgets.selectors import other_spend_by_kind, spend_by_month
from mediareg.models import AuditEvent
from tests.budget_helpers import (
    ORDER_DAY,
    approved_price,
    budget_officer,
    evidence,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    record_other_spend,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)
OVER_BUDGET_EN = ("This spending of Rp 6.000.000 exceeds the budget: Rp 5.000.000 of Rp 25.000.000 remains "
                  "(Rp 10.000.000 is ordered and Rp 10.000.000 spent outside the catalog).")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def agency():
    return make_agency("Dinas Kominfo Provinsi Uji")


@pytest.fixture
def officer(agency):
    return budget_officer(agency, "anggaran.uji")


@pytest.fixture
def price():
    return approved_price(listed_eligible_outlet("Warta Uji"), unit_price=10_000_000)


def refusal(call) -> tuple[str, str]:
    with pytest.raises(services.BudgetRefused) as caught:
        call()
    return caught.value.code, caught.value.messages[0]


def budget_row(budget) -> Budget:
    return Budget.objects.get(pk=budget.pk)


def test_spend_outside_the_catalog_counts_in_the_budget_with_orders(agency, officer, price):
    budget = make_budget(agency, amount=25_000_000)
    place(budget, price, user=officer)
    spend = record_other_spend(budget, amount=10_000_000, user=officer, kind=OtherSpendKind.PRESS_GATHERING,
                               recipient="PWI Cabang Uji", reference="SP2D-77")
    assert (spend.amount, spend.kind, spend.recipient, spend.created_by, spend.evidence_content_type) == (
        10_000_000, "press_gathering", "PWI Cabang Uji", officer, "application/pdf")
    assert spend.evidence_file.name.startswith("spend-evidence/") and "kuitansi" not in spend.evidence_file.name
    assert spend.evidence_original_filename == "kuitansi.pdf"
    row = budget_row(budget)
    assert (row.ordered_amount, row.other_spent_amount, row.spent_total, row.remaining_amount) == (
        10_000_000, 10_000_000, 20_000_000, 5_000_000)
    # Over what remains: refused with the figures, whether it is spend outside the catalog or an order.
    code, message = refusal(lambda: record_other_spend(budget, amount=6_000_000, user=officer))
    assert (code, message) == ("over_budget", OVER_BUDGET_EN)
    assert refusal(lambda: place(budget, price, user=officer)) == ("over_budget", (
        "This order of Rp 10.000.000 exceeds the budget: Rp 5.000.000 of Rp 25.000.000 remains (Rp 10.000.000 is "
        "ordered and Rp 10.000.000 spent outside the catalog)."))
    record_other_spend(budget, amount=5_000_000, user=officer)  # exactly what remains fits
    assert budget_row(budget).remaining_amount == 0
    assert OtherSpend.objects.filter(budget=budget).count() == 2


def test_cancelling_frees_the_amount_once_and_keeps_the_entry(agency, officer, price):
    budget = make_budget(agency, amount=20_000_000)
    spend = record_other_spend(budget, amount=20_000_000, user=officer)
    assert refusal(lambda: place(budget, price, user=officer))[0] == "over_budget"
    assert refusal(lambda: services.other_spend_cancel(spend, reason=" ", user=officer))[0] == "reason_required"
    services.other_spend_cancel(spend, reason="Dicatat ganda", user=officer, today=TODAY)
    spend.refresh_from_db()
    assert (spend.cancelled_on, spend.cancel_reason, spend.cancelled_by) == (TODAY, "Dicatat ganda", officer)
    assert budget_row(budget).other_spent_amount == 0
    assert refusal(lambda: services.other_spend_cancel(spend, reason="lagi", user=officer))[0] == "already_cancelled"
    assert budget_row(budget).other_spent_amount == 0
    place(budget, price, quantity=2, user=officer)  # the freed amount can be ordered
    assert budget_row(budget).remaining_amount == 0


def test_every_fact_is_required_and_the_date_lies_in_the_year_up_to_today(agency, officer):
    budget = make_budget(agency)
    assert refusal(lambda: record_other_spend(budget, kind="bribe", user=officer))[0] == "kind_required"
    assert refusal(lambda: record_other_spend(budget, description=" ", user=officer))[0] == "description_required"
    assert refusal(lambda: record_other_spend(budget, recipient="", user=officer))[0] == "recipient_required"
    assert refusal(lambda: record_other_spend(budget, reference="", user=officer))[0] == "reference_required"
    for amount in (0, -5, 1.5, "1e6"):
        assert refusal(lambda amount=amount: record_other_spend(budget, amount=amount, user=officer))[0] == "not_whole"
    assert refusal(lambda: record_other_spend(budget, spent_on=datetime.date(2025, 12, 31), user=officer))[0] == \
        "outside_year"
    assert refusal(lambda: record_other_spend(budget, spent_on=TODAY + datetime.timedelta(days=1),
                                              user=officer))[0] == "future_date"
    assert refusal(lambda: record_other_spend(budget, evidence_file=None, user=officer))[0] == "evidence_required"
    assert not OtherSpend.objects.exists() and budget_row(budget).other_spent_amount == 0


def test_the_evidence_is_checked_by_its_content_and_size(agency, officer, settings):
    budget = make_budget(agency)
    fake = SimpleUploadedFile("kuitansi.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    code, message = refusal(lambda: record_other_spend(budget, evidence_file=fake, user=officer))
    assert code == "evidence_file" and "PDF, JPEG and PNG" in message
    settings.DOCUMENT_MAX_BYTES = 100
    code, message = refusal(lambda: record_other_spend(budget, evidence_file=evidence(), user=officer))
    assert code == "evidence_file"
    assert not OtherSpend.objects.exists()


def test_a_refused_entry_leaves_no_file_behind(agency, officer, settings, tmp_path):
    budget = make_budget(agency, amount=1_000)
    assert refusal(lambda: record_other_spend(budget, amount=2_000, user=officer))[0] == "over_budget"
    storage = OtherSpend._meta.get_field("evidence_file").storage
    assert not storage.exists("spend-evidence") or storage.listdir("spend-evidence") == ([], [])


def test_spending_policy_off_refuses_spend_outside_the_catalog(agency, officer):
    budget = make_budget(agency, spending_allowed=False, policy_reference="SE Bupati 1/2026")
    assert refusal(lambda: record_other_spend(budget, user=officer))[0] == "policy_off"


def test_another_agencys_staff_can_neither_record_nor_cancel(agency, officer):
    budget = make_budget(agency)
    stranger = budget_officer(make_agency())
    assert refusal(lambda: record_other_spend(budget, user=stranger))[0] == "other_agency"
    spend = record_other_spend(budget, user=officer)
    assert refusal(lambda: services.other_spend_cancel(spend, reason="x", user=stranger))[0] == "other_agency"


def test_the_same_request_is_recorded_once(agency, officer):
    budget = make_budget(agency)
    key = uuid.uuid4()
    first = record_other_spend(budget, user=officer, request_key=key)
    again = record_other_spend(budget, user=officer, request_key=key)
    assert again.pk == first.pk and budget_row(budget).other_spent_amount == first.amount


def test_a_budget_is_never_revised_below_orders_and_other_spend(agency, officer, price):
    budget = make_budget(agency, amount=100_000_000)
    place(budget, price, quantity=4, user=officer)
    record_other_spend(budget, amount=30_000_000, user=officer)
    code, message = refusal(lambda: services.budget_revise(
        budget, amount_after=69_999_999, reason=RevisionReason.REFOCUSING, reference="SKB", revised_on=TODAY,
        user=officer))
    assert code == "below_committed"
    assert message == ("The budget cannot go below what it already holds: Rp 40.000.000 is ordered (Rp 0 of it "
                       "paid) and Rp 30.000.000 spent outside the catalog. Cancel orders first or choose at least "
                       "Rp 70.000.000.")
    services.budget_revise(budget, amount_after=70_000_000, reason=RevisionReason.REFOCUSING, reference="SKB",
                           revised_on=TODAY, user=officer)
    assert budget_row(budget).remaining_amount == 0


def test_the_database_refuses_orders_and_other_spend_over_the_budget(agency, officer):
    budget = make_budget(agency, amount=10_000_000)
    record_other_spend(budget, amount=4_000_000, user=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(ordered_amount=6_000_001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(other_spent_amount=-1)
    Budget.objects.filter(pk=budget.pk).update(ordered_amount=6_000_000)  # exactly the amount is allowed


def test_figures_per_month_and_per_kind_leave_cancelled_entries_out(agency, officer):
    budget = make_budget(agency)
    record_other_spend(budget, amount=3_000_000, spent_on=datetime.date(2026, 3, 2), user=officer)
    record_other_spend(budget, amount=2_000_000, spent_on=datetime.date(2026, 3, 20), user=officer)
    record_other_spend(budget, amount=7_000_000, spent_on=datetime.date(2026, 5, 1), user=officer,
                       kind=OtherSpendKind.LEGISLATURE_PUBLICATION)
    cancelled = record_other_spend(budget, amount=1_000_000, spent_on=datetime.date(2026, 5, 2), user=officer)
    services.other_spend_cancel(cancelled, reason="Batal", user=officer, today=TODAY)
    months = {m.month: m.other for m in spend_by_month(budget)}
    assert (months[3], months[5], months[4]) == (5_000_000, 7_000_000, 0)
    assert [(k.kind, k.entries, k.amount) for k in other_spend_by_kind(budget)] == [
        ("subscription", 2, 5_000_000), ("legislature_publication", 1, 7_000_000)]


def test_recording_and_cancelling_are_in_the_audit_trail(agency, officer):
    from pghistory import context

    budget = make_budget(agency)
    with context(user=officer.pk):
        spend = record_other_spend(budget, user=officer)
        services.other_spend_cancel(spend, reason="Salah anggaran", user=officer, today=TODAY)
    events = AuditEvent.objects.filter(pgh_obj_model="budgets.OtherSpend", pgh_obj_id=str(spend.pk)) \
        .order_by("pgh_created_at", "pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[1].pgh_data["cancel_reason"] == "Salah anggaran"


def test_an_outlet_from_the_registry_names_the_recipient_and_its_company(agency, officer):
    outlet = listed_eligible_outlet("Harian Registri")
    spend = record_other_spend(make_budget(agency), recipient="", outlet=outlet, user=officer)
    assert (spend.recipient, spend.outlet, spend.company) == ("Harian Registri", outlet, outlet.company)
    assert ORDER_DAY.year == 2026


def test_an_outlet_with_another_company_is_refused(agency, officer):
    outlet = listed_eligible_outlet("Harian Registri")
    other = listed_eligible_outlet("Harian Lain").company
    budget = make_budget(agency)
    assert refusal(lambda: record_other_spend(budget, outlet=outlet, company=other, user=officer))[0] == (
        "company_mismatch")
    assert not OtherSpend.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_orders_and_other_spend_never_overspend_together(price):
    """Threads racing for one budget, half placing orders and half recording spend outside the catalog: both
    lock the budget row, so exactly as much succeeds as fits and the figures are the sums of their rows."""
    from django.db.models import Sum

    from tests.test_order_concurrency import place as place_now
    from tests.test_order_concurrency import race

    budget = make_budget(make_agency(), amount=100_000_000)

    def work(n):
        try:
            if n % 2:
                return place_now(budget, price).amount
            return record_other_spend(budget, amount=10_000_000).amount
        except services.BudgetRefused as refusal:
            return refusal.code

    results, errors = race(work, threads=16)
    assert errors == []
    assert sorted(r for r in results if isinstance(r, str)) == ["over_budget"] * 6
    row = budget_row(budget)
    other = OtherSpend.objects.filter(budget=budget).aggregate(s=Sum("amount"))["s"] or 0
    assert row.other_spent_amount == other and row.ordered_amount == (budget.orders.aggregate(s=Sum("amount"))["s"]
                                                                       or 0)
    assert row.spent_total == 100_000_000 and row.remaining_amount == 0
