"""Named queries: each question the system asks of the database has its one home here."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import NullType

from onestop import plainrows
from onestop.errors import NotFound, found
from onestop.models import (
    CalendarOverride,
    CatalogField,
    Counter,
    CounterService,
    Device,
    Dossier,
    DossierEvent,
    DossierState,
    Notice,
    Office,
    Officer,
    OfficerCounter,
    PrinterState,
    PrintJob,
    PrintKind,
    PrintStatus,
    Procedure,
    Rating,
    Service,
    StaffToken,
    SurveyResponse,
    Ticket,
    TicketEvent,
    TicketSequence,
    TicketState,
    run_core,
    table_of,
)
from onestop.plainrows import raw
from onestop.refs import DeviceRef, OfficeRef, ServiceRef, TicketLike

ACTIVE_AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)


def _insert(dialect: str) -> Any:
    """The dialect's INSERT, the one with ON CONFLICT (SQLite and PostgreSQL alike)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _sequence_upsert(session: Session, table: Any, keys: dict[str, Any]) -> Any:
    insert = _insert(session.get_bind().dialect.name)
    return (
        insert(table)
        .values(**keys, last_number=1)
        .on_conflict_do_update(
            index_elements=list(keys), set_={"last_number": table.last_number + 1}
        )
    )


def next_in_sequence(session: Session, table: Any, keys: dict[str, Any]) -> int:
    """Increment a per-key counter row (creating it at 1) in one upsert-returning statement,
    on SQLite and PostgreSQL alike; the row lock orders concurrent callers."""
    stmt = _sequence_upsert(session, table, keys).returning(table.last_number)
    return int(session.execute(stmt).scalar_one())


@functools.cache
def _ticket_number_statement(dialect: str) -> Any:
    seq = TicketSequence
    insert = _insert(dialect)
    keys: dict[str, Any] = {name: bindparam(name) for name in ("office_id", "service_id", "day")}
    return (
        insert(table_of(seq))
        .values(**keys, last_number=1, waiting=1)
        .on_conflict_do_update(
            index_elements=list(keys),
            set_={"last_number": seq.last_number + 1, "waiting": seq.waiting + 1},
        )
        .returning(seq.last_number, seq.mean_service_seconds)
    )


def next_ticket_number(
    session: Session, office_id: int, service_id: int, day: date
) -> tuple[int, float | None]:
    """The day's next number of a service and its mean service time so far, in one statement
    that also counts the new ticket as waiting (the caller tells ``count_waiting`` so)."""
    stmt = _ticket_number_statement(session.get_bind().dialect.name)
    keys = {"office_id": office_id, "service_id": service_id, "day": day}
    number, mean = run_core(session, stmt, keys).one()
    return int(number), mean


#: Each finished ticket moves the running mean by 1/SERVICE_TIME_SPAN of its difference (the
#: first few by more): the mean's tickets are then on average 9 tickets old, as in a plain
#: average of the last 19, so a day's change of pace (the morning rush, a slow new officer)
#: shows within a few tickets.
SERVICE_TIME_SPAN = 10


def record_service_time(
    session: Session, office_id: int, service_id: int, day: date, seconds: float
) -> None:
    """Fold one finished ticket's service time into the day's running mean of its service."""
    keys = {"b_office": office_id, "b_service": service_id, "b_day": day, "seconds": seconds}
    run_core(session, _service_time_statement(), keys)


@functools.cache
def _service_time_statement() -> Any:
    seq = TicketSequence
    seconds = bindparam("seconds", type_=Float)
    weight = case(
        (seq.served_count >= SERVICE_TIME_SPAN - 1, SERVICE_TIME_SPAN), else_=seq.served_count + 1
    )
    return (
        update(table_of(seq))
        .where(
            # (an UPDATE's own column names are kept for its SET clause)
            seq.office_id == bindparam("b_office"),
            seq.service_id == bindparam("b_service"),
            seq.day == bindparam("b_day"),
        )
        .values(
            served_count=seq.served_count + 1,
            mean_service_seconds=case(
                (seq.mean_service_seconds.is_(None), seconds),
                else_=seq.mean_service_seconds + (seconds - seq.mean_service_seconds) / weight,
            ),
        )
    )


def mean_service_seconds(
    session: Session, office_id: int, service_id: int, day: date
) -> float | None:
    return session.scalar(
        select(TicketSequence.mean_service_seconds).where(
            TicketSequence.office_id == office_id,
            TicketSequence.service_id == service_id,
            TicketSequence.day == day,
        )
    )


# -- offices, staff and devices ----------------------------------------------------------------


def find_office(session: Session, code: str) -> Office | None:
    return session.scalar(select(Office).where(Office.code == code))


def office_seq(session: Session, office_id: int) -> int:
    """The office's last committed realtime seq, read fresh (other processes move it)."""
    return int(session.scalar(select(Office.event_seq).where(Office.id == office_id)) or 0)


def officer_by_username(session: Session, username: str) -> Officer | None:
    return session.scalar(select(Officer).where(Officer.username == username))


def officers_of_office(session: Session, office_id: int) -> list[Officer]:
    return list(session.scalars(select(Officer).where(Officer.office_id == office_id)))


def _office_columns(office: Any) -> tuple[Any, ...]:
    """The office's columns a lookup of who is asking brings along (see :func:`office_ref`)."""
    return office.c.code, office.c.name.label("office_name"), office.c.timezone


def office_ref(row: Any) -> OfficeRef:
    """The office of a row of :func:`staff_token` or of the device lookup, as a plain value."""
    return OfficeRef(row.office_id, row.code, row.office_name, row.timezone)


@functools.cache
def _token_statement() -> Select[Any]:
    token, officer, office = table_of(StaffToken), table_of(Officer), table_of(Office)
    return (
        select(
            token.c.expires_at,
            token.c.revoked_at,
            officer.c.id,
            officer.c.office_id,
            officer.c.username,
            officer.c.full_name,
            officer.c.role,
            officer.c.is_active,
            *_office_columns(office),
        )
        .join(officer, officer.c.id == token.c.officer_id)
        .join(office, office.c.id == officer.c.office_id)
        .where(token.c.token_hash == bindparam("token_hash"))
    )


def staff_token(session: Session, token_hash: str) -> Any:
    """The token's dates with its officer and the officer's office, in one Core statement (the
    staff ask on every request): a row, or None."""
    return run_core(session, _token_statement(), {"token_hash": token_hash}).first()


def device_by_name(session: Session, office_id: int, name: str) -> Device | None:
    return session.scalar(select(Device).where(Device.office_id == office_id, Device.name == name))


@functools.cache
def _device_statement() -> Select[Any]:
    device, office = table_of(Device), table_of(Office)
    return (
        select(
            device.c.id,
            device.c.office_id,
            device.c.kind,
            device.c.name,
            device.c.counter_id,
            device.c.printer,
            *_office_columns(office),
        )
        .join(office, office.c.id == device.c.office_id)
        .where(device.c.key_hash == bindparam("key_hash"), device.c.is_active.is_(True))
    )


def device_by_key_hash(session: Session, key_hash: str) -> DeviceRef | None:
    """The active device of a key, with its office, in one Core statement: a plain value,
    not an ORM object (the device asks on every request; see ``onestop.refs``)."""
    row = run_core(session, _device_statement(), {"key_hash": key_hash}).first()
    if row is None:
        return None
    office = office_ref(row)
    return DeviceRef(row.id, row.office_id, row.kind, row.name, row.counter_id, row.printer, office)


def counters_allowed_to(session: Session, officer_id: int) -> set[int]:
    """The counters an admin restricted an officer to (empty: no restriction)."""
    return set(session.scalars(_allowed_statement(), {"officer_id": officer_id}))


@functools.cache
def _allowed_statement() -> Select[int]:
    return select(OfficerCounter.counter_id).where(
        OfficerCounter.officer_id == bindparam("officer_id")
    )


# -- services and counters --------------------------------------------------------------------


@functools.cache
def _service_statement() -> Select[Service]:
    return select(Service).where(
        Service.office_id == bindparam("office_id"), Service.code == bindparam("code")
    )


@functools.cache
def _service_ref_statement() -> Select[Any]:
    service = table_of(Service)
    columns = [getattr(service.c, name) for name in ServiceRef.__slots__]
    return select(*columns).where(
        service.c.office_id == bindparam("office_id"), service.c.code == bindparam("code")
    )


def service_ref(session: Session, office_id: int, code: str) -> ServiceRef:
    """A service of the office by its code, as a plain value (the kiosk's path)."""
    keys = {"office_id": office_id, "code": code}
    row = run_core(session, _service_ref_statement(), keys).first()
    missing = NotFound(f"no service with code {code!r}", code="unknown_service")
    return ServiceRef(*found(row, missing))


def find_service(session: Session, office_id: int, code: str) -> Service | None:
    return session.scalar(_service_statement(), {"office_id": office_id, "code": code})


def service_by_code(session: Session, office_id: int, code: str) -> Service:
    missing = NotFound(f"no service with code {code!r}", code="unknown_service")
    return found(find_service(session, office_id, code), missing)


@functools.cache
def _counter_statement() -> Select[Counter]:
    return select(Counter).where(
        Counter.office_id == bindparam("office_id"), Counter.number == bindparam("number")
    )


def find_counter(session: Session, office_id: int, number: int) -> Counter | None:
    return session.scalar(_counter_statement(), {"office_id": office_id, "number": number})


def counter_by_number(session: Session, office_id: int, number: int) -> Counter:
    missing = NotFound(f"no counter number {number}", code="unknown_counter")
    return found(find_counter(session, office_id, number), missing)


def services(session: Session, office_id: int) -> list[Service]:
    return list(
        session.scalars(
            select(Service)
            .where(Service.office_id == office_id)
            .order_by(Service.position, Service.code)
        )
    )


def counters(session: Session, office_id: int) -> list[Counter]:
    return list(
        session.scalars(
            select(Counter).where(Counter.office_id == office_id).order_by(Counter.number)
        )
    )


def waiting_counts(session: Session, office_id: int, day: date) -> dict[str, int]:
    """Waiting tickets per service code today (every service listed, zero included), as kept
    on the day's rows: as cheap with a thousand waiting as with none."""
    return {code: waiting for code, (waiting, _) in _queue_rows(session, office_id, day).items()}


def waiting_and_staffed(
    session: Session, office_id: int, day: date
) -> tuple[dict[str, int], dict[str, int]]:
    """Per service code: the waiting counts, and the staffed counters serving it (the wait
    estimate's divisor), in one statement."""
    rows = _queue_rows(session, office_id, day, staffed=True)
    return {c: w for c, (w, _) in rows.items()}, {c: n for c, (_, n) in rows.items()}


@functools.cache
def _queue_rows_statement(staffed: bool) -> Select[str, int, int]:
    serving: Any = literal(0)
    if staffed:
        serving = (
            select(func.count(Counter.id))
            .join(CounterService, CounterService.counter_id == Counter.id)
            .where(
                CounterService.service_id == Service.id,
                Counter.is_open.is_(True),
                Counter.officer_id.is_not(None),
            )
            .correlate(Service)
            .scalar_subquery()
        )
    office_id: Any = bindparam("office_id")
    return (
        select(Service.code, func.coalesce(TicketSequence.waiting, 0), serving)
        .outerjoin(
            TicketSequence,
            and_(
                TicketSequence.office_id == office_id,
                TicketSequence.service_id == Service.id,
                TicketSequence.day == bindparam("day"),
            ),
        )
        .where(Service.office_id == office_id)
        .order_by(Service.position, Service.code)
    )


def _queue_rows(
    session: Session, office_id: int, day: date, *, staffed: bool = False
) -> dict[str, tuple[int, int]]:
    keys = {"office_id": office_id, "day": day}
    rows = run_core(session, _queue_rows_statement(staffed), keys)
    return {code: (int(count), int(serving)) for code, count, serving in rows}


def count_waiting(session: Session, deltas: dict[tuple[int, int, date], int]) -> None:
    """Move the kept waiting counts by ``deltas`` ((office, service, day) → change); called
    while the session flushes (so on its connection, with no flush of its own)."""
    moved = {key: delta for key, delta in deltas.items() if delta}
    if not moved:
        return
    statement = _count_statement(session.get_bind().dialect.name)
    connection = session.connection()
    for (office_id, service_id, day), delta in moved.items():
        keys = {"office_id": office_id, "service_id": service_id, "day": day}
        connection.execute(statement, {**keys, "initial": max(delta, 0), "delta": delta})


@functools.cache
def _count_statement(dialect: str) -> Any:
    keys: dict[str, Any] = {name: bindparam(name) for name in ("office_id", "service_id", "day")}
    return (
        _insert(dialect)(table_of(TicketSequence))
        .values(**keys, last_number=0, waiting=bindparam("initial"), served_count=0)
        .on_conflict_do_update(
            index_elements=list(keys),
            set_={"waiting": TicketSequence.waiting + bindparam("delta", type_=Integer)},
        )
    )


def next_for_counter(session: Session, counter: Counter, day: date) -> Ticket | None:
    """The ticket this counter should call next (None: nobody waits for it).

    Order: tickets transferred to this very counter first; then priority rank (highest first);
    then the counter's own service order; then first come, first served (``queued_at``).
    ``FOR UPDATE SKIP LOCKED`` makes concurrent callers on PostgreSQL pass over a row another
    counter is taking; on SQLite writers are serialised by ``BEGIN IMMEDIATE`` instead.
    """
    keys = {"counter_id": counter.id, "office_id": counter.office_id, "day": day}
    return session.scalar(_next_statement(), keys)


@functools.cache
def _next_statement() -> Select[Ticket]:
    link, counter_id = CounterService, bindparam("counter_id", type_=Integer)
    directed = Ticket.target_counter_id == counter_id
    return (
        select(Ticket)
        .outerjoin(link, and_(link.service_id == Ticket.service_id, link.counter_id == counter_id))
        .where(
            Ticket.office_id == bindparam("office_id"),
            Ticket.day == bindparam("day"),
            Ticket.state == TicketState.WAITING,
            or_(directed, and_(Ticket.target_counter_id.is_(None), link.counter_id.is_not(None))),
        )
        .order_by(
            directed.desc(),
            Ticket.priority_rank.desc(),
            link.position.asc(),
            Ticket.queued_at.asc(),
            Ticket.id.asc(),
        )
        .limit(1)
        .with_for_update(skip_locked=True, of=Ticket)
    )


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    """The ticket called to or being served at ``counter``, if any."""
    return session.scalar(_current_statement(), {"counter_id": counter.id})


@functools.cache
def _current_statement() -> Select[Ticket]:
    return (
        select(Ticket)
        .where(Ticket.counter_id == bindparam("counter_id"), Ticket.state.in_(ACTIVE_AT_COUNTER))
        .order_by(Ticket.called_at.desc())
        .limit(1)
    )


def now_serving(session: Session, office_id: int, day: date) -> list[tuple[Ticket, Counter]]:
    """The latest call of each counter today: the board keeps it up until the next call."""
    latest = (
        select(Ticket.counter_id, func.max(Ticket.called_at).label("called_at"))
        .where(Ticket.office_id == office_id, Ticket.day == day, Ticket.called_at.is_not(None))
        .group_by(Ticket.counter_id)
        .subquery()
    )
    rows = session.execute(
        select(Ticket, Counter)
        .join(
            latest,
            and_(latest.c.counter_id == Ticket.counter_id, latest.c.called_at == Ticket.called_at),
        )
        .join(Counter, Counter.id == Ticket.counter_id)
        .where(Ticket.office_id == office_id, Ticket.day == day)
        .order_by(Counter.number, Ticket.id.desc())
    ).all()
    seen: set[int] = set()
    result = []
    for ticket, counter in rows:
        if counter.id not in seen:  # two calls in the same instant: keep one
            seen.add(counter.id)
            result.append((ticket, counter))
    return result


def recent_calls(
    session: Session, office_id: int, day: date, limit: int = 10
) -> list[tuple[Ticket, Counter]]:
    rows = session.execute(
        select(Ticket, Counter)
        .join(Counter, Counter.id == Ticket.counter_id)
        .where(Ticket.office_id == office_id, Ticket.day == day, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
        .limit(limit)
    ).all()
    return [(t, c) for t, c in rows]


def ahead_of(session: Session, ticket: TicketLike) -> int:
    """Waiting tickets of the same service that will be called before ``ticket``."""
    return (
        session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.office_id == ticket.office_id,
                Ticket.day == ticket.day,
                Ticket.service_id == ticket.service_id,
                Ticket.state == TicketState.WAITING,
                Ticket.id != ticket.id,
                or_(
                    Ticket.priority_rank > ticket.priority_rank,
                    and_(
                        Ticket.priority_rank == ticket.priority_rank,
                        or_(
                            Ticket.queued_at < ticket.queued_at,
                            and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id),
                        ),
                    ),
                ),
            )
        )
        or 0
    )


def staffed_counters_for(session: Session, service_id: int) -> int:
    """Open counters serving the service that an officer holds right now."""
    return (
        session.scalar(
            select(func.count(Counter.id))
            .join(CounterService, CounterService.counter_id == Counter.id)
            .where(
                CounterService.service_id == service_id,
                Counter.is_open.is_(True),
                Counter.officer_id.is_not(None),
            )
        )
        or 0
    )


def live_leg(session: Session, ticket: Ticket) -> Ticket:
    """Follow transfers from a ticket to the leg that is current now."""
    seen = 0
    while ticket.next_id is not None and seen < 50:
        nxt = session.get(Ticket, ticket.next_id)
        if nxt is None:
            break
        ticket, seen = nxt, seen + 1
    return ticket


def visit_legs(session: Session, ticket: Ticket) -> set[int]:
    """The ids of every leg of the visit ``ticket`` belongs to (transfers make new legs)."""
    legs, first = {ticket.id}, ticket
    while first.previous_id is not None and len(legs) < 50:
        earlier = session.get(Ticket, first.previous_id)
        if earlier is None:
            break
        first = earlier
        legs.add(first.id)
    current = first
    while current.next_id is not None and len(legs) < 100:
        later = session.get(Ticket, current.next_id)
        if later is None:
            break
        current = later
        legs.add(current.id)
    return legs


def last_finished_at_counter(session: Session, counter_id: int) -> Ticket | None:
    """The ticket a counter finished most recently (what its rating pad asks about)."""
    return session.scalar(
        select(Ticket)
        .where(Ticket.counter_id == counter_id, Ticket.state == TicketState.DONE)
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .limit(1)
    )


def oldest_waiting(session: Session, office_id: int, day: date) -> dict[str, datetime]:
    """Per service code, when the longest-waiting ticket of today joined the queue."""
    rows = session.execute(
        select(Service.code, func.min(Ticket.queued_at))
        .join(Ticket, Ticket.service_id == Service.id)
        .where(
            Service.office_id == office_id,
            Ticket.day == day,
            Ticket.state == TicketState.WAITING,
        )
        .group_by(Service.code)
    ).all()
    return {code: at for code, at in rows if at is not None}


def ticket_by_token(session: Session, token: str, *, office_id: int | None = None) -> Ticket | None:
    """The ticket leg with this public token (of ``office_id`` only, when given)."""
    query = select(Ticket).where(Ticket.token == token)
    if office_id is not None:
        query = query.where(Ticket.office_id == office_id)
    return session.scalar(query)


def stale_tickets(session: Session, office_id: int, today: date) -> list[Ticket]:
    """Tickets of earlier days still waiting or open (the daily reset cancels them)."""
    return list(
        session.scalars(
            select(Ticket).where(
                Ticket.office_id == office_id,
                Ticket.day < today,
                Ticket.state.in_((TicketState.WAITING, *ACTIVE_AT_COUNTER)),
            )
        )
    )


def ticket_by_request_key(session: Session, office_id: int, key: str) -> Ticket | None:
    return session.scalar(
        select(Ticket).where(Ticket.office_id == office_id, Ticket.request_key == key)
    )


def officer_day_tickets(session: Session, officer_id: int, day: date) -> list[Ticket]:
    """Tickets an officer closed today (done, no-show or transferred on), oldest first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.officer_id == officer_id,
                Ticket.day == day,
                Ticket.state.in_((TicketState.DONE, TicketState.NO_SHOW, TicketState.TRANSFERRED)),
            )
            .order_by(Ticket.finished_at)
        )
    )


def catalog_fields(session: Session, office_id: int) -> list[CatalogField]:
    return list(
        session.scalars(
            select(CatalogField)
            .where(CatalogField.office_id == office_id)
            .order_by(CatalogField.position, CatalogField.code)
        )
    )


def procedures(session: Session, office_id: int) -> list[Procedure]:
    """The office's published procedures, in catalogue order."""
    return list(
        session.scalars(
            select(Procedure)
            .where(Procedure.office_id == office_id, Procedure.is_active.is_(True))
            .order_by(Procedure.position, Procedure.code)
        )
    )


def procedures_by_code(session: Session, office_id: int) -> dict[str, Procedure]:
    """Every procedure the office ever imported, published or retired, by code."""
    rows = session.scalars(select(Procedure).where(Procedure.office_id == office_id))
    return {p.code: p for p in rows}


def notices(session: Session, office_id: int) -> list[Notice]:
    """The office's active public notices, in ticker order."""
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.office_id == office_id, Notice.is_active.is_(True))
            .order_by(Notice.position, Notice.id)
        )
    )


def dossiers_of_visit(session: Session, ticket_ids: set[int]) -> list[Dossier]:
    """The dossiers opened from any leg of a visit (``visit_legs``)."""
    return list(
        session.scalars(
            select(Dossier).where(Dossier.ticket_id.in_(ticket_ids)).order_by(Dossier.id)
        )
    )


def dossier_by_token(session: Session, token: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.token == token))


def was_guidance_only(session: Session, ticket: Ticket) -> bool:
    finished = session.scalars(
        select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "finished"
        )
    )
    return any((data or {}).get("outcome") == "guidance" for data in finished)


FeedbackRow = TypeVar("FeedbackRow", Rating, SurveyResponse)


@dataclass(slots=True)
class DossierRow:
    """What the reports and the evaluation read of a dossier (the columns of
    ``DOSSIER_COLUMNS``), as a plain value. The plain rows are not frozen only because a
    frozen dataclass takes six times as long to build (a year's reports build 300,000 of
    them): their readers never change one."""

    id: int
    procedure_id: int
    procedure_code: str
    procedure_name: str
    field_code: str
    channel: str
    delivery: str
    state: DossierState
    rule: dict[str, Any]
    received_at: datetime
    due_at_original: datetime | None
    supplement_count: int
    extended_count: int
    extended_by_law: int
    paused_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    closed_at: datetime | None
    received_by: int | None
    ticket_id: int | None


DOSSIER_COLUMNS = (
    Dossier.id,
    Dossier.procedure_id,
    Dossier.procedure_code,
    Dossier.procedure_name,
    func.coalesce(Procedure.field_code, ""),
    Dossier.channel,
    Dossier.delivery,
    Dossier.state,
    Dossier.rule,
    Dossier.received_at,
    Dossier.due_at_original,
    Dossier.supplement_count,
    Dossier.extended_count,
    Dossier.extended_by_law,
    Dossier.paused_at,
    Dossier.resolved_at,
    Dossier.returned_at,
    Dossier.closed_at,
    Dossier.received_by,
    Dossier.ticket_id,
)


def dossiers_received_between(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[DossierRow]:
    """The office's dossiers received in [start, end), oldest first, as plain rows (a
    quarter's dossiers are thousands, and the evaluation changes none of them)."""
    query = (
        select(*map(raw, DOSSIER_COLUMNS))
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .where(
            Dossier.office_id == office_id,
            Dossier.received_at >= start,
            Dossier.received_at < end,
        )
        .order_by(Dossier.received_at, Dossier.id)
    )
    return plainrows.read(session, DossierRow, query)


def paused_hours_of(session: Session, dossier_ids: set[int]) -> dict[int, float]:
    """Per dossier, the working hours it waited for supplements (recorded on each receipt)."""
    if not dossier_ids:
        return {}
    query = select(DossierEvent.dossier_id, DossierEvent.data).where(
        DossierEvent.dossier_id.in_(dossier_ids), DossierEvent.action == "supplement_received"
    )
    paused: dict[int, float] = {}
    for dossier_id, data in session.execute(query):
        hours = float((data or {}).get("paused_working_hours") or 0.0)
        paused[dossier_id] = paused.get(dossier_id, 0.0) + hours
    return paused


def _among(session: Session, column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, given as one parameter however many they are (a year's
    visits are tens of thousands): on PostgreSQL ``= ANY(array)``, on SQLite ``IN`` the
    values of a JSON array. An ``IN`` list of as many parameters is more than SQLite binds at
    once, and SQLAlchemy and the drivers spent seconds expanding a year's of them.

    On PostgreSQL the array goes as its text (psycopg dumps a list an item at a time: 0.15 s
    of a year's evaluation) in an untyped parameter, which the server takes as the array and
    parses once; with SQLAlchemy's usual ``::VARCHAR`` it cast the text for every row of a
    scan."""
    values = sorted(ids)
    among: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, "{" + ",".join(map(str, values)) + "}", type_=NullType())
        among = column == any_(cast(array, postgresql.ARRAY(Integer)))
    else:
        listed = func.json_each(bindparam(None, json.dumps(values), type_=String))
        among = column.in_(select(listed.table_valued("value").c.value))
    return among


@dataclass(slots=True)
class RatingFeedback:
    """What the evaluation reads of a rating (a year's ratings are 100,000: plain rows)."""

    id: int
    ticket_id: int | None
    dossier_id: int | None
    officer_id: int | None
    score: str
    reasons: list[str] | None


@dataclass(slots=True)
class SurveyFeedback:
    """What the evaluation reads of a survey answer."""

    id: int
    ticket_id: int | None
    dossier_id: int | None
    officer_id: int | None
    form: str
    answers: dict[str, Any]


def _feedback_query(kind: type[FeedbackRow]) -> tuple[type[Any], Any]:
    """The plain row class of ratings (or survey answers) and the select of its columns."""
    common: tuple[Any, ...] = (kind.id, kind.ticket_id, kind.dossier_id, kind.officer_id)
    if kind is Rating:
        return RatingFeedback, select(*map(raw, (*common, Rating.score, Rating.reasons)))
    columns = (*common, SurveyResponse.form, SurveyResponse.answers)
    return SurveyFeedback, select(*map(raw, columns))


def feedback_of(
    session: Session, kind: type[FeedbackRow], ticket_ids: set[int], dossier_ids: set[int]
) -> list[Any]:
    """The ratings (or survey responses) about any of these ticket legs or dossiers, as
    :class:`RatingFeedback` (or :class:`SurveyFeedback`) rows."""
    row_kind, query = _feedback_query(kind)
    found: dict[int, Any] = {}
    for column, ids in ((kind.ticket_id, ticket_ids), (kind.dossier_id, dossier_ids)):
        if ids:
            rows = plainrows.read(session, row_kind, query.where(_among(session, column, ids)))
            found.update((row.id, row) for row in rows)
    return [found[i] for i in sorted(found)]


def active_procedures(session: Session, ids: set[int]) -> set[int]:
    """Those of these procedures that are in the catalogue (not retired)."""
    if not ids:
        return set()
    query = select(Procedure.id).where(
        _among(session, Procedure.id, ids), Procedure.is_active.is_(True)
    )
    return set(session.scalars(query))


def visits_of(session: Session, ticket_ids: set[int]) -> dict[int, frozenset[int]]:
    """Each ticket leg → every leg of its visit (:func:`visit_legs` for many at once: the
    transfer links are read a round of queries per step along the chains, not a query a leg).
    Only transferred legs are read: a leg with neither link is a visit of its own (a year's
    visits are tens of thousands, its transfers a few hundred)."""
    links: dict[int, tuple[int | None, int | None]] = {}
    wanted = set(ticket_ids)
    linked = or_(Ticket.previous_id.is_not(None), Ticket.next_id.is_not(None))
    for _ in range(100):  # chains are a few legs long; the bound only stops a broken one
        if not wanted:
            break
        query = select(Ticket.id, Ticket.previous_id, Ticket.next_id).where(
            _among(session, Ticket.id, wanted), linked
        )
        links.update((i, (before, after)) for i, before, after in plainrows.tuples(session, query))
        links.update((i, (None, None)) for i in wanted if i not in links)
        wanted = {
            other
            for i in wanted
            for other in links.get(i, (None, None))
            if other is not None and other not in links
        }
    visits: dict[int, frozenset[int]] = {}
    for ticket_id in ticket_ids:
        if ticket_id in visits:
            continue
        chain: set[int] = set()
        todo = [ticket_id]
        while todo and len(chain) < 100:
            leg = todo.pop()
            if leg in chain or leg not in links:
                continue
            chain.add(leg)
            todo.extend(other for other in links[leg] if other is not None)
        visit = frozenset(chain)
        visits.update(dict.fromkeys(visit, visit))
    return {i: visits.get(i, frozenset()) for i in ticket_ids}


def served_between(
    kind: type[Rating] | type[SurveyResponse], office_id: int, start: Any, end: Any
) -> Any:
    """The office's ratings (or survey answers) of the visits served in [start, end)."""
    return and_(kind.office_id == office_id, kind.served_at >= start, kind.served_at < end)


def rating_scores_between(
    session: Session, office_id: int, start: datetime, end: datetime, *by: str
) -> dict[tuple[Any, ...], int]:
    """How many ratings of the visits served in [start, end) gave each score, per values of
    the rating's columns ``by`` (``officer_id``, …; ``quarter_hour``: the quarter hours since
    1970 it was served in; none: all together): (value, …, score) → ratings."""
    keys = [
        plainrows.quarter_hours(Rating.served_at)
        if column == "quarter_hour"
        else getattr(Rating, column)
        for column in by
    ]
    query = (
        select(*keys, Rating.score, func.count())
        .where(served_between(Rating, office_id, start, end))
        .group_by(*keys, Rating.score)
    )
    return {(*values, str(score)): n for *values, score, n in session.connection().execute(query)}


def feedback_served_between(
    session: Session, kind: type[FeedbackRow], office_id: int, start: datetime, end: datetime
) -> list[Any]:
    """The office's ratings (or survey responses) of visits served in [start, end), as
    :class:`RatingFeedback` (or :class:`SurveyFeedback`) rows."""
    row_kind, query = _feedback_query(kind)
    query = query.where(served_between(kind, office_id, start, end))
    return plainrows.read(session, row_kind, query.order_by(kind.served_at, kind.id))


# -- dossiers -------------------------------------------------------------------------------


def active_procedure(session: Session, office_id: int, code: str) -> Procedure | None:
    """The office's procedure ``code``, if it is published."""
    return session.scalar(
        select(Procedure).where(
            Procedure.office_id == office_id, Procedure.code == code, Procedure.is_active
        )
    )


def dossier_by_code(
    session: Session, office_id: int, code: str, *, lock: bool = False
) -> Dossier | None:
    """The office's dossier ``code``; ``lock`` takes its row until the transaction ends."""
    query = select(Dossier).where(Dossier.office_id == office_id, Dossier.code == code)
    return session.scalar(query.with_for_update() if lock else query)


def dossier_steps(session: Session, dossier_id: int) -> list[DossierEvent]:
    """A dossier's steps in the order they happened."""
    return list(
        session.scalars(
            select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier_id)
            .order_by(DossierEvent.at, DossierEvent.id)
        )
    )


def dossiers_due_soonest(
    session: Session, office_id: int, states: Iterable[DossierState]
) -> Iterator[Dossier]:
    """The office's dossiers in ``states`` that have a due date, soonest first (read lazily:
    the caller stops where the dates get too far)."""
    return iter(
        session.scalars(
            select(Dossier)
            .where(
                Dossier.office_id == office_id,
                Dossier.state.in_(list(states)),
                Dossier.due_at.is_not(None),
            )
            .order_by(Dossier.due_at)
        )
    )


def dossiers_received_since(session: Session, office_id: int, start: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(Dossier.id)).where(
                Dossier.office_id == office_id, Dossier.received_at >= start
            )
        )
        or 0
    )


def dossiers_resolved_since(session: Session, office_id: int, start: datetime) -> list[Dossier]:
    return list(
        session.scalars(
            select(Dossier).where(Dossier.office_id == office_id, Dossier.resolved_at >= start)
        )
    )


def open_dossiers(
    session: Session, office_id: int, states: Iterable[DossierState], *, limit: int
) -> list[Dossier]:
    """Up to ``limit`` of the office's dossiers in ``states``, soonest due first."""
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.office_id == office_id, Dossier.state.in_(list(states)))
            .order_by(Dossier.due_at)
            .limit(limit)
        )
    )


def dossiers_matching(
    session: Session, office_id: int, words: list[str], *, limit: int
) -> list[Dossier]:
    """Up to ``limit`` of the office's dossiers whose search key holds every one of ``words``
    (plain, see ``onestop.searchkeys``), newest first."""
    query = select(Dossier).where(Dossier.office_id == office_id)
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Dossier.search_key.like(f"%{escaped}%", escape="\\"))
    newest = (Dossier.received_at.desc(), Dossier.id.desc())
    return list(session.scalars(query.order_by(*newest).limit(limit)))


def dossiers_in_state(
    session: Session, office_id: int, state: DossierState, *, limit: int
) -> list[Dossier]:
    """Up to ``limit`` of the office's dossiers in ``state``, the longest there first."""
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.office_id == office_id, Dossier.state == state)
            .order_by(Dossier.resolved_at, Dossier.received_at, Dossier.id)
            .limit(limit)
        )
    )


def register_entries(session: Session, office_id: int, year: int) -> list[Dossier]:
    """The office's Sổ theo dõi hồ sơ of ``year``, in the order of its numbers."""
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.office_id == office_id, Dossier.register_year == year)
            .order_by(Dossier.register_number)
        )
    )


# -- the office calendar ----------------------------------------------------------------------


def calendar_override_rows(session: Session, office_id: int) -> list[CalendarOverride]:
    return list(
        session.scalars(
            select(CalendarOverride)
            .where(CalendarOverride.office_id == office_id)
            .order_by(CalendarOverride.day)
        )
    )


def calendar_overrides(session: Session, office_id: int) -> dict[date, bool]:
    """The office's own days: day → working (True) or off (False)."""
    rows = session.execute(
        select(CalendarOverride.day, CalendarOverride.working).where(
            CalendarOverride.office_id == office_id
        )
    ).all()
    return dict(rows)


def calendar_override(session: Session, office_id: int, day: date) -> CalendarOverride | None:
    return session.scalar(
        select(CalendarOverride).where(
            CalendarOverride.office_id == office_id, CalendarOverride.day == day
        )
    )


# -- printing -----------------------------------------------------------------------------------


def print_job_due(now: datetime) -> ColumnElement[bool]:
    """A job waiting to be sent whose backoff, if any, is over."""
    return and_(
        PrintJob.status == PrintStatus.QUEUED,
        or_(PrintJob.not_before.is_(None), PrintJob.not_before <= now),
    )


def due_print_jobs(
    session: Session,
    printers: Iterable[str],
    now: datetime,
    *,
    limit: int,
    office_id: int | None = None,
) -> list[PrintJob]:
    """Up to ``limit`` due jobs on these printers (of one office, when given), oldest first."""
    query = select(PrintJob).where(print_job_due(now), PrintJob.printer.in_(list(printers)))
    if office_id is not None:
        query = query.where(PrintJob.office_id == office_id)
    return list(session.scalars(query.order_by(PrintJob.id).limit(limit)))


def first_print_of_ticket(session: Session, ticket_id: int) -> PrintJob | None:
    """The job that printed a ticket when it was issued (reprints come later)."""
    return session.scalar(
        select(PrintJob)
        .where(PrintJob.ticket_id == ticket_id, PrintJob.kind == PrintKind.TICKET)
        .order_by(PrintJob.id)
        .limit(1)
    )


def failed_print_jobs(
    session: Session, office_id: int, printer: str, *, limit: int
) -> list[PrintJob]:
    """The office's latest failed jobs on a printer, newest first."""
    return list(
        session.scalars(
            select(PrintJob)
            .where(
                PrintJob.office_id == office_id,
                PrintJob.printer == printer,
                PrintJob.status == PrintStatus.FAILED,
            )
            .order_by(PrintJob.id.desc())
            .limit(limit)
        )
    )


def printer_states(session: Session) -> dict[str, PrinterState]:
    """The last health seen of every printer, by name."""
    return {s.name: s for s in session.scalars(select(PrinterState))}


def offices_using_printer(session: Session, printer: str) -> list[int]:
    """Printers are named in the configuration; the offices are those of the devices on them."""
    return list(
        session.scalars(
            select(Device.office_id).where(Device.printer == printer, Device.is_active).distinct()
        )
    )


def devices_on_printer(session: Session, printer: str, office_id: int) -> list[str]:
    """The names of the office's active devices that print on ``printer``."""
    return list(
        session.scalars(
            select(Device.name)
            .where(Device.printer == printer, Device.is_active, Device.office_id == office_id)
            .order_by(Device.name)
        )
    )


# -- the citizen's feedback -----------------------------------------------------------------------


def feedback_of_visit(
    session: Session,
    kind: type[FeedbackRow],
    *,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    lock: bool = False,
) -> FeedbackRow | None:
    """The rating (or survey answer) of the visit that is this ticket leg or this dossier;
    ``lock`` before changing it."""
    if (ticket_id is None) == (dossier_id is None):
        raise ValueError("a visit is a ticket leg or a dossier: give exactly one of them")
    if ticket_id is not None:
        query = select(kind).where(kind.ticket_id == ticket_id)
    else:
        query = select(kind).where(kind.dossier_id == dossier_id)
    return session.scalar(query.with_for_update() if lock else query)


def survey_contacts_between(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[SurveyResponse]:
    """Survey answers of visits served in [start, end) whose citizen asked to be contacted."""
    return list(
        session.scalars(
            select(SurveyResponse)
            .where(
                SurveyResponse.office_id == office_id,
                SurveyResponse.contact.is_not(None),
                SurveyResponse.served_at >= start,
                SurveyResponse.served_at < end,
            )
            .order_by(SurveyResponse.served_at)
        )
    )
