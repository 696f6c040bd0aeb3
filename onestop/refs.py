"""Plain values of the rows a hot path only reads, and what a function needs of a row.

Loading a row as an ORM object costs several times its statement (identity map, instrumented
attributes, load events), and so does building one from a cache. The paths that run for every
ticket and call (a kiosk's key, an officer's token, the service asked for, the new ticket
itself) read their rows with Core into these frozen values instead. The protocols say which
columns a function reads, so it takes the ORM object or the value alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from onestop.models import DeviceKind, DossierState, Role, TicketState


class OfficeLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class OfficerLike(Protocol):
    """What the counter and the desk read of the officer acting."""

    @property
    def id(self) -> int: ...
    @property
    def office_id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def display_name(self) -> str: ...


class DossierTimesLike(Protocol):
    """What the timeliness rules read of a dossier: the ORM row, or a report's plain row."""

    @property
    def state(self) -> DossierState: ...
    @property
    def rule(self) -> dict[str, Any]: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def due_at_original(self) -> datetime | None: ...
    @property
    def supplement_count(self) -> int: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def returned_at(self) -> datetime | None: ...


class DossierRowLike(DossierTimesLike, Protocol):
    """What the evaluation reads of a dossier besides its times: the ORM row or a plain one."""

    @property
    def id(self) -> int: ...
    @property
    def procedure_id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def delivery(self) -> str: ...
    @property
    def received_by(self) -> int | None: ...
    @property
    def ticket_id(self) -> int | None: ...


class ServiceLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...


class TicketLike(Protocol):
    """What the receipt, the wait estimate and the ticket log read of a ticket."""

    @property
    def id(self) -> int: ...
    @property
    def office_id(self) -> int: ...
    @property
    def service_id(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def number(self) -> str: ...
    @property
    def token(self) -> str: ...
    @property
    def state(self) -> TicketState: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def priority_rank(self) -> int: ...
    @property
    def queued_at(self) -> datetime: ...
    @property
    def issued_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class OfficeRef:
    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """A registered device as its key names it (an active one: a revoked key finds none)."""

    id: int
    office_id: int
    kind: DeviceKind
    name: str
    counter_id: int | None
    printer: str | None
    office: OfficeRef


@dataclass(frozen=True, slots=True)
class OfficerRef:
    """The officer a valid, unrevoked token of an active account names."""

    id: int
    office_id: int
    username: str
    full_name: str
    role: Role
    office: OfficeRef

    @property
    def display_name(self) -> str:
        """How screens and papers name the officer: the full name, else the username."""
        return self.full_name or self.username


@dataclass(frozen=True, slots=True)
class ServiceRef:
    id: int
    office_id: int
    code: str
    prefix: str
    name: str
    name_en: str
    is_open: bool


@dataclass(frozen=True, slots=True)
class NewTicket:
    """The row :func:`onestop.queue.issue_ticket` inserted, as it inserted it."""

    id: int
    office_id: int
    service_id: int
    day: date
    number: str
    token: str
    state: TicketState
    priority: str | None
    priority_rank: int
    queued_at: datetime
    issued_at: datetime
