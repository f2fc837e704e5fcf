"""Fixtures for tests with real queues: the app with queues on (its own Redis database, emptied per
test), the jobs' app set, a frozen clock and a burst SimpleWorker (rq's testing pattern)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine

from tests.support.factories import T0

REDIS_DB = 7  # the queue tests' own database on the session's Redis


@pytest.fixture
def qapp(app, redis_url):  # type: ignore[no-untyped-def]
    """The test app with queues enabled on a private, empty Redis database; jobs run in it."""
    from workers.context import set_app
    from workers.queues import connection

    app.config["QUEUES_ENABLED"] = True
    app.config["REDIS_URL"] = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    connection(app.config).flushdb()
    set_app(app)
    yield app
    set_app(None)
    connection(app.config).flushdb()


@pytest.fixture
def conn(qapp):  # type: ignore[no-untyped-def]
    """The Redis client the queues use."""
    from workers.queues import connection

    return connection(qapp.config)


@pytest.fixture
def work(conn) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    """Run every queued job now in this process; returns how many ran."""
    from rq import SimpleWorker

    from workers.queues import QUEUES

    def run() -> int:
        worker = SimpleWorker(list(QUEUES), connection=conn)
        worker.work(burst=True, logging_level="WARNING")
        return worker.successful_job_count + worker.failed_job_count

    return run


class Clock:
    """A frozen clock that tests move by hand."""

    def __init__(self, traveller: Any) -> None:
        self._traveller = traveller

    def to(self, moment: datetime) -> None:
        """Jump to an aware moment."""
        self._traveller.move_to(moment)

    def shift(self, seconds: float) -> None:
        """Move forward."""
        self._traveller.shift(seconds)


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Frozen at T0 (Thursday 2026-11-26 10:00 Asia/Shanghai)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield Clock(traveller)
