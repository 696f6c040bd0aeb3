"""The queue engine, directly over a session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from onestop import auth, queries, queue
from onestop.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from onestop.models import Counter, Officer, Ticket, TicketEvent, TicketState


@pytest.fixture
def env(app: Any, creds: Any, session: Any, frozen: Any) -> Any:
    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    admin = session.scalar(select(Officer).where(Officer.username == "admin"))
    officers = {1: admin}
    for n in (2, 3, 4):
        officers[n] = auth.create_officer(session, office, f"officer{n}", "password123", "officer")
    session.commit()
    rules = app.extensions["onestop.rules"]

    class Env:
        pass

    e = Env()
    e.s, e.office, e.rules, e.clock, e.officers = session, office, rules, frozen, officers

    def issue(service: str = "A", **kw: Any) -> Ticket:
        issued = queue.issue_ticket(session, office, service, rules=rules, **kw)
        t = session.get(Ticket, issued.ticket.id)
        assert t is not None
        session.commit()
        frozen.advance(seconds=1)
        return t

    def act(verb: str, counter: int = 1, **kw: Any) -> Ticket | None:
        actor = queue.Actor(officer=officers[counter])
        t = getattr(queue, verb)(session, office, counter, actor=actor, rules=rules, **kw)
        session.commit()
        frozen.advance(seconds=1)
        return t

    e.issue, e.act = issue, act
    return e


def test_numbers_count_per_service_and_restart_each_local_day(env: Any) -> None:
    assert [env.issue("A").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert env.issue("B").number == "B001"
    # 23:59 local time is still the same day...
    env.clock.set(datetime(2026, 11, 23, 16, 59, tzinfo=UTC))
    assert env.issue("A").number == "A004"
    # ...and one minute later a new day begins at 001 (UTC is still the 23rd).
    env.clock.set(datetime(2026, 11, 23, 17, 1, tzinfo=UTC))
    assert env.issue("A").number == "A001"
    assert env.issue("B").number == "B001"


def test_tokens_are_unguessable_and_distinct(env: Any) -> None:
    tokens = {env.issue().token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 22 for t in tokens)  # 18 random bytes = 144 bits


def test_unknown_service_and_priority_are_rejected(env: Any) -> None:
    with pytest.raises(NotFound) as exc:
        env.issue("Z")
    assert exc.value.code == "unknown_service"
    with pytest.raises(InvalidInput) as exc2:
        env.issue("A", priority="vip")
    assert exc2.value.code == "unknown_priority"


def _drain(env: Any, counter: int) -> list[str]:
    numbers = []
    while True:
        t = env.act("call_next", counter)
        if t is None:
            return numbers
        numbers.append(t.number)
        env.act("finish", counter)


def test_drain_order_at_one_counter(env: Any) -> None:
    a1 = env.issue("A")
    b1 = env.issue("B")
    a2 = env.issue("A")
    e60 = env.issue("A", priority="elderly_60")
    e80 = env.issue("B", priority="elderly_80")
    env.issue("C")  # counter 2 does not serve C
    assert _drain(env, 2) == [e80.number, e60.number, b1.number, a1.number, a2.number]


def test_two_counters_share_one_queue_without_doubles(env: Any) -> None:
    tickets = [env.issue("A") for _ in range(4)]
    first = env.act("call_next", 1)
    second = env.act("call_next", 2)
    assert {first.number, second.number} == {tickets[0].number, tickets[1].number}


def test_call_next_when_nobody_waits_and_when_counter_busy(env: Any) -> None:
    assert env.act("call_next", 1) is None
    env.issue("A")
    env.issue("A")
    env.act("call_next", 1)
    with pytest.raises(Conflict) as exc:
        env.act("call_next", 1)
    assert exc.value.code == "counter_busy"


def test_lifecycle_records_times_and_events(env: Any) -> None:
    t = env.issue("A")
    env.act("call_next", 1)
    env.act("recall", 1)
    env.act("start", 1)
    env.act("finish", 1)
    env.s.refresh(t)
    assert t.state == TicketState.DONE
    assert t.recall_count == 1
    assert t.issued_at < t.first_called_at < t.called_at < t.started_at < t.finished_at
    events = env.s.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)
    ).all()
    assert [(e.kind, e.from_state, e.to_state) for e in events] == [
        ("issued", None, "waiting"),
        ("called", "waiting", "called"),
        ("recalled", "called", "called"),
        ("started", "called", "serving"),
        ("finished", "serving", "done"),
    ]
    assert all(e.officer_id == env.officers[1].id for e in events[1:])
    assert events[1].counter_id is not None


@pytest.mark.parametrize(
    ("state", "method"),
    [
        (TicketState.WAITING, "recall"),
        (TicketState.WAITING, "start"),
        (TicketState.WAITING, "finish"),
        (TicketState.WAITING, "mark_no_show"),
        (TicketState.WAITING, "transfer_out"),
        (TicketState.CALLED, "call"),
        (TicketState.SERVING, "call"),
        (TicketState.SERVING, "recall"),
        (TicketState.SERVING, "start"),
        (TicketState.SERVING, "mark_no_show"),
        *[
            (s, m)
            for s in (
                TicketState.DONE,
                TicketState.NO_SHOW,
                TicketState.TRANSFERRED,
                TicketState.CANCELLED,
            )
            for m in ("call", "recall", "start", "finish", "mark_no_show", "transfer_out", "cancel")
        ],
    ],
)
def test_every_invalid_transition_is_refused(state: TicketState, method: str) -> None:
    ticket = Ticket(state=state, number="A001", recall_count=0)
    counter = Counter(id=1, number=1)
    now = datetime(2026, 1, 5, tzinfo=UTC)
    args = (counter, None, now) if method == "call" else (now,)
    with pytest.raises(InvalidTransition) as exc:
        getattr(ticket, method)(*args)
    assert exc.value.status == 409
    assert ticket.state == state


def test_no_show_and_actions_without_current_ticket(env: Any) -> None:
    with pytest.raises(Conflict) as exc:
        env.act("recall", 1)
    assert exc.value.code == "no_current_ticket"
    t = env.issue("A")
    env.act("call_next", 1)
    env.act("no_show", 1)
    env.s.refresh(t)
    assert t.state == TicketState.NO_SHOW
    with pytest.raises(Conflict):
        env.act("finish", 1)


def test_transfer_to_service_keeps_the_original_place(env: Any) -> None:
    early = env.issue("A")
    later_b = env.issue("B")
    env.act("call_next", 1)  # counter 1 calls A001 (A before B there)
    leg = env.act("transfer", 1, to_service="B")
    assert leg.number == early.number
    assert leg.state == TicketState.WAITING
    env.s.refresh(early)
    assert early.state == TicketState.TRANSFERRED
    assert early.next_id == leg.id
    # At counter 2 (B first) the transferred citizen comes before B001 who came later.
    assert env.act("call_next", 2).number == early.number
    env.act("finish", 2)
    assert env.act("call_next", 2).number == later_b.number


def test_transfer_to_counter_goes_only_to_that_counter_and_first(env: Any) -> None:
    t = env.issue("A")
    waiting_c = env.issue("C")
    env.act("call_next", 1)
    leg = env.act("transfer", 1, to_counter=3)
    assert leg.target_counter_id is not None
    assert env.act("call_next", 2) is None  # counter 2 serves A but the leg is for counter 3
    assert env.act("call_next", 3).number == t.number
    env.act("finish", 3)
    assert env.act("call_next", 3).number == waiting_c.number


def test_transfer_needs_exactly_one_target(env: Any) -> None:
    env.issue("A")
    env.act("call_next", 1)
    for kw in ({}, {"to_service": "B", "to_counter": 2}, {"to_service": "A"}, {"to_counter": 1}):
        with pytest.raises(InvalidInput):
            env.act("transfer", 1, **kw)
        env.s.rollback()
    with pytest.raises(NotFound):
        env.act("transfer", 1, to_counter=99)


def test_public_status_follows_transfer(env: Any) -> None:
    from onestop import readmodels

    t = env.issue("A")
    env.act("call_next", 1)
    env.act("transfer", 1, to_service="B")
    status = readmodels.ticket_status(env.s, t, env.rules)
    assert status["service"] == "B"
    assert status["state"] == "waiting"
    assert status["position"] == 1


def test_stale_tickets_are_cancelled_next_day(env: Any) -> None:
    waiting = env.issue("A")
    called = env.issue("A")
    env.act("call_next", 1)
    env.clock.advance(days=1)
    assert queue.close_stale_tickets(env.s, env.office, rules=env.rules) == 2
    env.s.commit()
    for t in (waiting, called):
        env.s.refresh(t)
        assert t.state == TicketState.CANCELLED
    # Yesterday's ticket is never called today.
    assert env.act("call_next", 2) is None


def test_waiting_counts_and_estimate(env: Any) -> None:
    for _ in range(3):
        env.issue("A")
    env.issue("B")
    day = env.s.scalar(select(Ticket.day).limit(1))
    assert queries.waiting_counts(env.s, env.office.id, day) == {"A": 3, "B": 1, "C": 0, "D": 0}
    # One served ticket of 10 minutes sets the pace; counter 1 is staffed (the admin holds it).
    env.act("call_next", 1)
    env.clock.advance(minutes=10)
    env.act("finish", 1)
    last = env.issue("A")
    ahead = queries.ahead_of(env.s, last)
    assert ahead == 2
    # 2 ahead × ~10 min ÷ 1 staffed counter serving A
    assert queue.estimated_wait_minutes(env.s, last, ahead, env.rules) == 21


def test_officer_restricted_to_counters(env: Any) -> None:
    from onestop.errors import Forbidden
    from onestop.models import OfficerCounter

    counter3 = queries.counter_by_number(env.s, env.office.id, 3)
    env.s.add(OfficerCounter(officer_id=env.officers[2].id, counter_id=counter3.id))
    env.s.commit()
    env.issue("A")
    with pytest.raises(Forbidden):
        env.act("call_next", 2)  # officer2 may only use counter 3


def test_one_officer_holds_one_counter(env: Any) -> None:
    env.issue("A")
    env.issue("A")
    actor = queue.Actor(officer=env.officers[2])
    queue.call_next(env.s, env.office, 1, actor=actor, rules=env.rules)
    env.s.commit()
    c1 = queries.counter_by_number(env.s, env.office.id, 1)
    assert c1.officer_id == env.officers[2].id
    queue.finish(env.s, env.office, 1, actor=actor, rules=env.rules)
    queue.call_next(env.s, env.office, 2, actor=actor, rules=env.rules)
    env.s.commit()
    env.s.refresh(c1)
    c2 = queries.counter_by_number(env.s, env.office.id, 2)
    assert c1.officer_id is None
    assert c2.officer_id == env.officers[2].id


def test_event_log_is_append_only(env: Any) -> None:
    env.issue("A")
    event = env.s.scalars(select(TicketEvent)).first()
    event.kind = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        env.s.flush()
    env.s.rollback()
    env.s.delete(env.s.scalars(select(TicketEvent)).first())
    with pytest.raises(RuntimeError, match="append-only"):
        env.s.flush()
