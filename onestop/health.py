"""Is this server fit to serve? The database (reachable, and migrated to the code's schema) and,
where one is configured, Redis. ``/healthz`` answers with it, so a proxy stops sending requests
to a sick process, and ``onestop serve`` refuses to start on a database it cannot use."""

from __future__ import annotations

import functools
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from onestop.migrate import alembic_config


@functools.cache
def code_head() -> str | None:
    """The migration this code's schema is at (read once from the migration scripts)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_problem(engine: Engine) -> str | None:
    """Why the database cannot serve this code (unreachable, or not at the code's migration),
    or None when it can."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        return f"the database cannot be reached: {str(reason).strip().splitlines()[0]}"
    head = code_head()
    if current != head:
        shown = current or "no onestop schema"
        return f"the database is at {shown}, this code needs {head}: run `onestop init`"
    return None


def redis_urls(cfg: dict[str, Any]) -> list[str]:
    """The Redis servers this configuration uses (message queue, rate-limit storage)."""
    urls = [cfg["realtime"]["message_queue"], cfg["security"]["ratelimit_storage"]]
    return list(dict.fromkeys(u for u in urls if u.startswith(("redis://", "rediss://"))))


@functools.cache
def _redis(url: str) -> Any:
    """One client per Redis server for the health checks (a proxy asks every few seconds: a
    new client each time would open a new pool each time)."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def redis_problem(url: str) -> str | None:
    try:
        _redis(url).ping()
    except Exception as exc:  # noqa: BLE001  (whatever the failure, Redis is not usable)
        return f"{exc.__class__.__name__}: {exc}"
    return None


def check(engine: Engine, cfg: dict[str, Any]) -> dict[str, str]:
    """Each shared part's state, ``ok`` or what is wrong with it."""
    parts = {"database": schema_problem(engine) or "ok"}
    for n, url in enumerate(redis_urls(cfg)):
        parts["redis" if n == 0 else f"redis_{n + 1}"] = redis_problem(url) or "ok"
    return parts
