"""The core's side of printing: queueing jobs (tickets, slips, reprints) and printer health.

The ``printer`` package renders and sends; this module owns the rows it works from, so the
kiosk, the counter, the back office and the dossier desk can queue and read without importing
the printer package. Queueing only writes rows; the worker (or a print agent) picks them up once
the caller has committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, queries, realtime
from onestop.auth import audit
from onestop.errors import Conflict, InvalidInput, NotFound, found
from onestop.events import defer, notify, print_job_queued
from onestop.models import Office, PrinterState, PrintJob, PrintKind, PrintStatus
from onestop.refs import DeviceRef

# The slips the counter prints for a dossier (printer.slips renders each of them).
SLIPS = ("receipt", "supplement_request", "apology", "refusal", "stop_notice", "control")
# Health states in which a printer cannot print; the kiosk warns and the counters are told.
STOPPED = frozenset({"paper_out", "cover_open", "offline"})
HEALTH_STATES = frozenset({"online", "paper_low", "unknown"}) | STOPPED


def queue_job(
    session: Session,
    office_id: int,
    printer: str,
    kind: PrintKind,
    payload: dict[str, Any],
    *,
    ticket_id: int | None = None,
) -> PrintJob:
    """A job row for the worker; sent after the caller commits."""
    at = clock.now()
    job = PrintJob(
        office_id=office_id,
        kind=kind,
        ticket_id=ticket_id,
        printer=printer,
        status=PrintStatus.QUEUED,
        attempts=0,
        payload=payload,
        created_at=at,
        updated_at=at,
    )
    session.add(job)
    session.flush()
    defer(session, print_job_queued, job_id=job.id, printer=printer)
    return job


def _known_printer(printers: Mapping[str, Any], name: str) -> None:
    if name not in printers:
        raise InvalidInput(
            f"there is no printer {name!r}; known: {', '.join(sorted(printers)) or 'none'}",
            code="unknown_printer",
        )


def queue_slip(
    session: Session,
    office: Office,
    printer: str,
    slip: str,
    data: dict[str, Any],
    *,
    printers: Mapping[str, Any],
    actor: str,
) -> PrintJob:
    """Queue a dossier slip (``receipt``, ``supplement_request`` or ``apology``) on ``printer``."""
    if slip not in SLIPS:
        raise InvalidInput(f"unknown slip {slip!r}; one of {', '.join(SLIPS)}", code="unknown_slip")
    _known_printer(printers, printer)
    job = queue_job(session, office.id, printer, PrintKind.SLIP, {**data, "slip": slip})
    audit(session, office.id, actor, "slip_queued", f"print_job:{job.id}", slip=slip)
    return job


def reprint_ticket(
    session: Session,
    office: Office,
    token: str,
    *,
    printer: str | None,
    printers: Mapping[str, Any],
    actor: str,
) -> PrintJob:
    """Print a ticket again, marked as a reprint, on ``printer`` or where it first printed."""
    ticket = found(
        queries.ticket_by_token(session, token, office_id=office.id),
        NotFound("no such ticket", code="unknown_ticket"),
    )
    first = found(
        queries.first_print_of_ticket(session, ticket.id),
        Conflict(
            f"ticket {ticket.number} was never printed (issued at a counter)", code="never_printed"
        ),
    )
    target = printer or first.printer
    _known_printer(printers, target)
    payload = {**first.payload, "reprint_at": clock.iso(clock.now(), office.timezone)}
    job = queue_job(session, office.id, target, PrintKind.TICKET, payload, ticket_id=ticket.id)
    audit(
        session,
        office.id,
        actor,
        "ticket_reprinted",
        f"ticket:{ticket.number}",
        printer=target,
        job=job.id,
    )
    return job


def retry_job(session: Session, office: Office, job_id: int, *, actor: str) -> PrintJob:
    """Send a failed job again (a new job with the same content, so history stays)."""
    job = session.get(PrintJob, job_id)
    if job is None or job.office_id != office.id:
        raise NotFound(f"no print job {job_id}", code="unknown_print_job")
    if job.status != PrintStatus.FAILED:
        raise Conflict(f"print job {job_id} is {job.status.value}, not failed", code="not_failed")
    job.status = PrintStatus.RETRIED  # a second click finds it retried, not failed
    again = queue_job(
        session, office.id, job.printer, job.kind, dict(job.payload), ticket_id=job.ticket_id
    )
    audit(session, office.id, actor, "print_retried", f"print_job:{job.id}", new_job=again.id)
    return again


def record_health(
    session: Session,
    printer: str,
    status: str,
    detail: str,
    *,
    reported_by: str,
    at: datetime | None = None,
) -> bool:
    """Store a printer's health; on a change, tell the counters and kiosks of the offices using it.

    Returns whether the status changed.
    """
    if status not in HEALTH_STATES:
        raise InvalidInput(f"unknown printer status {status!r}", code="invalid_field")
    at = at or clock.now()
    state = session.get(PrinterState, printer)
    changed = state is None or state.status != status
    if state is None:
        state = PrinterState(name=printer, status=status, changed_at=at)
        session.add(state)
    # Held by the session (it holds what it loaded only weakly): a backlog's next job finds it
    # without reading it again.
    session.info.setdefault("onestop_printer_states", {})[printer] = state
    if not changed and _fresh(state, detail, reported_by, at):
        return False  # a backlog's hundred "online"s in a row are not a hundred writes
    if changed:
        state.status, state.changed_at = status, at
    state.detail, state.checked_at, state.reported_by = detail[:500], at, reported_by
    session.flush()
    if changed:
        for office_id in queries.offices_using_printer(session, printer):
            devices = queries.devices_on_printer(session, printer, office_id)
            payload = realtime.printer_status(
                printer, status, detail, status not in STOPPED, devices
            )
            # No seq: taking one would make every display see a gap and reload for an
            # event it never receives.
            notify(session, office_id, "printer_status", payload, realtime.STAFF_AND_KIOSK)
    return changed


#: An unchanged health is written again only after this long (its checked_at moves on).
HEALTH_REWRITE_SECONDS = 5


def _fresh(state: PrinterState, detail: str, reported_by: str, at: datetime) -> bool:
    same = state.detail == detail[:500] and state.reported_by == reported_by
    age = (clock.as_utc(at) - clock.as_utc(state.checked_at)).total_seconds()
    return same and 0 <= age < HEALTH_REWRITE_SECONDS


def health_view(state: PrinterState | None, name: str, tz: str) -> dict[str, Any]:
    """A printer's health as the API shows it (``unknown`` until first seen)."""
    if state is None:
        return {"printer": name, "status": "unknown", "ok": True, "detail": "", "checked_at": None}
    return {
        "printer": name,
        "status": state.status,
        "ok": state.status not in STOPPED,
        "detail": state.detail,
        "checked_at": clock.iso(state.checked_at, tz),
        "reported_by": state.reported_by,
    }


def kiosk_printer(session: Session, device: DeviceRef, office: dict[str, Any]) -> dict[str, Any]:
    """The health of a kiosk's own printer (``printer: null`` when it prints nothing)."""
    if not device.printer:
        return {"printer": None, "status": "unknown", "ok": True, "detail": ""}
    state = session.get(PrinterState, device.printer)
    return health_view(state, device.printer, office["timezone"])


def printers_overview(
    session: Session, office: Office, printers: Mapping[str, Any], *, recent: int = 20
) -> list[dict[str, Any]]:
    """For the back office: each configured printer with its health and recent failed jobs."""
    states = queries.printer_states(session)
    rows = []
    for name, cfg in sorted(printers.items()):
        failed = queries.failed_print_jobs(session, office.id, name, limit=recent)
        rows.append(
            {
                **health_view(states.get(name), name, office.timezone),
                "transport": cfg["transport"],
                "mode": cfg["mode"],
                "paper": cfg["page"] or f"{cfg['paper_mm']} mm",
                "agent": cfg["agent"] or None,
                "devices": queries.devices_on_printer(session, name, office.id),
                "failed_jobs": [
                    {
                        "id": j.id,
                        "kind": j.kind.value,
                        "number": j.payload.get("number"),
                        "error": j.last_error,
                        "at": clock.iso(j.updated_at, office.timezone),
                    }
                    for j in failed
                ],
            }
        )
    return rows
