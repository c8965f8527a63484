"""The office's clock: its time zone, its working days, and service deadlines counted in them.

Times are stored as naive UTC (as pymongo returns them). Every boundary a person sees — "today",
a deadline, a semester, the date on a page or a PDF — is a day of the office's own time zone
(Asia/Jakarta, WIB, unless configured otherwise), so a case due on Friday 10:00 WIB is overdue on
Saturday, and 23:30 WIB on the 31st is still the 31st although it is 16:30 UTC.
"""
from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Jakarta"


def system_now() -> datetime:
    """The current time as the store keeps it: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Calendar:
    """Working days (Monday-Friday minus holidays) and the local time of the office."""

    def __init__(self, holidays: set[date], zone: ZoneInfo | None = None,
                 now: Callable[[], datetime] = system_now):
        self.holidays = holidays
        self.zone = zone or ZoneInfo(DEFAULT_ZONE)
        self.now = now

    def with_now(self, now: Callable[[], datetime]) -> Calendar:
        """The same calendar read against another clock (tests pin the moment with it)."""
        return Calendar(self.holidays, self.zone, now)

    def local(self, moment: datetime) -> datetime:
        """A stored time (naive UTC, or aware) as the office's wall-clock time, zone attached."""
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(self.zone)

    def stored(self, moment: datetime) -> datetime:
        """An aware time as the store keeps it: naive UTC."""
        return moment.astimezone(UTC).replace(tzinfo=None)

    def today(self) -> date:
        """The office's date now."""
        return self.local(self.now()).date()

    def day_start(self, day: date) -> datetime:
        """Midnight at the office on `day`, as a stored (naive UTC) time: the bound of a date range."""
        return self.stored(datetime.combine(day, time.min, tzinfo=self.zone))

    def is_working(self, day: date) -> bool:
        """Monday-Friday and not a holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: datetime, days: float) -> datetime:
        """The moment `days` working days after `start`, at the same office time of day (stored form)."""
        moment, left = self.local(start), days
        while left > 0:
            moment += timedelta(days=1)
            if self.is_working(moment.date()):
                left -= 1
        return self.stored(moment + timedelta(days=left) if left < 0 else moment)

    def between(self, start: datetime, end: datetime) -> float:
        """Working days from start to end, counted on office days (negative when end is earlier).

        Whole days count when the day they end on is a working day; the part of a day left over
        counts when `end`'s own day (or `start`'s, going back) is one.
        """
        sign = 1 if end >= start else -1
        low, high = (self.local(start), self.local(end)) if sign > 0 else (self.local(end), self.local(start))
        count, cursor = 0.0, low
        while cursor + timedelta(days=1) <= high:
            cursor += timedelta(days=1)
            count += 1 if self.is_working(cursor.date()) else 0
        remainder = (high - cursor).total_seconds() / 86400
        count += remainder if self.is_working(high.date()) else 0
        return sign * count

    def deadline(self, due_at: datetime, now: datetime | None = None) -> dict:
        """How a deadline stands: working days left (negative once passed) and whether it has passed.

        Overdue means the moment is past, whatever day it is: on a weekend after a Friday deadline
        no working day has gone by, yet the case is late.
        """
        now = now or self.now()
        return {"due_at": due_at, "remaining": round(self.between(now, due_at), 1), "overdue": now > due_at}


def office_zone(name: str) -> ZoneInfo:
    """The configured office time zone; an unknown name stops start-up with the name in the message."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"OFFICE_TIMEZONE: unknown time zone '{name}'") from error


def load_calendar(path: Path, zone: ZoneInfo | None = None) -> Calendar:
    """The holiday list of schemas/hari-libur.json, in the office's time zone."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calendar({date.fromisoformat(day) for day in data["libur"]}, zone)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter): an obligation's due date."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
