"""The sender: pushes the domain's committed realtime events to the Socket.IO clients.

The domain only queues events (``onestop.events``) with payloads from ``onestop.realtime``;
this module is the one place that knows Flask-SocketIO sends them.
"""

from __future__ import annotations

import logging
from typing import Any

from onestop.events import realtime_event
from onestop.extensions import socketio
from onestop.realtime import Push

log = logging.getLogger(__name__)


def _emit(_sender: Any, *, push: Push) -> None:
    for namespace in push.namespaces:
        try:
            socketio.emit(push.name, push.payload, namespace=namespace, to=push.to)
        except Exception:  # a broken push must never undo or block a committed change
            log.exception("could not push %s to %s", push.name, namespace)


def connect_signals() -> None:
    """Subscribe the Socket.IO sender to the domain's committed events (idempotent)."""
    realtime_event.connect(_emit, weak=False)
