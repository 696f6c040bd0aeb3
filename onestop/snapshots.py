"""Read models: what the API, the pages, the printer and the sockets show of the queue.

Public shapes (``ticket_status``, ``display_state``) carry no personal data and no internal ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop import clock, realtime, selects
from onestop.models import Counter, Office, Officer, Ticket, TicketState
from onestop.queue import QueueRules, estimated_wait_minutes, status_url


def ticket_status(session: Session, ticket: Ticket, rules: QueueRules) -> dict[str, Any]:
    """The public status of a ticket (follows transfers to the live leg)."""
    live = selects.live_leg(session, ticket)
    waiting = live.state == TicketState.WAITING
    ahead = selects.ahead_of(session, live) if waiting else 0
    counter = session.get(Counter, live.counter_id) if live.counter_id else None
    active = live.state in selects.ACTIVE_AT_COUNTER
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
        "dossiers": [],
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
    return int(session.scalar(select(Office.event_seq).where(Office.id == office.id)) or 0)


def display_state(session: Session, office: Office, rules: QueueRules) -> dict[str, Any]:
    """The waiting-room snapshot, with the seq it is consistent with."""
    day = clock.local_day(clock.now(), rules.timezone)
    return {
        "seq": current_seq(session, office),
        "office": office.name,
        "now_serving": [
            _call(t, c, rules.timezone) for t, c in selects.now_serving(session, office.id, day)
        ],
        "recent": [
            _call(t, c, rules.timezone) for t, c in selects.recent_calls(session, office.id, day)
        ],
        "waiting": selects.waiting_counts(session, office.id, day),
        "counters": [c.number for c in selects.counters(session, office.id) if c.is_open],
    }


def services_list(session: Session, office: Office, rules: QueueRules) -> list[dict[str, Any]]:
    day = clock.local_day(clock.now(), rules.timezone)
    waiting = selects.waiting_counts(session, office.id, day)
    return [
        {
            "code": s.code,
            "name": s.name,
            "name_en": s.name_en,
            "prefix": s.prefix,
            "field": s.field_code,
            "waiting": waiting.get(s.code, 0),
            "open": s.is_open,
        }
        for s in selects.services(session, office.id)
    ]


def counters_list(session: Session, office: Office, rules: QueueRules) -> list[dict[str, Any]]:
    result = []
    for counter in selects.counters(session, office.id):
        current = selects.current_ticket(session, counter)
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
        **realtime.queue_changed(selects.waiting_counts(session, office.id, day)),
    }
