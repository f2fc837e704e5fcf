"""Abuse control of the citizen channels without a third-party service: rate limits kept in Redis
(the ``limits`` library, moving windows), and the signed fill-time token of the public forms.

Limits are named (``CITIZEN_LIMITS``: name → "5/hour;20/day") and counted per identifier (a client
address, a phone number, a ticket number, an API key). Keys are namespaced by the database the app
uses, so apps (and tests) sharing one Redis never count each other's traffic. When Redis cannot be
reached the limits are not enforced (logged): a citizen's request must not be lost to an outage.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

DEFAULT_LIMITS: dict[str, str] = {
    "submit_address": "5/hour;20/day",  # online requests per client address
    "submit_phone": "3/hour;6/day",  # online requests per phone number
    "track_fail_address": "10/15minutes;30/day",  # failed progress look-ups per client address
    "track_fail_number": "5/hour;20/day",  # failed look-ups per ticket number (existing or not)
    "rate_address": "20/hour",  # ratings per client address
    "open311_key": "60/minute;2000/day",  # Open311 POSTs per API key
}


@dataclass(frozen=True)
class Refusal:
    """A limit that is used up: which one, and how long until it allows again."""

    name: str
    retry_after: int

    def minutes(self) -> int:
        """The wait in whole minutes (at least one), for the Chinese message."""
        return max(1, math.ceil(self.retry_after / 60))


def _limiter() -> MovingWindowRateLimiter:
    app = current_app
    limiter = app.extensions.get("citizen_limiter")
    if limiter is None:
        namespace = hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:12]
        storage = RedisStorage(app.config["REDIS_URL"], key_prefix=f"hotline-limits:{namespace}",
                               socket_connect_timeout=2, socket_timeout=2)
        limiter = app.extensions["citizen_limiter"] = MovingWindowRateLimiter(storage)
    return limiter


def _items(name: str) -> list[RateLimitItem]:
    spec = {**DEFAULT_LIMITS, **(current_app.config.get("CITIZEN_LIMITS") or {})}[name]
    return parse_many(spec)


def _ident(value: str) -> str:
    # Phone numbers and keys are not written to Redis as they are.
    return hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{value}".encode()).hexdigest()[:32]


def refused(name: str, ident: str) -> Refusal | None:
    """The refusal when limit ``name`` is used up for ``ident`` (nothing is counted)."""
    try:
        limiter = _limiter()
        for item in _items(name):
            if not limiter.test(item, name, _ident(ident)):
                reset, _remaining = limiter.get_window_stats(item, name, _ident(ident))
                return Refusal(name, max(1, math.ceil(reset - _epoch())))
    except Exception as exc:  # Redis down: let the citizen through
        log.error("rate limit %s not checked: %s", name, exc)
    return None


def count(name: str, ident: str) -> None:
    """Count one use of limit ``name`` for ``ident``."""
    try:
        limiter = _limiter()
        for item in _items(name):
            limiter.hit(item, name, _ident(ident))
    except Exception as exc:
        log.error("rate limit %s not counted: %s", name, exc)


def first_refusal(checks: list[tuple[str, str]]) -> Refusal | None:
    """The first used-up limit among (name, ident) pairs, or None."""
    for name, ident in checks:
        refusal = refused(name, ident)
        if refusal is not None:
            return refusal
    return None


def _epoch() -> float:
    import time

    return time.time()


# --- the fill-time token of the public forms ----------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="citizen-form-issued")


def form_token(now: datetime) -> str:
    """A signed token carrying when the form was handed out."""
    return _serializer().dumps({"t": round(now.timestamp(), 3)})


def form_age(token: str | None, now: datetime) -> float | None:
    """Seconds since the form was handed out, or None for a missing or forged token."""
    if not token:
        return None
    try:
        data: Any = _serializer().loads(token)
    except BadSignature:
        return None
    issued = data.get("t") if isinstance(data, dict) else None
    if not isinstance(issued, int | float):
        return None
    return now.timestamp() - float(issued)
