"""Access from one table: every route of the URL map is declared, and every route × role × no login
answers as hotline.access.ACCESS says (no disallowed 2xx, no 5xx, department staff never reach another
department's ticket)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from hotline.access import ACCESS, Scope, undeclared
from tests.support.sessions import fresh_token, page_client

USERS = {None: None, "operator": "operator", "dispatcher": "dispatcher", "dept_ecology": "department",
         "followup": "followup", "supervisor": "supervisor", "admin": "admin"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/open311/"))


def test_every_route_is_declared_once(app):
    assert undeclared(app) == [], "add these endpoints to hotline.access.ACCESS"
    stale = sorted(set(ACCESS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == [], "ACCESS names endpoints that no longer exist"


def test_role_decorators_agree_with_the_table(app):
    disagree = {}
    for endpoint, view in app.view_functions.items():
        roles = getattr(view, "required_roles", None)
        access = ACCESS.get(endpoint)
        if roles is None or access is None:
            continue
        if access.public or (roles and roles != access.roles):
            disagree[endpoint] = (sorted(roles), None if access.public else sorted(access.roles))
    assert disagree == {}


def test_an_undeclared_route_is_refused(app):
    from hotline import access

    del access.ACCESS["departments_api.index"]
    try:
        response = app.test_client().get("/api/v1/departments",
                                         headers={"Authorization": f"Bearer {fresh_token(app, 'admin')}"})
    finally:
        access.ACCESS["departments_api.index"] = access.logged_in(Scope.REFERENCE)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "undeclared_route"


@pytest.fixture
def samples(app, api) -> dict[str, Any]:
    """Real values for the URL parameters: a ticket of the water department (not dept_ecology's)."""
    from sqlalchemy import select

    from hotline.db import session
    from hotline.knowledge.models import Article

    ticket = api.create()
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "water"})
    with app.app_context():
        article_id = session().scalar(select(Article.id).order_by(Article.id))
    return {"ticket_id": ticket["id"], "article_id": article_id, "slug": "urge", "action": "feedback",
            "service_request_id": ticket["number"], "filename": "hotline.css", "rule_key": "r1"}


def concrete(rule: Any, samples: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(samples.get(match.group(2), 1 if match.group(1) == "int" else "x"))

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def send(app, path: str, method: str, username: str | None):  # type: ignore[no-untyped-def]
    if is_api(path):
        headers = {"Authorization": f"Bearer {fresh_token(app, username)}"} if username else {}
        body = {} if method in ("POST", "PUT", "PATCH", "DELETE") else None
        return app.test_client().open(path, method=method, json=body, headers=headers)
    return page_client(app, username).open(path, method=method, data={})


def refused(path: str, username: str | None, response: Any) -> bool:
    if is_api(path):
        return response.status_code in (401, 403)
    if username is None:
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    return response.status_code == 403


def test_walk_every_route_as_every_role(app, samples, capsys):
    app.config["WTF_CSRF_ENABLED"] = False  # reach the views; CSRF has tests of its own
    problems, tally = [], Counter()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    for rule in rules:
        access = ACCESS[rule.endpoint]
        path = concrete(rule, samples)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            for username, role in USERS.items():
                response = send(app, path, method, username)
                status = response.status_code
                tally["requests"] += 1
                tally[f"{status // 100}xx"] += 1
                where = f"{method} {rule.rule} as {username or 'anonymous'} → {status}"
                if status >= 500:
                    problems.append(f"server error: {where}")
                elif not access.allows(role) and not refused(path, username, response):
                    problems.append(f"not refused: {where}")
                elif (role == "department" and "ticket_id" in rule.arguments and access.scope is Scope.VISIBLE
                      and 200 <= status < 300):
                    problems.append(f"department reached another department's ticket: {where}")
    with capsys.disabled():
        print(f"\naccess walk: {len(rules)} routes, {len(USERS)} roles (incl. anonymous), "
              f"{tally['requests']} requests, 2xx={tally['2xx']} 3xx={tally['3xx']} 4xx={tally['4xx']} "
              f"5xx={tally['5xx']}")
    assert problems == []
