"""Waiting-room surface: the now-serving board, pushed over Socket.IO."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("display", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from display import sockets, views  # noqa: F401  (routes and handlers register on import)

    app.register_blueprint(bp)
