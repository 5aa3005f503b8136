"""The e-mail outbox: an e-mail that reports a write (an application's receipt, the staff notice, a
decision) is stored as an OutgoingMail in the same transaction as the write, and sent by Celery
afterwards, never inside the request.

1. queue_mail() renders the e-mail now (subject, body, recipients, language), stores it, and asks
   for send_outgoing_mail once the transaction commits (mediareg.jobs.send_on_commit). A write that
   rolls back takes its e-mail with it; a write that commits always has it.
2. deliver() sends one mail under its row lock (SELECT ... FOR UPDATE SKIP LOCKED), marks it sent and
   commits; a mail another run holds, or one already sent, is left alone. A mail-server error is
   recorded on the row (attempts, last error, next attempt with backoff) and raised, so that the task
   retries; when the server refuses every recipient the mail is failed at once, as no retry helps.
3. send_due() (the send-pending-mail job, every few minutes) sends the mails still unsent whose next
   attempt has come: the broker was down at commit, or the task used up its retries while the mail
   server was down. A mail still unsent a week after it was written is given up (failed).

This module is step 1; deliver() and send_due() are in mediareg.outbox_sending, which the tasks call.

Unsent and failed mails are listed in the admin (Outgoing e-mails) with their last error. As with
expiry reminders (catalog.reminders), the one repeat possible is one mail whose commit was lost
between the mail server's "250 OK" and COMMIT.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .jobs import send_on_commit
from .mail import render_mail, unique_addresses
from .models import OutgoingMail
from .tasks import send_outgoing_mail

# The task queued on commit sends a new mail within seconds; the sweep takes it only after this.
FIRST_SWEEP_AFTER = datetime.timedelta(minutes=2)


def queue_mail(template: str, context: dict, recipients, *, language: str,
               concerns: models.Model | None = None) -> OutgoingMail | None:
    """Render ``templates/<template>`` and store it to be sent once the current transaction commits.

    Nothing is stored when there is no recipient. ``concerns`` is the record the mail is about, for
    staff to find it.
    """
    recipients = unique_addresses(recipients)
    if not recipients:
        return None
    subject, body = render_mail(template, context, language)
    mail = OutgoingMail.objects.create(
        kind=template.rsplit("/", 1)[-1], language=language, recipients=recipients, subject=subject, body=body,
        content_type=ContentType.objects.get_for_model(concerns) if concerns is not None else None,
        object_id=concerns.pk if concerns is not None else None,
        next_attempt_at=timezone.now() + FIRST_SWEEP_AFTER)
    send_on_commit(send_outgoing_mail, mail.pk)
    return mail
