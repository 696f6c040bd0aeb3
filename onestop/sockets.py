"""The Socket.IO edge shared by the surfaces: who a connection is, and what it is sent first.

A client authenticates in its connect packet (``auth={"key": …}`` or ``auth={"token": …}``);
anything else is refused with a reason the client sees, never raised as an error, so a wrong
client costs no traceback in the log. Connecting only reads: it never takes SQLite's write lock.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from onestop import auth, readmodels, realtime
from onestop.context import requested_office, rules
from onestop.db import db, set_read_only
from onestop.errors import DomainError
from onestop.http import office_of
from onestop.models import DeviceKind
from onestop.refs import DeviceRef, OfficerRef


def _credential(credentials: Any, name: str) -> str:
    if credentials is None:
        return ""
    if not isinstance(credentials, dict):
        raise ConnectionRefusedError("invalid_auth")
    return str(credentials.get(name) or "")


def connecting_device(credentials: Any, kind: DeviceKind) -> DeviceRef:
    """The device of ``kind`` that connects with ``auth={"key": …}``."""
    set_read_only(True)
    try:
        device = auth.device_for_key(db.session, _credential(credentials, "key"))
    except DomainError as exc:
        raise ConnectionRefusedError(exc.code) from None
    if device.kind != kind:
        raise ConnectionRefusedError("wrong_device_kind")
    return device


def connecting_officer(credentials: Any) -> OfficerRef:
    """The officer that connects with ``auth={"token": …}``."""
    set_read_only(True)
    try:
        return auth.officer_for_token(db.session, _credential(credentials, "token"))
    except DomainError as exc:
        raise ConnectionRefusedError(exc.code) from None


def follow_display(credentials: Any) -> None:
    """A waiting-room screen (anyone may watch): the room of its display device's office
    (``auth={"key": …}``), of the office it names (``auth={"office": CODE}``), else of the home
    office; and that office's state first."""
    set_read_only(True)
    try:
        if _credential(credentials, "key"):
            office = office_of(connecting_device(credentials, DeviceKind.DISPLAY))
        else:
            office = requested_office(_credential(credentials, "office") or None)
    except DomainError as exc:
        raise ConnectionRefusedError(exc.code) from None
    join_room(realtime.office_room(office.id))
    emit("state", readmodels.display_state(db.session, office, rules(office)))


def follow_queue(who: OfficerRef | DeviceRef) -> None:
    """Join the office's room and send the queue as it is now (the client's snapshot)."""
    office = office_of(who)
    join_room(realtime.office_room(office.id))
    emit("queue_changed", readmodels.queue_event(db.session, office, rules(office)))
