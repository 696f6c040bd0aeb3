"""Engine and sessions.

SQLite (the embedded default) is put in WAL mode with foreign keys on, and every write
transaction starts with ``BEGIN IMMEDIATE``: the writer takes SQLite's write lock up front, so two
writers queue on ``busy_timeout`` instead of one failing half-way with "database is locked" when
it upgrades a read lock. Read-only work (GET requests, snapshots) uses a plain deferred ``BEGIN``
so readers never wait for writers. PostgreSQL needs none of this.
"""

from __future__ import annotations

import contextvars
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

_read_only: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "onestop_read_only", default=False
)


def set_read_only(flag: bool) -> None:
    """Mark the work of the current thread or context as read-only (or not)."""
    _read_only.set(flag)


def make_engine(url: str, *, busy_timeout_ms: int = 10000, echo: bool = False) -> Engine:
    """An engine configured for onestop on SQLite or PostgreSQL."""
    if not url.startswith("sqlite"):
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
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

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")

    return engine


class Database:
    """Unbound extension: ``db.init_app(app)`` binds an engine; ``db.session`` is per request."""

    def init_app(self, app: Flask) -> None:
        cfg = app.config["ONESTOP"]["database"]
        engine = make_engine(cfg["url"], busy_timeout_ms=cfg["busy_timeout_ms"], echo=cfg["echo"])
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
