"""The dossier desk's API: receive a dossier, act on it, read it, and the overdue watch.

Thin views: parse, call one domain function, commit, respond. When the request names a printer
(``"print": "<printer>"``) the domain queues the slip the step calls for there.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from counter import bp
from onestop import auth, clock, dossiers, queue
from onestop.context import office_calendar, rules
from onestop.db import db
from onestop.dossiers import finding
from onestop.errors import InvalidInput
from onestop.extensions import csrf, limiter
from onestop.http import (
    actor_label,
    authenticated,
    caller_office,
    desk_for,
    field,
    json_body,
    limit,
    moment,
    office_of,
)
from onestop.models import Dossier


def _status_url(dossier: Dossier) -> str:
    return queue.status_url(rules(), dossier.token, "d")


def _answer(desk: dossiers.Desk, handled: dossiers.Handled, status: int = 200) -> Any:
    role = desk.officer.role if desk.officer else None
    view = dossiers.staff_view(
        db.session, handled.dossier, desk.calendar, _status_url(handled.dossier), role
    )
    job = handled.print_job.id if handled.print_job else None
    return {**view, "print_job": job, "warning": handled.warning}, status


@bp.post("/api/v1/dossiers")
@csrf.exempt
@authenticated(staff=True)
def receive_dossier() -> Any:
    body = json_body()
    desk = desk_for(caller_office())
    handled = dossiers.receive_dossier(
        db.session,
        desk,
        procedure_code=field(body, "procedure", str),
        applicant=body.get("applicant"),
        channel=body.get("channel", "direct"),
        delivery=body.get("delivery", "counter"),
        documents=body.get("documents"),
        ticket_token=field(body, "ticket", str, required=False),
        note=field(body, "note", str, required=False) or "",
        printer=field(body, "print", str, required=False),
        due_at=moment(body, "due_at"),
        postal_address=body.get("postal_address"),
        on_the_spot=field(body, "on_the_spot", bool, required=False) or False,
    )
    db.commit_writes()
    return _answer(desk, handled, 201)


@bp.post("/api/v1/dossiers/<code>/actions")
@csrf.exempt
@authenticated(staff=True)
def dossier_action(code: str) -> Any:
    body = json_body()
    desk = desk_for(caller_office())
    given = dossiers.ActionInput(
        note=field(body, "note", str, required=False) or "",
        reason=field(body, "reason", str, required=False) or "",
        delivery=field(body, "delivery", str, required=False),
        tracking=field(body, "tracking", str, required=False) or "",
        new_due_at=moment(body, "new_due_at"),
        signer=field(body, "signer", str, required=False) or "",
    )
    handled = dossiers.act(
        db.session,
        desk,
        code,
        field(body, "action", str),
        given,
        printer=field(body, "print", str, required=False),
    )
    db.commit_writes()
    return _answer(desk, handled)


@bp.post("/api/v1/reception")
@csrf.exempt
@authenticated(staff=True)
def without_receiving() -> Any:
    """Guidance (the papers are incomplete) or a refusal at reception: recorded, its paper
    printed where ``print`` says, and no dossier received."""
    body = json_body()
    desk = desk_for(caller_office())
    note, job = dossiers.without_receiving(
        db.session,
        desk,
        kind=field(body, "kind", str),
        procedure_code=field(body, "procedure", str),
        applicant=body.get("applicant"),
        missing=body.get("missing"),
        reason=field(body, "reason", str, required=False) or "",
        ticket_token=field(body, "ticket", str, required=False),
        printer=field(body, "print", str, required=False),
    )
    db.session.commit()
    return {
        "id": note.id,
        "kind": note.kind,
        "at": clock.iso(note.at, desk.calendar.timezone),
        "procedure": note.procedure_code,
        "missing": note.items,
        "reason": note.reason,
        "print_job": job.id if job else None,
    }, 201


@bp.post("/api/v1/dossiers/<code>/control")
@csrf.exempt
@authenticated(staff=True)
def print_control(code: str) -> Any:
    """Print the dossier's Phiếu kiểm soát quá trình giải quyết on ``print``."""
    body = json_body()
    desk = desk_for(caller_office())
    dossier = dossiers.dossier_by_code(db.session, desk.office, code)
    job = dossiers.queue_slip(db.session, desk, dossier, "control", field(body, "print", str))
    db.session.commit()
    return {"print_job": job.id, "printer": job.printer}, 202


@bp.get("/api/v1/dossiers/watch")
@authenticated(staff=True)
def dossier_watch() -> Any:
    office = caller_office()
    return dossiers.watch(db.session, office, office_calendar(office))


@bp.get("/api/v1/dossiers/search")
@authenticated(staff=True)
def dossier_search() -> Any:
    """Find a dossier again: ``q`` is its code, the receipt's QR link, a name, phone or ID."""
    office = caller_office()
    return finding.search(db.session, office, office_calendar(office), request.args.get("q", ""))


@bp.get("/api/v1/dossiers/awaiting-return")
@authenticated(staff=True)
def dossiers_awaiting_return() -> Any:
    office = caller_office()
    return finding.awaiting_return(db.session, office, office_calendar(office))


@bp.get("/api/v1/dossiers/register")
@authenticated(staff=True)
def dossier_register() -> Any:
    """The Sổ theo dõi hồ sơ of ``year`` (this year by default): JSON, or ``format=csv|xlsx``
    to download (each download audited: it is a list of citizens)."""
    office = caller_office()
    calendar = office_calendar(office)
    year = request.args.get("year", "")
    if year and not year.isdigit():
        raise InvalidInput("'year' must be a year like 2026", code="invalid_field")
    chosen = int(year) if year else calendar.local(clock.now()).year
    rows = finding.register(db.session, office, calendar, chosen)
    kind = request.args.get("format", "json")
    if kind == "json":
        return rows
    if kind not in ("csv", "xlsx"):
        raise InvalidInput("'format' must be json, csv or xlsx", code="invalid_field")
    auth.audit(db.session, office.id, actor_label(), "register_exported", f"register:{chosen}",
               format=kind, rows=len(rows))  # fmt: skip
    db.session.commit()
    if kind == "csv":
        body, mime = finding.register_csv(rows), "text/csv; charset=utf-8"
    else:
        body = finding.register_xlsx(rows, office.name, chosen)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"so-theo-doi-ho-so-{office.code}-{chosen}.{kind}"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.get("/api/v1/dossiers/<code>")
@limiter.limit(limit("public_rate_limit"))
def dossier_status(code: str) -> Any:
    """Staff (bearer token) see everything; anyone with the dossier's token sees its progress."""
    if request.headers.get("Authorization"):
        return _staff_dossier(code)
    dossier = dossiers.with_token(db.session, code, request.args.get("token", ""))
    calendar = office_calendar(office_of(dossier))
    return dossiers.public_view(db.session, dossier, calendar, _status_url(dossier))


@authenticated(staff=True)
def _staff_dossier(code: str) -> Any:
    office = caller_office()
    dossier = dossiers.dossier_by_code(db.session, office, code)
    calendar, role = office_calendar(office), g.officer.role
    return dossiers.staff_view(db.session, dossier, calendar, _status_url(dossier), role)
