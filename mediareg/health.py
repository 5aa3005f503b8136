"""What /healthz checks: can a new database connection answer a query, does Redis answer, and can the
node write documents (its folder, or the object store's bucket, docs/storage.md), each within seconds.
Load balancers and `docker compose` probe it, so it must answer fast even when a service hangs rather
than refuses."""

from __future__ import annotations

import os
from pathlib import Path

import redis
from django.conf import settings
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend

# Seconds. libpq waits at least 2 s for a connection; the statement limit is in the server's milliseconds.
PROBE_CONNECT_TIMEOUT = 2
PROBE_STATEMENT_TIMEOUT_MS = 2000
PROBE_OBJECT_STORE_TIMEOUT = 2


def probe_settings(settings_dict: dict) -> dict:
    """``settings_dict`` for a probe: its own connection, never kept, with short limits of its own."""
    probe = {**settings_dict, "CONN_MAX_AGE": 0, "OPTIONS": dict(settings_dict.get("OPTIONS") or {})}
    probe["OPTIONS"]["connect_timeout"] = PROBE_CONNECT_TIMEOUT
    probe["OPTIONS"]["options"] = f"-c statement_timeout={PROBE_STATEMENT_TIMEOUT_MS}"
    return probe


def database_status(settings_dict: dict | None = None) -> str:
    """"ok", or "error: <kind>". A fresh connection rather than the request's: it proves the database
    still takes new connections, and a hung one costs PROBE_CONNECT_TIMEOUT, not the worker."""
    settings_dict = probe_settings(settings_dict or connections[DEFAULT_DB_ALIAS].settings_dict)
    probe = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {type(exc).__name__}"
    finally:
        probe.close()
    return "ok"


def redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def documents_status() -> str:
    """The document store: a node that cannot store an applicant's files cannot take an application, so
    it is as unhealthy as one without its database. The folder (one machine) must be writable, or be
    creatable where it does not exist yet; a bucket must answer a HEAD request with this node's
    credentials."""
    store = storages["documents"]
    bucket_status = getattr(store, "bucket_status", None)
    if bucket_status is not None:
        return bucket_status(PROBE_OBJECT_STORE_TIMEOUT)
    folder = Path(settings.DOCUMENTS_ROOT)
    existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return "error: the documents folder is not writable"
    return "ok"
