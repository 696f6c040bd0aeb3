"""The rules of the citizen's rating and survey, straight over a session (no HTTP): which visit
is rated, who may rate it and when, the survey's once-then-change rule, masking, and the
contact list. The API tests (tests/kiosk/test_feedback_api.py) cover the same from the pad and
the phone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from onestop import auth, dossiers, feedback, queries, queue, workcalendar
from onestop.errors import Conflict, Forbidden, InvalidInput
from onestop.models import AuditEvent, Device, RatingScore, SurveyResponse, Ticket

SHORT = {"f1": 4, "f2": 5, "visits": "0"}


@pytest.fixture
def env(app: Any, creds: Any, session: Any, frozen: Any) -> Any:
    """A visit served at counter 1 (A001), the pads of counters 1 and 2, and the rules."""
    office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
    admin = queries.officer_by_username(session, "admin")
    rules = app.extensions["onestop.rules"]
    actor = queue.Actor(officer=admin)

    class Env:
        pass

    e = Env()
    e.office, e.admin, e.rules, e.clock = office, admin, rules, frozen
    e.feedback = app.extensions["onestop.feedback"]
    e.pads = {n: session.scalar(select(Device).where(Device.name == f"rating-{n}")) for n in (1, 2)}

    def served(counter: int = 1) -> Any:
        ticket = session.get(
            Ticket, queue.issue_ticket(session, office, "A", rules=rules).ticket.id
        )
        queue.call_next(session, office, counter, actor=actor, rules=rules)
        queue.finish(session, office, counter, actor=actor, rules=rules)
        session.commit()
        return ticket

    def change(visit: Any, answer: feedback.SurveyAnswer, *, keep: bool = True) -> Any:
        return feedback.change_survey(session, visit, answer, keep_contact=keep, rules=e.feedback)

    e.served, e.change = served, change
    return e


def test_a_visit_is_rated_once_where_it_was_served(session: Any, env: Any) -> None:
    ticket = env.served()
    visit = feedback.visit_of_ticket(session, ticket)
    assert (visit.label, visit.officer_id) == ("A001", env.admin.id)
    with pytest.raises(Forbidden) as elsewhere:
        feedback.rate(session, visit, "satisfied", device=env.pads[2], rules=env.feedback)
    assert elsewhere.value.code == "served_elsewhere"
    rating = feedback.rate(session, visit, "satisfied", device=env.pads[1], rules=env.feedback)
    session.commit()
    assert (rating.score, rating.channel, rating.counter_id) == (
        RatingScore.SATISFIED,
        "pad",
        ticket.counter_id,
    )
    with pytest.raises(Conflict) as twice:
        feedback.rate(session, visit, "very_satisfied", device=None, rules=env.feedback)
    assert twice.value.code == "already_rated"


def test_a_visit_not_served_cannot_be_rated(session: Any, env: Any) -> None:
    waiting = session.get(
        Ticket, queue.issue_ticket(session, env.office, "B", rules=env.rules).ticket.id
    )
    session.commit()
    with pytest.raises(Conflict) as early:
        feedback.visit_of_ticket(session, waiting)
    assert early.value.code == "not_served"
    assert feedback.visit_if_served(lambda: feedback.visit_of_ticket(session, waiting)) is None


def test_the_pads_no_answer_gives_way_to_the_phone(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    feedback.rate(session, visit, "no_answer", device=env.pads[1], rules=env.feedback)
    with pytest.raises(InvalidInput) as phone_silence:
        feedback.rate(session, visit, "no_answer", device=None, rules=env.feedback)
    assert phone_silence.value.code == "invalid_score"
    rating = feedback.rate(session, visit, "unsatisfied", device=None, rules=env.feedback)
    assert (rating.score, rating.channel, rating.device_id) == (
        RatingScore.UNSATISFIED,
        "phone",
        None,
    )


def test_the_pad_window_closes_before_the_phones(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    env.clock.advance(minutes=11)  # [feedback] pad_window_minutes = 10
    with pytest.raises(Conflict) as closed:
        feedback.rate(session, visit, "satisfied", device=env.pads[1], rules=env.feedback)
    assert closed.value.code == "feedback_closed"
    assert feedback.rate(session, visit, "satisfied", device=None, rules=env.feedback)
    env.clock.advance(days=31)
    other = feedback.visit_of_ticket(session, env.served())
    env.clock.advance(days=31)  # [feedback] survey_days = 30
    with pytest.raises(Conflict):
        feedback.rate(session, other, "satisfied", device=None, rules=env.feedback)


def test_reasons_go_with_unsatisfied_once_in_canonical_order(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    with pytest.raises(InvalidInput):
        feedback.rate(
            session, visit, "satisfied", reasons=["attitude"], device=None, rules=env.feedback
        )
    with pytest.raises(Conflict) as nothing:
        feedback.add_reasons(session, visit, ["attitude"], device=None, rules=env.feedback)
    assert nothing.value.code == "no_rating"
    feedback.rate(session, visit, "unsatisfied", device=env.pads[1], rules=env.feedback)
    with pytest.raises(InvalidInput) as unknown:
        feedback.add_reasons(session, visit, ["rude"], device=env.pads[1], rules=env.feedback)
    assert unknown.value.code == "unknown_reason"
    rating = feedback.add_reasons(
        session,
        visit,
        ["other", "waited_too_long", "other"],
        device=env.pads[1],
        rules=env.feedback,
    )
    assert rating.reasons == ["waited_too_long", "other"]
    with pytest.raises(Conflict):
        feedback.add_reasons(session, visit, ["attitude"], device=env.pads[1], rules=env.feedback)


def test_a_survey_is_answered_once_then_changed_in_its_form(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    answer = feedback.SurveyAnswer(answers=SHORT, contact="  Chị Lan 0912 ", language="en")
    stored = feedback.answer_survey(session, visit, answer, rules=env.feedback)
    assert (stored.form, stored.answers, stored.contact, stored.language) == (
        "short",
        SHORT,
        "Chị Lan 0912",
        "en",
    )
    with pytest.raises(Conflict) as again:
        feedback.answer_survey(session, visit, answer, rules=env.feedback)
    assert again.value.code == "already_answered"
    with pytest.raises(Conflict) as other_form:
        env.change(visit, replace(answer, form="full", answers={"c1_1": 4}))
    assert other_form.value.code == "other_form"
    changed = env.change(visit, feedback.SurveyAnswer(answers={"f1": 2}, language="xx"))
    assert (changed.answers, changed.contact, changed.language, changed.edits) == (
        {"f1": 2},
        "Chị Lan 0912",
        "vi",
        1,
    )
    withdrawn = env.change(visit, feedback.SurveyAnswer(answers={"f1": 2}), keep=False)
    assert withdrawn.contact is None
    env.clock.advance(hours=25)  # [feedback] edit_hours = 24
    with pytest.raises(Conflict) as late:
        env.change(visit, feedback.SurveyAnswer(answers=SHORT))
    assert late.value.code == "survey_closed"
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target == "visit:A001"))
    assert list(actions) == ["survey_answered", "survey_changed", "survey_changed"]


def test_a_change_needs_an_answer_first(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    with pytest.raises(Conflict) as missing:
        env.change(visit, feedback.SurveyAnswer(answers=SHORT))
    assert missing.value.code == "not_answered"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (feedback.SurveyAnswer(form="long", answers=SHORT), "unknown_form"),
        (feedback.SurveyAnswer(answers={"f9": 3}), "unknown_question"),
        (feedback.SurveyAnswer(answers={}), "empty_survey"),
        (feedback.SurveyAnswer(answers=SHORT, contact="x" * 201), "too_long"),
    ],
)
def test_bad_answers_are_refused(
    session: Any, env: Any, answer: feedback.SurveyAnswer, code: str
) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    with pytest.raises(InvalidInput) as refused:
        feedback.answer_survey(session, visit, answer, rules=env.feedback)
    assert refused.value.code == code
    assert session.scalars(select(SurveyResponse)).all() == []


def test_free_text_loses_phone_and_id_numbers(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    text = "Gọi 0912 345 678 hoặc +84 912345678, CCCD 001 090 012 345, mail a.b@x.vn"
    stored = feedback.answer_survey(
        session, visit, feedback.SurveyAnswer(answers={"expectation": text}), rules=env.feedback
    )
    kept = stored.answers["expectation"]
    for personal in ("0912", "912345678", "001 090", "a.b@x.vn"):
        assert personal not in kept
    assert kept.count(feedback.MASK) == 4


def test_a_dossier_without_a_ticket_is_its_own_visit(session: Any, env: Any, app: Any) -> None:
    cfg = app.config["ONESTOP"]
    desk = dossiers.Desk(
        env.office, workcalendar.calendar_for(session, env.office, cfg), officer=env.admin
    )
    alone = dossiers.receive_dossier(
        session, desk, procedure_code="1.004873", applicant={"name": "An"}
    ).dossier
    visit = feedback.visit_of_dossier(session, alone)
    assert (visit.ticket, visit.dossier, visit.label) == (None, alone, alone.code)
    ticket = env.served()
    with_ticket = dossiers.receive_dossier(
        session,
        desk,
        procedure_code="1.004873",
        applicant={"name": "Bình"},
        ticket_token=ticket.token,
    ).dossier
    # Received from a visit finished earlier today: rated as that visit, once.
    assert feedback.visit_of_dossier(session, with_ticket).ticket == ticket


def test_the_feedback_key_belongs_to_one_token_and_one_secret() -> None:
    key = feedback.feedback_key("secret", "token-1")
    assert feedback.key_matches("secret", "token-1", key)
    assert not feedback.key_matches("secret", "token-2", key)
    assert not feedback.key_matches("other", "token-1", key)
    assert not feedback.key_matches("secret", "token-1", None)
    with pytest.raises(Forbidden) as refused:
        feedback.check_key("secret", "token-1", key[:-1])
    assert refused.value.code == "feedback_key_invalid"


def test_contacts_are_revealed_to_supervisors_with_an_audit_row(session: Any, env: Any) -> None:
    visit = feedback.visit_of_ticket(session, env.served())
    feedback.answer_survey(
        session, visit, feedback.SurveyAnswer(answers=SHORT, contact="Anh Nam"), rules=env.feedback
    )
    quiet = feedback.visit_of_ticket(session, env.served())
    feedback.answer_survey(session, quiet, feedback.SurveyAnswer(answers=SHORT), rules=env.feedback)
    now = env.clock()
    found = feedback.reveal_contacts(
        session,
        env.office,
        now - timedelta(hours=1),
        now + timedelta(hours=1),
        actor="officer:admin",
        tz="Asia/Ho_Chi_Minh",
    )
    assert [(c["contact"], c["counter"]) for c in found] == [("Anh Nam", 1)]
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "contacts_revealed")
    ).one()
    assert (audit.actor, audit.data) == ("officer:admin", {"count": 1})


def test_the_pad_resumes_a_question_still_open(session: Any, env: Any) -> None:
    env.served()
    state = feedback.pad_state(session, env.pads[1], env.feedback)
    assert state["counter"] == 1
    assert state["pending"]["number"] == "A001"
    assert state["pending"]["seconds_left"] == env.feedback.pad_seconds
    assert feedback.pad_state(session, env.pads[2], env.feedback)["pending"] is None
    env.clock.advance(seconds=env.feedback.pad_seconds)
    assert feedback.pad_state(session, env.pads[1], env.feedback)["pending"] is None
