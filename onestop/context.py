"""What a request or an app context may ask of the running app: its settings and the rules
built from them once, the office it serves by default, and an office's working calendar.

Request parsing and authentication live in ``onestop.http``; this module only reads the app.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from onestop import auth, queries, workcalendar
from onestop.config import for_office
from onestop.db import db
from onestop.errors import NotFound, found
from onestop.feedback import FeedbackRules
from onestop.models import Office
from onestop.queue import QueueRules
from onestop.refs import OfficeLike
from onestop.workcalendar import OfficeCalendar


def settings() -> dict[str, Any]:
    """The validated configuration of the running app."""
    cfg: dict[str, Any] = current_app.config["ONESTOP"]
    return cfg


def printers() -> dict[str, Any]:
    """The configured ``[printers.<name>]`` tables, of every office."""
    tables: dict[str, Any] = settings()["printers"]
    return tables


def office_printers(office: Office) -> dict[str, Any]:
    """The printers of ``office``: the tables whose ``office`` names it (empty: this server's
    own office). Another office's printer is unknown to it: it cannot print there nor see it."""
    home = settings()["office"]["code"]
    return {n: cfg for n, cfg in printers().items() if (cfg["office"] or home) == office.code}


def rules(office: OfficeLike | None = None) -> QueueRules:
    """The queue rules of ``office``, else of the caller's office (an authenticated request),
    else of this server's: an office of the deployment has its own time zone (its local day,
    its times) and may have its own public URL."""
    base: QueueRules = current_app.extensions["onestop.rules"]
    if office is None:
        who = g.get("officer") or g.get("device")  # a key's or token's office, as a plain value
        office = g.get("office") or (who.office if who is not None else None)
    if office is None:
        return base
    return base.of(office, office_settings(office)["office"]["public_url"])


def office_settings(office: OfficeLike) -> dict[str, Any]:
    """The configuration as ``office`` sees it (its own ``[offices.<code>]`` keys)."""
    return for_office(settings(), office.code)


def feedback_rules() -> FeedbackRules:
    result: FeedbackRules = current_app.extensions["onestop.feedback"]
    return result


def office_calendar(office: Office) -> OfficeCalendar:
    """The office's working calendar (national holidays and its own overrides)."""
    return workcalendar.calendar_for(db.session, office, settings())


def home_office() -> Office:
    """The office this server runs for (``[office] code``)."""
    return auth.office_by_code(db.session, settings()["office"]["code"])


def requested_office(code: str | None = None) -> Office:
    """The office a public page or screen is for: ``code`` or ``?office=CODE``, else the
    office this server runs for (404 for an office that does not exist)."""
    code = code or request.args.get("office")
    if not code:
        return home_office()
    return found(
        queries.find_office(db.session, code),
        NotFound(f"no office {code!r}", code="unknown_office"),
    )
