"""The queue's figures for a period: tickets issued, served, no-show, transferred; waiting and
service times (mean, median, p90) by service, counter, officer, day and hour; the peak-hour heat
map; and how far the wait printed on the ticket was from the real one.

A ticket is one visit; a transfer continues it on a new leg. Counts of outcomes are per leg
(one visit transferred once and then served is one transfer and one service). A leg's wait runs
from when it joined its queue (the issue, or the end of the leg before it) to its first call;
its service from the start of service (the first call, when the officer never pressed
"start") to its end. Times are in minutes; hours of the day are the office's local ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop.models import TicketState
from onestop.reports import queries
from onestop.reports.periods import Period
from onestop.reports.queries import TicketRow
from onestop.workcalendar import OfficeCalendar

ESTIMATE_CLOSE_MINUTES = 5  # "close" when the printed wait was off by no more than this


def stats(values: Sequence[float]) -> dict[str, Any]:
    """count, mean, median and 90th percentile (nearest rank) of minutes."""
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    p90 = ordered[max(0, math.ceil(0.9 * n) - 1)]
    return {
        "count": n,
        "mean": round(sum(ordered) / n, 1),
        "median": round(median, 1),
        "p90": round(p90, 1),
    }


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60


class Leg:
    __slots__ = ("hour", "row", "service", "wait", "weekday")

    def __init__(self, row: TicketRow, entry: datetime, calendar: OfficeCalendar) -> None:
        self.row = row
        self.wait = _minutes(entry, row.first_called_at)
        self.service = None
        if row.state == TicketState.DONE:
            # Finishing without "start" records the start at the finish: serving began at the call.
            began = row.started_at
            if began is None or (row.finished_at is not None and began >= row.finished_at):
                began = row.first_called_at
            self.service = _minutes(began, row.finished_at)
        local = calendar.local(entry)
        self.hour, self.weekday = local.hour, local.weekday()


def _grouped(
    legs: Sequence[Leg], key: Callable[[Leg], Any], label: Callable[[Any], str]
) -> list[dict[str, Any]]:
    groups: dict[Any, list[Leg]] = {}
    for leg in legs:
        value = key(leg)
        if value is not None:
            groups.setdefault(value, []).append(leg)
    return [
        {
            "key": value,
            "name": label(value),
            "legs": len(items),
            "served": sum(i.row.state == TicketState.DONE for i in items),
            "wait": stats([i.wait for i in items if i.wait is not None]),
            "service": stats([i.service for i in items if i.service is not None]),
        }
        for value, items in sorted(groups.items(), key=lambda kv: str(kv[0]).zfill(8))
    ]


def legs_of(
    session: Session, office_id: int, calendar: OfficeCalendar, period: Period
) -> list[Leg]:
    """The period's ticket legs with their wait and service times."""
    rows = queries.tickets_between(session, office_id, period.start, period.end)
    finished = {r.id: r.finished_at for r in rows}
    return [
        Leg(r, (finished.get(r.previous_id) if r.previous_id else None) or r.issued_at, calendar)
        for r in rows
    ]


def queue_report(
    session: Session, office_id: int, calendar: OfficeCalendar, period: Period
) -> dict[str, Any]:
    legs = legs_of(session, office_id, calendar, period)
    start, end = calendar.days_between(period.start, period.end)
    estimates = queries.estimates_of(session, office_id, start, end)
    names = queries.names(session, office_id)
    visits = [leg for leg in legs if leg.row.previous_id is None]
    states = {s.value: sum(leg.row.state == s for leg in legs) for s in TicketState}
    heat: dict[tuple[int, int], list[Leg]] = {}
    for leg in visits:
        heat.setdefault((leg.weekday, leg.hour), []).append(leg)
    hours = sorted({h for _, h in heat} | set(range(7, 17)))
    errors = [
        leg.wait - estimates[leg.row.id]
        for leg in visits
        if leg.wait is not None and leg.row.id in estimates
    ]
    return {
        "tickets": {
            "issued": len(visits),
            "legs": len(legs),
            "served": states["done"],
            "no_show": states["no_show"],
            "transferred": states["transferred"],
            "cancelled": states["cancelled"],
            "unserved": states["waiting"] + states["called"] + states["serving"],
            "priority": sum(leg.row.priority is not None for leg in visits),
        },
        "wait": stats([leg.wait for leg in legs if leg.wait is not None]),
        "service": stats([leg.service for leg in legs if leg.service is not None]),
        "by_service": _grouped(
            legs, lambda leg: leg.row.service_id, lambda i: names["service"].get(i, str(i))
        ),
        "by_counter": _grouped(
            legs, lambda leg: leg.row.counter_id, lambda i: names["counter"].get(i, str(i))
        ),
        "by_officer": _grouped(
            legs, lambda leg: leg.row.officer_id, lambda i: names["officer"].get(i, str(i))
        ),
        "by_day": _grouped(legs, lambda leg: leg.row.day.isoformat(), str),
        "by_hour": _grouped(legs, lambda leg: leg.hour, lambda h: f"{h:02d}:00"),
        "heat_map": {
            "hours": hours,
            "weekdays": list(range(7)),
            "issued": [[len(heat.get((d, h), [])) for h in hours] for d in range(7)],
            "mean_wait": [
                [
                    stats([x.wait for x in heat.get((d, h), []) if x.wait is not None])["mean"]
                    for h in hours
                ]
                for d in range(7)
            ],
        },
        "estimate": {
            "tickets": len(errors),
            "mean_error": round(sum(errors) / len(errors), 1) if errors else None,
            "mean_absolute_error": (
                round(sum(abs(e) for e in errors) / len(errors), 1) if errors else None
            ),
            "close": sum(abs(e) <= ESTIMATE_CLOSE_MINUTES for e in errors),
            "close_minutes": ESTIMATE_CLOSE_MINUTES,
        },
    }
