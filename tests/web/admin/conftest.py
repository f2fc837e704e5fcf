"""Fixtures with real queues for the import pages: see tests/support/workers.py."""

from tests.support.workers import conn, qapp, work  # noqa: F401
