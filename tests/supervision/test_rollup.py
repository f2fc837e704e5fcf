"""The daily roll-up (rate_days) kept by every move equals the facts summed per day, before and after
compaction, and the rates read through it equal the one-pass Python engine on a simulated history."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from hotline.supervision import fact_queries, rates, rollup
from hotline.supervision.counts import COUNTS
from hotline.supervision.models import rate_days
from tests.supervision.test_fact_table import NOWS, PERIODS, TODAY, history  # noqa: F401 (fixture)
from tests.support.factories import T0


def _by_key(db) -> dict:  # type: ignore[no-untyped-def]
    """The roll-up summed per (day, grouping, group), rows that sum to nothing left out."""
    out: dict = {}
    for r in db.execute(select(rate_days)).mappings():
        out.setdefault((r["day"], r["group_by"], r["group_key"]), Counter()).update(
            {c: r[c] for c in ("facts", *COUNTS)})
    return {k: +v for k, v in out.items() if +v}


def test_roll_up_kept_by_the_moves_equals_one_computed_from_the_facts(history):  # noqa: F811
    from hotline.db import session

    with history.app_context():
        db = session()
        kept = _by_key(db)
        rows_before = db.scalar(select(func.count()).select_from(rate_days))
        merged = rollup.compact(db)
        rows_after = db.scalar(select(func.count()).select_from(rate_days))
        compacted = _by_key(db)
        rollup.rebuild(db)
        recomputed = _by_key(db)
    assert len(kept) > 100 and kept == compacted == recomputed
    # the moves appended differences; compaction leaves one row per day and group
    assert merged > 0 and rows_before > rows_after
    assert rows_after == len({k for k in compacted})


def test_rates_through_the_roll_up_equal_the_python_engine_before_and_after_compaction(history):  # noqa: F811
    from hotline.db import session

    with history.app_context():
        db = session()
        for compacted in (False, True):
            if compacted:
                rollup.compact(db)
            for period in PERIODS:
                for now in NOWS:
                    for group_by in rates.GROUPS:
                        live = rates.metrics(db, period=period, group_by=group_by, now=now)
                        reference = rates.metrics_from_events(db, period=period, group_by=group_by, now=now)
                        assert live == reference, (compacted, period, now, group_by)


def test_ended_days_are_read_from_the_roll_up(history):  # noqa: F811
    """The roll-up path is the one taken: a day's figures come from rate_days, not from the facts."""
    from hotline.db import session

    day = TODAY - timedelta(days=4)
    with history.app_context():
        db = session()
        period = PERIODS[2]
        assert period.first == period.last == day
        before = fact_queries.sums(db, period=period, now=T0, group_by="department")
        assert before == fact_queries.raw_sums(db, period=period, now=T0, group_by="department")
        # a marker row added to the roll-up only shows in the figures of that ended day
        db.execute(rate_days.insert(), rollup.differences(added=[{
            "at": period.start, "department": "marker", "district": None, "kind": "complaint", "channel": "phone",
            **dict.fromkeys(COUNTS, 0), "received": 1}]))
        after = fact_queries.sums(db, period=period, now=T0, group_by="department")
        db.rollback()
    assert after["marker"]["received"] == 1 and "marker" not in before
    assert {k: v for k, v in after.items() if k != "marker"} == before


def test_differences_of_unchanged_facts_are_nothing():
    fact = {"at": T0, "department": "ecology", "district": "东湖区", "kind": "complaint", "channel": "phone",
            **dict.fromkeys(COUNTS, 0), "dispatched": 1, "responded": 1}
    assert rollup.differences(removed=[fact], added=[dict(fact)]) == []
    moved = rollup.differences(removed=[fact], added=[{**fact, "responded": 0}])
    assert len(moved) == 4 and all(r["responded"] == -1 and r["facts"] == 0 for r in moved)
