"""`make test` runs this first: the suite needs real PostgreSQL and Redis, and a missing service
should cost one clear line, not a page of stack traces from every test.

    python -m mediareg.preflight   # exit 0 when both answer, 1 with one line per missing service
"""

from __future__ import annotations

import os
import sys

import dj_database_url
import psycopg2
import redis

START_HINT = "start it with `docker compose up -d db redis`, or on this machine: {local}"
LOCAL_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
LOCAL_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def check_postgres(url: str) -> str | None:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return f"DATABASE_URL must point at PostgreSQL for the tests, not {config['ENGINE']}."
    where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    try:
        # The maintenance database always exists; the test database is created by the test run.
        psycopg2.connect(dbname="postgres", user=config.get("USER") or None, password=config.get("PASSWORD") or None,
                         host=config.get("HOST") or None, port=config.get("PORT") or None, connect_timeout=3).close()
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL is not reachable at {where} ({reason}); " + START_HINT.format(local=LOCAL_POSTGRES)
    return None


def check_redis(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {url} ({exc}); " + START_HINT.format(local=LOCAL_REDIS)
    return None


def main() -> int:
    problems = []
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url:
        problems.append("DATABASE_URL is not set; the tests need PostgreSQL.")
    if not redis_url:
        problems.append("REDIS_URL is not set; the tests need Redis.")
    problems += [p for p in (database_url and check_postgres(database_url), redis_url and check_redis(redis_url)) if p]
    for problem in problems:
        print(f"make test: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
