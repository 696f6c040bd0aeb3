"""Catch-up pushes for changes another process committed, when there is no message queue.

With Redis as the Socket.IO message queue, every process's pushes reach every client. Without
it (the embedded default) a change committed by another process, such as ``onestop notice add``
on the command line, never passes through this server's pushes. So the serving process looks at
its office's ``seq`` once a second. When the seq has stayed ahead of the last one pushed from
here for two looks in a row (a change committed here moves the seq a moment before its own push
goes out), the clients get the current state: ``state`` on /display and ``queue_changed`` on
/counter and /kiosk, both carrying the new seq.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask

from onestop import auth, readmodels, realtime
from onestop.db import db, set_read_only
from onestop.events import realtime_event

log = logging.getLogger(__name__)
LOOK_SECONDS = 1.0

_pushed: dict[int, int] = {}  # office id -> the newest seq pushed from this process


def _remember(_sender: Any, *, push: realtime.Push) -> None:
    _pushed[push.office_id] = max(_pushed.get(push.office_id, 0), int(push.payload.get("seq", 0)))


def look(app: Flask, lagging: bool) -> bool:
    """One look; returns whether the seq is ahead of this process's pushes (to pass back in)."""
    set_read_only(True)  # a plain BEGIN: looking must never take SQLite's write lock
    session = db.new_session(app)
    try:
        office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
        seq = readmodels.current_seq(session, office)
        if seq <= _pushed.setdefault(office.id, seq):
            return False
        if not lagging:
            return True
        for push in _state_pushes(session, office, app.extensions["onestop.rules"]):
            realtime_event.send(None, push=push)
        return False
    finally:
        session.close()


def _state_pushes(session: Any, office: Any, rules: Any) -> list[realtime.Push]:
    """What gives every screen of ``office`` its current state: ``state`` on /display and
    ``queue_changed`` on /counter and /kiosk, both carrying the office's seq."""
    state = readmodels.display_state(session, office, rules)
    queue_state = readmodels.queue_event(session, office, rules)
    return [
        realtime.Push(office.id, "state", state, (realtime.DISPLAY,)),
        realtime.Push(office.id, "queue_changed", queue_state, realtime.STAFF_AND_KIOSK),
    ]


def state_pushes(app: Flask, office_ids: set[int]) -> list[realtime.Push]:
    """The current state of each office in ``office_ids`` (the sender's after an outage of
    the message queue)."""
    from onestop.models import Office

    set_read_only(True)
    session = db.new_session(app)
    try:
        pushes: list[realtime.Push] = []
        for office_id in sorted(office_ids):
            office = session.get(Office, office_id)
            if office is not None:
                pushes += _state_pushes(session, office, app.extensions["onestop.rules"])
        return pushes
    finally:
        session.close()
        set_read_only(False)


def start_catchup(app: Flask) -> threading.Thread | None:
    """Start looking, unless a message queue already carries every process's pushes."""
    if app.config["ONESTOP"]["realtime"]["message_queue"]:
        return None
    realtime_event.connect(_remember, weak=False)

    def loop() -> None:
        lagging = False
        while True:
            try:
                lagging = look(app, lagging)
            except Exception:  # the database may be busy or restarting: look again next time
                log.exception("catch-up look failed; will look again")
            time.sleep(LOOK_SECONDS)

    thread = threading.Thread(target=loop, name="onestop-catchup", daemon=True)
    thread.start()
    return thread
