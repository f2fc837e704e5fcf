"""Daily roll-ups of the rate facts (rate_days), kept in the same transaction as the facts.

Every write of facts (live_facts.refresh, intake, the bulk generator) appends the difference it makes to
each (local day, grouping, group) it touches; `compact` merges those rows. A day that has ended is then
complete in the roll-up (its deadlines have all passed, so "due only once passed" needs no `now`), and a
period's sums are the roll-up of its ended days plus the raw facts from today's local midnight on
(fact_queries.sums): exactly the facts' GROUP BY, at ~100 rows a day instead of every fact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, String, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from hotline.supervision.counts import COUNTS
from hotline.supervision.models import rate_days, rate_facts
from hotline.supervision.periods import Period, local_day

GROUP_COLUMNS = ("department", "district", "kind", "channel")  # every fact is in one group of each
FACT_COLUMNS = ("at", *GROUP_COLUMNS, *COUNTS)  # what a difference is computed from
ANY_GROUPING = "kind"  # a grouping every fact has a non-null key in: the ungrouped sum reads its rows
R = rate_days.c

Key = tuple[date, str, str | None]


def differences(*, removed: Iterable[Mapping[str, Any]] = (),
                added: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The roll-up rows that turn the sums with `removed` facts into the sums with `added` ones (rows that
    change nothing left out)."""
    acc: dict[Key, Counter[str]] = {}
    for sign, facts in ((-1, removed), (1, added)):
        for fact in facts:
            day = local_day(fact["at"])
            for group_by in GROUP_COLUMNS:
                counts = acc.setdefault((day, group_by, fact[group_by]), Counter())
                counts["facts"] += sign
                for name in COUNTS:
                    if fact[name]:
                        counts[name] += sign * fact[name]
    return [_row(key, counts) for key, counts in acc.items() if any(counts.values())]


def _row(key: Key, counts: Mapping[str, int]) -> dict[str, Any]:
    day, group_by, group_key = key
    return {"day": day, "group_by": group_by, "group_key": group_key, "facts": counts.get("facts", 0),
            **{name: counts.get(name, 0) for name in COUNTS}}


def sums(session: Session, *, first: date, last: date, group_by: str | None) -> dict[str | None, Counter[str]]:
    """Every count summed per group over the local days first..last (ended days: the roll-up is complete)."""
    query = sums_query(first=first, last=last, group_by=group_by)
    if group_by is None:
        row = session.execute(query).one()
        return {None: _counts(row)} if row.facts else {}
    return {r.group_key: _counts(r) for r in session.execute(query)}


def sums_query(*, first: date, last: date, group_by: str | None) -> Select[Any]:
    """The statement `sums` runs (the explain tests plan this very statement)."""
    columns = [func.coalesce(func.sum(R[c]), 0).label(c) for c in ("facts", *COUNTS)]
    where = (R.group_by == (group_by or ANY_GROUPING), R.day >= first, R.day <= last)
    if group_by is None:
        return select(*columns).where(*where)
    return select(R.group_key, *columns).where(*where).group_by(R.group_key).having(func.sum(R.facts) > 0)


def _counts(row: Any) -> Counter[str]:
    return Counter({c: int(getattr(row, c)) for c in COUNTS})


def compact(session: Session) -> int:
    """Merge every day-group's rows into one (the hourly job); flush only. Returns the rows removed.

    One DELETE ... RETURNING takes the rows of every day that has more than one row for a group and the
    merged rows are inserted back: the rows merged are exactly the rows deleted, whatever moves commit
    meanwhile, and readers see the day's old rows until the commit, then the merged ones."""
    crowded = (select(R.day).group_by(R.day, R.group_by, R.group_key).having(func.count() > 1)).scalar_subquery()
    gone = session.execute(delete(rate_days).where(R.day.in_(crowded))
                           .returning(R.day, R.group_by, R.group_key, R.facts, *(R[c] for c in COUNTS))).all()
    merged: dict[Key, Counter[str]] = {}
    for row in gone:
        counts = merged.setdefault((row.day, row.group_by, row.group_key), Counter())
        counts.update({c: getattr(row, c) for c in ("facts", *COUNTS)})
    rows = [_row(key, counts) for key, counts in merged.items() if any(counts.values())]
    if rows:
        session.execute(insert(rate_days), rows)
    return len(gone)


def rebuild(session: Session) -> int:
    """Recompute the whole roll-up from the facts table in SQL (after `rates rebuild` or a bulk load)."""
    session.execute(delete(rate_days))
    return fill(session)


def fill(session: Session) -> int:
    """Insert the roll-up of every fact (the table empty): one GROUP BY per grouping. Returns rows."""
    f = rate_facts.c
    day = _day_expression(session, f.at)
    rows = 0
    for group_by in GROUP_COLUMNS:
        query = (select(day, literal(group_by, String), f[group_by], func.count(),
                        *(func.coalesce(func.sum(f[c]), 0) for c in COUNTS))
                 .group_by(day, f[group_by]))
        result = session.execute(insert(rate_days).from_select(
            ["day", "group_by", "group_key", "facts", *COUNTS], query))
        rows += result.rowcount or 0
    return rows


def _day_expression(session: Session, at: Any) -> Any:
    """The Asia/Shanghai day of a stored instant in SQL (UTC+8 without daylight saving since 1991)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", at))
    return func.date(at, "+8 hours")


def ended_days(period: Period, *, today: date) -> tuple[date, date] | None:
    """The days of a period that ended before `today` (first, last), or None."""
    last = min(period.last, today - timedelta(days=1))
    return (period.first, last) if period.first <= last else None
