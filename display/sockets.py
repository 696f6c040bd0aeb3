"""The /display Socket.IO namespace: anyone may watch; the snapshot comes on connect."""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from onestop import readmodels, realtime
from onestop.context import home_office, rules
from onestop.db import db, set_read_only
from onestop.extensions import socketio


@socketio.on("connect", namespace=realtime.DISPLAY)
def display_connect(_auth: Any = None) -> None:
    set_read_only(True)
    office = home_office()
    join_room(realtime.office_room(office.id))
    emit("state", readmodels.display_state(db.session, office, rules()))
