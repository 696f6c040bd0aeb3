"""What every dossier verb shares: the desk it works at, the rule it keeps on the dossier, the
checks of what an officer typed, and the step it writes into the control slip."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop.clock import as_utc
from onestop.errors import InvalidInput
from onestop.models import (
    DOSSIER_ACTIONS,
    OPEN_DOSSIER_STATES,
    Dossier,
    DossierEvent,
    DossierState,
    Office,
    PrintJob,
    Procedure,
)
from onestop.queue import QueueRules
from onestop.refs import OfficerLike
from onestop.workcalendar import SAME_DAY_CUTOFF, OfficeCalendar, Rule

CHANNELS = ("direct", "online", "post")
DELIVERIES = ("counter", "post", "electronic")
# Open dossiers whose clock is running (not waiting for the citizen's papers).
CLOCK_RUNNING = OPEN_DOSSIER_STATES - {DossierState.SUPPLEMENT_REQUESTED}


@dataclass(frozen=True)
class Desk:
    """Where, by whom and with what a dossier is handled: the context of every dossier verb.

    ``unit`` names who did a step on the control slip (the office's name unless a specialist
    unit acts). ``links`` and ``printers`` are needed only to print a slip: the public address
    and the citizen's key of its QR code, the printers a slip may be sent to, and what the
    office's papers say of it (``letterhead``: the ``[office]`` keys of ``config.LETTERHEAD``).
    """

    office: Office
    calendar: OfficeCalendar
    officer: OfficerLike | None = None
    unit: str = ""
    links: QueueRules | None = None
    printers: Mapping[str, Any] = field(default_factory=dict)
    letterhead: Mapping[str, str] = field(default_factory=dict)
    actor: str = "system"

    @property
    def unit_name(self) -> str:
        return self.unit or self.office.name


@dataclass(frozen=True)
class Handled:
    """A dossier after a verb, the slip it queued (None when no printer was named), and what
    the officer should be told of the step (a code, ``warn_<code>`` on the desk)."""

    dossier: Dossier
    print_job: PrintJob | None = None
    warning: str | None = None


def action_rules() -> dict[str, dict[str, Any]]:
    """The table of dossier actions as a page reads it (the desk's JSON data block)."""
    return {name: action.as_rule() for name, action in DOSSIER_ACTIONS.items()}


def text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    """An officer's free text, trimmed; a clear 400 when missing, not text or too long."""
    if value is None or value == "":
        if required:
            raise InvalidInput(f"'{name}' is required", code="missing_field")
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be text", code="invalid_field")
    trimmed = value.strip()
    if len(trimmed) > limit:
        raise InvalidInput(f"'{name}' is longer than {limit} characters", code="too_long")
    if required and not trimmed:
        raise InvalidInput(f"'{name}' is required", code="missing_field")
    return trimmed


def choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"'{name}' must be one of {', '.join(choices)}", code="invalid_field")
    return str(value)


def rule_of(procedure: Procedure) -> dict[str, Any]:
    """The procedure's rule as it stands now, to keep on a dossier received now."""
    return {
        "value": procedure.time_value,
        "unit": procedure.time_unit,
        "same_day_cutoff": procedure.same_day_cutoff or SAME_DAY_CUTOFF,
        "extension_max_working_days": procedure.extension_max_working_days,
        "extension_counts": procedure.extension_counts,
        "extension_unit": procedure.extension_unit,
        "internal_time_value": procedure.internal_time_value,
        "on_the_spot": procedure.on_the_spot,
        "effective_from": procedure.effective_from.isoformat()
        if procedure.effective_from
        else None,
    }


def legal_rule(raw: Mapping[str, Any], *, internal: bool = False) -> Rule:
    """A stored rule's legal time, or (``internal``) the office's own shorter target."""
    value = raw.get("internal_time_value") if internal else raw["value"]
    return Rule(value, raw["unit"], raw.get("same_day_cutoff") or SAME_DAY_CUTOFF)


def utc(moment: datetime | None) -> datetime | None:
    """Stored times are UTC (SQLite keeps no zone, and hands back what it was given)."""
    return None if moment is None else as_utc(moment)


def later(calendar: OfficeCalendar, due: datetime | None, hours: float) -> datetime | None:
    """``due`` moved on by ``hours`` of working time (a supplement's pause), in whole minutes
    as an appointment is given: seconds never move it. (A few seconds' pause moved an
    appointment at closing time, "17:00 02/12", to the next morning's opening, "07:00 03/12",
    on every screen, while the receipt said 17:00.)"""
    minutes = math.floor(hours * 60 + 1e-9)
    if due is None or minutes <= 0:
        return due
    return utc(calendar.add_working_hours(due, minutes / 60))


def log_step(
    session: Session,
    desk: Desk,
    dossier: Dossier,
    action: str,
    before: DossierState | None,
    at: datetime,
    *,
    note: str = "",
    **data: Any,
) -> None:
    """Append the step to the dossier's history (the control slip is a view of these)."""
    session.add(
        DossierEvent(
            dossier_id=dossier.id,
            office_id=dossier.office_id,
            at=at,
            action=action,
            from_state=before.value if before else None,
            to_state=dossier.state.value,
            officer_id=desk.officer.id if desk.officer else None,
            unit=desk.unit_name,
            note=note,
            data=data or None,
        )
    )
