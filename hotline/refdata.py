"""Small reference tables (calendar days, districts, dispatch catalogue, departments, the knowledge index's
version token, the auto-dispatch monitor's decision, a year's time limits) and the signed-in users of live
tokens, kept by each app.

Intake read each of these tables on every request. Now an app keeps what it loaded, tagged with a
generation read from Redis once per request (one GET instead of a statement per table); every commit
that changed a tracked table (an ORM flush, or INSERT/UPDATE/DELETE through a session) increments the
generation after the commit, so every web process reloads on its next request. An entry also expires
after REFDATA_MAX_AGE seconds, for changes made outside the app (psql, migrations), and while Redis
cannot be reached nothing is cached: every read goes to the database as before.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from itertools import chain
from typing import Any, TypeVar

import redis
from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

log = logging.getLogger(__name__)
T = TypeVar("T")
# Tables whose committed changes invalidate the caches (names, so that no domain is imported here).
TRACKED = frozenset({"calendar_days", "districts", "dispatch_rules", "departments", "kb_articles",
                     "dispatch_monitor_events", "year_settings"})
# A changed or deleted row of these (a token revoked, a user disabled, moved or given another role) must
# reach every process at once too; a new one needs not, since no process can have kept it.
UPDATE_TRACKED = frozenset({"api_tokens", "users"})
MAX_ENTRIES = 4096  # kept sign-ins are one entry each: past this, start again rather than grow
CHANGED = "refdata_changed"  # session.info flag: a tracked table was written in this transaction
RETRY_SECONDS = 5.0  # after a Redis failure, go without the cache this long before asking again


class RefCache:
    """One app's cached reference data and the Redis generation it was loaded under."""

    def __init__(self, app: Flask) -> None:
        self.client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1)
        # One deployment is one database: its processes share the counter, another deployment has its own.
        self.key = "hotline:refdata:" + hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:12]
        self.max_age = float(app.config["REFDATA_MAX_AGE"])
        self.entries: dict[str, tuple[int, float, Any]] = {}
        self.lock = threading.Lock()
        self.down_until = 0.0

    def generation(self) -> int | None:
        """The current generation, or None when Redis does not answer (then nothing is cached)."""
        if time.monotonic() < self.down_until:
            return None
        try:
            return int(self.client.get(self.key) or 0)
        except (redis.RedisError, ValueError):
            log.warning("reference-data cache: Redis unavailable, reading the database on every request")
            self.down_until = time.monotonic() + RETRY_SECONDS
            return None

    def bump(self) -> None:
        """Forget this app's entries and tell every other process to forget theirs."""
        with self.lock:
            self.entries.clear()
        try:
            self.client.incr(self.key)
        except redis.RedisError:
            log.exception("reference-data cache: generation not bumped; other processes may keep old data "
                          "for up to REFDATA_MAX_AGE seconds")


def _cache(app: Flask) -> RefCache:
    cache = app.extensions.get("refdata")
    if cache is None:
        cache = app.extensions["refdata"] = RefCache(app)
    return cache


def cached(session: Session, name: str, load: Callable[[], T], *, keep: Callable[[T], bool] | None = None) -> T:
    """The value `load()` gives, reused while no tracked table changed (outside an app: always loaded).

    A session that has written a tracked table in its open transaction reads its own changes (no cache).
    The value must not hold ORM instances (it outlives the session that loaded it); `keep` says which
    values may be kept (the others are loaded again each time)."""
    if not has_app_context() or not current_app.config.get("REFDATA_CACHE", True) or _writing(session):
        return load()
    cache = _cache(current_app)
    if "refdata_generation" not in g:
        g.refdata_generation = cache.generation()
    generation = g.refdata_generation
    if generation is None:
        return load()
    now = time.monotonic()
    hit = cache.entries.get(name)
    if hit is not None and hit[0] == generation and now - hit[1] < cache.max_age:
        return hit[2]
    value = load()
    if keep is None or keep(value):
        with cache.lock:
            if len(cache.entries) >= MAX_ENTRIES:
                cache.entries.clear()
            cache.entries[name] = (generation, now, value)
    return value


def _tracked(obj: object, tables: frozenset[str]) -> bool:
    table = getattr(obj, "__table__", None)
    return table is not None and table.name in tables


def _changes(session: Session) -> bool:
    """Whether the session's pending or just-flushed objects touch a tracked table."""
    return (any(_tracked(o, TRACKED) for o in session.new)
            or any(_tracked(o, TRACKED | UPDATE_TRACKED) for o in chain(session.dirty, session.deleted)))


def _writing(session: Session) -> bool:
    """Whether the session changed a tracked table in its open transaction (flushed or not yet)."""
    return bool(session.info.get(CHANGED)) or _changes(session)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: UOWTransaction) -> None:
    if _changes(session):
        session.info[CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name in TRACKED or (name in UPDATE_TRACKED and not state.is_insert):
            state.session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # Savepoint releases fire this too; only the outermost commit makes the change visible. The flag is
    # never cleared by a rollback (a savepoint's rollback leaves earlier changes in place): at worst a
    # rolled-back change costs one needless reload.
    if session.in_nested_transaction() or not session.info.pop(CHANGED, False):
        return
    if has_app_context():
        g.pop("refdata_generation", None)
        if current_app.config.get("REFDATA_CACHE", True):
            _cache(current_app).bump()
