"""CSV rows written by PostgreSQL itself (``COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)``), for a report
whose cells can be SQL expressions (``Report.copy_select``).

Why: Python spends about 10 µs on each row of the spend ledger (psycopg2 turning 28 values into Python
objects, then the writer turning them back into text), so a million orders took three times as long as
PostgreSQL's own COPY of the same SELECT; COPY of the cells written as SQL expressions takes a third longer
than the bare COPY (bench/export.py). The cells are the same as the Python writer's (formats.cell): empty
for NULL and for '', ISO dates, whole numbers, words for yes/no and for codes, an apostrophe before text
that starts like a formula; quoting is COPY's, which quotes exactly where the csv module does (a comma, a
quote or a line break in the field). Only the line ends differ, LF from COPY, so each row's is turned into
CR LF as it goes through, as the csv module writes. ``tests/test_report_copy.py`` compares both files
byte for byte.

COPY writes into a file object and returns at the end; the file here is a queue read by the response's
generator, and COPY runs in a worker thread on the request's own database connection (the generator
waits meanwhile and touches nothing else of it), so the file leaves in pieces as PostgreSQL produces it
and memory holds a few pieces, whatever the number of rows. A download cut off cancels the COPY.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from .base import FORMULA_STARTS, Report

# The kinds whose cell an SQL expression gives exactly: the report's SQL type must be a date for "date",
# an integer for "int" and "money" (Rupiah is BIGINT), a boolean for "bool"; anything for "text".
SQL_KINDS = ("text", "date", "int", "money", "bool")
_FORMULA_SQL = ", ".join({"\t": "E'\\t'", "\r": "E'\\r'"}.get(start, f"'{start}'") for start in FORMULA_STARTS)
_DONE = object()


def _text(expression: str) -> str:
    """Empty for NULL and '' (COPY would quote an empty string), an apostrophe before a formula. Names
    ``expression`` three times."""
    return (f"CASE WHEN left({expression}, 1) IN ({_FORMULA_SQL}) THEN '''' || {expression} "
            f"ELSE NULLIF({expression}, '') END")


def sql_cells(values: QuerySet, report: Report, profile: str, *, words: dict[str, dict] | None = None,
              yes: str = "", no: str = "") -> tuple[str, tuple] | None:
    """The SELECT of the profile's cells over ``values`` (a ``values_list`` of every column of ``report``,
    in its order). ``words`` maps a column's key to {stored code: its words} (codes not in it stay as they
    are); ``yes``/``no`` are the words of a bool column. Call it inside the file's language."""
    words = words or {}
    try:
        inner, inner_params = values.query.sql_with_params()
    except EmptyResultSet:  # .none(): a person who may see no row; the Python writer writes the empty file
        return None
    names = ", ".join(f"c{i}" for i in range(len(report.columns)))
    cells, params = [], []
    for i, column in enumerate(report.columns):
        if column not in report.columns_for(profile):
            continue
        value = f"t.c{i}"
        if column.kind not in SQL_KINDS:
            raise ValueError(f"{report.name}: a {column.kind} column cannot be written by COPY")
        if column.kind in ("int", "money"):
            cells.append(value)
        elif column.kind == "date":
            cells.append(f"to_char({value}, 'YYYY-MM-DD')")
        elif column.kind == "bool":
            cells.append(f"CASE WHEN {value} THEN %s WHEN NOT {value} THEN %s END")
            params += [yes, no]
        elif column.key in words:
            choices = words[column.key]
            cases = " ".join("WHEN %s THEN %s" for _ in choices)
            cells.append(_text(f"(CASE {value}::text {cases} ELSE {value}::text END)"))
            # _text names its expression three times, and each time with the words' parameters.
            params += [part for code, label in choices.items() for part in (str(code), str(label))] * 3
        else:
            cells.append(_text(f"{value}::text"))
    # Built from our constants and Django's own SQL; every value is a parameter.
    sql = f"SELECT {', '.join(cells)} FROM ({inner}) AS t({names})"  # noqa: S608
    return sql, (*params, *inner_params)


def copy_csv(sql: str, params: tuple, *, size: int = 65_536,
             progress: Callable[[int], None] | None = None) -> Generator[bytes, None, int]:
    """The rows of ``sql`` as CSV (UTF-8, CR LF), in pieces of about ``size`` bytes as PostgreSQL writes
    them; the generator's value (``rows = yield from copy_csv(...)``) is the number of rows."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        statement = cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params).decode()
    pieces: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    savepoint = not raw.autocommit  # inside a transaction, a cancelled COPY must not spoil it

    def hand_over(item) -> None:
        """To the generator; dropped once the download is cut off. Never raises: an exception out of the
        file's write would leave psycopg2's connection in the middle of the COPY."""
        while not stop.is_set():
            try:
                pieces.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    class Pipe:
        """COPY's file: it writes one row a call, ending in LF."""

        def __init__(self):
            self.parts, self.length, self.rows = [], 0, 0

        def write(self, data: bytes) -> None:
            if stop.is_set():
                return  # the COPY is being cancelled; what still arrives is dropped
            self.parts.append(data[:-1] + b"\r\n")
            self.length += len(data) + 1
            self.rows += 1
            if self.length >= size:
                hand_over((b"".join(self.parts), self.rows))
                self.parts, self.length = [], 0

    def work() -> None:
        pipe = Pipe()
        try:
            with raw.cursor() as cursor:
                if savepoint:
                    cursor.execute("SAVEPOINT report_copy")
                try:
                    cursor.copy_expert(statement, pipe)
                except Exception:
                    if savepoint:
                        cursor.execute("ROLLBACK TO SAVEPOINT report_copy")
                    raise
                if savepoint:
                    cursor.execute("RELEASE SAVEPOINT report_copy")
            hand_over((b"".join(pipe.parts), pipe.rows))
            hand_over(_DONE)
        except BaseException as exc:  # handed to the generator, which raises it in the request's thread
            hand_over(exc)

    worker = threading.Thread(target=work, name="report-copy", daemon=True)
    worker.start()
    rows = 0
    try:
        while True:
            item = pieces.get()
            if item is _DONE:
                return rows
            if isinstance(item, BaseException):
                raise item
            data, rows = item
            if progress:
                progress(rows)
            if data:
                yield data
    finally:
        if worker.is_alive():
            stop.set()
            raw.cancel()  # PostgreSQL stops the COPY; copy_expert then fails in the worker, which ends
        worker.join()
