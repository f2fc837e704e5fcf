"""The Flask app the jobs run in: created once in the worker parent (before forking), reused by every job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

_app: Flask | None = None


def set_app(app: Flask | None) -> None:
    """Use this app for jobs run in this process and its forks (None: forget it)."""
    global _app
    _app = app


def get_app() -> Flask:
    """The jobs' app (created from the environment when no runner set one, e.g. under plain `rq worker`)."""
    global _app
    if _app is None:
        from hotline import create_app

        _app = create_app()
    return _app


@contextmanager
def job_session() -> Iterator[tuple[Flask, Session, Any]]:
    """An app context and its session for one job; the job commits, the context closes the session."""
    from hotline.db import session

    app = get_app()
    with app.app_context():
        yield app, session(), app.config
