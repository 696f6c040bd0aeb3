"""Dossiers (hồ sơ): receive one at the counter, move it through its life, and time it.

Every verb flushes and never commits, and appends a :class:`DossierEvent` (actor, unit, time,
note): the control slip is a view of them. The legal rules follow DOMAIN.md §1.4 and §2:
- the appointment is computed over the office calendar when the dossier is received, from the
  procedure's legal time as it stands then (kept on the dossier);
- a supplement request pauses the clock: when the papers come back, both due dates move on by
  the working time spent waiting, and a second request makes the dossier count as late;
- one extension at most, with an apology slip, and only at least one working day before the
  appointment; on time is still judged against the appointment before the extension;
- on time is judged at ``resolved`` (status 9), not at ``returned``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop import clock, queries
from onestop.auth import audit
from onestop.clock import as_utc
from onestop.errors import Conflict, Forbidden, InvalidInput, NotFound
from onestop.models import (
    DOSSIER_ACTIONS,
    SUPERVISING_ROLES,
    CalendarOverride,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierState,
    Office,
    Officer,
    Procedure,
    Ticket,
    TicketState,
)
from onestop.workcalendar import OfficeCalendar, Rule, timeliness

CHANNELS = ("direct", "online", "post")
DELIVERIES = ("counter", "post", "electronic")
# Applicant fields and their longest accepted length; only the name is required.
APPLICANT = {"name": 200, "id_number": 20, "address": 300, "phone": 20, "email": 200}
NEEDS_REASON = {"request_supplement", "refuse", "stop", "withdraw", "extend"}
# The head of the unit decides these (DOMAIN §2.6): not an ordinary officer.
HEAD_OF_UNIT = {"extend", "stop"}
MAX_DOCUMENTS = 60
# Open dossiers, and those whose clock is running (not waiting for the citizen's papers).
OPEN_STATES = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROGRESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.AWAITING_FEE,
    }
)
CLOCK_RUNNING = OPEN_STATES - {DossierState.SUPPLEMENT_REQUESTED}
TOKEN_BYTES = 18


# -- the calendar ---------------------------------------------------------------------------


def calendar_for(session: Session, office: Office, cfg: dict[str, Any]) -> OfficeCalendar:
    """The office's calendar: the configured hours, Vietnam's holidays, its own overrides."""
    rows = session.execute(
        select(CalendarOverride.day, CalendarOverride.working).where(
            CalendarOverride.office_id == office.id
        )
    )
    return OfficeCalendar.from_config(cfg, dict(rows.all()))


def _override(session: Session, office: Office, day: date) -> CalendarOverride | None:
    return session.scalar(
        select(CalendarOverride).where(
            CalendarOverride.office_id == office.id, CalendarOverride.day == day
        )
    )


def set_override(
    session: Session, office: Office, day: date, *, working: bool, note: str, actor: str
) -> CalendarOverride:
    """Make ``day`` a working day or a day off for this office (replacing an earlier override)."""
    row = _override(session, office, day)
    if row is None:
        row = CalendarOverride(office_id=office.id, day=day)
        session.add(row)
    row.working, row.note, row.created_at, row.created_by = working, note, clock.now(), actor
    session.flush()
    audit(session, office.id, actor, "calendar_override", f"day:{day}", working=working, note=note)
    return row


def remove_override(session: Session, office: Office, day: date, *, actor: str) -> None:
    row = _override(session, office, day)
    if row is None:
        raise NotFound(f"no calendar override on {day}", code="unknown_override")
    session.delete(row)
    audit(session, office.id, actor, "calendar_override_removed", f"day:{day}")


# -- receiving ------------------------------------------------------------------------------


def _text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"'{name}' is required", code="missing_field")
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be text", code="invalid_field")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"'{name}' is longer than {limit} characters", code="too_long")
    if required and not value:
        raise InvalidInput(f"'{name}' is required", code="missing_field")
    return value


def _applicant(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise InvalidInput(
            "'applicant' must be an object with at least a name", code="invalid_field"
        )
    unknown = set(raw) - set(APPLICANT)
    if unknown:
        raise InvalidInput(
            f"unknown applicant field(s): {', '.join(sorted(unknown))}", code="invalid_field"
        )
    return {
        key: _text(raw.get(key), f"applicant.{key}", limit, required=key == "name")
        for key, limit in APPLICANT.items()
    }


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"'{name}' must be one of {', '.join(choices)}", code="invalid_field")
    return str(value)


def rule_of(procedure: Procedure) -> dict[str, Any]:
    return {
        "value": procedure.time_value,
        "unit": procedure.time_unit,
        "same_day_cutoff": procedure.same_day_cutoff or "15:00",
        "extension_max_working_days": procedure.extension_max_working_days,
        "internal_time_value": procedure.internal_time_value,
        "on_the_spot": procedure.on_the_spot,
        "effective_from": procedure.effective_from.isoformat()
        if procedure.effective_from
        else None,
    }


def _rule(raw: dict[str, Any], *, internal: bool = False) -> Rule:
    """A stored rule's legal time, or (``internal``) the office's own shorter target."""
    value = raw.get("internal_time_value") if internal else raw["value"]
    return Rule(value, raw["unit"], raw.get("same_day_cutoff") or "15:00")


def _allocate_code(session: Session, office: Office, day: date) -> str:
    number = queries.next_in_sequence(
        session, DossierSequence, {"office_id": office.id, "day": day}
    )
    return f"{office.code}-{day:%y%m%d}-{number:04d}"


def _log(
    session: Session,
    dossier: Dossier,
    action: str,
    before: DossierState | None,
    officer: Officer | None,
    at: datetime,
    *,
    unit: str,
    note: str = "",
    **data: Any,
) -> None:
    session.add(
        DossierEvent(
            dossier_id=dossier.id,
            office_id=dossier.office_id,
            at=at,
            action=action,
            from_state=before.value if before else None,
            to_state=dossier.state.value,
            officer_id=officer.id if officer else None,
            unit=unit,
            note=note,
            data=data or None,
        )
    )


def receive_dossier(
    session: Session,
    office: Office,
    *,
    procedure_code: str,
    applicant: Any,
    channel: Any = "direct",
    delivery: Any = "counter",
    documents: Any = None,
    ticket_token: str | None = None,
    officer: Officer | None,
    calendar: OfficeCalendar,
    unit: str,
    note: str = "",
) -> Dossier:
    """Receive a complete dossier: give it a code and a public token, and its appointment."""
    procedure = session.scalar(
        select(Procedure).where(
            Procedure.office_id == office.id, Procedure.code == procedure_code, Procedure.is_active
        )
    )
    if procedure is None:
        raise NotFound(
            f"no procedure {procedure_code!r} in the catalogue", code="unknown_procedure"
        )
    if documents is None:
        documents = []
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise InvalidInput(
            "'documents' must be a list of the papers received", code="invalid_field"
        )
    if len(documents) > MAX_DOCUMENTS or any(len(d) > 300 for d in documents):
        raise InvalidInput(
            f"at most {MAX_DOCUMENTS} papers of 300 characters each", code="too_long"
        )
    ticket = None
    if ticket_token:
        ticket = session.scalar(
            select(Ticket).where(Ticket.office_id == office.id, Ticket.token == ticket_token)
        )
        if ticket is None:
            raise NotFound("no such ticket", code="unknown_ticket")
        _check_ticket(session, office, ticket)
    at = clock.now()
    rule = rule_of(procedure)
    due = _utc(calendar.due_at(at, _rule(rule)))
    dossier = Dossier(
        office_id=office.id,
        code=_allocate_code(session, office, clock.local_day(at, office.timezone)),
        token=secrets.token_urlsafe(TOKEN_BYTES),
        procedure_id=procedure.id,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        rule=rule,
        ticket_id=ticket.id if ticket else None,
        applicant=_applicant(applicant),
        channel=_choice(channel, "channel", CHANNELS),
        delivery=_choice(delivery, "delivery", DELIVERIES),
        documents=[d.strip() for d in documents if d.strip()],
        state=DossierState.RECEIVED,
        received_at=at,
        due_at=due,
        due_at_original=due,
        extended_count=0,
        supplement_count=0,
        received_by=officer.id if officer else None,
    )
    session.add(dossier)
    session.flush()
    _log(session, dossier, "receive", None, officer, at, unit=unit, note=note)
    return dossier


# -- acting ---------------------------------------------------------------------------------


def _check_ticket(session: Session, office: Office, ticket: Ticket) -> None:
    """A dossier comes from the visit being served (or one finished earlier today), never from
    a guidance-only visit: that would break the visit's statistics."""
    today = clock.local_day(clock.now(), office.timezone)
    served_today = ticket.state == TicketState.DONE and ticket.day == today
    if ticket.state not in (TicketState.CALLED, TicketState.SERVING) and not served_today:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.state.value}: open a dossier from the ticket "
            "being served",
            code="invalid_ticket_state",
        )
    if served_today and queries.was_guidance_only(session, ticket):
        raise Conflict(
            f"ticket {ticket.number} was finished as a guidance-only visit",
            code="guidance_only_visit",
        )


def dossier_by_code(session: Session, office: Office, code: str, *, lock: bool = False) -> Dossier:
    query = select(Dossier).where(Dossier.office_id == office.id, Dossier.code == code)
    if lock:  # two officers acting at once: the second waits and sees the first one's state
        query = query.with_for_update()
    dossier = session.scalar(query)
    if dossier is None:
        raise NotFound(f"no dossier {code!r}", code="unknown_dossier")
    return dossier


def with_token(session: Session, office: Office, code: str, token: str) -> Dossier:
    """The dossier ``code`` for someone holding its token (the receipt's QR); a wrong token
    gets the same 404 as an unknown code, so nobody learns which codes exist."""
    dossier = dossier_by_code(session, office, code)
    if not token or not hmac.compare_digest(token.encode(), dossier.token.encode()):
        raise NotFound(f"no dossier {code!r}", code="unknown_dossier")
    return dossier


def find_by_token(session: Session, office: Office, token: str) -> Dossier:
    dossier = queries.dossier_by_token(session, token)
    if dossier is None or dossier.office_id != office.id:
        raise NotFound("no such dossier", code="unknown_dossier")
    return dossier


@dataclass(frozen=True)
class ActionInput:
    """What an officer may send with an action (each action reads what it needs)."""

    note: str = ""
    delivery: str | None = None  # return: how the result went out
    tracking: str = ""  # return by post: the postal tracking note
    new_due_at: datetime | None = None  # extend


def act(
    session: Session,
    office: Office,
    code: str,
    action: str,
    given: ActionInput,
    *,
    officer: Officer | None,
    calendar: OfficeCalendar,
    unit: str,
) -> Dossier:
    """Apply ``action`` to a dossier (409 if its state does not allow it). Extending and
    stopping are the head of the unit's decisions: a supervisor or admin (or the system)."""
    if action in HEAD_OF_UNIT and officer is not None and officer.role not in SUPERVISING_ROLES:
        raise Forbidden(
            f"'{action}' is decided by the head of the unit: a supervisor or admin account",
            code="wrong_role",
        )
    dossier = dossier_by_code(session, office, code, lock=True)
    dossier.check(action)  # a wrong state is a 409 before any other complaint
    note = _text(given.note, "note", 2000, required=action in NEEDS_REASON)
    at = clock.now()
    data: dict[str, Any] = {}
    if action == "extend":
        data = _check_extension(dossier, given.new_due_at, calendar, at)
    if action == "return":
        data = _check_return(dossier, given)
    before = dossier.transition(action)
    if action == "request_supplement":
        dossier.supplement_count += 1
        dossier.paused_at = at
        data["supplement_round"] = dossier.supplement_count
    elif action == "supplement_received":
        waited = calendar.working_hours_between(dossier.paused_at or at, at)
        dossier.due_at = _later(calendar, dossier.due_at, waited)
        dossier.due_at_original = _later(calendar, dossier.due_at_original, waited)
        dossier.paused_at = None
        data["paused_working_hours"] = round(waited, 2)
    elif action == "resolve":
        dossier.resolved_at = at
    elif action == "return":
        dossier.returned_at = at
        dossier.delivery = data["delivery"]
    elif action in ("refuse", "stop", "withdraw"):
        dossier.closed_at = at
        dossier.paused_at = None
    elif action == "extend":
        dossier.due_at = _utc(given.new_due_at)
        dossier.extended_count += 1
    _log(session, dossier, action, before, officer, at, unit=unit, note=note, **data)
    return dossier


def _utc(moment: datetime | None) -> datetime | None:
    """Stored times are UTC (SQLite keeps no zone, and hands back what it was given)."""
    return None if moment is None else as_utc(moment)


def _later(calendar: OfficeCalendar, due: datetime | None, hours: float) -> datetime | None:
    if due is None or hours <= 0:
        return due
    return _utc(calendar.add_working_hours(due, hours))


def _check_extension(
    dossier: Dossier, new_due_at: datetime | None, calendar: OfficeCalendar, at: datetime
) -> dict[str, Any]:
    if dossier.extended_count:
        raise Conflict(
            f"dossier {dossier.code} was already given a new date once", code="already_extended"
        )
    if dossier.due_at is None or new_due_at is None:
        raise InvalidInput("'new_due_at' (ISO 8601 with offset) is required", code="missing_field")
    if new_due_at <= as_utc(dossier.due_at):
        raise InvalidInput(
            "the new date must be after the current appointment", code="invalid_field"
        )
    if not calendar.is_working_moment(new_due_at) and new_due_at != calendar.end_of_day(
        calendar.local(new_due_at).date()
    ):
        raise InvalidInput(
            "the new appointment must fall in the office's working hours", code="invalid_field"
        )
    today, due_day = calendar.local(at).date(), calendar.local(dossier.due_at).date()
    # By the last working day before the appointment (D-1), on a working day.
    if not calendar.is_working_day(today) or today >= due_day:
        raise Conflict(
            "the apology and new date must be issued at least one working day before the "
            f"appointment ({due_day:%d/%m/%Y})",
            code="too_late_to_extend",
        )
    limit = dossier.rule.get("extension_max_working_days")
    if limit == 0:
        raise Conflict("this procedure allows no extension", code="no_extension_allowed")
    if limit is not None and new_due_at > calendar.add_working_days(dossier.due_at, limit):
        raise InvalidInput(
            f"this procedure allows an extension of at most {limit} working days",
            code="extension_too_long",
        )
    return {
        "previous_due_at": clock.iso(dossier.due_at, calendar.timezone),
        "new_due_at": clock.iso(new_due_at, calendar.timezone),
    }


def _check_return(dossier: Dossier, given: ActionInput) -> dict[str, Any]:
    delivery = _choice(given.delivery or dossier.delivery, "delivery", DELIVERIES)
    tracking = _text(given.tracking, "tracking", 200, required=delivery == "post")
    return {"delivery": delivery, "tracking": tracking} if tracking else {"delivery": delivery}


# -- reading --------------------------------------------------------------------------------


def timeliness_of(
    calendar: OfficeCalendar,
    dossier: Dossier,
    *,
    period_end: datetime,
    against: datetime | None = None,
) -> str:
    """early / on_time / late once resolved; within / overdue while open (DOMAIN §2.4–§2.5),
    against the legal appointment or the date ``against`` (the office's internal target).

    A second supplement request counts against the office: late, or overdue while open.
    A dossier waiting for the citizen is judged at the moment of the request.
    """
    resolved = dossier.resolved_at
    if resolved is None and dossier.state not in OPEN_STATES:
        return "closed"  # refused, stopped or withdrawn: not judged
    if dossier.supplement_count > 1:
        return "late" if resolved is not None else "overdue"
    if resolved is None and dossier.state == DossierState.SUPPLEMENT_REQUESTED:
        period_end = as_utc(dossier.paused_at or period_end)
    due = against or dossier.due_at_original
    return timeliness(calendar, due, resolved, period_end=period_end)


def paused_hours(steps: Iterable[DossierEvent]) -> float:
    """The working hours a dossier waited for the citizen's supplements (its clock stopped)."""
    return sum(
        float((e.data or {}).get("paused_working_hours") or 0.0)
        for e in steps
        if e.action == "supplement_received"
    )


def internal_due(
    dossier: Dossier, calendar: OfficeCalendar, paused: float = 0.0
) -> datetime | None:
    """When the office's own, shorter target falls (None without one), moved on like the legal
    appointment by the ``paused`` working hours spent waiting for supplements."""
    if dossier.rule.get("internal_time_value") is None:
        return None
    due = calendar.due_at(dossier.received_at, _rule(dossier.rule, internal=True))
    return _later(calendar, due, paused)


def events(session: Session, dossier: Dossier) -> list[DossierEvent]:
    return list(
        session.scalars(
            select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier.id)
            .order_by(DossierEvent.at, DossierEvent.id)
        )
    )


def public_view(
    session: Session,
    dossier: Dossier,
    calendar: OfficeCalendar,
    status_url: str,
    steps: list[DossierEvent] | None = None,
) -> dict[str, Any]:
    """What anyone holding the token may see: no name, no number, no address, no notes."""
    tz = calendar.timezone
    steps = events(session, dossier) if steps is None else steps
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure_code, "name": dossier.procedure_name},
        "state": dossier.state.value,
        "status_code": dossier.status_code,
        "received_at": clock.iso(dossier.received_at, tz),
        "due_at": clock.iso(dossier.due_at, tz),
        "extended": bool(dossier.extended_count),
        "resolved_at": clock.iso(dossier.resolved_at, tz),
        "returned_at": clock.iso(dossier.returned_at, tz),
        "timeliness": timeliness_of(calendar, dossier, period_end=clock.now()),
        "steps": [
            {
                "action": e.action,
                "state": e.to_state,
                "status_code": e.status_code,
                "at": clock.iso(e.at, tz),
            }
            for e in steps
        ],
        "status_url": status_url,
    }


def staff_view(
    session: Session, dossier: Dossier, calendar: OfficeCalendar, status_url: str
) -> dict[str, Any]:
    """The desk's view: the public one plus the applicant, the papers and the control slip."""
    tz = calendar.timezone
    steps = events(session, dossier)
    return {
        **public_view(session, dossier, calendar, status_url, steps),
        "token": dossier.token,
        "applicant": dossier.applicant,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "documents": dossier.documents,
        "rule": dossier.rule,
        "due_at_original": clock.iso(dossier.due_at_original, tz),
        "internal_due_at": clock.iso(internal_due(dossier, calendar, paused_hours(steps)), tz),
        "supplement_count": dossier.supplement_count,
        # What the desk may offer now (the state machine decides; the screen only shows it).
        "actions": [
            name for name, (allowed, _to) in DOSSIER_ACTIONS.items() if dossier.state in allowed
        ],
        "control": [
            {
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "status_code": e.status_code,
                "at": clock.iso(e.at, tz),
                "officer_id": e.officer_id,
                "unit": e.unit,
                "note": e.note,
                "data": e.data,
            }
            for e in steps
        ],
    }


def watch(
    session: Session, office: Office, calendar: OfficeCalendar, *, within_days: int = 2
) -> list[dict[str, Any]]:
    """Open dossiers due within ``within_days`` working days (or overdue), soonest first.

    ``alert`` marks those due by the next working day with no new date given: the apology slip
    must exist one working day before the appointment (DOMAIN.md §2.6).
    """
    now = clock.now()
    today = calendar.local(now).date()
    rows = session.scalars(
        select(Dossier)
        .where(
            Dossier.office_id == office.id,
            Dossier.state.in_(list(CLOCK_RUNNING)),
            Dossier.due_at.is_not(None),
        )
        .order_by(Dossier.due_at)
    )
    flagged = []
    for dossier in rows:
        assert dossier.due_at is not None
        due_day = calendar.local(dossier.due_at).date()
        left = calendar.working_days_between(today, due_day) if due_day >= today else -1
        if left > within_days:
            break
        flagged.append(
            {
                "code": dossier.code,
                "procedure": dossier.procedure_code,
                "state": dossier.state.value,
                "due_at": clock.iso(dossier.due_at, calendar.timezone),
                "working_days_left": left,
                "overdue": as_utc(dossier.due_at) < now,
                "alert": left <= 1 and not dossier.extended_count,
            }
        )
    return flagged


def board(session: Session, office: Office, calendar: OfficeCalendar) -> dict[str, Any]:
    """The public progress board (công khai tiến độ): today's figures and the open dossiers by
    code and procedure code. Nothing personal: codes, procedures, states and dates only."""
    now = clock.now()
    today = calendar.local(now).date()
    start = calendar.days_between(today, today)[0]
    received = session.scalar(
        select(func.count(Dossier.id)).where(
            Dossier.office_id == office.id, Dossier.received_at >= start
        )
    )
    resolved = session.scalars(
        select(Dossier).where(Dossier.office_id == office.id, Dossier.resolved_at >= start)
    ).all()
    in_time = sum(
        timeliness_of(calendar, d, period_end=now) in ("early", "on_time") for d in resolved
    )
    open_ = session.scalars(
        select(Dossier)
        .where(Dossier.office_id == office.id, Dossier.state.in_(list(OPEN_STATES)))
        .order_by(Dossier.due_at)
        .limit(200)
    ).all()
    return {
        "date": today.isoformat(),
        "received": int(received or 0),
        "resolved": len(resolved),
        "resolved_in_time": in_time,
        "in_time_percent": round(100 * in_time / len(resolved), 1) if resolved else None,
        "in_progress": [
            {
                "code": d.code,
                "procedure": d.procedure_code,
                "state": d.state.value,
                "status_code": d.status_code,
                "due_at": clock.iso(d.due_at, calendar.timezone),
                "timeliness": timeliness_of(calendar, d, period_end=now),
            }
            for d in open_
        ],
    }


def _slip_base(dossier: Dossier, office: Office, status_url: str) -> dict[str, Any]:
    applicant, tz = dossier.applicant, office.timezone
    return {
        "office_name": office.name,
        "place": office.name,
        "date": clock.iso(clock.now(), tz),
        "dossier_code": dossier.code,
        "applicant_name": applicant["name"],
        "applicant_id": applicant.get("id_number") or None,
        "address": applicant.get("address") or "—",
        "phone": applicant.get("phone") or "—",
        "email": applicant.get("email") or None,
        "procedure_name": dossier.procedure_name,
        "received_at": clock.iso(dossier.received_at, tz),
        "status_url": status_url,
    }


def _name(officer: Officer | None) -> str:
    return officer.display_name if officer else "—"


def receipt_data(
    dossier: Dossier, office: Office, officer: Officer | None, status_url: str, legal_time: str
) -> dict[str, Any]:
    """The receipt and appointment slip's data (printer.slips.receipt documents the keys)."""
    due = dossier.due_at or dossier.received_at + timedelta(minutes=1)  # no stated legal time
    return {
        **_slip_base(dossier, office, status_url),
        "number": dossier.code,
        "date": clock.iso(dossier.received_at, office.timezone),
        "documents": dossier.documents or ["—"],
        "legal_time_text": legal_time or "—",
        "due_at": clock.iso(due, office.timezone),
        "return_place": office.name,
        "delivery": dossier.delivery,
        "officer_name": _name(officer),
    }


def supplement_data(
    dossier: Dossier, office: Office, officer: Officer | None, status_url: str, reason: str
) -> dict[str, Any]:
    """The supplement request slip: every missing item at once, one per line of ``reason``."""
    items = [line.strip(" -•\t") for line in reason.splitlines() if line.strip(" -•\t")]
    return {
        **_slip_base(dossier, office, status_url),
        "number": f"{dossier.code}/PBS",
        "items": items or [reason],
        "reason": reason.splitlines()[0] if reason else "—",
        "contact_name": _name(officer),
        "contact_phone": "—",
        "officer_name": _name(officer),
    }


def apology_data(
    dossier: Dossier, office: Office, status_url: str, reason: str, signer: str
) -> dict[str, Any]:
    """The apology and new date slip (after ``extend``: ``due_at`` is the new date)."""
    tz = office.timezone
    return {
        **_slip_base(dossier, office, status_url),
        "number": f"{dossier.code}/PXL",
        "due_at": clock.iso(dossier.due_at_original, tz),
        "new_due_at": clock.iso(dossier.due_at, tz),
        "reason": reason,
        "signer_name": signer or "Thủ trưởng cơ quan",
    }
