"""Reading many rows as plain values, without the ORM and without SQLAlchemy's result
processing: a busy office's year is 150,000 tickets, 60,000 dossiers and 100,000 ratings, and
the reports and the evaluation change none of them.

A query selects its columns through :func:`raw`: JSON as its text, days as their text;
instants come as SQLite's text, or as psycopg's datetimes in UTC (onestop.db sets the
session's zone to UTC, and the rows come in the binary format). :func:`read` takes the
driver's own tuples (:func:`tuples`) and turns each into the row class, converting by the
class's field annotations: a cached parse of the few distinct JSON values (rules, reasons,
answers; shared between rows, so never change one), ``fromisoformat``, and a lookup for enums
cost a fraction of the generic processors. :class:`epoch_seconds` and
:class:`quarter_hours` let the database compute with instants and hand over plain numbers.
:func:`collector_paused` keeps Python's cycle collector off while a report holds them.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import gc
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Date, Float, Integer, String, Text, cast, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from onestop.clock import as_utc

T = TypeVar("T")
# The execution option :func:`tuples` runs with: on PostgreSQL (psycopg), the rows come in the
# binary format (onestop.db), the same values in less time.
BINARY_RESULTS = "onestop_binary_results"


_paused_lock = threading.Lock()
_paused = {"holders": 0, "was_enabled": True}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a report counts (a context or a decorator).

    A year's report keeps some 500,000 rows and values alive until it ends, and the collector
    went over all of them again each time they had grown by a quarter: measured, 1 to 2 s of a
    4 s report. Reference counting still frees what the report and the other requests drop;
    only cycles wait, until the last report running ends (the collector then runs as before).
    """
    with _paused_lock:
        if _paused["holders"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["holders"] += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused["holders"] -= 1
            if _paused["holders"] == 0 and _paused["was_enabled"]:
                gc.enable()


def raw(column: Any) -> Any:
    """``column`` as the driver hands it over (see the module's text)."""
    kind = getattr(column, "type", None)
    if isinstance(kind, JSON):
        return cast(column, Text)
    if isinstance(kind, Date):
        return type_coerce(column, String)
    return column


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Any:
    return json.loads(text)


def json_value(value: Any) -> Any:
    """A JSON value read as text (shared between rows: the readers never change one)."""
    return _parsed(value) if isinstance(value, str) else value


def instant(value: Any) -> datetime | None:
    if isinstance(value, str):  # SQLite keeps UTC without its offset
        return datetime.fromisoformat(value + "+00:00")
    return None if value is None else as_utc(value)  # psycopg's, in UTC already


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _keep(value: Any) -> Any:
    return value


@functools.cache
def _converters(kind: Callable[..., Any], typed: bool) -> tuple[Callable[[Any], Any], ...]:
    """How each field of the row class ``kind`` is read from its :func:`raw` column; ``typed``:
    the driver hands instants and days over as Python's (psycopg), not as text (sqlite3)."""

    named = vars(sys.modules[kind.__module__])

    def reader(annotation: str) -> Callable[[Any], Any]:
        if "datetime" in annotation:
            return _keep if typed else instant
        first = annotation.split(" | ")[0]
        if first == "date":
            return _keep if typed else _day
        if annotation.startswith(("dict[", "list[")):
            return json_value
        declared = named.get(first)
        if isinstance(declared, type) and issubclass(declared, enum.Enum):
            # The driver hands over the stored value; a lookup is a tenth of the enum's call.
            return {member.value: member for member in declared}.__getitem__
        return _keep

    return tuple(reader(str(f.type)) for f in fields(kind))  # type: ignore[arg-type]


def read(session: Session, kind: Callable[..., T], query: Any) -> list[T]:
    """Each row of ``query`` (its columns those of ``kind``, through :func:`raw`) as ``kind``,
    its instants aware (in UTC). Run on the connection: the rows need no ORM."""
    typed = session.get_bind().dialect.name == "postgresql"
    converted = [
        (i, convert) for i, convert in enumerate(_converters(kind, typed)) if convert is not _keep
    ]
    rows = []
    for row in tuples(session, query):
        values = list(row)
        for i, convert in converted:
            values[i] = convert(values[i])
        rows.append(kind(*values))
    return rows


def tuples(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the driver's own tuples, run on the session's connection: its
    columns need none of SQLAlchemy's result processing (:func:`raw` ones, numbers, text),
    and building SQLAlchemy's rows is a third of reading a year of them."""
    result = session.connection().execute(query.execution_options(**{BINARY_RESULTS: True}))
    try:
        found: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    return found


class epoch_seconds(FunctionElement[float]):  # noqa: N801  (named as the SQL function it is)
    """An instant column as seconds since 1970 (a float) in SQL: differences of instants are
    then computed by the database and read as plain numbers (SQLite keeps instants as text:
    ``julianday`` reads them; PostgreSQL's ``date_part`` gives the float directly, the same
    double as its ``EXTRACT`` cast from the exact numeric, at a third of the cost)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"date_part('epoch', {column})"


class quarter_hours(FunctionElement[int]):  # noqa: N801  (named as the SQL function it is)
    """An instant column as the whole quarter hours since 1970, exact (from its whole seconds,
    not a float): the step at which time zones change their offset, so what is counted per
    quarter hour in SQL can be placed on the office's local days."""

    type = Integer()
    inherit_cache = True


@compiles(quarter_hours, "sqlite")
def _quarters_sqlite(element: quarter_hours, compiler: Any, **kw: Any) -> str:
    return f"(CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER) / 900)"


@compiles(quarter_hours, "postgresql")
def _quarters_postgresql(element: quarter_hours, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(CAST(floor(date_part('epoch', {column})) AS BIGINT) / 900)"
