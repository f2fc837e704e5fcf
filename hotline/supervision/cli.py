"""`flask --app hotline rates rebuild`: every ticket's rate facts rewritten from its events."""

from __future__ import annotations

import click

from hotline.db import session
from hotline.deadlines.service import load_calendar, time_limits
from hotline.supervision import live_facts


@click.group("rates")
def rates_group() -> None:
    """The rate facts behind GET /metrics."""


@rates_group.command("rebuild")
def rates_rebuild() -> None:
    """Rewrite every ticket's facts (after upgrading to the rate_facts table, or after a restore)."""
    db = session()
    rows = live_facts.rebuild_all(db, calendar=load_calendar(db), limits=time_limits(), commit=True)
    db.commit()
    click.echo(f"rate facts: {rows} rows")
