"""What the counter screen relies on: the priority check, the officer's day, the page itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import data_block
from tests.helpers import error_code, issue


def post(client: Any, headers: Any, path: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/counters/1/{path}", json=body, headers=headers)


@pytest.mark.parametrize("confirmed", [True, False])
def test_priority_check_is_recorded_once(
    client: Any, kiosk_headers: Any, staff_headers: Any, confirmed: bool
) -> None:
    ticket = issue(client, kiosk_headers, priority="elderly_80")
    called = post(client, staff_headers, "call-next").get_json()
    assert called["number"] == ticket["number"]
    assert called["priority"] == "elderly_80"
    assert called["priority_confirmed"] is None

    checked = post(client, staff_headers, "priority", {"confirmed": confirmed})
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["priority_confirmed"] is confirmed
    assert checked.get_json()["state"] == "called"  # the check does not move the ticket

    again = post(client, staff_headers, "priority", {"confirmed": not confirmed})
    assert again.status_code == 409
    assert error_code(again) == "priority_already_checked"
    rows = client.get("/api/v1/counters", headers=staff_headers).get_json()
    assert rows[0]["current"]["priority_confirmed"] is confirmed


def test_priority_check_while_serving(client: Any, kiosk_headers: Any, staff_headers: Any) -> None:
    issue(client, kiosk_headers, priority="pregnant")
    post(client, staff_headers, "call-next")
    post(client, staff_headers, "start")
    checked = post(client, staff_headers, "priority", {"confirmed": True})
    assert checked.status_code == 200
    assert checked.get_json()["state"] == "serving"


def test_priority_check_needs_a_declared_priority(
    client: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    issue(client, kiosk_headers)
    post(client, staff_headers, "call-next")
    answer = post(client, staff_headers, "priority", {"confirmed": True})
    assert answer.status_code == 409
    assert error_code(answer) == "no_priority"


def test_priority_check_needs_a_current_ticket(client: Any, staff_headers: Any) -> None:
    answer = post(client, staff_headers, "priority", {"confirmed": True})
    assert answer.status_code == 409
    assert error_code(answer) == "no_current_ticket"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing_field"),
        ({"confirmed": None}, "missing_field"),
        ({"confirmed": "yes"}, "invalid_field"),
        ({"confirmed": 1}, "invalid_field"),
        ([True], "invalid_json"),
    ],
)
def test_priority_check_needs_a_boolean(
    client: Any, kiosk_headers: Any, staff_headers: Any, body: Any, code: str
) -> None:
    issue(client, kiosk_headers, priority="disabled")
    post(client, staff_headers, "call-next")
    answer = post(client, staff_headers, "priority", body)
    assert answer.status_code == 400
    assert error_code(answer) == code
    missing = client.post("/api/v1/counters/1/priority", headers=staff_headers)
    assert missing.status_code == 400


def test_priority_check_needs_an_officer(client: Any, kiosk_headers: Any) -> None:
    answer = client.post(
        "/api/v1/counters/1/priority", json={"confirmed": True}, headers=kiosk_headers
    )
    assert answer.status_code == 401


def test_officer_today_figures(
    frozen: Any, client: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    empty = client.get("/api/v1/officer/today", headers=staff_headers)
    assert empty.status_code == 200
    assert empty.get_json() == {
        "served": 0,
        "no_show": 0,
        "transferred": 0,
        "average_wait_minutes": None,
        "average_service_minutes": None,
    }
    for _ in range(4):
        issue(client, kiosk_headers)
    frozen.advance(minutes=4)
    post(client, staff_headers, "call-next")  # A001 waited 4 minutes
    post(client, staff_headers, "start")
    frozen.advance(minutes=6)
    post(client, staff_headers, "finish")  # served in 6
    post(client, staff_headers, "call-next")  # A002 waited 10 minutes
    frozen.advance(minutes=3)
    post(client, staff_headers, "finish")  # served in 3 (finish straight from called)
    post(client, staff_headers, "call-next")
    post(client, staff_headers, "no-show")
    post(client, staff_headers, "call-next")
    assert post(client, staff_headers, "transfer", {"service": "C"}).status_code == 200

    today = client.get("/api/v1/officer/today", headers=staff_headers).get_json()
    assert today == {
        "served": 2,
        "no_show": 1,
        "transferred": 1,
        "average_wait_minutes": 7.0,
        "average_service_minutes": 4.5,
    }
    assert client.get("/api/v1/officer/today").status_code == 401


def test_services_feed_the_queue_panel(
    frozen: Any, client: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    issue(client, kiosk_headers, "B")
    frozen.advance(minutes=7)
    issue(client, kiosk_headers, "B")
    rows = {s["code"]: s for s in client.get("/api/v1/services", headers=staff_headers).get_json()}
    assert rows["B"]["waiting"] == 2
    assert rows["B"]["longest_wait_minutes"] == 7
    assert rows["A"]["waiting"] == 0
    assert rows["A"]["longest_wait_minutes"] is None
    assert {"name_en", "field_name", "prefix", "open"} <= set(rows["B"])


def page_strings(html: str) -> dict[str, str]:
    strings: dict[str, str] = data_block(html, "counter-strings")
    return strings


def test_counter_page_is_vietnamese_by_default(client: Any) -> None:
    answer = client.get("/counter")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Gọi số tiếp" in html
    assert "Vắng mặt" in html
    assert "Hoàn thành" in html
    assert 'data-no-show-after="3"' in html
    strings = page_strings(html)
    assert strings["nobody"] == "Không còn ai đang chờ"
    assert strings["minutes"] == "{n} phút"
    assert data_block(html, "counter-priorities")["elderly_80"] == "Người từ 80 tuổi"


def test_counter_page_in_english(client: Any) -> None:
    answer = client.get("/counter?lang=en")
    html = answer.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Call next" in html
    assert "Gọi số tiếp" not in html
    assert page_strings(html)["nobody"] == "Nobody is waiting"
    assert "Aged 80 or over" in html
    # The cookie remembers the choice; ?lang=vi switches back.
    assert "Call next" in client.get("/counter").get_data(as_text=True)
    assert "Gọi số tiếp" in client.get("/counter?lang=vi").get_data(as_text=True)
