"""Unbound Flask extensions, bound to an app by ``create_app``."""

from __future__ import annotations

from flask import g, request
from flask_limiter import Limiter
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from onestop.db import db


def rate_limit_key() -> str:
    """Devices and officers are limited per identity; everyone else per client address."""
    principal = g.get("principal_key")
    return principal or f"ip:{request.remote_addr or 'unknown'}"


socketio = SocketIO()
limiter = Limiter(key_func=rate_limit_key, headers_enabled=True)
csrf = CSRFProtect()

__all__ = ["csrf", "db", "limiter", "socketio"]
