"""The office calendar: when the office works, and legal deadlines counted in working time.

Working days are Monday to Friday, minus Vietnam's public holidays (the lunar ones included,
from the ``holidays`` package, with its substituted days off and make-up Saturdays), with the
office's own overrides on top (extra days off, make-up working Saturdays, closures), which win.
A working day is the configured sessions (by default 07:00–11:30 and 13:30–17:00: 8 hours).

The calendar is a pure function of the configured hours, the holidays and the overrides, over
aware datetimes; times are reasoned in the office's time zone (DOMAIN.md §2.1–§2.4). The last
section loads an office's calendar from the database and edits its overrides.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.orm import Session

from onestop import clock, queries
from onestop.auth import audit
from onestop.clock import as_utc
from onestop.config import for_office, parse_hours
from onestop.errors import NotFound, found
from onestop.models import CalendarOverride, Office

# A same-day procedure's papers handed in after this are handled the next working day.
SAME_DAY_CUTOFF = "15:00"


@dataclass(frozen=True)
class Rule:
    """A procedure's legal time, as fixed when a dossier was received."""

    value: float | None
    unit: str
    same_day_cutoff: str = SAME_DAY_CUTOFF

    @property
    def stated(self) -> bool:
        """Whether the law states the time (else the officer gives the appointment)."""
        return self.unit == "same_day" or (self.value is not None and self.unit != "unknown")


@functools.lru_cache(maxsize=32)
def national_days(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Vietnam's public holidays of ``year`` and its make-up working Saturdays, computed once
    per process: a calendar is built for every request, the national table need not be."""
    table = holidays.country_holidays("VN", years=year)
    return frozenset(table), frozenset(table.weekend_workdays)


@dataclass(frozen=True)
class OfficeCalendar:
    timezone: str
    sessions: tuple[tuple[time, time], ...]
    # date → True (a working day, e.g. a make-up Saturday) or False (a day off, a closure)
    overrides: Mapping[date, bool] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls, cfg: Mapping[str, Any], overrides: Mapping[date, bool] | None = None
    ) -> OfficeCalendar:
        sessions = []
        for name in ("morning", "afternoon"):
            (sh, sm), (eh, em) = parse_hours(cfg["hours"][name], f"hours.{name}")
            sessions.append((time(sh, sm), time(eh, em)))
        return cls(cfg["office"]["timezone"], tuple(sessions), dict(overrides or {}))

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def hours_per_day(self) -> float:
        return sum(seconds_between(start, end) for start, end in self.sessions) / 3600

    @cached_property
    def _whole_day_seconds(self) -> int:
        """The seconds ``add_working_hours`` counts for a whole working day: each session
        from where the one before it ended, as its loop walks a day."""
        total, current = 0, self.sessions[0][0]
        for start, end in self.sessions:
            if current < end:
                total += int(seconds_between(max(current, start), end))
                current = end
        return total

    # -- days ------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, make_up_days = national_days(day.year)
        if day in days_off:
            return False
        if day in make_up_days:
            return True
        return day.weekday() < 5

    @cached_property
    def _next_working(self) -> dict[date, date]:
        return {}

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day`` (remembered: a year's reports ask
        for it hundreds of thousands of times, and the calendar never changes)."""
        known = self._next_working.get(day)
        if known is not None:
            return known
        after = day + timedelta(days=1)
        for _ in range(400):  # a year of closures at most: stop rather than loop for ever
            if self.is_working_day(after):
                self._next_working[day] = after
                return after
            after += timedelta(days=1)
        raise ValueError(f"no working day within a year after {after}")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days from ``start`` to ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    # -- moments ---------------------------------------------------------------------------
    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, self.zone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the office's zone; a naive one is taken as UTC, as stored (SQLite
        hands stored times back without their zone)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)  # a year's reports ask this 400,000 times

    def days_between(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The local days ``first``..``last`` as UTC instants, the end exclusive (a period)."""
        start = datetime.combine(first, time.min, self.zone)
        end = datetime.combine(last + timedelta(days=1), time.min, self.zone)
        return as_utc(start), as_utc(end)

    def is_working_moment(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and any(
            start <= local.time() < end for start, end in self.sessions
        )

    def is_appointment_time(self, moment: datetime) -> bool:
        """Whether a result can be given at ``moment``: while the office works, or at the end
        of a session of a working day (the usual "17:00", and "11:30": where a due time that
        runs out with the morning stays, so a lawful bound computed from it may be there)."""
        day = self.local(moment).date()
        return self.is_working_moment(moment) or (
            self.is_working_day(day)
            and any(moment == self._at(day, end) for _, end in self.sessions)
        )

    def next_session_start(self, moment: datetime) -> datetime:
        """``moment`` itself if the office is working then, else when it next opens."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            for start, end in self.sessions:
                if local.time() < start:
                    return self._at(day, start)
                if local.time() < end:
                    return local
        return self._at(self.next_working_day(day), self.sessions[0][0])

    def end_of_day(self, day: date) -> datetime:
        """When the office closes on ``day``."""
        return self._at(day, self.sessions[-1][1])

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """``moment`` advanced by ``hours`` of working time (over sessions and working days).

        Time that runs out exactly at a session's end stays there (a 1-day dossier received at
        07:00 is due at 17:00 the same day), so a due time is never a moment the office is shut.
        """
        remaining = round(hours * 3600)
        current = self.next_session_start(moment)
        if remaining <= 0:
            return current
        while True:
            day = current.date()
            for start, end in self.sessions:
                session_end = self._at(day, end)
                if current >= session_end:
                    continue
                current = max(current, self._at(day, start))
                left = (session_end - current).total_seconds()
                if remaining <= left:
                    return current + timedelta(seconds=remaining)
                remaining -= int(left)
                current = session_end
            day = self.next_working_day(day)
            # The whole working days the time runs past take as much each (wall time: the
            # sessions are counted on the clock, a zone's offset change or not).
            while remaining > self._whole_day_seconds:
                remaining -= self._whole_day_seconds
                day = self.next_working_day(day)
            current = self._at(day, self.sessions[0][0])

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working time from ``start`` to ``end`` in hours (0 when ``end`` is not later)."""
        total, current = 0.0, self.next_session_start(start)
        end = self.local(end)
        while current < end:
            day = current.date()
            for session_start, session_end in self.sessions:
                lo = max(current, self._at(day, session_start))
                hi = min(end, self._at(day, session_end))
                if hi > lo:
                    total += (hi - lo).total_seconds()
            current = self._at(self.next_working_day(day), self.sessions[0][0])
        return total / 3600

    def add_working_days(self, moment: datetime, days: float) -> datetime:
        return self.add_working_hours(moment, days * self.hours_per_day)

    # -- deadlines -------------------------------------------------------------------------
    def due_at(self, received_at: datetime, rule: Rule) -> datetime | None:
        """The legal appointment for a dossier received at ``received_at`` (DOMAIN.md §2.4).

        - same_day: the end of the day of receipt when received by the cut-off (to the minute,
          "after 15:00" being 15:01 on), else the end of the next working day;
        - working_day / hour: advanced over working time from when it was received;
        - calendar_day: that many days on, moved off a non-working day, at closing time;
        - a receipt outside office hours starts at the next session.
        Returns None for a procedure without a stated time.
        """
        start = self.next_session_start(received_at)
        if rule.unit == "same_day":
            cutoff = time.fromisoformat(rule.same_day_cutoff)
            # The minute it was handed in, or opening time when handed in outside hours.
            handed_in = start.time().replace(second=0, microsecond=0)
            day = start.date() if handed_in <= cutoff else self.next_working_day(start.date())
            return self.end_of_day(day)
        if not rule.stated:
            return None
        assert rule.value is not None
        if rule.unit == "working_day":
            return self.add_working_days(start, rule.value)
        if rule.unit == "hour":
            return self.add_working_hours(start, rule.value)
        if rule.unit == "calendar_day":
            day = start.date() + timedelta(days=round(rule.value))  # from when it counts
            if not self.is_working_day(day):
                day = self.next_working_day(day)
            return self.end_of_day(day)
        raise ValueError(f"unknown legal time unit {rule.unit!r}")


def timeliness(
    calendar: OfficeCalendar,
    due_at: datetime | None,
    resolved_at: datetime | None,
    *,
    period_end: datetime,
) -> str:
    """early / on_time / late for a resolved dossier, within / overdue for an open one.

    Compared by date in the office's time zone, as the national statistics do (DOMAIN.md §2.4):
    resolved before the due date is early, on it on time, after it late. An open dossier is
    within time if its due date is not before the end of the reporting period.
    """
    if due_at is None:
        return "on_time" if resolved_at is not None else "within"
    due = calendar.local(due_at).date()
    if resolved_at is None:
        return "within" if due >= calendar.local(period_end).date() else "overdue"
    done = calendar.local(resolved_at).date()
    return "early" if done < due else "on_time" if done == due else "late"


def seconds_between(start: time, end: time) -> float:
    """Seconds from ``start`` to ``end`` on the same day."""
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()


# -- what the calendar assumes, and where each day comes from ---------------------------------

#: The last year whose Tết days off and Quốc khánh neighbour day the Prime Minister had decided
#: when this release was made (BLLĐ 2019 Art 112.3); later years' are the library's guesses.
DECIDED_THROUGH = 2026
#: Fixed-date holidays of the Labour Code (Art 112.1), by their (English) names in `holidays`.
_STATUTORY = {
    (1, 1): "New Year's Day",
    (4, 30): "Liberation Day/Reunification Day",
    (5, 1): "International Labor Day",
    (9, 2): "National Day",
}


def _undecided(day: date, name: str) -> str | None:
    """Why a day off the library gives is not settled yet, if it is not (DOMAIN §6)."""
    if name == "Vietnam Cultural Day":
        return "law_pending"  # 24/11: a resolution and a plan to amend Art 112.1, no law yet
    if day.year <= DECIDED_THROUGH:
        return None
    if "Lunar New Year" in name:
        return "prime_minister"  # the Tết days off are chosen yearly
    if name.startswith("National Day") and (day.month, day.day) != (9, 2):
        return "prime_minister"  # "01 ngày liền kề trước hoặc sau": chosen yearly
    return None


def year_days(
    calendar: OfficeCalendar, year: int, notes: Mapping[date, str] | None = None
) -> list[dict[str, Any]]:
    """Every weekday off and weekend working day of ``year``, each with its ``source``:
    ``law`` (a fixed-date holiday of the Labour Code), ``library`` (the lunar holidays, days in
    lieu and the government's swaps, from the `holidays` package), or ``office`` (its own
    override, with its ``note``, which wins); ``undecided`` says why a library day is still a
    guess (``prime_minister``: awaits the Prime Minister's decision; ``law_pending``: a law
    still to be passed), so the office confirms or corrects it with ``calendar set``."""
    notes = notes or {}
    named = holidays.country_holidays("VN", years=year)
    in_vietnamese = holidays.country_holidays("VN", years=year, language="vi")
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working_day(day)
        if (day.weekday() < 5) == working:  # an ordinary weekday or weekend day
            day += timedelta(days=1)
            continue
        name = named.get(day) or ""
        if day in calendar.overrides:
            source, undecided = "office", None
        elif _STATUTORY.get((day.month, day.day)) == name:
            source, undecided = "law", None
        else:
            source, undecided = "library", _undecided(day, name)
        rows.append(
            {
                "date": day.isoformat(),
                "working": working,
                "name": in_vietnamese.get(day) or ("Ngày làm bù" if working else ""),
                "source": source,
                "undecided": undecided,
                "note": notes.get(day, ""),
            }
        )
        day += timedelta(days=1)
    return rows


# -- the office's own days ----------------------------------------------------------------------


def calendar_for(session: Session, office: Office, cfg: dict[str, Any]) -> OfficeCalendar:
    """The office's calendar in its own time zone: its configured hours
    (``[offices.<code>]``, else ``[hours]``), Vietnam's holidays, its own overrides."""
    seen = for_office(cfg, office.code)
    seen = {**seen, "office": {**seen["office"], "timezone": office.timezone}}
    return OfficeCalendar.from_config(seen, queries.calendar_overrides(session, office.id))


def set_override(
    session: Session, office: Office, day: date, *, working: bool, note: str, actor: str
) -> CalendarOverride:
    """Make ``day`` a working day or a day off for this office (replacing an earlier override)."""
    row = queries.calendar_override(session, office.id, day)
    if row is None:
        row = CalendarOverride(office_id=office.id, day=day)
        session.add(row)
    row.working, row.note, row.created_at, row.created_by = working, note, clock.now(), actor
    session.flush()
    audit(session, office.id, actor, "calendar_override", f"day:{day}", working=working, note=note)
    return row


def remove_override(session: Session, office: Office, day: date, *, actor: str) -> None:
    """The national calendar applies to ``day`` again."""
    missing = NotFound(f"no calendar override on {day}", code="unknown_override")
    session.delete(found(queries.calendar_override(session, office.id, day), missing))
    audit(session, office.id, actor, "calendar_override_removed", f"day:{day}")
