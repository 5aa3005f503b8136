"""Celery jobs of the catalog. Thin: each calls a function in catalog.eligibility, catalog.lifecycle,
catalog.pending or catalog.reminders.

All are idempotent (they compute from current state and write only what changed), so a retry or a
redelivery after a lost worker is harmless.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from mediareg.jobs import SWEEP_LOCK_SECONDS, SWEEP_TIME_LIMIT, TRANSIENT_ERRORS, ReliableTask, single_run
from partners.models import Document, MediaOutlet, ReviewStatus

from . import lifecycle, pending, reminders
from .eligibility import RecheckSummary, recheck_outlets
from .models import RecheckRun, Trigger

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


@shared_task(base=ReliableTask)
@single_run("recheck-all-outlets", timeout=DAILY_LOCK_SECONDS)
def recheck_all_outlets(trigger: str = Trigger.SCHEDULE) -> int:
    """Nightly: fan out the re-check of every outlet as ranges of ids; returns the number of ranges."""
    bounds = MediaOutlet.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    ranges = [] if first is None else [(low, min(low + RANGE_SIZE - 1, last))
                                       for low in range(first, last + 1, RANGE_SIZE)]
    run = RecheckRun.objects.create(started_at=timezone.now(), trigger=trigger, batches=len(ranges))
    if not ranges:
        RecheckRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    for low, high in ranges:
        recheck_outlet_range.delay(low, high, run.pk, trigger)
    return len(ranges)


@shared_task(base=ReliableTask)
def recheck_outlet_range(first_id: int, last_id: int, run_id: int | None, trigger: str) -> dict:
    ids = list(MediaOutlet.objects.filter(pk__gte=first_id, pk__lte=last_id).values_list("pk", flat=True))
    summary = recheck_outlets(ids, trigger=trigger, actor=f"system:{trigger}")
    if run_id is not None:
        RecheckRun.objects.filter(pk=run_id).update(
            batches_done=F("batches_done") + 1, outlets_checked=F("outlets_checked") + summary.checked,
            outlets_changed=F("outlets_changed") + summary.changed)
        RecheckRun.objects.filter(pk=run_id, batches_done__gte=F("batches"), finished_at__isnull=True).update(
            finished_at=timezone.now())
    return summary.__dict__


@shared_task(base=ReliableTask)
@single_run("recheck-expired-documents", timeout=DAILY_LOCK_SECONDS)
def recheck_expired_documents(day: str | None = None) -> dict:
    """Just after midnight: the outlets whose documents expired yesterday, recorded as document expiry."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    expired = Document.objects.filter(expiry_date=today - datetime.timedelta(days=1)).exclude(
        review_status=ReviewStatus.REJECTED)
    outlet_ids = outlets_concerned(expired)
    return recheck_outlets(outlet_ids, trigger=Trigger.DOCUMENT_EXPIRY, today=today).__dict__


@shared_task(base=ReliableTask)
@single_run("end-timed-sanctions", timeout=DAILY_LOCK_SECONDS)
def end_timed_sanctions() -> int:
    return lifecycle.end_timed_sanctions()


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS + reminders.MAIL_ERRORS + (reminders.RemindersNotSent,))
@single_run("send-expiry-reminders", timeout=DAILY_LOCK_SECONDS)
def send_expiry_reminders(day: str | None = None) -> dict:
    """Every morning: each due expiry reminder once (catalog.reminders explains how). Reminders that
    failed on a mail error are retried with backoff; those already sent are not sent again."""
    today = datetime.date.fromisoformat(day) if day else None
    summary = reminders.send_expiry_reminders(today)
    if summary.failed:
        raise reminders.RemindersNotSent(str(summary))
    return summary.as_dict()


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS + reminders.MAIL_ERRORS)
@single_run("send-staff-summary", timeout=DAILY_LOCK_SECONDS)
def send_staff_summary(day: str | None = None) -> dict:
    """Late every evening: one e-mail to staff about the outlets suspended that day, if any."""
    return reminders.send_staff_summary(datetime.date.fromisoformat(day) if day else None).as_dict()


def outlets_concerned(documents) -> list[int]:
    """Outlet documents concern their outlet; company documents concern every outlet of the company."""
    return list(MediaOutlet.objects.filter(
        Q(pk__in=documents.filter(outlet__isnull=False).values("outlet_id"))
        | Q(company_id__in=documents.filter(outlet__isnull=True).values("company_id"))
    ).values_list("pk", flat=True))
