"""Catch-up pushes: a change committed by another process reaches this process's clients."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from onestop import catchup, clock
from onestop.db import db
from onestop.events import realtime_event
from onestop.extensions import socketio
from onestop.models import Notice, Office


def foreign_commit(app: Any, text: str) -> None:
    """What another process does: a notice and the office seq move, nothing is pushed here."""
    session = db.new_session(app)
    try:
        office = session.query(Office).one()
        session.add(
            Notice(
                office_id=office.id,
                text=text,
                text_en="",
                position=9,
                is_active=True,
                created_at=clock.now(),
            )
        )
        session.execute(update(Office).values(event_seq=Office.event_seq + 1))
        session.commit()
    finally:
        session.close()


def bump_seq(app: Any) -> None:
    """A change committed here whose push is handled by the test itself."""
    with db.new_session(app) as session:
        session.execute(update(Office).values(event_seq=Office.event_seq + 1))
        session.commit()


def names(test_client: Any, namespace: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e["name"], e["args"][0]) for e in test_client.get_received(namespace)]


def test_a_foreign_change_is_pushed_after_two_looks(app: Any, client: Any, creds: Any) -> None:
    realtime_event.connect(catchup._remember, weak=False)
    try:
        display = socketio.test_client(app, namespace="/display", flask_test_client=client)
        counter_token = client.post(
            "/api/v1/auth/token",
            json={"username": "admin", "password": creds["admin"]["password"]},
        ).get_json()["token"]
        staff = socketio.test_client(
            app, namespace="/counter", auth={"token": counter_token}, flask_test_client=client
        )
        display.get_received("/display"), staff.get_received("/counter")
        assert catchup.look(app, {}) == {}  # nothing new: the baseline is taken

        foreign_commit(app, "Thông báo từ dòng lệnh")
        ahead = catchup.look(app, {})  # ahead once: maybe our own push is on its way
        assert len(ahead) == 1
        assert names(display, "/display") == []
        assert catchup.look(app, ahead) == {}  # still ahead: push the current state
        pushed = names(display, "/display")
        assert [n for n, _ in pushed] == ["state"]
        assert "Thông báo từ dòng lệnh" in [n["text"] for n in pushed[0][1]["notices"]]
        counter_events = names(staff, "/counter")
        assert [n for n, _ in counter_events] == ["queue_changed"]
        assert counter_events[0][1]["seq"] == pushed[0][1]["seq"]

        # A change this process pushed itself never triggers a catch-up.
        client.post(
            "/api/v1/tickets",
            json={"service": "A"},
            headers={"X-Device-Key": creds["devices"]["kiosk-1"]},
        )
        display.get_received("/display")
        assert catchup.look(app, {}) == {}
        assert catchup.look(app, {}) == {}
        assert names(display, "/display") == []

        # A busy office: at every look one of this process's own changes is committed and its
        # push not yet out. Each is out by the next look: that is no lag, and no screen is
        # sent its whole state (which made 100 displays fetch it again in the benchmark).
        office_id = next(iter(catchup._pushed))
        lagging: dict[int, int] = {}
        for _ in range(3):
            own_change_in_flight = catchup._pushed[office_id]
            catchup._pushed[office_id] -= 1  # its push is still on its way at this look...
            lagging = catchup.look(app, lagging)
            assert lagging == {office_id: own_change_in_flight}
            catchup._pushed[office_id] += 1  # ...and out before the next
            bump_seq(app)
            catchup._pushed[office_id] += 1  # the next own change, pushed in its turn
        assert names(display, "/display") == []
    finally:
        realtime_event.disconnect(catchup._remember)
        catchup._pushed.clear()


def test_no_catchup_with_a_message_queue(app: Any) -> None:
    # Every process's pushes already travel through the queue: nothing to catch up.
    app.config["ONESTOP"]["realtime"]["message_queue"] = "redis://127.0.0.1:6379/0"
    assert catchup.start_catchup(app) is None
