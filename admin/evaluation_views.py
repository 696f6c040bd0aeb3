"""The quality evaluation API (DOMAIN §3.1), for supervisors and admins: a period's nine
criteria, and one dossier's. The rules live in ``onestop.evaluation``."""

from __future__ import annotations

from typing import Any

from flask import request

from admin import api
from onestop import dossiers, evaluation, feedback
from onestop.context import office_calendar, settings
from onestop.db import db
from onestop.extensions import csrf
from onestop.http import actor_label, authenticated, caller_office, field, json_body
from onestop.models import SUPERVISING_ROLES


@api.get("/evaluation")
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def period_evaluation() -> Any:
    start = evaluation.parse_day(request.args.get("from"), "from")
    end = evaluation.parse_day(request.args.get("to"), "to")
    cfg = settings()
    return evaluation.evaluate_period(db.session, caller_office(), start, end, cfg)


@api.get("/dossiers/<code>/evaluation")
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def dossier_evaluation(code: str) -> Any:
    """Supervisors only: one dossier's criteria tell what its citizen said, and officers see
    whose dossier it is."""
    office, cfg = caller_office(), settings()
    dossier = dossiers.dossier_by_code(db.session, office, code)
    calendar = office_calendar(office)
    public_url = cfg["office"]["public_url"]
    return evaluation.evaluate_dossier(db.session, dossier, calendar, public_url=public_url)


@api.post("/feedback/contacts")
@csrf.exempt
@authenticated(staff=True, roles=SUPERVISING_ROLES)
def contact_requests() -> Any:
    """The citizens who asked to be called back in a period, with what they wrote (audited)."""
    body = json_body()
    start = evaluation.parse_day(field(body, "from", str), "from")
    end = evaluation.parse_day(field(body, "to", str), "to")
    evaluation.check_period(start, end)
    office = caller_office()
    calendar = office_calendar(office)
    found = feedback.reveal_contacts(
        db.session,
        office,
        *calendar.days_between(start, end),
        actor=actor_label(),
        tz=calendar.timezone,
    )
    db.session.commit()
    return found
