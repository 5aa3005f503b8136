"""A document sent through one web node is served by another (issue 13, docs/storage.md): two gunicorn
processes on loopback, on the test database and Redis, sharing one bucket on the S3 test server
(tests/s3.py) and nothing on disk, each with a DOCUMENTS_ROOT of its own that must stay empty."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import signal
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
import requests
import time_machine
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.core.management.utils import get_random_secret_key

from partners.models import Document
from tests.apply_helpers import form_data, form_files, stored_files
from tests.factories import TEST_PASSWORD, StaffUserFactory
from tests.helpers import closed_port, wait_for
from tests.test_jobs import worker_database_url

ROOT = Path(__file__).resolve().parent.parent
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class WebNode:
    """``gunicorn mediareg.wsgi`` on a free loopback port, with a documents folder of its own."""

    def __init__(self, name: str, folder: Path, environment: dict[str, str]):
        self.url = f"http://127.0.0.1:{closed_port()}"
        self.documents_root = folder / f"{name}-documents"
        self.documents_root.mkdir()
        self.log_path = folder / f"{name}.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
                [sys.executable, "-m", "gunicorn", "mediareg.wsgi", "--bind", self.url.removeprefix("http://"),
                 "--workers", "1", "--timeout", "60", "--no-control-socket"],
                cwd=ROOT, env={**os.environ, **environment, "DOCUMENTS_ROOT": str(self.documents_root)},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def wait_ready(self) -> None:
        wait_for(lambda: self.process.poll() is not None or self.healthy(), timeout=90,
                 message=f"gunicorn at {self.url} did not answer")
        assert self.process.poll() is None, self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a worker left behind, if any


def hidden_field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def machine_today() -> datetime.date:
    """The date the servers see: the machine's, even when this suite runs on a pinned clock (--clock)."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.datetime.datetime.now(JAKARTA).date()
    return datetime.datetime.now(JAKARTA).date()


def test_a_document_sent_through_one_web_node_is_downloaded_through_another(s3_documents, broker, fresh_rate_limit,
                                                                             tmp_path):
    staff = StaffUserFactory(username="rina.verifikator", groups=["Verifikator"])
    # Hashed as the servers hash: the suite's fast hasher is a test setting they do not have.
    type(staff).objects.filter(pk=staff.pk).update(password=make_password(TEST_PASSWORD, hasher=PBKDF2PasswordHasher()))
    environment = {
        "DATABASE_URL": worker_database_url(), "REDIS_URL": os.environ["REDIS_URL"], **s3_documents.environment,
        "SECRET_KEY": get_random_secret_key(),  # one key for every node: sessions, CSRF, the form's signed key
        "ALLOWED_HOSTS": "127.0.0.1", "APPLY_RATE_LIMIT": "1000",
        # A checkout has no collected static files (the image runs collectstatic); with DEBUG off the pages
        # would look for their manifest. Nothing of the document store depends on DEBUG.
        "DEBUG": "true",
    }
    nodes = [WebNode(name, tmp_path, environment) for name in ("a", "b")]
    try:
        for node in nodes:
            node.wait_ready()
        node_a, node_b = nodes

        # An outlet applies through node A, with a PDF for every document the form asks for.
        applicant = requests.Session()
        page = applicant.get(f"{node_a.url}/apply/", timeout=30).text
        today = machine_today()
        data = form_data(submission_key=hidden_field(page, "submission_key"), tax_year=today.year - 1,
                         kswp_date=today.isoformat(), csrfmiddlewaretoken=hidden_field(page, "csrfmiddlewaretoken"))
        files = {field: (upload.name, upload.read(), upload.content_type) for field, upload in form_files().items()}
        sent = applicant.post(f"{node_a.url}/apply/", data=data, files=files, allow_redirects=False, timeout=60)
        assert sent.status_code == 302 and sent.headers["Location"].startswith("/apply/status/"), sent.text[:3000]

        documents = list(Document.objects.all())
        assert len(documents) == len(files)
        assert s3_documents.keys() == sorted(document.file.name for document in documents)
        assert all(stored_files(node.documents_root) == [] for node in nodes)  # nothing on either node's disk

        # Staff log in on node B and download each document.
        reviewer = requests.Session()
        login = reviewer.get(f"{node_b.url}/admin/login/", timeout=30).text
        logged_in = reviewer.post(f"{node_b.url}/admin/login/?next=/admin/", timeout=30, allow_redirects=False, data={
            "username": staff.username, "password": TEST_PASSWORD, "next": "/admin/",
            "csrfmiddlewaretoken": hidden_field(login, "csrfmiddlewaretoken")})
        assert logged_in.status_code == 302 and logged_in.headers["Location"] == "/admin/", logged_in.text[:3000]
        for document in documents:
            download = reviewer.get(f"{node_b.url}{document.get_download_url()}", timeout=30)
            assert download.status_code == 200
            assert download.content == files[f"doc_{document.kind}"][1]
            assert download.headers["Content-Length"] == str(len(download.content))
        assert all(stored_files(node.documents_root) == [] for node in nodes)
    finally:
        for node in nodes:
            node.stop()
