"""Hotspot clusters with the classifier's segmentation against hotspots' former own jieba pass.

Intake now segments a request once (classifier.tokenizer.tokens) and hotspot placement takes its words
from that segmentation instead of a second, different jieba pass (default dictionary, HMM on, the whole
text). This bench clusters the real messages of tipdm2020_c_hotspot (4,326, "subject\\nbody") in 7-day
windows by their created_at, with the product's average-linkage rule (hotspots._clusters, similarity
0.4, text only: the set has no addresses), once with each segmentation, and reports how far the
clusterings agree: adjusted Rand index per window (mean), and over the pairs of messages that share a
cluster of at least 3 under the former words, the share still together under the new ones (and the
converse), plus the CPU per message of each segmentation.

    .venv/bin/python bench/hotspot_tokens.py [--similarity 0.4] [--min-size 3]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path("/work/shared/datasets/tipdm2020_c_hotspot/hotspot_attachment3.csv")


def former_tokens(text: str) -> list[str]:
    """hotspots.tokens before the shared segmentation: the default jieba instance, HMM on, whole text."""
    import jieba

    from hotline.supervision.hotspots import STOP, WORD

    return [w for w in jieba.lcut(text) if WORD.match(w) and w not in STOP]


def windows(rows: list[dict[str, str]]) -> list[list[int]]:
    """Indexes of the messages in consecutive 7-day windows of created_at (at least 2 messages)."""
    stamped = sorted((datetime.fromisoformat(r["created_at"]), i) for i, r in enumerate(rows))
    out: dict[int, list[int]] = defaultdict(list)
    start = stamped[0][0]
    for at, i in stamped:
        out[(at - start).days // 7].append(i)
    return [w for w in out.values() if len(w) >= 2]


def labels(words: list[list[str]], similarity: float) -> list[int]:
    """The product's clustering of one window (term frequencies, average linkage, no place bonus)."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    from hotline.supervision.hotspots import _clusters

    vectorizer = TfidfVectorizer(use_idf=False, lowercase=False, tokenizer=lambda x: x, preprocessor=lambda x: x,
                                 token_pattern=None)
    try:
        matrix = vectorizer.fit_transform(words)
    except ValueError:
        return list(range(len(words)))
    return [int(x) for x in _clusters(matrix, csr_matrix((len(words), 1)), similarity)]


def pairs(groups: list[int], min_size: int) -> set[tuple[int, int]]:
    """Pairs of positions sharing a cluster of at least min_size."""
    members: dict[int, list[int]] = defaultdict(list)
    for position, label in enumerate(groups):
        members[label].append(position)
    return {p for m in members.values() if len(m) >= min_size for p in itertools.combinations(m, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--similarity", type=float, default=0.4)
    parser.add_argument("--min-size", type=int, default=3)
    args = parser.parse_args()
    from sklearn.metrics import adjusted_rand_score

    from classifier import tokenizer
    from hotline.supervision.hotspots import tokens

    csv.field_size_limit(sys.maxsize)
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [f"{r['subject'].strip()}\n{r['detail'].strip()}" for r in rows]
    former_tokens(texts[0]), tokenizer.init()  # dictionaries loaded before timing
    cpu: dict[str, float] = {}
    words: dict[str, list[list[str]]] = {}
    for name, fn in (("former", former_tokens), ("shared", tokens)):
        began = time.thread_time()
        words[name] = [fn(t) for t in texts]
        cpu[name] = (time.thread_time() - began) * 1000 / len(texts)
    aris, both, former_pairs, shared_pairs = [], 0, 0, 0
    for window in windows(rows):
        old = labels([words["former"][i] for i in window], args.similarity)
        new = labels([words["shared"][i] for i in window], args.similarity)
        aris.append(adjusted_rand_score(old, new))
        a, b = pairs(old, args.min_size), pairs(new, args.min_size)
        both, former_pairs, shared_pairs = both + len(a & b), former_pairs + len(a), shared_pairs + len(b)
    print(json.dumps({
        "messages": len(texts), "windows": len(aris), "similarity": args.similarity, "min_size": args.min_size,
        "adjusted_rand_mean": round(statistics.fmean(aris), 4), "adjusted_rand_min": round(min(aris), 4),
        "former_pairs": former_pairs, "shared_pairs": shared_pairs,
        "former_pairs_kept": round(both / former_pairs, 4) if former_pairs else None,
        "shared_pairs_also_former": round(both / shared_pairs, 4) if shared_pairs else None,
        "cpu_ms_per_message": {k: round(v, 3) for k, v in cpu.items()}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
