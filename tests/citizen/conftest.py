"""Fixtures of the citizen-channel tests: visitors of /public/ and a look into what was stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.citizen import Citizen


@pytest.fixture
def citizen(app) -> Citizen:  # type: ignore[no-untyped-def]
    """A visitor from one address (CSRF checked, as in production)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return Citizen(app)


@pytest.fixture
def visitor(app) -> Callable[..., Citizen]:  # type: ignore[no-untyped-def]
    """More visitors, each from its own address."""
    app.config["WTF_CSRF_ENABLED"] = True
    return lambda address, **kwargs: Citizen(app, address, **kwargs)


@pytest.fixture
def stored(app) -> Callable[[Callable[[Any], Any]], Any]:  # type: ignore[no-untyped-def]
    """Run a read in a fresh session: stored(lambda db: db.scalar(...))."""
    from hotline.db import session

    def read(query: Callable[[Any], Any]) -> Any:
        with app.app_context():
            return query(session())

    return read
