"""Sending the e-mail outbox (mediareg.outbox explains it): deliver() sends one stored mail, send_due()
the ones whose next attempt has come. Called by the Celery tasks in mediareg.tasks, which
mediareg.outbox queues; this module queues nothing, so the tasks and the outbox need not import each
other.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .mail import MAIL_ERRORS
from .models import OutgoingMail

logger = logging.getLogger(__name__)

# After a failed attempt the next one waits 5, 10, 20, 40 minutes, then every hour.
RETRY_FIRST_DELAY = datetime.timedelta(minutes=5)
RETRY_MAX_DELAY = datetime.timedelta(hours=1)
GIVE_UP_AFTER = datetime.timedelta(days=7)
SWEEP_LIMIT = 500
# A sweep starts no new mail after this long, well inside its time limit (mediareg.jobs.SWEEP_TIME_LIMIT).
SWEEP_BUDGET_SECONDS = 120
# After this many failures in a row the mail server is taken to be down: the rest waits for the next sweep.
MAX_CONSECUTIVE_FAILURES = 3
# Errors that no retry can cure: the server refuses every recipient, or the message is malformed.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPRecipientsRefused, BadHeaderError)

Status = OutgoingMail.Status


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_FIRST_DELAY * 2 ** max(attempts - 1, 0), RETRY_MAX_DELAY)


def deliver(mail_id: int, *, connection=None) -> str:
    """Send one outgoing mail if it is still unsent; returns its status afterwards, or "skipped" when it
    was already sent or failed, or another run is sending it right now.

    Raises the mail error after recording it when the mail stays pending (the caller retries).
    """
    error = None
    with transaction.atomic():
        mail = (OutgoingMail.objects.select_for_update(skip_locked=True)
                .filter(pk=mail_id, status=Status.PENDING).first())
        if mail is None:
            return "skipped"
        now = timezone.now()
        mail.attempts += 1
        mail.last_attempt_at = now
        try:
            EmailMessage(subject=mail.subject, body=mail.body, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=mail.recipients, connection=connection).send()
        except PERMANENT_ERRORS as exc:
            mail.status, mail.last_error = Status.FAILED, _describe(exc)
        except MAIL_ERRORS as exc:
            error = exc
            mail.last_error = _describe(exc)
            mail.next_attempt_at = now + retry_delay(mail.attempts)
            if now - mail.created_at >= GIVE_UP_AFTER:
                mail.status = Status.FAILED
        else:
            mail.status, mail.sent_at, mail.last_error = Status.SENT, now, ""
        # Window: the mail is gone; if this commit is lost, the next attempt sends it once more.
        mail.save(update_fields=["status", "attempts", "last_attempt_at", "last_error", "next_attempt_at",
                                 "sent_at"])
    if mail.status == Status.FAILED:
        logger.error("e-mail %s (%s) not sent, given up: %s", mail.pk, mail.kind, mail.last_error)
    elif error is not None:
        raise error
    return mail.status


@dataclass
class SweepSummary:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    skipped: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def send_due(*, limit: int = SWEEP_LIMIT) -> SweepSummary:
    """Send the unsent mails whose next attempt has come, oldest first, over one mail connection."""
    due = list(OutgoingMail.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    summary, failures_in_a_row, connection = SweepSummary(), 0, None
    deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
    try:
        for mail_id in due:
            if failures_in_a_row >= MAX_CONSECUTIVE_FAILURES or time.monotonic() > deadline:
                summary.retry_later += 1
                continue
            connection = connection or get_connection()
            try:
                outcome = deliver(mail_id, connection=connection)
            except MAIL_ERRORS:
                logger.warning("e-mail %s not sent; it is tried again later", mail_id, exc_info=True)
                failures_in_a_row += 1
                connection = _close(connection)
                summary.retry_later += 1
                continue
            failures_in_a_row = 0
            if outcome == Status.SENT:
                summary.sent += 1
            elif outcome == Status.FAILED:
                summary.failed += 1
            else:
                summary.skipped += 1
    finally:
        _close(connection)
    return summary


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except MAIL_ERRORS:
            logger.warning("closing the mail connection failed", exc_info=True)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
