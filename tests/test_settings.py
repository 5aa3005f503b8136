"""Settings from the environment, the Celery reliability settings, /healthz, rupiah and the preflight.

Start-up behaviour is tested in subprocesses with a controlled environment: settings are read once
per process, so only a fresh interpreter shows what a deployment with that environment would do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key
from django.template import Context, Template

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

def test_without_environment_the_embedded_defaults_apply():
    script = """
import json, django
django.setup()
from django.conf import settings
from mediareg.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_app_eager": app.conf.task_always_eager,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
}))
"""
    result = run_python("-c", script, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "celery_app_eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": False,
    }


def test_embedded_defaults_are_reported_in_one_log_line_at_start():
    result = run_python("manage.py", "check")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if EMBEDDED_DEFAULTS_LINE in line]
    assert len(lines) == 1, result.stderr
    for part in ("SQLite", "in-process", "console"):
        assert part in lines[0]


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


# --- (d) Celery reliability settings are consistent (perf-reliability.md §4, test 10) -------------

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
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
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
    assert response.json()["checks"] == {"database": "ok", "redis": "not configured"}


def test_healthz_503_when_the_database_is_unreachable():
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
    })
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"] == {"database": "error: OperationalError", "redis": "not configured"}


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


# --- (g) `make test`'s preflight names the missing service in one line ----------------------------

def run_preflight(database_url: str, redis_url: str) -> subprocess.CompletedProcess:
    return run_python("-m", "mediareg.preflight", env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})


def test_preflight_names_an_unreachable_postgresql():
    result = run_preflight(f"postgres://postgres@127.0.0.1:{closed_port()}/x", live_redis_url())
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "PostgreSQL is not reachable" in lines[0] and "docker compose up -d db redis" in lines[0]
    assert result.stdout == ""


def test_preflight_names_an_unreachable_redis():
    result = run_preflight(live_database_url(), f"redis://127.0.0.1:{closed_port()}/0")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Redis is not reachable" in lines[0] and "redis-server" in lines[0]


def test_preflight_passes_when_both_answer():
    result = run_preflight(live_database_url(), live_redis_url())
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
