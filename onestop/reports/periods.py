"""Reporting periods: a day, a week, a month, a quarter, a year or any span of days, with the
month's start day configurable (``[reports] period_start_day``: 1 for calendar months, 15 for
NĐ 09/2019 Art 12's cut-off, where "November" runs from 15/10 to 14/11).

A period is a span of local days, both ends included; the database is asked in UTC instants
(``OfficeCalendar.days_between``). Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from onestop.errors import InvalidInput

KINDS = ("day", "week", "month", "quarter", "year", "custom")
MAX_DAYS = 400  # a year and a bit: the longest span one report reads


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    kind: str = "custom"
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The period of the same kind just before this one (a custom span: as long)."""
        if self.kind in ("month", "quarter", "year"):
            return period_of(self.kind, self.start - timedelta(days=1), self._start_day)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def _start_day(self) -> int:
        return self.start.day if self.kind in ("month", "quarter", "year") else 1

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "label": self.label,
        }


def _month_start(year: int, month: int, start_day: int) -> date:
    """The first day of reporting month (year, month): ``start_day`` of the month before,
    unless months are calendar months."""
    if start_day == 1:
        return date(year, month, 1)
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return date(year, month, start_day)


def _month_of(day: date, start_day: int) -> tuple[int, int]:
    """The reporting month (year, month) ``day`` falls in."""
    if start_day == 1 or day.day < start_day:
        return day.year, day.month
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def period_of(kind: str, day: date, start_day: int = 1) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind == "day":
        return Period(day, day, "day", day.isoformat())
    if kind == "week":  # Monday to Sunday
        monday = day - timedelta(days=day.weekday())
        iso = monday.isocalendar()
        return Period(monday, monday + timedelta(days=6), "week", f"{iso.year}-W{iso.week:02d}")
    if kind not in ("month", "quarter", "year"):
        raise InvalidInput(
            f"unknown period {kind!r}; one of {', '.join(KINDS[:-1])}", code="invalid_field"
        )
    year, month = _month_of(day, start_day)
    if kind == "month":
        first, months, label = (year, month), 1, f"{year}-{month:02d}"
    elif kind == "quarter":
        quarter = (month - 1) // 3
        first, months, label = (year, 3 * quarter + 1), 3, f"{year}-Q{quarter + 1}"
    else:
        first, months, label = (year, 1), 12, str(year)
    after = _shift(*first, months)
    start = _month_start(*first, start_day)
    end = _month_start(*after, start_day) - timedelta(days=1)
    return Period(start, end, kind, label)


def custom(start: date, end: date) -> Period:
    if start > end:
        raise InvalidInput("'from' must not be after 'to'", code="invalid_field")
    period = Period(start, end, "custom", f"{start.isoformat()}/{end.isoformat()}")
    if period.days > MAX_DAYS:
        raise InvalidInput(f"a period spans at most {MAX_DAYS} days", code="invalid_field")
    return period


def weeks_back(end: date, count: int) -> list[Period]:
    """The ``count`` weeks up to the one holding ``end``, oldest first (the dashboard's trend)."""
    last = period_of("week", end)
    return [
        period_of("week", last.start - timedelta(weeks=back)) for back in range(count - 1, -1, -1)
    ]
