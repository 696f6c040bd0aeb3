"""Alembic builds exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from onestop.db import make_engine
from onestop.migrate import upgrade
from onestop.models import Base


def _assert_no_drift(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert "alembic_version" in inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    _assert_no_drift(f"sqlite:///{tmp_path / 'm.db'}")


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


@pytest.mark.services
def test_postgresql_schema_matches_models(pg_database: str) -> None:
    _assert_no_drift(pg_database)


def test_dossiers_received_before_get_their_register_entries_and_search_keys(
    tmp_path: Path,
) -> None:
    """0008 numbers the dossiers already received, per office and local year, in the order
    received, and gives each its search key; new dossiers go on from there."""
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0007")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO office (id, code, name, timezone, event_seq) "
                    "VALUES (1, 'X', 'Xã', 'Asia/Ho_Chi_Minh', 0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO procedure (id, office_id, code, field_code, name, time_unit, "
                    "fee_text, fee_text_vi, evidence, documents, on_the_spot, position, "
                    "is_active, extension_counts, extension_unit) VALUES (1, 1, 'P', 'HT', 'P', "
                    "'same_day', '', '', 'V', '[]', 0, 0, 1, 'added', 'working_day')"
                )
            )
            # 31/12/2026 18:00 UTC is already 01/01/2027 in Hà Nội: the new year's book.
            for n, received in enumerate(
                ("2026-12-31 17:30:00", "2026-12-31 09:00:00", "2026-12-31 18:00:00"), 1
            ):
                conn.execute(
                    text(
                        "INSERT INTO dossier (id, office_id, code, token, procedure_id, "
                        "procedure_code, procedure_name, rule, applicant, channel, delivery, "
                        "documents, state, received_at, extended_count, supplement_count, "
                        "extended_by_law) VALUES (:n, 1, :code, :token, 1, 'P', 'P', '{}', "
                        ":applicant, 'direct', 'counter', '[]', 'received', :at, 0, 0, 0)"
                    ),
                    {
                        "n": n,
                        "code": f"X-{n}",
                        "token": f"token-{n}",
                        "applicant": '{"name": "Lê Thị Đào", "phone": "0912 000 111"}',
                        "at": received,
                    },
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT code, register_year, register_number, search_key FROM dossier "
                    "ORDER BY id"
                )
            ).all()
            books = conn.execute(
                text("SELECT year, last_number FROM register_sequence ORDER BY year")
            ).all()
        assert [(r.code, r.register_year, r.register_number) for r in rows] == [
            ("X-1", 2027, 1),  # 00:30 on 1/1 in Hà Nội
            ("X-2", 2026, 1),
            ("X-3", 2027, 2),
        ]
        assert rows[0].search_key == "x-1 le thi dao 0912 000 111 0912000111"
        assert [tuple(b) for b in books] == [(2026, 1), (2027, 2)]
    finally:
        engine.dispose()
