"""Unbound Flask extensions, bound to an app by ``create_app``."""

from __future__ import annotations

from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from onestop.db import db
from onestop.ratelimit import RateLimiter

socketio = SocketIO()
limiter = RateLimiter()
csrf = CSRFProtect()

__all__ = ["csrf", "db", "limiter", "socketio"]
