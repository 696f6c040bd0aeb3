"""The /counter Socket.IO namespace: officers with a valid token only."""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from onestop import auth, readmodels, realtime
from onestop.context import rules
from onestop.db import db, set_read_only
from onestop.errors import DomainError
from onestop.extensions import socketio
from onestop.models import Office


@socketio.on("connect", namespace=realtime.COUNTER)
def counter_connect(credentials: dict[str, Any] | None = None) -> None:
    set_read_only(True)
    try:
        officer = auth.officer_for_token(db.session, str((credentials or {}).get("token", "")))
    except DomainError as exc:
        raise ConnectionRefusedError(exc.code) from None
    office = db.session.get(Office, officer.office_id)
    assert office is not None
    join_room(realtime.office_room(office.id))
    emit("queue_changed", readmodels.queue_event(db.session, office, rules()))
