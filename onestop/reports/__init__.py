"""The office's reports: Biểu 06, the plan's KPIs with the QĐ 766 indicators, the queue, the
officer sheet and the citizens' satisfaction, for any period (DOMAIN §2.4–§4, §9).

:func:`build` gives a report as JSON-ready data; :mod:`onestop.reports.export` writes it as
XLSX, CSV, JSON or PDF; :func:`dashboard` is what ``/admin/reports`` draws. Every figure is
computed from the records as they stand, so any past period can be computed again.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter as Tally
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock, config, plainrows, workcalendar
from onestop.errors import InvalidInput
from onestop.evaluation import parse_day, percent, rating_rate
from onestop.models import Office
from onestop.queries import rating_scores_between
from onestop.reports.bieu06 import bieu06
from onestop.reports.frame import RESOLVED, Frame, frame_of
from onestop.reports.kpi import kpi
from onestop.reports.people import officers, satisfaction
from onestop.reports.periods import KINDS as PERIOD_KINDS
from onestop.reports.periods import Period, custom, period_of, weeks_back
from onestop.reports.queue_report import queue_report

KINDS = ("summary", "bieu06", "kpi", "queue", "officers", "satisfaction")
TREND_WEEKS = 12


def period_from(args: Mapping[str, Any], start_day: int, today: date) -> Period:
    """The period a request asks for: ``from`` and ``to`` (days, both included), or ``period``
    (day, week, month, quarter, year) holding ``at`` (default today); by default this month."""
    start, end = args.get("from"), args.get("to")
    if start or end:
        if not (start and end):
            raise InvalidInput("give both 'from' and 'to' (YYYY-MM-DD)", code="missing_field")
        return custom(parse_day(str(start), "from"), parse_day(str(end), "to"))
    kind = str(args.get("period") or "month")
    if kind not in PERIOD_KINDS[:-1]:
        raise InvalidInput(
            f"unknown period {kind!r}; one of {', '.join(PERIOD_KINDS[:-1])}, or from and to",
            code="invalid_field",
        )
    at = parse_day(str(args["at"]), "at") if args.get("at") else today
    return period_of(kind, at, start_day)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(
            f"unknown report {kind!r}; one of {', '.join(KINDS)}", code="unknown_report"
        )


def _header(office: Office, cfg: dict[str, Any], kind: str, period: Period) -> dict[str, Any]:
    own = config.for_office(cfg, office.code)["office"]
    return {
        "kind": kind,
        "office": {
            "code": office.code,
            "name": office.name,
            "parent_body": own.get("parent_body", ""),
            "place_name": own.get("place_name", ""),
        },
        "period": period.as_dict(),
        "generated_at": clock.iso(clock.now(), office.timezone),
    }


@plainrows.collector_paused()
def build(
    session: Session, office: Office, kind: str, period: Period, cfg: dict[str, Any]
) -> dict[str, Any]:
    """Report ``kind`` of ``office`` for ``period``."""
    check_kind(kind)
    calendar = workcalendar.calendar_for(session, office, cfg)
    result = _header(office, cfg, kind, period)
    if kind == "queue":
        return result | queue_report(session, office.id, calendar, period)
    frame = frame_of(session, office.id, calendar, period)
    if kind == "bieu06":
        return result | bieu06(session, office.id, frame)
    if kind == "officers":
        return result | officers(session, office.id, frame)
    if kind == "satisfaction":
        return result | satisfaction(session, office.id, frame, cfg)
    figures = kpi(frame, cfg["reports"])
    if kind == "summary":  # the KPIs with the queue's headline
        queue = queue_report(session, office.id, calendar, period, detail=False)
        figures["queue"] = _headline(queue)
    return result | figures


def _headline(queue: dict[str, Any]) -> dict[str, Any]:
    return {key: queue[key] for key in ("tickets", "wait", "service", "estimate")}


@plainrows.collector_paused()
def dashboard(
    session: Session, office: Office, period: Period, cfg: dict[str, Any]
) -> dict[str, Any]:
    """What ``/admin/reports`` shows: the period's KPIs against the plan's targets, the weekly
    trend of the last weeks up to the period's end (or today), and the peak-hour heat map."""
    calendar = workcalendar.calendar_for(session, office, cfg)
    frame = frame_of(session, office.id, calendar, period)
    result = _header(office, cfg, "summary", period) | kpi(frame, cfg["reports"])
    queue = queue_report(session, office.id, calendar, period, detail=False)
    result["queue"] = _headline(queue)
    # Up to the period's end, or this week while the period runs (no empty weeks ahead).
    today = clock.local_day(clock.now(), office.timezone)
    weeks = weeks_back(min(period.end, today), TREND_WEEKS)
    if weeks[0].start < period.start or weeks[-1].end > period.end:
        # The weeks reach out of the period (before it, or a last week it ends inside of):
        # a frame of theirs.
        frame = frame_of(session, office.id, calendar, custom(weeks[0].start, weeks[-1].end))
    result["trend"] = _trend(session, office.id, frame, weeks)
    result["heat_map"] = queue["heat_map"]
    return result


def _trend(
    session: Session, office_id: int, span: Frame, weeks: list[Period]
) -> list[dict[str, Any]]:
    """Each week's on-time, online and satisfaction rates, as the KPIs of that week would give
    them, from one frame holding all the weeks: a dossier resolved in a week is judged the
    same in either (against its appointment), and a week's received and rated are its own.
    One pass over the frame, and the ratings counted per quarter hour (a week starts on a
    local midnight, so a quarter hour is inside one week)."""
    bounds = [span.calendar.days_between(week.start, week.end) for week in weeks]
    starts = [start for start, _ in bounds]

    def week_of(moment: datetime | None) -> int | None:
        if moment is None or moment < starts[0]:
            return None
        at = bisect.bisect_right(starts, moment) - 1
        return at if moment < bounds[at][1] else None

    tally = [Tally[str]() for _ in weeks]
    for judged in span.counted:
        row = judged.row
        if judged.outcome in RESOLVED and (at := week_of(row.resolved_at)) is not None:
            tally[at]["resolved"] += 1
            tally[at]["good"] += judged.outcome in ("early", "on_time")
        if judged.received and (at := week_of(row.received_at)) is not None:
            tally[at]["received"] += 1
            tally[at]["online"] += row.channel == "online"
    scores: list[list[str]] = [[] for _ in weeks]
    quarters = rating_scores_between(session, office_id, starts[0], bounds[-1][1], "quarter_hour")
    for (quarter, score), n in quarters.items():
        if (at := week_of(datetime.fromtimestamp(quarter * 900, UTC))) is not None:
            scores[at].extend([score] * n)
    return [
        {
            "week": week.label,
            "from": week.start.isoformat(),
            "on_time": percent(counted["good"], counted["resolved"]),
            "online": percent(counted["online"], counted["received"]),
            "satisfaction": rating_rate(given)["percent"],
            "resolved": counted["resolved"],
        }
        for week, counted, given in zip(weeks, tally, scores, strict=True)
    ]


PUBLIC_SECONDS = 600  # the public page's figures are computed at most this often per office
_public: dict[tuple[str, int, date], tuple[float, dict[str, Any]]] = {}


@plainrows.collector_paused()
def public_figures(session: Session, office: Office, cfg: dict[str, Any]) -> dict[str, Any]:
    """What the office posts publicly (the plan's công khai): this month's and this year's
    on-time rate, satisfaction rate, dossiers received and resolved. No personal data, and
    computed at most every ``PUBLIC_SECONDS`` for an office: an anonymous page must not make
    the server count a year of dossiers on every request."""
    today = clock.local_day(clock.now(), office.timezone)
    key = (str(session.get_bind().engine.url), office.id, today)
    moment = time.monotonic()
    kept = _public.get(key)
    if kept is not None and moment - kept[0] < PUBLIC_SECONDS:
        return kept[1]
    start_day = cfg["reports"]["period_start_day"]
    calendar = workcalendar.calendar_for(session, office, cfg)
    figures = {}
    for kind in ("month", "year"):
        period = period_of(kind, today, start_day)
        frame = frame_of(session, office.id, calendar, period)
        found = kpi(frame, cfg["reports"])
        figures[kind] = {
            "period": period.as_dict(),
            "received": found["dossiers"]["received"],
            "resolved": found["on_time"]["resolved"],
            "on_time_percent": found["on_time"]["percent"],
            "satisfaction_percent": found["satisfaction"]["percent"],
            "ratings": found["satisfaction"]["answered"],
        }
    for stale in [k for k in _public if k[2] != today]:
        del _public[stale]
    _public[key] = (moment, figures)
    return figures
