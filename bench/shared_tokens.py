"""One segmentation per message at intake: what it saves and what knowledge search loses or gains by it.

Intake segments a message once (the classifier's `tokenizer.tokens`) and hands the words to the
classifier, to knowledge search (`SearchIndex.search(words=...)`) and to the duplicate signature. This
bench compares, on the same real data and side by side in one run:

- knowledge search quality with its own jieba pass vs with the shared words: recall@1, recall@5 and
  MRR of the gold reply article for each citizen message (bench/kb.py's task, bench/kb_task.py: 2,816
  message/reply pairs of ../shared/datasets/tipdm2020_c_replies, article = the reply without its opening
  and without quotations of the subject, query = subject + "\n" + body; all pairs, the library defaults);
- CPU per message (thread time, long raw "subject\\nbody" messages of the unlabelled test set) of
  the intake text work done the old way (classifier segmentation + scoring, knowledge segmentation +
  search) and the shared way (one segmentation, scoring, search from words, signature).

    .venv/bin/python bench/shared_tokens.py [--model DIR] [--limit N]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.intake import DATASETS, ensure_model, messages  # noqa: E402
from bench.kb import docs_of  # noqa: E402
from bench.kb_task import load_pairs, summarise  # noqa: E402
from classifier import tokenizer  # noqa: E402
from hotline.supervision import signature  # noqa: E402
from knowledge_base import SearchIndex  # noqa: E402
from knowledge_base.text import get_tokenizer  # noqa: E402


def ranks(index: SearchIndex, queries: list[tuple[str, str]], *, shared: bool) -> dict[str, float]:
    """Rank of the gold article per query (ties count against it), summarised."""
    position = {doc.id: i for i, doc in enumerate(index.docs)}
    out = []
    for text, gold in queries:
        scores = index.scores(text, words=tokenizer.tokens(text) if shared else None)
        g = position[gold]
        out.append(int((scores >= scores[g]).sum()) if scores[g] > 0 else None)
    return summarise(out)


def pcts(samples: list[float]) -> dict[str, float]:
    """p50, p99 and mean in milliseconds."""
    a = np.asarray(samples) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p99_ms": round(float(np.percentile(a, 99)), 3),
            "mean_ms": round(float(a.mean()), 3)}


def cpu(model, index: SearchIndex, texts: list[str]) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """Thread CPU per message: classifier alone, and the intake text work the old way and the shared way."""
    today = dt.date.today()
    scorer = model.pipeline
    took: dict[str, list[float]] = {"classifier_suggest": [], "classifier_from_words": [], "old_way": [],
                                    "shared_way": []}
    for text in texts:
        t0 = time.thread_time()
        model.suggest(text, k=3)
        t1 = time.thread_time()
        index.search(text, k=5, on=today)
        t2 = time.thread_time()
        words = tokenizer.tokens(text)
        t3 = time.thread_time()
        scorer.proba_words(words)
        t4 = time.thread_time()
        index.search(text, k=5, on=today, words=words)
        signature.minhash("".join(tokenizer.content(words)))
        t5 = time.thread_time()
        took["classifier_suggest"].append(t1 - t0)
        took["classifier_from_words"].append(t4 - t3)
        took["old_way"].append(t2 - t0)
        took["shared_way"].append(t5 - t2)
    return {k: pcts(v) for k, v in took.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model directory (default: the TipDM model of bench/intake.py)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N queries and messages")
    parser.add_argument("--tuned-on", type=int, default=800,
                        help="the first N queries chose how shared words become query terms; reported apart")
    parser.add_argument("--no-cpu", action="store_true", help="quality only")
    args = parser.parse_args()
    import classifier

    model = classifier.load_model(ensure_model(args.model))
    tokenizer.init()
    get_tokenizer()
    pairs = load_pairs(DATASETS / "tipdm2020_c_replies" / "replies_attachment4.csv")  # from a worktree too
    docs, queries = docs_of(pairs), [(p.query, p.id) for p in pairs]
    texts = messages()
    if args.limit:
        queries, texts = queries[: args.limit], texts[: args.limit]
    index = SearchIndex.build(docs)
    result: dict = {"articles": len(docs), "queries": len(queries), "messages": len(texts)}
    for part, rows in (("tuned_on", queries[: args.tuned_on]), ("held_out", queries[args.tuned_on :])):
        if rows:
            result[part] = {"queries": len(rows), "kb_own_segmentation": ranks(index, rows, shared=False),
                            "kb_shared_words": ranks(index, rows, shared=True)}
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
    if args.no_cpu:
        print(json.dumps(result, ensure_ascii=False))
        return
    for text in texts[:50]:
        model.suggest(text)  # warm the scorer
    result["cpu"] = cpu(model, index, texts)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
