"""Year overrides of the time limits and rate weights: stored whole, checked before they are stored.

The configuration (TIME_LIMITS, RATE_WEIGHTS) gives the defaults; a year with an override uses it instead.
Deadlines take the limits of the year the move happens in (tickets.rules.rules_at); rates take the weights
of the year their period starts in (supervision.rates)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.deadlines.policy import TimeLimits
from hotline.errors import ValidationError
from hotline.settings.models import YearSetting

TIME_LIMITS, RATE_WEIGHTS = "time_limits", "rate_weights"
KINDS = (TIME_LIMITS, RATE_WEIGHTS)
WEIGHT_KEYS = ("response", "solved", "satisfied", "partly_solved", "basically_satisfied")
SCORE_KEYS = ("response", "solved", "satisfied")
YEAR_MIN, YEAR_MAX = 2000, 2100


def _bad(message: str, field: str = "values") -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def _year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise _bad(f"年度须在 {YEAR_MIN} 到 {YEAR_MAX} 之间", "year")
    return year


def year_override(session: Session, *, kind: str, year: int) -> dict[str, Any] | None:
    """The stored override of a setting for a year, or None when the configuration applies."""
    row = session.get(YearSetting, (year, kind))
    return dict(row.values) if row is not None else None


def override_row(session: Session, *, kind: str, year: int) -> YearSetting | None:
    """The stored override row (who changed it and when), or None."""
    return session.get(YearSetting, (year, kind))


def checked_limits(values: Mapping[str, Any]) -> dict[str, Any]:
    """Whole time limits as stored (422 in Chinese when they do not make a valid TimeLimits)."""
    try:
        limits = TimeLimits.from_dict(values)
    except (ValueError, TypeError, AttributeError):
        raise _bad("时限设置无效：各时限须为正数，临期提醒比例须在 0% 与 100% 之间，延期和督办天数须为正数") from None
    for urgency in ("emergency", "urgent", "normal", "complex"):
        for limit in (limits.for_urgency(urgency).sign, limits.for_urgency(urgency).reply,
                      limits.for_urgency(urgency).return_):
            amount = limit.hours if limit.hours is not None else limit.working_days
            if amount is None or not 0 < amount <= 366:
                raise _bad("时限设置无效：每项时限须大于 0 且不超过 366")
    return limits.to_dict()


def checked_weights(values: Mapping[str, Any]) -> dict[str, float]:
    """Whole rate weights as stored: each in [0, 1], and the three parts of the score summing to 1."""
    weights: dict[str, float] = {}
    for key in WEIGHT_KEYS:
        value = values.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _bad("权重设置无效：每项权重须在 0 到 1 之间")
        weights[key] = float(value)
    if abs(sum(weights[k] for k in SCORE_KEYS) - 1) > 1e-6:
        raise _bad("权重设置无效：响应率、解决率、满意率三项权重之和须等于 1")
    return weights


def save_override(session: Session, *, kind: str, year: int, values: Mapping[str, Any], actor: str,
                  now: datetime) -> YearSetting:
    """Store a year's whole setting after checking it; replaces an earlier override of that year."""
    if kind not in KINDS:
        raise _bad("未知的设置类型", "kind")
    clean = checked_limits(values) if kind == TIME_LIMITS else checked_weights(values)
    row = session.get(YearSetting, (_year(year), kind))
    if row is None:
        row = YearSetting(year=year, kind=kind, values=clean, updated_by=actor, updated_at=now)
        session.add(row)
    else:
        row.values, row.updated_by, row.updated_at = clean, actor, now
    session.flush()
    return row


def clear_override(session: Session, *, kind: str, year: int) -> bool:
    """Drop a year's override (the configuration applies again); False when there was none."""
    row = session.get(YearSetting, (year, kind))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
