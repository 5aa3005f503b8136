"""Celery reliability (docs/architecture.md "Jobs").

The settings themselves (visibility timeout, prefetch, time limits, soft shutdown, late ack) are
checked in tests/test_settings.py (test 10); this module checks what the tasks and jobs do with
them, against the real broker (Redis from REDIS_URL), a real in-process worker, and a real prefork
worker process that is killed.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends import locmem
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from catalog import lifecycle
from catalog.eligibility import recheck_outlets
from catalog.models import (
    Eligibility,
    EligibilityChange,
    EligibilityPolicy,
    Listing,
    ListingTransition,
    Trigger,
)
from catalog.tasks import recheck_all_outlets, recheck_outlet_range, send_expiry_reminders, send_staff_summary
from mediareg import jobs
from mediareg.celery import app
from mediareg.models import AuditEvent, DeadLetter
from mediareg.periodic import DEFAULT_JOBS
from partners.models import Document, DocumentKind, MediaOutlet, PressCompany, ReviewStatus
from partners.services import documents_accept
from tests.catalog_helpers import eligible_outlet
from tests.factories import DocumentFactory, MediaOutletFactory, PressCompanyFactory, StaffUserFactory
from tests.helpers import Broker, wait_for

ROOT = Path(__file__).resolve().parent.parent
ONE_DAY = 24 * 60 * 60
# Periodic jobs that may run twice at once without a lock, and why. Anything else must use single_run.
UNLOCKED_PERIODIC_TASKS: set[str] = set()  # every periodic job takes its lock


# --- helpers ---------------------------------------------------------------------------------------

def state_snapshot() -> dict:
    return {
        "eligibility": sorted(Eligibility.objects.values_list("outlet_id", "is_eligible", "failing_codes")),
        "outcomes": sorted((row.pk, json.dumps(row.outcomes, sort_keys=True)) for row in Eligibility.objects.all()),
        "listings": sorted(Listing.objects.values_list("outlet_id", "state", "suspension_cause")),
        "changes": EligibilityChange.objects.count(),
        "transitions": ListingTransition.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def catalog_with_every_kind_of_outlet():
    """Eligible, ineligible, listed-and-losing-eligibility, and suspended-by-staff outlets."""
    reviewer = StaffUserFactory()
    eligible_outlet()
    MediaOutletFactory()
    losing = eligible_outlet()
    lifecycle.approve(lifecycle.ensure_listing(losing), user=reviewer)
    held = eligible_outlet()
    held_listing = lifecycle.ensure_listing(held)
    lifecycle.approve(held_listing, user=reviewer)
    lifecycle.suspend(held_listing, user=reviewer, reason="Diperiksa staf")
    Document.objects.filter(company=losing.company, kind=DocumentKind.KSWP).update(
        review_status=ReviewStatus.REJECTED, rejection_reason="Bukan KSWP perusahaan ini")


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}


# --- the tasks' own reliability options ------------------------------------------------------------

def test_no_project_task_opts_out_of_late_acknowledgement():
    tasks = project_tasks()
    assert {"catalog.tasks.send_expiry_reminders", "catalog.tasks.send_staff_summary"} <= set(tasks)
    for name, task in tasks.items():
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name


def test_catalog_tasks_retry_on_database_and_broker_errors_and_fit_under_the_redelivery_cap():
    for name, task in project_tasks().items():
        if not name.startswith("catalog."):
            continue
        assert isinstance(task, jobs.ReliableTask), name
        assert OperationalError in task.autoretry_for, name
        assert redis.exceptions.ConnectionError in task.autoretry_for, name
        # A task that legitimately uses all its retries must not be taken for a poison message.
        assert task.max_retries + 1 < jobs.MAX_DELIVERIES, name


# --- test 11: tasks are sent only after the transaction commits ------------------------------------

@pytest.mark.django_db
def test_accepting_a_document_sends_one_recheck_task_after_commit(broker, django_capture_on_commit_callbacks):
    outlet = MediaOutletFactory()
    document = DocumentFactory(outlet=outlet, kind=DocumentKind.EDITORIAL_BOX)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        documents_accept(Document.objects.filter(pk=document.pk), by=StaffUserFactory())
        assert broker.messages() == []  # still inside the transaction: nothing sent yet

    assert len(callbacks) == 1
    (message,) = broker.messages()
    assert message["task"] == "catalog.tasks.recheck_outlets_task"
    assert message["args"] == [[outlet.pk], Trigger.DOCUMENT_REVIEW, ""]  # no actor: the worker names itself


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_no_task_is_sent_when_the_transaction_rolls_back(broker, django_capture_on_commit_callbacks):
    document = DocumentFactory(outlet=MediaOutletFactory(), kind=DocumentKind.EDITORIAL_BOX)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            documents_accept(Document.objects.filter(pk=document.pk), by=StaffUserFactory())
            raise Rollback

    assert callbacks == []
    assert broker.messages() == []
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING


# --- test 12: a periodic job started twice at once does the work once ------------------------------

def periodic_tasks():
    tasks = project_tasks()
    return [(job, tasks[job.task]) for job in DEFAULT_JOBS]


def schedule_interval(job) -> int:
    """Seconds between two runs of a daily job ("30" "1") or of an every-N-minutes job ("*/5" "*")."""
    if job.minute.isdigit() and job.hour.isdigit() and job.day_of_week == "*":
        return ONE_DAY
    if job.minute.startswith("*/") and job.minute[2:].isdigit() and job.hour == "*":
        return int(job.minute[2:]) * 60
    pytest.fail(f"{job.name}: say how long its lock may be for the schedule {job.minute} {job.hour}")


@pytest.mark.parametrize("job", DEFAULT_JOBS, ids=[job.name for job in DEFAULT_JOBS])
def test_every_periodic_job_holds_a_lock_longer_than_its_time_limit_and_shorter_than_its_interval(job):
    task = project_tasks()[job.task]
    interval = schedule_interval(job)
    if job.task in UNLOCKED_PERIODIC_TASKS:
        assert not hasattr(task.run, "lock_timeout")
        return
    hard_limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
    assert (task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT) < hard_limit
    assert hard_limit < task.run.lock_timeout < interval


@pytest.mark.django_db
@pytest.mark.parametrize("job", [job for job in DEFAULT_JOBS if job.task not in UNLOCKED_PERIODIC_TASKS],
                         ids=lambda job: job.name)
def test_every_locked_periodic_job_skips_while_another_run_holds_its_lock(job, eager_tasks):
    task = project_tasks()[job.task]
    key = f"mediareg:lock:{task.run.lock_name}"
    assert cache.add(key, "another-run", 60)
    try:
        assert task.apply().result == "skipped"
    finally:
        cache.delete(key)
    assert task.apply().result != "skipped"
    assert cache.get(key) is None  # released after the run


@pytest.mark.django_db
def test_a_redelivered_run_takes_over_its_own_lock_but_not_anothers(mailoutbox):
    # The worker died mid-run: its lock (value: its task id) is still there when the message comes back.
    key = f"mediareg:lock:{send_staff_summary.run.lock_name}"
    cache.set(key, "task-that-died", 60)
    try:
        assert send_staff_summary.apply(task_id="another-task").result == "skipped"
        assert send_staff_summary.apply(task_id="task-that-died").result["status"] == "nothing"
        assert cache.get(key) is None
    finally:
        cache.delete(key)


class BlockingBackend(locmem.EmailBackend):
    """Holds the first mail until the test lets it go, so the first run is still running when the
    second starts."""

    release = threading.Event()

    def send_messages(self, messages):
        assert type(self).release.wait(30), "the test never released the mail"
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("task", [send_staff_summary, send_expiry_reminders], ids=lambda t: t.name.rsplit(".")[-1])
# A June day: in December the reminders job also sends the year-end tax notices.
@time_machine.travel(datetime.datetime(2026, 6, 10, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
def test_two_concurrent_runs_of_a_periodic_job_do_the_work_once(task, settings):
    settings.EMAIL_BACKEND = "tests.test_jobs.BlockingBackend"
    BlockingBackend.release.clear()
    mail.outbox = []
    policy = EligibilityPolicy.load()
    policy.staff_summary_emails = "kepala@diskominfo.example"
    policy.save()
    reviewer = StaffUserFactory()
    listing = lifecycle.ensure_listing(eligible_outlet())
    lifecycle.approve(listing, user=reviewer)
    lifecycle.suspend(listing, user=reviewer, reason="Uji")                       # for the summary
    ListingTransition.objects.filter(listing=listing, to_state="suspended").update(
        created_at=timezone.now() - datetime.timedelta(days=1))                  # of yesterday, the day it sends
    DocumentFactory(outlet=listing.outlet, kind=DocumentKind.PRESS_COUNCIL_CERTIFICATE, accepted=True,
                    expiry_date=timezone.localdate() + datetime.timedelta(days=7))  # for a reminder
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            return task.apply().result  # each call is its own message: its own task id
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run) for _ in range(2)]
        done, _running = wait(futures, timeout=30, return_when=FIRST_COMPLETED)
        assert [future.result() for future in done] == ["skipped"]  # while the other one holds the lock
        BlockingBackend.release.set()
        results = [future.result(timeout=30) for future in futures]

    assert results.count("skipped") == 1
    (worked,) = [result for result in results if result != "skipped"]
    assert worked.get("status") == "sent" or worked.get("sent") == 1
    assert len(mail.outbox) == 1


# --- test 6: the re-check is idempotent ------------------------------------------------------------

@pytest.mark.django_db
def test_recheck_all_outlets_twice_leaves_the_same_state_history_and_audit_trail(eager_tasks):
    catalog_with_every_kind_of_outlet()
    before = state_snapshot()

    recheck_all_outlets.delay()
    first = state_snapshot()
    recheck_all_outlets.delay()
    second = state_snapshot()

    # Two outlets get their first result, one loses eligibility (and is suspended); the staff-held one
    # was already evaluated when staff suspended it.
    assert first["changes"] == before["changes"] + 3
    assert first["transitions"] == before["transitions"] + 1
    assert ("suspended", "eligibility") in {(state, cause) for _pk, state, cause in first["listings"]}
    assert second == first


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_rechecks_of_the_same_outlets_write_each_change_once():
    catalog_with_every_kind_of_outlet()
    ids = sorted(MediaOutlet.objects.values_list("pk", flat=True))
    changes_before, transitions_before = EligibilityChange.objects.count(), ListingTransition.objects.count()
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            # A range task and its redelivery (or a manual re-check) running at the same moment.
            return recheck_outlet_range.apply(args=(ids[0], ids[-1], None, Trigger.SCHEDULE)).result
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [future.result(timeout=60) for future in [pool.submit(run) for _ in range(2)]]

    assert sum(result["changed"] for result in results) == 3
    assert sum(result["suspended"] for result in results) == 1
    assert EligibilityChange.objects.count() == changes_before + 3
    assert ListingTransition.objects.count() == transitions_before + 1


# --- a real worker (in this process) against the real broker ---------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rechecks_the_outlet_after_its_document_is_accepted(
        broker, close_worker_connections, quiet_worker_logging):
    assert app.conf.task_always_eager is False
    outlet = eligible_outlet()
    Document.objects.filter(company=outlet.company, kind=DocumentKind.KSWP).delete()
    kswp = DocumentFactory(company=outlet.company, kind=DocumentKind.KSWP,
                           issue_date=timezone.localdate().replace(month=1, day=1))  # pending review
    recheck_outlets([outlet.pk], trigger=Trigger.SCHEDULE)
    assert Eligibility.objects.get(pk=outlet.pk).failing_rule_codes == ["tax_status"]

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        documents_accept(Document.objects.filter(pk=kswp.pk), by=StaffUserFactory())  # commits: sends the task
        wait_for(lambda: Eligibility.objects.get(pk=outlet.pk).is_eligible, timeout=30,
                 message="the worker did not re-check the outlet")

    latest = EligibilityChange.objects.filter(outlet=outlet).first()
    assert (latest.is_eligible, latest.trigger, latest.actor) == (True, "document_review", "system:document_review")
    assert broker.messages() == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_a_task_makes_in_a_worker_names_the_task_in_the_audit_trail(broker):
    from tests.celery_tasks import rename_company

    company = PressCompanyFactory(legal_name="PT Lama")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        rename_company.delay(company.pk, "PT Baru")
        wait_for(lambda: PressCompany.objects.get(pk=company.pk).legal_name == "PT Baru", timeout=30,
                 message="the worker did not run the task")

    (update,) = [e for e in AuditEvent.objects.tracks(company) if e.pgh_label == "update"]
    assert update.pgh_diff["legal_name"] == ["PT Lama", "PT Baru"]
    assert update.pgh_context["actor"] == "task:tests.celery_tasks.rename_company"


# --- tests 8 and 9: a real prefork worker process, killed ------------------------------------------

def worker_database_url() -> str:
    """DATABASE_URL with the test database's name, for a worker in another process."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class PreforkWorker:
    """``celery -A mediareg worker --pool=prefork -c N`` on a queue of its own, with the test tasks."""

    def __init__(self, log_path: Path, concurrency: int = 1):
        self.queue = f"reliability-{uuid.uuid4().hex[:8]}"
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": worker_database_url(), "REDIS_URL": os.environ["REDIS_URL"],
               "DJANGO_SETTINGS_MODULE": "mediareg.settings",
               # The worker keeps the test's clock, which a pinned test or --clock may have moved.
               "TEST_WORKER_CLOCK": datetime.datetime.now(datetime.UTC).isoformat()}
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "-m", "celery", "-A", "mediareg", "worker", "--pool=prefork",
             f"--concurrency={concurrency}", "--queues", self.queue, "--include", "tests.celery_tasks",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=INFO",
             f"--hostname={self.queue}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30):
        wait_for(lambda: " ready." in self.log_path.read_text() or self.process.poll() is not None, timeout,
                 message="the worker did not start")
        assert self.process.poll() is None, self.log_text()

    def log_text(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: nothing is running by now
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the worker and its pool children
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a pool child left behind, if any
        self.log.close()


@pytest.fixture
def start_prefork_worker(tmp_path, broker):
    """``start_prefork_worker(concurrency)`` starts a worker process, stopped after the test."""
    started = []

    def start(concurrency: int = 1) -> PreforkWorker:
        worker = PreforkWorker(tmp_path / f"worker-{len(started)}.log", concurrency=concurrency)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
        broker.purge(worker.queue)
        # The queue's routing, declared by the worker.
        broker.client.delete(f"_kombu.binding.{worker.queue}", f"_kombu.binding_permanent.{worker.queue}")


@pytest.fixture
def progress_key(broker):
    key = f"mediareg:test:{uuid.uuid4().hex}"
    yield key
    broker.client.delete(f"{key}:starts", f"{key}:pids", f"{key}:completions")


def counter(broker: Broker, key: str, name: str) -> int:
    return int(broker.client.get(f"{key}:{name}") or 0)


def kill_first_start(broker: Broker, key: str) -> int:
    wait_for(lambda: counter(broker, key, "starts") == 1, timeout=20, message="the task never started")
    pid = int(broker.client.lindex(f"{key}:pids", 0))
    os.kill(pid, signal.SIGKILL)
    return pid


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_worker_process_is_killed_runs_again_and_completes_once(
        start_prefork_worker, broker, progress_key):
    from tests.celery_tasks import recheck_slowly

    prefork_worker = start_prefork_worker()

    outlet = eligible_outlet()
    result = recheck_slowly.apply_async(args=[progress_key, outlet.pk], queue=prefork_worker.queue)
    killed = kill_first_start(broker, progress_key)

    wait_for(lambda: counter(broker, progress_key, "completions") == 1, timeout=30,
             message=f"the task was not run again after its process was killed\n{prefork_worker.log_text()}")
    assert counter(broker, progress_key, "starts") == 2
    pids = [int(pid) for pid in broker.client.lrange(f"{progress_key}:pids", 0, -1)]
    assert pids[0] == killed and pids[1] != killed  # a new pool process ran it
    # The database is in the state of one successful run: one result, one history row.
    assert Eligibility.objects.get(pk=outlet.pk).is_eligible
    assert EligibilityChange.objects.filter(outlet=outlet).count() == 1
    assert broker.messages(prefork_worker.queue) == [] and result.id not in broker.unacked_ids()
    assert not DeadLetter.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks_and_replaces_a_broken_one(
        start_prefork_worker, broker, progress_key):
    """Each task on a new connection would cost a PostgreSQL backend per task (bench/scaleout.py); the worker
    keeps one as gunicorn does, and Django's check before the next task replaces one the server dropped."""
    from tests.celery_tasks import record_database_backend

    prefork_worker = start_prefork_worker()

    def run_task(expected: int) -> int:
        record_database_backend.apply_async(args=[progress_key], queue=prefork_worker.queue)
        wait_for(lambda: broker.client.llen(f"{progress_key}:backends") == expected, timeout=30,
                 message=f"the task did not run\n{prefork_worker.log_text()}")
        return int(broker.client.lindex(f"{progress_key}:backends", -1))

    first = run_task(1)
    assert run_task(2) == run_task(3) == first  # one connection for every task

    with connection.cursor() as cursor:  # the server drops it (a restart, an administrator, a failover)
        cursor.execute("SELECT pg_terminate_backend(%s)", [first])
    replaced = run_task(4)
    assert replaced != first  # the next task ran, on a new connection
    assert run_task(5) == replaced
    assert not DeadLetter.objects.exists()
    broker.client.delete(f"{progress_key}:backends")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_with_celerys_default_early_ack_the_killed_task_is_lost(start_prefork_worker, broker, progress_key):
    """Why the settings exist: acknowledged on receipt, the task dies with its process."""
    from tests.celery_tasks import recheck_slowly_early_ack

    prefork_worker = start_prefork_worker()

    outlet = eligible_outlet()
    result = recheck_slowly_early_ack.apply_async(args=[progress_key, outlet.pk], queue=prefork_worker.queue)
    kill_first_start(broker, progress_key)

    wait_for(lambda: "WorkerLostError" in prefork_worker.log_text(), timeout=20,
             message="the worker did not notice the lost process")
    time.sleep(2)  # room for a redelivery that must not come
    assert counter(broker, progress_key, "starts") == 1
    assert counter(broker, progress_key, "completions") == 0
    assert broker.messages(prefork_worker.queue) == [] and result.id not in broker.unacked_ids()
    assert not EligibilityChange.objects.filter(outlet=outlet).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_task_that_kills_its_worker_every_time_is_set_aside_after_the_delivery_cap(
        start_prefork_worker, broker, progress_key):
    from tests.celery_tasks import kill_own_worker

    prefork_worker = start_prefork_worker()

    result = kill_own_worker.apply_async(args=[progress_key], queue=prefork_worker.queue)

    # About 35 s: the worker notices a replaced pool process died only on billiard's 5-second
    # maintenance tick, so after the first two deliveries each one takes about 5 s.
    dead = wait_for(lambda: DeadLetter.objects.filter(task_id=result.id).first(), timeout=55,
                    interval=0.25, message=f"the poison message was not set aside\n{prefork_worker.log_text()}")
    assert dead.task_name == "tests.kill_own_worker"
    assert dead.args == [progress_key]
    assert dead.deliveries == jobs.MAX_DELIVERIES + 1
    assert counter(broker, progress_key, "starts") == jobs.MAX_DELIVERIES  # then never again
    wait_for(lambda: result.id not in broker.unacked_ids(), timeout=10, message="the message was not acknowledged")
    assert broker.messages(prefork_worker.queue) == []
    time.sleep(1)
    assert counter(broker, progress_key, "starts") == jobs.MAX_DELIVERIES
    assert "set aside after" in prefork_worker.log_text()


@pytest.mark.django_db
def test_failed_tasks_are_listed_read_only_in_the_admin(admin_client):
    from mediareg.models import DeadLetter

    DeadLetter.objects.create(task_name="catalog.tasks.recheck_outlets_task", task_id="abc-1", deliveries=9,
                              reason="delivered 9 times (limit 8)")
    response = admin_client.get("/admin/mediareg/deadletter/")
    assert response.status_code == 200 and "abc-1" in response.content.decode()
    assert admin_client.get("/admin/mediareg/deadletter/add/").status_code == 403
