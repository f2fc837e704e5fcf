"""Shared fixtures: a real Redis, a migrated database per test, the app, clients, users and factories."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.model import promote, small_model_dir  # noqa: F401  (fixtures for every test)
from tests.support.redis_server import RedisServer

# Matching by meaning embeds every searched text (~0.25 s CPU for a message): off for the suite, whose
# intake tests search on every ticket; tests/knowledge/test_semantic.py turns it on where it is tested.
os.environ.setdefault("KB_SEMANTIC_SEARCH", "0")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: REDIS_URL when the Makefile started one, else a private server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = RedisServer().start()
    yield server.url
    server.stop()
    server.wipe()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every table and the demo city, copied for each test (migrations: test_migrations)."""
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    _build_demo_database(f"sqlite:///{path}")
    return path


def _build_demo_database(url: str) -> None:
    from hotline import create_app
    from hotline.db import Base, session
    from hotline.demo.load import load_city
    from tests.support.factories import T0

    app = create_app({"DATABASE_URL": url, "QUEUES_ENABLED": False})
    Base.metadata.create_all(app.extensions["db"].engine)
    with app.app_context():
        db = session()
        load_city(db, now=T0)
        db.commit()
    app.extensions["db"].dispose()


@pytest.fixture(scope="session")
def suite_postgres() -> Iterator[Any]:
    """`make test-postgres`: one throw-away database on TEST_DATABASE_URL's server for the whole session,
    with the demo city as a snapshot put back before each test; None on the SQLite default."""
    from tests.support.pgsuite import ScratchDatabase, Snapshot, server_url

    server = server_url()
    if server is None:
        yield None
        return
    from hotline.db import Base, make_engine

    scratch = ScratchDatabase(server).create()
    try:
        _build_demo_database(scratch.url)
        engine = make_engine(scratch.url)
        snapshot = Snapshot.take(engine, Base.metadata)
        yield scratch, engine, snapshot
        engine.dispose()
    finally:
        scratch.drop()


@pytest.fixture
def database_url(suite_postgres: Any, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database holding the demo city and nothing else, for this test alone."""
    if suite_postgres is None:
        path = tmp_path / "hotline.db"
        shutil.copy(request.getfixturevalue("template_db"), path)
        return f"sqlite:///{path}"
    from hotline.db import Base

    scratch, engine, snapshot = suite_postgres
    snapshot.restore(engine, Base.metadata)
    # Throttles and limits are namespaced by the database URL, which every test shares here: start clean.
    redis.Redis.from_url(request.getfixturevalue("redis_url")).flushdb()
    return scratch.url


@pytest.fixture
def app(database_url: str, tmp_path: Path, redis_url: str):  # type: ignore[no-untyped-def]
    """An app on a fresh copy of the demo-city database (SQLite file, or the restored PostgreSQL one)."""
    from hotline import create_app

    application = create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "TESTING": True,
                              "QUEUES_ENABLED": False, "HOTLINE_MODEL_DIR": str(tmp_path / "models")})
    yield application
    application.extensions["db"].dispose()


@pytest.fixture
def api(app):  # type: ignore[no-untyped-def]
    """A JSON client that logs in as demo users by name."""
    from tests.support.api import ApiClient

    return ApiClient(app)


@pytest.fixture
def db(app):  # type: ignore[no-untyped-def]
    """A session inside an app context (committed by the test when it needs to)."""
    from hotline.db import session

    with app.app_context():
        yield session()


@pytest.fixture
def pg_app(redis_url: str):  # type: ignore[no-untyped-def]
    """An app on a scratch PostgreSQL database (migrated, demo city); skipped when none answers."""
    from tests.support.postgres import postgres_app

    with postgres_app(redis_url) as application:
        yield application
