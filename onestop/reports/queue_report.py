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
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop.models import TicketState
from onestop.reports import queries
from onestop.reports.periods import Period
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


class Leg:
    """A ticket leg (a row of ``queries.ticket_legs_between``) with its wait and service in
    minutes, and the local weekday and hour it joined its queue."""

    __slots__ = (
        "counter_id",
        "day",
        "hour",
        "id",
        "officer_id",
        "previous_id",
        "priority",
        "service",
        "service_id",
        "state",
        "wait",
        "weekday",
    )

    def __init__(self, row: Any, local: LocalClock) -> None:
        (
            self.id,
            self.day,
            self.service_id,
            self.counter_id,
            self.officer_id,
            self.state,
            self.priority,
            self.previous_id,
            quarter,
            self.wait,
            self.service,
        ) = row
        self.weekday, self.hour = local.weekday_hour(quarter)


class LocalClock:
    """The office's local weekday and hour of a quarter hour (counted from 1970): zones change
    their offset on a quarter hour, so each quarter hour is one local hour of one day, and
    each is worked out once."""

    def __init__(self, calendar: OfficeCalendar) -> None:
        self.zone = calendar.zone
        self._known: dict[int, tuple[int, int]] = {}

    def weekday_hour(self, quarter: int) -> tuple[int, int]:
        known = self._known.get(quarter)
        if known is None:
            local = datetime.fromtimestamp(quarter * 900, UTC).astimezone(self.zone)
            known = self._known[quarter] = (local.weekday(), local.hour)
        return known


class _Group:
    __slots__ = ("legs", "served", "service", "wait")

    def __init__(self) -> None:
        self.legs = self.served = 0
        self.wait: list[float] = []
        self.service: list[float] = []


def _grouped(
    legs: Sequence[Leg], key: Callable[[Leg], Any], label: Callable[[Any], str]
) -> list[dict[str, Any]]:
    groups: dict[Any, _Group] = {}
    for leg in legs:
        value = key(leg)
        if value is None:
            continue
        group = groups.get(value) or groups.setdefault(value, _Group())
        group.legs += 1
        if leg.wait is not None:
            group.wait.append(leg.wait)
        if leg.service is not None:
            group.service.append(leg.service)
        group.served += leg.state == TicketState.DONE
    return [
        {
            "key": value,
            "name": label(value),
            "legs": group.legs,
            "served": group.served,
            "wait": stats(group.wait),
            "service": stats(group.service),
        }
        for value, group in sorted(groups.items(), key=lambda kv: str(kv[0]).zfill(8))
    ]


def queue_report(
    session: Session,
    office_id: int,
    calendar: OfficeCalendar,
    period: Period,
    *,
    detail: bool = True,
) -> dict[str, Any]:
    """The period's queue figures; without ``detail``, not the figures by service, counter,
    officer, day and hour (the summary and the dashboard show the rest).

    The headline figures come from one pass over the legs as the database hands them over,
    the heat map's visits gathered per quarter hour (a year's 150,000 legs fall in some 15,000
    of them, each placed in its local weekday and hour once); only the detail builds a
    :class:`Leg` of each."""
    local = LocalClock(calendar)
    rows = queries.ticket_legs_between(session, office_id, period.start, period.end)
    start, end = calendar.days_between(period.start, period.end)
    estimates = queries.estimates_of(session, office_id, start, end)
    states: Tally[str] = Tally()
    waits: list[float] = []
    services: list[float] = []
    joined: dict[int, list[float | None]] = {}  # quarter hour → the waits of visits joining
    priority = 0
    errors = []
    for ticket_id, _, _, _, _, state, priority_class, previous_id, quarter, wait, service in rows:
        states[state] += 1
        if wait is not None:
            waits.append(wait)
        if service is not None:
            services.append(service)
        if previous_id is not None:
            continue  # a transfer's leg: not a visit of its own
        priority += priority_class is not None
        joined.setdefault(quarter, []).append(wait)
        if wait is not None and ticket_id in estimates:
            errors.append(wait - estimates[ticket_id])
    heat: dict[tuple[int, int], list[float | None]] = {}
    for quarter, visits in joined.items():
        heat.setdefault(local.weekday_hour(quarter), []).extend(visits)
    hours = sorted({h for _, h in heat} | set(range(7, 17)))
    figures: dict[str, Any] = {
        "tickets": {
            "issued": sum(map(len, joined.values())),
            "legs": len(rows),
            "served": states["done"],
            "no_show": states["no_show"],
            "transferred": states["transferred"],
            "cancelled": states["cancelled"],
            "unserved": states["waiting"] + states["called"] + states["serving"],
            "priority": priority,
        },
        "wait": stats(waits),
        "service": stats(services),
        "heat_map": {
            "hours": hours,
            "weekdays": list(range(7)),
            "issued": [[len(heat.get((d, h), [])) for h in hours] for d in range(7)],
            "mean_wait": [
                [stats([w for w in heat.get((d, h), []) if w is not None])["mean"] for h in hours]
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
    if detail:
        legs = [Leg(row, local) for row in rows]
        names = queries.names(session, office_id)
        figures |= {
            "by_service": _grouped(
                legs, lambda leg: leg.service_id, lambda i: names["service"].get(i, str(i))
            ),
            "by_counter": _grouped(
                legs, lambda leg: leg.counter_id, lambda i: names["counter"].get(i, str(i))
            ),
            "by_officer": _grouped(
                legs, lambda leg: leg.officer_id, lambda i: names["officer"].get(i, str(i))
            ),
            "by_day": _grouped(legs, lambda leg: leg.day, str),
            "by_hour": _grouped(legs, lambda leg: leg.hour, lambda h: f"{h:02d}:00"),
        }
    return figures
