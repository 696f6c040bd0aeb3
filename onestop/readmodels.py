"""Read models: what the API, the pages, the printer and the sockets show of the queue.

Public shapes (``ticket_status``, ``display_state``) carry no personal data and no internal ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, queries, realtime
from onestop.models import Counter, Office, Officer, Ticket, TicketState
from onestop.queue import QueueRules, estimated_wait_minutes, status_url
from onestop.refs import OfficerLike


def ticket_status(session: Session, ticket: Ticket, rules: QueueRules) -> dict[str, Any]:
    """The public status of a ticket (follows transfers to the live leg)."""
    live = queries.live_leg(session, ticket)
    waiting = live.state == TicketState.WAITING
    ahead = queries.ahead_of(session, live) if waiting else 0
    counter = session.get(Counter, live.counter_id) if live.counter_id else None
    active = live.state in queries.ACTIVE_AT_COUNTER
    return {
        "number": live.number,
        "service": live.service.code,
        "service_name": live.service.name,
        "service_name_en": live.service.name_en,
        "state": live.state.value,
        "position": ahead + 1 if waiting else 0,
        "estimated_wait_minutes": estimated_wait_minutes(session, live, ahead, rules),
        "counter": counter.number if counter and active else None,
        "issued_at": clock.iso(live.issued_at, rules.timezone),
        "called_at": clock.iso(live.called_at, rules.timezone),
        "status_url": status_url(rules, ticket.token),
        "dossiers": [
            {
                "code": d.code,
                "procedure": d.procedure_name,
                "state": d.state.value,
                "status_url": status_url(rules, d.token, "d"),
            }
            for d in queries.dossiers_of_visit(session, queries.visit_legs(session, ticket))
        ],
    }


def ticket_for_staff(ticket: Ticket, rules: QueueRules) -> dict[str, Any]:
    """A ticket as the counter screen sees it."""
    tz = rules.timezone
    return {
        "number": ticket.number,
        "service": ticket.service.code,
        "service_name": ticket.service.name,
        "state": ticket.state.value,
        "priority": ticket.priority,
        "priority_confirmed": ticket.priority_confirmed,
        "token": ticket.token,
        "counter": ticket.counter.number if ticket.counter else None,
        "recall_count": ticket.recall_count,
        "issued_at": clock.iso(ticket.issued_at, tz),
        "called_at": clock.iso(ticket.called_at, tz),
        "started_at": clock.iso(ticket.started_at, tz),
        "finished_at": clock.iso(ticket.finished_at, tz),
    }


def _call(ticket: Ticket, counter: Counter, tz: str) -> dict[str, Any]:
    return {
        "counter": counter.number,
        "number": ticket.number,
        "service": ticket.service.code,
        "called_at": clock.iso(ticket.called_at, tz),
    }


def current_seq(session: Session, office: Office) -> int:
    """The office's last committed realtime seq, read fresh (other processes move it)."""
    return queries.office_seq(session, office.id)


def display_state(session: Session, office: Office, rules: QueueRules) -> dict[str, Any]:
    """The waiting-room snapshot, with the seq it is consistent with."""
    day = clock.local_day(clock.now(), rules.timezone)
    counters = queries.counters(session, office.id)
    return {
        "seq": current_seq(session, office),
        "office": office.name,
        "now_serving": [
            _call(t, c, rules.timezone) for t, c in queries.now_serving(session, office.id, day)
        ],
        "recent": [
            _call(t, c, rules.timezone) for t, c in queries.recent_calls(session, office.id, day)
        ],
        "waiting": queries.waiting_counts(session, office.id, day),
        "counters": [c.number for c in counters if c.is_open],
        # Which services each counter serves: a display limited to some counters shows only
        # their queues, and one limited to some services only the counters that serve them.
        "counter_services": {
            str(c.number): [link.service.code for link in c.services] for c in counters
        },
        "services": {
            s.code: {"name": s.name, "name_en": s.name_en, "prefix": s.prefix}
            for s in queries.services(session, office.id)
        },
        "notices": notices_list(session, office),
    }


def notices_list(session: Session, office: Office) -> list[dict[str, Any]]:
    """The public notices for the ticker (public text only)."""
    return [
        {"id": n.id, "text": n.text, "text_en": n.text_en}
        for n in queries.notices(session, office.id)
    ]


def _minutes_since(then: datetime | None, now: datetime) -> int | None:
    # SQLite hands aggregates back without their offset: read them as the UTC they are.
    return None if then is None else max(0, int((now - clock.as_utc(then)).total_seconds() // 60))


def services_list(session: Session, office: Office, rules: QueueRules) -> list[dict[str, Any]]:
    """The services with their field, waiting count and how long the first in line has waited."""
    now = clock.now()
    day = clock.local_day(now, rules.timezone)
    waiting = queries.waiting_counts(session, office.id, day)
    oldest = queries.oldest_waiting(session, office.id, day)
    fields = {f.code: f for f in queries.catalog_fields(session, office.id)}
    result = []
    for s in queries.services(session, office.id):
        field = fields.get(s.field_code or "")
        result.append(
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "prefix": s.prefix,
                "field": s.field_code,
                "field_name": field.name if field else None,
                "field_name_en": field.name_en if field else None,
                "waiting": waiting.get(s.code, 0),
                "longest_wait_minutes": _minutes_since(oldest.get(s.code), now),
                "open": s.is_open,
            }
        )
    return result


def officer_day(session: Session, officer: OfficerLike, rules: QueueRules) -> dict[str, Any]:
    """An officer's own figures for today: the counter screen's "my day" panel."""
    day = clock.local_day(clock.now(), rules.timezone)
    tickets = queries.officer_day_tickets(session, officer.id, day)
    done = [t for t in tickets if t.state == TicketState.DONE]

    def average_minutes(pairs: list[tuple[datetime | None, datetime | None]]) -> float | None:
        spans = [(end - start).total_seconds() for start, end in pairs if start and end]
        return round(sum(spans) / len(spans) / 60, 1) if spans else None

    return {
        "served": len(done),
        "no_show": sum(t.state == TicketState.NO_SHOW for t in tickets),
        "transferred": sum(t.state == TicketState.TRANSFERRED for t in tickets),
        "average_wait_minutes": average_minutes([(t.issued_at, t.first_called_at) for t in done]),
        "average_service_minutes": average_minutes(
            [(t.first_called_at, t.finished_at) for t in done]
        ),
    }


def counters_list(session: Session, office: Office, rules: QueueRules) -> list[dict[str, Any]]:
    result = []
    for counter in queries.counters(session, office.id):
        current = queries.current_ticket(session, counter)
        holder = session.get(Officer, counter.officer_id) if counter.officer_id else None
        result.append(
            {
                "number": counter.number,
                "name": counter.name,
                "open": counter.is_open,
                "services": [link.service.code for link in counter.services],
                "officer": holder.username if holder else None,
                "current": ticket_for_staff(current, rules) if current else None,
            }
        )
    return result


def queue_event(session: Session, office: Office, rules: QueueRules) -> dict[str, Any]:
    """A ``queue_changed`` payload for the current state (sent to a client on connect)."""
    day = clock.local_day(clock.now(), rules.timezone)
    return {
        "seq": current_seq(session, office),
        **realtime.queue_changed(queries.waiting_counts(session, office.id, day)),
    }
