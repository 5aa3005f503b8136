"""Sending the catalog's e-mails that must go out once (expiry reminders, year-end tax notices, the staff
summary), each as a claimed row: locked while it is sent, marked sent in the same transaction
(catalog.reminders explains the claim and the one window left), over one connection per run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation

from mediareg.mail import MAIL_ERRORS, render_mail

logger = logging.getLogger(__name__)

# After this many failures in a row the mail server is taken to be down: the rest waits for the retry.
MAX_CONSECUTIVE_FAILURES = 3


def in_language(language: str, func, *args):
    with translation.override(language):
        return str(func(*args))


def plain_message(template: str, context: dict, recipients: list[str]) -> EmailMessage:
    subject, body = render_mail(template, context)  # one-line subject, nothing HTML-escaped
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)


class Mailer:
    """One connection to the mail server for a run, opened again after a failure."""

    def __init__(self):
        self.connection = None
        self.consecutive_failures = 0

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = get_connection()
        message.connection = self.connection
        message.send()

    def failed(self) -> None:
        self.consecutive_failures += 1
        self.close()

    def succeeded(self) -> None:
        self.consecutive_failures = 0

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.close()
            except MAIL_ERRORS:
                logger.warning("closing the mail connection failed", exc_info=True)


def send_claimed(model, pk: int, recipients: list[str], mailer: Mailer, message) -> bool:
    """Send the e-mail of one claimed row (a reminder, a notice) under the row's lock, once."""
    with transaction.atomic():
        claim = model.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
        if claim is None:
            return False
        mailer.send(message())
        # Window: the mail is gone; if this commit is lost the retry sends it once more (module doc).
        claim.sent_at = timezone.now()
        claim.recipients = "\n".join(recipients)
        claim.save(update_fields=["sent_at", "recipients"])
    return True


@dataclass
class SendCounts:
    """What a run of send_claims did with its claimed rows."""

    sent: int = 0
    already_sent: int = 0  # another run has sent it, or holds it right now
    without_address: int = 0
    failed: int = 0  # a mail error; the task's retry sends it

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Claim:
    """One claimed row to send: the row's primary key, its recipients and how to build its message."""

    pk: int
    recipients: list[str]
    message: Callable[[], EmailMessage]
    description: str  # for the log: "expiry reminder 12 (document 34)"


def send_claims(model, claims: Iterable[Claim], summary: SendCounts) -> None:
    """Send each claimed row of ``model`` that is still unsent, over one connection, and count the
    outcome in ``summary``. After MAX_CONSECUTIVE_FAILURES
    mail errors in a row the server is taken to be down: the rest is counted failed, for the retry."""
    mailer = Mailer()
    try:
        for claim in claims:
            if not claim.recipients:
                summary.without_address += 1
                continue
            if mailer.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                summary.failed += 1
                continue
            try:
                sent = send_claimed(model, claim.pk, claim.recipients, mailer, claim.message)
            except MAIL_ERRORS:
                logger.exception("%s not sent", claim.description)
                mailer.failed()
                summary.failed += 1
                continue
            mailer.succeeded()
            if sent:
                summary.sent += 1
            else:
                summary.already_sent += 1
    finally:
        mailer.close()
