"""Process entry points for the concurrency tests (importable by spawned processes).

Each worker gets the race's ``start``, a barrier shared through a ``multiprocessing.Manager``
(a spawned pool cannot inherit a plain one): it waits there once its engine is made, so all
processes set off together as soon as the last is ready."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.exc import OperationalError


def _setup(url: str) -> tuple[Any, Any, Any]:
    from sqlalchemy.orm import sessionmaker

    from onestop.db import make_engine
    from onestop.queue import QueueRules

    engine = make_engine(url, busy_timeout_ms=30000)
    rules = QueueRules(priority_ranks={"elderly_80": 3})
    return engine, sessionmaker(engine, expire_on_commit=False), rules


START_TIMEOUT = 60  # seconds a worker waits for the others before the race is called off


def issue_many(url: str, count: int, start: Any) -> list[str]:
    """Issue ``count`` tickets for service A, one transaction each."""
    from onestop import auth, queue

    engine, factory, rules = _setup(url)
    start.wait(START_TIMEOUT)  # start all processes together
    numbers = []
    for _ in range(count):
        for attempt in range(20):
            with factory() as session:
                try:
                    office = auth.office_by_code(session, "UBND-XA-DEMO")
                    number = queue.issue_ticket(session, office, "A", rules=rules).ticket.number
                    session.commit()
                except OperationalError:  # busy beyond the timeout: nothing was kept, retry
                    session.rollback()
                    time.sleep(0.01 * (attempt + 1))
                    continue
                numbers.append(number)
                break
    engine.dispose()
    return numbers


def call_until_empty(url: str, counter: int, username: str, start: Any) -> list[int]:
    """Call and finish tickets at ``counter`` until nobody waits; returns the ticket ids."""
    from sqlalchemy import select

    from onestop import auth, queue
    from onestop.models import Officer

    engine, factory, rules = _setup(url)
    start.wait(START_TIMEOUT)
    taken: list[int] = []
    while True:
        with factory() as session:
            office = auth.office_by_code(session, "UBND-XA-DEMO")
            officer = session.scalar(select(Officer).where(Officer.username == username))
            actor = queue.Actor(officer=officer)
            ticket = queue.call_next(session, office, counter, actor=actor, rules=rules)
            if ticket is None:
                session.commit()
                break
            ticket_id = ticket.id
            queue.finish(session, office, counter, actor=actor, rules=rules)
            session.commit()
            taken.append(ticket_id)
    engine.dispose()
    return taken
