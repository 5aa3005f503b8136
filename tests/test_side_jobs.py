"""Nothing saved is lost or half-done because a side job failed (issue 7): re-checks, e-mails and
notices are queued after commit, a refused broker or a mail server that is down never fails a saved
request, and what could not be done is marked for the sweeps (catalog.pending, mediareg.outbox).

Outside failures are made from outside: the broker by kombu's publish refusing as it does when Redis is
down, the cache and the mail server by settings pointing at a closed port, and a mail server refusing
recipients by a mail backend double. Everything between the request and those is the real code,
against PostgreSQL and Redis, with a real Celery worker where it matters.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import kombu.exceptions
import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connections
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from catalog import applications, pending
from catalog.models import (
    Application,
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    ListingState,
    PendingRecheck,
    Trigger,
)
from catalog.renewal import renewal_token
from catalog.signals import queue_recheck
from catalog.tasks import recheck_pending_outlets
from mediareg import outbox, outbox_sending
from mediareg.celery import app as celery_app
from mediareg.models import OutgoingMail
from mediareg.tasks import send_pending_mail
from partners.models import Document, DocumentKind, ReviewStatus
from tests.apply_helpers import APPLY, form_data, form_files, stored_files, text_of
from tests.catalog_helpers import eligible_outlet, make_application
from tests.factories import (
    DocumentFactory,
    KbliCodeFactory,
    MediaOutletFactory,
    ProvinceFactory,
    StaffUserFactory,
)
from tests.helpers import Broker, celery_conf, closed_port, wait_for

SENT, PENDING, FAILED = OutgoingMail.Status.SENT, OutgoingMail.Status.PENDING, OutgoingMail.Status.FAILED

pytestmark = pytest.mark.usefixtures("ordinary_day", "fresh_rate_limit", "english")


# --- outside failures ------------------------------------------------------------------------------

@contextlib.contextmanager
def broker_refusing():
    """Every publish fails the way kombu fails when Redis is down (after its own connection retries)."""
    refused = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("kombu.messaging.Producer.publish", side_effect=refused) as publish:
        yield publish


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = (
        "127.0.0.1", closed_port(), False, 5)
    return settings


def mail_server_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class RecipientsRefusingBackend(locmem.EmailBackend):
    """A mail server that refuses every recipient of a message (a permanent error)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.invalid": (550, b"5.1.1 No such user")})


@pytest.fixture
def not_eager():
    with celery_conf(task_always_eager=False):
        yield


def later(minutes: int):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)


def mail_rows() -> list[tuple[str, str]]:
    return sorted(OutgoingMail.objects.values_list("kind", "status"))


# --- A1: a refused broker after commit -------------------------------------------------------------

@pytest.mark.django_db
def test_a_broker_refusing_the_side_jobs_after_commit_keeps_the_application_its_files_and_page(
        client, staff_member, not_eager, django_capture_on_commit_callbacks, private_document_storage,
        mailoutbox, caplog):
    with broker_refusing() as publish, django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, {**form_data(), **form_files()})

    assert publish.call_count == 3  # the re-check, the receipt, the staff notice: each refused
    assert response.status_code == 302
    application = Application.objects.get()
    assert client.get(response["Location"]).status_code == 200
    documents = list(Document.objects.all())
    assert len(documents) == 7 and len(stored_files(private_document_storage)) == 7
    assert all((private_document_storage / document.file.name).is_file() for document in documents)
    assert list(PendingRecheck.objects.values_list("outlet_id", "trigger")) == [
        (application.outlet_id, Trigger.APPLICATION)]
    assert not Eligibility.objects.filter(outlet=application.outlet_id).exists()
    assert mail_rows() == [("application_received", PENDING), ("application_staff_notice", PENDING)]
    assert mailoutbox == []
    assert "could not be queued; the periodic sweep will do it" in caplog.text

    # The broker is back; the sweeps take what is older than a few minutes (beat sends them every 5).
    assert recheck_pending_outlets.apply().result["checked"] == 0  # too fresh: its task may still come
    with later(minutes=3):
        assert recheck_pending_outlets.apply().result["checked"] == 1
        assert send_pending_mail.apply().result == {"sent": 2, "failed": 0, "retry_later": 0, "skipped": 0}

    assert not PendingRecheck.objects.exists()
    change = EligibilityChange.objects.get(outlet=application.outlet_id)
    assert (change.trigger, change.actor) == (Trigger.APPLICATION, "system:application")
    assert mail_rows() == [("application_received", SENT), ("application_staff_notice", SENT)]
    assert sorted(message.to[0] for message in mailoutbox) == ["redaksi@kabarbetawi.id", "rina@kominfo.example.go.id"]
    assert application.code in mailoutbox[0].body + mailoutbox[1].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker", "close_worker_connections", "quiet_worker_logging")
def test_a_real_worker_sends_the_mails_and_rechecks_after_commit_and_the_sweeps_catch_up_after_a_refusal(
        client, mailoutbox):
    assert celery_app.conf.task_always_eager is False
    # A database flushed by an earlier test has none of the migrated rows: the reference data the form
    # offers, and content types under new ids (the process's cache still holds the old ones).
    ProvinceFactory(), KbliCodeFactory()
    ContentType.objects.clear_cache()
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = "rina@kominfo.example.go.id"
    policy.save()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = client.post(APPLY, {**form_data(), **form_files()})  # commits: the tasks go to the broker
        assert first.status_code == 302
        wait_for(lambda: len(mail.outbox) == 2 and not PendingRecheck.objects.exists(), timeout=30,
                 message="the worker did not send the mails and re-check")
        assert mail_rows() == [("application_received", SENT), ("application_staff_notice", SENT)]
        assert Eligibility.objects.filter(outlet=Application.objects.get().outlet_id).exists()

        with broker_refusing():
            second = client.post(APPLY, {**form_data(outlet_name="Kabar Dua", website="https://kabar-dua.id",
                                                     outlet_email="redaksi@kabar-dua.id"), **form_files()})
        assert second.status_code == 302
        assert PendingRecheck.objects.count() == 2  # both outlets: company documents concern every outlet
        assert OutgoingMail.objects.filter(status=PENDING).count() == 2
        # Minutes later (aged here rather than waited for), beat sends the sweeps and the worker runs them.
        PendingRecheck.objects.update(since=F("since") - datetime.timedelta(minutes=3))
        OutgoingMail.objects.update(next_attempt_at=timezone.now())
        recheck_pending_outlets.delay()
        send_pending_mail.delay()
        wait_for(lambda: len(mail.outbox) == 4 and not PendingRecheck.objects.exists(), timeout=30,
                 message="the sweeps did not catch up")

    assert not OutgoingMail.objects.exclude(status=SENT).exists()
    assert Broker(os.environ["REDIS_URL"]).messages() == []


@pytest.mark.django_db
def test_a_failing_enqueue_never_reaches_the_write_that_asked_for_it(not_eager, django_capture_on_commit_callbacks):
    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)

    with broker_refusing(), django_capture_on_commit_callbacks(execute=True):
        from partners.services import documents_accept
        assert documents_accept(Document.objects.filter(pk=document.pk), by=StaffUserFactory()) == 1

    document.refresh_from_db()
    assert document.review_status == ReviewStatus.ACCEPTED
    assert PendingRecheck.objects.get().outlet_id == outlet.pk


# --- A2: the mail server down ----------------------------------------------------------------------

@pytest.mark.django_db
def test_with_the_mail_server_down_the_applicant_gets_the_status_page_and_the_mail_goes_out_later(
        client, staff_member, mail_server_down, eager_tasks, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, {**form_data(), **form_files()})

    assert response.status_code == 302
    application = Application.objects.get()
    status_page = client.get(response["Location"])
    assert status_page.status_code == 200 and application.code in status_page.content.decode()
    rows = list(OutgoingMail.objects.order_by("kind"))
    assert [(row.kind, row.status) for row in rows] == [("application_received", PENDING),
                                                        ("application_staff_notice", PENDING)]
    for row in rows:
        assert row.attempts >= 1 and "Connection refused" in row.last_error
        assert row.next_attempt_at > timezone.now()  # backed off
        assert (row.content_type.model, row.object_id) == ("application", application.pk)
    assert rows[0].recipients == ["redaksi@kabarbetawi.id", "sekretariat@kabarbetawi.id"]
    assert application.code in rows[0].body
    assert mailoutbox == []

    mail_server_back(mail_server_down)
    assert send_pending_mail.apply().result["sent"] == 0  # not before its next attempt is due
    with later(minutes=120):
        assert send_pending_mail.apply().result["sent"] == 2
        assert send_pending_mail.apply().result["sent"] == 0  # once only

    assert mail_rows() == [("application_received", SENT), ("application_staff_notice", SENT)]
    (received,) = [message for message in mailoutbox if "redaksi@kabarbetawi.id" in message.to]
    assert received.subject == "[MediaReg] Application of Kabar Betawi received"
    assert f"/apply/status/{application.code}/" in received.body


@pytest.mark.django_db
def test_the_send_task_retries_with_backoff_and_records_every_attempt(mail_server_down, settings):
    outlet = eligible_outlet()
    application = make_application(outlet, email="redaksi@contoh.id")
    mail_row = outbox.queue_mail("emails/application_decision", {"application": application, "status_url": "x"},
                                 ["redaksi@contoh.id"], language="id", concerns=application)
    from mediareg.tasks import send_outgoing_mail

    # Run here, and its retries too (eagerly, without the backoff wait), each handled as a worker would.
    previous, celery_app.conf.task_eager_propagates = celery_app.conf.task_eager_propagates, False
    try:
        result = send_outgoing_mail.apply(args=[mail_row.pk])
    finally:
        celery_app.conf.task_eager_propagates = previous

    mail_row.refresh_from_db()
    assert result.failed() and mail_row.status == PENDING
    assert mail_row.attempts == send_outgoing_mail.max_retries + 1
    assert mail_row.next_attempt_at - mail_row.last_attempt_at == outbox_sending.RETRY_MAX_DELAY
    mail_server_back(settings)
    assert send_outgoing_mail.apply(args=[mail_row.pk]).result == SENT
    assert send_outgoing_mail.apply(args=[mail_row.pk]).result == "skipped"  # a redelivery sends nothing
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_recipient_fails_at_once_and_a_week_of_errors_gives_up_both_shown_in_the_admin(
        admin_client, settings, mail_server_down):
    application = make_application(eligible_outlet(), email="redaksi@contoh.id")
    refused, stuck = (outbox.queue_mail("emails/application_decision", {"application": application},
                                        [f"{name}@contoh.id"], language="id", concerns=application)
                      for name in ("hilang", "macet"))
    settings.EMAIL_BACKEND = "tests.test_side_jobs.RecipientsRefusingBackend"
    assert outbox_sending.deliver(refused.pk) == FAILED
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with later(minutes=8 * 24 * 60):
        assert send_pending_mail.apply().result == {"sent": 0, "failed": 1, "retry_later": 0, "skipped": 0}

    refused.refresh_from_db()
    stuck.refresh_from_db()
    assert (refused.status, refused.attempts) == (FAILED, 1) and "No such user" in refused.last_error
    assert stuck.status == FAILED and "Connection refused" in stuck.last_error

    page = admin_client.get(reverse("admin:mediareg_outgoingmail_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert {row.pk for row in page.context["cl"].result_list} == {refused.pk, stuck.pk}
    assert f'/admin/catalog/application/{application.pk}/change/' in page.content.decode()
    assert admin_client.get(reverse("admin:mediareg_outgoingmail_add")).status_code == 403
    detail = admin_client.get(reverse("admin:mediareg_outgoingmail_change", args=[refused.pk]))
    assert detail.status_code == 200 and "No such user" in detail.content.decode()


class BlockingBackend(locmem.EmailBackend):
    """Holds the message until the test lets it go, so that a second sender comes while it is sending."""

    sending, release = threading.Event(), threading.Event()

    def send_messages(self, messages):
        type(self).sending.set()
        assert type(self).release.wait(30), "the test never released the mail"
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_the_task_and_the_sweep_sending_the_same_mail_at_once_send_it_once(settings):
    settings.EMAIL_BACKEND = "tests.test_side_jobs.BlockingBackend"
    BlockingBackend.sending.clear()
    BlockingBackend.release.clear()
    mail.outbox = []
    mail_row = outbox.queue_mail("emails/application_received",
                                 {"application": make_application(eligible_outlet()), "status_url": "x"},
                                 ["redaksi@contoh.id"], language="id")

    def deliver():
        try:
            return outbox_sending.deliver(mail_row.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(deliver)
        assert BlockingBackend.sending.wait(10)  # the first holds the row and is talking to the server
        second = pool.submit(deliver)
        assert second.result(timeout=10) == "skipped"  # the first holds the row: skipped, not sent twice
        BlockingBackend.release.set()
        assert first.result(timeout=10) == SENT

    assert len(mail.outbox) == 1


# --- A3: Redis down; marks staff can see; admin decisions ------------------------------------------

@pytest.mark.django_db
def test_with_redis_down_the_public_form_still_takes_the_application_and_logs_the_open_rate_limit(
        client, settings, not_eager, django_capture_on_commit_callbacks, caplog):
    settings.APPLY_RATE_LIMIT = 1
    redis_down = override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                       "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}})
    today = timezone.localdate()

    with redis_down, broker_refusing():  # Redis is the broker too
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(APPLY, {**form_data(), **form_files()})
        with django_capture_on_commit_callbacks(execute=True):
            second = client.post(APPLY, {**form_data(outlet_name="Kabar Dua", website="https://kabar-dua.id"),
                                         **form_files()})
        renewal = reverse("renewal", args=[renewal_token(Application.objects.first().outlet_id)])
        with django_capture_on_commit_callbacks(execute=True):
            renewed = client.post(renewal, {"kind": "skf", "number": "SKF-1", "issue_date": today.isoformat(),
                                            "expiry_date": (today + datetime.timedelta(days=30)).isoformat(),
                                            "file": form_files()["doc_deed"]})

    assert (first.status_code, second.status_code, renewed.status_code) == (302, 302, 200)  # the limit fails open
    assert Application.objects.count() == 2 and Document.objects.filter(number="SKF-1").exists()
    assert caplog.text.count("rate limit not applied: the cache is unreachable") == 3
    assert PendingRecheck.objects.count() == 2 and OutgoingMail.objects.filter(status=PENDING).count() == 2


@pytest.mark.django_db
def test_a_recheck_that_could_not_be_queued_is_marked_shown_to_staff_and_done_by_the_sweep(
        admin_client, not_eager, django_capture_on_commit_callbacks):
    outlet, other = eligible_outlet(name="Kabar Tertunda"), eligible_outlet(name="Kabar Lain")
    with broker_refusing(), django_capture_on_commit_callbacks(execute=True):
        queue_recheck([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW, actor="rina")

    page = admin_client.get(reverse("admin:partners_mediaoutlet_change", args=[outlet.pk]))  # in Indonesian
    assert "Pemeriksaan ulang tertunda sejak" in text_of(page)
    assert "Pemeriksaan ulang tertunda" not in text_of(admin_client.get(
        reverse("admin:partners_mediaoutlet_change", args=[other.pk])))
    outlets = reverse("admin:partners_mediaoutlet_changelist")
    assert [o.pk for o in admin_client.get(outlets + "?recheck_pending=yes").context["cl"].result_list] == [outlet.pk]
    assert outlet.pk not in {o.pk for o in admin_client.get(outlets + "?recheck_pending=no").context["cl"].result_list}

    with later(minutes=3):
        assert recheck_pending_outlets.apply().result["checked"] == 1

    assert not PendingRecheck.objects.exists()
    change = EligibilityChange.objects.get(outlet=outlet)
    assert (change.trigger, change.actor, change.is_eligible) == (Trigger.DOCUMENT_REVIEW, "rina", True)
    assert not EligibilityChange.objects.filter(outlet=other).exists()


@pytest.mark.django_db
def test_any_recheck_of_the_outlet_clears_its_mark_but_not_a_request_it_has_not_read(admin_client):
    outlet = eligible_outlet()
    pending.mark([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)

    admin_client.post(reverse("admin:partners_mediaoutlet_recheck", args=[outlet.pk]))  # "re-check now"
    assert not PendingRecheck.objects.exists()

    pending.mark([outlet.pk], trigger=Trigger.DOCUMENT_REVIEW)
    first = PendingRecheck.objects.get()
    served = pending.read_marks([outlet.pk])        # a re-check reads the marks, then the facts ...
    pending.mark([outlet.pk], trigger=Trigger.STAFF)  # ... while another change commits and asks again
    pending.clear_served(served)
    renewed = PendingRecheck.objects.get()          # kept for the next re-check, still pending since the first
    assert (renewed.trigger, renewed.since) == (Trigger.STAFF, first.since) and renewed.token != first.token


@pytest.mark.django_db
@pytest.mark.parametrize("down", ["broker", "mail", "both"])
def test_admin_decisions_saved_while_the_broker_or_mail_is_down_never_answer_a_server_error(
        admin_client, settings, down, django_capture_on_commit_callbacks):
    if down in ("mail", "both"):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", closed_port(), False
    previous, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, down == "mail"
    outlet = eligible_outlet(name="Kabar Layak")
    approved, rejected = make_application(outlet), make_application(MediaOutletFactory(name="Kabar Kurang"))
    accepted_doc = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)
    rejected_doc = DocumentFactory(outlet=outlet, kind=DocumentKind.RATE_CARD)
    documents, queue = reverse("admin:partners_document_changelist"), reverse("admin:catalog_application_changelist")
    posts = [
        (documents, {"action": "accept_documents", "_selected_action": [accepted_doc.pk]}),
        (documents, {"action": "reject_documents", "_selected_action": [rejected_doc.pk], "apply": "1",
                     "reason": "Tidak terbaca"}),
        # Confirmed: its outlet's rate card was just rejected, which the approve action first warns about.
        (queue, {"action": "approve", "_selected_action": [approved.pk], "confirmed": "1"}),
        (queue, {"action": "reject", "_selected_action": [rejected.pk], "apply": "1", "reason": "Tidak lengkap"}),
        (reverse("admin:partners_mediaoutlet_changelist"),
         {"action": "suspend_outlets", "_selected_action": [outlet.pk], "apply": "1", "reason": "Diperiksa"}),
    ]
    try:
        with broker_refusing() if down != "mail" else contextlib.nullcontext():
            for url, data in posts:
                with django_capture_on_commit_callbacks(execute=True):
                    response = admin_client.post(url, data)
                assert response.status_code == 302, (url, data["action"], response.status_code)
                if data["action"] == "accept_documents":
                    # A staff decision is re-checked at once in the request, broker or not: nothing left
                    # for the sweep (catalog.signals.recheck_after_document_change).
                    assert not PendingRecheck.objects.filter(outlet=outlet).exists()
    finally:
        celery_app.conf.task_always_eager = previous

    accepted_doc.refresh_from_db()
    rejected_doc.refresh_from_db()
    assert (accepted_doc.review_status, rejected_doc.review_status) == (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.status, rejected.status) == (Application.Status.APPROVED, Application.Status.REJECTED)
    outlet.listing.refresh_from_db()
    assert outlet.listing.state == ListingState.SUSPENDED
    assert OutgoingMail.objects.filter(kind="application_decision", status=PENDING).count() == 2


# --- A4: names that would break an e-mail ----------------------------------------------------------

@pytest.mark.django_db
def test_line_breaks_and_ampersands_in_names_never_break_an_email(client, staff_member, eager_tasks, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    data = form_data(outlet_name="Kabar A & B\r\nBcc: korban@example.com", legal_name="PT A & B\x0bMedia <Raya>")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY, {**data, **form_files()})
    assert response.status_code == 302
    application = Application.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        applications.reject_application(application, user=StaffUserFactory(), reason="Akta & NIB\nbelum ada")

    assert mail_rows() == [("application_decision", SENT), ("application_received", SENT),
                           ("application_staff_notice", SENT)]
    by_subject = {message.subject: message for message in mailoutbox}
    received, notice, decision = (by_subject[OutgoingMail.objects.get(kind=kind).subject] for kind in (
        "application_received", "application_staff_notice", "application_decision"))
    for message in mailoutbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        headers = message.message()  # renders the headers: no BadHeaderError
        assert len(headers.get_all("Subject")) == 1 and headers["Bcc"] is None
        assert "korban@example.com" not in message.recipients()
        assert "&amp;" not in message.body and "&lt;" not in message.body
    assert received.subject == "[MediaReg] Application of Kabar A & B Bcc: korban@example.com received"
    assert "Kabar A & B" in received.body
    assert "PT A & B\x0bMedia <Raya>" in notice.body
    assert "Akta & NIB\nbelum ada" in decision.body


@pytest.mark.django_db
def test_expiry_reminders_and_the_staff_summary_share_the_one_line_subject_and_the_unescaped_body(mailoutbox):
    from catalog import lifecycle, reminders, staff_summary

    today = timezone.localdate()
    outlet = MediaOutletFactory(name="Kabar\u2028A & B\x1fC <Raya>", company__legal_name="PT A & B\nMedia")
    DocumentFactory(outlet=outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                    issue_date=today - datetime.timedelta(days=400), expiry_date=today + datetime.timedelta(days=7))
    listing = lifecycle.ensure_listing(eligible_outlet(name="Kabar C & D\r\nBaru"))
    reviewer = StaffUserFactory()
    lifecycle.approve(listing, user=reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Diperiksa & ditunda")
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = "kepala@diskominfo.example"
    policy.save()

    assert reminders.send_expiry_reminders(today).sent == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=True):  # the day is over
        assert staff_summary.send_staff_summary(today).status == "sent"

    reminder, summary = mailoutbox
    assert reminder.subject.endswith("(Kabar A & B C <Raya>) berakhir dalam 7 hari")
    for message in mailoutbox:
        assert "\n" not in message.subject and len(message.message().get_all("Subject")) == 1
        assert "&amp;" not in message.body and "&lt;" not in message.body
    assert "Kabar\u2028A & B\x1fC <Raya>" in reminder.body and "PT A & B\nMedia" in reminder.body
    assert "Kabar C & D\r\nBaru" in summary.body and "Diperiksa & ditunda" in summary.body
