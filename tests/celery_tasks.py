"""Tasks for the worker-loss tests only (tests/test_jobs.py). A real prefork worker imports this module
with ``-I tests.celery_tasks``; production workers never do.

Each task records its starts (and its process id) in Redis under the key the test gives it, so the
test can see deliveries from outside the worker and kill the right process.
"""

from __future__ import annotations

import datetime
import os
import signal
import time

import redis
from celery import shared_task
from django.conf import settings

from catalog.eligibility import recheck_outlets
from catalog.models import Trigger
from mediareg.jobs import ReliableTask

if os.environ.get("TEST_WORKER_CLOCK"):
    # Started by a test (tests/test_jobs.py PreforkWorker): run on the test's clock, which a pinned test
    # or `pytest --clock` may have moved; the pool's processes are forked after this import.
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(os.environ["TEST_WORKER_CLOCK"]), tick=True).start()

# The first delivery waits this long for the test to kill its process; later ones do not wait.
FIRST_START_WAIT_SECONDS = 30


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _recheck_after_a_slow_first_start(key: str, outlet_id: int) -> None:
    client = _redis()
    starts = client.incr(f"{key}:starts")
    client.rpush(f"{key}:pids", os.getpid())
    if starts == 1:
        time.sleep(FIRST_START_WAIT_SECONDS)
    recheck_outlets([outlet_id], trigger=Trigger.SCHEDULE, actor="system:worker-loss-test")
    client.incr(f"{key}:completions")


@shared_task(base=ReliableTask, name="tests.recheck_slowly")
def recheck_slowly(key: str, outlet_id: int) -> None:
    """Late acknowledgement and requeue on worker loss, as every MediaReg task."""
    _recheck_after_a_slow_first_start(key, outlet_id)


@shared_task(base=ReliableTask, name="tests.recheck_slowly_early_ack", acks_late=False,
             reject_on_worker_lost=False)
def recheck_slowly_early_ack(key: str, outlet_id: int) -> None:
    """The same work with Celery's defaults (acknowledged on receipt): shows what the settings prevent."""
    _recheck_after_a_slow_first_start(key, outlet_id)


@shared_task(base=ReliableTask, name="tests.kill_own_worker")
def kill_own_worker(key: str) -> None:
    """A poison message: every delivery kills the process running it (as a segfault or the OOM killer would)."""
    _redis().incr(f"{key}:starts")
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task(base=ReliableTask)
def rename_company(company_id: int, name: str) -> None:
    """A task that names no actor of its own (tests/test_jobs.py: the worker names it)."""
    from partners.models import PressCompany

    PressCompany.objects.filter(pk=company_id).update(legal_name=name)


@shared_task(base=ReliableTask, name="tests.record_database_backend")
def record_database_backend(key: str) -> None:
    """Records the PostgreSQL backend (process id) that the task's queries ran on (tests/test_jobs.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        _redis().rpush(f"{key}:backends", cursor.fetchone()[0])
