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
from onestop import auth, dossiers, feedback, i18n, queue
from onestop.context import feedback_rules, rules
from onestop.db import db
from onestop.errors import Forbidden
from onestop.extensions import csrf, limiter
from onestop.http import field, json_body, limit, office_of
from onestop.models import DeviceKind, Office
from onestop.refs import DeviceRef

TICKET = "/api/v1/tickets/<token>"
DOSSIER = "/api/v1/dossiers/<code>"


def _limit_key() -> str:
    """Per pad, or per visit for a phone. Hashed, so tokens never become storage keys; and a
    dossier's bucket includes the token, so bogus tokens cannot exhaust the owner's."""
    key = request.headers.get("X-Device-Key")
    if key:
        return f"pad:{auth.digest(key)[:16]}"
    args = request.view_args or {}
    subject = args.get("token") or f"{args.get('code')}:{request.args.get('token', '')}"
    return f"visit:{auth.digest(subject)[:16]}"


def _pad() -> DeviceRef | None:
    """The rating pad sending this, or None for a citizen's phone."""
    key = request.headers.get("X-Device-Key")
    if not key:
        return None
    device = auth.device_for_key(db.session, key)
    if device.kind != DeviceKind.RATING:
        raise Forbidden(f"a {device.kind.value} device may not rate", code="wrong_device_kind")
    g.device = device
    return device


def _finder(token: str | None, code: str | None) -> tuple[str, Callable[[], feedback.Visit]]:
    """The token the caller holds, and how to find the visit it addresses (404 when unknown)."""
    if code is not None:
        held = request.args.get("token", "")
        dossier = dossiers.with_token(db.session, code, held)
        return held, lambda: feedback.visit_of_dossier(db.session, dossier)
    ticket = queue.find_ticket(db.session, token or "")
    return ticket.token, lambda: feedback.visit_of_ticket(db.session, ticket)


def _visit(token: str | None, code: str | None, device: DeviceRef | None) -> feedback.Visit:
    """The visit, once the caller may speak for it: a pad by its device key (its counter is
    checked by the domain), a phone by the feedback key of the citizen's link (``?k=``)."""
    held, find = _finder(token, code)
    if device is None:
        feedback.check_key(rules().link_secret, held, request.args.get("k"))
    return find()


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
        _visit(token, code, device),
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
        db.session,
        _visit(token, code, device),
        body.get("reasons"),
        device=device,
        rules=feedback_rules(),
    )
    db.session.commit()
    return _rating(rating)


@bp.get(f"{TICKET}/survey")
@bp.get(f"{DOSSIER}/survey")
@limiter.limit(limit("public_rate_limit"))
def survey_state(token: str | None = None, code: str | None = None) -> Any:
    """The form to show and what this visit has answered already (never contact details)."""
    held, find = _finder(token, code)
    feedback.check_key(rules().link_secret, held, request.args.get("k"))
    return _survey_state(find)


def _survey_state(find: Callable[[], feedback.Visit]) -> dict[str, Any]:
    visit = feedback.visit_if_served(find)
    return feedback.survey_state(
        db.session, visit, feedback_rules(), request.args.get("form"), i18n.current_locale()
    )


@bp.post(f"{TICKET}/survey")
@bp.post(f"{DOSSIER}/survey")
@bp.put(f"{TICKET}/survey")
@bp.put(f"{DOSSIER}/survey")
@csrf.exempt
@limiter.limit(limit("public_rate_limit"))
@limiter.limit(limit("feedback_rate_limit"), key_func=_limit_key)
def answer_survey(token: str | None = None, code: str | None = None) -> Any:
    body = json_body()
    form = body.get("form", "short")
    answer = feedback.SurveyAnswer(
        form=form if isinstance(form, str) else "",  # "" is no form: 400 unknown_form
        answers=body.get("answers"),
        contact=field(body, "contact", str, required=False),
        language=str(body.get("language") or "vi"),  # anything but vi or en reads as vi
    )
    survey_rules = feedback_rules()
    visit = _visit(token, code, None)
    if request.method == "PUT":
        keep = "contact" not in body  # a change that leaves the contact out keeps it
        feedback.change_survey(db.session, visit, answer, keep_contact=keep, rules=survey_rules)
    else:
        feedback.answer_survey(db.session, visit, answer, rules=survey_rules)
    db.commit_writes()
    status = 200 if request.method == "PUT" else 201
    return feedback.feedback_view(db.session, visit, survey_rules)["survey"], status


@bp.get("/t/<token>/survey")
@limiter.limit(limit("public_rate_limit"))
def ticket_survey_page(token: str) -> str:
    """The phone's rating and survey page, from the ticket's QR code."""
    ticket = queue.find_ticket(db.session, token)
    return _page(
        lambda: feedback.visit_of_ticket(db.session, ticket),
        office=office_of(ticket),
        token=token,
        page="t",
        api=f"/api/v1/tickets/{token}?",
        label=ticket.number,
    )


@bp.get("/d/<token>/survey")
@limiter.limit(limit("public_rate_limit"))
def dossier_survey_page(token: str) -> str:
    """The same page from the receipt's QR code (via the dossier's progress page)."""
    dossier = dossiers.find_by_token(db.session, token)
    return _page(
        lambda: feedback.visit_of_dossier(db.session, dossier),
        office=office_of(dossier),
        token=token,
        page="d",
        api=f"/api/v1/dossiers/{dossier.code}?token={token}&",
        label=dossier.code,
    )


def _page(
    find: Callable[[], feedback.Visit],
    *,
    office: Office,
    token: str,
    page: str,
    api: str,
    label: str,
) -> str:
    """Without the feedback key of the citizen's link the page only says where to find it.
    ``api`` is the API base with its query so far; the page appends ``k``."""
    key = request.args.get("k", "")
    allowed = feedback.key_matches(rules().link_secret, token, key)
    state = _survey_state(find) if allowed else None
    base, query = api.split("?", 1)
    return render_template(
        "kiosk/survey.html",
        office=office,
        state=state,
        api=base,
        query=f"?{query}k={key}",
        back=f"/{page}/{token}?k={key}",
        key=key,
        label=label,
    )
