"""Staff back office: the printers page (health, failed jobs, retry, previews), the quality
evaluation (the nine criteria, ratings and surveys) and the reports dashboard, with their JSON
API under ``/api/v1``.

The catalog, services, counters, officers, devices and calendar pages come with the
back-office issue; until then those are managed with the ``onestop`` CLI.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")
# The back office's JSON API sits under /api/v1 like every other surface's.
api = Blueprint("admin_api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from admin import evaluation_views, report_views, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    app.register_blueprint(api)
