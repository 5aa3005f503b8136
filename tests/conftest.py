import datetime
import importlib
import os
import shutil
import tempfile
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test.utils import override_settings

from tests.s3 import s3_documents, s3_server  # noqa: F401 (fixtures: a real S3-compatible server, tests/s3.py)

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default=os.environ.get("TEST_CLOCK", ""), metavar="YYYY-MM-DD[THH:MM]",
        help="Run the whole suite as if the machine's clock showed this moment (Asia/Jakarta; the clock keeps "
             "ticking from there). Proves that every test pins the dates it relies on: "
             "make test PYTEST_ARGS='--clock 2027-01-01'. Also read from TEST_CLOCK.")


def _machine_clock(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JAKARTA)
    if len(value) == 10:  # a date alone: mid-morning, an ordinary working moment of that day
        moment = moment.replace(hour=9)
    return moment


def pytest_configure(config):
    clock = config.getoption("--clock")
    if clock:
        # Started before collection, so module-level dates and parametrize ids see the same clock.
        config._machine_clock = time_machine.travel(_machine_clock(clock), tick=True)
        config._machine_clock.start()
    # Tests that start processes of their own (workers, fresh settings) hand them these URLs; `make test`
    # picks the services and sets both (mediareg/preflight.py).
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        raise pytest.UsageError("The tests need DATABASE_URL and REDIS_URL: run them with `make test`, which finds "
                                "or starts PostgreSQL and Redis and sets both.")
    # The suite speaks plain HTTP to the application, as a developer's machine does. DEBUG is off
    # unless asked for, so the settings were read with the production protections on (HTTPS redirect,
    # secure cookies, static file names from collectstatic's manifest); tests/test_settings.py proves
    # those in fresh processes with a controlled environment.
    config._plain_http = override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False,
        STORAGES={**settings.STORAGES,
                  "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    )
    config._plain_http.enable()


def pytest_unconfigure(config):
    plain_http = getattr(config, "_plain_http", None)
    if plain_http is not None:
        plain_http.disable()
    clock = getattr(config, "_machine_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    clock = config.getoption("--clock")
    return f"machine clock set to {_machine_clock(clock).isoformat()} (--clock)" if clock else None


# An ordinary working day (a Thursday in late November): tests that compute with "today" run on it
# whatever the machine's clock says; dates that matter (the turn of the year, tax deadlines) are pinned
# by the tests about them.
ORDINARY_DAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=JAKARTA)


@pytest.fixture
def ordinary_day():
    """Pin the clock (still ticking) to ORDINARY_DAY: ``pytestmark = pytest.mark.usefixtures("ordinary_day")``."""
    with time_machine.travel(ORDINARY_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def reference_data_in_transactional_tests(request):
    """A transactional test starts from a flushed database: put the provinces and KBLI codes of the data
    migration back (groups and periodic jobs come back by themselves, from post_migrate).

    Instead of ``serialized_rollback``, which fails with a duplicate group whenever it follows a
    transactional test without it: that test's flush re-ran post_migrate, and the restore then inserts
    the same groups again."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    importlib.import_module("partners.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories create many users; the production hasher costs a quarter of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_document_storage(settings, tmp_path):
    """Each test writes uploaded documents into its own temporary folder."""
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    return settings.DOCUMENTS_ROOT


@pytest.fixture
def embedded_pgdata():
    """The data folder of an embedded PostgreSQL of the test's own (mediareg.embedded), stopped and removed after
    the test. Outside pytest's temporary folders: started by root, the server runs as another user, who must
    reach the folder, and every pytest session that starts makes pytest's base folder private again."""
    from mediareg import embedded

    base = Path(tempfile.mkdtemp(prefix="mediareg-embedded-"))
    pgdata = base / "postgres"
    yield pgdata
    embedded.stop(pgdata)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pdf_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.demo.files import pdf_bytes

    return SimpleUploadedFile("akta pendirian.pdf", pdf_bytes("Akta pendirian"), content_type="application/pdf")


# --- fixtures several test modules use -------------------------------------------------------------


@pytest.fixture
def fresh_rate_limit():
    """The rate-limit counters live in Redis (REDIS_URL's database): the test starts from none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_tasks():
    """Tasks queued with .delay() or after a commit run in-process, as with the embedded defaults."""
    from tests.helpers import celery_conf

    with celery_conf(task_always_eager=True):
        yield


@pytest.fixture
def english(client):
    """The test client asks for English pages (the cookie the language menu sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def staff_member():
    """A Verifikator with an e-mail address: new applications are announced to this group."""
    from tests.factories import StaffUserFactory

    return StaffUserFactory(username="rina.verifikator", first_name="Rina", last_name="Verifikatorwati",
                            email="rina@kominfo.example.go.id", groups=["Verifikator"])


@pytest.fixture
def auditor():
    """A member of the Auditor group: sees everything, changes nothing."""
    from tests.factories import StaffUserFactory

    return StaffUserFactory(username="auditor.uji", groups=["Auditor"])


@pytest.fixture
def broker():
    """The real Celery broker of REDIS_URL, emptied before and after the test (tests.helpers.Broker)."""
    from tests.helpers import Broker

    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: these tests need the real broker (`make test` sets it).")
    broker = Broker(url)
    broker.purge()
    yield broker
    broker.purge()
    broker.client.close()


@pytest.fixture
def close_worker_connections():
    """The embedded worker runs tasks in its own thread, with its own database connection: close it
    after each task so the test database can be flushed and dropped."""
    import threading

    from celery.signals import task_postrun
    from django.db import connections

    def close(**_kwargs):
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()

    task_postrun.connect(close, weak=False)
    yield
    task_postrun.disconnect(close)


@pytest.fixture
def quiet_worker_logging():
    """An embedded worker leaves pytest's log capture alone."""
    from tests.helpers import celery_conf

    with celery_conf(worker_hijack_root_logger=False):
        yield


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST the public form (/apply/) as a browser does; the after-commit work (e-mails, re-check) runs.
    Valid data and files by default (tests/apply_helpers.py)."""
    from tests.apply_helpers import APPLY, form_data, form_files

    def post(data=None, files=None, client=client, **extra):
        data = form_data() if data is None else data
        files = form_files() if files is None else files
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(APPLY, {**data, **files}, **extra)

    return post


@pytest.fixture
def reviewer(client, staff_member):
    """The test client logged in as the Verifikator ``staff_member``."""
    client.force_login(staff_member)
    return staff_member


@pytest.fixture
def browser(transactional_db, live_server):
    """Debian's headless Chromium for one test (tests/browser.py), started after the test database is ready
    and stopped before it is reset; skipped without Chromium, except under CI (chromium_or_skip). Modules
    open their pages on it at their own size (tests.browser.new_page).

    Playwright's sync API keeps an event loop registered in this thread while it runs: Django then
    refuses ORM calls here as if they came from async code, and gives this context connections of its
    own. The test code is plain synchronous code (the loop only drives the browser), so the ORM may be
    used beside it; those connections are closed with the browser.
    """
    from django.db import connections

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()
