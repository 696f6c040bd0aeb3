"""Receiving a dossier: a code, a public token and its appointment, from the visit being served."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, queries
from onestop.dossiers import slips
from onestop.dossiers.desk import (
    CHANNELS,
    DELIVERIES,
    Desk,
    Handled,
    choice,
    legal_rule,
    log_step,
    rule_of,
    text,
    utc,
)
from onestop.errors import Conflict, InvalidInput, NotFound, found
from onestop.models import (
    Dossier,
    DossierSequence,
    DossierState,
    Office,
    PrintJob,
    Procedure,
    ReceptionNote,
    RegisterSequence,
    Ticket,
    TicketState,
)
from onestop.searchkeys import search_key
from onestop.workcalendar import SAME_DAY_CUTOFF, OfficeCalendar

# Applicant fields and their longest accepted length; only the name is required (and, for an
# organisation, its mã số doanh nghiệp/thuế).
APPLICANT = {
    "name": 200, "id_number": 20, "address": 300, "phone": 20, "email": 200, "tax_code": 20,
}  # fmt: skip
APPLICANT_KINDS = ("person", "organisation")
# Who files for the applicant under an authorisation: name, ID and the authorisation required.
AUTHORISED = {"name": 200, "id_number": 20, "address": 300, "phone": 20, "document": 300}
MAX_DOCUMENTS = 60
TOKEN_BYTES = 18


def _fields(
    raw: Any,
    limits: dict[str, int],
    where: str,
    required: set[str],
    more: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The text fields of ``raw`` within their limits; ``more``: other keys the caller reads."""
    if not isinstance(raw, dict):
        raise InvalidInput(
            f"'{where}' must be an object with at least a name", code="invalid_field"
        )
    unknown = set(raw) - set(limits) - more
    if unknown:
        raise InvalidInput(
            f"unknown {where} field(s): {', '.join(sorted(unknown))}", code="invalid_field"
        )
    return {
        key: text(raw.get(key), f"{where}.{key}", limit, required=key in required)
        for key, limit in limits.items()
    }


def _applicant(raw: Any) -> dict[str, Any]:
    """The applicant: a person, or an organisation with its mã số doanh nghiệp/thuế; with
    ``authorised``, the person who files for them (their ID and the authorisation document)."""
    person: dict[str, Any] = _fields(
        raw, APPLICANT, "applicant", {"name"}, frozenset({"kind", "authorised"})
    )
    kind = choice(raw.get("kind") or "person", "applicant.kind", APPLICANT_KINDS)
    person["kind"] = kind
    if kind == "organisation" and not person["tax_code"]:
        raise InvalidInput(
            "an organisation is identified by its mã số doanh nghiệp/mã số thuế: "
            "'applicant.tax_code' is required",
            code="missing_field",
        )
    if raw.get("authorised"):
        person["authorised"] = _fields(
            raw["authorised"], AUTHORISED, "applicant.authorised", {"name", "id_number", "document"}
        )
    return person


def _postal_address(delivery: str, given: Any, applicant: dict[str, Any]) -> str:
    """Where the post brings the result: given, or the applicant's address; required by post."""
    address = text(given, "postal_address", 300) or (applicant.get("address") or "")
    if delivery == "post" and not address:
        raise InvalidInput(
            "the result goes by post: give 'postal_address' (or the applicant's address)",
            code="missing_field",
        )
    return address if delivery == "post" else ""


def _documents(documents: Any) -> list[str]:
    if documents is None:
        return []
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise InvalidInput(
            "'documents' must be a list of the papers received", code="invalid_field"
        )
    if len(documents) > MAX_DOCUMENTS or any(len(d) > 300 for d in documents):
        raise InvalidInput(
            f"at most {MAX_DOCUMENTS} papers of 300 characters each", code="too_long"
        )
    return [d.strip() for d in documents if d.strip()]


def _allocate_code(session: Session, office: Office, day: date) -> str:
    keys = {"office_id": office.id, "day": day}
    number = queries.next_in_sequence(session, DossierSequence, keys)
    return f"{office.code}-{day:%y%m%d}-{number:04d}"


def _register_entry(session: Session, office: Office, day: date) -> tuple[int, int]:
    """The next entry of the office's Sổ theo dõi hồ sơ: a book a year, numbered from 1."""
    keys = {"office_id": office.id, "year": day.year}
    return day.year, queries.next_in_sequence(session, RegisterSequence, keys)


def _check_ticket(session: Session, office: Office, ticket: Ticket) -> None:
    """A dossier comes from the visit being served (or one finished earlier today), never from
    a guidance-only visit: that would break the visit's statistics."""
    today = clock.local_day(clock.now(), office.timezone)
    served_today = ticket.state == TicketState.DONE and ticket.day == today
    if ticket.state not in (TicketState.CALLED, TicketState.SERVING) and not served_today:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.state.value}: open a dossier from the ticket "
            "being served",
            code="invalid_ticket_state",
        )
    if served_today and queries.was_guidance_only(session, ticket):
        raise Conflict(
            f"ticket {ticket.number} was finished as a guidance-only visit",
            code="guidance_only_visit",
        )


def _procedure_and_visit(
    session: Session, office: Office, procedure_code: str, ticket_token: str | None
) -> tuple[Procedure, Ticket | None]:
    """The office's procedure (404 if not in its catalogue) and, when named, the visit being
    served that a dossier (or a paper given instead of one) comes from."""
    procedure = found(
        queries.active_procedure(session, office.id, procedure_code),
        NotFound(f"no procedure {procedure_code!r} in the catalogue", code="unknown_procedure"),
    )
    if not ticket_token:
        return procedure, None
    ticket = found(
        queries.ticket_by_token(session, ticket_token, office_id=office.id),
        NotFound("no such ticket", code="unknown_ticket"),
    )
    _check_ticket(session, office, ticket)
    return procedure, ticket


def _appointment(
    calendar: OfficeCalendar, legal: datetime | None, given: datetime | None, at: datetime
) -> datetime | None:
    """The dossier's appointment: its legal time's, or, where the procedure states none, the
    one the officer gives; never one made up (it would be printed, and judged against)."""
    if legal is not None:
        if given is not None:
            raise InvalidInput(
                "this procedure's legal time sets the appointment: 'due_at' is only for a "
                "procedure without a stated time",
                code="due_at_not_allowed",
            )
        return utc(legal)
    if given is None:
        raise InvalidInput(
            "this procedure has no stated legal time: give the appointment as 'due_at' "
            "(ISO 8601 with offset), a working moment after receipt",
            code="due_at_required",
        )
    if given <= at:
        raise InvalidInput("the appointment must come after the receipt", code="invalid_field")
    if not calendar.is_appointment_time(given):
        raise InvalidInput(
            "the appointment must fall in the office's working hours", code="invalid_field"
        )
    return utc(given)


#: The procedures a dossier of which may be taken "4 tại chỗ" when received by the cut-off,
#: besides the same-day ones (the 2022 plan, II.2.1.2.c): 2 to 5 working days.
ON_THE_SPOT_DAYS = (2, 5)


def _check_on_the_spot(calendar: OfficeCalendar, rule: dict[str, Any], at: datetime) -> None:
    """A 2–5-working-day dossier may be taken "4 tại chỗ" (received, appraised, approved and
    returned at the one-stop on the spot) when it is received by 15:00 on a working day."""
    low, high = ON_THE_SPOT_DAYS
    value = rule.get("value")
    if rule.get("unit") != "working_day" or value is None or not low <= value <= high:
        raise InvalidInput(
            f"only a procedure of {low} to {high} working days (or a same-day one) is taken "
            '"4 tại chỗ"',
            code="on_the_spot_not_allowed",
        )
    start = calendar.next_session_start(at)
    cutoff = time.fromisoformat(rule.get("same_day_cutoff") or SAME_DAY_CUTOFF)
    if start.date() != calendar.local(at).date() or start.time() > cutoff:
        raise InvalidInput(
            f'"4 tại chỗ" is for a dossier received by {cutoff:%H:%M} on a working day',
            code="on_the_spot_not_allowed",
        )


def receive_dossier(
    session: Session,
    desk: Desk,
    *,
    procedure_code: str,
    applicant: Any,
    channel: Any = "direct",
    delivery: Any = "counter",
    documents: Any = None,
    ticket_token: str | None = None,
    note: str = "",
    printer: str | None = None,
    due_at: datetime | None = None,
    postal_address: Any = None,
    on_the_spot: bool = False,
) -> Handled:
    """Receive a complete dossier: give it a code and a public token, and its appointment;
    with a ``printer``, queue its receipt and appointment slip there. ``due_at`` is the
    appointment the officer gives for a procedure whose legal time the law does not state
    (required then, refused otherwise)."""
    office = desk.office
    procedure, ticket = _procedure_and_visit(session, office, procedure_code, ticket_token)
    papers = _documents(documents)
    at = clock.now()
    rule = rule_of(procedure)
    if on_the_spot and not rule["on_the_spot"]:
        _check_on_the_spot(desk.calendar, rule, at)
        rule["on_the_spot"] = rule["taken_on_the_spot"] = True  # the officer's flag, this one
    due = _appointment(desk.calendar, desk.calendar.due_at(at, legal_rule(rule)), due_at, at)
    day = clock.local_day(at, office.timezone)
    code = _allocate_code(session, office, day)
    person = _applicant(applicant)
    how = choice(delivery, "delivery", DELIVERIES)
    address = _postal_address(how, postal_address, person)
    if address:
        person["postal_address"] = address  # personal, like the rest: never on public pages
    year, entry = _register_entry(session, office, day)
    dossier = Dossier(
        office_id=office.id,
        code=code,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        procedure_id=procedure.id,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        rule=rule,
        ticket_id=ticket.id if ticket else None,
        applicant=person,
        channel=choice(channel, "channel", CHANNELS),
        delivery=how,
        documents=papers,
        state=DossierState.RECEIVED,
        received_at=at,
        due_at=due,
        due_at_original=due,
        extended_count=0,
        supplement_count=0,
        received_by=desk.officer.id if desk.officer else None,
        register_year=year,
        register_number=entry,
        search_key=search_key(code, person),
    )
    session.add(dossier)
    session.flush()
    log_step(session, desk, dossier, "receive", None, at, note=note)
    job = None
    if printer:
        job = slips.queue_slip(session, desk, dossier, "receipt", printer, procedure=procedure)
    return Handled(dossier, job)


#: What the counter gives instead of receiving a dossier (DOMAIN §2.5, issue 14 §3–§4).
RECEPTION_KINDS = ("guidance", "refusal")
MAX_REASON = 2000


def without_receiving(
    session: Session,
    desk: Desk,
    *,
    kind: str,
    procedure_code: str,
    applicant: Any,
    missing: Any = None,
    reason: str = "",
    ticket_token: str | None = None,
    printer: str | None = None,
) -> tuple[ReceptionNote, PrintJob | None]:
    """Record that the counter did not receive a dossier, and queue its paper on ``printer``:

    - ``guidance``: the papers are incomplete; the Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
      lists ``missing`` (required) and ``reason``. No dossier, no clock, and not a supplement
      round: only requests after receipt count (766).
    - ``refusal``: the Phiếu từ chối tiếp nhận giải quyết hồ sơ gives ``reason``; nothing is
      received, so nothing is counted as received.
    """
    office = desk.office
    kind = choice(kind, "kind", RECEPTION_KINDS)
    procedure, ticket = _procedure_and_visit(session, office, procedure_code, ticket_token)
    items = _documents(missing)
    if kind == "guidance" and not items:
        raise InvalidInput(
            "'missing' must list the papers to add or complete, one an entry",
            code="missing_field",
        )
    note = ReceptionNote(
        office_id=office.id,
        kind=kind,
        at=clock.now(),
        officer_id=desk.officer.id if desk.officer else None,
        ticket_id=ticket.id if ticket else None,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        applicant=_applicant(applicant),
        items=items,
        reason=text(reason, "reason", MAX_REASON, required=True),
    )
    session.add(note)
    session.flush()
    job = slips.queue_reception_slip(session, desk, note, printer) if printer else None
    return note, job
