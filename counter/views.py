"""Officer login, the counter page and the counter actions API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, render_template

from counter import bp
from onestop import auth, clock, dossiers, queue, readmodels
from onestop.context import rules, settings
from onestop.db import db
from onestop.extensions import csrf, limiter
from onestop.http import (
    authenticated,
    caller_office,
    caller_office_ref,
    current_actor,
    field,
    json_body,
    limit,
    office_of,
)


@bp.get("/counter")
def counter_page() -> str:
    cfg = settings()
    return render_template(
        "counter/counter.html",
        office=cfg["office"],
        no_show_after_recalls=cfg["queue"]["no_show_after_recalls"],
        utc_offset=clock.local(clock.now(), cfg["office"]["timezone"]).strftime("%z"),
        priority_classes=cfg["priority_classes"],
        dossier_actions=dossiers.action_rules(),
    )


@bp.post("/api/v1/auth/token")
@csrf.exempt
@limiter.limit(limit("login_rate_limit"))
def login() -> Any:
    body = json_body()
    token, row = auth.issue_token(
        db.session,
        field(body, "username", str),
        field(body, "password", str),
        hours=settings()["security"]["token_hours"],
    )
    db.commit_writes()
    officer = row.officer
    office = office_of(officer)  # of several in a deployment, the staff page names theirs
    return {
        "token": token,
        "expires_at": clock.iso(row.expires_at, rules(office).timezone),
        "officer": {
            "username": officer.username,
            "full_name": officer.full_name,
            "role": officer.role.value,
        },
        "office": {"code": office.code, "name": office.name},
    }, 201


@bp.get("/api/v1/counters")
@authenticated(staff=True)
def list_counters() -> Any:
    return readmodels.counters_list(db.session, caller_office(), rules())


def _act(action: Callable[..., Any], number: int, **extra: Any) -> Any:
    ticket = action(
        db.session, caller_office_ref(), number, actor=current_actor(), rules=rules(), **extra
    )
    # The answer is read before the commit: a read after it would begin a new transaction,
    # on SQLite with the write lock, held until the request's end.
    answer = None if ticket is None else readmodels.ticket_for_staff(ticket, rules())
    db.session.commit()
    if answer is None:
        return "", 204
    return answer


ACTIONS = {
    "call-next": queue.call_next,
    "recall": queue.recall,
    "start": queue.start,
    "no-show": queue.no_show,
    "finish": queue.finish,
}


@bp.post("/api/v1/counters/<int:number>/<any('call-next', recall, start, 'no-show', finish):verb>")
@csrf.exempt
@authenticated(staff=True)
def counter_action(number: int, verb: str) -> Any:
    body = json_body(required=False)  # a body, if any, must still be valid JSON
    outcome = field(body, "outcome", str, required=False) if verb == "finish" else None
    if outcome is not None:  # finish as a guidance-only visit
        return _act(queue.finish, number, outcome=outcome)
    return _act(ACTIONS[verb], number)


@bp.post("/api/v1/counters/<int:number>/priority")
@csrf.exempt
@authenticated(staff=True)
def counter_priority(number: int) -> Any:
    body = json_body()
    return _act(queue.confirm_priority, number, confirmed=field(body, "confirmed", bool))


@bp.get("/api/v1/officer/today")
@authenticated(staff=True)
def officer_today() -> Any:
    return readmodels.officer_day(db.session, g.officer, rules())


@bp.post("/api/v1/counters/<int:number>/transfer")
@csrf.exempt
@authenticated(staff=True)
def counter_transfer(number: int) -> Any:
    body = json_body()
    return _act(
        queue.transfer,
        number,
        to_service=field(body, "service", str, required=False),
        to_counter=field(body, "counter", int, required=False),
    )
