"""Command line: `flask --app hotline db upgrade | demo load | users create`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from hotline.clock import utcnow
from hotline.db import session
from hotline.errors import ApiError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at this app's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision`."""
    command.upgrade(alembic_config(url), revision)


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply the migrations (Alembic)."""
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@click.group("demo")
def demo_group() -> None:
    """The demo city."""


@demo_group.command("load")
@click.option("--history", "history_days", type=click.IntRange(0, 400), default=0,
              help="also simulate DAYS of traffic up to now (hotline.demo.history)")
@click.option("--seed", type=int, default=12345, help="random seed of the simulated history")
def demo_load(history_days: int, seed: int) -> None:
    """Load departments and users of the demo city 滨江市 (with --history, DAYS of simulated traffic)."""
    from hotline.demo.load import load_city

    db = session()
    counts = load_city(db, now=utcnow())
    db.commit()
    click.echo(" ".join(f"{k}+{v}" for k, v in counts.items()))
    if history_days:
        from hotline.demo.history import load_from_cli

        load_from_cli(db, days=history_days, seed=seed, now=utcnow(), echo=click.echo)


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, help="operator|dispatcher|department|followup|supervisor|admin")
@click.option("--department", "department_code", default=None, help="department code (department staff)")
def users_create(name: str, role: str, department_code: str | None) -> None:
    """Create a user; the password is read from standard input."""
    from hotline.auth.service import create_user

    password = sys.stdin.readline().rstrip("\n")
    db = session()
    try:
        user = create_user(db, username=name, password=password, role=role, now=utcnow(),
                           department_code=department_code)
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    db.commit()
    click.echo(f"created user {user.username} ({user.role})")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    from hotline.dispatching.cli import classifier_group
    from hotline.knowledge.cli import kb_group
    from hotline.open311.cli import apikeys_group
    from hotline.supervision.cli import rates_group
    from hotline.workers_cli import workers_group

    for group in (db_group, demo_group, users_group, classifier_group, kb_group, workers_group, apikeys_group,
                  rates_group):
        app.cli.add_command(group)
