"""The /kiosk Socket.IO namespace: registered kiosks only."""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from onestop import auth, readmodels, realtime
from onestop.context import rules
from onestop.db import db, set_read_only
from onestop.errors import DomainError
from onestop.extensions import socketio
from onestop.models import DeviceKind, Office


@socketio.on("connect", namespace=realtime.KIOSK)
def kiosk_connect(credentials: dict[str, Any] | None = None) -> None:
    set_read_only(True)
    try:
        device = auth.device_for_key(db.session, str((credentials or {}).get("key", "")))
    except DomainError as exc:
        raise ConnectionRefusedError(exc.code) from None
    if device.kind != DeviceKind.KIOSK:
        raise ConnectionRefusedError("wrong_device_kind")
    office = db.session.get(Office, device.office_id)
    assert office is not None
    join_room(realtime.office_room(office.id))
    emit("queue_changed", readmodels.queue_event(db.session, office, rules()))
