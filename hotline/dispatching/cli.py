"""`flask --app hotline classifier ...`: the demo model, retraining and the corrections export."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from hotline.clock import utcnow
from hotline.db import session


@click.group("classifier")
def classifier_group() -> None:
    """The dispatch model."""


@classifier_group.command("ensure-demo-model")
def ensure_demo_model() -> None:
    """Train and promote a model from the base data when none is promoted yet."""
    from hotline.dispatching.retrain import ensure_model

    click.echo(json.dumps(ensure_model(current_app.config, now=utcnow()), ensure_ascii=False))


@classifier_group.command("retrain")
def retrain_command() -> None:
    """Retrain on the base data plus corrections; promote only when not worse."""
    from hotline.dispatching.retrain import retrain

    outcome = retrain(session(), current_app.config, now=utcnow())
    click.echo(json.dumps(outcome, ensure_ascii=False))


@classifier_group.command("export-corrections")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_corrections(out: Path) -> None:
    """Write approved returns and re-dispatches as a text,label CSV."""
    from hotline.dispatching.corrections import export_csv

    click.echo(f"{export_csv(session(), out)} rows written to {out}")
