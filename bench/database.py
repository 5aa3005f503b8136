"""What the bench scripts share: the database they measure on, created when it is missing."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the database of ``url`` on its server if it does not exist (the server must be running)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(dbname="postgres", user=config["USER"] or None, host=config["HOST"] or None,
                                  port=config["PORT"] or None, password=config["PASSWORD"] or None)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()
