"""A real S3-compatible server for the tests: moto's standalone server (``moto_server``), started once per
session on a free loopback port and stopped at its end. ``s3_documents`` gives a test a fresh bucket on it
as the document store, configured the way a deployment configures it (STORAGE_URL, docs/storage.md)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import closed_port, wait_for

# moto accepts any credentials; these are handed to the storage through the environment, as in production.
ACCESS_KEY_ID, SECRET_ACCESS_KEY = "mediareg-test", "mediareg-test-secret"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen
    log_path: Path


@dataclass
class S3Documents:
    """The test's bucket: its name, the server, the STORAGE_URL that selects it, and a boto3 client."""

    bucket: str
    endpoint_url: str
    storage_url: str
    client: object

    @property
    def environment(self) -> dict[str, str]:
        """What a process of its own (gunicorn, a command) needs in its environment to use this bucket."""
        return {"STORAGE_URL": self.storage_url, "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def moto_server_command() -> str:
    beside = Path(sys.executable).with_name("moto_server")  # the virtualenv's own
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server is not installed: pip install the dev extra (moto[server]).")
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own loopback server)
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer: it is up
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's standalone S3-compatible server on a free loopback port, for the whole session."""
    port = closed_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 (the virtualenv's moto_server, fixed arguments)
            [moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: process.poll() is not None or answers(endpoint_url), timeout=30,
                 message="moto_server did not answer")
        assert process.poll() is None, log_path.read_text()
        yield S3Server(endpoint_url, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def s3_documents(s3_server, settings, monkeypatch):
    """The test's document store is a fresh, empty bucket on the S3 test server, chosen through
    STORAGE_URL and the AWS_* credentials as a deployment chooses it (mediareg.settings)."""
    import boto3

    from mediareg.settings import document_storage_setting

    bucket = f"documents-{uuid.uuid4().hex[:12]}"
    storage_url = f"s3://{bucket}?endpoint_url={s3_server.endpoint_url}&region_name={REGION}&addressing_style=path"
    client = boto3.client("s3", endpoint_url=s3_server.endpoint_url, region_name=REGION,
                          aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)
    client.create_bucket(Bucket=bucket)
    for name, value in (("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID), ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)):
        monkeypatch.setenv(name, value)
    store = document_storage_setting({"STORAGE_URL": storage_url})
    settings.STORAGES = {**settings.STORAGES, "default": store, "documents": store}
    return S3Documents(bucket=bucket, endpoint_url=s3_server.endpoint_url, storage_url=storage_url, client=client)
