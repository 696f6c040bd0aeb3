"""The display page and its state snapshot (public: numbers and counters only)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from display import bp
from onestop import catalog, dossiers, i18n, readmodels, reports
from onestop.context import office_calendar, requested_office, rules, settings
from onestop.db import db
from onestop.extensions import limiter
from onestop.http import limit, screen_office
from onestop.models import DeviceKind


def _listed(name: str) -> list[str]:
    """``?counters=1,2`` → ``["1", "2"]``: the area this screen covers (empty: everything)."""
    raw = request.args.get(name, "")
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


@bp.get("/display")
def display_page() -> str:
    """The waiting-room screen of a display device's office (``?key=``), of ``?office=CODE``
    (in a deployment of several offices), else of the office this server runs for."""
    cfg = settings()
    office, chosen = screen_office(DeviceKind.DISPLAY)
    screen = {
        **cfg["display"],
        "timezone": office.timezone,
        "office": chosen,
        "chime_url": url_for("static", filename="sounds/chime.wav"),
        "state_url": url_for("display.display_state", office=chosen),
        "counters": [int(c) for c in _listed("counters") if c.isdigit()],
        "services": [s.upper() for s in _listed("services")],
    }
    return render_template("display/display.html", office=office, settings=screen)


@bp.get("/board")
@limiter.limit(limit("public_rate_limit"))
def board_page() -> str:
    """The public progress board (công khai tiến độ), for a screen or the office's website."""
    office = requested_office()
    figures = dossiers.board(db.session, office, office_calendar(office))
    return render_template("display/board.html", office=office, board=figures)


@bp.get("/api/v1/board")
@limiter.limit(limit("public_rate_limit"))
def board_state() -> Any:
    office = requested_office()
    return dossiers.board(db.session, office, office_calendar(office))


@bp.get("/api/v1/display/state")
@limiter.limit(limit("public_rate_limit"))
def display_state() -> Any:
    office = requested_office()
    return readmodels.display_state(db.session, office, rules(office))


@bp.get("/public")
@limiter.limit(limit("public_rate_limit"))
def public_page() -> str:
    """What the office posts publicly: this month's and year's figures, today's progress board
    and the procedure catalogue (no login, nothing personal; also the kiosk's idle page)."""
    office = requested_office()
    return render_template(
        "display/public.html",
        office=office,
        figures=reports.public_figures(db.session, office, settings()),
        board=dossiers.board(db.session, office, office_calendar(office)),
        catalog=catalog.published(db.session, office, i18n.current_locale()),
        kiosk=request.args.get("kiosk") == "1",
    )
