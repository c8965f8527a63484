"""The office's clock: working days and deadlines counted on WIB days, overdue on any day, office dates shown.

Every moment is written in office time (WIB) and handed to the code as the store keeps times (naive UTC),
so the tests mean the same on any day and at any hour of the machine running them.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from forms.engine.calendar import Calendar, load_calendar
from forms.errors import SchemaError
from tests.helpers import ROOT, pin_clock, wib

HOLIDAYS = load_calendar(ROOT / "schemas" / "hari-libur.json").holidays
CALENDAR = Calendar(HOLIDAYS, ZoneInfo("Asia/Jakarta"))

# Moments the office lives through: a Monday, a Friday evening, a Saturday, a Sunday, a public holiday
# from schemas/hari-libur.json (Christmas, a Friday), and either side of midnight WIB (17:00 UTC).
MOMENTS = {
    "monday": "2026-12-07 10:00",
    "friday-evening": "2026-12-11 19:30",
    "saturday": "2026-12-12 10:00",
    "sunday": "2026-12-13 10:00",
    "holiday": "2026-12-25 10:00",
    "before-midnight-wib": "2026-12-11 23:59",
    "after-midnight-wib": "2026-12-12 00:01",
}


def test_the_holiday_moment_is_a_holiday_of_the_schema():
    assert date(2026, 12, 25) in HOLIDAYS and date(2026, 12, 25).weekday() == 4


@pytest.mark.parametrize("name", MOMENTS)
@pytest.mark.parametrize("ago", [timedelta(minutes=1), timedelta(hours=20), timedelta(days=2), timedelta(days=9)])
def test_a_passed_deadline_is_overdue_whatever_day_it_is(name, ago):
    now = wib(MOMENTS[name])
    state = CALENDAR.deadline(now - ago, now)
    assert state["overdue"] is True
    assert state["remaining"] <= 0


@pytest.mark.parametrize("name", MOMENTS)
@pytest.mark.parametrize("ahead", [timedelta(minutes=1), timedelta(days=3)])
def test_a_coming_deadline_is_not_overdue(name, ahead):
    now = wib(MOMENTS[name])
    state = CALENDAR.deadline(now + ahead, now)
    assert state["overdue"] is False and state["remaining"] >= 0


def test_friday_deadline_is_overdue_on_sunday_with_no_working_day_lost():
    due, now = wib("2026-12-11 10:00"), wib("2026-12-13 10:00")
    assert CALENDAR.deadline(due, now) == {"due_at": due, "remaining": 0.0, "overdue": True}
    assert CALENDAR.deadline(due, wib("2026-12-14 10:00"))["remaining"] == -1.0  # Monday: one working day late


@pytest.mark.parametrize("start, days, due", [
    ("2026-12-07 10:00", 5, "2026-12-14 10:00"),   # Monday + 5 → next Monday
    ("2026-12-11 19:30", 1, "2026-12-14 19:30"),   # Friday evening + 1 → Monday
    ("2026-12-12 10:00", 1, "2026-12-14 10:00"),   # Saturday + 1 → Monday
    ("2026-12-13 10:00", 2, "2026-12-15 10:00"),   # Sunday + 2 → Tuesday
    ("2026-12-23 10:00", 1, "2026-12-28 10:00"),   # Wednesday + 1 skips the 24th and 25th (holidays)
    ("2026-12-11 23:59", 1, "2026-12-14 23:59"),   # Friday just before midnight WIB is still Friday
    ("2026-12-12 00:01", 1, "2026-12-14 00:01"),   # ... just after is Saturday WIB though Friday in UTC
])
def test_deadlines_count_working_days_of_the_office(start, days, due):
    assert CALENDAR.add(wib(start), days) == wib(due)
    assert CALENDAR.between(wib(start), wib(due)) == pytest.approx(days)


def test_the_office_day_is_not_the_utc_day():
    assert CALENDAR.with_now(lambda: datetime(2026, 12, 31, 16, 59)).today() == date(2026, 12, 31)
    assert CALENDAR.with_now(lambda: datetime(2026, 12, 31, 17, 0)).today() == date(2027, 1, 1)
    assert CALENDAR.day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 17, 0)
    assert CALENDAR.local(datetime(2026, 12, 31, 17, 30)).strftime("%d-%m-%Y %H:%M %Z") == "01-01-2027 00:30 WIB"


def test_an_unknown_office_time_zone_stops_start_up(make_app):
    with pytest.raises(SchemaError, match="OFFICE_TIMEZONE: unknown time zone 'Asia/Atlantis'"):
        make_app(OFFICE_TIMEZONE="Asia/Atlantis")


def test_pages_show_office_time_with_its_zone(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ t|datetime }}").render(t=datetime(2026, 12, 6, 19, 13))
    assert rendered == "07-12-2026 02:13 WIB"


def test_another_office_zone_is_followed(make_app):
    app = make_app(OFFICE_TIMEZONE="Asia/Makassar")
    with app.test_request_context():
        rendered = app.jinja_env.from_string("{{ t|datetime }}").render(t=datetime(2026, 12, 6, 19, 13))
    assert rendered == "07-12-2026 03:13 WITA"


def test_printout_settings_naming_another_zone_are_refused(app):
    import json

    from forms.printing.render import PrintoutError, load_print_settings
    folder = Path(app.config["PRINTOUTS_DIR"])
    data = {**json.loads((folder / "settings.json").read_text(encoding="utf-8")), "timezone": "Asia/Jayapura"}
    with pytest.raises(PrintoutError, match="differs from the office's time zone 'Asia/Jakarta'"):
        load_print_settings(folder, ZoneInfo("Asia/Jakarta"), data)
    assert load_print_settings(folder, ZoneInfo("Asia/Jakarta"), {**data, "timezone": "Asia/Jakarta"}).zone.key == \
        "Asia/Jakarta"


@pytest.mark.parametrize("sent, semester", [
    ("2026-06-30 23:30", "2026-1"),   # 16:30 UTC on the 30th: still the first semester at the office
    ("2026-07-01 00:30", "2026-2"),   # 17:30 UTC on the 30th: already the second
])
def test_semesters_of_the_index_are_office_days(app, sent, semester):
    from forms.office.surveys import Period, semester_of
    with app.app_context():
        moment = wib(sent)
        first, second = semester_of(date(2026, 3, 1)), semester_of(date(2026, 9, 1))
        inside = [period.key for period in (first, second) if period.bounds()[0] <= moment < period.bounds()[1]]
    assert inside == [semester]
    assert isinstance(first, Period)


def test_today_of_pages_follows_the_pinned_clock(app):
    pin_clock(app, wib("2027-01-01 00:30"))
    with app.app_context():
        from forms.catalog.runtime import office_clock
        assert office_clock().today() == date(2027, 1, 1)
