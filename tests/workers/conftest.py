"""Fixtures with real queues: see tests/support/workers.py."""

from tests.support.workers import clock, conn, qapp, work  # noqa: F401
