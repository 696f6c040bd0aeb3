"""The realtime vocabulary: namespaces, rooms and every pushed payload, built here (pure:
no Flask-SocketIO; ``onestop.emitter`` sends them once the transaction has committed).

Event names are past tense server facts: ``ticket_issued``, ``ticket_called``, ``queue_changed``,
``notices_changed``, ``print_status``, ``rating_requested``. Rooms are per office (``office:<id>``)
so a central server can host several; a rating pad listens to its counter's room only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from onestop import clock
from onestop.models import Counter, Service, Ticket
from onestop.refs import OfficerLike, ServiceLike, TicketLike

DISPLAY = "/display"
COUNTER = "/counter"
KIOSK = "/kiosk"
RATING = "/rating"  # the rating pads; each listens to its own counter's room only
EVERYONE = (DISPLAY, COUNTER, KIOSK)
STAFF_AND_KIOSK = (COUNTER, KIOSK)


def office_room(office_id: int) -> str:
    return f"office:{office_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


@dataclass(frozen=True)
class Push:
    """One event for the screens: its name and payload, the namespaces it goes to, and the room
    (the whole office unless one is named). The emitter sends it once its change committed."""

    office_id: int
    name: str
    payload: dict[str, Any]
    namespaces: tuple[str, ...]
    room: str | None = None

    @property
    def to(self) -> str:
        return self.room or office_room(self.office_id)


def ticket_called(
    ticket: Ticket, counter: Counter, service: Service, tz: str, *, recall: bool
) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "counter": counter.number,
        "service": service.code,
        "called_at": clock.iso(ticket.called_at, tz),
        "recall": recall,
    }


def ticket_issued(ticket: TicketLike, service: ServiceLike, tz: str) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "service": service.code,
        "priority": ticket.priority,
        "issued_at": clock.iso(ticket.issued_at, tz),
    }


def queue_changed(waiting: dict[str, int]) -> dict[str, Any]:
    return {"waiting": waiting}


def notices_changed(notices: list[dict[str, Any]]) -> dict[str, Any]:
    return {"notices": notices}


def print_status(ticket_token: str, number: str, status: str, error: str | None) -> dict[str, Any]:
    # Goes to the kiosk namespace only; the token lets the kiosk match its own ticket.
    return {"token": ticket_token, "number": number, "status": status, "error": error}


def printer_status(
    printer: str, status: str, detail: str, ok: bool, devices: list[str]
) -> dict[str, Any]:
    # Counters alert on a stopped kiosk printer; a kiosk matches ``devices`` to its own name.
    return {"printer": printer, "status": status, "detail": detail, "ok": ok, "devices": devices}


def rating_requested(
    ticket: Ticket, counter: Counter, officer: OfficerLike | None
) -> dict[str, Any]:
    # The served leg's token lets the pad rate exactly this visit; a token shows no personal data.
    return {
        "token": ticket.token,
        "number": ticket.number,
        "counter": counter.number,
        "officer": officer.display_name if officer else None,
    }


# Pushes that carry the whole state of something: a later one makes an earlier one of the same
# office, room and namespaces worthless, so a burst of them collapses into the latest.
STATE_EVENTS = frozenset({"queue_changed"})


#: Events a screen must show the instant they happen (the display's chime and voice): the
#: sender never holds them back to coalesce.
URGENT_EVENTS = frozenset({"ticket_called"})


def urgent(push: Push) -> bool:
    return push.name in URGENT_EVENTS


def mergeable(push: Push) -> bool:
    """A state event (queue counts with a seq) that a later one of its kind may replace."""
    return push.name in STATE_EVENTS and "seq" in push.payload


def in_seq_order(pushes: list[Push]) -> list[Push]:
    """``pushes`` with each office's in the order of their seqs; a push without one stays
    after the numbered push it came after (the pushes of different offices go to different
    screens: their order among each other does not matter).

    Two requests that commit one after the other may hand their pushes over the other way
    round: under gevent a request can yield between its commit and its hand-over. Sent as
    they came, a screen would see seq 7 before 6 and take the older counts for the newer."""
    keys: list[tuple[int, int]] = []
    last: dict[int, int] = {}  # office -> the seq of its latest numbered push so far
    for push in pushes:
        seq = push.payload.get("seq")
        if isinstance(seq, int):
            last[push.office_id] = seq
        keys.append((push.office_id, last.get(push.office_id, 0)))
    ranked = sorted(range(len(pushes)), key=keys.__getitem__)  # stable: ties keep their order
    return [pushes[place] for place in ranked]


def coalesce(pushes: list[Push]) -> list[Push]:
    """The pushes to send for a burst, in order: each run of state events (``queue_changed``) of
    one office, room and namespaces becomes its newest (by seq), sent where the first one stood,
    with ``since``, the first seq it stands for. A client checking seqs for gaps reads the event
    as covering ``since``..``seq``, so nothing it skipped looks lost."""
    kept: list[Push] = []
    at: dict[tuple[Any, ...], int] = {}  # a state event's key -> its place in ``kept``
    for push in pushes:
        if not mergeable(push):
            kept.append(push)
            continue
        key = (push.office_id, push.name, push.namespaces, push.room)
        if key not in at:
            at[key] = len(kept)
            kept.append(push)
            continue
        held = kept[at[key]]
        newer = push if push.payload["seq"] >= held.payload["seq"] else held
        since = min(p.payload.get("since", p.payload["seq"]) for p in (held, push))
        kept[at[key]] = replace(newer, payload={**newer.payload, "since": since})
    return kept
