from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from . import outbox_sending
from .jobs import SWEEP_LOCK_SECONDS, SWEEP_TIME_LIMIT, TRANSIENT_ERRORS, ReliableTask, single_run
from .mail import MAIL_ERRORS
from .models import IdempotencyKey


@shared_task(base=ReliableTask)
@single_run("clear-expired-sessions", timeout=45 * 60)
def clear_expired_sessions() -> int:
    """Idempotent: deleting what has already expired twice deletes nothing the second time."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(base=ReliableTask)
@single_run("clear-expired-idempotency-keys", timeout=45 * 60)
def clear_expired_idempotency_keys() -> int:
    """The API's Idempotency-Keys older than IDEMPOTENCY_KEY_DAYS (mediareg.api.idempotency). Idempotent."""
    cutoff = timezone.now() - timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(base=ReliableTask, autoretry_for=TRANSIENT_ERRORS + MAIL_ERRORS)
def send_outgoing_mail(mail_id: int) -> str:
    """Send one mail of the outbox, queued when the write that stored it commits (mediareg.outbox.queue_mail).
    Retried with backoff while the mail server fails; after the retries the sweep takes over."""
    return outbox_sending.deliver(mail_id)


@shared_task(base=ReliableTask, time_limit=SWEEP_TIME_LIMIT, soft_time_limit=SWEEP_TIME_LIMIT - 30)
@single_run("send-pending-mail", timeout=SWEEP_LOCK_SECONDS)
def send_pending_mail() -> dict:
    """Every few minutes: the outbox's unsent mails whose next attempt has come (the broker was down
    when they were written, or the mail server was down for longer than the task's retries)."""
    return outbox_sending.send_due().as_dict()
