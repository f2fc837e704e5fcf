"""Knowledge-base fixtures: an empty knowledge base (the demo articles removed) for exact rankings."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from tests.support.workers import conn, qapp, work  # noqa: F401  (real queues: tests/support/workers.py)


@pytest.fixture
def empty_kb(app):  # type: ignore[no-untyped-def]
    """Remove every article of the template database, so a test's fixture articles are all there is."""
    from hotline.db import session
    from hotline.knowledge.models import Article, ArticleFeedback, ArticleVersion, ReviewTask

    with app.app_context():
        db = session()
        for model in (ReviewTask, ArticleFeedback, ArticleVersion, Article):
            db.execute(delete(model))
        db.commit()
