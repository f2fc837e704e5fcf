"""Knowledge-base search as the app runs it: token SELECT + cached index + search, and the HTTP endpoint.

Builds a throwaway SQLite database with the demo city and N published articles (the 60 demo articles
repeated with numbered titles), then measures per-keystroke latency and the rebuild after a publish.
Run: .venv/bin/python bench/kb_app.py [--articles 300]   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = ["个体户怎么交社保", "燃气欠费停气", "小区晚上施工噪音太吵", "公积金提取需要什么材料", "身份证过期去哪里换",
           "孩子入学登记", "停水什么时候恢复", "物业不作为怎么投诉", "养狗要登记吗", "拖欠工资怎么办"]


def _ms(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"p50_ms": round(statistics.median(samples) * 1000, 3),
            "p99_ms": round(samples[int(len(samples) * 0.99) - 1] * 1000, 3)}


def _prefixes(query: str) -> list[str]:
    """What the operator has typed after each keystroke."""
    return [query[:i] for i in range(1, len(query) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()

    from hotline import create_app
    from hotline.clock import utcnow
    from hotline.db import Base, session
    from hotline.demo.load import load_city
    from hotline.knowledge.search import CACHE, search_published
    from hotline.knowledge.workflow import create_article
    from knowledge_base.demo import load_demo_articles

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "QUEUES_ENABLED": False})
    Base.metadata.create_all(app.extensions["db"].engine)
    with app.app_context():
        db = session()
        now = utcnow()
        load_city(db, now=now)
        demo = load_demo_articles()
        for i in range(max(args.articles - len(demo), 0)):
            record = demo[i % len(demo)]
            create_article(db, record=replace(record, title=f"{record.title}（{i}）"), actor=None, now=now,
                           status="published")
        db.commit()
        start = time.perf_counter()
        search_published(db, "社保")
        first_build = time.perf_counter() - start
        keystrokes = []
        for query in QUERIES:
            for typed in _prefixes(query):
                start = time.perf_counter()
                search_published(db, typed)
                keystrokes.append(time.perf_counter() - start)
        messages = []
        for query in QUERIES:  # a whole citizen message, as POST /tickets searches it
            text = f"您好，我想反映一个问题：{query}，已经好几天了，希望有关部门尽快处理，谢谢。" * 3
            start = time.perf_counter()
            search_published(db, text)
            messages.append(time.perf_counter() - start)
        # A publish elsewhere changes the token: the next search rebuilds from the database.
        create_article(db, record=replace(demo[0], title="新发布的条目"), actor=None, now=utcnow(),
                       status="published")
        db.commit()
        start = time.perf_counter()
        search_published(db, "社保")
        rebuild = time.perf_counter() - start
    client = app.test_client()
    with app.app_context():
        from tests.support.api import ApiClient

        token = ApiClient(app).token("operator")
    http = []
    for query in QUERIES:
        for typed in _prefixes(query):
            start = time.perf_counter()
            response = client.get("/api/v1/kb/search", query_string={"q": typed},
                                  headers={"Authorization": f"Bearer {token}"})
            http.append(time.perf_counter() - start)
            assert response.status_code == 200
    print(json.dumps({"articles": args.articles + 1, "keystrokes": len(keystrokes),
                      "first_build_ms": round(first_build * 1000, 1), "rebuild_after_publish_ms":
                      round(rebuild * 1000, 1), "search_published": _ms(keystrokes),
                      "search_whole_message": _ms(messages), "http_kb_search": _ms(http),
                      "index_builds": CACHE.builds}, ensure_ascii=False))


if __name__ == "__main__":
    main()
