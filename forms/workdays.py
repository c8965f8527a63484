"""Service-level deadlines in working days (Monday-Friday, minus the holidays listed in schemas/)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path


class Calendar:
    """Working days of the office."""

    def __init__(self, holidays: set[date]):
        self.holidays = holidays

    def is_working(self, day: date) -> bool:
        """Monday-Friday and not a holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: datetime, days: float) -> datetime:
        """The moment `days` working days after `start` (fractions count as parts of a day)."""
        moment, left = start, days
        while left > 0:
            moment += timedelta(days=1)
            if self.is_working(moment.date()):
                left -= 1
        return moment + timedelta(days=left) if left < 0 else moment

    def between(self, start: datetime, end: datetime) -> float:
        """Working days from start to end (negative when end is earlier), counted per whole day."""
        sign = 1 if end >= start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count, cursor = 0.0, low
        while cursor + timedelta(days=1) <= high:
            cursor += timedelta(days=1)
            count += 1 if self.is_working(cursor.date()) else 0
        remainder = (high - cursor).total_seconds() / 86400
        count += remainder if self.is_working(high.date()) else 0
        return sign * count


def load_calendar(path: Path) -> Calendar:
    """The holiday list of schemas/hari-libur.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calendar({date.fromisoformat(day) for day in data["libur"]})
