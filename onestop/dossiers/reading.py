"""Reading dossiers: finding one, judging its timeliness, what the public and the desk see, the
watch list of what falls due and the public progress board."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, queries
from onestop.clock import as_utc
from onestop.dossiers.desk import CLOCK_RUNNING, later, legal_rule
from onestop.errors import NotFound, found
from onestop.models import (
    DOSSIER_ACTIONS,
    OPEN_DOSSIER_STATES,
    SUPERVISING_ROLES,
    Dossier,
    DossierEvent,
    DossierState,
    Office,
    Role,
)
from onestop.refs import DossierTimesLike
from onestop.workcalendar import OfficeCalendar, Rule, timeliness

BOARD_ROWS = 200  # open dossiers the public board lists at most


def dossier_by_code(session: Session, office: Office, code: str, *, lock: bool = False) -> Dossier:
    """The office's dossier ``code`` (404 when unknown). ``lock``: two officers acting at once,
    the second waits and sees the first one's state."""
    missing = NotFound(f"no dossier {code!r}", code="unknown_dossier")
    return found(queries.dossier_by_code(session, office.id, code, lock=lock), missing)


def with_token(session: Session, code: str, token: str) -> Dossier:
    """The dossier ``code`` for someone holding its token (the receipt's QR), in whichever
    office it is; a wrong token gets the same 404 as an unknown code, so nobody learns which
    codes exist."""
    dossier = queries.dossier_by_token(session, token) if token else None
    if dossier is None or not hmac.compare_digest(code.encode(), dossier.code.encode()):
        raise NotFound(f"no dossier {code!r}", code="unknown_dossier")
    return dossier


def find_by_token(session: Session, token: str) -> Dossier:
    """The dossier with this public token, in whichever office it is (404 when none)."""
    missing = NotFound("no such dossier", code="unknown_dossier")
    return found(queries.dossier_by_token(session, token), missing)


def timeliness_of(
    calendar: OfficeCalendar,
    dossier: DossierTimesLike,
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
    if resolved is None and dossier.state not in OPEN_DOSSIER_STATES:
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
    dossier: DossierTimesLike, calendar: OfficeCalendar, paused: float = 0.0
) -> datetime | None:
    """When the office's own, shorter target falls (None without one), moved on like the legal
    appointment by the ``paused`` working hours spent waiting for supplements."""
    if dossier.rule.get("internal_time_value") is None:
        return None
    due = calendar.due_at(dossier.received_at, legal_rule(dossier.rule, internal=True))
    return later(calendar, due, paused)


def lawful_limit(
    dossier: Dossier, calendar: OfficeCalendar, paused: float = 0.0
) -> datetime | None:
    """The latest date the procedure's lawful extension allows, or None if it has none.

    "in_total" (kết hôn: "không quá 05 ngày làm việc") counts from receipt, moved on by the
    ``paused`` working hours of supplements as the appointment is; "added" ("thêm không quá
    03 ngày làm việc") counts on from the date the dossier is judged by."""
    raw = dossier.rule
    days = raw.get("extension_max_working_days")
    if not days:
        return None
    unit = raw.get("extension_unit") or "working_day"
    if raw.get("extension_counts") == "in_total":
        limit = calendar.due_at(as_utc(dossier.received_at), Rule(days, unit))
        return later(calendar, limit, paused)
    judged = dossier.due_at_original or dossier.due_at
    if judged is None:  # (every dossier received has its appointment)
        return None
    base = as_utc(judged)
    if unit == "working_day":
        return calendar.add_working_days(base, days)
    day = calendar.local(base).date() + timedelta(days=days)
    return calendar.end_of_day(
        day if calendar.is_working_day(day) else calendar.next_working_day(day)
    )


def events(session: Session, dossier: Dossier) -> list[DossierEvent]:
    """The dossier's steps, in order."""
    return queries.dossier_steps(session, dossier.id)


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
    session: Session,
    dossier: Dossier,
    calendar: OfficeCalendar,
    status_url: str,
    role: Role | None = None,
) -> dict[str, Any]:
    """The desk's view: the public one plus the applicant, the papers and the control slip;
    ``actions`` are those ``role`` may take now (the head of the unit's not offered to a plain
    officer, who would only be refused)."""
    deciding = role is None or role in SUPERVISING_ROLES
    tz = calendar.timezone
    steps = events(session, dossier)
    paused = paused_hours(steps)
    return {
        **public_view(session, dossier, calendar, status_url, steps),
        "token": dossier.token,
        "applicant": dossier.applicant,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "documents": dossier.documents,
        "rule": dossier.rule,
        "due_at_original": clock.iso(dossier.due_at_original, tz),
        "internal_due_at": clock.iso(internal_due(dossier, calendar, paused), tz),
        "extended_by_law": bool(dossier.extended_by_law),
        "supplement_count": dossier.supplement_count,
        # What the desk may offer now (the state machine decides; the screen only shows it).
        "lawful_limit": clock.iso(lawful_limit(dossier, calendar, paused), tz),
        "actions": [
            name
            for name, rule in DOSSIER_ACTIONS.items()
            if dossier.state in rule.allowed_from
            and (deciding or not rule.head_of_unit)
            and _still_open(dossier, name)
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


def _still_open(dossier: Dossier, action: str) -> bool:
    """Whether a once-only action is still to be had: one apology's new date; one lawful
    extension, where the law gives one and no apology came first (the state allowing)."""
    if action == "extend":
        return not dossier.extended_count
    if action == "extend_by_law":
        return not (dossier.extended_by_law or dossier.extended_count) and bool(
            dossier.rule.get("extension_max_working_days")
        )
    return True


def watch(
    session: Session, office: Office, calendar: OfficeCalendar, *, within_days: int = 2
) -> list[dict[str, Any]]:
    """Open dossiers due within ``within_days`` working days (or overdue), soonest first, each
    with ``why`` it is listed (see :func:`watch_reason`); ``alert`` marks those for which an
    apology and new date may really be needed now (DOMAIN.md §2.6)."""
    now = clock.now()
    today = calendar.local(now).date()
    flagged = []
    for dossier in queries.dossiers_due_soonest(session, office.id, CLOCK_RUNNING):
        assert dossier.due_at is not None
        due_day = calendar.local(dossier.due_at).date()
        left = calendar.working_days_between(today, due_day) if due_day >= today else -1
        if left > within_days:
            break
        overdue = as_utc(dossier.due_at) < now
        received_today = calendar.local(dossier.received_at).date() == today
        why = watch_reason(left, overdue, bool(dossier.extended_count), received_today)
        flagged.append(
            {
                "code": dossier.code,
                "procedure": dossier.procedure_code,
                "state": dossier.state.value,
                "due_at": clock.iso(dossier.due_at, calendar.timezone),
                "working_days_left": left,
                "overdue": overdue,
                "alert": why in APOLOGY_WARNINGS,
                "why": why,
            }
        )
    return flagged


#: The reasons of the watch list that call for the unit to act on an apology (DOMAIN §2.6:
#: warned at D-2 working days, the apology and new date sent by D-1).
APOLOGY_WARNINGS = frozenset({"apology_last_day", "apology_window"})


def watch_reason(left: int, overdue: bool, extended: bool, received_today: bool) -> str:
    """Why a dossier ``left`` working days from its appointment is on the watch list:

    - ``overdue``: past its appointment; ``due_today``: due today, too late for a new date;
    - ``extended``: its one new date was given already;
    - ``apology_last_day`` (D-1) / ``apology_window`` (D-2): if it will be late, the apology
      and new date must go out by the end of the day before the appointment;
    - ``due_soon``: listed, nothing to do yet: a dossier received today is not late for
      being new (a 1-day procedure is due the next day from the moment it is received).
    """
    if overdue or left < 0:
        return "overdue"
    if left == 0:
        return "due_today"
    if extended:
        return "extended"
    if received_today:
        return "due_soon"
    return "apology_last_day" if left == 1 else "apology_window"


def board(session: Session, office: Office, calendar: OfficeCalendar) -> dict[str, Any]:
    """The public progress board (công khai tiến độ): today's figures and the open dossiers by
    code and procedure code. Nothing personal: codes, procedures, states and dates only."""
    now = clock.now()
    today = calendar.local(now).date()
    start = calendar.days_between(today, today)[0]
    received = queries.dossiers_received_since(session, office.id, start)
    resolved = queries.dossiers_resolved_since(session, office.id, start)
    in_time = sum(
        timeliness_of(calendar, d, period_end=now) in ("early", "on_time") for d in resolved
    )
    open_ = queries.open_dossiers(session, office.id, OPEN_DOSSIER_STATES, limit=BOARD_ROWS)
    return {
        "date": today.isoformat(),
        "received": received,
        "resolved": len(resolved),
        "resolved_in_time": in_time,
        "in_time_percent": round(100 * in_time / len(resolved), 1) if resolved else None,
        "in_progress": [
            {
                "code": d.code,
                "procedure": d.procedure_code,
                "procedure_name": d.procedure_name,
                "state": d.state.value,
                "status_code": d.status_code,
                "due_at": clock.iso(d.due_at, calendar.timezone),
                "timeliness": timeliness_of(calendar, d, period_end=now),
            }
            for d in open_
        ],
    }
