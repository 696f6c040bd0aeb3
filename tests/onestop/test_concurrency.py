"""Real processes racing on one database: numbers never repeat, tickets are never shared.

Run on the embedded SQLite file and on PostgreSQL (skipped with a reason where it is absent;
required in CI).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from onestop import auth, demo, queue
from onestop.config import load_config
from onestop.db import make_engine
from onestop.migrate import upgrade
from onestop.models import Ticket
from tests.onestop import concurrency_workers as workers

PROCESSES, PER_PROCESS = 8, 50


def _prepare(url: str, folder: Path) -> Any:
    from sqlalchemy.orm import Session

    engine = make_engine(url)
    upgrade(engine)
    cfg = load_config({"database": {"url": url}})
    with Session(engine) as session:
        demo.ensure_office(session, cfg["office"])
        demo.load_demo(session, cfg, folder)
        office = auth.office_by_code(session, cfg["office"]["code"])
        for n in (2, 3, 4):
            auth.create_officer(session, office, f"racer{n}", "password123", "officer")
        session.commit()
    return engine


def _race(function: Any, args: list[tuple[Any, ...]]) -> list[Any]:
    """``function(*a, start)`` for each ``a`` of ``args``, each in its own spawned process;
    ``start`` is a barrier they all wait at once ready, so they set off together."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(len(args)) as pool:
        start = manager.Barrier(len(args))
        return pool.starmap(function, [(*a, start) for a in args], chunksize=1)


def _race_issue(url: str, folder: Path) -> None:
    engine = _prepare(url, folder)
    results = _race(workers.issue_many, [(url, PER_PROCESS)] * PROCESSES)
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == PROCESSES * PER_PROCESS
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, PROCESSES * PER_PROCESS + 1)]
    for batch in results:  # each process saw its own numbers rise
        assert batch == sorted(batch)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count(Ticket.id))) == PROCESSES * PER_PROCESS
    engine.dispose()


def _race_call(url: str, folder: Path) -> None:
    from sqlalchemy.orm import Session

    engine = _prepare(url, folder)
    rules = queue.QueueRules()
    with Session(engine) as session:
        office = auth.office_by_code(session, "UBND-XA-DEMO")
        for i in range(120):
            queue.issue_ticket(session, office, "ABCD"[i % 4], rules=rules)
        session.commit()
    args = [(url, 1, "admin")] + [(url, n, f"racer{n}") for n in (2, 3, 4)]
    results = _race(workers.call_until_empty, args)
    taken = [t for batch in results for t in batch]
    assert len(taken) == 120
    assert len(set(taken)) == 120
    engine.dispose()


def test_sqlite_issue_race(tmp_path: Path) -> None:
    _race_issue(f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


def test_sqlite_call_race(tmp_path: Path) -> None:
    _race_call(f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


@pytest.mark.services
def test_postgresql_issue_race(pg_database: str, tmp_path: Path) -> None:
    _race_issue(pg_database, tmp_path)


@pytest.mark.services
def test_postgresql_call_race(pg_database: str, tmp_path: Path) -> None:
    _race_call(pg_database, tmp_path)


@pytest.mark.services
def test_postgresql_same_request_key_race(pg_database: str, tmp_path: Path) -> None:
    """A retry racing its original: one ticket, and the loser's number is given back."""
    import threading

    from sqlalchemy.orm import Session

    engine = _prepare(pg_database, tmp_path)
    rules = queue.QueueRules()
    first = Session(engine)
    office = auth.office_by_code(first, "UBND-XA-DEMO")
    original = queue.issue_ticket(first, office, "A", rules=rules, request_key="k" * 32)
    answers: list[Any] = []

    def retry() -> None:
        with Session(engine) as second:
            here = auth.office_by_code(second, "UBND-XA-DEMO")
            issued = queue.issue_ticket(second, here, "A", rules=rules, request_key="k" * 32)
            answers.append((issued.ticket.token, issued.replayed))
            second.commit()

    racer = threading.Thread(target=retry)
    racer.start()
    time.sleep(0.5)  # the retry is now waiting on the day's number row
    assert racer.is_alive()
    token = original.ticket.token
    first.commit()
    first.close()
    racer.join(10)
    assert answers == [(token, True)]
    with Session(engine) as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1
        here = auth.office_by_code(session, "UBND-XA-DEMO")
        later = queue.issue_ticket(session, here, "A", rules=rules)
        assert later.ticket.number == "A002"  # the retry's A002 was rolled back with it
        session.rollback()
    engine.dispose()
