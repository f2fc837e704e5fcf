"""The hot queries of issue 13's second half use indexes at a realistic row count on PostgreSQL: the
rates of a month (rate facts by time), the drill-down (by department and time), the window's hotspots
(cluster members by time) and a ticket's placement (leading words by district and time). 600,000 facts
and 200,000 cluster members appended in time order, as the moves and intake write them. The 365-day
rates read the daily roll-up of the ended days and today's facts (bench/scale.py times them). Skipped when no PostgreSQL answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests.support.explain import analyze, bulk_tickets, generic_plan, plan, scans, seq_scanned

FACTS, MEMBERS = 600_000, 200_000
CODES = "ARRAY['housing','ecology','transport','education','urban','market','water','fund','power','gas']"


@pytest.fixture(scope="module")
def big(redis_url):  # type: ignore[no-untyped-def]
    """A scratch PostgreSQL database with bulk tickets, rate facts and hotspot clusters (built once)."""
    from tests.support.postgres import postgres_app

    with postgres_app(redis_url) as app:
        with app.extensions["db"].engine.begin() as conn:
            bulk_tickets(conn, MEMBERS)
            conn.execute(text(f"""
                INSERT INTO rate_facts (ticket_id, cohort, at, department, district, kind, channel, dispatched,
                                        due, overdue)
                SELECT 1 + g % {MEMBERS}, (ARRAY['received','dispatched','due','valid_follow_ups'])[1 + g % 4], at,
                       ({CODES})[1 + g % 10], '东湖区', 'complaint', 'phone', (g % 4 = 1)::int, (g % 4 = 2)::int,
                       (g % 8 = 2)::int
                FROM (SELECT g, now() - (365 * interval '1 day') * (1 - g::float / {FACTS}) AS at
                      FROM generate_series(1, {FACTS}) AS g) AS s ORDER BY at"""))
            # the daily roll-up of those facts, as the migration and rollup.fill compute it
            conn.execute(text("""
                INSERT INTO rate_days (day, group_by, group_key, facts, dispatched, due, overdue)
                SELECT (at AT TIME ZONE 'Asia/Shanghai')::date, g, CASE g WHEN 'department' THEN department
                           WHEN 'district' THEN district WHEN 'kind' THEN kind ELSE channel END,
                       count(*), sum(dispatched), sum(due), sum(overdue)
                FROM rate_facts, unnest(ARRAY['department','district','kind','channel']) AS g
                GROUP BY 1, 2, 3"""))
            conn.execute(text("""
                INSERT INTO hotspot_members (ticket_id, cluster_id, district, received_at, terms, places)
                SELECT id, id - id % 7, district, received_at, '{}', '{}' FROM tickets
                WHERE received_at > now() - interval '90 days' ORDER BY received_at"""))
            conn.execute(text("""
                INSERT INTO hotspot_terms (ticket_id, term, district, received_at)
                SELECT id, '词' || (id % 500 + k), district, received_at FROM tickets, generate_series(1, 5) AS k
                WHERE received_at > now() - interval '30 days'"""))
            analyze(conn)
        yield app


@pytest.mark.postgres
def test_month_rates_and_drill_down_read_rate_facts_by_index(big):
    from hotline.clock import local, utcnow
    from hotline.supervision import fact_queries, periods
    from hotline.supervision.models import rate_facts

    now = utcnow()
    month = periods.parse(None, None, today=local(now).date(), default_days=30)
    f = rate_facts.c
    sums = fact_queries.raw_sums_query(period=month, now=now, group_by="department")  # what raw_sums runs
    where = fact_queries.drill_where(period=month, now=now, numerator=("overdue",), denominator=("due",),
                                     group_by="department", group="ecology")
    drill = select(f.ticket_id).where(*where).order_by(f.at, f.id).limit(50)  # as fact_queries.drill pages
    totals = select(func.count()).select_from(rate_facts).where(*where)
    with big.extensions["db"].engine.connect() as conn:
        trees = {"sums": plan(conn, sums), "drill": plan(conn, drill), "totals": plan(conn, totals)}
    assert "ix_rate_facts_at" in {i for _k, _r, i in scans(trees["sums"])}, scans(trees["sums"])
    for name in ("drill", "totals"):  # the planner picks the time index or the department's, both ranges
        assert {i for _k, _r, i in scans(trees[name])} & {"ix_rate_facts_at", "ix_rate_facts_department_at"}
    for name, tree in trees.items():
        assert "rate_facts" not in seq_scanned(tree), (name, scans(tree))


@pytest.mark.postgres
def test_a_years_rates_read_the_daily_roll_up_and_only_todays_facts(big):
    """The 365-day rates: the roll-up of the ended days (a few rows a day; a month of them by its (grouping,
    day) index) and the facts of today by their time index; the facts table is never read whole."""
    from hotline.clock import local, utcnow
    from hotline.supervision import fact_queries, periods, rollup
    from hotline.supervision.models import rate_days

    now = utcnow()
    today = local(now).date()

    def ended(days: int):  # type: ignore[no-untyped-def]
        first, last = rollup.ended_days(periods.parse(None, None, today=today, default_days=days), today=today)
        return rollup.sums_query(first=first, last=last, group_by="department")  # the statement rollup.sums runs

    rest = fact_queries.raw_sums_query(period=periods.day(today), now=now, group_by="department")
    with big.extensions["db"].engine.connect() as conn:
        trees = {"year": plan(conn, ended(365)), "month": plan(conn, ended(30)), "today": plan(conn, rest)}
        rows = conn.scalar(select(func.count()).select_from(rate_days))
    assert rows < FACTS // 20  # the point of it: a year is a few rows a day, not every fact
    assert {t for _k, t, _i in scans(trees["year"])} == {"rate_days"}  # small: read whole when most is asked
    assert "ix_rate_days_group_by_day" in {i for _k, _r, i in scans(trees["month"])}, scans(trees["month"])
    assert "ix_rate_facts_at" in {i for _k, _r, i in scans(trees["today"])}, scans(trees["today"])
    assert "rate_facts" not in seq_scanned(trees["today"]), scans(trees["today"])


@pytest.mark.postgres
def test_hotspot_window_and_placement_use_indexes(big):
    from hotline.clock import utcnow
    from hotline.supervision import hotspot_clusters
    from hotline.supervision.models import HotspotMember
    from hotline.tickets.models import Ticket

    now = utcnow()
    m = HotspotMember
    window = (select(m.cluster_id).where(m.received_at >= now - timedelta(days=7), m.received_at <= now,
                                         m.counted.is_(True))
              .group_by(m.cluster_id).having(func.count() >= 3))  # as hotspot_clusters.find
    considered = select(func.count()).select_from(Ticket).where(
        Ticket.received_at >= now - timedelta(days=7), Ticket.received_at <= now, Ticket.invalid.is_(False))
    probe = Ticket(id=0, district="西山区", address="批量路1234号", received_at=now)
    placement = hotspot_clusters.placement_query(address=True, district=True).params(  # the statement intake runs
        hotspot_clusters.placement_params(probe, ["词1", "词2", "词3"]))
    merged = hotspot_clusters.merged_counts_query(list(range(1, 400)))  # the statement find runs
    with big.extensions["db"].engine.connect() as conn:
        trees = {"window": plan(conn, window), "placement": plan(conn, placement),
                 "placement_generic": generic_plan(conn, placement),
                 "considered": plan(conn, considered), "merged": plan(conn, merged)}
    assert "ix_hotspot_members_received_cluster" in {i for _k, _r, i in scans(trees["window"])}, \
        scans(trees["window"])
    for name in ("placement", "placement_generic"):  # for its values, and planned blind once prepared
        used = {i for _k, _r, i in scans(trees[name])}
        assert {"ix_hotspot_terms_lookup", "ix_tickets_address_received", "pk_hotspot_members"} <= used, \
            scans(trees[name])
    assert "ix_tickets_merged_into" in {i for _k, _r, i in scans(trees["merged"])}, scans(trees["merged"])
    for name, tree in trees.items():
        assert not seq_scanned(tree) & {"hotspot_members", "hotspot_terms", "tickets"}, (name, scans(tree))
