"""Staff back office. So far: the printers page (health, failed jobs, retry, previews).

The catalog, services, counters, officers, devices, calendar and reports pages come with the
back-office issue; until then those are managed with the ``onestop`` CLI.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


def init_app(app: Flask) -> None:
    from admin import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
