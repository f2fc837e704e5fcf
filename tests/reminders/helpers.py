"""Helpers of the reminder tests: local times, ticket set-up, one sweep-and-work round, inbox reads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any


def at(local: str) -> datetime:
    """An Asia/Shanghai wall-clock time, e.g. at("2026-11-27 04:00")."""
    return datetime.fromisoformat(f"{local}+08:00")


def dispatched(api, department: str = "ecology", **body: Any) -> int:  # type: ignore[no-untyped-def]
    """A new ticket dispatched now; its id."""
    tid = api.create(**body)["id"]
    api.act(tid, "dispatch", "dispatcher", {"department": department})
    return tid


def tick(clock, work, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    """Move to a moment, run the sweep as the scheduler would, then every queued job."""
    from workers import jobs

    clock.to(moment)
    jobs.sweep()
    work()


def inbox(api, user: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every notification the user sees, oldest first."""
    body = api.get("/notifications?per_page=100", user=user).get_json()
    return list(reversed(body["items"]))


def seen(api, user: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(deadline, kind) of each reminder in the user's inbox, oldest first."""
    return [(n["data"]["deadline"], n["data"]["kind"]) for n in inbox(api, user) if "deadline" in n["data"]]


def query(app, sql: str, **params: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    """Rows of a read-only SQL query on the app's database (first column when there is one)."""
    from sqlalchemy import text

    with app.extensions["db"].sessions() as db:
        rows = db.execute(text(sql), params).all()
    return [row[0] if len(row) == 1 else tuple(row) for row in rows]


def run_concurrently(target: Callable[[], Any], times: int) -> list[BaseException]:
    """Start `target` in `times` threads at the same moment; the errors they raised."""
    barrier = threading.Barrier(times)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
