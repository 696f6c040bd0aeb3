"""The one clock. Everything stored is aware UTC; the office's local time is derived from it.

Tests freeze or move time with :func:`set_clock`; nothing else calls ``datetime.now``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The years a date given to onestop may fall in: an office's records, appointments and periods.
# The calendar's edges (years 1 and 9999) overflow once a time zone or a day is added.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _system_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _now()


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the system clock."""
    global _now
    _now = source or _system_now


def as_utc(moment: datetime) -> datetime:
    """Aware UTC for a stored value (SQLite gives back naive datetimes that are UTC)."""
    zone = moment.tzinfo
    if zone is UTC:  # most are already (a report converts hundreds of thousands)
        return moment
    if zone is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local(moment: datetime, tz: str) -> datetime:
    return as_utc(moment).astimezone(ZoneInfo(tz))


def local_day(moment: datetime, tz: str) -> date:
    """The office's calendar day at ``moment``: ticket numbers restart with it."""
    return local(moment, tz).date()


def iso(moment: datetime | None, tz: str) -> str | None:
    """ISO 8601 with the office's offset (+07:00), or None."""
    return None if moment is None else local(moment, tz).isoformat(timespec="seconds")
