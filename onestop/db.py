"""Engine and sessions.

SQLite (the embedded default) is put in WAL mode with foreign keys on, and every write
transaction starts with ``BEGIN IMMEDIATE``: the writer takes SQLite's write lock up front, so two
writers queue instead of one failing half-way with "database is locked" when it upgrades a read
lock. Read-only work (GET requests, snapshots) uses a plain deferred ``BEGIN`` so readers never
wait for writers; a write request's authentication, one lookup, begins nothing at all (SQLite
runs a lone statement on a snapshot of its own). PostgreSQL needs none of this.

The writers of one process queue on a lock of the process before they ask SQLite (in arrival
order under gevent, near enough with threads): a waiting writer sleeps in the server's scheduler
(a greenlet or a thread) instead of in SQLite's busy handler, which polls with growing sleeps
(unfair under load, and under gevent it would stop every other greenlet, the lock holder too).
Writers of other processes (a CLI command beside the server) still meet on ``busy_timeout``.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from onestop.plainrows import BINARY_RESULTS

# How the current thread's or context's next transaction on SQLite begins: WRITE takes the
# write lock (``BEGIN IMMEDIATE``), SNAPSHOT reads from one snapshot (a plain ``BEGIN``),
# STATEMENT begins nothing: each statement is its own snapshot (SQLite's autocommit).
WRITE, SNAPSHOT, STATEMENT = 0, 1, 2
_read_only: contextvars.ContextVar[int] = contextvars.ContextVar("onestop_read_only", default=WRITE)


def set_read_only(flag: bool) -> None:
    """Mark the work of the current thread or context as read-only (or not)."""
    _read_only.set(SNAPSHOT if flag else WRITE)


def set_statement_reads() -> None:
    """The next reads are single statements that need no common snapshot (who a write request
    comes from: one lookup): no transaction is begun for them, which spares a ``BEGIN`` and a
    ``COMMIT`` of their own. Only reads may follow, up to :meth:`Database.end_reads`."""
    _read_only.set(STATEMENT)


_WRITER = "onestop_writer"  # in a pooled connection's info: it holds the process's write lock


def _serialise_writers(engine: Engine, timeout: float) -> None:
    """One writer of this process at a time (see the module's text)."""
    lock = threading.Lock()  # made with the engine: under gevent, after the monkey patching

    def release(info: dict[str, Any]) -> None:
        if info.pop(_WRITER, False):
            lock.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = _read_only.get()
        if mode == STATEMENT:
            return
        if mode == SNAPSHOT:
            connection.exec_driver_sql("BEGIN")
            return
        if not lock.acquire(timeout=timeout):
            busy = sqlite3.OperationalError("database is locked: a writer held it too long")
            raise OperationalError("BEGIN IMMEDIATE", None, busy)
        connection.info[_WRITER] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(connection.info)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        # The event comes before the driver's commit: commit here, so the lock is let go only
        # once the data is in (the driver's own commit then finds nothing left to do).
        if connection.info.get(_WRITER):
            try:
                connection.exec_driver_sql("COMMIT")
            finally:
                release(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        if connection.info.get(_WRITER):
            try:
                raw = connection.connection.dbapi_connection
                if raw is not None and raw.in_transaction:
                    raw.rollback()
            finally:
                release(connection.info)

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_return(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        # A connection handed back (or dropped) while still marked: never keep the lock.
        if record is not None:
            release(record.info)


def make_engine(
    url: str, *, busy_timeout_ms: int = 10000, pool_size: int = 5, echo: bool = False
) -> Engine:
    """An engine configured for onestop on SQLite or PostgreSQL; ``pool_size`` connections
    stay open (and as many again open for a burst)."""
    pool = {"pool_size": pool_size, "max_overflow": pool_size}
    if not url.startswith("sqlite"):
        # The session's zone is UTC: psycopg then hands instants over as datetimes in UTC,
        # which the code compares and converts fastest (a year's report reads 400,000).
        utc = {"options": "-c timezone=UTC"}
        engine = create_engine(url, echo=echo, pool_pre_ping=True, connect_args=utc, **pool)
        if engine.dialect.driver == "psycopg":
            _binary_results(engine)
        return engine
    in_memory = url in ("sqlite://", "sqlite:///") or ":memory:" in url  # one connection a thread
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        **({} if in_memory else pool),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    _serialise_writers(engine, busy_timeout_ms / 1000)
    return engine


def _binary_results(engine: Engine) -> None:
    """A statement run with the execution option ``plainrows.BINARY_RESULTS`` has its rows
    sent in PostgreSQL's binary format: the same Python values from psycopg, and a year's
    report reads some 500,000 rows, whose numbers and instants take longer as text."""
    from psycopg import pq  # the postgres extra: imported only for a psycopg engine

    @event.listens_for(engine, "before_cursor_execute")
    def _binary(
        _conn: Any, cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if context is not None and context.execution_options.get(BINARY_RESULTS):
            cursor.format = pq.Format.BINARY


class Database:
    """Unbound extension: ``db.init_app(app)`` binds an engine; ``db.session`` is per request."""

    def init_app(self, app: Flask) -> None:
        cfg = app.config["ONESTOP"]["database"]
        engine = make_engine(
            cfg["url"],
            busy_timeout_ms=cfg["busy_timeout_ms"],
            pool_size=cfg["pool_size"],
            echo=cfg["echo"],
        )
        app.extensions["onestop.engine"] = engine
        app.extensions["onestop.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._close)

    def new_session(self, app: Flask | None = None) -> Session:
        """A session the caller owns (workers, CLI); close it when done."""
        factory = (app or current_app).extensions["onestop.sessionmaker"]
        session: Session = factory()
        return session

    @property
    def session(self) -> Session:
        """The session of the current request or app context, created on first use."""
        if "onestop_session" not in g:
            g.onestop_session = self.new_session()
        session: Session = g.onestop_session
        return session

    def end_reads(self) -> None:
        """What a write request read so far (who is asking) needed no lock: end those reads
        (the session's transaction, in which SQLite began none), so the write lock is taken at
        the next statement and held only for the rest of the request, not for the
        authentication too."""
        session: Session | None = g.get("onestop_session")
        if (
            session is not None
            and session.get_bind().dialect.name == "sqlite"
            and session.in_transaction()
        ):
            session.commit()  # nothing written yet: this only lets go of the read snapshot
        set_read_only(False)  # (PostgreSQL takes no lock for reading: nothing to end there)

    def commit_writes(self) -> None:
        """Commit the request's writes: what follows only reads (the answer), so on SQLite it
        reads from a plain ``BEGIN`` and the write lock is not taken again and held until the
        request ends (a lazy load after a commit begins a new transaction). Nothing may be
        written after this in the same request."""
        self.session.commit()
        set_read_only(True)

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("onestop_session", None)
        if session is not None:
            session.close()


db = Database()


def is_busy_error(exc: BaseException) -> bool:
    """True when the database refused because another writer holds the lock too long."""
    text = str(getattr(exc, "orig", exc)).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "could not obtain lock" in text
    )
