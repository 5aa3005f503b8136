"""What every MediaReg Celery task shares: retries on passing database and broker errors, a cap on
redeliveries, a lock for periodic jobs so that two beats (or a slow run and the next one) do the
work once, and the one way a write queues a task after it commits (send_on_commit). See
docs/architecture.md ("Jobs") and the Celery settings in mediareg/settings.py.
"""

from __future__ import annotations

import functools
import logging
import uuid

import kombu.exceptions
import redis.exceptions
from celery import Task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction

from .audit import audit_context

logger = logging.getLogger(__name__)

# With late acknowledgement a task whose worker dies is delivered again; a task that kills its worker
# every time would be delivered forever. Beyond this many deliveries (first run, retries and
# redeliveries together) it is set aside as a DeadLetter.
MAX_DELIVERIES = 8
DELIVERY_COUNTER_TTL = 24 * 60 * 60

# Sweeps run every 5 minutes. They get a hard time limit of their own, so that their lock can outlast a
# run (longer than the limit) and still be shorter than the interval (a crashed run never blocks the next).
SWEEP_TIME_LIMIT = 3 * 60
SWEEP_LOCK_SECONDS = 4 * 60

TRANSIENT_ERRORS = (OperationalError, InterfaceError, kombu.exceptions.OperationalError,
                    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ReliableTask(Task):
    abstract = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        if self.request.is_eager or not self.request.id:
            # Run in the caller's process (the embedded defaults, tests): the caller's audit actor stands.
            return super().__call__(*args, **kwargs)
        deliveries = count_delivery(self.request.id)
        if deliveries > MAX_DELIVERIES:
            set_aside(self, args, kwargs, deliveries)
            return None
        # In a worker: every change the task makes is the job's unless it names a more precise actor.
        with audit_context(actor=f"task:{self.name}"):
            return super().__call__(*args, **kwargs)


def count_delivery(task_id: str) -> int:
    key = f"mediareg:deliveries:{task_id}"
    cache.add(key, 0, DELIVERY_COUNTER_TTL)
    return cache.incr(key)


def set_aside(task: Task, args, kwargs, deliveries: int) -> None:
    from .models import DeadLetter

    logger.error("task %s[%s] set aside after %d deliveries", task.name, task.request.id, deliveries)
    DeadLetter.objects.get_or_create(
        task_id=task.request.id,
        defaults={"task_name": task.name, "args": list(args), "kwargs": dict(kwargs), "deliveries": deliveries,
                  "reason": f"delivered {deliveries} times (limit {MAX_DELIVERIES})"},
    )


def single_run(lock_name: str, timeout: int):
    """Run the wrapped job only if no other run holds ``lock_name``; otherwise return "skipped".

    The lock is an atomic cache ``add`` (Redis SET NX in production). Its timeout must exceed the
    job's hard time limit (so a running job keeps it) and be shorter than the schedule interval (so a
    crashed run cannot block the next one).

    A redelivery of the very message that holds the lock (its worker died mid-run, so the lock was
    never released) takes the lock over instead of being skipped: the lock's value is the Celery task
    id, and only a different task id (a second beat, a second schedule entry) is turned away.
    """

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            key, task_id = f"mediareg:lock:{lock_name}", _current_task_id()
            token = task_id or uuid.uuid4().hex
            if not cache.add(key, token, timeout):
                if task_id is None or cache.get(key) != task_id:
                    logger.info("%s is already running; this run does nothing", lock_name)
                    return "skipped"
                logger.warning("%s: redelivered task %s takes over its own lock", lock_name, task_id)
                cache.set(key, token, timeout)
            try:
                return func(*args, **kwargs)
            finally:
                if cache.get(key) == token:
                    cache.delete(key)

        wrapper.lock_name, wrapper.lock_timeout = lock_name, timeout
        return wrapper

    return decorator


def _current_task_id() -> str | None:
    """The id of the Celery task running this code (also under eager ``apply()``), else None."""
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    return getattr(request, "id", None)


def send_on_commit(task: Task, *args) -> None:
    """Queue ``task`` once the current transaction commits (at once outside a transaction).

    A broker that refuses the message (Redis down, a network error) must not undo or fail what was
    saved: the failure is logged, never raised into the request or job that saved. Callers leave a
    mark in the same transaction (a pending re-check, an unsent mail) that a periodic sweep picks up,
    so nothing is lost when the message is.
    """

    def send():
        try:
            task.apply_async(args=args)
        # Any error: the broker library's (kombu, redis, socket) or, with tasks run in-process, the
        # task's own. Either way the mark in the database stands for the work.
        except Exception:
            logger.exception("%s%r could not be queued; the periodic sweep will do it", task.name, args)

    transaction.on_commit(send)
