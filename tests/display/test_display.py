"""The display snapshot over HTTP and the Socket.IO protocol of all three namespaces."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.extensions import socketio


@pytest.fixture
def sockets(app: Any, client: Any) -> Any:
    def connect(namespace: str, auth: Any = None) -> Any:
        return socketio.test_client(app, namespace=namespace, auth=auth, flask_test_client=client)

    return connect


def received(c: Any, namespace: str, name: str) -> list[dict[str, Any]]:
    return [e["args"][0] for e in c.get_received(namespace) if e["name"] == name]


def test_display_state_snapshot(client: Any, kiosk_headers: Any, staff_headers: Any) -> None:
    empty = client.get("/api/v1/display/state").get_json()
    assert empty["now_serving"] == []
    assert empty["waiting"] == {"A": 0, "B": 0, "C": 0, "D": 0}
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    client.post("/api/v1/counters/2/call-next", headers=staff_headers)
    state = client.get("/api/v1/display/state").get_json()
    assert state["seq"] > empty["seq"]
    assert state["now_serving"][0]["counter"] == 2
    assert state["now_serving"][0]["number"] == "A001"
    assert state["waiting"]["A"] == 1
    assert "token" not in str(state)
    assert "admin" not in str(state)


def test_display_gets_state_then_calls_with_seq(
    sockets: Any, client: Any, kiosk_headers: Any, staff_headers: Any
) -> None:
    display = sockets("/display")
    assert display.is_connected("/display")
    snapshot = received(display, "/display", "state")
    assert len(snapshot) == 1
    start_seq = snapshot[0]["seq"]
    client.post("/api/v1/tickets", json={"service": "B"}, headers=kiosk_headers)
    client.post("/api/v1/counters/2/call-next", headers=staff_headers)
    client.post("/api/v1/counters/2/recall", headers=staff_headers)
    got = display.get_received("/display")
    names = [e["name"] for e in got]
    assert "ticket_issued" not in names  # counter-only event
    calls = [e["args"][0] for e in got if e["name"] == "ticket_called"]
    assert [(c["number"], c["counter"], c["recall"]) for c in calls] == [
        ("B001", 2, False),
        ("B001", 2, True),
    ]
    seqs = [e["args"][0]["seq"] for e in got]
    # One seq per committed transaction, no gaps: issue, call, recall.
    assert sorted(set(seqs)) == [start_seq + 1, start_seq + 2, start_seq + 3]
    assert all(e["args"][0]["seq"] for e in got if e["name"] == "queue_changed")


def test_counter_namespace_requires_a_valid_token(
    sockets: Any, staff_headers: Any, client: Any, kiosk_headers: Any
) -> None:
    for auth in (None, {"token": "forged"}, {"key": "x"}):
        refused = sockets("/counter", auth)
        assert not refused.is_connected("/counter")
    token = staff_headers["Authorization"].split()[1]
    counter = sockets("/counter", {"token": token})
    assert counter.is_connected("/counter")
    counter.get_received("/counter")
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers)
    names = [e["name"] for e in counter.get_received("/counter")]
    assert names == ["ticket_issued", "queue_changed"]


def test_kiosk_namespace_requires_a_kiosk_key(sockets: Any, creds: Any) -> None:
    assert not sockets("/kiosk", {"key": "forged"}).is_connected("/kiosk")
    assert not sockets("/kiosk", {"key": creds["devices"]["display-1"]}).is_connected("/kiosk")
    kiosk = sockets("/kiosk", {"key": creds["devices"]["kiosk-1"]})
    assert kiosk.is_connected("/kiosk")
    assert received(kiosk, "/kiosk", "queue_changed")[0]["waiting"]["A"] == 0


def test_nothing_is_pushed_for_a_rolled_back_change(sockets: Any, app: Any, creds: Any) -> None:
    from onestop import auth, queue
    from onestop.db import db

    display = sockets("/display")
    display.get_received("/display")
    session = db.new_session(app)
    office = auth.office_by_code(session, "UBND-XA-DEMO")
    queue.issue_ticket(session, office, "A", rules=app.extensions["onestop.rules"])
    assert display.get_received("/display") == []  # not yet committed
    session.rollback()
    session.close()
    assert display.get_received("/display") == []


def test_print_status_reaches_the_kiosk(
    sockets: Any, client: Any, app: Any, kiosk_headers: Any, creds: Any
) -> None:
    from printer.worker import process_pending

    kiosk = sockets("/kiosk", {"key": creds["devices"]["kiosk-1"]})
    kiosk.get_received("/kiosk")
    ticket = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk_headers).get_json()
    assert process_pending(app) == 1
    statuses = received(kiosk, "/kiosk", "print_status")
    assert statuses == [
        {"token": ticket["token"], "number": "A001", "status": "printed", "error": None}
    ]


def test_display_page_is_public(client: Any) -> None:
    page = client.get("/display")
    assert page.status_code == 200
    assert "display.js" in page.get_data(as_text=True)
