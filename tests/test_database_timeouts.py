"""A database that accepts connections but never answers costs seconds, not a hung worker: /healthz
answers 503 within 5 s, pages fail after DATABASE_CONNECT_TIMEOUT, and in web requests a statement is
cut off after DATABASE_STATEMENT_TIMEOUT (jobs and commands have no such limit).

The hung database is a socket on loopback that listens and never replies: the kernel completes the
TCP handshake and takes what libpq sends, and no answer ever comes."""

from __future__ import annotations

import json
import socket
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connections

from mediareg.health import database_status
from tests.test_settings import live_database_url, run_python

HEALTHZ_BUDGET = 5.0  # seconds: docker-compose.yml's probe gives up after 5 s


@contextmanager
def silent_database():
    """The port of a "PostgreSQL" that accepts connections and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # never accept()ed: the kernel still completes the handshakes
        yield listener.getsockname()[1]


def maintenance_database_url() -> str:
    """The live server's `postgres` database, which always exists (for fresh processes)."""
    parts = urlsplit(live_database_url())
    return urlunsplit(parts._replace(path="/postgres"))


def timed(script: str, env: dict[str, str]) -> dict:
    """Run ``script`` in a fresh process that prints one JSON object, and return it."""
    result = run_python("-c", script, env={"DJANGO_SETTINGS_MODULE": "mediareg.settings", "ALLOWED_HOSTS": "testserver",
                                           **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_health_check_gives_up_on_a_silent_database_within_seconds(django_db_blocker):
    with silent_database() as port, django_db_blocker.unblock():
        hung = {**connections["default"].settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}
        started = time.monotonic()
        status = database_status(hung)
        elapsed = time.monotonic() - started
    assert status == "error: OperationalError"
    assert elapsed < HEALTHZ_BUDGET, f"{elapsed:.1f} s"


@pytest.mark.django_db
def test_the_health_check_of_a_live_database_uses_a_connection_of_its_own():
    assert database_status() == "ok"
    assert connections["default"].settings_dict["OPTIONS"].get("connect_timeout") == 5  # untouched


HEALTHZ = """
import json, time, django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json(), "seconds": time.monotonic() - started}))
"""


def test_healthz_answers_503_within_5_seconds_when_postgresql_hangs():
    with silent_database() as port:
        outcome = timed(HEALTHZ, {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/mediareg"})
    assert outcome["status"] == 503
    assert outcome["body"]["checks"]["database"] == "error: OperationalError"
    assert outcome["seconds"] < HEALTHZ_BUDGET, outcome


PAGE = """
import json, time, django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client(raise_request_exception=False).get("/apply/", secure=True)
print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started}))
"""


def test_a_page_fails_after_the_connect_timeout_instead_of_hanging():
    with silent_database() as port:
        outcome = timed(PAGE, {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/mediareg",
                               "DATABASE_CONNECT_TIMEOUT": "3"})
    assert outcome["status"] == 500
    assert 2.5 < outcome["seconds"] < 6, outcome  # about the 3 s asked for


STATEMENTS = """
import json, os, time, django
if os.environ.get("AS_WEB_SERVER"):
    import mediareg.wsgi  # what gunicorn loads
else:
    django.setup()  # what manage.py and the Celery worker do
from django.db import OperationalError, connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    limit = cursor.fetchone()[0]
    started = time.monotonic()
    try:
        cursor.execute("SELECT pg_sleep(2.5)")
        outcome = "finished"
    except OperationalError as exc:
        outcome = type(exc.__cause__).__name__
print(json.dumps({"limit": limit, "outcome": outcome, "seconds": time.monotonic() - started}))
"""


@pytest.mark.parametrize("process", ["web server", "command or job"])
def test_statements_are_time_limited_in_web_requests_only(process):
    env = {"DATABASE_URL": maintenance_database_url(), "DATABASE_STATEMENT_TIMEOUT": "1"}
    if process == "web server":
        env["AS_WEB_SERVER"] = "1"
    outcome = timed(STATEMENTS, env)
    if process == "web server":
        assert outcome["limit"] == "1s"
        assert outcome["outcome"] == "QueryCanceled" and outcome["seconds"] < 2, outcome
    else:
        assert outcome["limit"] == "0"
        assert outcome["outcome"] == "finished", outcome


def test_the_web_statement_limit_defaults_to_20_seconds():
    outcome = timed(STATEMENTS.replace("pg_sleep(2.5)", "1"),
                    {"DATABASE_URL": maintenance_database_url(), "AS_WEB_SERVER": "1"})
    assert outcome["limit"] == "20s"
