"""No input may produce a 5xx: every hostile class × every operation of the URL map, on SQLite and
PostgreSQL, answers 4xx and leaves every table's row count unchanged."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from hotline.access import ACCESS
from tests.security.hostile import CLASSES, concrete_path, row_counts
from tests.support.sessions import fresh_token, page_client

PREFERRED = ("admin", "supervisor", "dispatcher", "operator", "followup", "dept_ecology")
ROLE_OF = {"admin": "admin", "supervisor": "supervisor", "dispatcher": "dispatcher", "operator": "operator",
           "followup": "followup", "dept_ecology": "department"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def user_for(endpoint: str) -> str | None:
    """A user the access table lets through, so the input reaches the route (None: public)."""
    access = ACCESS[endpoint]
    if access.public:
        return None
    return next(name for name in PREFERRED if access.allows(ROLE_OF[name]))


class Caller:
    """One logged-in page client and one bearer token per user, made before the counts are taken."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.pages = {name: page_client(app, name) for name in PREFERRED}
        self.tokens = {name: fresh_token(app, name) for name in PREFERRED}

    def send(self, rule: Any, method: str, username: str | None, kwargs: dict[str, Any]):  # type: ignore[no-untyped-def]
        kwargs = dict(kwargs)
        path = kwargs.pop("path", None) or concrete_path(rule)
        headers = dict(kwargs.pop("headers", {}))
        if path.startswith(("/api/", "/open311/")):
            if username:
                headers["Authorization"] = f"Bearer {self.tokens[username]}"
            client = self.app.test_client()
        else:
            client = self.pages[username] if username else self.app.test_client()
        return client.open(path, method=method, headers=headers, **kwargs)


def run_corpus(app: Any, capsys: Any, backend: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # reach the views: CSRF would refuse every page post first
    caller = Caller(app)
    before = row_counts(app)
    problems, tally, operations = [], Counter(), 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        username = user_for(rule.endpoint)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            operations += 1
            for name, make in CLASSES.items():
                for what, kwargs in make(rule, method, app.view_functions[rule.endpoint]):
                    status = caller.send(rule, method, username, kwargs).status_code
                    tally["inputs"] += 1
                    tally[name] += 1
                    tally[f"{status // 100}xx"] += 1
                    if not 400 <= status < 500:
                        problems.append(f"{method} {rule.rule} [{name}: {what}] → {status}")
    after = row_counts(app)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    with capsys.disabled():
        print(f"\nhostile corpus on {backend}: {operations} operations, {len(CLASSES)} classes, "
              f"{tally['inputs']} inputs, 4xx={tally['4xx']} 2xx={tally['2xx']} 3xx={tally['3xx']} "
              f"5xx={tally['5xx']}, tables changed={len(changed)}")
    assert problems == []
    assert changed == {}


def test_hostile_corpus_on_sqlite(app, capsys):
    run_corpus(app, capsys, "sqlite")


@pytest.mark.postgres
def test_hostile_corpus_on_postgres(pg_app, capsys):
    run_corpus(pg_app, capsys, "postgresql")
