"""Proof deadlines (docs/domain.md "Proof deadlines"): the deadline per media type and print frequency, fixed on
the order; overdue proofs listed (order list, staff home, exceptions report) and reminded by e-mail once; a late
claim needs a reason and a second approver; an outlet with an overdue proof gets no new order from the agency
until it is resolved. Every refusal through the service, the admin and the API in the same words. On the pinned
ordinary day (Thursday 26 November 2026)."""

from __future__ import annotations

import datetime
import html
import uuid

import pytest
from django.urls import reverse

from budgets import services
from budgets.deadlines import DEFAULT_DEADLINES, ProofDeadlines, days_late, proof_deadline
from budgets.home_proofs import proof_panels
from budgets.models import FlagRule, MediaOrder, OrderFlag, OrderStatus, ProofReminder, ProofStatus
from budgets.proof_reminders import send_proof_reminders
from budgets.services import BudgetRefused
from mediareg.models import OutgoingMail
from partners.models import MediaType, PublicationFrequency
from tests.budget_helpers import (
    approved_price,
    budget_officer,
    listed_eligible_outlet,
    make_agency,
    make_budget,
    place,
    publish,
)
from tests.factories import StaffUserFactory
from tests.helpers import messages_of
from tests.helpers import text as folded
from tests.test_api_orders import Api

TODAY = datetime.date(2026, 11, 26)
ORDERED = datetime.date(2026, 11, 2)
ENDED = datetime.date(2026, 11, 9)  # online: proof due by 11 November, overdue on the pinned day
LIST = reverse("admin:budgets_mediaorder_changelist")
ADD = reverse("admin:budgets_mediaorder_add")

OVERDUE_EN = ("Kabar Martapura has a proof of publication overdue to this agency (order {pk}, proof due by Nov. 11, "
              "2026): no new order to it until the proof is sent or the order is cancelled.")
LATE_EN = ("The proof of publication was due by Nov. 11, 2026, 15 day(s) ago: a late claim needs the reason it is "
           "late, and a second approval before payment.")


# --- the rule, without a database ----------------------------------------------------------------------------

@pytest.mark.parametrize(("media_type", "frequency", "days"), [
    (MediaType.ONLINE, "", 2),
    (MediaType.PRINT, PublicationFrequency.DAILY, 2),
    (MediaType.PRINT, PublicationFrequency.WEEKLY, 7),
    (MediaType.PRINT, PublicationFrequency.MONTHLY, 10),
    (MediaType.PRINT, PublicationFrequency.OTHER, 7),
    (MediaType.PRINT, "", 7),
    (MediaType.TELEVISION, "", 7),
    (MediaType.RADIO, "", 7),
    (MediaType.ONLINE, PublicationFrequency.MONTHLY, 2),  # the frequency counts for print only
])
def test_the_deadline_is_days_after_the_service_ends_per_media_type_and_print_frequency(media_type, frequency, days):
    end = datetime.date(2026, 12, 28)
    assert proof_deadline(media_type, frequency, end) == end + datetime.timedelta(days=days)
    assert proof_deadline(media_type, frequency, end, DEFAULT_DEADLINES) == end + datetime.timedelta(days=days)


def test_an_agencys_own_days_replace_the_defaults():
    policy = ProofDeadlines(online=1, monthly_print=14, radio=3)
    end = datetime.date(2026, 12, 31)
    assert proof_deadline(MediaType.ONLINE, "", end, policy) == datetime.date(2027, 1, 1)
    assert proof_deadline(MediaType.PRINT, PublicationFrequency.MONTHLY, end, policy) == datetime.date(2027, 1, 14)
    assert proof_deadline(MediaType.RADIO, "", end, policy) == datetime.date(2027, 1, 3)
    assert days_late(datetime.date(2026, 11, 11), datetime.date(2026, 11, 26)) == 15
    assert days_late(datetime.date(2026, 11, 11), datetime.date(2026, 11, 10)) == 0
    assert days_late(None, datetime.date(2026, 11, 10)) == 0


# --- the world --------------------------------------------------------------------------------------------------

@pytest.fixture
def agency():
    return make_agency("Dinas Kominfo Banjar", slug="banjar")


@pytest.fixture
def officer(agency):
    return budget_officer(agency, "petugas.banjar", email="petugas@banjar.example")


@pytest.fixture
def outlet():
    outlet = listed_eligible_outlet("Kabar Martapura")
    outlet.email = "redaksi@kabarmartapura.example"
    outlet.save(update_fields=["email"])
    return outlet


@pytest.fixture
def price(outlet):
    return approved_price(outlet, unit_price=10_000_000, name="Advertorial 600 kata")


@pytest.fixture
def budget(agency):
    return make_budget(agency, amount=1_000_000_000)


@pytest.fixture
def overdue(budget, price, officer):
    """An order of 2 November whose service ended on the 9th: its proof was due by the 11th."""
    return place(budget, price, order_date=ORDERED, service_end=ENDED, user=officer)


def ppk(agency, username="ppk.banjar"):
    from budgets.models import AgencyStaff

    user = StaffUserFactory(username=username, groups=["PPK"])
    AgencyStaff.objects.create(user=user, agency=agency)
    return user


def refusal(call) -> tuple[str, str]:
    with pytest.raises(BudgetRefused) as refused:
        call()
    return refused.value.code, refused.value.messages[0]


def text(response) -> str:
    return html.unescape(folded(response))


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_order_keeps_its_deadline_from_the_agencys_rules_and_the_outlets_frequency(agency, budget, officer):
    weekly = listed_eligible_outlet("Tabloid Banjar")
    weekly.media_type, weekly.publication_frequency = MediaType.PRINT, PublicationFrequency.WEEKLY
    weekly.save()
    agency.proof_days_weekly_print = 5
    agency.save()
    order = place(budget, approved_price(weekly), order_date=ORDERED, service_end=ENDED, user=officer)
    assert order.proof_due_on == datetime.date(2026, 11, 14)
    # Fixed when placed: a later change of the rules leaves the order's deadline as it was.
    agency.proof_days_weekly_print = 30
    agency.save()
    order.refresh_from_db()
    assert order.proof_due_on == datetime.date(2026, 11, 14)


# --- a late claim ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_a_late_claim_without_a_reason_is_refused_by_the_service_the_admin_and_the_api(
        client, english, overdue, officer):
    code, message = refusal(lambda: services.order_publish(overdue, published_url="https://x.example/1",
                                                           user=officer, today=TODAY))
    assert code == "late_reason_required"
    with pytest.raises(BudgetRefused) as in_english:
        from django.utils import translation

        with translation.override("en"):
            services.order_publish(overdue, published_url="https://x.example/1", user=officer, today=TODAY)
    assert str(in_english.value.messages[0]) == LATE_EN

    client.force_login(officer)
    step = reverse("admin:budgets_mediaorder_step", args=[overdue.pk, "publish"])
    response = client.post(step, {"published_url": "https://x.example/1"})
    assert response.status_code == 200 and LATE_EN in text(response)

    response = Api(client, officer).post(f"/api/v1/orders/{overdue.pk}/publish/",
                                         {"published_url": "https://x.example/1"}, language="en")
    assert response.status_code == 400 and response.json()["non_field_errors"] == [LATE_EN]
    overdue.refresh_from_db()
    assert (overdue.status, overdue.proof_status, overdue.proof_filed_on) == (OrderStatus.COMMITTED, "", None)
    assert not OrderFlag.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_a_late_claim_with_its_reason_is_recorded_and_held_for_a_second_approver(client, english, overdue, officer,
                                                                                  agency):
    client.force_login(officer)
    step = reverse("admin:budgets_mediaorder_step", args=[overdue.pk, "publish"])
    response = client.post(step, {"published_url": "https://x.example/1",
                                  "late_reason": "Redaksi baru mengirim tangkapan layar."}, follow=True)
    assert any("after its deadline" in m and "second approval" in m for m in messages_of(response))
    overdue.refresh_from_db()
    assert (overdue.proof_status, overdue.proof_filed_on, overdue.proof_due_on) == (
        ProofStatus.PENDING, TODAY, datetime.date(2026, 11, 11))
    flag = OrderFlag.objects.get(order=overdue)
    assert (flag.rule, flag.reason, flag.raised_by, flag.waiting) == (
        FlagRule.LATE_PROOF, "Redaksi baru mengirim tangkapan layar.", officer, True)
    assert flag.detail["en"] == "Proof of publication filed on 2026-11-26, 15 day(s) after its deadline of 2026-11-11."
    # The order's page says when the proof was due and filed.
    assert "filed on Nov. 26, 2026 (15 days late)" in text(client.get(
        reverse("admin:budgets_mediaorder_change", args=[overdue.pk])))
    # Accepted, it is still not paid until someone else approves the late claim.
    services.order_review_proof(overdue, accept=True, user=officer)
    code, _message = refusal(lambda: services.order_pay(overdue, paid_on=TODAY, reference="SP2D 1", user=officer))
    assert code == "flag_waiting"
    services.order_flag_approve(flag, user=ppk(agency), reason="Tayang tepat waktu; bukti di arsip situs.")
    assert services.order_pay(overdue, paid_on=TODAY, reference="SP2D 1", user=officer).status == OrderStatus.PAID


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_a_late_claim_through_the_api_with_its_reason_is_held(client, overdue, officer):
    response = Api(client, officer).post(f"/api/v1/orders/{overdue.pk}/publish/", {
        "published_url": "https://x.example/1", "late_reason": "Terlambat karena libur."})
    assert response.status_code == 200, response.content
    assert (response.json()["proof_due_on"], response.json()["proof_filed_on"]) == ("2026-11-11", "2026-11-26")
    assert OrderFlag.objects.get(order=overdue).reason == "Terlambat karena libur."


# --- an overdue proof blocks new orders to the outlet --------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_an_overdue_proof_refuses_a_new_order_through_the_service_the_admin_and_the_api(
        client, english, overdue, officer, budget, price):
    expected = OVERDUE_EN.format(pk=overdue.pk)
    from django.utils import translation

    with translation.override("en"):
        code, message = refusal(lambda: place(budget, price, order_date=TODAY, user=officer, today=TODAY))
    assert (code, message) == ("proof_overdue", expected)

    client.force_login(officer)
    response = client.post(ADD, {
        "budget": budget.pk, "price_item": price.pk, "quantity": "1", "order_date": TODAY.isoformat(),
        "service_start": TODAY.isoformat(), "service_end": TODAY.isoformat(), "amount": "", "override_reason": "",
        "placement_key": str(uuid.uuid4())})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [str(e) for e in form.non_field_errors()] == [expected]

    response = Api(client, officer).post("/api/v1/orders/", {
        "budget": budget.pk, "price_item": price.pk, "quantity": 1, "order_date": TODAY.isoformat(),
        "service_start": TODAY.isoformat(), "service_end": TODAY.isoformat()}, language="en")
    assert response.status_code == 400 and response.json()["non_field_errors"] == [expected]
    assert MediaOrder.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_block_is_per_agency_and_outlet_and_lasts_until_the_proof_is_sent_or_the_order_cancelled(
        overdue, officer, budget, price, agency):
    other_outlet = approved_price(listed_eligible_outlet("Warta Lain"))
    assert place(budget, other_outlet, order_date=TODAY, user=officer, today=TODAY)  # another outlet: placed
    province = make_agency("Dinas Kominfo Provinsi")
    assert place(make_budget(province), price, order_date=TODAY, today=TODAY)  # another agency: placed
    # Before its deadline the proof is not overdue yet.
    assert place(budget, price, order_date=datetime.date(2026, 11, 10), user=officer,
                 today=datetime.date(2026, 11, 11), service_end=datetime.date(2026, 11, 25))
    again = lambda: place(budget, price, order_date=TODAY, user=officer, today=TODAY)  # noqa: E731
    code, message = refusal(again)
    assert code == "proof_overdue" and f"order {overdue.pk}" in message

    # Sent late with a reason: resolved (waiting for review), the outlet may receive orders again.
    publish(overdue, user=officer, today=TODAY, late_reason="Terlambat")
    assert again().pk
    # Rejected: unresolved again, the deadline having passed.
    services.order_review_proof(overdue, accept=False, user=officer, reason="Tautan mati")
    assert refusal(again)[0] == "proof_overdue"
    # Cancelled: resolved.
    services.order_cancel(overdue, reason="Tidak tayang", user=officer, today=TODAY)
    assert again().pk


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_control_reads_one_query_whatever_the_number_of_orders(overdue, officer, budget, price,
                                                                    django_assert_num_queries):
    from budgets.controls import OrderDraft
    from budgets.controls.overdue_proof import overdue_proof

    for _n in range(5):
        place(budget, price, order_date=ORDERED, service_end=ENDED, user=officer, today=ORDERED)
    draft = OrderDraft(budget=budget, outlet=price.outlet, price_item=price, quantity=1, unit_price=1, amount=1,
                       order_date=TODAY, today=TODAY)
    with django_assert_num_queries(1), pytest.raises(BudgetRefused) as refused:
        overdue_proof(draft)
    assert "and more" in refused.value.messages[0]


# --- listed: the order list, the staff home, the exceptions report -------------------------------------------

@pytest.fixture
def listed(overdue, officer, budget, price, outlet):
    """Besides the overdue order: one whose proof was rejected after its deadline, one on time, one filed late
    with its reason, one cancelled; and another agency's overdue order."""
    rejected = place(budget, price, order_date=ORDERED, service_end=datetime.date(2026, 11, 10), user=officer,
                     today=ORDERED)
    services.order_review_proof(publish(rejected, user=officer), accept=False, user=officer, reason="Buram")
    on_time = place(budget, price, order_date=ORDERED, service_end=datetime.date(2026, 11, 25), user=officer,
                    today=ORDERED)
    late = place(budget, price, order_date=ORDERED, service_end=datetime.date(2026, 11, 3), user=officer,
                 today=ORDERED)
    publish(late, user=officer, today=datetime.date(2026, 11, 8), late_reason="Server redaksi rusak")
    cancelled = place(budget, price, order_date=ORDERED, service_end=ENDED, user=officer, today=ORDERED)
    services.order_cancel(cancelled, reason="Batal", user=officer, today=ORDERED)
    elsewhere = place(make_budget(make_agency("Dinas Kominfo Provinsi")), price, order_date=ORDERED,
                      service_end=ENDED, today=ORDERED)
    return {"overdue": overdue, "rejected": rejected, "on_time": on_time, "late": late, "elsewhere": elsewhere}


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_order_list_filters_overdue_and_late_proofs_and_shows_the_deadline(client, english, listed, officer):
    client.force_login(officer)
    rows = lambda **params: set(client.get(LIST, params).context["cl"].result_list)  # noqa: E731
    assert rows(proof_deadline="overdue") == {listed["overdue"], listed["rejected"]}
    assert rows(proof_deadline="late") == {listed["late"]}
    body = client.get(LIST, {"proof_deadline": "overdue"}).content.decode()
    assert "Proof overdue by 15 days" in body and "Proof overdue by 14 days" in body
    client.force_login(StaffUserFactory(is_superuser=True))
    assert rows(proof_deadline="overdue") == {listed["overdue"], listed["rejected"], listed["elsewhere"]}


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_api_lists_overdue_proofs(client, listed, officer):
    response = Api(client, officer).get("/api/v1/orders/?proof_overdue=true")
    assert {row["id"] for row in response.json()["results"]} == {listed["overdue"].pk, listed["rejected"].pk}


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_staff_home_panel_lists_overdue_proofs_of_the_users_agency(client, english, listed, officer, auditor):
    panel = {p["id"]: p for p in proof_panels(officer, TODAY)}["home-proofs-overdue"]
    assert panel["count"] == 2 and not panel["show_agency"]
    assert [(o.pk, o.days_overdue) for o in panel["rows"]] == [(listed["overdue"].pk, 15),
                                                               (listed["rejected"].pk, 14)]
    assert panel["url"].endswith("?proof_deadline=overdue")
    every = {p["id"]: p for p in proof_panels(auditor, TODAY)}["home-proofs-overdue"]
    assert every["count"] == 3 and every["show_agency"]
    assert proof_panels(StaffUserFactory(groups=["Verifikator"]), TODAY) == []
    client.force_login(officer)
    home = text(client.get(reverse("admin:index")))
    assert "Proof overdue" in home and "Kabar Martapura" in home


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_panel_takes_one_query_for_one_or_many_overdue_proofs(overdue, officer, budget, price,
                                                                  django_assert_num_queries):
    officer.has_perm("budgets.view_mediaorder")  # permissions cached, as on a page
    from budgets.services import agency_of

    agency_of(officer)
    with django_assert_num_queries(1):
        assert proof_panels(officer, TODAY)[0]["count"] == 1
    for _n in range(30):
        place(budget, price, order_date=ORDERED, service_end=ENDED, user=officer, today=ORDERED)
    with django_assert_num_queries(1):
        assert proof_panels(officer, TODAY)[0]["count"] == 31


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_exceptions_report_lists_overdue_proofs_and_proofs_filed_late(client, listed, auditor):
    from tests.test_reports_budgets import findings

    rows = [r for r in findings(client, auditor) if r["check (code)"].startswith("proof_")]
    found = {(r["check (code)"], int(r["number"])): r for r in rows}
    assert set(found) == {("proof_overdue", listed["overdue"].pk), ("proof_overdue", listed["rejected"].pk),
                          ("proof_overdue", listed["elsewhere"].pk), ("proof_filed_late", listed["late"].pk)}
    assert found[("proof_overdue", listed["overdue"].pk)]["detail"] == (
        "Service ended on 2026-11-09; proof due by 2026-11-11, 15 day(s) overdue on 2026-11-26. Proof: No proof "
        "yet. Order status: Committed.")
    assert found[("proof_filed_late", listed["late"].pk)]["detail"] == (
        "Proof filed on 2026-11-08, 3 day(s) after its deadline of 2026-11-05. Reason given: Server redaksi rusak. "
        "Second approval: not given yet. Order status: Published.")
    assert found[("proof_overdue", listed["overdue"].pk)]["outlet"] == "Kabar Martapura"


# --- reminded by e-mail, once ----------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_a_reminder_the_day_before_and_a_notice_when_overdue_each_once(budget, price, officer, outlet):
    order = place(budget, price, order_date=ORDERED, service_end=datetime.date(2026, 11, 25), user=officer,
                  today=ORDERED)  # due by 27 November
    assert order.proof_due_on == datetime.date(2026, 11, 27)
    summary = send_proof_reminders(TODAY)
    assert (summary.due, summary.overdue) == (1, 0)
    mail = OutgoingMail.objects.get()
    assert mail.recipients == ["redaksi@kabarmartapura.example", "petugas@banjar.example"]
    assert "27 November 2026" in mail.subject and "due by 27 November 2026 (tomorrow)" in mail.body
    # The job again the same day, or the next day: nothing new.
    assert send_proof_reminders(TODAY).due == 0
    assert send_proof_reminders(datetime.date(2026, 11, 27)).due == 0
    assert OutgoingMail.objects.count() == 1
    # Overdue: one notice, however often the job runs.
    assert send_proof_reminders(datetime.date(2026, 11, 28)).overdue == 1
    assert send_proof_reminders(datetime.date(2026, 11, 29)).overdue == 0
    assert OutgoingMail.objects.count() == 2
    notice = OutgoingMail.objects.latest("pk")
    assert "Bukti tayang terlambat" in notice.subject and "cannot receive a new order" in notice.body
    assert ProofReminder.objects.filter(order=order).count() == 2
    # A proof sent: nothing more to remind of.
    publish(order, user=officer, today=datetime.date(2026, 11, 29), late_reason="Terlambat")
    send_proof_reminders(datetime.date(2026, 11, 30))
    assert OutgoingMail.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_the_reminder_job_reads_with_a_fixed_number_of_queries(budget, officer):
    """Claims and recipients in a fixed number of queries; each mail is its one outbox row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from budgets.tasks import send_proof_reminders as task

    def orders(n, day):
        for i in range(n):
            outlet = listed_eligible_outlet(f"Warta {day.day} {i}")
            place(budget, approved_price(outlet), order_date=ORDERED, service_end=day, user=officer, today=ORDERED)

    orders(1, datetime.date(2026, 11, 25))
    with CaptureQueriesContext(connection) as one:
        assert task.apply(kwargs={"day": TODAY.isoformat()}).get()["due"] == 1
    orders(12, datetime.date(2026, 11, 26))  # due on the 28th: reminded on the 27th
    with CaptureQueriesContext(connection) as twelve:
        assert task.apply(kwargs={"day": "2026-11-27"}).get()["due"] == 12
    assert len(twelve) - len(one) == 11, (len(one), len(twelve))
    assert task.apply(kwargs={"day": "2026-11-27"}).get()["due"] == 0


# --- the outlet's publication frequency -----------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.usefixtures("ordinary_day")
def test_a_print_outlets_frequency_is_a_field_of_its_page_and_of_the_api(client, auditor):
    from django.db import IntegrityError, transaction

    from partners import services as registry
    from tests.test_api_registry import get

    outlet = listed_eligible_outlet("Tabloid Martapura")
    client.force_login(StaffUserFactory(is_superuser=True))
    url = reverse("admin:partners_mediaoutlet_change", args=[outlet.pk])
    form = client.get(url).context["adminform"].form
    assert "publication_frequency" in form.fields
    outlet.media_type, outlet.publication_frequency = MediaType.PRINT, PublicationFrequency.WEEKLY
    registry.outlet_save(outlet, changed=["media_type", "publication_frequency"])
    body = get(client, f"outlets/{outlet.pk}/", auditor).json()
    assert (body["media_type"], body["publication_frequency"]) == ("print", "weekly")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's CHECK: a frequency of the list
        type(outlet).objects.filter(pk=outlet.pk).update(publication_frequency="yearly")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_queue_each_reminder_once():
    """Two beats or a redelivered task running together: the claims and the row locks let one of them queue
    the mail, the other nothing."""
    import threading

    from django.db import connection

    agency = make_agency("Dinas Kominfo Balapan")
    budget = make_budget(agency, amount=1_000_000_000)
    budget_officer(agency, "petugas.balapan", email="petugas@balapan.example")
    for n in range(5):
        place(budget, approved_price(listed_eligible_outlet(f"Warta Balapan {n}")), order_date=ORDERED,
              service_end=datetime.date(2026, 11, 25), today=ORDERED)
    start, results, errors = threading.Barrier(4), [], []

    def run():
        try:
            start.wait()
            results.append(send_proof_reminders(TODAY).due)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sum(results) == 5
    assert OutgoingMail.objects.count() == 5 and ProofReminder.objects.filter(sent_at__isnull=False).count() == 5
