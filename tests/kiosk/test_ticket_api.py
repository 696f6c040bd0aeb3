"""The kiosk's HTTP API: services, tickets, public status, QR, and every kind of bad input."""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import Any

import pytest


def test_services_need_a_kiosk_or_staff(client: Any, kiosk_headers: Any, creds: Any) -> None:
    assert client.get("/api/v1/services").status_code == 401
    answer = client.get("/api/v1/services", headers=kiosk_headers)
    assert answer.status_code == 200
    rows = answer.get_json()
    assert [r["code"] for r in rows] == ["A", "B", "C", "D"]
    assert set(rows[0]) >= {"code", "name", "prefix", "waiting", "open"}
    display_key = {"X-Device-Key": creds["devices"]["display-1"]}
    denied = client.get("/api/v1/services", headers=display_key)
    assert denied.status_code == 403
    assert denied.get_json()["error"]["code"] == "wrong_device_kind"
    assert client.get("/api/v1/services", headers={"X-Device-Key": "nope"}).status_code == 401


def test_issue_ticket_contract(client: Any, kiosk_headers: Any) -> None:
    answer = client.post("/api/v1/tickets", json={"service": "B"}, headers=kiosk_headers)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["number"] == "B001"
    assert body["service"] == "B"
    # The citizen's link carries the feedback key (see tests/kiosk/test_feedback_api.py).
    assert f"/t/{body['token']}?k=" in body["status_url"]
    assert body["issued_at"].endswith("+07:00")
    assert body["waiting_ahead"] == 0
    assert body["estimated_wait_minutes"] == 0
    assert body["print"] == {"status": "queued"}  # the demo kiosk has a virtual printer
    second = client.post("/api/v1/tickets", json={"service": "B"}, headers=kiosk_headers)
    assert second.get_json()["waiting_ahead"] == 1


def test_public_status_reveals_no_personal_or_internal_data(
    client: Any, kiosk_headers: Any
) -> None:
    token = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()[
        "token"
    ]
    status = client.get(f"/api/v1/tickets/{token}").get_json()
    assert status["state"] == "waiting"
    assert status["position"] == 1
    assert set(status) == {
        "number",
        "service",
        "service_name",
        "service_name_en",
        "state",
        "position",
        "estimated_wait_minutes",
        "counter",
        "issued_at",
        "called_at",
        "status_url",
        "dossiers",
    }
    assert client.get("/api/v1/tickets/not-a-token").status_code == 404
    page = client.get(f"/t/{token}")
    assert page.status_code == 200
    assert "A001" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    qr = client.get(f"/t/{token}/qr.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b"", 400, "invalid_json"),
        (b'{"service": 7}', 400, "invalid_field"),
        (b'{"priority": "elderly_60"}', 400, "missing_field"),
        (b'{"service": "Z"}', 404, "unknown_service"),
        (b'{"service": "A", "priority": "vip"}', 400, "unknown_priority"),
        (b'{"service": "' + b"A" * 3000 + b'"}', 400, "too_long"),
    ],
)
def test_bad_ticket_requests(
    client: Any, kiosk_headers: Any, body: bytes, status: int, code: str
) -> None:
    answer = client.post(
        "/api/v1/tickets", data=body, headers=kiosk_headers, content_type="application/json"
    )
    assert answer.status_code == status
    error = answer.get_json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_oversized_body_is_refused(client: Any, kiosk_headers: Any) -> None:
    answer = client.post(
        "/api/v1/tickets", data=b"x" * 70000, headers=kiosk_headers, content_type="application/json"
    )
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "too_large"


def test_nfd_service_code_is_normalised(client: Any, kiosk_headers: Any, app: Any) -> None:
    from onestop.db import db
    from onestop.models import Service

    with app.app_context():
        db.session.add(
            Service(
                office_id=1,
                code="Hộ-tịch-2",
                prefix="H",
                name="Hộ tịch 2",
                name_en="",
                position=9,
                is_open=True,
            )
        )
        db.session.commit()
    nfd = unicodedata.normalize("NFD", "Hộ-tịch-2")
    assert nfd != "Hộ-tịch-2"
    answer = client.post("/api/v1/tickets", json={"service": nfd}, headers=kiosk_headers)
    assert answer.status_code == 201
    assert answer.get_json()["number"] == "H001"


def test_closed_service(client: Any, kiosk_headers: Any, app: Any) -> None:
    from sqlalchemy import update

    from onestop.db import db
    from onestop.models import Service

    with app.app_context():
        db.session.execute(update(Service).where(Service.code == "C").values(is_open=False))
        db.session.commit()
    answer = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk_headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "service_closed"


def test_ticket_rate_limit_per_device(make_app: Any, tmp_path: Any, demo_templates: Any) -> None:
    app = make_app(security={"ticket_rate_limit": "3 per minute"})
    creds = demo_templates.load(app, tmp_path)
    client = app.test_client()
    headers = {"X-Device-Key": creds["devices"]["kiosk-1"]}
    answers = [
        client.post("/api/v1/tickets", json={"service": "A"}, headers=headers) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert "X-RateLimit-Limit" not in answers[0].headers  # told only when it is reached
    last = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    assert last.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(last.headers["Retry-After"]) <= 60  # the minute's window ends by then
    assert last.headers["X-RateLimit-Limit"] == "3"
    assert last.headers["X-RateLimit-Remaining"] == "0"
    # A limit on another route is counted apart: the ticket's own status still answers.
    token = answers[0].get_json()["token"]
    assert client.get(f"/api/v1/tickets/{token}", headers=headers).status_code == 200


def test_busy_database_answers_503_and_loses_nothing(
    make_app: Any, tmp_path: Any, demo_templates: Any
) -> None:
    app = make_app(database={"busy_timeout_ms": 200})
    creds = demo_templates.load(app, tmp_path)
    client = app.test_client()
    headers = {"X-Device-Key": creds["devices"]["kiosk-1"]}
    path = app.config["ONESTOP"]["database"]["url"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
        assert busy.status_code == 503
        assert busy.get_json()["error"]["code"] == "database_busy"
        assert busy.headers["Retry-After"] == "1"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    retry = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    assert retry.status_code == 201
    assert retry.get_json()["number"] == "A001"


def test_kiosk_page_and_assets_are_local(client: Any) -> None:
    page = client.get("/kiosk").get_data(as_text=True)
    assert "/static/vendor/socket.io.min.js" in page
    assert "http://" not in page.replace("http://127.0.0.1", "")
    assert "https://" not in page
    with client.get("/static/vendor/socket.io.min.js") as asset:
        assert asset.status_code == 200
        assert b"Socket.IO" in asset.data
