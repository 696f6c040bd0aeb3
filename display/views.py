"""The display page and its state snapshot (public: numbers and counters only)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from display import bp
from onestop import snapshots
from onestop.db import db
from onestop.extensions import limiter
from onestop.http import home_office, limit, rules


@bp.get("/display")
def display_page() -> str:
    return render_template("display/display.html", office=current_app.config["ONESTOP"]["office"])


@bp.get("/api/v1/display/state")
@limiter.limit(limit("public_rate_limit"))
def display_state() -> Any:
    return snapshots.display_state(db.session, home_office(), rules())
