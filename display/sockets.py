"""The /display Socket.IO namespace: anyone may watch; the snapshot comes on connect."""

from __future__ import annotations

from typing import Any

from onestop import realtime
from onestop.extensions import socketio
from onestop.sockets import follow_display


@socketio.on("connect", namespace=realtime.DISPLAY)
def display_connect(credentials: Any = None) -> None:
    follow_display(credentials)
