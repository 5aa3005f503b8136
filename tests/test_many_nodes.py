"""Many web and worker nodes on one PostgreSQL, one Redis and one object store (docs/deployment.md).

Two parts: the settings contract that lets any node serve any request (read in a fresh process with a
production environment, since settings are read once per process), and a real second beat, whose
duplicate of the nightly run is sent and absorbed.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.core.management.utils import get_random_secret_key
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from catalog.models import Eligibility, EligibilityChange, RecheckRange, RecheckRun, Trigger
from catalog.tasks import RANGE_SIZE
from tests.catalog_helpers import eligible_outlet
from tests.factories import MediaOutletFactory
from tests.test_jobs import worker_database_url
from tests.test_settings import live_database_url, live_redis_url, run_python

ROOT = Path(__file__).resolve().parent.parent
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


# --- no node keeps what another node needs ------------------------------------------------------

NODE_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
import axes.conf  # noqa: F401 (puts django-axes' defaults into settings)
from django.utils.connection import ConnectionProxy
from mediareg.api.throttling import AnonymousThrottle, UserThrottle
from mediareg.celery import app
database = settings.DATABASES["default"]

def backend(cache):
    if isinstance(cache, ConnectionProxy):  # django.core.cache.cache, as DRF's throttles hold it
        return settings.CACHES[cache._alias]["BACKEND"]
    return f"{type(cache).__module__}.{type(cache).__qualname__}"

print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "throttle_caches": sorted({backend(throttle.cache) for throttle in (AnonymousThrottle(), UserThrottle())}),
    "session_engine": settings.SESSION_ENGINE,
    "session_cache": settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"],
    "axes_handler": settings.AXES_HANDLER,
    "documents": settings.STORAGES["documents"]["BACKEND"],
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": database["CONN_MAX_AGE"],
    "conn_health_checks": database["CONN_HEALTH_CHECKS"],
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
    "beat_scheduler": settings.CELERY_BEAT_SCHEDULER,
    "embedded_defaults": settings.EMBEDDED_DEFAULTS,
}))
"""
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


# The bucket every node of the shape in docs/deployment.md stores documents in (nothing is sent to it here).
OBJECT_STORE = "s3://mediareg-documents?endpoint_url=http://127.0.0.1:9000&region_name=us-east-1&addressing_style=path"


def node_settings(**env: str) -> dict:
    """What a web or worker node started with this production environment reads."""
    production = {"DJANGO_SETTINGS_MODULE": "mediareg.settings", "DEBUG": "false", "ALLOWED_HOSTS": "example.org",
                  "SECRET_KEY": get_random_secret_key(), "DATABASE_URL": live_database_url(),
                  "REDIS_URL": live_redis_url(), "EMAIL_HOST": "smtp.example.org",
                  "STORAGE_URL": OBJECT_STORE, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    result = run_python("-c", NODE_SETTINGS, env={**production, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_node_keeps_sessions_counters_locks_and_the_schedule_where_every_node_sees_them():
    node = node_settings()

    # The cache (rate limits of the public form, the API's throttles, job locks and delivery counts, cached
    # public pages) is the one Redis, not a process's memory.
    assert (node["cache"], node["cache_location"]) == (REDIS_CACHE, live_redis_url())
    assert node["throttle_caches"] == [REDIS_CACHE]
    # Sessions: in the database (our choice), or in the shared Redis cache; never a node's memory or files.
    assert node["session_engine"] in {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache",
                                      "django.contrib.sessions.backends.cached_db"}
    if node["session_engine"] != "django.contrib.sessions.backends.db":
        assert node["session_cache"] == REDIS_CACHE
    # Login lockouts (django-axes) are rows of the database.
    assert node["axes_handler"] == "axes.handlers.database.AxesDatabaseHandler"
    # Static files: from each node's own image, under the names collectstatic hashed at build time.
    # Documents and proofs: the one object store, never a node's folder (docs/storage.md).
    assert node["documents"] == "partners.s3_storage.PrivateS3DocumentStorage"
    assert node["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Jobs go through the broker to any worker; beat reads its schedule from the database.
    assert (node["broker"], node["eager"]) == (live_redis_url(), False)
    assert node["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"
    # Persistent connections, checked before reuse (docs/deployment.md "Database connections").
    assert (node["conn_max_age"], node["conn_health_checks"]) == (60, True)
    assert node["embedded_defaults"] == []


def test_the_connection_lifetime_is_set_by_the_environment():
    assert node_settings(DATABASE_CONN_MAX_AGE="0")["conn_max_age"] == 0
    assert node_settings(DATABASE_CONN_MAX_AGE="600")["conn_max_age"] == 600


def test_a_node_without_secret_key_says_its_generated_key_is_its_own(tmp_path):
    # Every node must share one key (sessions, CSRF, signed renewal links); a generated one is one machine's.
    node = node_settings(SECRET_KEY="", SECRET_KEY_FILE=str(tmp_path / "secret_key"))
    assert node["embedded_defaults"] == [f"secret key: generated once, kept in {tmp_path / 'secret_key'} "
                                         "(one machine only)"]


def test_a_node_without_an_object_store_says_its_documents_folder_is_its_own():
    node = node_settings(STORAGE_URL="", DOCUMENTS_ROOT="/srv/documents")
    assert node["documents"] == "partners.storage.PrivateDocumentStorage"
    assert node["embedded_defaults"] == ["documents: in the folder /srv/documents (one machine only)"]


# --- exactly one beat, and a second one does no harm ----------------------------------------------

NIGHT = datetime.datetime(2026, 6, 10, 1, 0, tzinfo=JAKARTA)
CHANGED = "DatabaseScheduler: Schedule changed."
SENT = re.compile(r"Sending due task recheck-all-outlets \(catalog\.tasks\.recheck_all_outlets\)")
FAN_OUT = re.compile(r"Task catalog\.tasks\.recheck_all_outlets\[[0-9a-f-]+\] succeeded in [\d.]+s: (.+)")


class Node:
    """A Celery process of its own (``celery -A mediareg ...``) against the test database and the broker,
    in a process group of its own so that it is stopped with its pool children."""

    def __init__(self, log_path: Path, *args: str, env: dict[str, str]):
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            [sys.executable, "-m", "celery", "-A", "mediareg", *args], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def text(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the pool's children too, if any is left
        self.process.wait(timeout=10)
        self.log.close()


def wait_for_nodes(condition, nodes: list[Node], timeout: float, what: str) -> None:
    """Wait for ``condition``; on a timeout, fail with the end of every node's log as it is then."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {node.log_path.name}\n{node.text()[-3000:]}" for node in nodes)
            pytest.fail(f"timed out after {timeout} s: {what}\n{logs}")
        time.sleep(0.1)


def node_environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "mediareg.settings", "DATABASE_URL": worker_database_url(),
            "REDIS_URL": live_redis_url(), **extra}


def machine_now() -> datetime.datetime:
    """The machine's clock, which the beats keep, whatever clock this test process keeps (`pytest --clock`)."""
    hatch = time_machine.escape_hatch
    return datetime.datetime.fromtimestamp(hatch.time.time() if hatch.is_travelling() else time.time(),
                                           tz=datetime.UTC)


def only_the_nightly_run_every(seconds: int) -> None:
    """The shipped nightly entry (mediareg/periodic.py), due at once and then every few seconds instead of at
    01:00; every other periodic job off, so that the beats send nothing else."""
    PeriodicTask.objects.exclude(name="recheck-all-outlets").update(enabled=False)
    every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    assert PeriodicTask.objects.filter(name="recheck-all-outlets", task="catalog.tasks.recheck_all_outlets").update(
        crontab=None, interval=every, enabled=True, last_run_at=machine_now() - datetime.timedelta(hours=1)) == 1


def turn_off_the_nightly_run(beats: list[Node]) -> None:
    """Disable the entry and wait until every beat has read the change, after which none sends it again."""
    seen = [beat.text().count(CHANGED) for beat in beats]
    PeriodicTask.objects.filter(name="recheck-all-outlets").update(enabled=False)
    # What PeriodicTask.save() does, on the beats' clock: they reload when this moves past what they saw.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": machine_now()})
    wait_for_nodes(lambda: all(beat.text().count(CHANGED) > count for beat, count in zip(beats, seen, strict=True)),
                   beats, timeout=10, what="a beat did not read the changed schedule")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_second_beat_sends_the_nightly_run_again_and_the_run_happens_once(broker, tmp_path):
    from django.core.cache import cache

    with time_machine.travel(NIGHT, tick=True):
        first = eligible_outlet()
        # Three ranges of ids, one with two outlets (the next id of the sequence).
        outlets = [first, MediaOutletFactory(), MediaOutletFactory(id=first.pk + RANGE_SIZE),
                   MediaOutletFactory(id=first.pk + 2 * RANGE_SIZE)]
        # The worker keeps this test's clock: every delivery falls on the same night (tests/celery_tasks.py).
        worker_clock = datetime.datetime.now(datetime.UTC).isoformat()
    assert not Eligibility.objects.exists() and not EligibilityChange.objects.exists()
    only_the_nightly_run_every(2)
    broker.purge()

    nodes = []
    try:
        nodes.append(worker := Node(
            tmp_path / "worker.log", "worker", "--pool=prefork", "--concurrency=2", "--include", "tests.celery_tasks",
            "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=INFO",
            "--hostname=many-nodes@%h", env=node_environment(TEST_WORKER_CLOCK=worker_clock)))
        beats = []
        for name in ("beat-1", "beat-2"):
            beats.append(Node(
                tmp_path / f"{name}.log", "beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler",
                "--loglevel=INFO", "--max-interval=1", "--pidfile", str(tmp_path / f"{name}.pid"),
                "--schedule", str(tmp_path / f"{name}-schedule"), env=node_environment()))
            nodes.append(beats[-1])

        # Both beats send the nightly run (the duplicate is real), and the run is done.
        wait_for_nodes(lambda: all(SENT.search(beat.text()) for beat in beats), nodes, timeout=25,
                       what="not both beats sent the nightly run")
        wait_for_nodes(lambda: RecheckRun.objects.filter(finished_at__isnull=False).exists(), nodes, timeout=20,
                       what="the run did not finish")
        turn_off_the_nightly_run(beats)
        sent = sum(len(SENT.findall(beat.text())) for beat in beats)
        # Every message the beats sent has been taken and finished.
        wait_for_nodes(lambda: len(FAN_OUT.findall(worker.text())) == sent and not broker.messages()
                       and not broker.unacked_ids(), nodes, timeout=20,
                       what=f"the worker did not finish the {sent} messages")
    finally:
        for node in nodes:
            node.stop()
        cache.delete("mediareg:lock:recheck-all-outlets")

    # One fan-out queued the ranges; each other delivery found the run claimed ("already ran") or still
    # being claimed under its lock ("skipped").
    results = FAN_OUT.findall(worker.text())
    assert len(results) == sent >= 2
    assert results.count("3") == 1 and set(results) - {"3"} <= {"'already ran'", "'skipped'"}, results

    (run,) = RecheckRun.objects.all()
    assert (run.day, run.trigger, run.batches, run.batches_done) == (NIGHT.date(), Trigger.SCHEDULE, 3, 3)
    assert run.outlets_checked == len(outlets)  # every range counted once
    assert RecheckRange.objects.filter(run=run, finished_at__isnull=False).count() == 3
    # Each outlet evaluated once into its history, by the nightly run.
    assert sorted(EligibilityChange.objects.values_list("outlet_id", "trigger")) == sorted(
        (outlet.pk, Trigger.SCHEDULE) for outlet in outlets)
    assert Eligibility.objects.count() == len(outlets)
