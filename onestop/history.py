"""A made-up past for an office: tickets, dossiers, ratings and survey answers of the working
days before today, so the demo's reports and dashboard show a real office's months, and so the
report benchmark has a busy office-year (``onestop history --days 365 --per-day 600``: about
150,000 tickets, 60,000 dossiers, 100,000 ratings).

Rows are written in bulk (Core inserts with their ids given), following the same rules the
counter follows: numbers per service and day, dossier codes and register entries, the legal
appointment from the procedure's rule over the office calendar, a supplement's pause moving
the appointment, an apology's new date, a lawful extension. Nothing is personal: applicants
are drawn from a short list of common names. Run it while the office is closed (it gives ids
itself); it refuses to write over days that already have tickets.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from onestop import auth, clock, surveyforms, workcalendar
from onestop.dossiers.desk import later, legal_rule, rule_of
from onestop.errors import Conflict, InvalidInput
from onestop.models import (
    Counter,
    CounterService,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierState,
    Office,
    Officer,
    Procedure,
    Rating,
    ReceptionNote,
    RegisterSequence,
    Service,
    SurveyResponse,
    Ticket,
    TicketEvent,
    TicketSequence,
    TicketState,
)
from onestop.searchkeys import search_key
from onestop.workcalendar import OfficeCalendar

MAX_DAYS = 800
MAX_PER_DAY = 2000
BATCH = 5000
OFFICER_GIVEN_DAYS = 7  # the appointment an officer gives where the law states no time
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Lan", "Long", "Mai", "Nam", "Tâm")
OFFICERS = ("Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Minh Châu", "Phạm Thu Hà", "Võ Đức Long")
MISSING = ("Bản sao giấy khai sinh", "Tờ khai theo mẫu", "Giấy tờ chứng minh nơi cư trú")
# (share, low, high) of the legal working time a dossier takes to be resolved
OUTCOMES = ((0.70, 0.25, 0.85), (0.24, 0.88, 0.99), (0.06, 1.03, 1.5))
SCORES = (("very_satisfied", 0.55), ("satisfied", 0.36), ("unsatisfied", 0.03), ("no_answer", 0.06))
DELIVERIES = (("counter", 0.84), ("post", 0.11), ("electronic", 0.05))
REASONS = ("waited_too_long", "attitude", "extra_papers", "came_back")


@dataclass
class _Office:
    """What the history is made of: the office's services, counters, officers, catalogue."""

    office: Office
    calendar: OfficeCalendar
    services: list[tuple[int, str, str | None]]  # id, prefix, field code
    counters_of: dict[int, list[int]]  # service id -> counter ids serving it
    officer_of: dict[int, int]  # counter id -> the officer who sits there in this history
    procedures: dict[str | None, list[tuple[Procedure, dict[str, Any]]]]  # field -> (p, rule)
    forms: surveyforms.FormSet
    digits: int


_TABLES: dict[str, Any] = {
    "ticket": Ticket,
    "ticket_event": TicketEvent,
    "dossier": Dossier,
    "dossier_event": DossierEvent,
    "rating": Rating,
    "survey_response": SurveyResponse,
    "reception_note": ReceptionNote,
}


def generate(
    session: Session,
    office: Office,
    cfg: dict[str, Any],
    *,
    days: int,
    per_day: int,
    seed: int = 1,
) -> dict[str, Any]:
    """Write ``days`` calendar days of history ending yesterday, ``per_day`` tickets a working
    day on average; returns what was written, table by table."""
    if not 1 <= days <= MAX_DAYS or not 1 <= per_day <= MAX_PER_DAY:
        raise InvalidInput(
            f"days must be 1–{MAX_DAYS} and per-day 1–{MAX_PER_DAY}", code="invalid_field"
        )
    today = clock.local_day(clock.now(), office.timezone)
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    start, end = workcalendar.calendar_for(session, office, cfg).days_between(first, last)
    taken = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.office_id == office.id, Ticket.day >= first, Ticket.day <= last
        )
    ) or session.scalar(
        select(func.count(Dossier.id)).where(
            Dossier.office_id == office.id, Dossier.received_at >= start, Dossier.received_at < end
        )
    )
    if taken:
        raise Conflict(
            f"{office.code} already has tickets or dossiers between {first} and {last}: "
            "history is only written over days without any",
            code="history_exists",
        )
    writer = _Writer(
        _setting(session, office, cfg),
        random.Random(seed),
        {name: _next_id(session, name) for name in _TABLES},
        _register_starts(session, office.id),
    )
    day = first
    while day <= last:
        if writer.s.calendar.is_working_day(day):
            writer.day(day, per_day)
        day += timedelta(days=1)
    writer.write(session)
    counts = {name: len(writer.rows[name]) for name in _TABLES}
    return {"office": office.code, "from": first.isoformat(), "to": last.isoformat()} | counts


def _next_id(session: Session, table: str) -> int:
    return int(session.scalar(select(func.max(_TABLES[table].id))) or 0) + 1


def _register_starts(session: Session, office_id: int) -> dict[int, int]:
    query = select(RegisterSequence.year, RegisterSequence.last_number).where(
        RegisterSequence.office_id == office_id
    )
    return {year: number for year, number in session.execute(query)}  # noqa: C416


def _setting(session: Session, office: Office, cfg: dict[str, Any]) -> _Office:
    services = [
        (i, prefix, field_code)
        for i, prefix, field_code in session.execute(
            select(Service.id, Service.prefix, Service.field_code)
            .where(Service.office_id == office.id)
            .order_by(Service.position)
        )
    ]
    counters_of: dict[int, list[int]] = defaultdict(list)
    for service_id, counter_id in session.execute(
        select(CounterService.service_id, CounterService.counter_id)
        .join(Counter, Counter.id == CounterService.counter_id)
        .where(Counter.office_id == office.id)
        .order_by(CounterService.counter_id)
    ):
        counters_of[service_id].append(counter_id)
    if not services or not counters_of:
        raise Conflict(
            f"{office.code} has no services served at a counter: add them first (the demo's "
            "come with onestop init --demo)",
            code="no_services",
        )
    counter_ids = sorted({c for ids in counters_of.values() for c in ids})
    procedures: dict[str | None, list[tuple[Procedure, dict[str, Any]]]] = defaultdict(list)
    for procedure in session.scalars(
        select(Procedure).where(
            Procedure.office_id == office.id,
            Procedure.is_active.is_(True),
        )
    ):
        pair = (procedure, rule_of(procedure))
        procedures[procedure.field_code].append(pair)
        procedures[None].append(pair)
    if not procedures:
        raise Conflict(
            f"{office.code} has no catalogue: import one first",
            code="no_catalog",
        )
    return _Office(
        office=office,
        calendar=workcalendar.calendar_for(session, office, cfg),
        services=services,
        counters_of=dict(counters_of),
        officer_of=dict(
            zip(counter_ids, _officers(session, office, len(counter_ids)), strict=True)
        ),
        procedures=dict(procedures),
        forms=surveyforms.load(cfg["feedback"]["forms_directory"] or None),
        digits=int(cfg["queue"]["number_digits"]),
    )


def _officers(session: Session, office: Office, wanted: int) -> list[int]:
    """One officer per counter: the office's own, and made-up ones where it has too few (with
    a random password nobody is told: an admin resets it to use the account)."""
    found = list(
        session.scalars(
            select(Officer.id)
            .where(Officer.office_id == office.id, Officer.role == "officer")
            .order_by(Officer.id)
        )
    )
    stem = "".join(ch for ch in office.code.lower() if ch.isalnum()) or "office"
    for n in range(len(found), wanted):
        name = f"{stem}.canbo{n + 1}"
        officer = session.scalar(select(Officer).where(Officer.username == name))
        if officer is None:
            officer = auth.create_officer(
                session,
                office,
                name,
                secrets.token_urlsafe(18),
                "officer",
                full_name=OFFICERS[n % len(OFFICERS)],
                actor="history",
            )
        found.append(officer.id)
    return found[:wanted]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


_TicketStep = tuple[str, str | None, str, datetime, int | None, dict[str, Any] | None]


class _Writer:
    """Makes the rows of one history, day by day, and writes them at the end."""

    def __init__(
        self, s: _Office, rng: random.Random, ids: dict[str, int], registers: dict[int, int]
    ) -> None:
        self.s, self.rng, self.ids = s, rng, ids
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.registers = dict(registers)  # year -> the register's last number
        self.codes: dict[date, int] = defaultdict(int)  # day -> the day's last dossier code
        self.now = clock.now()

    def take(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add(self, table: str, **row: Any) -> int:
        """Keep a row of ``table``; its id (given here for the tables with one)."""
        if table in _TABLES:
            row["id"] = self.take(table)
        self.rows[table].append(row)
        return int(row.get("id", 0))

    def weighted(self, pairs: tuple[tuple[str, float], ...]) -> str:
        return self.rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]

    # -- a day ----------------------------------------------------------------------------
    def arrival(self, day: date) -> datetime:
        """A moment of the day's opening hours, most of them in the morning's first hours."""
        cal, rng = self.s.calendar, self.rng
        start, end = cal.sessions[0] if rng.random() < 0.64 else cal.sessions[-1]
        span = workcalendar.seconds_between(start, end)
        offset = rng.triangular(0, span * 0.92, span * 0.3)
        return clock.as_utc(datetime.combine(day, start, cal.zone) + timedelta(seconds=offset))

    def day(self, day: date, per_day: int) -> None:
        rng = self.rng
        busy = 1.2 if day.weekday() == 0 else 0.85 if day.weekday() >= 4 else 1.0
        count = max(0, round(rng.gauss(per_day * busy, per_day * 0.12)))
        seqs: dict[int, int] = defaultdict(int)
        served: dict[int, list[float]] = defaultdict(list)
        for issued in sorted(self.arrival(day) for _ in range(count)):
            service_id, prefix, field_code = rng.choice(self.s.services)
            seqs[service_id] += 1
            number = f"{prefix}{seqs[service_id]:0{self.s.digits}d}"
            leg = self.ticket(day, service_id, number, issued, seqs[service_id])
            if leg is None:
                continue
            ticket_id, counter_id, started, finished = leg
            served[service_id].append((finished - started).total_seconds())
            self.after_visit(ticket_id, counter_id, field_code, started)
            self.feedback(ticket_id, counter_id, service_id, finished)
        for _ in range(round(count * 0.05)):  # filed online: no ticket, no counter visit
            officer = rng.choice(list(self.s.officer_of.values()))
            self.dossier(self.arrival(day), None, officer, None)
        for service_id, last_number in seqs.items():
            times = served.get(service_id) or []
            self.add(
                "ticket_sequence",
                office_id=self.s.office.id,
                service_id=service_id,
                day=day,
                last_number=last_number,
                waiting=0,
                served_count=len(times),
                mean_service_seconds=sum(times) / len(times) if times else None,
            )

    # -- a ticket -------------------------------------------------------------------------
    def ticket(
        self, day: date, service_id: int, number: str, issued: datetime, seq_no: int
    ) -> tuple[int, int, datetime, datetime] | None:
        """One ticket and its steps; the served leg (id, counter, start, finish), or None."""
        s, rng = self.s, self.rng
        counter_id = rng.choice(s.counters_of.get(service_id) or list(s.officer_of))
        wait = min(rng.expovariate(1 / 540), 5400)
        called = issued + timedelta(seconds=wait)
        started = called + timedelta(seconds=rng.uniform(20, 120))
        finished = started + timedelta(seconds=min(rng.lognormvariate(6.0, 0.55), 3600))
        roll = rng.random()
        state = (
            TicketState.NO_SHOW
            if roll < 0.05
            else TicketState.TRANSFERRED
            if roll < 0.08
            else TicketState.DONE
        )
        if state == TicketState.NO_SHOW:
            started, finished = None, called + timedelta(minutes=3)  # type: ignore[assignment]
        estimate = max(0, round(wait / 60 * rng.uniform(0.6, 1.5)))
        ticket_id = self.leg(
            day,
            service_id,
            number,
            seq_no,
            state,
            issued,
            issued,
            called,
            started,
            finished,
            counter_id,
            None,
            estimate,
        )
        if state == TicketState.NO_SHOW:
            return None
        if state == TicketState.DONE:
            return ticket_id, counter_id, started, finished
        # A transfer: the next leg at another service's counter, called soon after.
        other_id = rng.choice(s.services)[0]
        target = rng.choice(s.counters_of.get(other_id) or [counter_id])
        called2 = finished + timedelta(seconds=rng.uniform(60, 900))
        started2 = called2 + timedelta(seconds=30)
        finished2 = started2 + timedelta(seconds=rng.uniform(120, 900))
        leg2 = self.leg(
            day,
            other_id,
            number,
            None,
            TicketState.DONE,
            issued,
            issued,
            called2,
            started2,
            finished2,
            target,
            ticket_id,
            None,
        )
        self.rows["ticket"][-2]["next_id"] = leg2
        return leg2, target, started2, finished2

    def leg(
        self,
        day: date,
        service_id: int,
        number: str,
        seq_no: int | None,
        state: TicketState,
        queued: datetime,
        issued: datetime,
        called: datetime,
        started: datetime | None,
        finished: datetime,
        counter_id: int,
        previous_id: int | None,
        estimate: int | None,
    ) -> int:
        officer_id = self.s.officer_of[counter_id]
        ticket_id = self.add(
            "ticket",
            office_id=self.s.office.id,
            service_id=service_id,
            day=day,
            seq_no=seq_no,
            number=number,
            token=secrets.token_urlsafe(12),
            state=state,
            priority=None,
            priority_rank=0,
            queued_at=queued,
            issued_at=issued,
            called_at=called,
            first_called_at=called,
            started_at=started,
            finished_at=finished,
            recall_count=2 if state == TicketState.NO_SHOW else 0,
            counter_id=counter_id,
            officer_id=officer_id,
            previous_id=previous_id,
            next_id=None,
        )
        issue = {"priority": None, "estimate": estimate} if previous_id is None else None
        kind = "issued" if previous_id is None else "transfer_in"
        steps: list[_TicketStep] = [
            (kind, None, "waiting", issued if issue else called, None, issue)
        ]
        steps.append(("called", "waiting", "called", called, counter_id, None))
        if started is None:
            steps.append(("no_show", "called", "no_show", finished, counter_id, None))
        else:
            steps.append(("started", "called", "serving", started, counter_id, None))
            last = "finished" if state == TicketState.DONE else "transferred"
            steps.append((last, "serving", state.value, finished, counter_id, None))
        for kind, before, after, at, counter, data in steps:
            self.add(
                "ticket_event",
                ticket_id=ticket_id,
                office_id=self.s.office.id,
                at=at,
                kind=kind,
                from_state=before,
                to_state=after,
                counter_id=counter,
                officer_id=officer_id if counter else None,
                device_id=None,
                data=data,
            )
        return ticket_id

    # -- what a visit leaves ----------------------------------------------------------------
    def after_visit(
        self, ticket_id: int, counter_id: int, field_code: str | None, started: datetime
    ) -> None:
        """A dossier (four visits in ten), guidance (one in twenty-five), or a refusal."""
        roll = self.rng.random()
        at = started + timedelta(seconds=self.rng.uniform(60, 300))
        officer_id = self.s.officer_of[counter_id]
        if roll < 0.045:
            procedure, _ = self.rng.choice(self.procedures(field_code))
            kind = "guidance" if roll < 0.04 else "refusal"
            self.add(
                "reception_note",
                office_id=self.s.office.id,
                at=at,
                kind=kind,
                officer_id=officer_id,
                ticket_id=ticket_id,
                procedure_code=procedure.code,
                procedure_name=procedure.name,
                applicant={"kind": "person", "name": _name(self.rng)},
                items=[self.rng.choice(MISSING)] if kind == "guidance" else [],
                reason="" if kind == "guidance" else "Không thuộc thẩm quyền giải quyết",
            )
        elif roll < 0.47:
            self.dossier(at, ticket_id, officer_id, field_code)

    def procedures(self, field_code: str | None) -> list[tuple[Procedure, dict[str, Any]]]:
        return self.s.procedures.get(field_code) or self.s.procedures[None]

    def feedback(self, ticket_id: int, counter_id: int, service_id: int, served: datetime) -> None:
        """Two visits in three are rated at the pad; one in thirty answers a survey."""
        rng, base = (
            self.rng,
            {
                "office_id": self.s.office.id,
                "ticket_id": ticket_id,
                "dossier_id": None,
                "counter_id": counter_id,
                "officer_id": self.s.officer_of[counter_id],
                "service_id": service_id,
                "served_at": served,
            },
        )
        if rng.random() < 0.67:
            score = self.weighted(SCORES)
            reasons = [rng.choice(REASONS)] if score == "unsatisfied" else []
            at = served + timedelta(seconds=rng.uniform(5, 60))
            self.add(
                "rating",
                **base,
                score=score,
                reasons=reasons,
                channel="pad",
                device_id=None,
                created_at=at,
                updated_at=at,
            )
        if rng.random() < 0.033:
            form = self.s.forms.forms["full" if rng.random() < 0.2 else "short"]
            answers: dict[str, Any] = {}
            for question in form.questions:
                if question.kind == "scale":
                    answers[question.id] = rng.choices((5, 4, 3, 2), weights=(50, 38, 9, 3))[0]
                elif question.kind == "visits":
                    answers[question.id] = rng.choice(("0", "0", "1"))
            at = served + timedelta(hours=rng.uniform(0.2, 30))
            self.add(
                "survey_response",
                **base,
                form=form.code,
                answers=answers,
                contact=None,
                language="vi",
                edit_until=at + timedelta(days=1),
                edits=0,
                created_at=at,
                updated_at=at,
            )

    # -- a dossier --------------------------------------------------------------------------
    def dossier(
        self, received: datetime, ticket_id: int | None, officer_id: int, field_code: str | None
    ) -> None:
        """One dossier and its steps, with the outcome a busy office's year shows: seven in
        ten early, one in twenty late (most of those with an apology), a few supplements and
        lawful extensions; those whose time has not come yet are still open."""
        cal, rng, now = self.s.calendar, self.rng, self.now
        procedure, rule = rng.choice(self.procedures(field_code))
        # (instants are kept as UTC: SQLite would store a local time's wall clock as UTC)
        stated = cal.due_at(received, legal_rule(rule))
        # (where the law states no time, the officer gives the appointment)
        due = clock.as_utc(stated or cal.add_working_days(received, OFFICER_GIVEN_DAYS))
        if stated is not None and self.taken_on_the_spot(rule, received):
            rule = rule | {"on_the_spot": True, "taken_on_the_spot": True}
        legal = max(cal.working_hours_between(received, due), 0.5)
        steps: list[tuple[str, str | None, str, datetime, dict[str, Any] | None]] = [
            ("receive", None, "received", received, None),
            ("start", "received", "in_progress", received + timedelta(minutes=5), None),
        ]
        judged, paused, supplements, by_law, extended = due, None, 0, 0, 0
        paused_hours, back = 0.0, received  # the supplement's pause, and its end
        timed = rule.get("unit") == "working_day" and not rule.get("taken_on_the_spot")
        if timed and legal > cal.hours_per_day and rng.random() < 0.04:
            asked = clock.as_utc(cal.add_working_hours(received, legal * rng.uniform(0.1, 0.4)))
            waited = rng.uniform(3, 40)
            back = clock.as_utc(cal.add_working_hours(asked, waited))
            if asked < now:
                supplements = 1
                steps.append(
                    (
                        "request_supplement",
                        "in_progress",
                        "supplement_requested",
                        asked,
                        {"supplement_round": 1},
                    )
                )
                if back > now:
                    paused = asked
                else:
                    hours = round(cal.working_hours_between(asked, back), 2)
                    steps.append(
                        (
                            "supplement_received",
                            "supplement_requested",
                            "in_progress",
                            back,
                            {"paused_working_hours": hours},
                        )
                    )
                    due, judged = later(cal, due, hours) or due, later(cal, judged, hours) or judged
                    paused_hours = hours
        limit = rule.get("extension_max_working_days")
        if timed and limit and rng.random() < 0.03:
            at = cal.add_working_hours(received, legal * 0.2)
            moved = clock.as_utc(cal.add_working_days(due, int(limit)))
            if at < now:
                steps.append(
                    (
                        "extend_by_law",
                        "in_progress",
                        "in_progress",
                        at,
                        {"new_due_at": moved.isoformat()},
                    )
                )
                due = judged = moved
                by_law = 1
        spot = (rule.get("unit") == "same_day" or rule.get("taken_on_the_spot")) and (
            rng.random() < 0.93
        )
        if spot:  # resolved while the citizen waits, and handed over at once
            resolved = clock.as_utc(cal.add_working_hours(received, rng.uniform(0.2, 1.2)))
        else:
            share = rng.uniform(*self.outcome())
            resolved = clock.as_utc(
                max(
                    cal.add_working_hours(received, legal * share + paused_hours),
                    cal.add_working_hours(back, 0.5),  # (never before the supplement)
                )
            )
        if due is not None and resolved > due and rng.random() < 0.6:
            at = cal.add_working_hours(received, legal * 0.6)
            if at < now:
                new_due = clock.as_utc(cal.add_working_hours(resolved, rng.uniform(1, 8)))
                steps.append(
                    (
                        "extend",
                        "in_progress",
                        "in_progress",
                        at,
                        {"new_due_at": new_due.isoformat()},
                    )
                )
                due, extended = new_due, 1
        delivery = "counter" if spot else self.weighted(DELIVERIES)
        wait = 0.0 if delivery == "electronic" else rng.uniform(0.05, 0.4 if spot else 60)
        returned = resolved + timedelta(hours=wait)
        state = DossierState.RETURNED
        resolved_at: datetime | None = resolved
        returned_at: datetime | None = returned
        closed_at = None
        if paused is not None:
            state, resolved_at, returned_at = DossierState.SUPPLEMENT_REQUESTED, None, None
        elif resolved > now:
            state, resolved_at, returned_at = DossierState.IN_PROGRESS, None, None
        elif rng.random() < 0.004:
            state, resolved_at, returned_at, closed_at = DossierState.REFUSED, None, None, resolved
            steps.append(("refuse", "in_progress", "refused", resolved, None))
        elif returned > now:
            state, returned_at = DossierState.RESOLVED, None
        if resolved_at is not None:
            steps.append(("resolve", "in_progress", "resolved", resolved, None))
        if returned_at is not None:
            steps.append(("return", "resolved", "returned", returned, {"delivery": delivery}))
        local_day = cal.local(received).date()
        self.codes[local_day] += 1
        self.registers[local_day.year] = self.registers.get(local_day.year, 0) + 1
        code = f"{self.s.office.code}-{local_day:%y%m%d}-{self.codes[local_day]:04d}"
        person = {"kind": "person", "name": _name(rng)}
        dossier_id = self.add(
            "dossier",
            office_id=self.s.office.id,
            code=code,
            token=secrets.token_urlsafe(16),
            procedure_id=procedure.id,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            rule=rule,
            ticket_id=ticket_id,
            applicant=person,
            channel="direct" if ticket_id else "online",
            delivery=delivery,
            documents=[],
            state=state,
            received_at=received,
            due_at=due,
            due_at_original=judged,
            extended_count=extended,
            extended_by_law=by_law,
            supplement_count=supplements,
            paused_at=paused,
            resolved_at=resolved_at,
            returned_at=returned_at,
            closed_at=closed_at,
            received_by=officer_id,
            register_year=local_day.year,
            register_number=self.registers[local_day.year],
            search_key=search_key(code, person),
        )
        for action, before, after, at, data in sorted(steps, key=lambda step: step[3]):
            self.add(
                "dossier_event",
                dossier_id=dossier_id,
                office_id=self.s.office.id,
                at=clock.as_utc(at),
                action=action,
                from_state=before,
                to_state=after,
                officer_id=officer_id,
                unit="",
                note="",
                data=data,
            )

    def taken_on_the_spot(self, rule: dict[str, Any], received: datetime) -> bool:
        """One in ten dossiers of a 2–5-day procedure, received before the cut-off, is resolved
        on the spot (the officer's flag: "4 tại chỗ")."""
        value, cutoff = rule.get("value"), rule.get("same_day_cutoff") or "15:00"
        if rule.get("unit") != "working_day" or value is None or not 2 <= value <= 5:
            return False
        local = self.s.calendar.local(received).time()
        return local < time.fromisoformat(cutoff) and self.rng.random() < 0.1

    def outcome(self) -> tuple[float, float]:
        """The share of its legal time a dossier takes: early, on the last day, late."""
        low_high = [(low, high) for _, low, high in OUTCOMES]
        return self.rng.choices(low_high, weights=[share for share, _, _ in OUTCOMES])[0]

    # -- writing ----------------------------------------------------------------------------
    def write(self, session: Session) -> None:
        """Insert the rows in batches, then the sequences that follow them; on PostgreSQL move
        each table's id sequence past the ids given here."""
        office_id = self.s.office.id
        for name in (
            "ticket",
            "ticket_event",
            "dossier",
            "dossier_event",
            "rating",
            "survey_response",
            "reception_note",
        ):
            table, rows = _TABLES[name].__table__, self.rows[name]
            if name == "ticket":
                # next_id points forward: insert without it, then set it.
                links = [(r["id"], r.pop("next_id")) for r in rows if r.get("next_id")]
                for r in rows:
                    r.pop("next_id", None)
            for start in range(0, len(rows), BATCH):
                session.execute(insert(table), rows[start : start + BATCH])
            if name == "ticket" and links:
                session.execute(
                    table.update()
                    .where(table.c.id == bindparam("leg"))
                    .values(next_id=bindparam("next")),
                    [{"leg": leg, "next": nxt} for leg, nxt in links],
                )
        if self.rows["ticket_sequence"]:
            session.execute(insert(TicketSequence), self.rows["ticket_sequence"])
        if self.codes:
            session.execute(
                insert(DossierSequence),
                [
                    {"office_id": office_id, "day": d, "last_number": n}
                    for d, n in self.codes.items()
                ],
            )
        for year, number in self.registers.items():
            key = {"office_id": office_id, "year": year}
            row = session.get(RegisterSequence, key)
            if row is None:
                session.add(RegisterSequence(**key, last_number=number))
            else:
                row.last_number = max(row.last_number, number)
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            for name in _TABLES:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
                # A bulk load: the planner's statistics now, as autovacuum would take them
                # a while later (without them a year of tickets looked like one row to it).
                session.execute(text(f"ANALYZE {name}"))
