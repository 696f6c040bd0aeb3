"""Citizen surface: the touch kiosk, the ticket API and the public ticket status page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from kiosk import feedback_views, sockets, views  # noqa: F401  (routes and handlers register on import)

    app.register_blueprint(bp)
