"""The time-limit policy: explicit datetimes in, UTC datetimes out, nothing read from the clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import (
    DEFAULT_LIMITS,
    Deadlines,
    Limit,
    ReminderPoint,
    TimeLimits,
    UrgencyLimits,
    deadlines_on_dispatch,
    due_at,
    escalate_at,
    extend,
    follow_up_due,
    is_overdue,
    remind_at,
    reminder_points,
    resume,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("urgency", "sign", "reply", "return_"),
    [
        ("emergency", Limit(hours=0.5), Limit(hours=2), Limit(hours=0.5)),
        ("urgent", Limit(hours=2), Limit(hours=24), Limit(hours=2)),
        ("normal", Limit(working_days=1), Limit(working_days=5), Limit(working_days=2)),
        ("complex", Limit(working_days=1), Limit(working_days=15), Limit(working_days=2)),
    ],
)
def test_default_limits(urgency: str, sign: Limit, reply: Limit, return_: Limit) -> None:
    assert DEFAULT_LIMITS.for_urgency(urgency) == UrgencyLimits(sign=sign, reply=reply, return_=return_)
    assert (DEFAULT_LIMITS.reminder_fraction, DEFAULT_LIMITS.max_extension_days) == (0.75, 15)
    assert (DEFAULT_LIMITS.escalate_after_working_days, DEFAULT_LIMITS.follow_up_working_days) == (1, 1)


THU = (2026, 11, 26, 10)  # an ordinary Thursday
HOLIDAY = (2026, 2, 18, 15)  # Spring Festival: off 02-15..02-23, Saturdays 02-14 and 02-28 worked


@pytest.mark.parametrize(
    ("urgency", "dispatched", "sign", "reply", "return_until", "on_fallback"),
    [
        ("emergency", THU, (2026, 11, 26, 10, 30), (2026, 11, 26, 12), (2026, 11, 26, 10, 30), False),
        ("urgent", THU, (2026, 11, 26, 12), (2026, 11, 27, 10), (2026, 11, 26, 12), False),
        ("normal", THU, (2026, 11, 27, 10), (2026, 12, 3, 10), (2026, 11, 30, 10), False),
        ("complex", THU, (2026, 11, 27, 10), (2026, 12, 17, 10), (2026, 11, 30, 10), False),
        ("emergency", HOLIDAY, (2026, 2, 18, 15, 30), (2026, 2, 18, 17), (2026, 2, 18, 15, 30), False),
        ("urgent", HOLIDAY, (2026, 2, 18, 17), (2026, 2, 19, 15), (2026, 2, 18, 17), False),
        ("normal", HOLIDAY, (2026, 2, 25), (2026, 3, 1), (2026, 2, 26), False),
        ("complex", HOLIDAY, (2026, 2, 25), (2026, 3, 14), (2026, 2, 26), False),
        ("complex", (2026, 12, 20, 10), (2026, 12, 22), (2027, 1, 12), (2026, 12, 23), True),
        ("urgent", (2026, 12, 31, 10), (2026, 12, 31, 12), (2027, 1, 1, 10), (2026, 12, 31, 12), False),
    ],
)
def test_deadlines_on_dispatch(
    urgency: str, dispatched: tuple, sign: tuple, reply: tuple, return_until: tuple, on_fallback: bool
) -> None:
    got = deadlines_on_dispatch(
        urgency=urgency, dispatched_at=local(*dispatched), calendar=CAL, limits=DEFAULT_LIMITS
    )
    assert got == Deadlines(local(*sign), local(*reply), local(*return_until), on_fallback)
    assert all(x.tzinfo is UTC for x in got[:3])


def test_due_at_clock_ignores_calendar() -> None:
    sat = local(2026, 10, 3, 23)
    assert due_at(limit=Limit(hours=2), start=sat, calendar=CAL) == local(2026, 10, 4, 1)
    assert due_at(limit=Limit(working_days=1), start=sat, calendar=CAL) == local(2026, 10, 9)
    with pytest.raises(ValueError):
        deadlines_on_dispatch(urgency="whenever", dispatched_at=sat, calendar=CAL, limits=DEFAULT_LIMITS)


def test_time_limits_from_dict() -> None:
    limits = TimeLimits.from_dict(
        {
            "normal": {"reply": {"working_days": 7}, "return": {"hours": 48}},
            "emergency": {"sign": {"minutes": 15}},
            "reminder_fraction": 0.8,
        }
    )
    assert limits.normal == UrgencyLimits(
        sign=Limit(working_days=1), reply=Limit(working_days=7), return_=Limit(hours=48)
    )
    assert limits.emergency.sign == Limit(hours=0.25)
    assert limits.complex == DEFAULT_LIMITS.complex
    assert limits.reminder_fraction == 0.8
    assert TimeLimits.from_dict(limits.to_dict()) == limits
    assert TimeLimits.from_dict({}) == TimeLimits.from_dict(None) == DEFAULT_LIMITS == TimeLimits()
    assert TimeLimits.from_dict({"urgent": DEFAULT_LIMITS.normal}).urgent == DEFAULT_LIMITS.normal
    for bad in (
        {"normal": {"answer": {"hours": 1}}},
        {"speed": 1},
        {"normal": {"sign": {"days": 1}}},
        {"normal": {"sign": {"hours": 1, "working_days": 1}}},
        {"normal": {"sign": {"hours": 0}}},
        {"reminder_fraction": 1.5},
        {"max_extension_days": 0},
    ):
        with pytest.raises(ValueError):
            TimeLimits.from_dict(bad)


@pytest.mark.parametrize(
    ("due", "days", "expected"),
    [
        ((2026, 12, 3, 10), 3, (2026, 12, 8, 10)),
        ((2026, 9, 30, 10), 1, (2026, 10, 8, 10)),
        ((2026, 2, 13, 10), 2, (2026, 2, 24, 10)),
        ((2026, 12, 1, 0), 1, (2026, 12, 2, 0)),  # due at the end of a Monday: end of Tuesday
        ((2026, 12, 3, 10), 15, (2026, 12, 24, 10)),
    ],
)
def test_extend(due: tuple, days: int, expected: tuple) -> None:
    assert extend(due=local(*due), days=days, calendar=CAL) == local(*expected)


@pytest.mark.parametrize("days", [0, -1, 16, 1.5, True])
def test_extend_rejects(days: int) -> None:
    with pytest.raises(ValueError):
        extend(due=local(2026, 12, 3, 10), days=days, calendar=CAL)


def test_extend_max_is_configurable() -> None:
    assert extend(due=local(2026, 12, 3, 10), days=16, calendar=CAL, max_days=20) == local(2026, 12, 25, 10)


@pytest.mark.parametrize(
    ("due", "suspended", "resumed", "clock", "expected"),
    [
        # clock limit: 18 h were left, counted again from Saturday 09:00
        ((2026, 11, 27, 10), (2026, 11, 26, 16), (2026, 11, 28, 9), True, (2026, 11, 29, 3)),
        # working days: 8 h Mon + 24 h Tue + 24 h Wed + 10 h Thu = 66 h left; resumed on a Saturday
        ((2026, 12, 3, 10), (2026, 11, 30, 16), (2026, 12, 5, 11), False, (2026, 12, 9, 18)),
        ((2026, 12, 3, 10), (2026, 11, 30, 16), (2026, 12, 7, 16), False, (2026, 12, 10, 10)),
        # resumed during Spring Festival: one working day left, counted from 02-24 00:00
        ((2026, 2, 13, 10), (2026, 2, 12, 10), (2026, 2, 18, 10), False, (2026, 2, 25)),
        # suspended while one working day overdue: still one working day overdue after resuming
        ((2026, 11, 30, 10), (2026, 12, 1, 10), (2026, 12, 3, 10), False, (2026, 12, 2, 10)),
        ((2026, 11, 30, 10), (2026, 12, 1, 10), (2026, 12, 3, 10), True, (2026, 12, 2, 10)),
    ],
)
def test_resume(due: tuple, suspended: tuple, resumed: tuple, clock: bool, expected: tuple) -> None:
    got = resume(
        due=local(*due),
        suspended_at=local(*suspended),
        resumed_at=local(*resumed),
        limit_kind_is_clock=clock,
        calendar=CAL,
    )
    assert got == local(*expected)
    assert got.tzinfo is UTC


def test_resume_rejects_time_travel() -> None:
    with pytest.raises(ValueError):
        resume(
            due=local(2026, 12, 3),
            suspended_at=local(2026, 12, 2),
            resumed_at=local(2026, 12, 1),
            limit_kind_is_clock=False,
            calendar=CAL,
        )


@pytest.mark.parametrize(
    ("replied", "expected_local"),
    [
        ((2026, 11, 27, 15), (2026, 12, 1)),  # Friday → end of Monday
        ((2026, 11, 27, 23, 59), (2026, 12, 1)),
        ((2026, 11, 30, 10), (2026, 12, 2)),  # Monday → end of Tuesday
        ((2026, 11, 28, 10), (2026, 12, 1)),  # Saturday → end of Monday
        ((2026, 2, 13, 10), (2026, 2, 15)),  # Friday → Saturday 02-14 is a make-up workday
        ((2026, 9, 30, 10), (2026, 10, 9)),  # before National Day → end of 10-08
        ((2026, 12, 31, 10), (2027, 1, 5)),  # 2027-01-01 is a holiday (fallback calendar)
    ],
)
def test_follow_up_due(replied: tuple, expected_local: tuple) -> None:
    got = follow_up_due(replied_at=local(*replied), calendar=CAL)
    assert got == local(*expected_local)
    assert got.tzinfo is UTC


def test_follow_up_due_in_utc_and_two_days() -> None:
    friday_utc = datetime(2026, 11, 27, 7, tzinfo=UTC)  # 15:00 in Shanghai
    assert follow_up_due(replied_at=friday_utc, calendar=CAL) == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert follow_up_due(replied_at=friday_utc, calendar=CAL, working_days=2) == local(2026, 12, 2)


@pytest.mark.parametrize(
    ("start", "due", "clock", "expected"),
    [
        ((2026, 11, 26, 10), (2026, 11, 26, 10, 30), True, (2026, 11, 26, 10, 22, 30)),
        ((2026, 11, 26, 10), (2026, 11, 27, 10), True, (2026, 11, 27, 4)),
        # 75 % of 5 working days is 90 h of working time: Wednesday 04:00
        ((2026, 11, 26, 10), (2026, 12, 3, 10), False, (2026, 12, 2, 4)),
        ((2026, 11, 28, 10), (2026, 12, 1), False, (2026, 11, 30, 18)),
        ((2026, 2, 13, 10), (2026, 2, 25, 10), False, (2026, 2, 24, 16)),  # 72 h over Spring Festival
    ],
)
def test_remind_at(start: tuple, due: tuple, clock: bool, expected: tuple) -> None:
    got = remind_at(start=local(*start), due=local(*due), fraction=0.75, clock=clock, calendar=CAL)
    assert got == local(*expected)


def test_is_overdue() -> None:
    due = local(2026, 12, 3, 10)
    assert not is_overdue(due=due, now=due)
    assert is_overdue(due=due, now=due + timedelta(microseconds=1))
    assert not is_overdue(due=due, now=datetime(2026, 12, 3, 1, 59, tzinfo=UTC))
    with pytest.raises(ValueError):
        is_overdue(due=due, now=datetime(2026, 12, 4))


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ((2026, 12, 3, 10), (2026, 12, 4, 10)),
        ((2026, 12, 4, 10), (2026, 12, 7, 10)),
        ((2026, 9, 30, 10), (2026, 10, 8, 10)),
        ((2026, 2, 13, 18), (2026, 2, 14, 18)),
        ((2026, 12, 1), (2026, 12, 2)),
        ((2026, 10, 3, 12), (2026, 10, 9)),  # due on a holiday: end of the next working day
    ],
)
def test_escalate_at(due: tuple, expected: tuple) -> None:
    assert escalate_at(due=local(*due), calendar=CAL, limits=DEFAULT_LIMITS) == local(*expected)


def test_reminder_points_working_days() -> None:
    start, due = local(2026, 11, 26, 10), local(2026, 12, 3, 10)
    points = reminder_points(
        start=start, due=due, clock=False, calendar=CAL, limits=DEFAULT_LIMITS, now_horizon_days=3
    )
    assert points == (
        ReminderPoint("warning", local(2026, 12, 2, 4)),
        ReminderPoint("due", local(2026, 12, 3, 10)),
        ReminderPoint("overdue_1", local(2026, 12, 4, 10)),
        ReminderPoint("escalate", local(2026, 12, 4, 10)),
        ReminderPoint("overdue_2", local(2026, 12, 7, 10)),
        ReminderPoint("overdue_3", local(2026, 12, 8, 10)),
    )
    assert all(at.tzinfo is UTC for _, at in points)


def test_reminder_points_clock() -> None:
    start, due = local(2026, 11, 26, 10), local(2026, 11, 27, 10)  # urgent reply, 24 h
    points = reminder_points(
        start=start, due=due, clock=True, calendar=CAL, limits=DEFAULT_LIMITS, now_horizon_days=2
    )
    assert [(kind, at.astimezone(SH).replace(tzinfo=None)) for kind, at in points] == [
        ("warning", datetime(2026, 11, 27, 4)),
        ("due", datetime(2026, 11, 27, 10)),
        ("overdue_1", datetime(2026, 11, 28, 10)),  # daily in wall time
        ("overdue_2", datetime(2026, 11, 29, 10)),
        ("escalate", datetime(2026, 11, 30, 10)),  # one working day overdue
    ]


def test_reminder_points_follow_configuration() -> None:
    limits = TimeLimits.from_dict({"reminder_fraction": 0.5, "escalate_after_working_days": 2})
    points = dict(
        reminder_points(
            start=local(2026, 11, 26, 10),
            due=local(2026, 12, 3, 10),
            clock=False,
            calendar=CAL,
            limits=limits,
            now_horizon_days=0,
        )
    )
    assert points == {
        "warning": local(2026, 11, 30, 22),
        "due": local(2026, 12, 3, 10),
        "escalate": local(2026, 12, 7, 10),
    }


def test_policy_never_reads_the_clock() -> None:
    def compute() -> tuple:
        d = deadlines_on_dispatch(
            urgency="normal", dispatched_at=local(*THU), calendar=CAL, limits=DEFAULT_LIMITS
        )
        r = reminder_points(
            start=local(*THU), due=d.reply_due_at, clock=False, calendar=CAL, limits=DEFAULT_LIMITS
        )
        return d, r, follow_up_due(replied_at=local(*THU), calendar=CAL)

    expected = compute()
    for moment in (datetime(2030, 1, 1, tzinfo=UTC), datetime(2001, 6, 1, tzinfo=UTC)):
        with time_machine.travel(moment, tick=False):
            assert compute() == expected


def test_official_days_change_fallback_deadlines() -> None:
    notice_2027 = WorkCalendar(overrides={date(2027, 1, 1): False, date(2027, 1, 4): False})
    d = deadlines_on_dispatch(
        urgency="complex", dispatched_at=local(2026, 12, 20, 10), calendar=notice_2027, limits=DEFAULT_LIMITS
    )
    assert d.reply_due_at == local(2027, 1, 13) and not d.on_fallback
