"""The write path: what a ticket costs, where SQLite's write lock starts, how writers queue."""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from onestop import clock, queries
from onestop.db import is_busy_error, make_engine
from onestop.models import Service
from tests.helpers import issue


def _statements(app: Flask) -> list[str]:
    seen: list[str] = []

    @event.listens_for(app.extensions["onestop.engine"], "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    return seen


def test_a_ticket_reads_who_asks_before_the_write_lock(
    app: Flask, client: Any, kiosk_headers: dict[str, str]
) -> None:
    issue(client, kiosk_headers)  # the day's sequence row exists; what follows is the usual case
    seen = _statements(app)
    issue(client, kiosk_headers)
    locked = seen.index("BEGIN IMMEDIATE")
    before, under = seen[:locked], seen[locked + 1 :]
    # One lookup, in no transaction (a lone statement is its own snapshot): other writers go
    # on meanwhile, and no BEGIN and COMMIT are spent on it.
    assert len(before) == 1
    assert "FROM device JOIN office" in before[0]  # who asks, with the office
    assert not any(s.startswith("SELECT office.") for s in seen)  # ...and never again
    assert not any("FROM device" in s or "FROM office " in s for s in under)
    # Under the lock only the service, the number (with the day's pace), the ticket, its log,
    # the waiting counts, the staffed counters, the print job and, last, the office's seq.
    assert under[-1] == "COMMIT"
    assert under[-2].startswith("UPDATE office SET event_seq")
    assert len(under) - 1 <= 7, "\n".join(under)
    assert not any("first_called_at, ticket.finished_at" in s for s in under)  # no day scan


def test_the_day_pace_follows_the_newest_tickets(session: Any, creds: Any, app: Flask) -> None:
    service = session.scalar(select(Service).where(Service.code == "A"))
    office_id, service_id, day = service.office_id, service.id, date(2026, 11, 23)
    queries.next_ticket_number(session, office_id, service_id, day)
    for _ in range(30):
        queries.record_service_time(session, office_id, service_id, day, 120.0)
    assert queries.mean_service_seconds(session, office_id, service_id, day) == pytest.approx(120)
    for _ in range(20):
        queries.record_service_time(session, office_id, service_id, day, 600.0)
    mean = queries.mean_service_seconds(session, office_id, service_id, day)
    assert mean is not None
    assert 500 < mean < 600  # the slow afternoon shows within about SERVICE_TIME_SPAN tickets
    number, pace = queries.next_ticket_number(session, office_id, service_id, day)
    assert number == 2
    assert pace == mean
    session.rollback()


def test_writers_of_one_process_queue_instead_of_failing(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=3000)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    order: list[str] = []
    first_in = threading.Event()

    def slow_writer() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            first_in.set()
            time.sleep(0.3)
            order.append("first commits")

    def second_writer() -> None:
        first_in.wait(5)
        with engine.begin() as conn:
            order.append("second writes")
            conn.execute(text("INSERT INTO t VALUES (2)"))

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=second_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order == ["first commits", "second writes"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_a_writer_that_fails_or_waits_too_long_lets_go(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=200)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    # A failed transaction rolls back and frees the lock for the next writer.
    with pytest.raises(OperationalError), engine.begin() as conn:
        conn.execute(text("INSERT INTO nowhere VALUES (1)"))
    holder = engine.connect()
    holder.begin()
    holder.execute(text("INSERT INTO t VALUES (1)"))
    waited = threading.Event()
    failure: list[BaseException] = []

    def waiter() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (2)"))
        except OperationalError as exc:
            failure.append(exc)
        waited.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert waited.wait(5)
    assert len(failure) == 1
    assert is_busy_error(failure[0])  # answered as 503 database_busy with Retry-After
    holder.rollback()
    holder.close()
    with engine.begin() as conn:  # the lock came back
        conn.execute(text("INSERT INTO t VALUES (3)"))
        assert conn.execute(text("SELECT n FROM t")).scalars().all() == [3]
    thread.join(5)
    engine.dispose()


def test_the_kept_waiting_counts_match_the_tickets_through_a_random_day(
    app: Flask, creds: Any, session: Any, frozen: Any
) -> None:
    """Issue, call, recall, start, finish, no-show, transfer (to a service and to a counter)
    and the next day's clean-up in a random order: after each step the counts on the day's rows
    equal a count of the waiting tickets themselves."""
    from onestop import auth, queue
    from onestop.errors import DomainError
    from onestop.models import Officer, Ticket, TicketState

    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    rules = app.extensions["onestop.rules"]
    admin = session.scalar(select(Officer).where(Officer.username == "admin"))
    officers = {1: admin}
    for n in (2, 3):
        officers[n] = auth.create_officer(session, office, f"o{n}", "password123", "officer")
    session.commit()
    chance = random.Random(13)

    def truth() -> dict[str, int]:
        day = clock.local_day(clock.now(), rules.timezone)
        counts = dict.fromkeys(queries.waiting_counts(session, office.id, day), 0)
        for (service_code,) in session.execute(
            select(Service.code)
            .join(Ticket, Ticket.service_id == Service.id)
            .where(Ticket.day == day, Ticket.state == TicketState.WAITING)
        ):
            counts[service_code] += 1
        return counts

    steps = ["issue"] * 6 + ["call_next"] * 3 + ["recall", "start", "finish", "finish"]
    steps += ["no_show", "transfer_service", "transfer_counter", "next_day"]
    done: dict[str, int] = {}
    for _ in range(300):
        step = chance.choice(steps)
        counter = chance.choice([1, 2, 3])
        actor = queue.Actor(officer=officers[counter])
        kw = {"actor": actor, "rules": rules}
        try:
            if step == "issue":
                queue.issue_ticket(
                    session,
                    office,
                    chance.choice("ABCD"),
                    rules=rules,
                    priority=chance.choice([None, None, "elderly_80"]),
                )
            elif step == "transfer_service":
                queue.transfer(session, office, counter, to_service=chance.choice("ABCD"), **kw)
            elif step == "transfer_counter":
                queue.transfer(session, office, counter, to_counter=chance.choice([1, 2, 3]), **kw)
            elif step == "next_day":
                frozen.advance(days=1)
                queue.close_stale_tickets(session, office, rules=rules)
            else:
                getattr(queue, step)(session, office, counter, **kw)
            session.commit()
            done[step] = done.get(step, 0) + 1
        except DomainError:
            session.rollback()
        frozen.advance(seconds=chance.randint(1, 90))
        day = clock.local_day(clock.now(), rules.timezone)
        assert queries.waiting_counts(session, office.id, day) == truth(), step
    assert set(done) == set(steps)  # every kind of step happened at least once


def test_a_burst_within_the_pool_reuses_its_connections(tmp_path: Any) -> None:
    """16 requests at once, again and again, open 16 connections once: a pool smaller than the
    burst would open and close the rest each time (SQLite's pragmas, or on PostgreSQL a new
    backend per connection), which took the ticket rate at 16 kiosks below that at one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_size=20)
    opened: list[int] = []
    event.listen(engine, "connect", lambda *_args: opened.append(1))
    for _ in range(3):
        burst = [engine.connect() for _ in range(16)]
        for conn in burst:
            conn.execute(text("SELECT 1"))
            conn.close()
    assert len(opened) == 16
    engine.dispose()


def test_the_pool_size_is_checked() -> None:
    from onestop.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=r"database\.pool_size"):
        load_config({"database": {"pool_size": 0}})
    assert load_config({})["database"]["pool_size"] >= 16  # a busy office's kiosks at once


def test_a_kiosks_ticket_loads_no_orm_object(app: Flask, creds: Any) -> None:
    """The kiosk's whole request (its key, the service, the new ticket) reads and writes plain
    rows: an ORM object loaded or built on that path costs more than its statement. The value
    the ticket comes back as is the row that was written."""
    from onestop import auth
    from onestop.db import db
    from onestop.models import Base, Office, Ticket

    with db.new_session(app) as session:
        office = session.scalars(select(Office)).one()
        _, key = auth.create_device(session, office, "kiosk", "no-orm-kiosk")
        session.commit()
    made: list[Any] = []  # every ORM object loaded from a row or built, while the request runs

    def note(target: Any, *_args: Any) -> None:
        made.append(target)

    event.listen(Base, "load", note, propagate=True)
    event.listen(Base, "init", note, propagate=True)
    try:
        answer = app.test_client().post(
            "/api/v1/tickets", json={"service": "A"}, headers={"X-Device-Key": key}
        )
    finally:
        event.remove(Base, "load", note)
        event.remove(Base, "init", note)
    assert answer.status_code == 201, answer.get_json()
    assert made == []
    with db.new_session(app) as session:
        row = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert row is not None
        assert (row.number, row.token, row.state.value) == (
            answer.get_json()["number"],
            answer.get_json()["token"],
            "waiting",
        )


def test_an_officers_token_is_read_as_a_plain_value(app: Flask, creds: Any) -> None:
    """Every counter and desk request names its officer by token: one Core statement, no ORM
    object, and the office with it."""
    from onestop import auth
    from onestop.db import db
    from onestop.models import Base
    from onestop.refs import OfficerRef

    with db.new_session(app) as session:
        token, _ = auth.issue_token(session, "admin", creds["admin"]["password"], hours=1)
        session.commit()
    made: list[Any] = []

    def note(target: Any, *_args: Any) -> None:
        made.append(target)

    event.listen(Base, "load", note, propagate=True)
    event.listen(Base, "init", note, propagate=True)
    try:
        with db.new_session(app) as session:
            officer = auth.officer_for_token(session, token)
    finally:
        event.remove(Base, "load", note)
        event.remove(Base, "init", note)
    assert made == []
    assert isinstance(officer, OfficerRef)
    assert (officer.username, officer.role.value) == ("admin", "admin")
    assert officer.office.code == app.config["ONESTOP"]["office"]["code"]


#: Tables that grow with every visit: a statement on them must find its rows by an index,
#: or each counter action slows with the office's whole history.
GROWING = ("ticket", "ticket_event", "print_job", "audit_event", "rating", "dossier")


def test_the_kiosk_counter_and_screen_paths_never_scan_a_growing_table(
    app: Flask, client: Any, kiosk_headers: dict[str, str], staff_headers: dict[str, str]
) -> None:
    for service in "AABB":
        issue(client, kiosk_headers, service)
    seen: list[tuple[str, Any]] = []
    engine = app.extensions["onestop.engine"]

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        token = issue(client, kiosk_headers, "A")["token"]
        for page in ("/api/v1/display/state", f"/api/v1/tickets/{token}", f"/t/{token}"):
            assert client.get(page).status_code == 200, page
        for action, body in COUNTER_CYCLE:
            answer = client.post(f"/api/v1/counters/1/{action}", json=body, headers=staff_headers)
            assert answer.status_code == 200, (action, answer.get_json())
    finally:
        event.remove(engine, "before_cursor_execute", note)
    scans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters):
                detail = row[-1]
                if any(detail.startswith(f"SCAN {table}") and detail.split()[1] == table
                       for table in GROWING):  # fmt: skip
                    scans.append(f"{detail}: {' '.join(statement.split())[:160]}")
    assert len(seen) > 40  # the path ran
    assert scans == []


COUNTER_CYCLE: list[tuple[str, Any]] = [
    ("call-next", None),
    ("recall", None),
    ("start", None),
    ("finish", None),
    ("call-next", None),
    ("no-show", None),
    ("call-next", None),
    ("transfer", {"service": "B"}),
]


def test_a_counter_action_ends_with_its_commit(
    app: Flask, client: Any, kiosk_headers: dict[str, str], staff_headers: dict[str, str]
) -> None:
    """Nothing is read after a counter action's commit: on SQLite such a read began a new
    transaction with the write lock, which every other writer then waited on until the
    request's end."""
    for service in "AAAB":
        issue(client, kiosk_headers, service)
    seen = _statements(app)
    for action, body in COUNTER_CYCLE:
        seen.clear()
        answer = client.post(f"/api/v1/counters/1/{action}", json=body, headers=staff_headers)
        assert answer.status_code == 200, (action, answer.get_json())
        assert "COMMIT" in seen, action
        assert seen[-1] == "COMMIT", (action, seen[seen.index("COMMIT") :])


def test_a_dossier_step_answers_without_taking_the_write_lock_again(
    app: Flask, client: Any, staff_headers: dict[str, str], frozen: Any
) -> None:
    """The desk's answer (the dossier's view, its steps) is read after the commit: from a
    plain BEGIN, never under a second BEGIN IMMEDIATE held to the request's end."""
    from tests.helpers import APPLICANT, THREE_DAYS, local

    frozen.set(local("2026-11-30 09:00"))
    seen = _statements(app)
    body = {"procedure": THREE_DAYS, "applicant": APPLICANT, "documents": ["Tờ khai"]}
    received = client.post("/api/v1/dossiers", json=body, headers=staff_headers)
    assert received.status_code == 201, received.get_json()
    code = received.get_json()["code"]
    steps = [seen[:]]
    seen.clear()
    moved = client.post(
        f"/api/v1/dossiers/{code}/actions", json={"action": "start"}, headers=staff_headers
    )
    assert moved.status_code == 200, moved.get_json()
    steps.append(seen[:])
    for statements in steps:
        after = statements[statements.index("COMMIT") + 1 :]
        assert after, "the answer read nothing after the commit: this test shows nothing"
        assert "BEGIN IMMEDIATE" not in after, after
