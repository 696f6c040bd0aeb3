"""Staff accounts, bearer tokens, device keys and counter claims.

Passwords are stored as werkzeug scrypt hashes; bearer tokens and device keys are random secrets
of which only the SHA-256 is stored, so a leaked database gives no working credential.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from onestop import clock, queries
from onestop.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, found
from onestop.models import (
    AuditEvent,
    Counter,
    Device,
    DeviceKind,
    Office,
    Officer,
    Role,
    StaffToken,
)
from onestop.refs import DeviceRef, OfficerLike, OfficerRef

MIN_PASSWORD = 8
# werkzeug's method for new password hashes. Tests swap in a cheap one; nothing else may.
PASSWORD_METHOD = "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so that a wrong username costs as long as a wrong
    password (made once per method, on first use)."""
    return generate_password_hash("not-a-real-password", method=method)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def audit(
    session: Session, office_id: int | None, actor: str, action: str, target: str, **data: Any
) -> None:
    """Record an administrative change (append-only)."""
    session.add(
        AuditEvent(
            office_id=office_id,
            at=clock.now(),
            actor=actor,
            action=action,
            target=target,
            data=data or None,
        )
    )


def office_by_code(session: Session, code: str) -> Office:
    missing = NotFound(f"office {code!r} does not exist; run `onestop init`", code="unknown_office")
    return found(queries.find_office(session, code), missing)


def create_officer(
    session: Session,
    office: Office,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    actor: str = "cli",
) -> Officer:
    """Create a staff account."""
    if (
        not username
        or len(username) > 60
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise InvalidInput(
            "username: 1–60 letters, digits, '.', '_' or '-'", code="invalid_username"
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD} characters", code="weak_password"
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise InvalidInput(
            f"role must be one of {', '.join(r.value for r in Role)}", code="invalid_role"
        ) from None
    if queries.officer_by_username(session, username) is not None:
        raise Conflict(f"user {username!r} already exists", code="user_exists")
    officer = Officer(
        office_id=office.id,
        username=username,
        full_name=full_name,
        role=role_value,
        password_hash=hash_password(password),
        is_active=True,
        created_at=clock.now(),
    )
    session.add(officer)
    session.flush()
    audit(session, office.id, actor, "user_added", username, role=role_value.value)
    return officer


def issue_token(
    session: Session, username: str, password: str, *, hours: int
) -> tuple[str, StaffToken]:
    """Check a login and hand out a bearer token valid for ``hours``."""
    officer = queries.officer_by_username(session, username)
    stored = officer.password_hash if officer else _dummy_hash(PASSWORD_METHOD)
    valid = check_password_hash(stored, password)
    if officer is None or not valid or not officer.is_active:
        raise NotAuthenticated("wrong username or password", code="invalid_credentials")
    token = secrets.token_urlsafe(32)
    at = clock.now()
    row = StaffToken(
        officer_id=officer.id,
        token_hash=digest(token),
        created_at=at,
        expires_at=at + timedelta(hours=hours),
    )
    row.officer = officer
    session.add(row)
    session.flush()
    audit(session, officer.office_id, username, "logged_in", username)
    return token, row


def officer_for_token(session: Session, token: str) -> OfficerRef:
    """The officer a bearer token names (a plain value: see ``onestop.refs``)."""
    row = queries.staff_token(session, digest(token))
    if row is None or row.revoked_at is not None or clock.as_utc(row.expires_at) <= clock.now():
        raise NotAuthenticated("the token is unknown or has expired", code="invalid_token")
    if not row.is_active:
        raise NotAuthenticated("this account is disabled", code="invalid_token")
    office = queries.office_ref(row)
    return OfficerRef(row.id, row.office_id, row.username, row.full_name, row.role, office)


def create_device(
    session: Session,
    office: Office,
    kind: str,
    name: str,
    *,
    counter_number: int | None = None,
    printer: str | None = None,
    actor: str = "cli",
) -> tuple[Device, str]:
    """Register a device; returns it and its key (shown once, stored only as a hash)."""
    try:
        kind_value = DeviceKind(kind)
    except ValueError:
        raise InvalidInput(
            f"device kind must be one of {', '.join(k.value for k in DeviceKind)}",
            code="invalid_device_kind",
        ) from None
    if not name or len(name) > 60:
        raise InvalidInput("device name: 1–60 characters", code="invalid_device_name")
    if queries.device_by_name(session, office.id, name) is not None:
        raise Conflict(f"device {name!r} already exists", code="device_exists")
    counter_id = None
    if counter_number is not None:
        counter_id = queries.counter_by_number(session, office.id, counter_number).id
    key = secrets.token_urlsafe(24)
    device = Device(
        office_id=office.id,
        kind=kind_value,
        name=name,
        key_hash=digest(key),
        counter_id=counter_id,
        printer=printer,
        is_active=True,
        created_at=clock.now(),
    )
    session.add(device)
    session.flush()
    audit(
        session,
        office.id,
        actor,
        "device_added",
        name,
        kind=kind_value.value,
        counter=counter_number,
        printer=printer,
    )
    return device, key


def device_for_key(session: Session, key: str) -> DeviceRef:
    """The active device a key belongs to (a plain value: see ``onestop.refs``)."""
    device = queries.device_by_key_hash(session, digest(key))
    if device is None:
        raise NotAuthenticated("unknown or disabled device key", code="invalid_device_key")
    return device


def may_use_counter(session: Session, officer: OfficerLike, counter: Counter) -> bool:
    if counter.office_id != officer.office_id:
        return False
    allowed = queries.counters_allowed_to(session, officer.id)
    return not allowed or counter.id in allowed


def claim_counter(session: Session, officer: OfficerLike, counter: Counter) -> None:
    """Acting at a counter claims it and releases the counter the officer held before.

    If another officer held it (a shift change, a forgotten logout), the claim takes it over and
    the audit log says so.
    """
    if not may_use_counter(session, officer, counter):
        raise Forbidden(
            f"{officer.username} may not work at counter {counter.number}",
            code="counter_not_allowed",
        )
    if counter.officer_id == officer.id:
        return
    session.execute(
        update(Counter)
        .where(Counter.officer_id == officer.id)
        .values(officer_id=None)
        .execution_options(synchronize_session="fetch")
    )
    previous = counter.officer_id
    session.flush()
    counter.officer_id = officer.id
    session.flush()
    audit(
        session,
        officer.office_id,
        officer.username,
        "counter_claimed",
        str(counter.number),
        taken_from=previous,
    )
