"""The knowledge base on PostgreSQL: workflow, filters, the review job, import and concurrent uses."""

from __future__ import annotations

import threading

import pytest

from tests.knowledge.helpers import act, create, put
from tests.knowledge.test_transfer import GOOD_CSV


@pytest.mark.postgres
def test_knowledge_base_on_postgres(pg_app):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.knowledge.review import create_review_tasks
    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    assert api.get("/kb/articles?status=published&per_page=1").get_json()["total"] >= 40
    article = create(api, user="dept_gas", department=None, tags=["燃气专项"])
    act(api, article["id"], "submit", "dept_gas")
    act(api, article["id"], "approve", "supervisor")
    put(api, article["id"], {"answer": "第二版"}, user="supervisor")
    act(api, article["id"], "restore", "supervisor", {"version_number": 1})
    listed = api.get("/kb/articles?tag=燃气专项", user="supervisor").get_json()["items"]
    assert [a["id"] for a in listed] == [article["id"]]
    for _ in range(3):
        act(api, article["id"], "feedback", "operator", {"helped": False})
    with pg_app.app_context():
        db = session()
        assert create_review_tasks(db, now=utcnow(), unhelpful_threshold=3) >= 1
        db.commit()
        assert create_review_tasks(db, now=utcnow(), unhelpful_threshold=3) == 0
    response = api.call("POST", "/kb/import?dry_run=1", "supervisor", data=GOOD_CSV.encode(), content_type="text/csv")
    assert response.get_json()["created"] == 2
    assert api.get("/kb/export?format=csv", user="supervisor").status_code == 200

    # Two operators answer calls with the same article at once: both uses are counted.
    tickets = [api.create(content="燃气欠费停气怎么恢复", kind="consultation")["id"] for _ in range(2)]
    statuses: list[int] = []

    def resolve(ticket_id: int) -> None:
        statuses.append(api.post(f"/tickets/{ticket_id}/resolve-on-call", {"article_id": article["id"]}).status_code)

    for user in ("operator",):
        api.token(user)  # issue the token before the threads start
    threads = [threading.Thread(target=resolve, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert api.get(f"/kb/articles/{article['id']}").get_json()["use_count"] == 2
