from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .jobs import ReliableTask, single_run


@shared_task(base=ReliableTask)
@single_run("clear-expired-sessions", timeout=45 * 60)
def clear_expired_sessions() -> int:
    """Idempotent: deleting what has already expired twice deletes nothing the second time."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
