"""Expiry reminders and the daily staff summary: each e-mail once, whatever happens to the job.

The e-mail backends below are test doubles of the mail server only (configured through
EMAIL_BACKEND, as production configures SMTP); everything between the job and the backend is the
real code, against PostgreSQL.

Over 500 lines on purpose: the reminders and the summary share the mail doubles and the
once-only checks, which are the point of this module.
"""

from __future__ import annotations

import datetime
import re
import smtplib
import threading
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import lifecycle
from catalog.models import EligibilityPolicy, ExpiryReminder, ListingTransition, StaffSummary
from catalog.reminders import send_expiry_reminders
from catalog.staff_summary import send_staff_summary
from catalog.tasks import send_expiry_reminders as send_expiry_reminders_task
from catalog.tasks import send_staff_summary as send_staff_summary_task
from partners.models import Document, DocumentKind, MediaOutlet, ReviewStatus
from tests.catalog_helpers import eligible_outlet
from tests.factories import (
    DocumentFactory,
    MediaOutletFactory,
    PressCompanyFactory,
    StaffUserFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.usefixtures("ordinary_day")


# --- mail server doubles ---------------------------------------------------------------------------

class FailingSecondMessageBackend(locmem.EmailBackend):
    """Delivers to mail.outbox like the test backend, but the second message of the test is refused
    the way a dropped SMTP connection is."""

    attempts = 0

    def send_messages(self, messages):
        for _message in messages:
            type(self).attempts += 1
            if type(self).attempts == 2:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed (test double)")
        return super().send_messages(messages)


class WorkerKilled(BaseException):  # noqa: N818 (named after what it stands for)
    """Stands for the worker process dying: not an error the job handles, it just stops."""


class DyingOnSecondMessageBackend(locmem.EmailBackend):
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 2:
            raise WorkerKilled
        return super().send_messages(messages)


class SlowBackend(locmem.EmailBackend):
    """Each message takes a little while, so that concurrent runs overlap."""

    def send_messages(self, messages):
        threading.Event().wait(0.05)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def reset_backends():
    FailingSecondMessageBackend.attempts = DyingOnSecondMessageBackend.attempts = 0


# --- helpers ---------------------------------------------------------------------------------------

def today() -> datetime.date:
    return timezone.localdate()


def expiring_document(days_left: int, *, outlet=None, status=ReviewStatus.ACCEPTED, **fields) -> Document:
    """An outlet's Dewan Pers certificate (or, without outlet, a company's SKF) expiring in ``days_left``."""
    expiry = today() + days_left * DAY
    traits = {"accepted": True} if status == ReviewStatus.ACCEPTED else (
        {"rejected": True} if status == ReviewStatus.REJECTED else {})
    if outlet is None and "company" not in fields:
        outlet = MediaOutletFactory()
    kind = DocumentKind.PRESS_COUNCIL_CERTIFICATE if outlet is not None else DocumentKind.SKF
    return DocumentFactory(outlet=outlet, kind=fields.pop("kind", kind), expiry_date=expiry,
                           issue_date=expiry - 400 * DAY, **traits, **fields)


def sent_subjects(outbox) -> list[str]:
    return sorted(message.subject for message in outbox)


# --- expiry reminders ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_reminders_at_30_14_and_7_days_are_sent_once_each_when_the_job_runs_twice(mailoutbox):
    documents = {days: expiring_document(days) for days in (30, 14, 7)}
    not_yet = expiring_document(31)

    first = send_expiry_reminders()
    second = send_expiry_reminders()

    assert (first.sent, first.already_sent) == (3, 0)
    assert (second.sent, second.already_sent) == (0, 3)
    assert len(mailoutbox) == 3
    for days, document in documents.items():
        reminder = ExpiryReminder.objects.get(document=document)
        assert (reminder.days_before, reminder.expiry_date) == (days, document.expiry_date)
        assert reminder.sent_at is not None
        assert reminder.recipients == document.outlet.email
    assert not ExpiryReminder.objects.filter(document=not_yet).exists()
    assert {m.to[0] for m in mailoutbox} == {d.outlet.email for d in documents.values()}
    assert any("berakhir dalam 14 hari" in subject for subject in sent_subjects(mailoutbox))


@pytest.mark.django_db
def test_over_a_documents_last_forty_days_the_owner_gets_exactly_three_reminders(mailoutbox):
    document = expiring_document(40)
    for day_offset in range(0, 45):
        for _run in range(2):  # the job runs twice every day (a second beat, a manual run)
            send_expiry_reminders(today() + day_offset * DAY)
    days_before = list(ExpiryReminder.objects.filter(document=document).order_by("-days_before")
                       .values_list("days_before", flat=True))
    assert days_before == [30, 14, 7]
    assert [m.subject.rsplit("dalam ", 1)[1] for m in mailoutbox] == ["30 hari", "14 hari", "7 hari"]


@pytest.mark.django_db
def test_finding_and_claiming_due_reminders_takes_the_same_queries_for_3_or_30_documents(mailoutbox):
    def queries_of_a_rerun() -> int:
        send_expiry_reminders()  # sends what is due
        with CaptureQueriesContext(connection) as queries:
            summary = send_expiry_reminders()  # finds everything already sent
        assert summary.sent == 0
        return len(queries)

    for days in (7, 14, 30):
        expiring_document(days)
    with_three = queries_of_a_rerun()
    for days in range(1, 28):
        expiring_document(days)
    assert queries_of_a_rerun() == with_three <= 4
    assert len(mailoutbox) == 30


@pytest.mark.django_db
def test_a_missed_day_sends_only_the_smallest_due_reminder(mailoutbox):
    late = expiring_document(12)    # 30 and 14 were both missed: only the 14-day one
    later = expiring_document(20)   # 30 missed: the 30-day one, now
    summary = send_expiry_reminders()
    assert summary.sent == 2
    assert ExpiryReminder.objects.get(document=late).days_before == 14
    assert ExpiryReminder.objects.get(document=later).days_before == 30
    assert sent_subjects(mailoutbox) == sorted([
        f"[MediaReg] Dokumen Sertifikat verifikasi Dewan Pers ({late.outlet.name}) berakhir dalam 12 hari",
        f"[MediaReg] Dokumen Sertifikat verifikasi Dewan Pers ({later.outlet.name}) berakhir dalam 20 hari",
    ])

    # Five days later the 14-day one is not repeated and the 7-day one is due for `late`.
    send_expiry_reminders(today() + 5 * DAY)
    assert list(ExpiryReminder.objects.filter(document=late).order_by("-days_before")
                .values_list("days_before", flat=True)) == [14, 7]
    assert ExpiryReminder.objects.filter(document=later).count() == 1
    assert len(mailoutbox) == 3


@pytest.mark.django_db
def test_expired_rejected_and_renewed_documents_get_no_reminder_but_one_expiring_today_does(mailoutbox):
    expiring_document(-1)                                      # expired yesterday
    expiring_document(7, status=ReviewStatus.REJECTED)
    pending = expiring_document(7, status=ReviewStatus.PENDING)
    today_doc = expiring_document(0)                           # still valid today
    outlet = MediaOutletFactory()
    renewed_old = expiring_document(7, outlet=outlet)
    expiring_document(400, outlet=outlet, status=ReviewStatus.PENDING)  # the renewal, awaiting review
    DocumentFactory(kind=DocumentKind.NPWP_CARD, expiry_date=None)      # never expires

    summary = send_expiry_reminders()

    reminded = set(ExpiryReminder.objects.values_list("document_id", flat=True))
    assert reminded == {pending.pk, today_doc.pk}
    assert summary.sent == 2 and renewed_old.pk not in reminded
    assert any("berakhir hari ini" in subject for subject in sent_subjects(mailoutbox))


@pytest.mark.django_db
def test_company_documents_go_to_the_company_and_its_outlets_and_missing_addresses_are_counted(mailoutbox):
    company = PressCompanyFactory(email="Sekretariat@Example.com")
    MediaOutletFactory(company=company, email="redaksi@example.com")
    MediaOutletFactory(company=company, email="sekretariat@example.com")  # same address: once
    MediaOutletFactory(company=company, email="")
    skf = expiring_document(14, company=company)
    silent_outlet = MediaOutletFactory(email="")
    no_address = expiring_document(14, outlet=silent_outlet)

    summary = send_expiry_reminders()

    assert (summary.sent, summary.without_address) == (1, 1)
    (message,) = mailoutbox
    assert message.to == ["Sekretariat@Example.com", "redaksi@example.com"]
    assert ExpiryReminder.objects.get(document=skf).recipients == "Sekretariat@Example.com\nredaksi@example.com"
    unsent = ExpiryReminder.objects.get(document=no_address)
    assert unsent.sent_at is None  # claimed, not sent: an address added later still gets it

    again = send_expiry_reminders()
    assert (again.sent, again.already_sent, again.without_address) == (0, 1, 1)
    silent_outlet.email = "baru@example.com"
    silent_outlet.save()
    assert send_expiry_reminders().sent == 1
    assert mailoutbox[-1].to == ["baru@example.com"]


@pytest.mark.django_db
def test_the_reminder_is_in_indonesian_with_english_below_and_names_the_document(mailoutbox):
    outlet = MediaOutletFactory(name="Kabar & Warta")
    document = expiring_document(14, outlet=outlet, number="975/DP-Verifikasi/K/IV/2021")
    send_expiry_reminders()
    (message,) = mailoutbox
    body = message.body
    assert message.subject == ("[MediaReg] Dokumen Sertifikat verifikasi Dewan Pers (Kabar & Warta) "
                               "berakhir dalam 14 hari")
    indonesian, english = body.split("-- English --")
    assert "Sertifikat verifikasi Dewan Pers" in indonesian and "Dewan Pers verification certificate" in english
    for part in (indonesian, english):
        assert "975/DP-Verifikasi/K/IV/2021" in part
        assert "Kabar & Warta" in part and "&amp;" not in part  # plain text: nothing HTML-escaped
        assert outlet.company.legal_name in part
    months_id = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                 "Oktober", "November", "Desember"]
    expiry = document.expiry_date
    assert f"{expiry.day} {months_id[expiry.month - 1]} {expiry.year}" in indonesian
    assert f"{expiry.day} {expiry:%B} {expiry.year}" in english
    # The signed renewal link, in both parts, opens the renewal page of the document's outlet.
    from catalog.renewal import read_renewal_token

    links = re.findall(r"http://\S+/apply/renew/(\S+)/", body)
    assert len(links) == 2 and len(set(links)) == 1
    assert read_renewal_token(links[0]) in MediaOutlet.objects.filter(company=document.company).values_list(
        "pk", flat=True)


def test_the_reminder_template_shows_the_renewal_link_only_when_there_is_one():
    context = {"owner_name": "Portal", "kind_id": "SKF", "kind_en": "SKF", "days_left": 7, "number": "1",
               "expiry_id": "1 Mei 2026", "expiry_en": "1 May 2026", "company_name": "PT A"}
    with_link = render_to_string("emails/expiry_reminder.txt", {**context, "renewal_url": "https://m.example/r/abc"})
    without = render_to_string("emails/expiry_reminder.txt", {**context, "renewal_url": None})
    assert with_link.count("https://m.example/r/abc") == 2  # Indonesian and English
    assert "Unggah dokumen pengganti" in with_link and "Unggah dokumen pengganti" not in without


@pytest.mark.django_db
def test_a_mail_failure_half_way_leaves_consistent_rows_and_the_next_run_sends_only_the_rest(
        mailoutbox, settings):
    documents = [expiring_document(days) for days in (7, 14, 30)]
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingSecondMessageBackend"

    first = send_expiry_reminders()

    assert (first.sent, first.failed) == (2, 1)
    sent = dict(ExpiryReminder.objects.values_list("document_id", "sent_at"))
    assert len(sent) == 3 and sum(value is not None for value in sent.values()) == 2
    failed_doc = next(pk for pk, sent_at in sent.items() if sent_at is None)
    assert ExpiryReminder.objects.get(document_id=failed_doc).recipients == ""
    assert len(mailoutbox) == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry = send_expiry_reminders()
    assert (retry.sent, retry.already_sent, retry.failed) == (1, 2, 0)
    assert len(mailoutbox) == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.outlet.email for d in documents)
    assert not ExpiryReminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_task_retries_after_a_mail_failure_and_sends_each_reminder_once(mailoutbox, settings):
    for days in (7, 14, 30):
        expiring_document(days)
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingSecondMessageBackend"

    # apply(): executed here, and its retry too (the same task id, eagerly, without the backoff wait).
    # throw=False so the first attempt's Retry is handled by Celery as a worker would, not raised here.
    result = send_expiry_reminders_task.apply(throw=False)

    assert result.successful(), result.traceback
    assert result.result | {"tax_notices": None} == {"sent": 1, "already_sent": 2, "without_address": 0,
                                                     "failed": 0, "tax_notices": None}  # the retry's
    assert FailingSecondMessageBackend.attempts == 4  # 3 in the first run, 1 in the retry
    assert len(mailoutbox) == 3
    assert not ExpiryReminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_worker_dying_mid_run_is_retried_without_sending_anything_twice(mailoutbox, settings):
    documents = [expiring_document(days) for days in (7, 14, 30)]
    settings.EMAIL_BACKEND = "tests.test_reminders.DyingOnSecondMessageBackend"

    with pytest.raises(WorkerKilled):
        send_expiry_reminders_task.apply()

    # All three were claimed (committed before any mail); one was sent and committed; the one being
    # sent when the worker died was rolled back; the third was never reached.
    assert ExpiryReminder.objects.count() == 3
    assert ExpiryReminder.objects.filter(sent_at__isnull=False).count() == 1 == len(mailoutbox)

    # The redelivered message runs the task again.
    result = send_expiry_reminders_task.apply()
    assert result.result | {"tax_notices": None} == {"sent": 2, "already_sent": 1, "without_address": 0,
                                                     "failed": 0, "tax_notices": None}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.outlet.email for d in documents)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(settings):
    settings.EMAIL_BACKEND = "tests.test_reminders.SlowBackend"
    mail.outbox = []
    for days in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        expiring_document(days)
    barrier, summaries, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait(timeout=10)
            summaries.append(send_expiry_reminders())
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sum(s.sent for s in summaries) == 10
    assert sum(s.sent + s.already_sent for s in summaries) == 20
    assert len(mail.outbox) == 10
    assert len({m.to[0] for m in mail.outbox}) == 10


@pytest.mark.django_db
def test_send_expiry_reminders_command_prints_a_one_line_summary(mailoutbox):
    expiring_document(14)
    expiring_document(7, outlet=MediaOutletFactory(email=""))
    out = StringIO()
    call_command("send_expiry_reminders", stdout=out)
    reminders_line, notices_line = out.getvalue().splitlines()
    assert reminders_line == "Expiry reminders: 1 sent, 0 already sent, 1 without address"
    assert notices_line.startswith("Year-end tax notices")
    out = StringIO()
    call_command("send_expiry_reminders", stdout=out)
    assert out.getvalue().splitlines()[0] == "Expiry reminders: 0 sent, 1 already sent, 1 without address"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_send_expiry_reminders_command_fails_when_mail_could_not_be_sent(mailoutbox, settings):
    expiring_document(14)
    expiring_document(7)
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingSecondMessageBackend"
    out = StringIO()
    with pytest.raises(CommandError, match="1 e-mails could not be sent"):
        call_command("send_expiry_reminders", stdout=out)
    assert out.getvalue().startswith("Expiry reminders: 1 sent, 0 already sent, 0 without address, 1 not sent")


# --- daily staff summary ---------------------------------------------------------------------------

def listed_outlet(**fields):
    outlet = eligible_outlet(**fields)
    listing = lifecycle.ensure_listing(outlet)
    lifecycle.approve(listing, user=StaffUserFactory())
    return outlet, listing


@pytest.fixture
def verifikator_staff():
    group, _created = Group.objects.get_or_create(name="Verifikator")
    active = StaffUserFactory(email="ver1@diskominfo.example")
    inactive = StaffUserFactory(email="ver2@diskominfo.example", is_active=False)
    no_email = StaffUserFactory(email="")
    for user in (active, inactive, no_email):
        user.groups.add(group)
    UserFactory(email="bukan-verifikator@example.com")
    return active


JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JAKARTA)


def suspended_at(name: str, when: datetime.datetime, reason: str = "Diperiksa") -> None:
    _outlet, listing = listed_outlet(name=name)
    lifecycle.suspend(listing, user=StaffUserFactory(), reason=reason)
    ListingTransition.objects.filter(listing=listing, to_state="suspended").update(created_at=when)


def summary_run(moment: datetime.datetime, day: datetime.date | None = None):
    """The job as beat starts it at ``moment`` (Asia/Jakarta)."""
    with time_machine.travel(moment, tick=False):
        return send_staff_summary(day)


JUNE_9, JUNE_10, JUNE_11 = datetime.date(2026, 6, 9), datetime.date(2026, 6, 10), datetime.date(2026, 6, 11)


@pytest.fixture
def june():
    """The outlets are made on an ordinary day (their documents are dated from it)."""
    with time_machine.travel(at(JUNE_9, 8), tick=True):
        yield


@pytest.mark.django_db
def test_staff_get_one_summary_a_day_of_the_outlets_suspended_the_day_before(mailoutbox, verifikator_staff, june):
    suspended_at("Kabar Kota", at(JUNE_9, 10), reason="Alamat redaksi fiktif")
    suspended_at("Warta Malam", at(JUNE_9, 23, 50))  # after the old 23:45 run: it used to be left out
    suspended_at("Dini Hari", at(JUNE_10, 0, 10))
    suspended_at("Warta Lama", at(JUNE_9, 0, 0) - DAY)

    first = summary_run(at(JUNE_10, 6))
    second = summary_run(at(JUNE_10, 15))

    assert (first.day, first.status, first.outlets, first.recipients) == (JUNE_9, "sent", 2, 1)
    assert second.status == "already done"
    (message,) = mailoutbox
    assert message.to == ["ver1@diskominfo.example"]
    assert message.subject == "[MediaReg] 2 media ditangguhkan pada Selasa, 9 Juni 2026"
    assert "Kabar Kota" in message.body and "Alamat redaksi fiktif" in message.body
    assert "Warta Malam" in message.body and "09-06-2026 23:50" in message.body
    assert "Dini Hari" not in message.body and "Warta Lama" not in message.body
    assert "pada hari itu" in message.body and "-- English --" in message.body
    summary = StaffSummary.objects.get(day=JUNE_9)
    assert (summary.outlet_count, summary.period_start, summary.period_end) == (2, at(JUNE_9, 0), at(JUNE_10, 0))

    # The next morning's summary starts where this one ended.
    assert summary_run(at(JUNE_11, 6)).outlets == 1
    assert "Dini Hari" in mailoutbox[1].body and "Warta Malam" not in mailoutbox[1].body


@pytest.mark.django_db
def test_a_night_without_a_summary_is_caught_up_by_the_next_one(mailoutbox, verifikator_staff, june):
    summary_run(at(JUNE_9, 6))  # June 8: nothing
    suspended_at("Kabar Senin", at(JUNE_9, 14))
    suspended_at("Kabar Selasa", at(JUNE_10, 23, 55))
    # No run on the morning of June 10 (beat was down).
    result = summary_run(at(JUNE_11, 6))
    assert (result.day, result.status, result.outlets) == (JUNE_10, "sent", 2)
    body = mailoutbox[0].body
    assert "Kabar Senin" in body and "Kabar Selasa" in body
    assert "sejak 9 Juni 2026 00:00 sampai akhir hari itu" in body
    assert summary_run(at(JUNE_11, 7), day=JUNE_9).status == "already done"  # covered: never twice
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_after_the_upgrade_the_suspensions_after_the_last_2345_run_are_reported_once(
        mailoutbox, verifikator_staff, june):
    """The summary sent at 23:45 by the old schedule covered its day until then (migration 0006)."""
    import importlib

    from django.apps import apps

    suspended_at("Kabar Sore", at(JUNE_9, 17))
    suspended_at("Kabar Larut", at(JUNE_9, 23, 52))
    StaffSummary.objects.create(day=JUNE_9, sent_at=at(JUNE_9, 23, 45), outlet_count=1)
    migration = importlib.import_module("catalog.migrations.0006_staff_summary_covers_a_period")
    migration.earlier_summaries_covered_their_day_until_sent(apps, None)
    assert StaffSummary.objects.get(day=JUNE_9).period_end == at(JUNE_9, 23, 45)

    assert summary_run(at(JUNE_10, 6)).status == "already done"  # June 9 had its summary
    result = summary_run(at(JUNE_11, 6))
    assert (result.status, result.outlets) == ("sent", 1)
    assert "Kabar Larut" in mailoutbox[0].body and "Kabar Sore" not in mailoutbox[0].body


@pytest.mark.django_db
def test_the_policy_recipients_replace_the_verifikator_group(mailoutbox, verifikator_staff, june):
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = "kepala@diskominfo.example\n  arsip@diskominfo.example \n"
    policy.save()
    suspended_at("Kabar Uji", at(JUNE_9, 11))
    assert summary_run(at(JUNE_10, 6)).status == "sent"
    assert mailoutbox[0].to == ["kepala@diskominfo.example", "arsip@diskominfo.example"]


@pytest.mark.django_db
def test_no_summary_is_sent_for_a_quiet_day_and_a_rerun_does_nothing(mailoutbox, verifikator_staff, june):
    result = summary_run(at(JUNE_10, 6))
    assert result.status == "nothing"
    assert StaffSummary.objects.get(day=JUNE_9).outlet_count == 0
    suspended_at("Kabar Siang", at(JUNE_10, 12))
    assert summary_run(at(JUNE_10, 18)).status == "already done"
    assert mailoutbox == []
    assert summary_run(at(JUNE_11, 6)).outlets == 1  # the next day's summary has it


@pytest.mark.django_db
def test_a_day_is_summarised_only_once_it_is_over(mailoutbox, verifikator_staff, june):
    suspended_at("Kabar Pagi", at(JUNE_10, 9))
    assert summary_run(at(JUNE_10, 23, 59), day=JUNE_10).status == "day not over"
    assert not StaffSummary.objects.filter(day=JUNE_10).exists()
    assert summary_run(at(JUNE_11, 0, 1), day=JUNE_10).outlets == 1


@pytest.mark.django_db
def test_the_summary_day_is_the_calendar_day_in_jakarta(mailoutbox, verifikator_staff, june):
    suspended_at("Malam", at(JUNE_9, 23, 30))
    suspended_at("Dini Hari", at(JUNE_10, 0, 30))  # 17:30 UTC on June 9
    result = summary_run(at(JUNE_10, 6))
    assert (result.status, result.outlets) == ("sent", 1)
    assert "Malam" in mailoutbox[0].body and "Dini Hari" not in mailoutbox[0].body


@pytest.mark.django_db
def test_without_anyone_to_tell_the_summary_stays_unsent_and_the_next_one_reports_it(mailoutbox, june):
    suspended_at("Kabar Sepi", at(JUNE_9, 10))
    assert summary_run(at(JUNE_10, 6)).status == "no recipients"
    assert StaffSummary.objects.get().sent_at is None
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = "kepala@diskominfo.example"
    policy.save()
    with time_machine.travel(at(JUNE_11, 6), tick=False):
        result = send_staff_summary_task.apply().result
    assert (result["day"], result["status"], result["outlets"]) == ("2026-06-10", "sent", 1)
    assert len(mailoutbox) == 1 and "Kabar Sepi" in mailoutbox[0].body


@pytest.mark.django_db
def test_recheck_eligibility_command_rechecks_everything_or_one_outlet():
    good = eligible_outlet()
    MediaOutletFactory()
    _listed, listing = listed_outlet()
    Document.objects.filter(company=listing.outlet.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Bukan milik perusahaan ini")

    out = StringIO()
    call_command("recheck_eligibility", stdout=out)
    line = out.getvalue()
    assert line.startswith("Re-check: 3 checked, 3 changed, 1 suspended, 0 reinstated in ")
    assert line.endswith(" s\n") and line.count("\n") == 1

    out = StringIO()
    call_command("recheck_eligibility", "--outlet", str(good.pk), stdout=out)
    assert out.getvalue().startswith("Re-check: 1 checked, 0 changed, 0 suspended, 0 reinstated in ")


@pytest.mark.django_db
def test_recheck_eligibility_command_refuses_an_unknown_outlet():
    with pytest.raises(CommandError, match="There is no outlet with id 999999"):
        call_command("recheck_eligibility", "--outlet", "999999")
