"""The queue engine: plain functions over a session. They flush, never commit.

Rules worth knowing (also in the README):

* Numbers restart every local day, per service: ``A001``, ``A002``… allocated by one
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on ``ticket_sequence``; the UNIQUE constraint on
  ``ticket(office, service, day, seq_no)`` is the safety net.
* ``call_next`` order: transfers to this counter, then priority rank, then the counter's service
  order, then first come first served. A counter must close its current ticket (finish, no-show
  or transfer) before it calls the next, so every service time is measured.
* A transfer closes the current leg as ``transferred`` and opens a new waiting leg with the same
  number that keeps its original place (``queued_at``): the citizen does not go to the back of
  the line. A transfer to a named counter is served by that counter before its ordinary queue.
* Tickets left over from a previous day are cancelled by ``close_stale_tickets``.
"""

from __future__ import annotations

import math
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop import clock, feedback, printing, queries, realtime
from onestop.auth import claim_counter
from onestop.errors import Conflict, InvalidInput, NotFound, found
from onestop.events import announce
from onestop.models import (
    Counter,
    PrintJob,
    PrintKind,
    Service,
    Ticket,
    TicketEvent,
    TicketState,
    insert_into,
    run_core,
)
from onestop.refs import (
    DeviceRef,
    NewTicket,
    OfficeLike,
    OfficerLike,
    ServiceLike,
    ServiceRef,
    TicketLike,
)

TOKEN_BYTES = 18  # 144 bits, url-safe base64 → 24 characters


@dataclass(frozen=True)
class QueueRules:
    """The configurable parts of queueing (built from config once)."""

    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str = "http://127.0.0.1:5000"
    number_digits: int = 3
    default_service_minutes: int = 6
    priority_ranks: dict[str, int] = field(default_factory=dict)
    priority_labels: dict[str, str] = field(default_factory=dict)  # Vietnamese, for the paper
    # Signs the feedback key of the citizen's links (see feedback.feedback_key): the app's secret.
    link_secret: str = ""

    def of(self, office: OfficeLike, public_url: str | None = None) -> QueueRules:
        """These rules as ``office`` has them: its own time zone (its day, its times) and, when
        given, its own public URL."""
        url = public_url or self.public_url
        if (url, office.timezone) == (self.public_url, self.timezone):
            return self
        return replace(self, public_url=url, timezone=office.timezone)

    @classmethod
    def from_config(cls, cfg: dict[str, Any], link_secret: str = "") -> QueueRules:
        return cls(
            link_secret=link_secret,
            timezone=cfg["office"]["timezone"],
            public_url=cfg["office"]["public_url"],
            number_digits=cfg["queue"]["number_digits"],
            default_service_minutes=cfg["queue"]["default_service_minutes"],
            priority_ranks={c["code"]: int(c.get("rank", 1)) for c in cfg["priority_classes"]},
            priority_labels={
                c["code"]: str(c.get("vi", c["code"])) for c in cfg["priority_classes"]
            },
        )


@dataclass(frozen=True)
class Actor:
    """Who does something: an officer, a device, or the system itself (both None)."""

    officer: OfficerLike | None = None
    device: DeviceRef | None = None

    @property
    def officer_id(self) -> int | None:
        return self.officer.id if self.officer else None

    @property
    def device_id(self) -> int | None:
        return self.device.id if self.device else None


SYSTEM = Actor()


def _log(
    session: Session,
    ticket: TicketLike,
    kind: str,
    before: TicketState | None,
    actor: Actor,
    at: datetime,
    counter_id: int | None = None,
    **data: Any,
) -> None:
    # A plain insert: the log is only ever appended to and read back by queries, so it needs
    # no object in the session (and the unit of work's bookkeeping for one).
    row = {
        "ticket_id": ticket.id,
        "office_id": ticket.office_id,
        "at": at,
        "kind": kind,
        "from_state": before.value if before else None,
        "to_state": ticket.state.value,
        "counter_id": counter_id,
        "officer_id": actor.officer_id,
        "device_id": actor.device_id,
        "data": data or None,
    }
    run_core(session, insert_into(TicketEvent), row)


def _waiting_deltas(session: Session) -> dict[tuple[int, int, date], int]:
    """How this flush moves the waiting count of each (office, service, day)."""
    deltas: dict[tuple[int, int, date], int] = {}

    def move(ticket: Ticket, by: int) -> None:
        key = (ticket.office_id, ticket.service_id, ticket.day)
        deltas[key] = deltas.get(key, 0) + by

    for obj in session.new:  # (a ticket's first leg is counted by its number's upsert)
        # A new ticket's state may still be None: the column's default is waiting.
        if isinstance(obj, Ticket) and obj.state in (None, TicketState.WAITING):
            move(obj, 1)
    for obj in session.dirty:
        if not isinstance(obj, Ticket):
            continue
        history = inspect(obj).attrs.state.history
        if not history.deleted:
            continue
        was, now = history.deleted[0] == TicketState.WAITING, obj.state == TicketState.WAITING
        if was != now:
            move(obj, 1 if now else -1)
    return deltas


@event.listens_for(Session, "before_flush")
def _keep_waiting_counts(session: Session, _context: Any, _instances: Any) -> None:
    # Every ticket state change goes through the ORM (Ticket's own moves, or a new ticket or
    # transfer leg), so the kept counts follow each flush, in the same transaction.
    queries.count_waiting(session, _waiting_deltas(session))


def _announce_queue(
    session: Session,
    office: OfficeLike,
    rules: QueueRules,
    at: datetime,
    waiting: dict[str, int] | None = None,
) -> None:
    if waiting is None:
        waiting = queries.waiting_counts(session, office.id, clock.local_day(at, rules.timezone))
    announce(
        session, office.id, "queue_changed", realtime.queue_changed(waiting), realtime.EVERYONE
    )


def _announce_call(
    session: Session,
    office: OfficeLike,
    ticket: Ticket,
    counter: Counter,
    rules: QueueRules,
    at: datetime,
    *,
    recall: bool,
) -> None:
    payload = realtime.ticket_called(ticket, counter, ticket.service, rules.timezone, recall=recall)
    announce(session, office.id, "ticket_called", payload, (realtime.DISPLAY, realtime.COUNTER))
    _announce_queue(session, office, rules, at)


@dataclass(frozen=True)
class Issued:
    ticket: TicketLike  # a NewTicket, or the Ticket a replayed key names
    receipt: dict[str, Any]
    print_job: PrintJob | None
    #: True when ``request_key`` named a ticket issued before: nothing new was created.
    replayed: bool = False


def issue_ticket(
    session: Session,
    office: OfficeLike,
    service_code: str,
    *,
    priority: str | None = None,
    actor: Actor = SYSTEM,
    printer: str | None = None,
    rules: QueueRules,
    request_key: str | None = None,
) -> Issued:
    """Issue a ticket for a service; queue a print job on ``printer`` in the same transaction.

    The receipt (number, people ahead, estimate, status URL) is computed once and is both the
    answer to the kiosk and the print job's payload, so the paper says what the screen says.
    ``request_key`` makes the call idempotent: a double tap or a retry after a lost answer sends
    the same key and gets the first ticket back, never a second one.

    Every kiosk's ticket comes this way, so it is written in Core statements over plain values
    (``onestop.refs``): the new ticket is not put in the session (``session.get(Ticket,
    issued.ticket.id)`` loads it), and its waiting count is the number's upsert's.
    """
    service = queries.service_ref(session, office.id, service_code)
    if request_key is not None:
        earlier = queries.ticket_by_request_key(session, office.id, request_key)
        if earlier is not None:
            return _replay(session, office, earlier, service, rules)
    if not service.is_open:
        raise Conflict(f"service {service.code} is not taking tickets now", code="service_closed")
    rank = 0
    if priority is not None:
        if priority not in rules.priority_ranks:
            raise InvalidInput(f"unknown priority class {priority!r}", code="unknown_priority")
        rank = rules.priority_ranks[priority]
    at = clock.now()
    day = clock.local_day(at, rules.timezone)
    # With a key, a savepoint: when a concurrent request with the same key wins, its ticket is
    # returned and this attempt's number allocation is undone with it.
    attempt = session.begin_nested() if request_key is not None else nullcontext()
    try:
        with attempt:
            seq_no, mean_seconds = queries.next_ticket_number(session, office.id, service.id, day)
            ticket = _insert_ticket(
                session,
                office_id=office.id,
                service_id=service.id,
                day=day,
                seq_no=seq_no,
                number=f"{service.prefix}{seq_no:0{rules.number_digits}d}",
                token=secrets.token_urlsafe(TOKEN_BYTES),
                state=TicketState.WAITING,
                priority=priority,
                priority_rank=rank,
                queued_at=at,
                issued_at=at,
                device_id=actor.device_id,
                request_key=request_key,
            )
    except IntegrityError:
        if request_key is None:
            raise
        earlier = queries.ticket_by_request_key(session, office.id, request_key)
        if earlier is None:
            raise
        return _replay(session, office, earlier, service, rules)
    waiting, staffed = queries.waiting_and_staffed(session, office.id, day)
    # Without a priority the new ticket is the last of its service: everyone waiting is ahead.
    ahead = waiting.get(service.code, 1) - 1 if rank == 0 else queries.ahead_of(session, ticket)
    # No mean yet (0.0): the default pace, without asking again.
    pace = Pace(mean_seconds or 0.0, staffed.get(service.code, 0))
    receipt = ticket_receipt(session, office, ticket, service, rules, ahead=ahead, pace=pace)
    # What the paper promised is kept with the issue: the reports compare it with the real wait.
    estimate = receipt["estimated_wait_minutes"]
    _log(session, ticket, "issued", None, actor, at, priority=priority, estimate=estimate)
    job = None
    if printer:
        job = printing.queue_job(
            session, office.id, printer, PrintKind.TICKET, receipt, ticket_id=ticket.id
        )
    announce(
        session,
        office.id,
        "ticket_issued",
        realtime.ticket_issued(ticket, service, rules.timezone),
        (realtime.COUNTER,),
    )
    _announce_queue(session, office, rules, at, waiting)
    return Issued(ticket, receipt, job)


def _insert_ticket(session: Session, **values: Any) -> NewTicket:
    """A new ticket by a plain insert: the unit of work's insert of one object, or even an
    object built from the row, costs more than the rest of the transaction's statements."""
    row = {**_TICKET_BLANK, **values}
    ticket_id = run_core(session, insert_into(Ticket), row).inserted_primary_key[0]
    return NewTicket(ticket_id, **{name: row[name] for name in _NEW_TICKET})


#: A new ticket's columns before it is called: none but its recall count has a value yet;
#: issue_ticket gives the rest.
_TICKET_BLANK: dict[str, Any] = {
    **dict.fromkeys(attr.key for attr in inspect(Ticket).column_attrs if attr.key != "id"),
    "recall_count": 0,
}
_NEW_TICKET = [name for name in NewTicket.__slots__ if name != "id"]


def _replay(
    session: Session, office: OfficeLike, ticket: Ticket, service: ServiceRef, rules: QueueRules
) -> Issued:
    if ticket.service_id != service.id:
        raise Conflict(
            "this request key was already used for another service", code="request_key_reused"
        )
    job = queries.first_print_of_ticket(session, ticket.id)
    if job is not None:
        return Issued(ticket, job.payload, job, replayed=True)
    ahead = queries.ahead_of(session, ticket)
    receipt = ticket_receipt(session, office, ticket, service, rules, ahead=ahead)
    return Issued(ticket, receipt, None, replayed=True)


def status_url(rules: QueueRules, token: str, page: str = "t") -> str:
    """The public page of a ticket (``t``) or of a dossier (``d``)."""
    return f"{rules.public_url.rstrip('/')}/{page}/{token}"


def citizen_url(rules: QueueRules, token: str, page: str = "t") -> str:
    """The link only the citizen's paper or kiosk screen carries: the public page with the key
    that lets the phone rate the visit."""
    return f"{status_url(rules, token, page)}?k={feedback.feedback_key(rules.link_secret, token)}"


def ticket_receipt(
    session: Session,
    office: OfficeLike,
    ticket: TicketLike,
    service: ServiceLike,
    rules: QueueRules,
    *,
    ahead: int,
    pace: Pace | None = None,
) -> dict[str, Any]:
    """What the kiosk shows and the printer prints for a freshly issued ticket (its status
    link carries the feedback key: it goes only to the citizen). ``pace``, when the caller
    knows it, spares its queries."""
    return {
        "number": ticket.number,
        "service": service.code,
        "service_name": service.name,
        "service_name_en": service.name_en,
        "priority": ticket.priority,
        "priority_label": rules.priority_labels.get(ticket.priority or "", ""),
        "token": ticket.token,
        "status_url": citizen_url(rules, ticket.token),
        "issued_at": clock.iso(ticket.issued_at, rules.timezone),
        "waiting_ahead": ahead,
        "estimated_wait_minutes": estimated_wait_minutes(session, ticket, ahead, rules, pace),
        "office_name": office.name,
    }


def _own_counter(session: Session, office: OfficeLike, number: int, actor: Actor) -> Counter:
    counter = queries.counter_by_number(session, office.id, number)
    if actor.officer is not None:
        claim_counter(session, actor.officer, counter)
    return counter


def _current(session: Session, counter: Counter) -> Ticket:
    idle = Conflict(f"counter {counter.number} has no called ticket", code="no_current_ticket")
    return found(queries.current_ticket(session, counter), idle)


def call_next(
    session: Session, office: OfficeLike, counter_number: int, *, actor: Actor, rules: QueueRules
) -> Ticket | None:
    """Call the next waiting ticket to a counter; None when nobody waits."""
    counter = _own_counter(session, office, counter_number, actor)
    if not counter.is_open:
        raise Conflict(f"counter {counter.number} is closed", code="counter_closed")
    busy = queries.current_ticket(session, counter)
    if busy is not None:
        raise Conflict(
            f"counter {counter.number} is still on ticket {busy.number}; finish it, "
            "mark it a no-show or transfer it first",
            code="counter_busy",
        )
    at = clock.now()
    ticket = queries.next_for_counter(session, counter, clock.local_day(at, rules.timezone))
    if ticket is None:
        return None
    before = ticket.call(counter, actor.officer_id, at)
    ticket.counter = counter
    session.flush()
    _log(session, ticket, "called", before, actor, at, counter.id)
    _announce_call(session, office, ticket, counter, rules, at, recall=False)
    return ticket


def recall(
    session: Session, office: OfficeLike, counter_number: int, *, actor: Actor, rules: QueueRules
) -> Ticket:
    """Call the counter's current ticket again (the display and voice repeat it)."""
    counter = _own_counter(session, office, counter_number, actor)
    ticket = _current(session, counter)
    at = clock.now()
    before = ticket.recall(at)
    session.flush()
    _log(
        session, ticket, "recalled", before, actor, at, counter.id, recall_count=ticket.recall_count
    )
    _announce_call(session, office, ticket, counter, rules, at, recall=True)
    return ticket


def _close_current(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    actor: Actor,
    rules: QueueRules,
    method: str,
    kind: str,
    **data: Any,
) -> Ticket:
    counter = _own_counter(session, office, counter_number, actor)
    ticket = _current(session, counter)
    at = clock.now()
    before = getattr(ticket, method)(at)
    session.flush()
    _log(session, ticket, kind, before, actor, at, counter.id, **data)
    _announce_queue(session, office, rules, at)
    return ticket


def start(
    session: Session, office: OfficeLike, counter_number: int, *, actor: Actor, rules: QueueRules
) -> Ticket:
    """The citizen has arrived at the counter: service time starts."""
    return _close_current(session, office, counter_number, actor, rules, "start", "started")


OUTCOMES = ("guidance",)


def finish(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    *,
    actor: Actor,
    rules: QueueRules,
    outcome: str | None = None,
) -> Ticket:
    """Service is over (from called or serving).

    ``outcome="guidance"`` records a guidance-only visit (hướng dẫn): the citizen was told
    what to prepare and no dossier was received. It still counts as a visit served.

    Either way the counter's rating pad is asked to rate the visit (after the commit; the
    officer may call the next number at once).
    """
    if outcome is None:
        ticket = _close_current(session, office, counter_number, actor, rules, "finish", "finished")
    else:
        ticket = _finish_guidance(session, office, counter_number, actor, rules, outcome)
    if ticket.first_called_at is not None and ticket.finished_at is not None:
        seconds = clock.as_utc(ticket.finished_at) - clock.as_utc(ticket.first_called_at)
        queries.record_service_time(
            session, office.id, ticket.service_id, ticket.day, seconds.total_seconds()
        )
    assert ticket.counter is not None
    feedback.request_rating(session, ticket, ticket.counter, actor.officer)
    return ticket


def _finish_guidance(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    actor: Actor,
    rules: QueueRules,
    outcome: str,
) -> Ticket:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"'outcome' must be one of {', '.join(OUTCOMES)}", code="invalid_field")
    current = _current(session, _own_counter(session, office, counter_number, actor))
    if queries.dossiers_of_visit(session, queries.visit_legs(session, current)):
        raise Conflict(
            f"number {current.number} has dossiers: it was not a guidance-only visit",
            code="visit_has_dossiers",
        )
    return _close_current(
        session, office, counter_number, actor, rules, "finish", "finished", outcome=outcome
    )


def no_show(
    session: Session, office: OfficeLike, counter_number: int, *, actor: Actor, rules: QueueRules
) -> Ticket:
    """The called citizen did not come."""
    return _close_current(session, office, counter_number, actor, rules, "mark_no_show", "no_show")


def confirm_priority(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    *,
    confirmed: bool,
    actor: Actor,
    rules: QueueRules,  # noqa: ARG001  (every counter action takes the rules: one way to call them)
) -> Ticket:
    """The officer checks the priority class the citizen declared at the kiosk (DOMAIN §7).

    The answer is kept on the ticket and in its log for the statistics; it does not move the
    ticket, which has already been called.
    """
    counter = _own_counter(session, office, counter_number, actor)
    ticket = _current(session, counter)
    at = clock.now()
    ticket.check_priority(confirmed)
    session.flush()
    kind = "priority_confirmed" if confirmed else "priority_rejected"
    _log(session, ticket, kind, ticket.state, actor, at, counter.id, priority=ticket.priority)
    return ticket


def transfer(
    session: Session,
    office: OfficeLike,
    counter_number: int,
    *,
    actor: Actor,
    rules: QueueRules,
    to_service: str | None = None,
    to_counter: int | None = None,
) -> Ticket:
    """Send the counter's current ticket to another service or counter; returns the new leg."""
    if (to_service is None) == (to_counter is None):
        raise InvalidInput("give exactly one of 'service' or 'counter'", code="invalid_transfer")
    counter = _own_counter(session, office, counter_number, actor)
    ticket = _current(session, counter)
    service: Service = ticket.service
    target: Counter | None = None
    if to_service is not None:
        service = queries.service_by_code(session, office.id, to_service)
        if service.id == ticket.service_id:
            raise InvalidInput("the ticket is already in that service", code="invalid_transfer")
    else:
        assert to_counter is not None
        target = queries.counter_by_number(session, office.id, to_counter)
        if target.id == counter.id:
            raise InvalidInput("the ticket is already at that counter", code="invalid_transfer")
    at = clock.now()
    before = ticket.transfer_out(at)
    leg = Ticket(
        office_id=office.id,
        service_id=service.id,
        day=ticket.day,
        seq_no=None,
        number=ticket.number,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        state=TicketState.WAITING,
        priority=ticket.priority,
        priority_rank=ticket.priority_rank,
        queued_at=ticket.queued_at,
        issued_at=ticket.issued_at,
        previous_id=ticket.id,
        target_counter_id=target.id if target else None,
        recall_count=0,
    )
    leg.service = service
    session.add(leg)
    session.flush()
    ticket.next_id = leg.id
    target_desc = {"to_service": service.code} if target is None else {"to_counter": target.number}
    _log(session, ticket, "transferred", before, actor, at, counter.id, **target_desc)
    _log(
        session,
        leg,
        "transfer_in",
        None,
        actor,
        at,
        counter.id,
        from_ticket=ticket.id,
        **target_desc,
    )
    _announce_queue(session, office, rules, at)
    return leg


def close_stale_tickets(session: Session, office: OfficeLike, *, rules: QueueRules) -> int:
    """Cancel tickets of earlier days still waiting or open (the daily reset). Returns a count."""
    at = clock.now()
    today = clock.local_day(at, rules.timezone)
    stale = queries.stale_tickets(session, office.id, today)
    for ticket in stale:
        before = ticket.cancel(at)
        _log(session, ticket, "expired", before, SYSTEM, at)
    if stale:
        session.flush()
        _announce_queue(session, office, rules, at)
    return len(stale)


@dataclass(frozen=True)
class Pace:
    """What the wait estimate needs besides the people ahead: the service's mean seconds per
    citizen today (0: no data yet) and its staffed counters."""

    mean_seconds: float
    counters: int


def estimated_wait_minutes(
    session: Session, ticket: TicketLike, ahead: int, rules: QueueRules, pace: Pace | None = None
) -> int:
    """People ahead × minutes per citizen ÷ staffed counters serving the service.

    A simple, honest estimate: minutes per citizen is the running mean of the service's
    finished tickets today (kept as each finishes; the default service time until there are
    some), and it never claims precision below a minute. ``pace`` may be passed by a caller
    that already read it (a new ticket's number and queue counts come with it).
    """
    if ticket.state != TicketState.WAITING:
        return 0
    if pace is None:
        mean = queries.mean_service_seconds(
            session, ticket.office_id, ticket.service_id, ticket.day
        )
        pace = Pace(mean or 0.0, queries.staffed_counters_for(session, ticket.service_id))
    minutes = pace.mean_seconds / 60 if pace.mean_seconds else rules.default_service_minutes
    return math.ceil(ahead * minutes / max(1, pace.counters))


def find_ticket(session: Session, token: str) -> Ticket:
    missing = NotFound("no ticket with that token", code="unknown_ticket")
    return found(queries.ticket_by_token(session, token), missing)
