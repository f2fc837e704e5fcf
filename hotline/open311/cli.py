"""`flask --app hotline apikeys create NAME --channel app|wechat | revoke NAME | list`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hotline.clock import iso, utcnow
from hotline.db import session
from hotline.errors import ApiError
from hotline.open311 import keys

apikeys_group = AppGroup("apikeys", help="Open311 API keys of the city's app and WeChat mini-program.")


@apikeys_group.command("create")
@click.argument("name")
@click.option("--channel", required=True, type=click.Choice(keys.KEY_CHANNELS), help="the channel its tickets get")
def create(name: str, channel: str) -> None:
    """Issue a key; it is printed once and only its hash is stored."""
    db = session()
    try:
        _row, plain = keys.create_key(db, name=name, channel=channel, now=utcnow(), created_by="cli")
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    db.commit()
    click.echo(plain)


@apikeys_group.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke a key: its requests answer 403 from now on."""
    db = session()
    try:
        row = keys.revoke_key(db, name=name, now=utcnow())
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    db.commit()
    click.echo(f"revoked {row.name} ({row.key_prefix}…)")


@apikeys_group.command("list")
def list_() -> None:
    """Name, channel, prefix, created, revoked, last used."""
    for row in keys.list_keys(session()):
        click.echo("\t".join([row.name, row.channel, f"{row.key_prefix}…", iso(row.created_at) or "",
                              iso(row.revoked_at) or "active", iso(row.last_used_at) or "never"]))
