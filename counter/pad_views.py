"""The rating pad: a small tablet on each counter, paired to it by its device key."""

from __future__ import annotations

from typing import Any

from flask import g, render_template
from flask_socketio import join_room

from counter import bp
from onestop import feedback, realtime
from onestop.context import feedback_rules, settings
from onestop.db import db
from onestop.extensions import socketio
from onestop.http import authenticated
from onestop.models import DeviceKind
from onestop.sockets import connecting_device


@bp.get("/rate")
def rating_pad_page() -> str:
    cfg = settings()
    return render_template("counter/rate.html", office=cfg["office"], timing=cfg["feedback"])


@bp.get("/api/v1/rating-pad/state")
@authenticated(devices=(DeviceKind.RATING,))
def rating_pad_state() -> Any:
    """The pad's counter and officer, and the visit to ask about, if any (on every connect)."""
    return feedback.pad_state(db.session, g.device, feedback_rules())


@socketio.on("connect", namespace=realtime.RATING)
def rating_pad_connect(credentials: Any = None) -> None:
    device = connecting_device(credentials, DeviceKind.RATING)
    if device.counter_id is None:
        raise ConnectionRefusedError("wrong_device_kind")
    join_room(realtime.counter_room(device.counter_id))
