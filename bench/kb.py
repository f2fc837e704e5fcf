"""Knowledge-base search benchmark: honest retrieval quality on real replies, and latency at >=10,000 articles.

The task (bench/kb_task.py): article = the official reply without its formulaic opening and without
any quotation of the citizen's subject; query = subject + "\\n" + detail; gold = the message's own
reply. The 2,816 pairs are split once (fixed seed) into a tuning half and a test half, each a retrieval
task of its own (its queries ranked against its own articles, ties counted against the gold). Ranking
parameters are chosen on the tuning half only: first the BM25F grid, then the fusion with matching
by meaning (knowledge_base.semantic: multilingual-e5-small vectors, reciprocal-rank fusion); the test
half is scored once with the chosen parameters, beside the lexical ranking alone and a plain TF-IDF
baseline (jieba words) on the same split.
Vectors are kept in --vector-cache (article texts, and this bench's fixed queries so that each is
embedded once for all the scoring passes); the first run embeds ~14,000 texts (~0.25 s CPU each).
The latency part embeds every timed query afresh, as the product does.
Run: .venv/bin/python bench/kb.py   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kb_task import DATA, Pair, load_pairs, ranks_from_scores, read_csv, shares_run, split, summarise
from knowledge_base import ArticleDoc, BM25Params, SearchIndex
from knowledge_base import search as search_module
from knowledge_base.bm25 import Postings, bm25f_matrix
from knowledge_base.semantic import E5Encoder, Encoder, VectorStore, fuse
from knowledge_base.text import bigrams, get_tokenizer, normalize, tokenize

DISTRACTOR_FILES = (
    DATA / "tipdm2020_c_hotspot" / "hotspot_attachment3.csv",
    DATA / "tipdm2020_c_testset" / "official_test_unlabeled.csv",
    DATA / "tipdm2020_c_cls" / "train_details_raw.csv",
)
# The grid searched on the tuning half (title weight is not searched: the articles have no title).
GRID = {"k1": (1.2, 2.0, 5.0), "answer_b": (0.75, 1.0), "char_sizes": ((2,), (2, 3), (1, 2, 3)),
        "char_weight": (0.3, 1.0)}
# Then the fusion with matching by meaning, on the chosen BM25F point: article passages (stride 0 =
# the first 300 characters only; closeness = closest passage + mean weight x passages' mean), the
# weight of the query's first line ranked alone, and the reciprocal-rank fusion itself.
FUSION_GRID = {"passage_stride": (0, 300, 150), "passage_mean_weight": (0.0, 0.2),
               "first_line_weight": (0.0, 0.3, 0.5), "rrf_k": (2.0, 3.0, 5.0),
               "semantic_weight": (1.0, 1.25, 1.5, 2.0), "semantic_depth": (100, 200, 400)}
CACHE = Path.home() / ".cache" / "hotline" / "kb_vectors.npz"


class StoredQueries:
    """The encoder, with this bench's fixed queries' vectors kept in the store (each embedded once)."""

    def __init__(self, encoder: Encoder, store: VectorStore) -> None:
        self.encoder, self.store = encoder, store
        self.name, self.dim, self.max_chars = encoder.name, encoder.dim, encoder.max_chars

    def encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        """Query vectors from the store (embedding missing ones); passages as the encoder gives them."""
        return self.store.vectors(self.encoder, texts, query=True) if query else self.encoder.encode(texts, query=query)


def docs_of(pairs: list[Pair]) -> list[ArticleDoc]:
    """One article per pair: no title (the subject is the citizen's), the cleaned reply as the answer."""
    return [ArticleDoc(id=p.id, title="", answer=p.article, department="") for p in pairs]


def tune_fusion(pairs: list[Pair], params: BM25Params, encoder: Encoder,
                store: VectorStore) -> tuple[dict[str, float], list[dict[str, object]]]:
    """The fusion grid point with the best MRR, scored with the product's own `fuse` and closeness."""
    trials: list[dict[str, object]] = []
    lexical: list[np.ndarray] = []
    g = FUSION_GRID
    first: SearchIndex | None = None
    for stride, mean_weight in itertools.product(g["passage_stride"], g["passage_mean_weight"]):
        if stride == 0 and mean_weight:
            continue  # one passage: its mean is its maximum, the ranking that of mean_weight 0
        # first_line_weight > 0 so that the first line is embedded; the grid below weighs it.
        at = dataclasses.replace(params, passage_stride=stride, passage_mean_weight=mean_weight,
                                 first_line_weight=1.0)
        # The articles' tokens are the same at every point: segmented by the first build only.
        index = SearchIndex.build(docs_of(pairs), params=at, encoder=encoder, store=store, previous=first,
                                  keep_tokens=first is None)
        first = index if first is None else first
        lexical = lexical or [index.lexical_scores(q.query) for q in pairs]
        meaning = [index.similarities(q.query) for q in pairs]
        for line_weight, rrf_k, weight, depth in itertools.product(
                g["first_line_weight"], g["rrf_k"], g["semantic_weight"], g["semantic_depth"]):
            scores = [fuse(lx, (whole, weight), (line, line_weight), k=rrf_k, depth=depth)
                      for lx, (whole, line) in zip(lexical, meaning, strict=True)]  # type: ignore[misc]
            trials.append({"passage_stride": stride, "passage_mean_weight": mean_weight,
                           "first_line_weight": line_weight, "rrf_k": rrf_k, "semantic_weight": weight,
                           "semantic_depth": depth, **summarise(ranks_from_scores(scores, list(range(len(pairs)))))})
    best = max(trials, key=lambda t: (t["mrr"], t["recall_at_1"]))  # type: ignore[arg-type,return-value]
    return {k: best[k] for k in FUSION_GRID}, trials  # type: ignore[misc]


def evaluate(index: SearchIndex, queries: list[Pair]) -> dict[str, float]:
    """recall@1, recall@5 and MRR of each query's own article, ranking against every indexed article."""
    position = {doc.id: i for i, doc in enumerate(index.docs)}
    scores = [index.scores(q.query) for q in queries]
    return summarise(ranks_from_scores(scores, [position[q.id] for q in queries]))


def tfidf_baseline(articles: list[Pair], queries: list[Pair]) -> dict[str, float]:
    """Plain TF-IDF cosine (sublinear tf) over jieba precise-mode words of the article, no other tuning."""
    tk = get_tokenizer()
    vec = TfidfVectorizer(analyzer=lambda text: [w for w in tk.cut(text) if w.strip()], sublinear_tf=True)
    matrix = vec.fit_transform([p.article for p in articles])
    sims = (vec.transform([q.query for q in queries]) @ matrix.T).toarray()
    position = {p.id: i for i, p in enumerate(articles)}
    return summarise(ranks_from_scores(list(sims), [position[q.id] for q in queries]))


def _memoised_query_tokens() -> None:
    """Segment each query once for the whole grid (the results are the same; jieba is the slow part)."""
    from knowledge_base import search

    def memoised(fn):  # type: ignore[no-untyped-def]
        cached = functools.lru_cache(maxsize=None)(lambda *a, **k: tuple(fn(*a, **k)))
        return lambda *a, **k: list(cached(*a, **k))  # a fresh list: the caller extends it

    search.tokenize = memoised(search.tokenize)  # type: ignore[assignment]
    search.char_bigrams = memoised(search.char_bigrams)  # type: ignore[assignment]


def tune(pairs: list[Pair]) -> tuple[BM25Params, list[dict[str, object]]]:
    """The grid point with the best MRR on these pairs (their queries against their articles)."""
    docs = docs_of(pairs)
    words = [tuple(tokenize(t, with_bigrams=False) for t in (d.title, "", d.answer)) for d in docs]
    norms = [tuple(normalize(t) for t in (d.title, "", d.answer)) for d in docs]
    # The article tokens depend on the n-gram sizes only: made once per size set, not per grid point.
    tokens_by_sizes = {sizes: [tuple(w + bigrams(n, sizes) for w, n in zip(ws, ns, strict=True))
                               for ws, ns in zip(words, norms, strict=True)] for sizes in GRID["char_sizes"]}
    trials: list[dict[str, object]] = []
    best: tuple[float, BM25Params] | None = None
    for k1, answer_b, sizes, char_weight in itertools.product(*GRID.values()):
        base = BM25Params()
        params = dataclasses.replace(base, k1=k1, b=(*base.b[:2], answer_b), char_sizes=sizes,
                                     char_weight=char_weight)
        tokens = tokens_by_sizes[sizes]
        matrix, vocab = bm25f_matrix(tokens, params)
        figures = evaluate(SearchIndex(docs, Postings(matrix), vocab, params), pairs)
        trials.append({"k1": k1, "answer_b": answer_b, "char_sizes": list(sizes), "char_weight": char_weight,
                       **figures})
        key = (figures["mrr"], figures["recall_at_1"])
        if best is None or key > best[0]:
            best = (key, params)  # type: ignore[assignment]
    assert best is not None
    return best[1], trials


def distractors(exclude_ids: set[str], exclude_texts: set[str], *, limit: int) -> list[ArticleDoc]:
    """Up to `limit` articles from other citizens' messages (subject + body), in file order."""
    docs: list[ArticleDoc] = []
    for path in DISTRACTOR_FILES:
        for n, r in enumerate(read_csv(path)):
            detail = r.get("detail", "")
            if r.get("msg_id") in exclude_ids or detail in exclude_texts or not detail:
                continue
            if len(docs) >= limit:
                return docs
            docs.append(ArticleDoc(id=f"{path.parent.name}:{r.get('msg_id') or n}",
                                   title=r.get("subject") or detail[:30], answer=detail, department=""))
    return docs


def latency(index: SearchIndex, queries: list[str], *, repeat: int) -> dict[str, float]:
    """Wall and thread-CPU time per index.search call (tokenising, scoring, filters, top-k, snippets)."""
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

    return {"p50_ms": pct(wall, 50), "p99_ms": pct(wall, 99), "cpu_p50_ms": pct(cpu, 50),
            "cpu_p99_ms": pct(cpu, 99), "latency_calls": int(wall.size),
            "load_average_1m": round(os.getloadavg()[0], 2)}


def main() -> None:
    """Tune on one half, score the other, time the search at scale, print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries for latency")
    parser.add_argument("--scale", type=int, default=11000, help="articles in the scale index (>= 10,000)")
    parser.add_argument("--latency-queries", type=int, default=500,
                        help="queries timed (each embeds the query: ~0.1-0.3 s CPU)")
    parser.add_argument("--vector-cache", type=Path, default=CACHE, help="file keeping the vectors")
    args = parser.parse_args()
    encoder = E5Encoder()
    store = VectorStore(args.vector_cache)
    stored = StoredQueries(encoder, store)
    pairs = load_pairs()
    tuning, test = split(pairs)
    t0 = time.perf_counter()
    restore = (search_module.tokenize, search_module.char_bigrams)
    _memoised_query_tokens()
    chosen, trials = tune(tuning)
    search_module.tokenize, search_module.char_bigrams = restore  # type: ignore[assignment]
    lexical_chosen = chosen
    fusion, fusion_trials = tune_fusion(tuning, chosen, stored, store)
    chosen = dataclasses.replace(chosen, **fusion)
    result: dict[str, object] = {
        "articles": len(test), "queries": len(test), "tuning_pairs": len(tuning),
        "articles_sharing_8_subject_chars": sum(shares_run(p.article, p.subject) for p in pairs),
        "empty_articles": sum(not p.article for p in pairs), "tuning_s": round(time.perf_counter() - t0, 1),
        "chosen": {"k1": chosen.k1, "answer_b": chosen.b[2], "char_sizes": list(chosen.char_sizes),
                   "char_weight": chosen.char_weight, **fusion},
        "defaults_are_chosen": BM25Params() == chosen,
        "tuning_best_lexical": max(trials, key=lambda t: (t["mrr"], t["recall_at_1"])),  # type: ignore[arg-type,return-value]
        "tuning_best": max(fusion_trials, key=lambda t: (t["mrr"], t["recall_at_1"])),  # type: ignore[arg-type,return-value]
        "encoder": encoder.name,
    }

    def build(pairs: list[Pair], params: BM25Params = chosen) -> SearchIndex:
        return SearchIndex.build(docs_of(pairs), params=params, encoder=stored, store=store)

    # The grids scored prebuilt matrices; the product's own build must give the same figure.
    result["tuning_check"] = evaluate(build(tuning), tuning)
    result.update(evaluate(build(test), test))
    lexical = evaluate(SearchIndex.build(docs_of(test), params=lexical_chosen), test)
    result.update({f"lexical_{k}": v for k, v in lexical.items()})
    baseline = tfidf_baseline(test, test)
    result.update({"baseline_recall_at_1": baseline["recall_at_1"], "baseline_recall_at_5": baseline["recall_at_5"],
                   "baseline_mrr": baseline["mrr"]})
    result["tuning_baseline"] = tfidf_baseline(tuning, tuning)
    result["whole_set"] = evaluate(build(pairs), pairs)
    result["whole_set_baseline"] = tfidf_baseline(pairs, pairs)
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)

    docs = docs_of(pairs)
    extra = distractors({d.id for d in docs}, {p.query.split("\n", 1)[1] for p in pairs},
                        limit=args.scale - len(docs))
    t0 = time.perf_counter()
    embedded = store.embedded
    big = SearchIndex.build(docs + extra, params=chosen, encoder=stored, store=store)
    result["scale_articles"] = len(big)
    result["scale_build_s"] = round(time.perf_counter() - t0, 2)
    result["scale_build_embedded"] = store.embedded - embedded  # articles not found in the vector cache
    result.update({f"scale_test_{k}": v for k, v in evaluate(big, test).items()})
    big.encoder = encoder  # timed searches embed their query, as the product does (no stored vectors)
    result.update(latency(big, [p.query for p in pairs][: args.latency_queries], repeat=args.repeat))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
