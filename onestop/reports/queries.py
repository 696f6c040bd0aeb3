"""The reports' queries: a few Core selects per report, read as plain rows
(:mod:`onestop.plainrows`: a busy office's year is 150,000 tickets and 60,000 dossiers, and no
ORM object is built for any of them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, distinct, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from onestop import plainrows
from onestop import queries as shared
from onestop.clock import as_utc
from onestop.models import (
    CatalogField,
    Counter,
    Dossier,
    DossierEvent,
    Officer,
    Procedure,
    Rating,
    RatingScore,
    ReceptionNote,
    Service,
    SurveyResponse,
    Ticket,
    TicketEvent,
    TicketState,
)
from onestop.plainrows import raw
from onestop.queries import DOSSIER_COLUMNS, DossierRow


def dossiers_touching(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[DossierRow]:
    """Every dossier the period [start, end) handled: received in it, still open when it began
    (carried over), or resolved, closed or returned in it; oldest first."""

    def within(column: Any) -> Any:
        return and_(column >= start, column < end)

    open_at_start = and_(
        or_(Dossier.resolved_at.is_(None), Dossier.resolved_at >= start),
        or_(Dossier.closed_at.is_(None), Dossier.closed_at >= start),
    )
    query = (
        select(*map(raw, DOSSIER_COLUMNS))
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .where(
            Dossier.office_id == office_id,
            Dossier.received_at < end,
            or_(Dossier.received_at >= start, open_at_start, within(Dossier.returned_at)),
        )
    )
    # Sorted here: PostgreSQL sorted a year's wide rows on disk.
    rows = plainrows.read(session, DossierRow, query)
    rows.sort(key=lambda row: (row.received_at, row.id))
    return rows


def dossier_steps_between(
    session: Session,
    office_id: int,
    actions: Iterable[str],
    start: datetime,
    end: datetime,
) -> list[tuple[int, str, datetime, int | None]]:
    """(dossier id, action, at, officer id) of the office's steps of these kinds in [start, end)."""
    query = select(
        DossierEvent.dossier_id, DossierEvent.action, raw(DossierEvent.at), DossierEvent.officer_id
    ).where(
        DossierEvent.office_id == office_id,
        DossierEvent.action.in_(list(actions)),
        DossierEvent.at >= start,
        DossierEvent.at < end,
    )
    found = plainrows.tuples(session, query)
    return [(d, a, plainrows.instant(at), o) for d, a, at, o in found]  # type: ignore[misc]


def dossier_step_counts_between(
    session: Session, office_id: int, actions: Iterable[str], start: datetime, end: datetime
) -> dict[str, tuple[int, int]]:
    """Action → (steps, dossiers) of the office's steps of these kinds in [start, end)."""
    query = (
        select(DossierEvent.action, func.count(), func.count(distinct(DossierEvent.dossier_id)))
        .where(
            DossierEvent.office_id == office_id,
            DossierEvent.action.in_(list(actions)),
            DossierEvent.at >= start,
            DossierEvent.at < end,
        )
        .group_by(DossierEvent.action)
    )
    return {
        action: (steps, dossiers) for action, steps, dossiers in plainrows.tuples(session, query)
    }


def supplement_steps_until(
    session: Session, dossier_ids: set[int], end: datetime
) -> list[tuple[int, str, datetime]]:
    """(dossier id, action, at) of the supplement requests and receipts before ``end``."""
    if not dossier_ids:
        return []
    query = (
        select(DossierEvent.dossier_id, DossierEvent.action, DossierEvent.at)
        .where(
            DossierEvent.dossier_id.in_(dossier_ids),
            DossierEvent.action.in_(("request_supplement", "supplement_received")),
            DossierEvent.at < end,
        )
        .order_by(DossierEvent.at, DossierEvent.id)
    )
    return [(d, a, as_utc(at)) for d, a, at in session.execute(query)]


def reception_notes_between(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[tuple[str, str, int | None]]:
    """(kind, procedure code, officer id) of the guidance and refusals at reception."""
    query = select(ReceptionNote.kind, ReceptionNote.procedure_code, ReceptionNote.officer_id)
    query = query.where(
        ReceptionNote.office_id == office_id, ReceptionNote.at >= start, ReceptionNote.at < end
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def fields_of(session: Session, office_id: int) -> dict[str, tuple[str, str, int]]:
    """The catalogue's fields: code → (name, English name, position)."""
    query = select(
        CatalogField.code, CatalogField.name, CatalogField.name_en, CatalogField.position
    )
    query = query.where(CatalogField.office_id == office_id)
    return {code: (name, name_en, pos) for code, name, name_en, pos in session.execute(query)}


def procedure_positions(session: Session, office_id: int) -> dict[str, int]:
    """Procedure code → its position in the catalogue (the report's row order)."""
    query = select(Procedure.code, Procedure.position).where(Procedure.office_id == office_id)
    return {code: position for code, position in session.execute(query).all()}  # noqa: C416


# -- the queue ------------------------------------------------------------------------------


_epoch = plainrows.epoch_seconds


def _minutes(seconds: Any, *also: Any) -> Any:
    """Seconds as minutes, to the millisecond, or NULL for a time running backwards."""
    return case((and_(seconds >= 0, *also), func.round(seconds * 1000) / 1000.0 / 60.0), else_=None)


def _service_minutes() -> Any:
    """A served leg's service from its start (the first call, when the officer never pressed
    "start" or the start was recorded at the finish) to its end, in minutes."""
    began = case(
        (
            or_(Ticket.started_at.is_(None), Ticket.started_at >= Ticket.finished_at),
            Ticket.first_called_at,
        ),
        else_=Ticket.started_at,
    )
    return _minutes(_epoch(Ticket.finished_at) - _epoch(began), Ticket.state == TicketState.DONE)


def ticket_legs_between(session: Session, office_id: int, first: date, last: date) -> list[Any]:
    """Every ticket leg (a transfer makes a new one) of the local days ``first`` to ``last``,
    with its times as the database computes them: a year's legs are 150,000, and their
    instants are read as numbers. Each row has ``id``, ``day`` (YYYY-MM-DD), ``service_id``,
    ``counter_id``, ``officer_id``, ``state`` (a TicketState value), ``priority``,
    ``previous_id``; ``quarter``, when it joined its queue (issued, or the end of the leg
    before), in whole quarter hours since 1970; ``wait``, from then to its first call, in minutes;
    ``service``, of a leg served, from the start of service (the first call, when the officer
    never pressed "start" or the start was recorded at the finish) to its end, in minutes.
    A missing time, or one that runs backwards, reads None. Seconds are rounded to the
    millisecond (SQLite's julianday is a day count in a float, 10 µs off at times)."""
    before = aliased(Ticket)
    joined = func.coalesce(before.finished_at, Ticket.issued_at)
    entry = _epoch(joined)
    query = (
        select(
            Ticket.id,
            cast(Ticket.day, String).label("day"),
            Ticket.service_id,
            Ticket.counter_id,
            Ticket.officer_id,
            type_coerce(Ticket.state, String).label("state"),
            Ticket.priority,
            Ticket.previous_id,
            plainrows.quarter_hours(joined).label("quarter"),
            _minutes(_epoch(Ticket.first_called_at) - entry).label("wait"),
            _service_minutes().label("service"),
        )
        .outerjoin(before, before.id == Ticket.previous_id)
        .where(Ticket.office_id == office_id, Ticket.day >= first, Ticket.day <= last)
        .order_by(Ticket.id)
    )
    return plainrows.tuples(session, query)


def officer_legs_between(
    session: Session, office_id: int, first: date, last: date
) -> list[tuple[int | None, bool, float | None]]:
    """(officer id, served, service minutes as ``ticket_legs_between`` gives them) of each
    ticket leg of the local days ``first`` to ``last``: what the officer sheet needs of the
    queue, without the join to the leg before that only the wait needs."""
    query = select(Ticket.officer_id, Ticket.state == TicketState.DONE, _service_minutes()).where(
        Ticket.office_id == office_id, Ticket.day >= first, Ticket.day <= last
    )
    return plainrows.tuples(session, query)


def estimates_of(
    session: Session, office_id: int, start: datetime, end: datetime
) -> dict[int, int]:
    """Ticket id → the wait in minutes its paper promised (recorded with the issue)."""
    estimate = TicketEvent.data["estimate"]
    query = select(TicketEvent.ticket_id, estimate.as_string()).where(
        TicketEvent.office_id == office_id,
        TicketEvent.kind == "issued",
        TicketEvent.at >= start,
        TicketEvent.at < end,
    )
    found = {}
    for ticket_id, value in plainrows.tuples(session, query):
        text = str(value)  # SQLite's JSON_EXTRACT gives the number, PostgreSQL's ->> text
        if text.isdigit():  # a whole number of minutes, as the ticket printed it (not None)
            found[ticket_id] = int(text)
    return found


def names(session: Session, office_id: int) -> dict[str, dict[int, str]]:
    """Display names of the office's services, counters and officers, by id."""
    services = select(Service.id, Service.code, Service.name).where(Service.office_id == office_id)
    counters = select(Counter.id, Counter.number, Counter.name).where(
        Counter.office_id == office_id
    )
    officers = select(Officer.id, Officer.username, Officer.full_name).where(
        Officer.office_id == office_id
    )
    return {
        "service": {i: f"{code} {name}".strip() for i, code, name in session.execute(services)},
        "counter": {i: name or f"Quầy {n}" for i, n, name in session.execute(counters)},
        "officer": {i: full or user for i, user, full in session.execute(officers)},
    }


# -- the citizens' voice ----------------------------------------------------------------------


@dataclass(slots=True)
class Unhappy:
    """An "unsatisfied" rating: what the 766 satisfaction and the complaints read of it."""

    dossier_id: int | None
    ticket_id: int | None
    officer_id: int | None
    score: str
    reasons: list[str] | None


def unhappy_between(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[Unhappy]:
    """The "unsatisfied" ratings of the visits served in [start, end)."""
    columns = (
        Rating.dossier_id,
        Rating.ticket_id,
        Rating.officer_id,
        type_coerce(Rating.score, String),
        Rating.reasons,
    )
    query = select(*map(raw, columns)).where(
        shared.served_between(Rating, office_id, start, end),
        Rating.score == RatingScore.UNSATISFIED,
    )
    return plainrows.read(session, Unhappy, query)


def surveys_between(
    session: Session, office_id: int, start: datetime, end: datetime
) -> list[tuple[int | None, int | None, str, dict[str, Any]]]:
    """(officer id, dossier id, form, answers) of the survey answers of visits served then."""
    query = select(
        SurveyResponse.officer_id,
        SurveyResponse.dossier_id,
        SurveyResponse.form,
        SurveyResponse.answers,
    ).where(shared.served_between(SurveyResponse, office_id, start, end))
    return [(o, d, f, dict(a or {})) for o, d, f, a in session.execute(query)]
