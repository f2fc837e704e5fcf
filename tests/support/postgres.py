"""A scratch PostgreSQL database for the tests that need row locks (skipped when none answers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@contextmanager
def postgres_app(redis_url: str, **config: Any) -> Iterator[Flask]:
    """An app on a new database migrated with Alembic and loaded with the demo city; dropped afterwards."""
    try:
        admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
        name = f"hotline_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL answers at 127.0.0.1:5432 ({exc.__class__.__name__})")
    from hotline import create_app
    from hotline.cli import upgrade_database
    from hotline.db import session
    from hotline.demo.load import load_city
    from tests.support.factories import T0

    url = f"{SERVER}/{name}"
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "QUEUES_ENABLED": False, "TESTING": True,
                      **config})
    with app.app_context():
        load_city(session(), now=T0)
        session().commit()
    try:
        yield app
    finally:
        app.extensions["db"].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
