"""The one place the app reads the wall clock; rules get the time passed in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def local(dt: datetime) -> datetime:
    """A UTC datetime shown in Asia/Shanghai."""
    return dt.astimezone(LOCAL_TZ)


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, for the API."""
    return None if dt is None else local(dt).isoformat(timespec="seconds")
