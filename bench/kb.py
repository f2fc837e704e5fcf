"""Knowledge-base search benchmark: retrieval quality on real replies, and latency at >=10,000 articles.

Article = message subject (title) + official reply (answer); query = the citizen's message body.
Run: .venv/bin/python bench/kb.py   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge_base import ArticleDoc, SearchIndex
from knowledge_base.text import get_tokenizer

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
REPLIES = DATA / "tipdm2020_c_replies" / "replies_attachment4.csv"
DISTRACTOR_FILES = (
    DATA / "tipdm2020_c_hotspot" / "hotspot_attachment3.csv",
    DATA / "tipdm2020_c_testset" / "official_test_unlabeled.csv",
    DATA / "tipdm2020_c_cls" / "train_details_raw.csv",
)


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV file with a header."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def reply_articles() -> tuple[list[ArticleDoc], list[tuple[str, str]]]:
    """Articles from the replies file, and (query, gold article id) pairs."""
    rows = read_csv(REPLIES)
    docs = [ArticleDoc(id=r["msg_id"], title=r["subject"], answer=r["reply"], department="") for r in rows]
    return docs, [(r["detail"], r["msg_id"]) for r in rows]


def distractors(exclude_ids: set[str], exclude_texts: set[str], *, limit: int) -> list[ArticleDoc]:
    """Up to `limit` articles from other messages (subject + body), in file order.

    The same message as a query is left out: its own body would win by construction.
    """
    docs: list[ArticleDoc] = []
    for path in DISTRACTOR_FILES:
        for n, r in enumerate(read_csv(path)):
            detail = r.get("detail", "")
            if r.get("msg_id") in exclude_ids or detail in exclude_texts or not detail:
                continue
            if len(docs) >= limit:
                return docs
            title = r.get("subject") or detail[:30]
            docs.append(ArticleDoc(id=f"{path.parent.name}:{r.get('msg_id') or n}", title=title,
                                   answer=detail, department=""))
    return docs


def evaluate(index: SearchIndex, queries: list[tuple[str, str]]) -> dict[str, float]:
    """recall@1, recall@5 and MRR of the gold article, ranking against every indexed article."""
    position = {doc.id: i for i, doc in enumerate(index.docs)}
    ranks = []
    for text, gold in queries:
        scores = index.scores(text)
        g = position[gold]
        # Ties count against the gold article, so the figure is never flattering.
        ranks.append(int((scores >= scores[g]).sum()) if scores[g] > 0 else None)
    return summarise(ranks)


def summarise(ranks: list[int | None]) -> dict[str, float]:
    """Recall at 1 and 5 and mean reciprocal rank from 1-based ranks (None = not found)."""
    n = len(ranks)
    return {
        "recall_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall_at_5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r) / n, 4),
    }


def tfidf_baseline(docs: list[ArticleDoc], queries: list[tuple[str, str]]) -> dict[str, float]:
    """Plain TF-IDF cosine (sublinear tf) over jieba precise-mode words of title + answer, no other tuning."""
    tk = get_tokenizer()
    vec = TfidfVectorizer(analyzer=lambda text: [w for w in tk.cut(text) if w.strip()], sublinear_tf=True)
    matrix = vec.fit_transform([f"{d.title}\n{d.answer}" for d in docs])
    sims = (vec.transform([text for text, _ in queries]) @ matrix.T).toarray()
    position = {doc.id: i for i, doc in enumerate(docs)}
    ranks = []
    for row, (_, gold) in zip(sims, queries, strict=True):
        g = position[gold]
        ranks.append(int((row >= row[g]).sum()) if row[g] > 0 else None)
    return summarise(ranks)


def latency(index: SearchIndex, queries: list[str], *, repeat: int) -> dict[str, float]:
    """Wall and CPU time per index.search call (tokenising, scoring, filters, top-k, snippets).

    The machine is shared, so wall time includes waiting for a core. Besides the raw
    percentiles over every call, each query's median of `repeat` calls filters out a single
    preemption, and CPU time shows what the search itself costs.
    """
    today = dt.date.today()
    for text in queries[:50]:
        index.search(text, on=today)  # warm caches and jieba
    wall = np.zeros((repeat, len(queries)))
    cpu = np.zeros((repeat, len(queries)))
    for r in range(repeat):
        for q, text in enumerate(queries):
            w0, c0 = time.perf_counter(), time.thread_time()
            index.search(text, k=5, status="published", on=today)
            cpu[r, q] = (time.thread_time() - c0) * 1000
            wall[r, q] = (time.perf_counter() - w0) * 1000

    def pct(values: np.ndarray, p: float) -> float:
        return round(float(np.percentile(values, p)), 3)

    per_query = np.median(wall, axis=0)
    return {"p50_ms": pct(wall, 50), "p99_ms": pct(wall, 99), "mean_ms": round(float(wall.mean()), 3),
            "p99_ms_per_query_median": pct(per_query, 99),
            "cpu_p50_ms": pct(cpu, 50), "cpu_p99_ms": pct(cpu, 99),
            "latency_calls": int(wall.size), "load_average_1m": round(os.getloadavg()[0], 2)}


def main() -> None:
    """Run the quality and the scale benchmark and print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries for latency")
    parser.add_argument("--scale", type=int, default=11000, help="articles in the scale index (>= 10,000)")
    args = parser.parse_args()
    docs, queries = reply_articles()
    t0 = time.perf_counter()
    index = SearchIndex.build(docs)
    result: dict[str, object] = {"articles": len(docs), "queries": len(queries),
                                 "build_s": round(time.perf_counter() - t0, 2)}
    result.update(evaluate(index, queries))
    result["baseline_tfidf"] = tfidf_baseline(docs, queries)
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)

    extra = distractors({d.id for d in docs}, {text for text, _ in queries}, limit=args.scale - len(docs))
    t0 = time.perf_counter()
    big = SearchIndex.build(docs + extra)
    result["scale_articles"] = len(big)
    result["scale_build_s"] = round(time.perf_counter() - t0, 2)
    result.update({f"scale_{k}": v for k, v in evaluate(big, queries).items()})
    result.update(latency(big, [text for text, _ in queries], repeat=args.repeat))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
