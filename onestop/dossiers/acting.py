"""Acting on a dossier: one verb for every action of ``DOSSIER_ACTIONS``, its checks, its step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock
from onestop.clock import as_utc
from onestop.dossiers import slips
from onestop.dossiers.desk import DELIVERIES, Desk, Handled, choice, later, log_step, text, utc
from onestop.dossiers.reading import dossier_by_code, events, lawful_limit, paused_hours
from onestop.errors import Conflict, Forbidden, InvalidInput
from onestop.models import DOSSIER_ACTIONS, SUPERVISING_ROLES, Dossier
from onestop.workcalendar import OfficeCalendar

MAX_NOTE = 2000


@dataclass(frozen=True)
class ActionInput:
    """What an officer may send with an action (each action reads what it needs)."""

    note: str = ""
    reason: str = ""  # request_supplement: why (the note lists what); others: the note's alias
    delivery: str | None = None  # return: how the result went out
    tracking: str = ""  # return by post: the postal tracking note
    new_due_at: datetime | None = None  # extend, extend_by_law
    signer: str = ""  # extend: who signs the apology (the head of the unit)


def act(
    session: Session,
    desk: Desk,
    code: str,
    action: str,
    given: ActionInput,
    *,
    printer: str | None = None,
) -> Handled:
    """Apply ``action`` to a dossier (409 if its state does not allow it); with a ``printer``,
    queue the slip the action calls for there. The head of the unit's decisions (extending,
    stopping) need a supervisor or admin, or the system itself."""
    rule = DOSSIER_ACTIONS.get(action)
    officer = desk.officer
    if rule and rule.head_of_unit and officer and officer.role not in SUPERVISING_ROLES:
        raise Forbidden(
            f"'{action}' is decided by the head of the unit: a supervisor or admin account",
            code="wrong_role",
        )
    dossier = dossier_by_code(session, desk.office, code, lock=True)
    dossier.check(action)  # an unknown action is a 400, a wrong state a 409, before the rest
    assert rule is not None
    own_reason = "reason" in rule.asks
    note = text(
        given.note if own_reason else given.note or given.reason,
        "note",
        MAX_NOTE,
        required=rule.needs_reason,
    )
    at = clock.now()
    calendar = desk.calendar
    data: dict[str, Any] = {}
    if own_reason:
        data["reason"] = text(given.reason, "reason", MAX_NOTE, required=True)
    if action == "extend":
        data = _check_extension(dossier, given.new_due_at, calendar, at)
    if action == "extend_by_law":
        data = _check_lawful_extension(session, dossier, given.new_due_at, calendar, at)
    if action == "return":
        data = _check_return(dossier, given)
    before = dossier.transition(action)
    warning = None
    if action == "request_supplement":
        if not dossier.supplement_count:
            warning = _late_first_request(dossier, calendar, at)
            if warning:
                data["late_request"] = warning  # recorded on the step, for the reports
        dossier.supplement_count += 1
        dossier.paused_at = at
        data["supplement_round"] = dossier.supplement_count
    elif action == "supplement_received":
        waited = calendar.working_hours_between(dossier.paused_at or at, at)
        dossier.due_at = later(calendar, dossier.due_at, waited)
        asked, judged = dossier.paused_at, dossier.due_at_original
        if not (asked and judged and as_utc(asked) > as_utc(judged)):
            # (asked after the date it is judged by, the pause never makes it on time)
            dossier.due_at_original = later(calendar, judged, waited)
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
        dossier.due_at = utc(given.new_due_at)
        dossier.extended_count += 1
    elif action == "extend_by_law":
        # Not a delay: the dossier is judged by the new date (DOMAIN §2.4 step 6).
        dossier.due_at = dossier.due_at_original = utc(given.new_due_at)
        dossier.extended_by_law += 1
    log_step(session, desk, dossier, action, before, at, note=note, **data)
    job = None
    if printer and rule.slip:
        signer = given.signer.strip()[:200]
        job = slips.queue_slip(
            session,
            desk,
            dossier,
            rule.slip,
            printer,
            note=note,
            reason=data.get("reason", note),
            signer=signer,
            extension_note=note if action == "extend_by_law" else "",
        )
    return Handled(dossier, job, warning)


#: Working days after receipt within which a first supplement request is expected (DOMAIN §2.5).
SUPPLEMENT_REQUEST_DAYS = 3


def _late_first_request(dossier: Dossier, calendar: OfficeCalendar, at: datetime) -> str | None:
    """Why a first supplement request comes late, if it does: after the appointment, or more
    than three working days after receipt. It is allowed, but flagged: a request must not
    launder an overdue dossier (the citizen's time would stop its clock)."""
    if dossier.due_at is not None and at > as_utc(dossier.due_at):
        return "after_appointment"
    worked = calendar.working_hours_between(dossier.received_at, at)
    if worked > SUPPLEMENT_REQUEST_DAYS * calendar.hours_per_day:
        return "after_3_working_days"
    return None


def _check_extension(
    dossier: Dossier, new_due_at: datetime | None, calendar: OfficeCalendar, at: datetime
) -> dict[str, Any]:
    if dossier.extended_count:
        raise Conflict(
            f"dossier {dossier.code} was already given a new date once", code="already_extended"
        )
    new_due_at = _new_date(dossier, new_due_at, calendar)
    assert dossier.due_at is not None  # (_new_date checked it)
    today, due_day = calendar.local(at).date(), calendar.local(dossier.due_at).date()
    # By the last working day before the appointment (D-1), on a working day.
    if not calendar.is_working_day(today) or today >= due_day:
        raise Conflict(
            "the apology and new date must be issued at least one working day before the "
            f"appointment ({due_day:%d/%m/%Y})",
            code="too_late_to_extend",
        )
    return _moved(dossier, new_due_at, calendar)


def _new_date(dossier: Dossier, new_due_at: datetime | None, calendar: OfficeCalendar) -> datetime:
    """The checks every new date passes: given, after the current one, in working hours."""
    if dossier.due_at is None or new_due_at is None:
        raise InvalidInput("'new_due_at' (ISO 8601 with offset) is required", code="missing_field")
    if new_due_at <= as_utc(dossier.due_at):
        raise InvalidInput(
            "the new date must be after the current appointment", code="invalid_field"
        )
    if not calendar.is_appointment_time(new_due_at):
        raise InvalidInput(
            "the new appointment must fall in the office's working hours", code="invalid_field"
        )
    return new_due_at


def _moved(dossier: Dossier, new_due_at: datetime, calendar: OfficeCalendar) -> dict[str, Any]:
    return {
        "previous_due_at": clock.iso(dossier.due_at, calendar.timezone),
        "new_due_at": clock.iso(new_due_at, calendar.timezone),
    }


def _check_lawful_extension(
    session: Session,
    dossier: Dossier,
    new_due_at: datetime | None,
    calendar: OfficeCalendar,
    at: datetime,
) -> dict[str, Any]:
    """A sector law's extension (verification, many documents): once, by any officer, from
    receipt until the current appointment, within the procedure's lawful bound."""
    if dossier.extended_by_law:
        raise Conflict(
            f"dossier {dossier.code} already had its lawful extension", code="already_extended"
        )
    if dossier.extended_count:
        # An apology says the dossier is late; a lawful extension after it would hide that.
        raise Conflict(
            f"dossier {dossier.code} was given an apology's new date: it is late, and no "
            "lawful extension can follow",
            code="apology_given",
        )
    limit = lawful_limit(dossier, calendar, paused_hours(events(session, dossier)))
    if limit is None:
        raise Conflict("the law allows this procedure no extension", code="no_extension_allowed")
    if dossier.due_at is not None and at > as_utc(dossier.due_at):
        raise Conflict(
            "a lawful extension is set by the appointment at the latest; it has passed",
            code="too_late_to_extend",
        )
    new_due_at = _new_date(dossier, new_due_at, calendar)
    if new_due_at > limit:
        raise InvalidInput(
            "the new date is later than the law allows for this procedure "
            f"({clock.iso(limit, calendar.timezone)})",
            code="extension_too_long",
        )
    return {
        **_moved(dossier, new_due_at, calendar),
        "lawful_limit": clock.iso(limit, calendar.timezone),
    }


def _check_return(dossier: Dossier, given: ActionInput) -> dict[str, Any]:
    delivery = choice(given.delivery or dossier.delivery, "delivery", DELIVERIES)
    tracking = text(given.tracking, "tracking", 200, required=delivery == "post")
    return {"delivery": delivery, "tracking": tracking} if tracking else {"delivery": delivery}
