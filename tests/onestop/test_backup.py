"""`onestop backup`: a consistent copy while tickets are being written, and the restore drill
docs/deploy.md describes (put the copy back, `onestop init`, serve the state of the backup)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

from onestop.app import create_app
from onestop.db import db
from onestop.models import Office
from onestop.queue import issue_ticket
from tests.helpers import cli_env, last_json, run_cli


def _tickets(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM ticket").fetchone()[0])


def test_a_backup_taken_while_tickets_are_issued_restores_whole(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "--demo", "--json").returncode == 0
    database = tmp_path / "cli.db"
    env = cli_env(tmp_path)
    app = create_app(
        {"database": {"url": env["ONESTOP_DATABASE__URL"]}, "realtime": {"coalesce_ms": 0}}
    )
    stop = threading.Event()
    issued: list[str] = []

    def kiosk() -> None:  # a busy morning meanwhile, in this process
        with db.new_session(app) as session:
            office = session.query(Office).one()
            while not stop.is_set() and len(issued) < 400:
                ticket = issue_ticket(session, office, "A", rules=app.extensions["onestop.rules"])
                session.commit()
                issued.append(ticket.ticket.number)

    writer = threading.Thread(target=kiosk)
    writer.start()
    try:
        while len(issued) < 20:
            stop.wait(0.01)
        done = run_cli(tmp_path, "backup", str(tmp_path / "copy.db"), "--json")
    finally:
        stop.set()
        writer.join(30)
    app.extensions["onestop.engine"].dispose()
    assert done.returncode == 0, done.stderr
    result = last_json(done.stdout)
    assert result["revision"]
    in_copy = _tickets(tmp_path / "copy.db")
    assert result["tickets"] == in_copy
    assert 20 <= in_copy <= len(issued)
    assert _tickets(database) == len(issued)
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600  # everyone's data: ours only

    again = run_cli(tmp_path, "backup", str(tmp_path / "copy.db"))
    assert again.returncode != 0
    assert "exists" in again.stderr

    # The drill: the server is stopped, the copy replaces the database, init checks it.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "copy.db", database)
    assert run_cli(tmp_path, "init").returncode == 0
    assert _tickets(database) == in_copy
    with sqlite3.connect(database) as conn:
        numbers = [n for (n,) in conn.execute("SELECT number FROM ticket ORDER BY id")]
    assert numbers == issued[:in_copy]  # nothing half-written, nothing out of order


def test_postgresql_is_backed_up_with_pg_dump(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path,
        "backup",
        str(tmp_path / "x.db"),
        ONESTOP_DATABASE__URL="postgresql+psycopg://x@/y",
    )
    assert done.returncode != 0
    assert "pg_dump" in done.stderr
