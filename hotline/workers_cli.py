"""`flask --app hotline workers run | health | sweep | schedule`. The bodies import `workers` lazily:
the app is the composition root and hotline's domain code never imports workers."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup


@click.group("workers", cls=AppGroup)
def workers_group() -> None:
    """RQ workers, the periodic scheduler and their health."""


@workers_group.command("run")
@click.option("--workers", "count", default=2, show_default=True, help="worker processes on this host")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="also run the periodic scheduler (safe on several hosts)")
@click.option("--burst", is_flag=True, help="work until the queues are empty, then exit (no fork)")
@click.option("--queue", "queues", multiple=True, help="queues to take (default: all, in priority order)")
def run(count: int, scheduler: bool, burst: bool, queues: tuple[str, ...]) -> None:
    """Run workers and the scheduler; jieba and the model are loaded before forking."""
    from workers.queues import QUEUES
    from workers.runner import run as run_workers

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sys.exit(run_workers(app, workers=count, scheduler=scheduler, queues=queues or QUEUES, burst=burst))


@workers_group.command("health")
@click.option("--heartbeat-age", default=120.0, show_default=True, help="seconds a worker may be silent")
@click.option("--queue-age", default=300.0, show_default=True, help="seconds the oldest queued job may wait")
@click.option("--sweep-age", default=300.0, show_default=True, help="seconds since the last reminder sweep")
@click.option("--no-scheduler-check", is_flag=True, help="do not require the periodic scheduler")
def health(heartbeat_age: float, queue_age: float, sweep_age: float, no_scheduler_check: bool) -> None:
    """Print the health report as JSON; exit 0 only when healthy."""
    from workers.health import check
    from workers.queues import connection

    report = check(connection(current_app.config), heartbeat_age=heartbeat_age, queue_age=queue_age,
                   sweep_age=sweep_age, require_scheduler=not no_scheduler_check)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(0 if report["healthy"] else 1)


@workers_group.command("sweep")
@click.option("--deliver", is_flag=True, help="deliver due reminders here, without Redis")
def sweep(deliver: bool) -> None:
    """Run the reminder sweep once now (enqueue, or --deliver in this process)."""
    from workers import jobs
    from workers.context import set_app

    set_app(current_app._get_current_object())  # type: ignore[attr-defined]
    if not deliver:
        click.echo(json.dumps(jobs.sweep()))
        return
    current_app.config["QUEUES_ENABLED"] = False
    counts = jobs.sweep()
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.reminders.service import due_reminders

    outcomes: dict[str, int] = {}
    for rid in due_reminders(session(), now=utcnow()):
        outcome = jobs.deliver_reminder(rid)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    click.echo(json.dumps(counts | {"delivered": outcomes}, ensure_ascii=False))


@workers_group.command("schedule")
def schedule() -> None:
    """Print the periodic schedule in force."""
    from workers.schedule import entries

    for entry in entries(current_app.config):
        when = f"every {entry.interval}s" if entry.interval else f"cron '{entry.cron}' ({current_app.config['TZ']})"
        click.echo(f"{entry.name:18} {when:34} {entry.job}")
