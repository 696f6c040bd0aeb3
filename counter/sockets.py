"""The /counter Socket.IO namespace: officers with a valid token only."""

from __future__ import annotations

from typing import Any

from onestop import realtime
from onestop.extensions import socketio
from onestop.sockets import connecting_officer, follow_queue


@socketio.on("connect", namespace=realtime.COUNTER)
def counter_connect(credentials: Any = None) -> None:
    follow_queue(connecting_officer(credentials))
