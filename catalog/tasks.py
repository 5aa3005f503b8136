"""Celery jobs of the catalog. Thin: each calls a function in catalog.eligibility, catalog.lifecycle,
catalog.pending, catalog.reminders or catalog.staff_summary.

All are idempotent (they compute from current state and write only what changed), so a retry or a
redelivery after a lost worker is harmless.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mediareg.jobs import SWEEP_LOCK_SECONDS, SWEEP_TIME_LIMIT, TRANSIENT_ERRORS, ReliableTask, single_run
from mediareg.mail import MAIL_ERRORS
from partners.models import Document, MediaOutlet, ReviewStatus

from . import lifecycle, pending, reminders, staff_summary
from .eligibility import RecheckSummary, recheck_outlets
from .models import EligibilityPolicy, RecheckRange, RecheckRun, Trigger
from .tax_calendar import may_count_on, with_counts_until

logger = logging.getLogger(__name__)

# One message per range of outlet ids: 50,000 outlets make 25 messages, not 50,000.
RANGE_SIZE = 2000
# Longer than any run of these jobs (their hard time limit is 30 minutes), far shorter than a day.
DAILY_LOCK_SECONDS = 45 * 60


@shared_task(base=ReliableTask)
def recheck_outlets_task(outlet_ids: list[int], trigger: str, actor: str = "") -> dict:
    return recheck_outlets(outlet_ids, trigger=trigger, actor=actor).__dict__


@shared_task(base=ReliableTask, time_limit=SWEEP_TIME_LIMIT, soft_time_limit=SWEEP_TIME_LIMIT - 30)
@single_run("recheck-pending-outlets", timeout=SWEEP_LOCK_SECONDS)
def recheck_pending_outlets() -> dict:
    """Every few minutes: the outlets whose asked-for re-check has not run (its task was refused by the
    broker, or lost), re-checked with the trigger and actor of the request (catalog.pending)."""
    summary = RecheckSummary()
    for (trigger, actor), outlet_ids in pending.overdue().items():
        summary += recheck_outlets(outlet_ids, trigger=trigger, actor=actor)
    return summary.__dict__


@shared_task(base=ReliableTask, bind=True)
@single_run("recheck-all-outlets", timeout=DAILY_LOCK_SECONDS)
def recheck_all_outlets(self, trigger: str = Trigger.SCHEDULE) -> int | str:
    """Nightly: fan out the re-check of every outlet as ranges of ids; returns the number of ranges queued.

    One run per day and trigger, claimed in the database with its ranges: a second trigger the same
    day (a second beat, a manual start once the first run's lock is gone) queues nothing. Only the
    redelivery or retry of the message that claimed the run (its worker died while queueing) queues
    again, the ranges not done yet; a range done twice is counted once (recheck_outlet_range). To
    re-check everything again the same day, run the recheck_eligibility command."""
    task_id = self.request.id or ""
    now = timezone.now()
    with transaction.atomic():
        run, claimed = RecheckRun.objects.get_or_create(day=timezone.localdate(now), trigger=trigger,
                                                        defaults={"started_at": now, "task_id": task_id})
        if not claimed and not (task_id and run.task_id == task_id):
            logger.info("recheck-all-outlets (%s) already ran today as run %s; this trigger does nothing",
                        trigger, run.pk)
            return "already ran"
        if claimed:
            ranges = outlet_id_ranges()
            RecheckRange.objects.bulk_create([RecheckRange(run=run, first_id=low, last_id=high)
                                              for low, high in ranges])
            RecheckRun.objects.filter(pk=run.pk).update(batches=len(ranges),
                                                        finished_at=None if ranges else now)
        not_done = list(run.ranges.filter(finished_at__isnull=True).values_list("first_id", "last_id"))
    for low, high in not_done:
        recheck_outlet_range.delay(low, high, run.pk, trigger)
    return len(not_done)


def outlet_id_ranges() -> list[tuple[int, int]]:
    bounds = MediaOutlet.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    return [] if first is None else [(low, min(low + RANGE_SIZE - 1, last))
                                     for low in range(first, last + 1, RANGE_SIZE)]


@shared_task(base=ReliableTask)
def recheck_outlet_range(first_id: int, last_id: int, run_id: int | None, trigger: str) -> dict:
    """Re-check one range of a run. Delivered twice (a redelivery after a lost worker, a fan-out queued
    again), it re-checks twice, harmlessly, but the run counts the range once: the first delivery to
    finish marks it done and adds its figures, in one transaction; the others find it done.

    A delivery whose worker died after its re-check committed leaves the changes to the next one,
    which then finds none to count: the run's "results changed" can fall short, never over."""
    ids = list(MediaOutlet.objects.filter(pk__gte=first_id, pk__lte=last_id).values_list("pk", flat=True))
    summary = recheck_outlets(ids, trigger=trigger, actor=f"system:{trigger}")
    if run_id is not None:
        now = timezone.now()
        with transaction.atomic():
            counted = RecheckRange.objects.filter(run_id=run_id, first_id=first_id, finished_at__isnull=True).update(
                finished_at=now, outlets_checked=summary.checked, outlets_changed=summary.changed)
            if counted:
                RecheckRun.objects.filter(pk=run_id).update(
                    batches_done=F("batches_done") + 1, outlets_checked=F("outlets_checked") + summary.checked,
                    outlets_changed=F("outlets_changed") + summary.changed)
                RecheckRun.objects.filter(pk=run_id, batches_done__gte=F("batches"),
                                          finished_at__isnull=True).update(finished_at=now)
    return summary.__dict__


@shared_task(base=ReliableTask)
@single_run("recheck-expired-documents", timeout=DAILY_LOCK_SECONDS)
def recheck_expired_documents(day: str | None = None) -> dict:
    """Just after midnight: the outlets whose documents stopped counting yesterday (expired, or a KSWP or
    annual tax return past the tax calendar's day), recorded as document expiry."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    policy = EligibilityPolicy.load()
    candidates = Document.objects.filter(may_count_on(yesterday, yesterday, policy)).exclude(
        review_status=ReviewStatus.REJECTED)
    lapsed = Document.objects.filter(
        pk__in=with_counts_until(candidates, policy).filter(counts_until=yesterday).values("pk"))
    outlet_ids = outlets_concerned(lapsed)
    return recheck_outlets(outlet_ids, trigger=Trigger.DOCUMENT_EXPIRY, today=today, policy=policy).__dict__


@shared_task(base=ReliableTask)
@single_run("end-timed-sanctions", timeout=DAILY_LOCK_SECONDS)
def end_timed_sanctions() -> int:
    return lifecycle.end_timed_sanctions()


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS + MAIL_ERRORS + (reminders.RemindersNotSent,))
@single_run("send-expiry-reminders", timeout=DAILY_LOCK_SECONDS)
def send_expiry_reminders(day: str | None = None) -> dict:
    """Every morning: each due expiry reminder once, and in December the year-end tax notices
    (catalog.reminders explains how). Those that failed on a mail error are retried with backoff; those
    already sent are not sent again."""
    today = datetime.date.fromisoformat(day) if day else None
    summary = reminders.send_expiry_reminders(today)
    notices = reminders.send_tax_year_notices(today)
    if summary.failed or notices.failed:
        raise reminders.RemindersNotSent(f"{summary}; {notices}")
    return {**summary.as_dict(), "tax_notices": notices.as_dict()}


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS + MAIL_ERRORS)
@single_run("send-staff-summary", timeout=DAILY_LOCK_SECONDS)
def send_staff_summary(day: str | None = None) -> dict:
    """Every morning: one e-mail to staff about the outlets suspended since the previous summary (the
    day before, normally), if any."""
    return staff_summary.send_staff_summary(datetime.date.fromisoformat(day) if day else None).as_dict()


def outlets_concerned(documents) -> list[int]:
    """Outlet documents concern their outlet; company documents concern every outlet of the company."""
    return list(MediaOutlet.objects.filter(
        Q(pk__in=documents.filter(outlet__isnull=False).values("outlet_id"))
        | Q(company_id__in=documents.filter(outlet__isnull=True).values("company_id"))
    ).values_list("pk", flat=True))
