"""Catch-up pushes for changes another process committed, when there is no message queue.

With Redis as the Socket.IO message queue, every process's pushes reach every client. Without
it (the embedded default) a change committed by another process, such as ``onestop notice add``
on the command line, never passes through this server's pushes. So the serving process looks at
every office's ``seq`` once a second. When the seq seen at one look has still not been pushed
from here at the next (a change committed here moves the seq a moment before its own push goes
out; in a busy office one is nearly always on its way), the clients get the current state:
``state`` on /display and ``queue_changed`` on /counter and /kiosk, both carrying the new seq.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import select

from onestop import readmodels, realtime
from onestop.db import db, set_read_only
from onestop.events import realtime_event
from onestop.models import Office

log = logging.getLogger(__name__)
LOOK_SECONDS = 1.0

_pushed: dict[int, int] = {}  # office id -> the newest seq pushed from this process


def _remember(_sender: Any, *, push: realtime.Push) -> None:
    _pushed[push.office_id] = max(_pushed.get(push.office_id, 0), int(push.payload.get("seq", 0)))


def look(app: Flask, lagging: dict[int, int]) -> dict[int, int]:
    """One look at every office; returns the offices whose seq is ahead of this process's
    pushes, with the seq seen (pass it back in: a seq still not pushed at the next look is
    another process's, and its office gets its state)."""
    set_read_only(True)  # a plain BEGIN: looking must never take SQLite's write lock
    session = db.new_session(app)
    try:
        offices = session.scalars(select(Office).order_by(Office.id)).all()
        ahead = {o.id: _ahead(app, session, o, lagging.get(o.id)) for o in offices}
        return {office_id: seq for office_id, seq in ahead.items() if seq is not None}
    finally:
        session.close()


def _ahead(app: Flask, session: Any, office: Office, seen_before: int | None) -> int | None:
    """The office's seq when it is ahead of what was pushed from here (None otherwise)."""
    seq = readmodels.current_seq(session, office)
    pushed = _pushed.setdefault(office.id, seq)
    if seq <= pushed:
        return None
    if seen_before is None or pushed >= seen_before:
        return seq  # newly ahead: this process's own push may be on its way
    for push in _state_pushes(session, office, app.extensions["onestop.rules"]):
        realtime_event.send(None, push=push)
    return None


def _state_pushes(session: Any, office: Any, base: Any) -> list[realtime.Push]:
    """What gives every screen of ``office`` its current state: ``state`` on /display and
    ``queue_changed`` on /counter and /kiosk, both carrying the office's seq (its "today" in
    its own time zone)."""
    rules = base.of(office)
    state = readmodels.display_state(session, office, rules)
    queue_state = readmodels.queue_event(session, office, rules)
    return [
        realtime.Push(office.id, "state", state, (realtime.DISPLAY,)),
        realtime.Push(office.id, "queue_changed", queue_state, realtime.STAFF_AND_KIOSK),
    ]


def state_pushes(app: Flask, office_ids: set[int]) -> list[realtime.Push]:
    """The current state of each office in ``office_ids`` (the sender's after an outage of
    the message queue)."""
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
        lagging: dict[int, int] = {}
        while True:
            try:
                lagging = look(app, lagging)
            except Exception:  # the database may be busy or restarting: look again next time
                log.exception("catch-up look failed; will look again")
            time.sleep(LOOK_SECONDS)

    thread = threading.Thread(target=loop, name="onestop-catchup", daemon=True)
    thread.start()
    return thread
