"""Where an intake request's CPU goes: the real POST /api/v1/tickets in this process, stages timed.

Thread-CPU timers are wrapped around the functions of each stage; they are exclusive (a stage nested
in another, such as a SELECT inside the duplicate check, is counted once, as its own), so the stages
and `other` (Flask, validation, the ticket's own rows, serialisation) add up to the request's CPU. CPU time,
unlike wall time, stays meaningful while other work shares the cores. Used by bench/intake.py.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

# (module, attribute, stage): the functions of each stage, wherever the intake path looks them up.
# Entries whose module or attribute does not exist (older or newer code) are skipped.
PATCHES = [
    ("classifier.tokenizer", "tokens", "tokenise"),
    ("knowledge_base.search", "tokenize", "tokenise"),
    ("knowledge_base.search", "char_bigrams", "tokenise"),
    ("hotline.dispatching.suggest", "suggest", "classify"),
    ("hotline.dispatching.decide", "suggest", "classify"),
    ("hotline.casework.intake", "search_published", "knowledge"),
    ("hotline.casework.intake", "search_tokens", "knowledge"),
    ("hotline.casework.intake", "at_intake", "duplicates"),
    ("hotline.casework.intake", "remember", "duplicates"),
    ("hotline.casework.text", "text_signature", "duplicates"),
    ("hotline.casework.intake", "find_duplicates", "duplicates"),
    ("hotline.supervision.hotspot_clusters", "_placement", "hotspots"),
    ("hotline.supervision.hotspot_clusters", "store", "hotspots"),
    ("hotline.supervision.live_facts", "_write_received", "facts"),
    ("hotline.supervision.live_facts", "_rewrite_in_hand", "facts"),
    ("hotline.supervision.live_facts", "refresh", "facts"),
    ("hotline.supervision.live_facts", "write_pending", "facts"),  # a received ticket's facts, at the commit
    ("hotline.casework.intake", "_auto_dispatch", "dispatch"),
    ("hotline.auth.web", "user_for_token", "auth"),
    ("sqlalchemy.orm.session.Session", "flush", "database"),
    ("sqlalchemy.orm.session.Session", "commit", "database"),
]
STAGES = ("tokenise", "classify", "knowledge", "duplicates", "hotspots", "facts", "dispatch", "auth", "database",
          "other")


class Stages:
    """Exclusive thread-CPU accounting by a stack of stage names."""

    def __init__(self) -> None:
        self.stack = ["other"]
        self.totals: dict[str, float] = defaultdict(float)
        self.mark = time.thread_time()
        self.queries = 0
        self.statements: list[str] = []

    def enter(self, name: str) -> None:
        now = time.thread_time()
        self.totals[self.stack[-1]] += now - self.mark
        self.stack.append(name)
        self.mark = now

    def exit(self) -> None:
        now = time.thread_time()
        self.totals[self.stack.pop()] += now - self.mark
        self.mark = now

    def wrap(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(name)
            try:
                return fn(*args, **kwargs)
            finally:
                self.exit()

        return timed

    def reset(self) -> None:
        self.totals.clear()
        self.queries = 0
        self.statements = []
        self.stack = ["other"]
        self.mark = time.thread_time()


def _owner(path: str) -> Any | None:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def install(stages: Stages, engine: Any) -> list[tuple[Any, str, Any]]:
    """Wrap the stage functions and time every cursor execution as database work; returns what
    `uninstall` puts back."""
    from sqlalchemy import event

    done = []
    for path, attr, name in PATCHES:
        owner = _owner(path)
        if owner is not None and hasattr(owner, attr):
            original = getattr(owner, attr)
            setattr(owner, attr, stages.wrap(original, name))
            done.append((owner, attr, original))
    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool) -> None:
        stages.queries += 1
        stages.statements.append(("MANY " if many else "") + " ".join(statement.split())[:160])
        stages.enter("database")

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", lambda *a: stages.exit())
    return done


def uninstall(patched: list[tuple[Any, str, Any]]) -> None:
    """Put the original functions back (a later profile in this process wraps them afresh)."""
    for owner, attr, original in reversed(patched):
        setattr(owner, attr, original)


def profile(env: dict[str, str], texts: list[str], *, start: int, n: int,
            cprofile: str | None = None) -> dict[str, Any]:
    """Post n tickets through the app in this process; median and mean CPU ms per stage, and the SQL
    statements of the last request (`cprofile`: also write cProfile stats of the loop to that file)."""
    import cProfile
    import os

    from bench.intake import DISTRICTS
    from hotline import create_app
    from hotline.warmup import warm_up

    for key in ("DATABASE_URL", "REDIS_URL", "HOTLINE_MODEL_DIR"):
        os.environ[key] = env[key]
    app = create_app()
    warm_up(app)
    stages = Stages()
    patched = install(stages, app.extensions["db"].engine)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "operator", "password": "hotline-demo"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    per_stage: dict[str, list[float]] = defaultdict(list)
    totals: list[float] = []
    queries: list[int] = []
    profiler = cProfile.Profile(time.thread_time) if cprofile else None  # CPU, not waits
    if profiler is not None:
        profiler.enable()
    for i in range(start, start + n):
        body = {"content": texts[i % len(texts)], "caller_phone": f"138{i:08d}", "channel": "web",
                "kind": "complaint", "district": DISTRICTS[i % len(DISTRICTS)]}
        stages.reset()
        began = time.thread_time()
        response = client.post("/api/v1/tickets", json=body, headers=headers)
        totals.append(time.thread_time() - began)
        assert response.status_code == 201, response.get_data(as_text=True)
        stages.exit()  # close "other"
        queries.append(stages.queries)
        for name in STAGES:
            per_stage[name].append(stages.totals.get(name, 0.0))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(cprofile)
    uninstall(patched)
    app.extensions["db"].dispose()
    ms = lambda xs: round(statistics.fmean(xs) * 1000, 3)  # noqa: E731
    return {"requests": n, "total_mean": ms(totals), "total_p50": round(statistics.median(totals) * 1000, 3),
            **{f"{name}_mean": ms(per_stage[name]) for name in STAGES},
            "queries_per_request": round(statistics.fmean(queries), 1), "timed": [f"{getattr(o, '__name__', o)}.{a}" for o, a, _ in patched],
            "statements_of_last_request": stages.statements}
