"""One period's dossiers, each judged as it stood when the period ended: the ground every
dossier report (Biểu 06, the 766 indicators, the plan's KPIs, the officer sheet) counts from.

Which dossiers: those received in the period, those still open when it began (carried over,
"từ kỳ trước"), and those returned in it. Each gets one outcome for the period:

- ``early`` / ``on_time`` / ``late``: resolved in the period, by date against the appointment it
  is judged by (DOMAIN §2.4: a lawful extension's date counts, an apology's does not; a second
  supplement request makes it late);
- ``within`` / ``overdue``: still open at the period's end (or now, for a period still
  running), "trong hạn" when its appointment is not before that day, or while it waited for the
  citizen's supplement, at the day of the request;
- ``closed``: refused after receipt, stopped or withdrawn in the period;
- ``None``: finished before the period (it is here only for its return).

A past period is judged as it stood then: the supplement requests and pauses are replayed from
the dossier's steps up to the period's end. The appointment is read as it is now, which is the
one it had then for this purpose: a pause or a lawful extension moves it later only while the
dossier is still within time (neither applies once its appointment has passed), so one that was
overdue at the period's end still is, and one that was within time still is.

Refusals at reception and guidance (the Phiếu yêu cầu bổ sung given instead of receiving) are
not dossiers: they are counted beside, never in, the received figures.
"""

from __future__ import annotations

import functools
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from onestop import clock
from onestop import queries as shared
from onestop.queries import DossierRow
from onestop.reports import queries
from onestop.reports.periods import Period
from onestop.reports.queries import Unhappy
from onestop.workcalendar import OfficeCalendar, timeliness

RESOLVED = ("early", "on_time", "late")
OPEN = ("within", "overdue")


@dataclass(slots=True)
class Judged:
    row: DossierRow
    carried: bool  # received before the period and still open when it began
    received: bool  # received in the period
    outcome: str | None
    returned: bool  # its result was returned in the period

    @property
    def counted(self) -> bool:
        """Whether it is one of the period's dossiers to handle (Biểu 06's first column)."""
        return self.outcome is not None


@dataclass
class Frame:
    """A period's dossiers with their outcomes, and what the reports read beside them. Each
    part is read (and the dossiers judged) when a report first asks for it: the satisfaction
    report, for one, needs the received dossiers and the ratings, not the outcomes."""

    session: Session
    office_id: int
    period: Period
    calendar: OfficeCalendar
    start: datetime  # the period as UTC instants, the end exclusive
    end: datetime
    judged_at: datetime  # the period's last moment, or now while it runs
    rows: list[DossierRow]  # every dossier touching the period (received, open or returned)

    @functools.cached_property
    def dossiers(self) -> list[Judged]:
        end = self.end
        replay = {r.id for r in self.rows if r.supplement_count and _open_at(r, end)}
        history: dict[int, list[tuple[str, datetime]]] = {}
        for dossier_id, action, at in queries.supplement_steps_until(self.session, replay, end):
            history.setdefault(dossier_id, []).append((action, at))
        return [
            _judge(self.calendar, row, self.start, end, self.judged_at, history.get(row.id, []))
            for row in self.rows
        ]

    @property
    def received(self) -> list[DossierRow]:
        """The dossiers received in the period, oldest first (no judging needed)."""
        return [row for row in self.rows if row.received_at >= self.start]

    def scores(self) -> list[str]:
        """The scores of the ratings of the visits served in the period, counted in the
        database: no report needs more of a year's 100,000 ratings."""
        counted = shared.rating_scores_between(self.session, self.office_id, self.start, self.end)
        return [score for (score,), n in counted.items() for _ in range(n)]

    def scores_by(self, *columns: str) -> list[dict[Any, list[str]]]:
        """Per column of the ratings (``officer_id``, …; ``quarter_hour``: when served, in
        quarter hours since 1970), the scores of the period's ratings per value of it, all
        counted in one query (the officers, counters and services of a year's ratings make a
        few dozen combinations)."""
        found: list[dict[Any, list[str]]] = [{} for _ in columns]
        counted = shared.rating_scores_between(
            self.session, self.office_id, self.start, self.end, *columns
        )
        for (*values, score), n in counted.items():
            for per_value, value in zip(found, values, strict=True):
                per_value.setdefault(value, []).extend([score] * n)
        return found

    @functools.cached_property
    def unhappy(self) -> list[Unhappy]:
        """Those ratings that are "unsatisfied"."""
        return queries.unhappy_between(self.session, self.office_id, self.start, self.end)

    @functools.cached_property
    def steps(self) -> list[tuple[int, str, datetime, int | None]]:
        """This period's extensions, supplement requests and resolutions."""
        return queries.dossier_steps_between(
            self.session, self.office_id, STEP_KINDS, self.start, self.end
        )

    @functools.cached_property
    def reception(self) -> list[tuple[str, str, int | None]]:
        return queries.reception_notes_between(self.session, self.office_id, self.start, self.end)

    @functools.cached_property
    def paused(self) -> dict[int, float]:
        """Per dossier resolved in the period, the working hours it waited for supplements."""
        ids = {j.row.id for j in self.dossiers if j.outcome in RESOLVED and j.row.supplement_count}
        return shared.paused_hours_of(self.session, ids)

    @property
    def counted(self) -> list[Judged]:
        return [j for j in self.dossiers if j.counted]

    @functools.cached_property
    def step_counts(self) -> dict[str, tuple[int, int]]:
        """Per kind of step, how many the period had and of how many dossiers, counted in
        the database (the KPIs need no more of a year's 60,000 resolutions)."""
        return queries.dossier_step_counts_between(
            self.session, self.office_id, STEP_KINDS, self.start, self.end
        )

    def reception_counts(self) -> Tally[str]:
        return Tally(kind for kind, _, _ in self.reception)


STEP_KINDS = ("request_supplement", "extend_by_law", "extend", "resolve")


def frame_of(session: Session, office_id: int, calendar: OfficeCalendar, period: Period) -> Frame:
    start, end = calendar.days_between(period.start, period.end)
    judged_at = min(clock.now(), end - timedelta(microseconds=1))
    rows = queries.dossiers_touching(session, office_id, start, end)
    return Frame(session, office_id, period, calendar, start, end, judged_at, rows)


def _open_at(row: DossierRow, moment: datetime) -> bool:
    finished = row.resolved_at or row.closed_at
    return finished is None or finished >= moment


def _judge(
    calendar: OfficeCalendar,
    row: DossierRow,
    start: datetime,
    end: datetime,
    judged_at: datetime,
    history: list[tuple[str, datetime]],
) -> Judged:
    before = row.received_at < start
    returned = row.returned_at is not None and start <= row.returned_at < end
    if not _open_at(row, start):
        outcome = None  # finished before the period: here for its return only
    elif row.resolved_at is not None and row.resolved_at < end:
        if row.supplement_count > 1:
            outcome = "late"  # a second supplement request counts against the office (766)
        else:
            outcome = timeliness(calendar, row.due_at_original, row.resolved_at, period_end=end)
    elif row.closed_at is not None and row.closed_at < end:
        outcome = "closed"
    else:
        outcome = _standing(calendar, row, judged_at, history)
    return Judged(row, before and outcome is not None, not before, outcome, returned)


def _standing(
    calendar: OfficeCalendar,
    row: DossierRow,
    judged_at: datetime,
    history: list[tuple[str, datetime]],
) -> str:
    """Within time or overdue at ``judged_at``, replaying the supplement steps until then."""
    requests, waiting_since = 0, None
    for action, at in history:
        if action == "request_supplement":
            requests += 1
            waiting_since = at
        else:
            waiting_since = None
    if requests > 1:
        return "overdue"
    return timeliness(calendar, row.due_at_original, None, period_end=waiting_since or judged_at)
