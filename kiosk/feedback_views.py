"""The citizen's rating and survey: from the counter's rating pad or the phone (QR code).

A visit is addressed by its ticket's token, or by a dossier's code and token (the receipt's QR).
The pad proves itself with its device key; a phone has nothing but the token, so the rate limit
is kept per token as well as per address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, render_template, request

from kiosk import bp
from onestop import auth, dossiers, feedback, i18n, queue, surveyforms
from onestop.db import db
from onestop.errors import Conflict, Forbidden
from onestop.extensions import csrf, limiter
from onestop.http import feedback_rules, field, home_office, json_body, limit
from onestop.models import Device, DeviceKind

TICKET = "/api/v1/tickets/<token>"
DOSSIER = "/api/v1/dossiers/<code>"


def _limit_key() -> str:
    key = request.headers.get("X-Device-Key")
    if key:
        return f"pad:{auth.digest(key)[:16]}"
    args = request.view_args or {}
    return f"visit:{args.get('token') or args.get('code')}"


def _pad() -> Device | None:
    """The rating pad sending this, or None for a citizen's phone."""
    key = request.headers.get("X-Device-Key")
    if not key:
        return None
    device = auth.device_for_key(db.session, key)
    if device.kind != DeviceKind.RATING:
        raise Forbidden(f"a {device.kind.value} device may not rate", code="wrong_device_kind")
    g.device = device
    return device


def _visit(token: str | None, code: str | None) -> feedback.Visit:
    if code is not None:
        dossier = dossiers.with_token(
            db.session, home_office(), code, request.args.get("token", "")
        )
        return feedback.visit_of_dossier(db.session, dossier)
    assert token is not None
    return feedback.visit_of_ticket(db.session, queue.find_ticket(db.session, token))


def _rating(rating: Any) -> dict[str, Any]:
    return {"score": rating.score.value, "reasons": rating.reasons, "channel": rating.channel}


@bp.post(f"{TICKET}/rating")
@bp.post(f"{DOSSIER}/rating")
@csrf.exempt
@limiter.limit(limit("public_rate_limit"))
@limiter.limit(limit("feedback_rate_limit"), key_func=_limit_key)
def rate(token: str | None = None, code: str | None = None) -> Any:
    body = json_body()
    device = _pad()
    rating = feedback.rate(
        db.session,
        _visit(token, code),
        field(body, "score", str),
        reasons=body.get("reasons"),
        device=device,
        rules=feedback_rules(),
    )
    db.session.commit()
    return _rating(rating), 201


@bp.patch(f"{TICKET}/rating")
@bp.patch(f"{DOSSIER}/rating")
@csrf.exempt
@limiter.limit(limit("public_rate_limit"))
@limiter.limit(limit("feedback_rate_limit"), key_func=_limit_key)
def explain_rating(token: str | None = None, code: str | None = None) -> Any:
    body = json_body()
    device = _pad()
    rating = feedback.add_reasons(
        db.session, _visit(token, code), body.get("reasons"), device=device, rules=feedback_rules()
    )
    db.session.commit()
    return _rating(rating)


@bp.get(f"{TICKET}/survey")
@bp.get(f"{DOSSIER}/survey")
@limiter.limit(limit("public_rate_limit"))
def survey_state(token: str | None = None, code: str | None = None) -> Any:
    """The form to show and what this visit has answered already (never contact details)."""
    if code is None:
        queue.find_ticket(db.session, token or "")  # an unknown ticket is a 404, not "not served"
    return _survey_state(lambda: _visit(token, code))


def _survey_state(find: Callable[[], feedback.Visit]) -> dict[str, Any]:
    rules = feedback_rules()
    forms = rules.forms()
    form = forms.forms.get(request.args.get("form", "short"), forms.forms["short"])
    lang = i18n.current_locale()
    try:
        visit: feedback.Visit | None = find()
    except Conflict:  # not served yet: the page says so and offers nothing to answer
        visit = None
    return {
        **feedback.feedback_view(db.session, visit, rules),
        "form": surveyforms.form_view(form, lang),
        "forms": list(forms.forms),
        "rating_texts": surveyforms.rating_view(forms.rating, lang),
    }


@bp.post(f"{TICKET}/survey")
@bp.post(f"{DOSSIER}/survey")
@bp.put(f"{TICKET}/survey")
@bp.put(f"{DOSSIER}/survey")
@csrf.exempt
@limiter.limit(limit("public_rate_limit"))
@limiter.limit(limit("feedback_rate_limit"), key_func=_limit_key)
def answer_survey(token: str | None = None, code: str | None = None) -> Any:
    body = json_body()
    edit = request.method == "PUT"
    rules = feedback_rules()
    visit = _visit(token, code)
    feedback.answer_survey(db.session, visit, body, edit=edit, rules=rules)
    db.session.commit()
    return feedback.feedback_view(db.session, visit, rules)["survey"], 200 if edit else 201


@bp.get("/t/<token>/survey")
@limiter.limit(limit("public_rate_limit"))
def ticket_survey_page(token: str) -> str:
    """The phone's rating and survey page, from the ticket's QR code."""
    ticket = queue.find_ticket(db.session, token)
    state = _survey_state(lambda: feedback.visit_of_ticket(db.session, ticket))
    return _page(state, f"/api/v1/tickets/{token}", "", f"/t/{token}", ticket.number)


@bp.get("/d/<token>/survey")
@limiter.limit(limit("public_rate_limit"))
def dossier_survey_page(token: str) -> str:
    """The same page from the receipt's QR code (via the dossier's progress page)."""
    dossier = dossiers.find_by_token(db.session, home_office(), token)
    state = _survey_state(lambda: feedback.visit_of_dossier(db.session, dossier))
    api = f"/api/v1/dossiers/{dossier.code}"
    return _page(state, api, f"?token={token}", f"/d/{token}", dossier.code)


def _page(state: dict[str, Any], api: str, query: str, back: str, label: str) -> str:
    return render_template(
        "kiosk/survey.html",
        office=home_office(),
        state=state,
        api=api,
        query=query,
        back=back,
        label=label,
    )
