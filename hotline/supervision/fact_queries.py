"""The rates' counts and drill-down as SQL over the rate facts table (GROUP BY, index ranges of `at`) and its
daily roll-up (rollup.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from hotline.supervision import rollup
from hotline.supervision.counts import COHORTS, COUNTS, DUE
from hotline.supervision.models import rate_facts
from hotline.supervision.periods import Period, local_day

F = rate_facts.c
NONE_GROUP = "none"


def in_period(period: Period, now: datetime) -> ColumnElement[bool]:
    """Facts whose moment falls in the period; a deadline counts as due only once it has passed."""
    return and_(F.at >= period.start, F.at < period.end, or_(F.cohort != DUE, F.at < now))


def sums(session: Session, *, period: Period, now: datetime, group_by: str | None) -> dict[str | None, Counter[str]]:
    """Every count summed per group (one key None when group_by is None): the daily roll-up of the period's
    days that ended before today (rollup.py) plus one GROUP BY over the facts from today's midnight on."""
    today = local_day(now)
    ended = rollup.ended_days(period, today=today)
    out = rollup.sums(session, first=ended[0], last=ended[1], group_by=group_by) if ended else {}
    rest = Period(max(period.first, today), period.last) if period.last >= today else None
    if rest is not None:
        for key, counts in raw_sums(session, period=rest, now=now, group_by=group_by).items():
            out.setdefault(key, Counter()).update(counts)
    return out


def raw_sums(session: Session, *, period: Period, now: datetime,
             group_by: str | None) -> dict[str | None, Counter[str]]:
    """Every count summed per group straight from the facts: one GROUP BY over an index range of `at`."""
    query = raw_sums_query(period=period, now=now, group_by=group_by)
    if group_by is None:
        row = session.execute(query).one()
        return {None: Counter({c: int(getattr(row, c)) for c in COUNTS})} if row.facts else {}
    return {r.group_key: Counter({c: int(getattr(r, c)) for c in COUNTS}) for r in session.execute(query)}


def raw_sums_query(*, period: Period, now: datetime, group_by: str | None) -> Select[Any]:
    """The statement `raw_sums` runs (the explain tests plan this very statement)."""
    columns = [func.coalesce(func.sum(F[c]), 0).label(c) for c in COUNTS]
    if group_by is None:
        return select(func.count().label("facts"), *columns).where(in_period(period, now))
    key = F[group_by]
    return select(key.label("group_key"), *columns).where(in_period(period, now)).group_by(key)


def grouped_and_total(session: Session, *, period: Period, now: datetime,
                      group_by: str) -> tuple[dict[str | None, Counter[str]], Counter[str]]:
    """Counts per group and their total (each fact is in exactly one group, so the total is their sum)."""
    grouped = sums(session, period=period, now=now, group_by=group_by)
    total: Counter[str] = Counter({c: 0 for c in COUNTS})
    for counts in grouped.values():
        total.update(counts)
    return grouped, total


def _group_filter(group_by: str | None, group: str | None) -> ColumnElement[bool] | None:
    if not group_by or group is None:
        return None
    column = F[group_by]
    return or_(column.is_(None), column == "") if group == NONE_GROUP else column == group


def _plus(names: tuple[str, ...]) -> ColumnElement[Any]:
    expr: ColumnElement[Any] = F[names[0]]
    for name in names[1:]:
        expr = expr + F[name]
    return expr


def drill_where(*, period: Period, now: datetime, numerator: tuple[str, ...], denominator: tuple[str, ...],
                group_by: str | None, group: str | None) -> list[ColumnElement[bool]]:
    """The facts behind one number: in the period, in the group, adding to its numerator or denominator."""
    where = [in_period(period, now), or_(*(F[n] > 0 for n in (*numerator, *denominator)))]
    if (extra := _group_filter(group_by, group)) is not None:
        where.append(extra)
    return where


def drill(session: Session, *, period: Period, now: datetime, numerator: tuple[str, ...],
          denominator: tuple[str, ...], group_by: str | None, group: str | None, page: int,
          per_page: int) -> dict[str, Any]:
    """The facts behind one number, one page of them in time order, and their totals (an index range of
    the group and `at`, e.g. ix_rate_facts_department_at)."""
    above = _plus(numerator)
    below = _plus(denominator) if denominator else None
    where = drill_where(period=period, now=now, numerator=numerator, denominator=denominator, group_by=group_by,
                        group=group)
    totals = session.execute(select(func.count(), func.coalesce(func.sum(above), 0),
                                    func.coalesce(func.sum(below), 0) if below is not None else func.count())
                             .where(*where)).one()
    rows = session.execute(select(F.ticket_id, F.at, F.cohort, above.label("counted"),
                                  (below if below is not None else above).label("below"), *(F[c] for c in COUNTS))
                           .where(*where).order_by(F.at, F.id).limit(per_page).offset((page - 1) * per_page))
    items = []
    for r in rows:
        item: dict[str, Any] = {"ticket_id": r.ticket_id, "day": local_day(r.at).isoformat(),
                                "counted": int(r.counted)}
        if below is not None:
            item["in_denominator"] = int(r.below)
        item["counts"] = {c: int(getattr(r, c)) for c in COHORTS[r.cohort]}
        items.append(item)
    return {"total": int(totals[0]), "counted": int(totals[1]),
            "denominator": int(totals[2]) if below is not None else 0, "items": items}
