"""The quality evaluation API (DOMAIN §3.1): a period's nine criteria for supervisors, and one
dossier's for any staff member. The rules live in ``onestop.evaluation``."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from admin import api
from onestop import dossiers, evaluation
from onestop.db import db
from onestop.http import authenticated, caller_office
from onestop.models import Role

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@api.get("/evaluation")
@authenticated(staff=True, roles=SUPERVISORS)
def period_evaluation() -> Any:
    start = evaluation.parse_day(request.args.get("from"), "from")
    end = evaluation.parse_day(request.args.get("to"), "to")
    cfg = current_app.config["ONESTOP"]
    return evaluation.evaluate_period(db.session, caller_office(), start, end, cfg)


@api.get("/dossiers/<code>/evaluation")
@authenticated(staff=True)
def dossier_evaluation(code: str) -> Any:
    office, cfg = caller_office(), current_app.config["ONESTOP"]
    dossier = dossiers.dossier_by_code(db.session, office, code)
    calendar = dossiers.calendar_for(db.session, office, cfg)
    public_url = cfg["office"]["public_url"]
    return evaluation.evaluate_dossier(db.session, dossier, calendar, public_url=public_url)
