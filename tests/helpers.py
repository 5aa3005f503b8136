"""Helpers that several test modules use (fixtures are in tests/conftest.py)."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import time

import pytest
import redis
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

DEFAULT_QUEUE = "celery"


@contextlib.contextmanager
def celery_conf(**values):
    """Celery settings for the duration of a test (``task_always_eager=True``), restored after it."""
    from mediareg.celery import app

    previous = {name: getattr(app.conf, name) for name in values}
    for name, value in values.items():
        setattr(app.conf, name, value)
    try:
        yield
    finally:
        for name, value in previous.items():
            setattr(app.conf, name, value)


def page_queries(client, url):
    """The number of queries a second load of the page runs (the first warms up content types and the
    session), and the response."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text(response) -> str:
    """The page's text with its white space folded."""
    return " ".join(response.content.decode().split())


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago): connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s: {message}")


class Broker:
    """The real Redis broker of REDIS_URL, read directly (no Celery code in between)."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

    def messages(self, queue: str = DEFAULT_QUEUE) -> list[dict]:
        """The task messages waiting in ``queue``: name, id, args and kwargs."""
        found = []
        for raw in self.client.lrange(queue, 0, -1):
            envelope = json.loads(raw)
            args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            found.append({"task": envelope["headers"]["task"], "id": envelope["headers"]["id"],
                          "args": args, "kwargs": kwargs})
        return found

    def unacked_ids(self) -> set[str]:
        """Ids of messages a worker has taken but not acknowledged (kombu keeps them in a hash)."""
        ids = set()
        for raw in self.client.hvals("unacked"):
            envelope, _exchange, _routing_key = json.loads(raw)
            ids.add(envelope["headers"]["id"])
        return ids

    def purge(self, queue: str = DEFAULT_QUEUE) -> None:
        self.client.delete(queue)
