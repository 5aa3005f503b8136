from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def clear_expired_sessions() -> int:
    """Idempotent: deleting what has already expired twice deletes nothing the second time."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
