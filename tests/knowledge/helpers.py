"""Small helpers shared by the knowledge-base tests."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from tests.support.footprint import unchanged


def _guard(api: Any, expect: int):  # type: ignore[no-untyped-def]
    """A refused request (4xx) must leave every table as it was; a granted one may write."""
    return unchanged(api.app) if expect >= 400 else nullcontext()


def article_body(**overrides: Any) -> dict[str, Any]:
    """A valid article body; keyword arguments override fields (None removes one)."""
    body: dict[str, Any] = {
        "title": "燃气表欠费停气后如何恢复供气",
        "questions": ["燃气卡充值后还是没气怎么办", "欠费停气了怎么恢复"],
        "answer": "缴清欠费后，燃气集团在24小时内远程恢复供气；插卡表用户需在缴费后将燃气卡插回表内。",
        "department": "gas",
        "tags": ["燃气", "缴费"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create(api: Any, user: str = "supervisor", expect: int = 201, **overrides: Any) -> dict[str, Any]:
    """POST /kb/articles and assert the status code (a refusal: and that nothing was written)."""
    with _guard(api, expect):
        response = api.post("/kb/articles", article_body(**overrides), user=user)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def act(api: Any, article_id: int, action: str, user: str, body: dict[str, Any] | None = None,
        expect: int = 200) -> dict[str, Any]:
    """POST /kb/articles/{id}/{action} and assert the status code (a refusal: and that nothing changed)."""
    with _guard(api, expect):
        response = api.post(f"/kb/articles/{article_id}/{action}", body or {}, user=user)
    assert response.status_code == expect, (action, response.status_code, response.get_json())
    return response.get_json()


def publish(api: Any, **overrides: Any) -> dict[str, Any]:
    """Create an article as a supervisor and publish it straight away."""
    return create(api, **{"status": "published", **overrides})


def put(api: Any, article_id: int, body: dict[str, Any], user: str, expect: int = 200) -> dict[str, Any]:
    """PUT /kb/articles/{id} and assert the status code (a refusal: and that nothing changed)."""
    with _guard(api, expect):
        response = api.call("PUT", f"/kb/articles/{article_id}", user, body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()
