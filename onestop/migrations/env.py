"""Alembic environment: onestop passes its own connection; standalone use reads the config."""

from __future__ import annotations

from alembic import context

from onestop.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from onestop.config import load_config
        from onestop.db import make_engine

        engine = make_engine(load_config()["database"]["url"])
        with engine.connect() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
