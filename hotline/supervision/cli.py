"""`flask --app hotline rates rebuild | compact | hotspots`: the rate facts (and their daily roll-up) and
hotspot clusters of existing tickets."""

from __future__ import annotations

from datetime import timedelta

import click

from hotline.clock import utcnow
from hotline.db import session
from hotline.deadlines.service import load_calendar, year_limits
from hotline.supervision import hotspot_clusters, live_facts, rollup


@click.group("rates")
def rates_group() -> None:
    """The rate facts behind GET /metrics."""


@rates_group.command("rebuild")
def rates_rebuild() -> None:
    """Rewrite every ticket's facts (after upgrading to the rate_facts table, or after a restore)."""
    db = session()
    rows = live_facts.rebuild_all(db, calendar=load_calendar(db), limits=year_limits(db), commit=True)
    days = rollup.rebuild(db)  # recomputed from the facts, whatever state the roll-up was in
    db.commit()
    click.echo(f"rate facts: {rows} rows; daily roll-up: {days} rows")


@rates_group.command("compact")
def rates_compact() -> None:
    """Merge the daily roll-up's rows (the hourly job does it too)."""
    db = session()
    merged = rollup.compact(db)
    db.commit()
    click.echo(f"daily roll-up: {merged} rows merged")


@rates_group.command("hotspots")
@click.option("--days", default=90, show_default=True, help="place the tickets received in these last days")
def hotspots_rebuild(days: int) -> None:
    """Place the recent tickets that have no hotspot cluster yet (after upgrading to hotspot_members)."""
    db = session()
    placed = hotspot_clusters.rebuild(db, since=utcnow() - timedelta(days=days),
                                      similarity=hotspot_clusters.similarity_setting(), commit=True)
    db.commit()
    click.echo(f"hotspots: {placed} tickets placed, {hotspot_clusters.members_count(db)} in clusters")
