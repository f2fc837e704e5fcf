"""Login throttling: failed logins counted per account and per client address in Redis.

A fixed window per key (INCR, and EXPIRE on the first failure): once either count reaches its limit,
logins for that account or from that address answer 429 with Retry-After until the window ends,
without checking the password. A success clears the account's count (not the address's).
Redis is the shared state, so every web process sees the same counts.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import redis
from flask import current_app

from hotline.errors import ApiError

log = logging.getLogger(__name__)
PREFIX = "hotline:login-failures"


class TooManyAttempts(ApiError):
    """Too many failed logins for this account or from this address."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(f"登录失败次数过多，请 {minutes} 分钟后再试")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginLimits:
    """How many failures per account and per address a window allows."""

    per_account: int
    per_address: int
    window_seconds: int


def limits_from(config: dict) -> LoginLimits:
    """The limits of the app configuration (LOGIN_* settings)."""
    return LoginLimits(per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                       per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                       window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class LoginThrottle:
    """Counts failed logins in Redis and refuses while a limit is reached."""

    def __init__(self, client: redis.Redis, limits: LoginLimits, *, namespace: str) -> None:
        self.client = client
        self.limits = limits
        self.prefix = f"{PREFIX}:{namespace}"

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"{self.prefix}:account:{_digest(username)}", f"{self.prefix}:address:{address}"

    def check(self, *, username: str, address: str) -> None:
        """Raise TooManyAttempts (with the seconds to wait) when the account or the address is blocked."""
        account, addr = self._keys(username, address)
        counts = self.client.mget([account, addr])
        waits = [int(self.client.ttl(key)) for key, count, limit in
                 ((account, counts[0], self.limits.per_account), (addr, counts[1], self.limits.per_address))
                 if count is not None and int(count) >= limit]
        if waits:
            raise TooManyAttempts(max(1, *waits))

    def failed(self, *, username: str, address: str) -> None:
        """Count one failed login against the account and the address."""
        pipe = self.client.pipeline()
        for key in self._keys(username, address):
            pipe.incr(key)
            pipe.expire(key, self.limits.window_seconds, nx=True)
        pipe.execute()

    def succeeded(self, *, username: str) -> None:
        """Forget the account's failures after a successful login."""
        self.client.delete(self._keys(username, "-")[0])


def throttle() -> LoginThrottle:
    """The throttle of the current app (one Redis connection pool per app)."""
    client = current_app.extensions.get("login_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
        current_app.extensions["login_redis"] = client
    # One deployment is one database: its web processes share the counts, another deployment has its own.
    namespace = _digest(current_app.config["DATABASE_URL"])[:12]
    return LoginThrottle(client, limits_from(current_app.config), namespace=namespace)


def guarded_login(username: str, address: str, attempt):  # type: ignore[no-untyped-def]
    """Run `attempt()` (returns a user or None) under the throttle; raises TooManyAttempts when blocked.

    Redis being down must not lock the whole centre out: the check is then skipped and logged."""
    gate = throttle()
    try:
        gate.check(username=username, address=address)
    except redis.RedisError:
        log.exception("login throttle unavailable: login allowed without it")
        return attempt()
    user = attempt()
    try:
        if user is None:
            gate.failed(username=username, address=address)
        else:
            gate.succeeded(username=username)
    except redis.RedisError:
        log.exception("login throttle unavailable: attempt not counted")
    return user
