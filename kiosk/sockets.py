"""The /kiosk Socket.IO namespace: registered kiosks only."""

from __future__ import annotations

from typing import Any

from onestop import realtime
from onestop.extensions import socketio
from onestop.models import DeviceKind
from onestop.sockets import connecting_device, follow_queue


@socketio.on("connect", namespace=realtime.KIOSK)
def kiosk_connect(credentials: Any = None) -> None:
    follow_queue(connecting_device(credentials, DeviceKind.KIOSK))
