"""The dossier desk's API: receive a dossier, act on it, read it, and the overdue watch.

Thin views: parse, call one domain function, commit, respond. A receipt slip is queued on the
counter's printer when the request names one (``"print": "<printer>"``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, g, request

from counter import bp
from onestop import catalog, dossiers, printing, queue
from onestop.context import home_office, office_calendar, rules
from onestop.db import db
from onestop.errors import InvalidInput
from onestop.extensions import csrf, limiter
from onestop.http import actor_label, authenticated, caller_office, field, json_body, limit
from onestop.models import Dossier, Office, Procedure


def _status_url(dossier: Dossier) -> str:
    return queue.status_url(rules(), dossier.token, "d")


def _print(
    office: Office, dossier: Dossier, printer: str | None, slip: str, body: dict[str, Any]
) -> int | None:
    """Queue the slip an action calls for on the counter's printer, when one is named."""
    if not printer:
        return None
    url = queue.citizen_url(rules(), dossier.token, "d")  # the paper goes to the citizen only
    if slip == "receipt":
        procedure = db.session.get(Procedure, dossier.procedure_id)
        assert procedure is not None
        legal_time = catalog.legal_time_text(procedure)
        data = dossiers.receipt_data(dossier, office, g.officer, url, legal_time)
    elif slip == "supplement_request":
        data = dossiers.supplement_data(dossier, office, g.officer, url, _reason(body))
    else:
        signer = (field(body, "signer", str, required=False) or "")[:200]
        data = dossiers.apology_data(dossier, office, url, _reason(body), signer)
    job = printing.queue_slip(
        db.session,
        office,
        printer,
        slip,
        data,
        printers=current_app.config["ONESTOP"]["printers"],
        actor=actor_label(),
    )
    return job.id


def _reason(body: dict[str, Any]) -> str:
    for name in ("note", "reason"):
        value = field(body, name, str, required=False)
        if value:
            return str(value)
    return ""


SLIP_OF_ACTION = {"request_supplement": "supplement_request", "extend": "apology"}
# The apology and new date, and stopping a dossier, are the head of the unit's (DOMAIN §2.6).


@bp.post("/api/v1/dossiers")
@csrf.exempt
@authenticated(staff=True)
def receive_dossier() -> Any:
    body = json_body()
    office = caller_office()
    calendar = office_calendar(office)
    dossier = dossiers.receive_dossier(
        db.session,
        office,
        procedure_code=field(body, "procedure", str),
        applicant=body.get("applicant"),
        channel=body.get("channel", "direct"),
        delivery=body.get("delivery", "counter"),
        documents=body.get("documents"),
        ticket_token=field(body, "ticket", str, required=False),
        officer=g.officer,
        calendar=calendar,
        unit=office.name,
        note=field(body, "note", str, required=False) or "",
    )
    printer = field(body, "print", str, required=False)
    job = _print(office, dossier, printer, "receipt", body)
    db.session.commit()
    view = dossiers.staff_view(db.session, dossier, calendar, _status_url(dossier))
    return {**view, "print_job": job}, 201


def _when(body: dict[str, Any], name: str) -> datetime | None:
    raw = field(body, name, str, required=False)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"'{name}' must be ISO 8601, e.g. 2026-12-01T17:00:00+07:00", code="invalid_field"
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"'{name}' needs its UTC offset (+07:00)", code="invalid_field")
    return moment


@bp.post("/api/v1/dossiers/<code>/actions")
@csrf.exempt
@authenticated(staff=True)
def dossier_action(code: str) -> Any:
    body = json_body()
    office = caller_office()
    calendar = office_calendar(office)
    given = dossiers.ActionInput(
        note=_reason(body),
        delivery=field(body, "delivery", str, required=False),
        tracking=field(body, "tracking", str, required=False) or "",
        new_due_at=_when(body, "new_due_at"),
    )
    action = field(body, "action", str)
    dossier = dossiers.act(
        db.session,
        office,
        code,
        action,
        given,
        officer=g.officer,
        calendar=calendar,
        unit=office.name,
    )
    printer = field(body, "print", str, required=False)
    slip = SLIP_OF_ACTION.get(action)
    job = _print(office, dossier, printer, slip, body) if slip else None
    db.session.commit()
    view = dossiers.staff_view(db.session, dossier, calendar, _status_url(dossier))
    return {**view, "print_job": job}


@bp.get("/api/v1/dossiers/watch")
@authenticated(staff=True)
def dossier_watch() -> Any:
    office = caller_office()
    return dossiers.watch(db.session, office, office_calendar(office))


@bp.get("/api/v1/dossiers/<code>")
@limiter.limit(limit("public_rate_limit"))
def dossier_status(code: str) -> Any:
    """Staff (bearer token) see everything; anyone with the dossier's token sees its progress."""
    if request.headers.get("Authorization"):
        return _staff_dossier(code)
    office = home_office()
    dossier = dossiers.with_token(db.session, office, code, request.args.get("token", ""))
    return dossiers.public_view(db.session, dossier, office_calendar(office), _status_url(dossier))


@authenticated(staff=True)
def _staff_dossier(code: str) -> Any:
    office = caller_office()
    dossier = dossiers.dossier_by_code(db.session, office, code)
    return dossiers.staff_view(db.session, dossier, office_calendar(office), _status_url(dossier))
