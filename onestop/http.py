"""The HTTP edge shared by every surface: input parsing, authentication, errors.

* Every string that comes in is NFC-normalised here (Vietnamese input methods send NFD), and
  loses control characters other than tab and line breaks.
* Errors are ``{"error": {"code", "message"}}`` with the right status, for every failure.
* ``authenticated`` puts the caller in ``g`` and keys rate limits by identity.

What the app itself holds (settings, rules, the home office) is asked of ``onestop.context``.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from onestop import auth, clock
from onestop.config import LETTERHEAD
from onestop.context import (
    home_office,
    office_calendar,
    office_printers,
    office_settings,
    requested_office,
    rules,
    settings,
)
from onestop.db import db, is_busy_error, set_statement_reads
from onestop.dossiers import Desk
from onestop.errors import DomainError, Forbidden, InvalidInput, NotAuthenticated
from onestop.models import DeviceKind, Dossier, Office, Officer, Role, Ticket
from onestop.queue import Actor
from onestop.refs import DeviceRef, OfficeLike, OfficerRef

MAX_STRING = 2000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # a database INTEGER (PostgreSQL's is 32 bits)
# Deeper than any request of ours nests (an applicant inside a body is two levels).
MAX_DEPTH = 16
# Control characters other than tab and line breaks: never meant, and PostgreSQL refuses NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 pair, alone: JSON lets "\ud800" through, but it is no text and cannot be
# stored or sent on.
SURROGATE = re.compile(r"[\ud800-\udfff]")
F = TypeVar("F", bound=Callable[..., Any])


def nfc(value: Any, *, path: str = "body") -> Any:
    """NFC-normalise every string inside ``value``; reject absurdly long ones and strings that
    are not text. ``value`` must already be known to nest at most ``MAX_DEPTH`` levels."""
    if isinstance(value, str):
        if SURROGATE.search(value):
            raise InvalidInput(f"{path} is not valid text (a lone surrogate)", code="invalid_text")
        text = CONTROL.sub("", unicodedata.normalize("NFC", value))
        if len(text) > MAX_STRING:
            raise InvalidInput(f"{path} is longer than {MAX_STRING} characters", code="too_long")
        return text
    if isinstance(value, list):
        return [nfc(v, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {nfc(k, path=path): nfc(v, path=f"{path}.{k}") for k, v in value.items()}
    return value


def _depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object, NFC-normalised; a clear 400 for anything else."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise InvalidInput("a JSON object body is required", code="invalid_json")
        return {}
    try:
        data = json.loads(raw)
        too_deep = _depth(data) > MAX_DEPTH
    except RecursionError:  # so deep that even the parser gave up
        too_deep = True
    except ValueError:  # not JSON, or not UTF-8
        raise InvalidInput("the body is not valid JSON", code="invalid_json") from None
    if too_deep:
        raise InvalidInput(f"the body nests deeper than {MAX_DEPTH} levels", code="invalid_json")
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", code="invalid_json")
    result: dict[str, Any] = nfc(data)
    return result


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"'{name}' is required", code="missing_field")
        return None
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise InvalidInput(f"'{name}' must be a {kind.__name__}", code="invalid_field")
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        raise InvalidInput(f"'{name}' is out of range", code="invalid_field")
    return value


def moment(body: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 date and time with its UTC offset, within the years onestop keeps."""
    raw = field(body, name, str, required=False)
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"'{name}' must be ISO 8601, e.g. 2026-12-01T17:00:00+07:00", code="invalid_field"
        ) from None
    if when.tzinfo is None:
        raise InvalidInput(f"'{name}' needs its UTC offset (+07:00)", code="invalid_field")
    if not clock.FIRST_YEAR <= when.year <= clock.LAST_YEAR:
        raise InvalidInput(
            f"'{name}' must fall in the years {clock.FIRST_YEAR}–{clock.LAST_YEAR}",
            code="invalid_field",
        )
    return when


class DatabaseInt(IntegerConverter):
    """``<int:…>`` in a URL: only numbers a database INTEGER holds match (a longer one is a
    404, as any unknown counter or job is, instead of an overflow in the database driver)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def limit(name: str) -> Callable[[], str]:
    """A rate limit read from ``[security] <name>`` at request time."""
    return lambda: str(settings()["security"][name])


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _resolve(allow_staff: bool, device_kinds: tuple[DeviceKind, ...]) -> None:
    token, key = _bearer(), request.headers.get("X-Device-Key")
    if token and allow_staff:
        officer = auth.officer_for_token(db.session, token)
        g.officer, g.device, g.principal_key = officer, None, f"officer:{officer.id}"
        return
    if key and device_kinds:
        device = auth.device_for_key(db.session, key)
        if device.kind not in device_kinds:
            raise Forbidden(
                f"a {device.kind.value} device may not do this", code="wrong_device_kind"
            )
        g.officer, g.device, g.principal_key = None, device, f"device:{device.id}"
        return
    wanted = " or ".join(
        (["an officer's 'Authorization: Bearer' token"] if allow_staff else [])
        + (["an 'X-Device-Key'"] if device_kinds else [])
    )
    raise NotAuthenticated(f"this needs {wanted}", code="not_authenticated")


def authenticated(
    *,
    staff: bool = False,
    devices: tuple[DeviceKind, ...] = (),
    roles: tuple[Role, ...] = (),
) -> Callable[[F], F]:
    """Require an officer token (of one of ``roles``, if given) and/or a device key of the
    given kinds."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            writes = request.method not in SAFE_METHODS
            if writes:
                set_statement_reads()  # who is asking, and their office: without a lock
            _resolve(staff, devices)
            if writes:
                db.end_reads()
            officer = g.get("officer")
            if roles and officer is not None and officer.role not in roles:
                wanted = " or ".join(r.value for r in roles)
                raise Forbidden(f"this needs a {wanted} account", code="wrong_role")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_actor() -> Actor:
    return Actor(officer=g.get("officer"), device=g.get("device"))


def actor_label() -> str:
    """Who to name in the audit log for this request."""
    officer, device = g.get("officer"), g.get("device")
    if officer is not None:
        return f"officer:{officer.username}"
    return f"device:{device.name}" if device is not None else "anonymous"


def office_of(who: Officer | OfficerRef | DeviceRef | Ticket | Dossier) -> Office:
    """The office an officer, a device, a ticket or a dossier belongs to."""
    office = db.session.get(Office, who.office_id)
    assert office is not None
    return office


def screen_office(kind: DeviceKind) -> tuple[Office, str | None]:
    """The office a screen's page is for, and the code the page keeps asking for: a registered
    device's of ``kind`` (``?key=``, or the ``X-Device-Key`` header), else ``?office=CODE``,
    else this server's own."""
    key = request.args.get("key") or request.headers.get("X-Device-Key")
    if key:
        device = auth.device_for_key(db.session, key)
        if device.kind != kind:
            raise Forbidden(f"this key is not a {kind.value}'s", code="wrong_device_kind")
        office = office_of(device)
        return office, office.code
    chosen = request.args.get("office") or None
    return requested_office(chosen), chosen


def caller_office() -> Office:
    """The office of the authenticated caller, loaded on first ask (the hot paths need only
    the plain value the key or token came with: :func:`caller_office_ref`)."""
    office: Office | None = g.get("office")
    if office is not None:
        return office
    who: OfficerRef | DeviceRef | None = g.get("officer") or g.get("device")
    if who is None:
        return home_office()
    g.office = office_of(who)
    return g.office


def caller_office_ref() -> OfficeLike:
    """The authenticated caller's office as the plain value its key or token came with (no
    statement), else this server's office."""
    who: OfficerRef | DeviceRef | None = g.get("officer") or g.get("device")
    return who.office if who is not None else caller_office()


def install_error_handlers(app: Flask) -> None:
    """The error answers."""

    @app.after_request
    def _retry_after(response: Response) -> Response:
        # A 503 (try again in a moment) or a 429 (at the rate window's end), and a 429's limit.
        wanted = g.pop("retry_after", None)
        if wanted is not None:
            response.headers["Retry-After"] = wanted
        response.headers.update(g.pop("rate_limit_headers", {}))
        return response

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> tuple[Response, int]:
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(exc: DBAPIError) -> tuple[Response, int]:
        # Busy (a lock held too long) or gone (the server restarting, the network cut): either
        # way nothing was changed, and the client may try again in a moment.
        db.session.rollback()
        why = "busy" if is_busy_error(exc) else "unreachable"
        response, status = error_response(
            503, "database_busy", f"the database is {why}; nothing was changed, try again"
        )
        g.retry_after = "1" if why == "busy" else "5"
        response.headers["Retry-After"] = g.retry_after
        return response, status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return exc
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            429: "rate_limited",
            400: "bad_request",
            415: "unsupported_media_type",
        }.get(exc.code or 500, "http_error")
        return error_response(exc.code or 500, code, exc.description or exc.name)


def desk_for(office: Office) -> Desk:
    """The signed-in officer's dossier desk: their office, its calendar, and what a slip is
    printed with."""
    own = office_settings(office)["office"]
    return Desk(
        office=office,
        calendar=office_calendar(office),
        officer=g.officer,
        links=rules(),
        printers=office_printers(office),
        letterhead={key: own[key] for key in LETTERHEAD},
        actor=actor_label(),
    )
