"""The citizen's voice: the rating at the counter and the satisfaction survey by QR code.

A rating or a survey answer is about one *visit*: the ticket leg that was served (the last leg
of a ticket that ended ``done``), or a dossier received without a ticket. One of each per visit,
enforced by UNIQUE columns, so neither can be stuffed; the counter, officer and service are
copied in when it is made.

* The **rating pad** of a counter hears ``rating_requested`` when that counter finishes a ticket
  and may rate only tickets served *at its counter* within ``pad_window_minutes``. When nobody
  taps, it records ``no_answer``; the citizen may still rate later from the phone.
* The **phone** (the ticket's or the receipt's QR) may rate and answer the survey once the visit
  was served, for ``survey_days``; an answer may be changed for ``edit_hours``.
* Free text is kept with phone numbers, ID numbers and e-mail addresses masked; contact details
  are stored only when the citizen types them into the contact field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop import clock, queries, realtime, surveyforms
from onestop.auth import audit
from onestop.errors import Conflict, Forbidden, InvalidInput
from onestop.events import notify
from onestop.models import (
    Counter,
    Dossier,
    Office,
    Officer,
    Rating,
    RatingScore,
    SurveyResponse,
    Ticket,
    TicketState,
)
from onestop.refs import DeviceRef, OfficerLike

MAX_CONTACT = 200
# A visit that ended in one of these was never finished at a counter: its dossier stands alone.
UNFINISHED_VISIT = (TicketState.NO_SHOW, TicketState.CANCELLED)
MASK = "[…]"
# A phone number (0… or +84…), a 9- or 12-digit ID number (digits may be grouped by spaces, dots
# or dashes), a passport number (a letter and 7 digits), an e-mail address.
PERSONAL = re.compile(
    r"\b\d(?:[\s.-]?\d){11}\b"  # the longest first: a grouped ID must not end as a phone
    r"|(?:\+?84|\b0)(?:[\s.-]?\d){8,10}\b"
    r"|\b\d(?:[\s.-]?\d){8}\b"
    r"|\b[A-Z]\d{7}\b"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)


def feedback_key(secret: str, token: str) -> str:
    """The key a phone needs, beside the token, to rate a visit and answer its survey.

    A ticket's or a dossier's token also reaches staff (the counter screen reprints with it,
    the desk links dossiers with it), so the token alone must not let anyone rate. The key is
    derived from the token with the app's secret and travels only on the citizen's paper and
    kiosk screen: the QR code's link ends in ``?k=<key>``.
    """
    mac = hmac.new(secret.encode(), f"feedback:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode()


def key_matches(secret: str, token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(
        str(given).encode(), feedback_key(secret, token).encode()
    )


def check_key(secret: str, token: str, given: str | None) -> None:
    if not key_matches(secret, token, given):
        raise Forbidden(
            "open this page from the QR code on your ticket or receipt to give your opinion",
            code="feedback_key_invalid",
        )


@dataclass(frozen=True)
class FeedbackRules:
    """The ``[feedback]`` settings, as durations."""

    pad_seconds: int = 30
    pad_window: timedelta = timedelta(minutes=10)
    survey_window: timedelta = timedelta(days=30)
    edit_window: timedelta = timedelta(hours=24)
    forms_directory: str = ""

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> FeedbackRules:
        section = cfg["feedback"]
        return cls(
            pad_seconds=int(section["pad_seconds"]),
            pad_window=timedelta(minutes=section["pad_window_minutes"]),
            survey_window=timedelta(days=section["survey_days"]),
            edit_window=timedelta(hours=section["edit_hours"]),
            forms_directory=section["forms_directory"],
        )

    def forms(self) -> surveyforms.FormSet:
        return surveyforms.load(self.forms_directory or None)


@dataclass(frozen=True)
class Visit:
    """What a rating or a survey answer is about, and who served it."""

    office_id: int
    ticket: Ticket | None  # the served leg
    dossier: Dossier | None  # only for a dossier received without a ticket
    counter_id: int | None
    officer_id: int | None
    service_id: int | None
    served_at: datetime
    label: str  # the ticket number or the dossier code, for messages and the audit log

    def owns(self, row: Rating | SurveyResponse) -> None:
        row.office_id, row.counter_id = self.office_id, self.counter_id
        row.officer_id, row.service_id = self.officer_id, self.service_id
        row.ticket_id = self.ticket.id if self.ticket else None
        row.dossier_id = self.dossier.id if self.dossier else None
        row.served_at = self.served_at


def visit_of_ticket(session: Session, ticket: Ticket) -> Visit:
    """The served leg of the visit ``ticket`` belongs to; 409 until it has been served."""
    leg = queries.live_leg(session, ticket)
    if leg.state != TicketState.DONE or leg.finished_at is None:
        raise Conflict(
            f"number {leg.number} has not been served yet; rate it after the counter",
            code="not_served",
        )
    return Visit(
        office_id=leg.office_id,
        ticket=leg,
        dossier=None,
        counter_id=leg.counter_id,
        officer_id=leg.officer_id,
        service_id=leg.service_id,
        served_at=clock.as_utc(leg.finished_at),
        label=leg.number,
    )


def visit_of_dossier(session: Session, dossier: Dossier) -> Visit:
    """A dossier taken with a ticket is rated as that visit (once). One taken without a ticket,
    or whose visit ended without being finished (transferred on, then a no-show), by itself."""
    if dossier.ticket_id is not None:
        ticket = session.get(Ticket, dossier.ticket_id)
        assert ticket is not None
        if queries.live_leg(session, ticket).state not in UNFINISHED_VISIT:
            return visit_of_ticket(session, ticket)
    return Visit(
        office_id=dossier.office_id,
        ticket=None,
        dossier=dossier,
        counter_id=None,
        officer_id=dossier.received_by,
        service_id=None,
        served_at=clock.as_utc(dossier.received_at),
        label=dossier.code,
    )


def visit_if_served(find: Callable[[], Visit]) -> Visit | None:
    """The visit, or None while it has not been served (the page then says so)."""
    try:
        return find()
    except Conflict as exc:
        if exc.code != "not_served":
            raise
        return None


def _of_visit(
    session: Session, model: type[queries.FeedbackRow], visit: Visit, *, lock: bool = False
) -> queries.FeedbackRow | None:
    """The visit's rating or survey answer (``model``), if any; ``lock`` before changing it."""
    if visit.ticket is not None:
        return queries.feedback_of_visit(session, model, ticket_id=visit.ticket.id, lock=lock)
    assert visit.dossier is not None
    return queries.feedback_of_visit(session, model, dossier_id=visit.dossier.id, lock=lock)


def _insert(session: Session, row: Rating | SurveyResponse, message: str, code: str) -> None:
    """Insert in a savepoint: when the same visit is answered from two places at once, the
    UNIQUE constraint lets one win and the other gets a clean 409."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(message, code=code) from None


def _within(since: datetime, window: timedelta, what: str) -> None:
    if clock.now() > clock.as_utc(since) + window:
        raise Conflict(f"{what} is closed for this visit", code="feedback_closed")


def _reasons(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise InvalidInput("'reasons' must be a list of reason codes", code="invalid_field")
    unknown = sorted(set(value) - set(surveyforms.REASONS))
    if unknown:
        raise InvalidInput(
            f"unknown reason {unknown[0]!r}; one of {', '.join(surveyforms.REASONS)}",
            code="unknown_reason",
        )
    return sorted(set(value), key=surveyforms.REASONS.index)


def _paired_counter(device: DeviceRef) -> int:
    if device.counter_id is None:
        raise Conflict(f"rating pad {device.name} is not paired with a counter", code="no_counter")
    return device.counter_id


def check_pad(device: DeviceRef, visit: Visit, rules: FeedbackRules) -> None:
    """A pad rates only what its own counter served, shortly after."""
    if visit.counter_id != _paired_counter(device):
        raise Forbidden(
            f"number {visit.label} was not served at this pad's counter", code="served_elsewhere"
        )
    _within(visit.served_at, rules.pad_window, "rating at the counter")


def rate(
    session: Session,
    visit: Visit,
    score: str,
    *,
    reasons: Any = None,
    device: DeviceRef | None,
    rules: FeedbackRules,
) -> Rating:
    """Record the citizen's rating of ``visit`` (``device`` is the counter's pad, or None for
    the citizen's phone). A second rating is a 409; a pad's ``no_answer`` may be replaced by a
    real rating later."""
    if score not in {s.value for s in RatingScore}:
        raise InvalidInput(
            f"'score' must be one of {', '.join(surveyforms.LEVELS)}", code="invalid_score"
        )
    if device is None:
        if score == RatingScore.NO_ANSWER:
            raise InvalidInput("only a rating pad records 'no_answer'", code="invalid_score")
        _within(visit.served_at, rules.survey_window, "rating")
    else:
        check_pad(device, visit, rules)
    chosen = _reasons(reasons)
    if chosen and score != RatingScore.UNSATISFIED:
        raise InvalidInput("reasons go with 'unsatisfied' only", code="invalid_field")
    taken = f"number {visit.label} has already been rated"

    def filled(rating: Rating) -> Rating:
        rating.score, rating.reasons, rating.updated_at = RatingScore(score), chosen, clock.now()
        rating.channel = "pad" if device else "phone"
        rating.device_id = device.id if device else None
        return rating

    for attempt in (1, 2):  # a second look when another request inserted the row meanwhile
        existing = _of_visit(session, Rating, visit, lock=True)
        if existing is not None:  # only a pad's "no answer" may be replaced, by a real answer
            if existing.score != RatingScore.NO_ANSWER or score == RatingScore.NO_ANSWER:
                raise Conflict(taken, code="already_rated")
            rating = filled(existing)
            break
        rating = filled(Rating(created_at=clock.now()))
        visit.owns(rating)
        try:
            _insert(session, rating, taken, "already_rated")
            break
        except Conflict:
            if attempt == 2:
                raise
    session.flush()
    _audit(session, visit, device, "rating_recorded", score=score, reasons=chosen)
    return rating


def add_reasons(
    session: Session, visit: Visit, reasons: Any, *, device: DeviceRef | None, rules: FeedbackRules
) -> Rating:
    """The optional reasons after "Không hài lòng", sent a moment after the score itself (so a
    citizen who walks away still leaves the score). Once, and only to an unsatisfied rating."""
    if device is not None:
        check_pad(device, visit, rules)
    chosen = _reasons(reasons)
    if not chosen:
        raise InvalidInput("'reasons' must name at least one reason", code="missing_field")
    rating = _of_visit(session, Rating, visit, lock=True)
    if rating is None or rating.score != RatingScore.UNSATISFIED:
        raise Conflict(
            f"number {visit.label} has no unsatisfied rating to explain", code="no_rating"
        )
    if rating.reasons:
        raise Conflict("the reasons were already given", code="already_rated")
    _within(rating.updated_at, rules.pad_window, "adding reasons")  # since the score came
    rating.reasons, rating.updated_at = chosen, clock.now()
    session.flush()
    _audit(session, visit, device, "rating_explained", reasons=chosen)
    return rating


def _audit(
    session: Session, visit: Visit, device: DeviceRef | None, action: str, **data: Any
) -> None:
    actor = f"device:{device.name}" if device else "citizen"
    audit(session, visit.office_id, actor, action, f"visit:{visit.label}", **data)


# -- survey --------------------------------------------------------------------------------


def mask_personal(text: str) -> str:
    """Free text without phone numbers, ID numbers or e-mail addresses."""
    return PERSONAL.sub(MASK, text)


def _clean_contact(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_CONTACT:
        raise InvalidInput(f"'contact' is longer than {MAX_CONTACT} characters", code="too_long")
    return value.strip()


@dataclass(frozen=True)
class SurveyAnswer:
    """A citizen's survey answer as the phone sends it: the form, the answers (checked against
    the form's questions), what they chose to give to be called back, and their language."""

    form: str = "short"
    answers: Any = None
    contact: str | None = None
    language: str = "vi"


def _checked(answer: SurveyAnswer, rules: FeedbackRules) -> dict[str, Any]:
    """The answers, valid for their form, free text masked (400 otherwise)."""
    forms = rules.forms().forms
    if answer.form not in forms:
        raise InvalidInput(f"'form' must be one of {', '.join(forms)}", code="unknown_form")
    form = forms[answer.form]
    answers = surveyforms.clean_answers(form, answer.answers)
    for key, value in answers.items():
        question = form.question(key)
        if question is not None and question.kind == "text" and isinstance(value, str):
            answers[key] = mask_personal(value)
    return answers


def _fill(response: SurveyResponse, answer: SurveyAnswer, answers: dict[str, Any]) -> None:
    response.form, response.answers = answer.form, answers
    response.language = answer.language if answer.language in ("vi", "en") else "vi"
    response.updated_at = clock.now()


def answer_survey(
    session: Session, visit: Visit, answer: SurveyAnswer, *, rules: FeedbackRules
) -> SurveyResponse:
    """Store the citizen's survey answer: once per visit, while the survey is open; it may be
    changed (:func:`change_survey`) for ``edit_hours``."""
    _within(visit.served_at, rules.survey_window, "the survey")
    answers = _checked(answer, rules)
    if _of_visit(session, SurveyResponse, visit, lock=True) is not None:
        raise Conflict(
            f"the survey for {visit.label} was already answered; change it instead",
            code="already_answered",
        )
    now = clock.now()
    response = SurveyResponse(created_at=now, edit_until=now + rules.edit_window, edits=0)
    visit.owns(response)
    _fill(response, answer, answers)
    response.contact = _clean_contact(answer.contact)
    _insert(
        session, response, f"the survey for {visit.label} was already answered", "already_answered"
    )
    session.flush()
    _audit(session, visit, None, "survey_answered", form=answer.form, questions=len(answers))
    return response


def change_survey(
    session: Session,
    visit: Visit,
    answer: SurveyAnswer,
    *,
    keep_contact: bool,
    rules: FeedbackRules,
) -> SurveyResponse:
    """Change the visit's survey answer within ``edit_hours``, in the form it was answered in
    (a switch would silently drop the other answers). ``keep_contact``: the change says
    nothing of the contact, which stays as it was (an empty one withdraws it)."""
    _within(visit.served_at, rules.survey_window, "the survey")
    answers = _checked(answer, rules)
    response = _of_visit(session, SurveyResponse, visit, lock=True)
    if response is None:
        raise Conflict(f"the survey for {visit.label} has no answer yet", code="not_answered")
    if clock.now() > clock.as_utc(response.edit_until):
        raise Conflict("the time to change this answer is over", code="survey_closed")
    if response.form != answer.form:
        raise Conflict(
            f"this visit was answered with the {response.form} survey; change that one",
            code="other_form",
        )
    response.edits += 1
    _fill(response, answer, answers)
    if not keep_contact:
        response.contact = _clean_contact(answer.contact)
    session.flush()
    _audit(session, visit, None, "survey_changed", form=answer.form, questions=len(answers))
    return response


def feedback_view(session: Session, visit: Visit | None, rules: FeedbackRules) -> dict[str, Any]:
    """What the citizen's phone may see of its own feedback (never the contact details)."""
    if visit is None:
        return {"served": False, "rating": None, "survey": None, "open_until": None}
    rating = _of_visit(session, Rating, visit)
    response = _of_visit(session, SurveyResponse, visit)
    office = session.get(Office, visit.office_id)
    tz = office.timezone if office else "UTC"  # times as the office reads them, with offset
    survey = None
    if response is not None:
        survey = {
            "form": response.form,
            "answers": response.answers,
            "contact_given": response.contact is not None,
            "answered_at": clock.iso(response.created_at, tz),
            "editable_until": clock.iso(response.edit_until, tz),
            "editable": clock.now() <= clock.as_utc(response.edit_until),
        }
    given = None
    if rating is not None and rating.score != RatingScore.NO_ANSWER:
        given = {"score": rating.score.value, "reasons": rating.reasons}
    return {
        "served": True,
        "rating": given,
        "survey": survey,
        "open_until": clock.iso(visit.served_at + rules.survey_window, tz),
    }


def survey_state(
    session: Session, visit: Visit | None, rules: FeedbackRules, wanted: str | None, lang: str
) -> dict[str, Any]:
    """The phone's page: what the visit answered and the form to show, in ``lang``. The form
    already answered opens unless another is ``wanted`` (an answer is changed in its form)."""
    answered = feedback_view(session, visit, rules)
    forms = rules.forms()
    chosen = wanted or (answered["survey"] or {}).get("form", "short")
    form = forms.forms.get(chosen, forms.forms["short"])
    return {
        **answered,
        "form": surveyforms.form_view(form, lang),
        "forms": list(forms.forms),
        "rating_texts": surveyforms.rating_view(forms.rating, lang),
    }


def reveal_contacts(
    session: Session, office: Office, start: datetime, end: datetime, *, actor: str, tz: str
) -> list[dict[str, Any]]:
    """The survey answers of visits served in [start, end) whose citizen asked to be contacted,
    for a supervisor to call back. Each reveal of these personal details is audited."""
    rows = queries.survey_contacts_between(session, office.id, start, end)
    audit(session, office.id, actor, "contacts_revealed", "survey", count=len(rows))

    def shown(row: SurveyResponse) -> dict[str, Any]:
        counter = session.get(Counter, row.counter_id) if row.counter_id else None
        officer = session.get(Officer, row.officer_id) if row.officer_id else None
        return {
            "served_at": clock.iso(row.served_at, tz),
            "counter": counter.number if counter else None,
            "officer": officer.display_name if officer else None,
            "contact": row.contact,
            "answers": row.answers,
        }

    return [shown(row) for row in rows]


# -- the rating pad ------------------------------------------------------------------------


def request_rating(
    session: Session, ticket: Ticket, counter: Counter, officer: OfficerLike | None
) -> None:
    """Ask the counter's pad to rate ``ticket`` (after the commit; nobody waits for it)."""
    notify(
        session,
        ticket.office_id,
        "rating_requested",
        realtime.rating_requested(ticket, counter, officer),
        (realtime.RATING,),
        room=realtime.counter_room(counter.id),
    )


def pad_state(session: Session, device: DeviceRef, rules: FeedbackRules) -> dict[str, Any]:
    """What a pad shows on (re)connect: its counter and officer, the ticket to ask about if
    one was finished there moments ago and is not rated yet, and its words in both languages
    (the pad shows Vietnamese with English beneath)."""
    counter = session.get(Counter, _paired_counter(device))
    assert counter is not None
    officer = session.get(Officer, counter.officer_id) if counter.officer_id else None
    pending = None
    last = queries.last_finished_at_counter(session, counter.id)
    if last is not None and last.finished_at is not None:
        left = rules.pad_seconds - (clock.now() - clock.as_utc(last.finished_at)).total_seconds()
        rated = queries.feedback_of_visit(session, Rating, ticket_id=last.id)
        if left > 1 and rated is None:
            pending = {
                **realtime.rating_requested(last, counter, officer),
                "seconds_left": int(left),
            }
    office = session.get(Office, device.office_id)
    assert office is not None
    return {
        "counter": counter.number,
        "counter_name": counter.name,
        "officer": officer.display_name if officer else None,
        "office": office.name,
        "pending": pending,
        "texts": {
            lang: surveyforms.rating_view(rules.forms().rating, lang) for lang in ("vi", "en")
        },
    }
