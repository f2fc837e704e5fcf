"""Periods of Asia/Shanghai calendar days, as UTC instants for queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from hotline.clock import LOCAL_TZ, local
from hotline.errors import ValidationError

MAX_DAYS = 400
YEARS = range(2000, 2101)  # beyond these the arithmetic of instants would overflow; no hotline data there


@dataclass(frozen=True)
class Period:
    """The local days first..last inclusive; `start`/`end` are the UTC instants [start, end)."""

    first: date
    last: date

    @cached_property
    def start(self) -> datetime:
        """Local midnight of the first day, in UTC."""
        return datetime.combine(self.first, time(), LOCAL_TZ).astimezone(UTC)

    @cached_property
    def end(self) -> datetime:
        """Local midnight after the last day, in UTC (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ).astimezone(UTC)

    def contains(self, moment: datetime | None) -> bool:
        """Whether an instant falls within the period."""
        return moment is not None and self.start <= moment < self.end

    def as_json(self) -> dict[str, str]:
        """The period as the API shows it."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an instant."""
    return local(moment).date()


def day(value: date) -> Period:
    """One local day."""
    return Period(value, value)


def month(value: str) -> Period:
    """A month given as YYYY-MM."""
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationError("month 格式应为 YYYY-MM", details=[{"field": "month"}]) from None
    if first.year not in YEARS:
        raise ValidationError("month 超出可统计的年份范围", details=[{"field": "month"}])
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def parse(raw_from: str | None, raw_to: str | None, *, today: date, default_days: int = 30) -> Period:
    """A period from YYYY-MM-DD query values; defaults to the last `default_days` days up to today."""
    last = _date(raw_to, "to") if raw_to else today
    first = _date(raw_from, "from") if raw_from else last - timedelta(days=default_days - 1)
    if first > last:
        raise ValidationError("from 不能晚于 to", details=[{"field": "from"}])
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(f"统计区间不能超过 {MAX_DAYS} 天", details=[{"field": "from"}])
    return Period(first, last)


def _date(raw: str, name: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name} 格式应为 YYYY-MM-DD", details=[{"field": name}]) from None
    if value.year not in YEARS:
        raise ValidationError(f"{name} 超出可统计的年份范围", details=[{"field": name}])
    return value
