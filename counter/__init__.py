"""Officer surface: staff login, the counter screen and the counter actions."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("counter", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from counter import dossier_views, pad_views, sockets, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
