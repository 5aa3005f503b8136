"""What /healthz checks: can a new database connection answer a query, and does Redis answer, each
within seconds. Load balancers and `docker compose` probe it, so it must answer fast even when a
service hangs rather than refuses."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend

# Seconds. libpq waits at least 2 s for a connection; the statement limit is in the server's milliseconds.
PROBE_CONNECT_TIMEOUT = 2
PROBE_STATEMENT_TIMEOUT_MS = 2000


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
