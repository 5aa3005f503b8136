"""Placing, publishing, paying and cancelling media orders, and revising budgets, through the services
every caller uses (budgets.services): each refusal names its reason, and what the database keeps
(amounts, the eligibility snapshot, the audit trail) is what the rules say."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation

from budgets import services
from budgets.models import Budget, BudgetRevision, MediaOrder, OrderStatus, ProofStatus, RevisionReason
from catalog import lifecycle
from catalog.models import ListingState
from mediareg.models import AuditEvent
from tests.budget_helpers import (
    ORDER_DAY,
    SERVICE_UNTIL,
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    publish,
)
from tests.catalog_helpers import listed_outlet
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ordinary_day")]

TODAY = datetime.date(2026, 11, 26)


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
def outlet():
    return listed_eligible_outlet("Warta Uji")


@pytest.fixture
def price(outlet):
    return approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")


def refusal(call) -> tuple[str, str]:
    with pytest.raises(services.BudgetRefused) as caught:
        call()
    return caught.value.code, caught.value.messages[0]


def budget_row(budget) -> Budget:
    return Budget.objects.get(pk=budget.pk)


# --- placing ------------------------------------------------------------------------------------------

def test_an_order_takes_the_approved_price_and_keeps_what_the_catalog_said_that_day(agency, officer, price):
    budget = make_budget(agency, amount=100_000_000)
    order = place(budget, price, quantity=3, user=officer, ecatalog_reference="EK-2026-001")

    assert (order.amount, order.unit_price, order.status) == (30_000_000, 10_000_000, OrderStatus.COMMITTED)
    assert order.eligible_on_order_date is True
    assert order.listing_state_on_order_date == ListingState.LISTED
    assert order.eligibility_outcomes and all(o["passed"] for o in order.eligibility_outcomes)
    assert order.created_by == officer
    row = budget_row(budget)
    assert (row.ordered_amount, row.paid_amount, row.remaining_amount) == (30_000_000, 0, 70_000_000)


def test_an_outlet_suspended_after_the_order_keeps_the_orders_snapshot(agency, officer, price, outlet):
    order = place(make_budget(agency), price, user=officer)
    lifecycle.suspend(outlet.listing, user=StaffUserFactory(is_superuser=True), reason="Sanksi etik")

    order.refresh_from_db()
    assert order.eligible_on_order_date is True
    assert order.listing_state_on_order_date == ListingState.LISTED
    # A new order dated after the suspension is refused, naming the state.
    code, message = refusal(lambda: place(order.budget, price, order_date=TODAY, user=officer))
    assert code == "not_listed" and "Suspended" in message


def test_spending_policy_off_refuses_every_order(agency, officer, price):
    budget = make_budget(agency, spending_allowed=False, policy_reference="Ingub 12/2026")
    code, message = refusal(lambda: place(budget, price, user=officer))
    assert code == "policy_off"
    assert "Media spending is off" in message and "Ingub 12/2026" in message


def test_switching_the_policy_off_later_stops_new_orders_but_keeps_placed_ones(agency, officer, price):
    budget = make_budget(agency)
    first = place(budget, price, user=officer)
    services.budget_set_policy(budget, spending_allowed=False, reference="SE Gubernur 5/2026", user=officer)
    assert refusal(lambda: place(budget, price, user=officer))[0] == "policy_off"
    first.refresh_from_db()
    assert first.status == OrderStatus.COMMITTED
    assert refusal(lambda: services.budget_set_policy(budget, spending_allowed=True, reference=" ",
                                                       user=officer))[0] == "policy_reference_required"


def test_an_outlet_not_listed_on_the_order_date_is_refused(agency, officer, price):
    budget = make_budget(agency)
    code, message = refusal(lambda: place(budget, price, order_date=datetime.date(2026, 8, 1), user=officer))
    assert code == "not_listed"
    assert "Warta Uji was not listed in the e-catalog on" in message and "no listing" in message


def test_an_outlet_listed_but_not_eligible_on_the_order_date_is_refused(agency, officer):
    never_evaluated = listed_outlet("Kabar Tanpa Dokumen")
    price = approved_price(never_evaluated)
    code, message = refusal(lambda: place(make_budget(agency), price, user=officer))
    assert code == "not_eligible"
    assert "Kabar Tanpa Dokumen was not eligible on" in message


def test_the_order_date_must_be_in_the_budgets_year_and_not_in_the_future(agency, officer, outlet):
    price = approved_price(outlet, valid_from=datetime.date(2025, 1, 1))
    last_year = make_budget(agency, year=2025)
    code, message = refusal(lambda: place(last_year, price, user=officer))
    assert code == "outside_year" and "outside the budget's year 2025" in message
    this_year = make_budget(agency, year=2026)
    assert refusal(lambda: place(this_year, price, order_date=TODAY + datetime.timedelta(days=1),
                                 user=officer, today=TODAY))[0] == "future_date"
    assert refusal(lambda: place(this_year, price, service_start=ORDER_DAY - datetime.timedelta(days=1),
                                 user=officer))[0] == "service_before_order"


def test_a_price_not_approved_or_not_valid_that_day_is_refused(agency, officer, outlet):
    budget = make_budget(agency)
    waiting = services.price_submit(outlet, kind="banner", name="Banner 300x250", unit_price=2_000_000,
                                    valid_from=datetime.date(2026, 1, 1))
    code, message = refusal(lambda: place(budget, waiting, user=officer))
    assert code == "price_not_approved" and "Banner 300x250" in message
    ended = approved_price(outlet, name="Video 60 detik", valid_from=datetime.date(2026, 1, 1),
                           valid_until=datetime.date(2026, 6, 30))
    assert refusal(lambda: place(budget, ended, user=officer))[0] == "price_not_valid"


def test_an_order_over_the_remaining_budget_is_refused_with_the_figures(agency, officer, price):
    budget = make_budget(agency, amount=25_000_000)
    place(budget, price, quantity=2, user=officer)
    code, message = refusal(lambda: place(budget, price, user=officer))
    assert code == "over_budget"
    assert message == ("This order of Rp 10.000.000 exceeds the budget: Rp 5.000.000 of Rp 25.000.000 remains "
                       "(Rp 20.000.000 is already ordered).")
    assert budget_row(budget).ordered_amount == 20_000_000
    # Exactly what remains still fits.
    place(budget, price, amount=5_000_000, override_reason="Sisa pagu, negosiasi", user=officer)
    assert budget_row(budget).remaining_amount == 0


def test_a_different_amount_needs_a_reason(agency, officer, price):
    budget = make_budget(agency)
    assert refusal(lambda: place(budget, price, quantity=2, amount=18_000_000, user=officer))[0] == \
        "override_reason_required"
    order = place(budget, price, quantity=2, amount=18_000_000, override_reason="Diskon 10% hasil negosiasi",
                  user=officer)
    assert (order.amount, order.unit_price, order.override_reason) == (18_000_000, 10_000_000,
                                                                       "Diskon 10% hasil negosiasi")
    for bad in (0, -5, 1.5, "1e6"):
        wrong = refusal(lambda bad=bad: place(budget, price, amount=bad, override_reason="x", user=officer))
        assert wrong[0] == "not_whole"


def test_the_same_request_is_recorded_once(agency, officer, price):
    budget = make_budget(agency)
    key = uuid.uuid4()
    first = place(budget, price, request_key=key, user=officer)
    again = place(budget, price, request_key=str(key), user=officer)
    assert again.pk == first.pk
    assert MediaOrder.objects.count() == 1
    assert budget_row(budget).ordered_amount == 10_000_000


def test_another_agencys_staff_can_neither_order_on_nor_change_its_budget(agency, price):
    budget = make_budget(agency)
    stranger = budget_officer(make_agency("Diskominfo Kabupaten Lain"))
    assert refusal(lambda: place(budget, price, user=stranger))[0] == "other_agency"
    order = place(budget, price, user=budget_officer(agency))
    for call in (lambda: services.order_cancel(order, reason="x", user=stranger),
                 lambda: services.order_publish(order, published_url="https://x.example/a", user=stranger),
                 lambda: services.budget_revise(budget, amount_after=1, reason=RevisionReason.OTHER, reference="x",
                                                revised_on=TODAY, user=stranger),
                 lambda: services.budget_set_policy(budget, spending_allowed=False, reference="x", user=stranger)):
        assert refusal(call)[0] == "other_agency"
    unattached = StaffUserFactory(groups=["Petugas Anggaran"])
    assert refusal(lambda: place(budget, price, user=unattached))[0] == "other_agency"


# --- proof, payment, cancelling ---------------------------------------------------------------------------

def test_payment_needs_accepted_proof_and_does_not_change_the_ordered_amount(agency, officer, price, pdf_upload):
    budget = make_budget(agency)
    order = place(budget, price, quantity=2, user=officer, service_end=SERVICE_UNTIL)
    pay = lambda: services.order_pay(order, paid_on=TODAY, reference="SP2D 00123/2026", user=officer)  # noqa: E731

    code, message = refusal(pay)
    assert code == "proof_not_accepted" and "Payment needs accepted proof" in message
    services.order_publish(order, published_url="https://wartauji.example/berita/1", proof_file=pdf_upload,
                           user=officer)
    assert refusal(pay)[0] == "proof_not_accepted"  # waiting for review
    services.order_review_proof(order, accept=False, user=officer, reason="Tangkapan layar tidak terbaca")
    assert refusal(pay)[0] == "proof_not_accepted"
    services.order_publish(order, published_url="https://wartauji.example/berita/1", user=officer)
    services.order_review_proof(order, accept=True, user=officer)
    paid = pay()

    assert (paid.status, paid.paid_on, paid.payment_reference) == (OrderStatus.PAID, TODAY, "SP2D 00123/2026")
    assert paid.proof_file.name.startswith("proofs/") and "akta" not in paid.proof_file.name
    row = budget_row(budget)
    assert (row.ordered_amount, row.paid_amount, row.committed_amount) == (20_000_000, 20_000_000, 0)
    assert row.absorption == pytest.approx(0.02)
    assert refusal(pay)[0] == "already_paid"
    assert refusal(lambda: services.order_cancel(paid, reason="x", user=officer))[0] == "already_paid"


def test_proof_is_a_pdf_or_an_image_by_its_content(agency, officer, price):
    order = place(make_budget(agency), price, user=officer)
    fake = SimpleUploadedFile("bukti.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    code, message = refusal(lambda: services.order_publish(order, proof_file=fake, user=officer))
    assert code == "proof_file" and "PDF, JPEG and PNG" in message
    assert refusal(lambda: services.order_publish(order, user=officer))[0] == "proof_required"
    order.refresh_from_db()
    assert (order.status, order.proof_status) == (OrderStatus.COMMITTED, ProofStatus.NONE)


def test_the_payment_date_lies_between_the_order_date_and_today(agency, officer, price):
    order = place(make_budget(agency), price, user=officer, service_end=SERVICE_UNTIL)
    services.order_publish(order, published_url="https://x.example/1", user=officer)
    services.order_review_proof(order, accept=True, user=officer)
    for day in (ORDER_DAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)):
        assert refusal(lambda day=day: services.order_pay(order, paid_on=day, reference="SP2D 1", user=officer,
                                                  today=TODAY))[0] == "paid_on_invalid"
    assert refusal(lambda: services.order_pay(order, paid_on=TODAY, reference=" ", user=officer))[0] == \
        "reference_required"


def test_cancelling_frees_the_amount_once(agency, officer, price):
    budget = make_budget(agency, amount=20_000_000)
    order = place(budget, price, quantity=2, user=officer)
    assert refusal(lambda: place(budget, price, user=officer))[0] == "over_budget"
    assert refusal(lambda: services.order_cancel(order, reason="", user=officer))[0] == "reason_required"
    services.order_cancel(order, reason="Kegiatan dibatalkan", user=officer, today=TODAY)
    assert budget_row(budget).ordered_amount == 0
    assert refusal(lambda: services.order_cancel(order, reason="lagi", user=officer))[0] == "already_cancelled"
    assert budget_row(budget).ordered_amount == 0
    place(budget, price, quantity=2, user=officer)  # the freed amount can be ordered again
    assert budget_row(budget).ordered_amount == 20_000_000


def test_the_database_refuses_an_overspent_budget_or_a_payment_without_proof(agency, officer, price):
    budget = make_budget(agency, amount=10_000_000)
    order = place(budget, price, user=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(ordered_amount=10_000_001)
    with pytest.raises(IntegrityError), transaction.atomic():
        MediaOrder.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_on=TODAY, payment_reference="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        MediaOrder.objects.filter(pk=order.pk).update(amount=1)  # not quantity × price, and no reason


def test_every_state_change_of_an_order_is_in_the_audit_trail(agency, officer, price):
    from pghistory import context

    order = place(make_budget(agency), price, user=officer, service_end=SERVICE_UNTIL)
    with context(user=officer.pk):
        services.order_publish(order, published_url="https://x.example/1", user=officer)
        services.order_review_proof(order, accept=True, user=officer)
        services.order_pay(order, paid_on=TODAY, reference="SP2D 7", user=officer)
    events = AuditEvent.objects.filter(pgh_obj_model="budgets.MediaOrder", pgh_obj_id=str(order.pk)) \
        .order_by("pgh_created_at", "pgh_id")
    statuses = [(e.pgh_label, (e.pgh_data or {}).get("status")) for e in events]
    assert statuses[0] == ("insert", "committed")
    assert ("update", "paid") in statuses and ("update", "published") in statuses
    assert {e.user_id for e in events if e.pgh_label == "update"} == {officer.pk}


# --- budgets and revisions --------------------------------------------------------------------------------

def test_a_budget_is_never_revised_below_what_its_orders_hold(agency, officer, price):
    budget = make_budget(agency, amount=100_000_000)
    place(budget, price, quantity=4, user=officer)
    code, message = refusal(lambda: services.budget_revise(
        budget, amount_after=39_999_999, reason=RevisionReason.REFOCUSING, reference="SKB Mendagri-Menkeu",
        revised_on=TODAY, user=officer))
    assert code == "below_committed"
    assert "Rp 40.000.000 is ordered" in message
    revision = services.budget_revise(budget, amount_after=40_000_000, reason=RevisionReason.REFOCUSING,
                                      reference="DPPA 2026", revised_on=TODAY, note="Refocusing", user=officer)
    assert (revision.amount_before, revision.amount_after, revision.created_by) == (100_000_000, 40_000_000, officer)
    row = budget_row(budget)
    assert (row.original_amount, row.current_amount, row.remaining_amount) == (100_000_000, 40_000_000, 0)
    assert refusal(lambda: place(budget, price, user=officer))[0] == "over_budget"


def test_revisions_chain_and_are_only_ever_added(agency, officer):
    budget = make_budget(agency, amount=15_000_000_000)
    services.budget_revise(budget, amount_after=7_000_000_000, reason=RevisionReason.REFOCUSING,
                           reference="SKB 119/2813/SJ", revised_on=datetime.date(2026, 4, 20), user=officer)
    services.budget_revise(budget, amount_after=8_000_000_000, reason=RevisionReason.AMENDMENT,
                           reference="Perda APBD-P 2026", revised_on=datetime.date(2026, 9, 30), user=officer)
    chain = [(r.amount_before, r.amount_after) for r in budget.revisions.all()]
    assert chain == [(15_000_000_000, 7_000_000_000), (7_000_000_000, 8_000_000_000)]
    revision = budget.revisions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRevision.objects.filter(pk=revision.pk).update(amount_after=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        revision.delete()
    officer.delete()  # the only change allowed: the account that entered it is gone
    assert BudgetRevision.objects.filter(created_by__isnull=True).count() == 2
    assert refusal(lambda: services.budget_revise(
        budget, amount_after=1, reason=RevisionReason.OTHER, reference="x",
        revised_on=datetime.date(2025, 12, 31)))[0] == "date_outside_year"
    assert refusal(lambda: services.budget_revise(
        budget, amount_after=8_000_000_000, reason=RevisionReason.OTHER, reference="x", revised_on=TODAY))[0] == \
        "unchanged"


def test_one_budget_per_agency_and_year(agency, officer):
    make_budget(agency, year=2026)
    code, message = refusal(lambda: make_budget(agency, year=2026, user=officer))
    assert code == "duplicate_year" and "already has a budget for 2026" in message


# --- prices ----------------------------------------------------------------------------------------------

def test_a_price_change_never_alters_past_orders(agency, officer, outlet):
    reviewer = StaffUserFactory(is_superuser=True)
    old = approved_price(outlet, unit_price=10_000_000, name="Advertorial", valid_from=datetime.date(2026, 1, 1))
    budget = make_budget(agency)
    earlier = place(budget, old, quantity=2, user=officer)
    new = services.price_submit(outlet, kind="advertorial", name="Advertorial", unit_price=12_500_000,
                                valid_from=datetime.date(2026, 10, 1))
    services.price_approve(new, user=reviewer)

    old.refresh_from_db()
    assert old.valid_until == datetime.date(2026, 9, 30)
    earlier.refresh_from_db()
    assert (earlier.unit_price, earlier.amount) == (10_000_000, 20_000_000)
    assert refusal(lambda: place(budget, old, order_date=datetime.date(2026, 10, 5), user=officer))[0] == \
        "price_not_valid"
    publish(earlier)  # on time: the outlet owes this agency no proof when the later order is placed
    later = place(budget, new, quantity=2, order_date=datetime.date(2026, 10, 5), user=officer)
    assert later.amount == 25_000_000
    # An approved price is never approved again, and a price starting before an approved one is refused.
    assert refusal(lambda: services.price_approve(new, user=reviewer))[0] == "not_submitted"
    backdated = services.price_submit(outlet, kind="advertorial", name="Advertorial", unit_price=9_000_000,
                                      valid_from=datetime.date(2026, 9, 1))
    assert refusal(lambda: services.price_approve(backdated, user=reviewer))[0] == "overlaps_later"


def test_only_an_outlet_in_the_catalog_has_a_price_list():
    applicant = listed_outlet("Pemohon Baru", state=ListingState.UNDER_REVIEW)
    code, _message = refusal(lambda: services.price_submit(applicant, kind="banner", name="Banner", unit_price=1,
                                                           valid_from=TODAY))
    assert code == "not_listed"


def test_a_rejected_price_says_why(outlet):
    item = services.price_submit(outlet, kind="banner", name="Banner", unit_price=3_000_000, valid_from=TODAY)
    reviewer = StaffUserFactory(is_superuser=True)
    assert refusal(lambda: services.price_reject(item, user=reviewer, reason=""))[0] == "reason_required"
    rejected = services.price_reject(item, user=reviewer, reason="Di atas harga pasar")
    assert (rejected.status, rejected.review_reason) == ("rejected", "Di atas harga pasar")


def test_the_same_price_sent_twice_while_it_waits_is_one_item(outlet):
    def send():
        return services.price_submit(outlet, kind="banner", name="Banner", unit_price=3_000_000, valid_from=TODAY)

    assert send().pk == send().pk
    assert outlet.price_items.filter(status="submitted").count() == 1
