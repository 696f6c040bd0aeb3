"""Staff back office (catalog, services, counters, officers, devices, calendar, reports).

The blueprint is registered now so the layout and import rules hold; its pages come with the
back-office issue. Until then staff and devices are managed with the ``onestop`` CLI.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
