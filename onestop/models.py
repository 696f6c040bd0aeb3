"""The data model. Every state lives here in SQL; nothing that matters lives in process memory.

State machines live on the models: ``Ticket.state`` changes only through its guarded methods,
which raise :class:`InvalidTransition` (answered as HTTP 409) for a move the ticket cannot make.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from onestop.errors import InvalidInput, InvalidTransition

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


def table_of(model: type[Base]) -> Table:
    """A model's table, for plain Core statements on hot paths (the ORM's bulk paths cost)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


@functools.cache
def insert_into(model: type[Base]) -> Any:
    """A plain INSERT on ``model``'s table, built once (its values come as parameters)."""
    return insert(table_of(model))


def run_core(session: Session, statement: Any, params: dict[str, Any] | None = None) -> Any:
    """Run a Core statement (on tables, built once with bind parameters) on the session's
    connection, after flushing what is pending: what ``session.execute`` does for it, without
    the ORM's work per statement, which on the hot paths costs several times the statement."""
    session.flush()
    return session.connection().execute(statement, params)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# Who decides for the head of the unit (extensions, stops) and sees what officers may not.
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    RATING = "rating"
    AGENT = "agent"  # a print agent on an office PC, sending jobs to its local printers


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class PrintStatus(enum.StrEnum):
    QUEUED = "queued"
    PRINTED = "printed"
    FAILED = "failed"
    RETRIED = "retried"  # failed, then queued again as a new job by staff


class Office(Base):
    __tablename__ = "office"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    # Last sequence number handed to a realtime event: clients detect gaps with it.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)


class Service(Base):
    """A kiosk button and the queue behind it (letter prefix on the ticket)."""

    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        UniqueConstraint("office_id", "prefix"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    field_code: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    """A counter window (quầy). ``officer_id`` is who holds it now."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("office_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), unique=True)
    services: Mapped[list[CounterService]] = relationship(
        order_by="CounterService.position", cascade="all, delete-orphan"
    )


class CounterService(Base):
    """Which services a counter serves, in the order it serves them."""

    __tablename__ = "counter_service"
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    service: Mapped[Service] = relationship()


class Officer(Base):
    __tablename__ = "officer"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    @property
    def display_name(self) -> str:
        """How screens and papers name the officer: the full name, else the username."""
        return self.full_name or self.username


class OfficerCounter(Base):
    """An admin's restriction: when an officer has rows here, only these counters are theirs."""

    __tablename__ = "officer_counter"
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), primary_key=True)


class StaffToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "staff_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    officer: Mapped[Officer] = relationship()


class Device(Base):
    """A kiosk, waiting-room display or rating pad, authenticated by a key (SHA-256 stored)."""

    __tablename__ = "device"
    __table_args__ = (UniqueConstraint("office_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[DeviceKind] = mapped_column(_enum(DeviceKind, "device_kind"))
    name: Mapped[str] = mapped_column(String(60))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    printer: Mapped[str | None] = mapped_column(String(60))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]


class TicketSequence(Base):
    """Per office, service and local day: the last number handed out (one upsert allocates
    it), how many wait now, and the mean service time of the day's finished tickets (updated as
    each finishes): the queue counts and the wait estimate are read here, not counted from the
    day's tickets. A transfer leg into a service with no ticket yet makes its row at number 0."""

    __tablename__ = "ticket_sequence"
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
    #: tickets (legs) of the service and day waiting now, kept by onestop.queue at each flush
    waiting: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    served_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: called → finished, a running mean over about the last SERVICE_TIME_SPAN tickets
    mean_service_seconds: Mapped[float | None] = mapped_column(Float)


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # The safety net under the sequence upsert. Transfer legs have seq_no NULL.
        UniqueConstraint("office_id", "service_id", "day", "seq_no"),
        UniqueConstraint("office_id", "request_key"),
        Index("ix_ticket_queue", "office_id", "state", "day"),
        # A counter's current ticket, asked by every counter action: without it, a scan of
        # every ticket ever issued.
        Index("ix_ticket_counter", "counter_id", "state"),
        # The reports read the tickets of a range of days.
        Index("ix_ticket_day", "office_id", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    day: Mapped[date] = mapped_column(Date)
    seq_no: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    token: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[TicketState] = mapped_column(
        _enum(TicketState, "ticket_state"), default=TicketState.WAITING
    )
    priority: Mapped[str | None] = mapped_column(String(40))
    priority_rank: Mapped[int] = mapped_column(Integer, default=0)
    # Position key in the queue: the issue time, kept by a transfer (see queue.transfer).
    queued_at: Mapped[datetime]
    issued_at: Mapped[datetime]
    called_at: Mapped[datetime | None]
    first_called_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    # A transfer to one counter: only that counter calls the ticket.
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    # Transfer chain: the leg this one continues, and the leg that continued this one.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    next_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    # The client's idempotency key: a repeated request (a double tap, a retry after a lost
    # answer) gets this ticket back instead of a second one.
    request_key: Mapped[str | None] = mapped_column(String(64))
    # The officer's check of the declared priority class: None = not checked yet.
    priority_confirmed: Mapped[bool | None] = mapped_column(Boolean)

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])

    # -- guarded transitions -------------------------------------------------------------
    def _move(self, allowed: set[TicketState], to: TicketState, action: str) -> TicketState:
        if self.state not in allowed:
            raise InvalidTransition(
                f"ticket {self.number} is {self.state.value}; cannot {action}",
                code="invalid_ticket_state",
            )
        before = self.state
        self.state = to
        return before

    def call(self, counter: Counter, officer_id: int | None, at: datetime) -> TicketState:
        before = self._move({TicketState.WAITING}, TicketState.CALLED, "call it")
        self.counter_id, self.officer_id, self.called_at = counter.id, officer_id, at
        self.first_called_at = self.first_called_at or at
        return before

    def recall(self, at: datetime) -> TicketState:
        before = self._move({TicketState.CALLED}, TicketState.CALLED, "recall it")
        self.recall_count += 1
        self.called_at = at
        return before

    def start(self, at: datetime) -> TicketState:
        before = self._move({TicketState.CALLED}, TicketState.SERVING, "start serving it")
        self.started_at = at
        return before

    def finish(self, at: datetime) -> TicketState:
        before = self._move(
            {TicketState.CALLED, TicketState.SERVING}, TicketState.DONE, "finish it"
        )
        self.started_at = self.started_at or at
        self.finished_at = at
        return before

    def mark_no_show(self, at: datetime) -> TicketState:
        before = self._move({TicketState.CALLED}, TicketState.NO_SHOW, "mark it a no-show")
        self.finished_at = at
        return before

    def transfer_out(self, at: datetime) -> TicketState:
        before = self._move(
            {TicketState.CALLED, TicketState.SERVING}, TicketState.TRANSFERRED, "transfer it"
        )
        self.finished_at = at
        return before

    def check_priority(self, confirmed: bool) -> None:
        """Record the officer's check of the declared priority class (once, at the counter)."""
        if self.priority is None:
            raise InvalidTransition(
                f"ticket {self.number} declared no priority class", code="no_priority"
            )
        if self.state not in (TicketState.CALLED, TicketState.SERVING):
            raise InvalidTransition(
                f"ticket {self.number} is {self.state.value}; check its priority at the counter",
                code="invalid_ticket_state",
            )
        if self.priority_confirmed is not None:
            raise InvalidTransition(
                f"the priority of ticket {self.number} was already checked",
                code="priority_already_checked",
            )
        self.priority_confirmed = confirmed

    def cancel(self, at: datetime) -> TicketState:
        before = self._move(
            {TicketState.WAITING, TicketState.CALLED}, TicketState.CANCELLED, "cancel it"
        )
        self.finished_at = at
        return before


class CatalogField(Base):
    """A field (lĩnh vực) of the procedure catalog: groups the kiosk's services and procedures."""

    __tablename__ = "catalog_field"
    __table_args__ = (UniqueConstraint("office_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) as the office publishes it.

    Imported from the province's catalogue (``onestop catalog import``); the kiosk shows it to
    citizens. ``time_unit`` is same_day, working_day, calendar_day, hour or unknown.
    """

    __tablename__ = "procedure"
    __table_args__ = (UniqueConstraint("office_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    code: Mapped[str] = mapped_column(String(40))
    field_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    time_value: Mapped[float | None] = mapped_column(Float)
    time_unit: Mapped[str] = mapped_column(String(20))
    same_day_cutoff: Mapped[str | None] = mapped_column(String(5))
    # The lawful extension (DOMAIN §2.4 step 6): at most this many days of ``extension_unit``
    # (working_day, or calendar_day where the law says "ngày"), counted as the law words it:
    # "added" to the legal time, or "in_total" from receipt. None: the law allows none.
    extension_max_working_days: Mapped[int | None] = mapped_column(Integer)
    extension_counts: Mapped[str] = mapped_column(String(10), default="added")
    extension_unit: Mapped[str] = mapped_column(String(20), default="working_day")
    fee_text: Mapped[str] = mapped_column(Text, default="")
    fee_text_vi: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(String(1), default="R")
    # Required documents (thành phần hồ sơ), one entry per paper, in the catalogue's order.
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The office's own, shorter target in the same unit (the plan's 30–50 % reduction).
    internal_time_value: Mapped[float | None] = mapped_column(Float)
    # "4 tại chỗ": received, appraised, approved and returned at the one-stop on the spot.
    on_the_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    effective_from: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Notice(Base):
    """A public notice shown on the waiting-room ticker (nothing personal belongs here)."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class TicketEvent(Base):
    """Append-only log of everything that happened to a ticket, with actor and time."""

    __tablename__ = "ticket_event"
    # The queue report reads the estimates printed with a period's issues.
    __table_args__ = (Index("ix_ticket_event_kind_at", "office_id", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditEvent(Base):
    """Append-only record of staff and device administration (who created what, when)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PrintKind(enum.StrEnum):
    TICKET = "ticket"
    SLIP = "slip"  # a dossier slip: payload {"slip": receipt|supplement_request|apology, ...}


class PrintJob(Base):
    """Something waiting to be printed; a ticket's job is written in the ticket's transaction."""

    __tablename__ = "print_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    kind: Mapped[PrintKind] = mapped_column(
        _enum(PrintKind, "print_kind"), default=PrintKind.TICKET
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    printer: Mapped[str] = mapped_column(String(60))
    # The print agent that took the job (central deployments); None when the server sends it.
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[PrintStatus] = mapped_column(
        _enum(PrintStatus, "print_status"), default=PrintStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None]  # the next try waits until then (backoff)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What to print, fixed when the ticket was issued (the paper says what the screen said).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ticket: Mapped[Ticket | None] = relationship()


class PrinterState(Base):
    """The last health seen of a configured printer (by the server's worker or a print agent)."""

    __tablename__ = "printer_state"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    # online | paper_low | paper_out | cover_open | offline | unknown
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime]
    changed_at: Mapped[datetime]  # when ``status`` last took its current value
    reported_by: Mapped[str] = mapped_column(String(60))  # "server" or the agent's name


class CalendarOverride(Base):
    """An office's own day off (a closure) or working day (a make-up Saturday), over the
    national calendar; added by an administrator."""

    __tablename__ = "calendar_override"
    __table_args__ = (UniqueConstraint("office_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(60))


class DossierState(enum.StrEnum):
    """DOMAIN.md §1.4; the national (DVCQG) status code of each is ``STATUS_CODES``."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    AWAITING_FEE = "awaiting_fee"
    RESOLVED = "resolved"
    RETURNED = "returned"
    REFUSED = "refused"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"


STATUS_CODES = {
    DossierState.RECEIVED: 2,
    DossierState.REFUSED: 3,
    DossierState.IN_PROGRESS: 4,
    DossierState.SUPPLEMENT_REQUESTED: 5,
    DossierState.AWAITING_FEE: 6,
    DossierState.WITHDRAWN: 7,
    DossierState.STOPPED: 8,
    DossierState.RESOLVED: 9,
    DossierState.RETURNED: 10,
}


# Open dossiers: received and not yet resolved, refused, stopped or withdrawn.
OPEN_DOSSIER_STATES = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROGRESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.AWAITING_FEE,
    }
)


@dataclass(frozen=True)
class DossierAction:
    """One thing that may be done to a dossier, with every rule about it. ``DOSSIER_ACTIONS``
    is the one table of them: the domain enforces it, and the dossier desk reads it (through
    the counter page's JSON data block) to know which form to show."""

    allowed_from: frozenset[DossierState]
    leads_to: DossierState | None  # None: the state stays
    needs_reason: bool = False  # the note is required (and goes on the slip)
    head_of_unit: bool = False  # decided by the head of the unit: a supervisor or admin (§2.6)
    slip: str | None = None  # the slip it prints when a printer is named (printer.slips)
    asks: tuple[str, ...] = ()  # what else the desk asks for, besides the note

    def as_rule(self) -> dict[str, Any]:
        """What a page needs to know of it (JSON)."""
        return {
            "needs_reason": self.needs_reason,
            "head_of_unit": self.head_of_unit,
            "slip": self.slip,
            "asks": list(self.asks),
        }


def _from(*states: DossierState) -> frozenset[DossierState]:
    return frozenset(states)


DOSSIER_ACTIONS: dict[str, DossierAction] = {
    "start": DossierAction(_from(DossierState.RECEIVED), DossierState.IN_PROGRESS),
    "request_supplement": DossierAction(
        _from(DossierState.RECEIVED, DossierState.IN_PROGRESS),
        DossierState.SUPPLEMENT_REQUESTED,
        needs_reason=True,  # the note: what to add or correct, one item a line
        slip="supplement_request",
        asks=("reason",),  # and why, its own field on the slip ("Lý do")
    ),
    "supplement_received": DossierAction(
        _from(DossierState.SUPPLEMENT_REQUESTED), DossierState.IN_PROGRESS
    ),
    "request_fee": DossierAction(
        _from(DossierState.RECEIVED, DossierState.IN_PROGRESS), DossierState.AWAITING_FEE
    ),
    "fee_paid": DossierAction(_from(DossierState.AWAITING_FEE), DossierState.IN_PROGRESS),
    "resolve": DossierAction(
        _from(DossierState.RECEIVED, DossierState.IN_PROGRESS), DossierState.RESOLVED
    ),
    "return": DossierAction(
        _from(DossierState.RESOLVED), DossierState.RETURNED, asks=("tracking",)
    ),
    "refuse": DossierAction(
        _from(DossierState.RECEIVED), DossierState.REFUSED, needs_reason=True, slip="refusal"
    ),
    "stop": DossierAction(
        OPEN_DOSSIER_STATES,
        DossierState.STOPPED,
        needs_reason=True,
        head_of_unit=True,
        slip="stop_notice",  # Thông báo dừng giải quyết, signed by the head of the unit
    ),
    "withdraw": DossierAction(OPEN_DOSSIER_STATES, DossierState.WITHDRAWN, needs_reason=True),
    # A lawful extension (verification, many documents): any officer, from receipt until the
    # appointment; a new receipt with the new date, which the dossier is then judged by.
    "extend_by_law": DossierAction(
        OPEN_DOSSIER_STATES,
        None,
        needs_reason=True,
        slip="receipt",
        asks=("new_due_at",),
    ),
    "extend": DossierAction(
        OPEN_DOSSIER_STATES,
        None,
        needs_reason=True,
        head_of_unit=True,
        slip="apology",
        asks=("new_due_at",),
    ),
}


class DossierSequence(Base):
    """The last dossier number handed out per office and local day (one upsert allocates)."""

    __tablename__ = "dossier_sequence"
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class RegisterSequence(Base):
    """The last entry of an office's Sổ theo dõi hồ sơ in a year (the receipt's Số)."""

    __tablename__ = "register_sequence"
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Dossier(Base):
    """A hồ sơ: received at the counter, timed against its legal time until it is returned.

    ``rule`` keeps the procedure's legal time as it was when the dossier was received, so a
    later catalogue change never moves an existing appointment. ``due_at_original`` is the
    appointment before any apology's new date (the one on-time is judged against; a lawful
    extension moves it, ``extend_by_law``); both due dates move
    on by the working time a supplement kept the dossier waiting for the citizen.
    """

    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        UniqueConstraint("office_id", "register_year", "register_number"),
        # The reports select a period's dossiers by these instants.
        Index("ix_dossier_received", "office_id", "received_at"),
        Index("ix_dossier_resolved", "office_id", "resolved_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    token: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)  # personal: never on public pages
    channel: Mapped[str] = mapped_column(String(20))  # direct | online | post
    delivery: Mapped[str] = mapped_column(String(20))  # counter | post | electronic
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)  # papers received
    state: Mapped[DossierState] = mapped_column(_enum(DossierState, "dossier_state"), index=True)
    received_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    due_at_original: Mapped[datetime | None]
    extended_count: Mapped[int] = mapped_column(Integer, default=0)  # the apology's new date
    extended_by_law: Mapped[int] = mapped_column(Integer, default=0)  # a lawful extension
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None]  # waiting for the citizen's supplement since then
    resolved_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # refused, stopped or withdrawn
    received_by: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    # Its entry in the office's Sổ theo dõi hồ sơ: the year's book and the number in it.
    register_year: Mapped[int | None] = mapped_column(Integer)
    register_number: Mapped[int | None] = mapped_column(Integer)
    # What the desk's search matches: code, names, ID numbers and phones, lower case and
    # without accents ("nguyen van an"); staff only, like the applicant it is made from.
    search_key: Mapped[str] = mapped_column(Text, default="")

    def check(self, action: str) -> None:
        """Raise unless ``action`` (a key of ``DOSSIER_ACTIONS``) is allowed now."""
        if action not in DOSSIER_ACTIONS:
            raise InvalidInput(
                f"unknown dossier action {action!r}; one of {', '.join(DOSSIER_ACTIONS)}",
                code="unknown_action",
            )
        if self.state not in DOSSIER_ACTIONS[action].allowed_from:
            raise InvalidTransition(
                f"dossier {self.code} is {self.state.value}; cannot {action.replace('_', ' ')}",
                code="invalid_dossier_state",
            )

    def transition(self, action: str) -> DossierState:
        """Move by ``action``; returns the state before."""
        self.check(action)
        to = DOSSIER_ACTIONS[action].leads_to
        before = self.state
        self.state = to or self.state
        return before

    @property
    def status_code(self) -> int:
        """The national (DVCQG) status code of the current state."""
        return STATUS_CODES[self.state]


class DossierEvent(Base):
    """One step of a dossier (the control slip, phiếu kiểm soát, is a view of these)."""

    __tablename__ = "dossier_event"
    # The reports count a period's steps of some kinds (extensions, apologies, supplements).
    __table_args__ = (Index("ix_dossier_event_action_at", "office_id", "action", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    unit: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def status_code(self) -> int:
        return STATUS_CODES[DossierState(self.to_state)]


class ReceptionNote(Base):
    """A dossier the counter did not receive: ``guidance`` (the papers are incomplete: the
    Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, given instead of receiving) or ``refusal`` (not
    for this office, or not receivable: the Phiếu từ chối tiếp nhận giải quyết hồ sơ). Neither
    is a received dossier, nor a supplement round; the reports count them apart."""

    __tablename__ = "reception_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # guidance | refusal
    at: Mapped[datetime]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    procedure_name: Mapped[str] = mapped_column(Text)
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON)  # personal: never on public pages
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # the papers to add or fix
    reason: Mapped[str] = mapped_column(Text, default="")


class RatingScore(enum.StrEnum):
    """The three-level answer at the counter (DOMAIN §3.1), or none when the pad timed out."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    NO_ANSWER = "no_answer"


class VisitFeedback:
    """What a rating and a survey answer share: the office, the visit it is about (the served
    ticket leg, or a dossier received without a ticket: one of each per visit, by UNIQUE), and
    who served it, copied in when it is made so statistics need no joins through later changes.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), unique=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    served_at: Mapped[datetime]  # when the visit ended (the leg's finish, or the receipt)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Rating(VisitFeedback, Base):
    """A citizen's three-level rating of one visit, from the counter's pad or the phone, with
    the reasons after "Không hài lòng". No personal data is kept."""

    __tablename__ = "rating"
    __table_args__ = (Index("ix_rating_served", "office_id", "served_at"),)
    score: Mapped[RatingScore] = mapped_column(_enum(RatingScore, "rating_score"))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(20))  # pad | phone
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))


class SurveyResponse(VisitFeedback, Base):
    """A citizen's answers to the short or the full (SIPAS) survey for one visit.

    Anonymous: only the visit it is about is linked. Free text is kept in ``answers`` with phone
    numbers, ID numbers and e-mail addresses masked; ``contact`` holds what the citizen chose to
    give to be called back, and is never shown on a public page. Editable until ``edit_until``.
    """

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_response_served", "office_id", "served_at"),)
    form: Mapped[str] = mapped_column(String(20))  # short | full
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    contact: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    edit_until: Mapped[datetime]
    edits: Mapped[int] = mapped_column(Integer, default=0)


APPEND_ONLY = (TicketEvent, AuditEvent, DossierEvent)


@event.listens_for(Session, "before_flush")
def _forbid_rewriting_history(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{type(obj).__name__} rows are append-only")
