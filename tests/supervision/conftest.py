"""Fixtures with real queues for the supervision jobs: see tests/support/workers.py."""

from tests.support.workers import clock, conn, qapp, work  # noqa: F401
