"""WorkCalendar against a table of real dates (verified against chinese_calendar 1.11) and its arithmetic."""

import dataclasses
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.deadlines import calendar as calendar_module
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import deadlines_on_dispatch

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
DAY = 86_400


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def d(s: str) -> date:
    return date.fromisoformat(s)


# (date, is working day): the State Council notices for 2025 and 2026, as chinese_calendar has them.
REAL_DAYS = [
    ("2025-01-01", False),  # New Year
    ("2025-01-02", True),
    ("2025-01-26", True),  # Sunday make-up workday
    ("2025-01-27", True),
    ("2025-01-28", False),  # Spring Festival 01-28..02-04
    ("2025-01-29", False),
    ("2025-02-02", False),
    ("2025-02-04", False),
    ("2025-02-05", True),
    ("2025-02-08", True),  # Saturday make-up workday
    ("2025-02-09", False),
    ("2025-04-04", False),  # Qingming
    ("2025-04-07", True),
    ("2025-04-27", True),  # Sunday make-up workday
    ("2025-05-01", False),  # Labour Day 05-01..05
    ("2025-05-05", False),
    ("2025-05-06", True),
    ("2025-05-31", False),  # Dragon Boat 05-31..06-02
    ("2025-06-02", False),
    ("2025-06-03", True),
    ("2025-09-28", True),  # Sunday make-up workday
    ("2025-10-01", False),  # National Day + Mid-Autumn 10-01..08
    ("2025-10-06", False),
    ("2025-10-08", False),
    ("2025-10-09", True),
    ("2025-10-11", True),  # Saturday make-up workday
    ("2026-01-01", False),  # New Year 01-01..03
    ("2026-01-02", False),
    ("2026-01-03", False),
    ("2026-01-04", True),  # Sunday make-up workday
    ("2026-01-05", True),
    ("2026-02-14", True),  # Saturday make-up workday
    ("2026-02-15", False),  # Spring Festival 02-15..02-23
    ("2026-02-17", False),
    ("2026-02-20", False),
    ("2026-02-23", False),
    ("2026-02-24", True),
    ("2026-02-28", True),  # Saturday make-up workday
    ("2026-03-01", False),
    ("2026-04-04", False),  # Qingming 04-04..06
    ("2026-04-06", False),
    ("2026-04-07", True),
    ("2026-05-01", False),  # Labour Day 05-01..05
    ("2026-05-04", False),
    ("2026-05-05", False),
    ("2026-05-06", True),
    ("2026-05-09", True),  # Saturday make-up workday
    ("2026-06-19", False),  # Dragon Boat 06-19..21
    ("2026-06-22", True),
    ("2026-09-20", True),  # Sunday make-up workday
    ("2026-09-25", False),  # Mid-Autumn 09-25..27
    ("2026-09-28", True),
    ("2026-10-01", False),  # National Day 10-01..07
    ("2026-10-05", False),
    ("2026-10-07", False),
    ("2026-10-08", True),
    ("2026-10-10", True),  # Saturday make-up workday
    ("2026-10-11", False),
    ("2026-11-26", True),
    ("2026-11-28", False),
]


@pytest.mark.parametrize(("day", "working"), REAL_DAYS)
def test_real_days(day: str, working: bool) -> None:
    assert CAL.is_workday(d(day)) is working
    assert CAL.is_official(d(day))


# The complete exceptions to Monday-Friday in each year.
EXCEPTIONS = {
    2025: (
        "01-01 01-28 01-29 01-30 01-31 02-03 02-04 04-04 05-01 05-02 05-05 06-02 10-01 10-02 10-03 10-06 10-07 10-08",
        "01-26 02-08 04-27 09-28 10-11",
    ),
    2026: (
        "01-01 01-02 02-16 02-17 02-18 02-19 02-20 02-23 04-06 05-01 05-04 05-05 06-19 09-25 10-01 10-02 "
        "10-05 10-06 10-07",
        "01-04 02-14 02-28 05-09 09-20 10-10",
    ),
}


@pytest.mark.parametrize("year", [2025, 2026])
def test_whole_year_exceptions(year: int) -> None:
    weekday_offs, weekend_workdays = ({d(f"{year}-{md}") for md in s.split()} for s in EXCEPTIONS[year])
    days = [date(year, 1, 1) + timedelta(i) for i in range(365)]
    assert {x for x in days if x.weekday() < 5 and not CAL.is_workday(x)} == weekday_offs
    assert {x for x in days if x.weekday() >= 5 and CAL.is_workday(x)} == weekend_workdays


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-01-01", False),  # the holidays package knows New Year's Day
        ("2027-01-02", False),
        ("2027-01-04", True),
        ("2027-10-01", False),
        ("2027-11-30", True),
        ("2003-12-31", True),  # before chinese_calendar: holidays package
        ("2200-01-01", True),  # beyond the holidays package: plain weekends (a Wednesday)
        ("2200-01-04", False),  # Saturday
    ],
)
def test_fallback_years_never_raise(day: str, working: bool) -> None:
    assert CAL.is_workday(d(day)) is working
    assert not CAL.is_official(d(day))


def test_overrides_win_and_make_their_year_official() -> None:
    cal = WorkCalendar(overrides={d("2027-01-01"): True, d("2027-02-08"): False, d("2026-10-08"): False})
    assert cal.is_workday(d("2027-01-01"))  # a Friday the holidays package calls New Year
    assert not cal.is_workday(d("2027-02-08"))
    assert cal.is_official(d("2027-01-01"))
    # the rest of an override year follows Monday-Friday (the notice lists every exception) and is official
    assert cal.is_workday(d("2027-02-09")) and cal.is_official(d("2027-02-09"))
    assert not cal.is_workday(d("2027-02-06"))
    # an override in a chinese_calendar year changes only that day
    assert not cal.is_workday(d("2026-10-08"))
    assert not cal.is_workday(d("2026-10-07")) and cal.is_workday(d("2026-10-09"))
    assert not cal.is_official(d("2028-03-01"))


def test_calendar_is_immutable_hashable_and_validated() -> None:
    source = {d("2027-01-01"): False}
    cal = WorkCalendar(overrides=source)
    source[d("2027-01-04")] = False
    assert cal.is_workday(d("2027-01-04"))
    assert cal == WorkCalendar(overrides={d("2027-01-01"): False})
    assert hash(cal) == hash(WorkCalendar(overrides={d("2027-01-01"): False}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.overrides = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        cal.overrides[d("2027-01-05")] = True  # type: ignore[index]
    with pytest.raises(TypeError):
        WorkCalendar(overrides={datetime(2027, 1, 1): False})
    with pytest.raises(TypeError):
        WorkCalendar(overrides={d("2027-01-01"): 0})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        cal.is_workday(datetime(2027, 1, 1))


ADD_WORKING_DAYS = [
    # (start, local),        n,   expected (local)
    ((2026, 11, 26, 10), 5, (2026, 12, 3, 10)),  # Thu → Thu
    ((2026, 11, 28, 10), 1, (2026, 12, 1, 0)),  # Sat → end of Monday
    ((2026, 11, 30, 10), 0.25, (2026, 11, 30, 16)),
    ((2026, 11, 30, 0), 1, (2026, 12, 1, 0)),
    # Spring Festival 2026 (off 02-15..02-23, Sat 02-14 and Sat 02-28 worked)
    ((2026, 2, 13, 10), 1, (2026, 2, 14, 10)),
    ((2026, 2, 13, 10), 2, (2026, 2, 24, 10)),
    ((2026, 2, 12, 10), 3, (2026, 2, 24, 10)),
    ((2026, 2, 16, 9), 1, (2026, 2, 25, 0)),  # from a holiday: the clock starts on 02-24
    ((2026, 2, 15, 9), 5, (2026, 3, 1, 0)),  # ... and Saturday 02-28 counts
    ((2026, 2, 14, 20), 0.5, (2026, 2, 24, 8)),
    # National Day 2025 (off 10-01..08, Sun 09-28 and Sat 10-11 worked)
    ((2025, 9, 28, 14), 1, (2025, 9, 29, 14)),
    ((2025, 9, 30, 14), 1, (2025, 10, 9, 14)),
    ((2025, 9, 30, 14), 3, (2025, 10, 11, 14)),
    ((2025, 10, 1, 10), 1, (2025, 10, 10, 0)),
    ((2025, 9, 26, 17), 5, (2025, 10, 10, 17)),
    # National Day 2026 (off 10-01..07, Sun 09-20 and Sat 10-10 worked)
    ((2026, 9, 30, 10), 1, (2026, 10, 8, 10)),
    ((2026, 9, 30, 10), 3, (2026, 10, 10, 10)),
    ((2026, 9, 20, 8), 0.5, (2026, 9, 20, 20)),
    ((2026, 10, 2, 10), 2, (2026, 10, 10, 0)),
    # into 2027 (fallback year)
    ((2026, 12, 20, 10), 15, (2027, 1, 12, 0)),
    ((2026, 12, 21, 9), 15, (2027, 1, 12, 9)),
    ((2026, 12, 31, 9), 1, (2027, 1, 4, 9)),
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_WORKING_DAYS)
def test_add_working_days(start: tuple, n: float, expected: tuple) -> None:
    result = CAL.add_working_days(local(*start), n)
    assert result == local(*expected)
    assert result.tzinfo is UTC
    assert CAL.working_seconds_between(local(*start), result) == n * DAY
    assert CAL.working_seconds_between(CAL.add_working_seconds(result, -n * DAY), local(*start)) == 0


def test_ticket_received_2026_12_20_gets_january_2027_deadline() -> None:
    start = local(2026, 12, 20, 10)
    due = CAL.add_working_days(start, 15)
    assert (due.astimezone(SH).year, due.astimezone(SH).month) == (2027, 1)
    assert CAL.computed_on_fallback(start, due)
    official = WorkCalendar(overrides={d("2027-01-01"): False, d("2027-01-04"): False})
    assert official.add_working_days(start, 15) == local(2027, 1, 13, 0)
    assert not official.computed_on_fallback(start, official.add_working_days(start, 15))


def test_zero_other_zones_and_bad_input() -> None:
    sat = local(2026, 11, 28, 10)
    assert CAL.add_working_days(sat, 0) == sat
    utc_start = datetime(2026, 11, 26, 2, tzinfo=UTC)  # 10:00 in Shanghai
    assert CAL.add_working_days(utc_start, 5) == local(2026, 12, 3, 10)
    with pytest.raises(ValueError):
        CAL.add_working_days(sat, -1)
    with pytest.raises(ValueError):
        CAL.add_working_days(datetime(2026, 11, 28, 10), 1)
    with pytest.raises(ValueError):
        CAL.working_seconds_between(datetime(2026, 11, 28), sat)
    with pytest.raises(ValueError):
        CAL.add_working_seconds(sat, float("inf"))


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        ((2026, 2, 13, 18), (2026, 2, 24, 6), 36),  # Fri 6 h + Sat 02-14 24 h + Tue 6 h
        ((2026, 11, 28, 10), (2026, 11, 29, 22), 0),  # a weekend
        ((2026, 11, 27, 12), (2026, 11, 30, 12), 24),
        ((2026, 11, 30, 12), (2026, 11, 27, 12), -24),
        ((2026, 11, 30, 9), (2026, 11, 30, 9, 30), 0.5),
        ((2025, 9, 30, 0), (2025, 10, 9, 0), 24),
    ],
)
def test_working_seconds_between(a: tuple, b: tuple, hours: float) -> None:
    assert CAL.working_seconds_between(local(*a), local(*b)) == hours * 3600


def test_round_trip_every_hour_across_holidays() -> None:
    for first in (local(2026, 2, 8), local(2025, 9, 24), local(2026, 9, 15), local(2026, 12, 20)):
        for hour in range(0, 24 * 21, 5):
            start = first + timedelta(hours=hour)
            for n in (0.5, 1, 2, 5, 15):
                end = CAL.add_working_days(start, n)
                assert end > start
                assert CAL.working_seconds_between(start, end) == n * DAY
                if CAL.is_workday(start.date()):
                    assert CAL.add_working_seconds(end, -n * DAY) == start


def test_computed_on_fallback_bounds() -> None:
    assert not CAL.computed_on_fallback(local(2026, 1, 1), local(2026, 12, 31, 23))
    assert not CAL.computed_on_fallback(local(2026, 12, 30, 10), local(2027, 1, 1, 0))  # end of 2026-12-31
    assert CAL.computed_on_fallback(local(2026, 12, 30, 10), local(2027, 1, 1, 0, 1))
    assert CAL.computed_on_fallback(local(2027, 3, 1), local(2027, 3, 1))
    assert CAL.computed_on_fallback(local(2027, 1, 5), local(2026, 12, 30))  # either order
    with pytest.raises(ValueError):
        CAL.computed_on_fallback(datetime(2026, 12, 30), local(2027, 1, 5))
    with_2027 = WorkCalendar(overrides={d("2027-01-01"): False})
    assert not with_2027.computed_on_fallback(local(2026, 12, 30), local(2027, 12, 31, 12))
    assert with_2027.computed_on_fallback(local(2027, 12, 30), local(2028, 1, 3))



class BrokenHolidays:
    """A ``holidays`` calendar whose data cannot be read."""

    def is_working_day(self, day: date) -> bool:
        raise RuntimeError("holidays data unavailable")


@pytest.fixture
def broken_holidays(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(calendar_module, "_holidays_cn", BrokenHolidays())
    monkeypatch.setattr(calendar_module, "_failed_years", set())
    calendar_module._cached_base_day.cache_clear()
    yield
    calendar_module._cached_base_day.cache_clear()


def test_failing_holidays_package_is_logged_and_makes_deadlines_provisional(broken_holidays, caplog) -> None:
    new_year = d("2027-01-01")  # a Friday and a public holiday in the holidays package
    with caplog.at_level(logging.ERROR, logger="hotline.deadlines.calendar"):
        assert CAL.is_workday(new_year)  # plain weekdays: the holiday is lost ...
        assert not CAL.is_official(new_year)  # ... and the day is known to be a guess
        deadlines = deadlines_on_dispatch(urgency="complex", dispatched_at=local(2026, 12, 21, 9), calendar=CAL)
    failures = [r for r in caplog.records if "holidays package failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR  # once per year, not per day
    assert deadlines.on_fallback
    assert deadlines.reply_due_at == local(2027, 1, 11, 9)  # 01-01 counted as a working day (else 01-12)


def test_a_holidays_failure_is_not_remembered(broken_holidays) -> None:
    assert CAL.is_workday(d("2027-01-01"))
    calendar_module._holidays_cn = None  # the package works again
    assert not CAL.is_workday(d("2027-01-01"))
    assert not CAL.is_official(d("2027-01-01"))
