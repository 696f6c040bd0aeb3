"""The kiosk page and what it relies on: idempotent tickets, the public catalog, languages."""

from __future__ import annotations

import json
from typing import Any

from onestop.models import Ticket
from tests.conftest import data_block


def test_same_idempotency_key_returns_the_same_ticket(
    client: Any, kiosk_headers: Any, session: Any
) -> None:
    headers = {**kiosk_headers, "Idempotency-Key": "a" * 32}
    first = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    again = client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["token"] == first.get_json()["token"]
    assert again.get_json()["number"] == "A001"
    assert session.query(Ticket).count() == 1
    session.rollback()  # release SQLite's write lock (sessions begin IMMEDIATE)
    # A new key is a new ticket, numbered on as if the replay never happened.
    other = {**kiosk_headers, "Idempotency-Key": "b" * 32}
    third = client.post("/api/v1/tickets", json={"service": "A"}, headers=other)
    assert third.status_code == 201
    assert third.get_json()["number"] == "A002"


def test_idempotency_key_misuse_is_refused(client: Any, kiosk_headers: Any) -> None:
    headers = {**kiosk_headers, "Idempotency-Key": "c" * 32}
    assert client.post("/api/v1/tickets", json={"service": "A"}, headers=headers).status_code == 201
    reused = client.post("/api/v1/tickets", json={"service": "B"}, headers=headers)
    assert reused.status_code == 409
    assert reused.get_json()["error"]["code"] == "request_key_reused"
    short = client.post(
        "/api/v1/tickets", json={"service": "A"}, headers={**kiosk_headers, "Idempotency-Key": "x"}
    )
    assert short.status_code == 400
    assert short.get_json()["error"]["code"] == "invalid_field"


def test_public_catalog_lists_papers_time_and_fee(client: Any) -> None:
    answer = client.get("/api/v1/procedures")
    assert answer.status_code == 200
    fields = answer.get_json()
    assert [f["code"] for f in fields] == ["CT", "HT", "BTXH", "NCC"]
    assert sum(len(f["procedures"]) for f in fields) == 47
    birth = next(p for p in fields[1]["procedures"] if p["code"] == "1.001193")
    assert (
        birth["legal_time"] == "Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
    )
    assert birth["documents"][0].startswith("Tờ khai đăng ký khai sinh")
    # Whether the law states the time: where it does not, the desk asks for the appointment.
    stated = {p["code"]: p["time_stated"] for f in fields for p in f["procedures"]}
    assert (stated["1.001193"], stated["1.004873"], stated["1.010833"]) == (True, True, False)
    assert sum(not known for known in stated.values()) == 18
    english = client.get("/api/v1/procedures?lang=en").get_json()
    assert english[0]["name"] == "Certification"
    marriage = next(p for p in english[1]["procedures"] if p["code"] == "1.004873")
    assert marriage["legal_time"] == "3 working days"
    assert "[S]" not in json.dumps(english)  # source markers are for staff


def test_kiosk_page_languages(client: Any) -> None:
    vi = client.get("/kiosk").get_data(as_text=True)
    assert '<html lang="vi">' in vi
    assert "Chạm vào dịch vụ để lấy số thứ tự" in vi
    unknown = client.get("/kiosk?lang=fr")
    assert '<html lang="vi">' in unknown.get_data(as_text=True)
    assert "Set-Cookie" not in unknown.headers  # an unknown language is not remembered
    en = client.get("/kiosk?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en
    assert "Touch a service to take a number" in en
    assert data_block(vi, "kiosk-strings")["waiting"] == "Đang chờ: {n}"
    # Every procedure has its detail screen, with the papers to bring.
    assert vi.count('class="screen procedure-detail"') == 47


def test_ticket_page_in_both_languages(client: Any, kiosk_headers: Any) -> None:
    token = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk_headers).get_json()[
        "token"
    ]
    vi = client.get(f"/t/{token}").get_data(as_text=True)
    assert "C001" in vi
    assert "Đang chờ: còn 0 người trước ông/bà" in vi
    en = client.get(f"/t/{token}?lang=en")
    assert "Waiting: 0 people ahead of you" in en.get_data(as_text=True)
    assert "onestop_lang=en" in en.headers["Set-Cookie"]
    # The cookie keeps the phone in English on the next visit.
    assert "Social protection" in client.get(f"/t/{token}").get_data(as_text=True)
