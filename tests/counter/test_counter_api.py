"""Officer login and counter actions over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import issue


def test_login(client: Any, creds: Any) -> None:
    good = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": creds["admin"]["password"]}
    )
    assert good.status_code == 201
    body = good.get_json()
    assert body["officer"]["role"] == "admin"
    assert body["expires_at"].endswith("+07:00")
    assert len(body["token"]) >= 40
    for payload in (
        {"username": "admin", "password": "wrong-password"},
        {"username": "ghost", "password": "whatever123"},
    ):
        bad = client.post("/api/v1/auth/token", json=payload)
        assert bad.status_code == 401
        assert bad.get_json()["error"]["code"] == "invalid_credentials"
    assert client.post("/api/v1/auth/token", json={"username": "admin"}).status_code == 400


def test_login_is_rate_limited(client: Any) -> None:
    codes = [
        client.post(
            "/api/v1/auth/token", json={"username": "admin", "password": "wrong-password"}
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429


def test_full_counter_flow(client: Any, kiosk_headers: Any, staff_headers: Any) -> None:
    ticket = issue(client, kiosk_headers)
    called = client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    assert called.status_code == 200
    assert called.get_json()["number"] == ticket["number"]
    assert called.get_json()["state"] == "called"
    assert called.get_json()["counter"] == 1
    status = client.get(f"/api/v1/tickets/{ticket['token']}").get_json()
    assert status["state"] == "called"
    assert status["counter"] == 1
    for verb, state in (("recall", "called"), ("start", "serving"), ("finish", "done")):
        answer = client.post(f"/api/v1/counters/1/{verb}", headers=staff_headers)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["state"] == state
    assert client.post("/api/v1/counters/1/call-next", headers=staff_headers).status_code == 204


def test_no_show_and_transfer(client: Any, kiosk_headers: Any, staff_headers: Any) -> None:
    first = issue(client, kiosk_headers)
    issue(client, kiosk_headers)
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    assert (
        client.post("/api/v1/counters/1/no-show", headers=staff_headers).get_json()["state"]
        == "no_show"
    )
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    moved = client.post("/api/v1/counters/1/transfer", json={"service": "C"}, headers=staff_headers)
    assert moved.status_code == 200
    assert moved.get_json()["service"] == "C"
    assert moved.get_json()["state"] == "waiting"
    again = client.post("/api/v1/counters/3/call-next", headers=staff_headers)
    assert again.get_json()["number"] == "A002"
    assert client.get(f"/api/v1/tickets/{first['token']}").get_json()["state"] == "no_show"


@pytest.mark.parametrize(
    ("verb", "body", "status", "code"),
    [
        ("finish", None, 409, "no_current_ticket"),
        ("recall", None, 409, "no_current_ticket"),
        ("no-show", None, 409, "no_current_ticket"),
        ("transfer", {"service": "B"}, 409, "no_current_ticket"),
        ("transfer", {}, 400, "invalid_transfer"),
        ("transfer", {"counter": "two"}, 400, "invalid_field"),
    ],
)
def test_wrong_state_and_bad_transfer(
    client: Any, staff_headers: Any, verb: str, body: Any, status: int, code: str
) -> None:
    answer = client.post(f"/api/v1/counters/1/{verb}", json=body, headers=staff_headers)
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == code


def test_start_after_start_is_a_conflict(
    client: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    issue(client, kiosk_headers)
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    client.post("/api/v1/counters/1/start", headers=staff_headers)
    answer = client.post("/api/v1/counters/1/start", headers=staff_headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "invalid_ticket_state"


def test_counter_actions_need_an_officer(client: Any, kiosk_headers: Any) -> None:
    assert client.post("/api/v1/counters/1/call-next").status_code == 401
    kiosk = client.post("/api/v1/counters/1/call-next", headers=kiosk_headers)
    assert kiosk.status_code == 401
    bogus = client.post("/api/v1/counters/1/call-next", headers={"Authorization": "Bearer forged"})
    assert bogus.status_code == 401
    assert bogus.get_json()["error"]["code"] == "invalid_token"


def test_unknown_counter_and_other_office(client: Any, staff_headers: Any, app: Any) -> None:
    answer = client.post("/api/v1/counters/99/call-next", headers=staff_headers)
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "unknown_counter"
    from onestop import auth
    from onestop.db import db
    from onestop.models import Counter, Office

    with app.app_context():
        other = Office(code="OTHER", name="Xã khác", timezone="Asia/Ho_Chi_Minh", event_seq=0)
        db.session.add(other)
        db.session.flush()
        db.session.add(Counter(office_id=other.id, number=7, name="7", is_open=True))
        auth.create_officer(db.session, other, "stranger", "password123", "officer")
        db.session.commit()
    token = client.post(
        "/api/v1/auth/token", json={"username": "stranger", "password": "password123"}
    ).get_json()
    # The stranger's office has no counter 1; their counter 7 is not ours.
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 404


def test_expired_token(client: Any, creds: Any, frozen: Any) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": creds["admin"]["password"]}
    )
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/counters", headers=headers).status_code == 200
    frozen.advance(hours=13)
    assert client.get("/api/v1/counters", headers=headers).status_code == 401


def test_counters_list(client: Any, kiosk_headers: Any, staff_headers: Any) -> None:
    issue(client, kiosk_headers)
    client.post("/api/v1/counters/2/call-next", headers=staff_headers)
    rows = client.get("/api/v1/counters", headers=staff_headers).get_json()
    assert [r["number"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["officer"] == "admin"
    assert rows[1]["current"]["number"] == "A001"
    assert rows[1]["services"] == ["B", "A"]


def test_every_state_change_is_audited(
    client: Any, kiosk_headers: Any, staff_headers: Any, app: Any
) -> None:
    from sqlalchemy import select

    from onestop.db import db
    from onestop.models import AuditEvent, TicketEvent

    issue(client, kiosk_headers)
    client.post("/api/v1/counters/1/call-next", headers=staff_headers)
    with app.app_context():
        kinds = db.session.scalars(select(TicketEvent.kind).order_by(TicketEvent.id)).all()
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert kinds == ["issued", "called"]
    assert "logged_in" in actions
    assert "counter_claimed" in actions
