"""The rates of DESIGN section 6 from summed counts, grouped, with year weights and drill-down."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines.service import load_calendar, year_limits
from hotline.departments.models import Department
from hotline.errors import ValidationError
from hotline.settings.service import RATE_WEIGHTS, year_override
from hotline.supervision import fact_queries
from hotline.supervision.counts import COUNTS
from hotline.supervision.facts import Fact, collect
from hotline.supervision.periods import Period
from hotline.tickets.enums import LABELS

GROUPS = ("department", "district", "kind", "channel")
# rate key → (numerator counts with their weight key or 1, denominator count)
RATES: dict[str, tuple[tuple[tuple[str, str | None], ...], str]] = {
    "sign_on_time_rate": ((("signed_on_time", None),), "dispatched"),
    "return_rate": ((("returned", None),), "dispatched"),
    "response_rate": ((("responded", None),), "dispatched"),
    "on_time_closing_rate": ((("replied_on_time", None),), "due"),
    "closing_rate": ((("replied", None),), "due"),
    "follow_up_rate": ((("followed_up", None),), "to_follow_up"),
    "solved_rate": ((("solved", None), ("partly_solved", "partly_solved")), "valid_follow_ups"),
    # Every evaluation counts: a follow-up call that reached the citizen and an online rating (好差评).
    "satisfied_rate": ((("satisfied", None), ("online_satisfied", None),
                        ("basically_satisfied", "basically_satisfied"),
                        ("online_basically_satisfied", "basically_satisfied")), "evaluations"),
    "reopen_rate": ((("reopened", None),), "valid_follow_ups"),
    "resolved_on_call_rate": ((("resolved_on_call", None),), "received"),
}
RATE_KEYS = (*RATES, "score")
# Denominators that are sums of counts: every evaluation, a reached follow-up call or an online rating.
DERIVED: dict[str, tuple[str, ...]] = {"evaluations": ("valid_follow_ups", "online_ratings")}
NONE_GROUP = "none"


def weights_for(config: Mapping[str, Any], year: int, override: Mapping[str, float] | None = None) -> dict[str, float]:
    """The weights in force in a year: the default entry overridden by the year's entry, and by an admin's
    override of that year (hotline.settings) when one is stored."""
    table = config.get("RATE_WEIGHTS") or {}
    return {**table.get("default", {}), **table.get(str(year), {}), **(override or {})}


def weights_in_force(session: Session, year: int) -> dict[str, float]:
    """The weights of a year from the configuration and the admins' override."""
    return weights_for(current_app.config, year, year_override(session, kind=RATE_WEIGHTS, year=year))


def rates_of(counts: Mapping[str, int], weights: Mapping[str, float]) -> dict[str, float | None]:
    """Every rate from its counts; a zero denominator gives None, never 0."""
    out: dict[str, float | None] = {}
    for key, (numerator, denominator) in RATES.items():
        below = sum(counts.get(name, 0) for name in DERIVED.get(denominator, (denominator,)))
        above = sum(counts.get(name, 0) * (weights[w] if w else 1.0) for name, w in numerator)
        out[key] = round(above / below, 4) if below else None
    parts = (out["response_rate"], out["solved_rate"], out["satisfied_rate"])
    out["score"] = (None if any(p is None for p in parts) else round(
        weights["response"] * parts[0] + weights["solved"] * parts[1]  # type: ignore[operator]
        + weights["satisfied"] * parts[2], 4))  # type: ignore[operator]
    return out


@dataclass(frozen=True)
class Labels:
    """Display names of group keys (department names and categories, enum labels)."""

    names: dict[str, str]
    categories: dict[str, str]
    active: tuple[str, ...] = ()

    def row_head(self, group_by: str, key: str | None) -> dict[str, Any]:
        """The identifying columns of a row."""
        code = key if key is not None else NONE_GROUP
        if group_by == "department":
            return {"group": code, "label": self.names.get(code, "未派单" if key is None else code),
                    "category": self.categories.get(code)}
        if group_by == "district":
            return {"group": code, "label": key or "未填写"}
        return {"group": code, "label": LABELS.get(code, code)}


def labels(session: Session) -> Labels:
    """Department names and categories by code."""
    rows = session.execute(select(Department.code, Department.name, Department.category, Department.active)).all()
    return Labels({r.code: r.name for r in rows}, {r.code: r.category for r in rows},
                  tuple(r.code for r in rows if r.active))


def facts_for(session: Session, *, period: Period, now: datetime) -> list[Fact]:
    """The period's facts with the calendar and limits of the app."""
    repeat = current_app.config["SUPERVISION"]["repeat_dissatisfied_times"]
    return collect(session, period=period, now=now, calendar=load_calendar(session), limits=year_limits(session),
                   repeat_times=repeat)


def check_group_by(group_by: str) -> str:
    """A valid grouping or a 422."""
    if group_by not in GROUPS:
        raise ValidationError(f"group_by 只能是 {'|'.join(GROUPS)}", details=[{"field": "group_by"}])
    return group_by


def sum_counts(facts: Iterable[Fact], group_by: str | None) -> dict[str | None, Counter[str]]:
    """Counts summed per group (one key None-or-all when group_by is None)."""
    sums: dict[str | None, Counter[str]] = {}
    for f in facts:
        key = f.group(group_by) if group_by else None
        sums.setdefault(key, Counter()).update(f.counts)
    return sums


def table(sums: Mapping[str | None, Mapping[str, int]], *, group_by: str, weights: Mapping[str, float],
          names: Labels) -> list[dict[str, Any]]:
    """Rows with the group, every count and every rate, in a stable order."""
    rows = []
    for key, counts in sums.items():
        rows.append({**names.row_head(group_by, key), **{c: int(counts.get(c, 0)) for c in COUNTS},
                     **rates_of(counts, weights)})
    return sorted(rows, key=lambda r: (r["group"] == NONE_GROUP, r["group"]))


def metrics(session: Session, *, period: Period, group_by: str, now: datetime) -> dict[str, Any]:
    """GET /metrics: one row per group plus the total, summed live in SQL from the rate facts table."""
    grouped, total = fact_queries.grouped_and_total(session, period=period, now=now, group_by=group_by)
    return assemble(session, period=period, group_by=group_by, grouped=grouped, total=total)


def metrics_from_events(session: Session, *, period: Period, group_by: str, now: datetime) -> dict[str, Any]:
    """The same document by one pass in Python over the period's tickets and events (the reference)."""
    facts = facts_for(session, period=period, now=now)
    return assemble(session, period=period, group_by=group_by, grouped=sum_counts(facts, group_by),
                    total=sum_counts(facts, None).get(None, Counter()))


def assemble(session: Session, *, period: Period, group_by: str, grouped: Mapping[str | None, Mapping[str, int]],
             total: Mapping[str, int]) -> dict[str, Any]:
    """The metrics document from summed counts (live or from snapshots)."""
    weights = weights_in_force(session, period.first.year)
    names = labels(session)
    if group_by == "department":  # every department is listed, with null rates when it had nothing to count
        grouped = {**{code: Counter() for code in names.active}, **grouped}
    return {**period.as_json(), "group_by": group_by, "weights": weights,
            "rows": table(grouped, group_by=group_by, weights=weights, names=names),
            "total": {c: int(total.get(c, 0)) for c in COUNTS} | rates_of(total, weights)}


def drill_terms(metric: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The counts a metric is built from: (numerator counts, denominator counts)."""
    if metric in COUNTS:
        return (metric,), ()
    if metric in RATES:
        numerator, denominator = RATES[metric]
        return tuple(name for name, _w in numerator), DERIVED.get(denominator, (denominator,))
    if metric == "score":
        return (("responded", "solved", "partly_solved", "satisfied", "basically_satisfied", "online_satisfied",
                 "online_basically_satisfied"), ("dispatched", "valid_follow_ups", "online_ratings"))
    raise ValidationError(f"未知指标 {metric}", details=[{"field": "metric"}])


def drill(facts: Iterable[Fact], *, metric: str, group_by: str | None, group: str | None) -> list[dict[str, Any]]:
    """The facts behind one number: ticket ids with what each adds to the numerator and denominator."""
    numerator, denominator = drill_terms(metric)
    out = []
    for f in facts:
        if group_by and (f.group(group_by) or NONE_GROUP) != group:
            continue
        above = sum(f.counts.get(n, 0) for n in numerator)
        below = sum(f.counts.get(n, 0) for n in denominator)
        if above or below:
            out.append({"ticket_id": f.ticket_id, "day": f.day.isoformat(), "counted": above,
                        **({"in_denominator": below} if denominator else {}), "counts": dict(f.counts)})
    return out
