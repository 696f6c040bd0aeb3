"""The /display Socket.IO namespace: anyone may watch; the snapshot comes on connect.

Changes committed by another process (``onestop notice add`` on the command line, a second
server without a message queue) never pass through this process's pushes. A serving process
therefore watches its office's ``seq``: when it stays ahead of the last seq pushed from here for
two looks in a row, the displays get a fresh ``state``. (Two looks, because a change committed
here moves the seq a moment before its own push goes out.)
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app
from flask_socketio import emit, join_room

from onestop import auth, realtime, snapshots
from onestop.db import db, set_read_only
from onestop.events import realtime_event
from onestop.extensions import socketio
from onestop.http import home_office, rules

log = logging.getLogger(__name__)
WATCH_SECONDS = 1.0
_pushed: dict[int, int] = {}  # office id -> the newest seq this process has pushed
_watching = threading.Lock()


@socketio.on("connect", namespace=realtime.DISPLAY)
def display_connect(_auth: Any = None) -> None:
    set_read_only(True)
    office = home_office()
    join_room(realtime.office_room(office.id))
    emit("state", snapshots.display_state(db.session, office, rules()))
    _start_watching(current_app._get_current_object())  # type: ignore[attr-defined]


def _remember_push(_sender: Any, *, office_id: int, payload: dict[str, Any], **_: Any) -> None:
    _pushed[office_id] = max(_pushed.get(office_id, 0), int(payload.get("seq", 0)))


realtime_event.connect(_remember_push, weak=False)


def _start_watching(app: Flask) -> None:
    """Start the watch once per serving process, on the first display (tests run none)."""
    if app.testing or not _watching.acquire(blocking=False):
        return
    socketio.start_background_task(_watch, app)


def _watch(app: Flask) -> None:
    set_read_only(True)  # a plain BEGIN: looking must never take SQLite's write lock
    lagging = False
    while True:
        socketio.sleep(WATCH_SECONDS)
        session = db.new_session(app)
        try:
            office = auth.office_by_code(session, app.config["ONESTOP"]["office"]["code"])
            seq = snapshots.current_seq(session, office)
            behind = seq > _pushed.setdefault(office.id, seq)
            if behind and lagging:
                _pushed[office.id] = seq
                state = snapshots.display_state(session, office, app.extensions["onestop.rules"])
                socketio.emit(
                    "state", state, namespace=realtime.DISPLAY, to=realtime.office_room(office.id)
                )
                behind = False
            lagging = behind
        except Exception:  # the database may be busy or restarting: look again next time
            log.exception("display watch failed; will look again")
        finally:
            session.close()
