"""Ratings and surveys over HTTP and Socket.IO: one per visit, only for a served visit, only
from the counter that served it (pads), within their windows, rate limited, no personal data."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from onestop import feedback
from onestop.db import db
from onestop.extensions import socketio
from onestop.models import AuditEvent, Counter, Officer, Rating, SurveyResponse, Ticket
from tests.helpers import APPLICANT, LONG_SESSIONS, THREE_DAYS


@pytest.fixture
def app(make_app: Any) -> Flask:
    """Tests move the clock by days: keep the officer's token valid meanwhile."""
    result: Flask = make_app(security=LONG_SESSIONS)
    return result


def pad(creds: dict[str, Any], counter: int = 1) -> dict[str, str]:
    return {"X-Device-Key": creds["devices"][f"rating-{counter}"]}


def served(
    client: FlaskClient, kiosk: dict[str, str], staff: dict[str, str], counter: int = 1
) -> dict[str, Any]:
    """A ticket issued, called and finished at ``counter``."""
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    if counter != 1:
        assert client.post(f"/api/v1/counters/{counter}/call-next", headers=staff).status_code in (
            200,
            204,
        )
    called = client.post(f"/api/v1/counters/{counter}/call-next", headers=staff)
    if called.status_code == 409:  # busy from an earlier step of the same test
        client.post(f"/api/v1/counters/{counter}/finish", headers=staff)
        called = client.post(f"/api/v1/counters/{counter}/call-next", headers=staff)
    assert called.get_json()["number"] == ticket["number"]
    assert client.post(f"/api/v1/counters/{counter}/finish", headers=staff).status_code == 200
    return ticket


def key(client: FlaskClient, token: str) -> str:
    """The feedback key the citizen's paper carries (``?k=`` of the QR link)."""
    return feedback.feedback_key(client.application.config["SECRET_KEY"], token)


def rate(
    client: FlaskClient, token: str, headers: dict[str, str] | None = None, **body: Any
) -> Any:
    """A rating from a pad (``headers``) or, without them, from the citizen's phone."""
    query = "" if headers else f"?k={key(client, token)}"
    return client.post(f"/api/v1/tickets/{token}/rating{query}", json=body, headers=headers or {})


def explain(client: FlaskClient, token: str, reasons: list[str]) -> Any:
    return client.patch(
        f"/api/v1/tickets/{token}/rating?k={key(client, token)}", json={"reasons": reasons}
    )


def error(answer: Any) -> str:
    return str(answer.get_json()["error"]["code"])


def test_pad_rates_what_its_counter_served_once(
    app: Flask, client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    first = rate(client, ticket["token"], pad(creds), score="very_satisfied")
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"score": "very_satisfied", "reasons": [], "channel": "pad"}
    again = rate(client, ticket["token"], pad(creds), score="unsatisfied")
    assert again.status_code == 409
    assert error(again) == "already_rated"
    phone = rate(client, ticket["token"], score="satisfied")
    assert phone.status_code == 409
    assert error(phone) == "already_rated"
    with app.app_context():
        row = db.session.scalars(select(Rating)).one()
        leg = db.session.scalars(select(Ticket).where(Ticket.token == ticket["token"])).one()
        admin = db.session.scalars(select(Officer).where(Officer.username == "admin")).one()
        counter = db.session.get(Counter, row.counter_id)
        assert (row.ticket_id, row.officer_id, row.score.value) == (
            leg.id,
            admin.id,
            "very_satisfied",
        )
        assert counter is not None
        assert counter.number == 1
        assert row.device_id is not None
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rating_recorded"))
        assert [a.actor for a in audit] == ["device:rating-1"]


def test_unserved_unknown_and_foreign_tickets_are_rejected(
    client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    waiting = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    token = waiting.get_json()["token"]
    answer = rate(client, token, score="satisfied")
    assert answer.status_code == 409
    assert error(answer) == "not_served"
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    answer = rate(client, token, pad(creds), score="satisfied")  # called, not finished
    assert answer.status_code == 409
    assert error(answer) == "not_served"
    unknown = rate(client, "x" * 24, score="satisfied")
    assert unknown.status_code == 404
    assert error(unknown) == "unknown_ticket"
    client.post("/api/v1/counters/1/finish", headers=staff_headers)
    other_pad = rate(client, token, pad(creds, 2), score="satisfied")
    assert other_pad.status_code == 403
    assert error(other_pad) == "served_elsewhere"
    kiosk = rate(client, token, kiosk_headers, score="satisfied")
    assert kiosk.status_code == 403
    assert error(kiosk) == "wrong_device_kind"
    forged = rate(client, token, {"X-Device-Key": "not-a-key"}, score="satisfied")
    assert forged.status_code == 401
    for body, code in (({"score": "great"}, "invalid_score"), ({}, "missing_field")):
        bad = rate(client, token, **body)
        assert bad.status_code == 400
        assert error(bad) == code
    garbage = client.post(
        f"/api/v1/tickets/{token}/rating?k={key(client, token)}",
        data="{score",
        content_type="application/json",
    )
    assert garbage.status_code == 400
    assert error(garbage) == "invalid_json"
    assert rate(client, token, pad(creds), score="satisfied").status_code == 201


def test_no_answer_then_the_phone_and_the_reasons(
    client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any, frozen: Any
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    token = ticket["token"]
    assert rate(client, token, score="no_answer").status_code == 400  # a phone cannot
    assert rate(client, token, pad(creds), score="no_answer").status_code == 201
    assert error(rate(client, token, pad(creds), score="no_answer")) == "already_rated"
    with_reason = rate(client, token, score="satisfied", reasons=["attitude"])
    assert with_reason.status_code == 400
    frozen.advance(hours=3)
    later = rate(client, token, score="unsatisfied")
    assert later.status_code == 201
    assert later.get_json()["channel"] == "phone"
    unknown = explain(client, token, ["rude"])
    assert unknown.status_code == 400
    assert error(unknown) == "unknown_reason"
    reasons = explain(client, token, ["came_back", "waited_too_long"])
    assert reasons.status_code == 200
    assert reasons.get_json()["reasons"] == ["waited_too_long", "came_back"]
    twice = explain(client, token, ["other"])
    assert twice.status_code == 409


def test_pad_window_closes_but_the_phone_may_still_rate(
    client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any, frozen: Any
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    frozen.advance(minutes=11)
    late = rate(client, ticket["token"], pad(creds), score="satisfied")
    assert late.status_code == 409
    assert error(late) == "feedback_closed"
    frozen.advance(days=29)
    assert rate(client, ticket["token"], score="satisfied").status_code == 201
    other = served(client, kiosk_headers, staff_headers)
    frozen.advance(days=31)
    closed = rate(client, other["token"], score="satisfied")
    assert closed.status_code == 409
    assert error(closed) == "feedback_closed"


def test_a_transferred_visit_is_rated_where_it_ended(
    app: Flask, client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    moved = client.post("/api/v1/counters/1/transfer", json={"counter": 2}, headers=staff_headers)
    assert moved.status_code == 200
    early = rate(client, ticket["token"], score="satisfied")
    assert early.status_code == 409
    assert error(early) == "not_served"
    assert client.post("/api/v1/counters/2/call-next", headers=staff_headers).status_code == 200
    assert client.post("/api/v1/counters/2/finish", headers=staff_headers).status_code == 200
    assert rate(client, ticket["token"], pad(creds, 1), score="satisfied").status_code == 403
    assert rate(client, ticket["token"], score="satisfied").status_code == 201  # citizen's token
    with app.app_context():
        row = db.session.scalars(select(Rating)).one()
        counter = db.session.get(Counter, row.counter_id)
        assert counter is not None
        assert counter.number == 2


def test_ratings_are_rate_limited_per_ticket(
    client: FlaskClient, kiosk_headers: Any, staff_headers: Any
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    codes = [rate(client, ticket["token"], score="satisfied").status_code for _ in range(11)]
    assert codes[0] == 201
    assert set(codes[1:10]) == {409}
    assert codes[10] == 429


def test_the_pad_hears_its_own_counter_only_and_finds_the_pending_visit(
    app: Flask, client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any, frozen: Any
) -> None:
    pads = {
        n: socketio.test_client(
            app,
            namespace="/rating",
            auth={"key": creds["devices"][f"rating-{n}"]},
            flask_test_client=client,
        )
        for n in (1, 2)
    }
    assert all(p.is_connected("/rating") for p in pads.values())
    refused = socketio.test_client(
        app,
        namespace="/rating",
        auth={"key": creds["devices"]["kiosk-1"]},
        flask_test_client=client,
    )
    assert not refused.is_connected("/rating")
    ticket = served(client, kiosk_headers, staff_headers)
    heard = [e for e in pads[1].get_received("/rating") if e["name"] == "rating_requested"]
    assert [e["args"][0]["number"] for e in heard] == [ticket["number"]]
    assert heard[0]["args"][0]["token"] == ticket["token"]
    assert heard[0]["args"][0]["counter"] == 1
    assert pads[2].get_received("/rating") == []
    state = client.get("/api/v1/rating-pad/state", headers=pad(creds)).get_json()
    assert state["counter"] == 1
    assert state["officer"]
    assert state["pending"]["token"] == ticket["token"]
    assert 25 <= state["pending"]["seconds_left"] <= 30
    assert state["texts"]["vi"]["levels"][0]["label"] == "Rất hài lòng"
    assert state["texts"]["en"]["levels"][0]["label"] != "Rất hài lòng"
    frozen.advance(seconds=31)  # the pad has given up asking
    assert client.get("/api/v1/rating-pad/state", headers=pad(creds)).get_json()["pending"] is None
    other = served(client, kiosk_headers, staff_headers)
    assert rate(client, other["token"], pad(creds), score="satisfied").status_code == 201
    assert client.get("/api/v1/rating-pad/state", headers=pad(creds)).get_json()["pending"] is None
    assert client.get("/api/v1/rating-pad/state", headers=kiosk_headers).status_code == 403
    for p in pads.values():
        p.disconnect("/rating")


def survey(client: FlaskClient, token: str, method: str = "POST", **body: Any) -> Any:
    path = f"/api/v1/tickets/{token}/survey?k={key(client, token)}"
    return client.open(path, method=method, json=body)


SHORT = {"f1": 5, "f2": "4", "f3": 2, "visits": "1"}


def test_survey_once_editable_for_a_day_without_personal_data(
    app: Flask, client: FlaskClient, kiosk_headers: Any, staff_headers: Any, frozen: Any
) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()
    early = survey(client, ticket["token"], answers=SHORT)
    assert early.status_code == 409
    assert error(early) == "not_served"
    assert survey(client, ticket["token"], "GET").get_json()["served"] is False
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    client.post("/api/v1/counters/1/finish", headers=staff_headers)
    text = unicodedata.normalize(
        "NFD", "Cán bộ nhiệt tình. Gọi tôi 0912 345 678, CCCD 001090012345"
    )
    first = survey(
        client,
        ticket["token"],
        answers={**SHORT, "expectation": text},
        contact="Chị Lan 0987654321",
    )
    assert first.status_code == 201, first.get_json()
    stored = first.get_json()
    assert stored["answers"]["f2"] == 4
    assert stored["contact_given"] is True
    # Times as the office reads them, with its offset (they came back in UTC).
    assert stored["answered_at"] == "2026-11-23T09:00:00+07:00"
    assert stored["editable_until"].endswith("+07:00")
    assert survey(client, ticket["token"], "GET").get_json()["open_until"].endswith("+07:00")
    assert stored["answers"]["expectation"] == "Cán bộ nhiệt tình. Gọi tôi […], CCCD […]"
    assert "0987654321" not in str(survey(client, ticket["token"], "GET").data)
    again = survey(client, ticket["token"], answers=SHORT)
    assert again.status_code == 409
    assert error(again) == "already_answered"
    frozen.advance(hours=23)
    edited = survey(client, ticket["token"], "PUT", answers={"f3": 5, "visits": "0"})
    assert edited.status_code == 200
    assert edited.get_json()["answers"]["f3"] == 5
    with app.app_context():
        row = db.session.scalars(select(SurveyResponse)).one()
        assert row.edits == 1
        assert row.contact == "Chị Lan 0987654321"
        assert row.answers == {"f3": 5, "visits": "0"}
    frozen.advance(hours=2)
    closed = survey(client, ticket["token"], "PUT", answers=SHORT)
    assert closed.status_code == 409
    assert error(closed) == "survey_closed"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"answers": {"f9": 3}}, "unknown_question"),
        ({"answers": {"f1": 6}}, "invalid_answer"),
        ({"answers": {"f1": True}}, "invalid_answer"),
        ({"answers": {"visits": "2"}}, "invalid_answer"),
        ({"answers": {}}, "empty_survey"),
        ({"answers": "all good"}, "invalid_answers"),
        ({"form": "long", "answers": {"f1": 3}}, "unknown_form"),
        ({"answers": {"expectation": "x" * 1001}}, "too_long"),
        ({"answers": {"f1": 3}, "contact": "x" * 201}, "too_long"),
    ],
)
def test_bad_survey_answers_are_refused_clearly(
    client: FlaskClient, kiosk_headers: Any, staff_headers: Any, body: Any, code: str
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    answer = survey(client, ticket["token"], **body)
    assert answer.status_code == 400, answer.get_json()
    assert error(answer) == code, answer.get_json()


def test_receipt_qr_rates_a_dossier_taken_without_a_ticket(
    client: FlaskClient, staff_headers: Any
) -> None:
    received = client.post(
        "/api/v1/dossiers",
        json={
            "procedure": THREE_DAYS,
            "applicant": APPLICANT,
            "channel": "direct",
            "delivery": "counter",
        },
        headers=staff_headers,
    ).get_json()
    base = f"/api/v1/dossiers/{received['code']}"
    wrong = client.post(f"{base}/survey?token=nope", json={"answers": SHORT})
    assert wrong.status_code == 404
    assert error(wrong) == "unknown_dossier"
    query = f"?token={received['token']}&k={key(client, received['token'])}"
    assert client.post(f"{base}/rating{query}", json={"score": "satisfied"}).status_code == 201
    assert client.post(f"{base}/rating{query}", json={"score": "satisfied"}).status_code == 409
    answer = client.post(f"{base}/survey{query}", json={"answers": SHORT})
    assert answer.status_code == 201
    state = client.get(f"{base}/survey{query}").get_json()
    assert state["rating"]["score"] == "satisfied"
    assert state["survey"]["answers"]["f1"] == 5
    page = client.get(f"/d/{received['token']}/survey?k={key(client, received['token'])}")
    assert page.status_code == 200
    assert "survey-form" in page.text
    assert "Nguyễn" not in page.text


@pytest.mark.services
def test_the_same_visit_rated_twice_at_once_on_postgresql(pg_app: Any) -> None:
    """The UNIQUE constraint and the savepoint: of two simultaneous ratings (pad and phone) and
    two simultaneous first survey answers, one of each is stored and the other is a clean 409."""
    import threading

    from onestop import feedback, queue
    from onestop.errors import Conflict
    from onestop.models import Device

    app, creds = pg_app
    client = app.test_client()
    staff = {
        "Authorization": "Bearer "
        + client.post(
            "/api/v1/auth/token",
            json={"username": "admin", "password": creds["admin"]["password"]},
        ).get_json()["token"]
    }
    ticket = served(client, {"X-Device-Key": creds["devices"]["kiosk-1"]}, staff)
    rules = app.extensions["onestop.feedback"]
    outcomes: dict[str, list[str]] = {"rating": [], "survey": []}

    def race(what: str, barrier: threading.Barrier, pad_name: str | None) -> None:
        with db.new_session(app) as session:
            visit = feedback.visit_of_ticket(session, queue.find_ticket(session, ticket["token"]))
            device = session.scalars(select(Device).where(Device.name == pad_name)).first()
            barrier.wait(10)
            try:
                if what == "rating":
                    feedback.rate(session, visit, "satisfied", device=device, rules=rules)
                else:
                    answer = feedback.SurveyAnswer(answers={"f1": 4})
                    feedback.answer_survey(session, visit, answer, rules=rules)
                session.commit()
                outcomes[what].append("stored")
            except Conflict as exc:
                session.rollback()
                outcomes[what].append(exc.code)

    for what in ("rating", "survey"):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=race, args=(what, barrier, name)) for name in ("rating-1", None)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(outcomes["rating"]) == ["already_rated", "stored"]
    assert sorted(outcomes["survey"]) == ["already_answered", "stored"]
    with db.new_session(app) as session:
        assert session.query(Rating).count() == 1
        assert session.query(SurveyResponse).count() == 1


def test_the_token_alone_does_not_let_anyone_rate(
    client: FlaskClient, kiosk_headers: Any, staff_headers: Any
) -> None:
    """Staff see ticket tokens (reprints, dossiers); only the citizen's paper carries the key."""
    issued = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    link = issued.get_json()["status_url"]
    token = issued.get_json()["token"]
    assert link.endswith(f"/t/{token}?k={key(client, token)}")
    at_counter = client.post("/api/v1/tickets", json={"service": "B"}, headers=staff_headers)
    assert "?k=" not in at_counter.get_json()["status_url"]
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    finished = client.post("/api/v1/counters/1/finish", headers=staff_headers).get_json()
    assert finished["token"] == token  # what the counter screen holds
    right = key(client, token)
    altered = right[:-1] + ("B" if right.endswith("A") else "A")  # one letter off, never equal
    for query in ("", "?k=", f"?k={altered}", f"?k={key(client, 'x')}"):
        refused = client.post(f"/api/v1/tickets/{token}/rating{query}", json={"score": "satisfied"})
        assert refused.status_code == 403
        assert error(refused) == "feedback_key_invalid"
    assert client.get(f"/api/v1/tickets/{token}/survey").status_code == 403
    page = client.get(f"/t/{token}")
    assert "survey-link" not in page.text  # the status page without the key offers no survey
    page = client.get(f"/t/{token}?k={key(client, token)}")
    assert f"/t/{token}/survey?k={key(client, token)}" in page.text
    bare = client.get(f"/t/{token}/survey")
    assert bare.status_code == 200
    assert "no-key" in bare.text
    assert "survey-form" not in bare.text
    qr = client.get(f"/t/{token}/qr.svg?k={key(client, token)}")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert rate(client, token, score="satisfied").status_code == 201


def test_survey_edits_keep_the_form_and_contact_can_be_withdrawn(
    app: Flask, client: FlaskClient, kiosk_headers: Any, staff_headers: Any
) -> None:
    ticket = served(client, kiosk_headers, staff_headers)
    full = {"c3_1": 1, "c2_1": 5, "visits": "more"}
    given = survey(client, ticket["token"], form="full", answers=full, contact="Anh Nam\x00 0901")
    assert given.status_code == 201
    switched = survey(client, ticket["token"], "PUT", form="short", answers={"f1": 5})
    assert switched.status_code == 409
    assert error(switched) == "other_form"
    state = survey(client, ticket["token"], "GET").get_json()
    assert state["form"]["code"] == "full"
    assert state["survey"]["answers"] == full
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse)).one().contact == "Anh Nam 0901"
    withdrawn = survey(client, ticket["token"], "PUT", form="full", answers=full, contact="")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["contact_given"] is False
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse)).one().contact is None


def test_supervisors_see_who_asked_to_be_called_back_and_it_is_audited(
    app: Flask, client: FlaskClient, kiosk_headers: Any, staff_headers: Any, frozen: Any
) -> None:
    from onestop import auth

    ticket = served(client, kiosk_headers, staff_headers)
    survey(client, ticket["token"], answers={"expectation": "Xin gọi lại"}, contact="Chị Mai 0988")
    quiet = served(client, kiosk_headers, staff_headers)
    survey(client, quiet["token"], answers={"f1": 5})
    with app.app_context():
        office = auth.office_by_code(db.session, app.config["ONESTOP"]["office"]["code"])
        auth.create_officer(db.session, office, "canbo2", "a-long-password", "officer")
        db.session.commit()
    officer = client.post(
        "/api/v1/auth/token", json={"username": "canbo2", "password": "a-long-password"}
    ).get_json()["token"]
    period = {"from": "2026-11-23", "to": "2026-11-23"}
    refused = client.post(
        "/api/v1/feedback/contacts", json=period, headers={"Authorization": f"Bearer {officer}"}
    )
    assert refused.status_code == 403
    found = client.post("/api/v1/feedback/contacts", json=period, headers=staff_headers)
    assert found.status_code == 200
    assert [(c["contact"], c["counter"], c["answers"]) for c in found.get_json()] == [
        ("Chị Mai 0988", 1, {"expectation": "Xin gọi lại"})
    ]
    before = client.post(
        "/api/v1/feedback/contacts",
        json={"from": "2026-11-20", "to": "2026-11-22"},
        headers=staff_headers,
    )
    assert before.get_json() == []
    with app.app_context():
        audit = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "contacts_revealed")
        ).all()
        assert [(a.actor, a.data) for a in audit] == [
            ("officer:admin", {"count": 1}),
            ("officer:admin", {"count": 0}),
        ]


def test_a_dossier_whose_visit_ended_unserved_is_rated_by_itself(
    client: FlaskClient, kiosk_headers: Any, staff_headers: Any
) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    received = client.post(
        "/api/v1/dossiers",
        json={
            "procedure": THREE_DAYS,
            "ticket": ticket["token"],
            "applicant": APPLICANT,
            "channel": "direct",
            "delivery": "counter",
        },
        headers=staff_headers,
    ).get_json()
    client.post("/api/v1/counters/1/transfer", json={"counter": 2}, headers=staff_headers)
    client.post("/api/v1/counters/2/call-next", headers=staff_headers)
    assert client.post("/api/v1/counters/2/no-show", headers=staff_headers).status_code == 200
    query = f"?token={received['token']}&k={key(client, received['token'])}"
    answer = client.post(
        f"/api/v1/dossiers/{received['code']}/rating{query}", json={"score": "satisfied"}
    )
    assert answer.status_code == 201
    assert rate(client, ticket["token"], score="satisfied").get_json()["error"]["code"] == (
        "not_served"
    )


def test_a_pad_is_rate_limited_across_tickets(
    client: FlaskClient, creds: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    """A pad's limit counts all its requests, whatever ticket they name."""
    tickets = [served(client, kiosk_headers, staff_headers) for _ in range(2)]
    codes = [
        rate(client, tickets[i % 2]["token"], pad(creds), score="no_answer").status_code
        for i in range(11)
    ]
    assert codes[:2] == [201, 201]
    assert set(codes[2:10]) == {409}
    assert codes[10] == 429
