"""Offices of one deployment: a province runs one system for its communes.

Every row already belongs to an office; this adds one, and (``like``) copies another office's
services, counters and catalogue, which is how a province sets up commune after commune. Staff,
devices, notices, calendar overrides, tickets and dossiers are never copied: they are each
office's own.
"""

from __future__ import annotations

import copy
import re
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from onestop import queries
from onestop.auth import audit
from onestop.errors import Conflict, InvalidInput, NotFound, found
from onestop.models import Base, CounterService, Office, Service

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
Row = TypeVar("Row", bound=Base)


def _copy(row: Row, office: Office) -> Row:
    """A new row like ``row`` (every column but its id) in ``office``."""
    columns = inspect(type(row)).column_attrs
    values = {
        c.key: copy.deepcopy(getattr(row, c.key))  # a JSON list must not be shared
        for c in columns
        if c.key not in ("id", "office_id")
    }
    return type(row)(**values, office_id=office.id)


def add_office(
    session: Session,
    code: str,
    name: str,
    *,
    timezone: str,
    like: str | None = None,
    actor: str = "cli",
) -> Office:
    """Create office ``code``; with ``like``, give it that office's services, counters (with the
    services each serves, in order) and catalogue (fields and procedures)."""
    if not CODE.fullmatch(code):
        raise InvalidInput(
            "office code: 1–40 letters, digits, '.', '_' or '-'", code="invalid_office_code"
        )
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("office name: 1–200 characters", code="invalid_field")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{timezone!r} is not a known time zone", code="invalid_field") from None
    if queries.find_office(session, code) is not None:
        raise Conflict(f"office {code!r} already exists", code="office_exists")
    model = None
    if like is not None:
        model = found(
            queries.find_office(session, like),
            NotFound(f"office {like!r} does not exist", code="unknown_office"),
        )
    office = Office(code=code, name=name, timezone=timezone, event_seq=0)
    session.add(office)
    session.flush()
    copied: dict[str, Any] = {}
    if model is not None:
        copied = _copy_setup(session, model, office)
    audit(session, office.id, actor, "office_added", code, like=like, **copied)
    return office


def _copy_setup(session: Session, model: Office, office: Office) -> dict[str, int]:
    services: dict[int, Service] = {}
    for service in queries.services(session, model.id):
        services[service.id] = _copy(service, office)
        session.add(services[service.id])
    session.flush()
    counters = queries.counters(session, model.id)
    for counter in counters:
        twin = _copy(counter, office)
        twin.officer_id = None  # who holds a counter is the model office's
        twin.services = [
            CounterService(service_id=services[link.service_id].id, position=link.position)
            for link in counter.services
        ]
        session.add(twin)
    fields = queries.catalog_fields(session, model.id)
    procedures = list(queries.procedures_by_code(session, model.id).values())
    session.add_all([_copy(row, office) for row in (*fields, *procedures)])
    session.flush()
    return {
        "services": len(services),
        "counters": len(counters),
        "fields": len(fields),
        "procedures": len(procedures),
    }
