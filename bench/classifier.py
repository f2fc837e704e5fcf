"""Benchmark of the dispatch classifier on the TipDM 2020 problem C data (not shipped with the project).

Cross-validates the full training procedure (the same ``fit_pipeline`` the CLI runs, threshold chosen
by its own inner CV) with 5-fold StratifiedGroupKFold on ``train.csv``, identical normalised texts in
one fold, and prints the ``evaluate`` metrics of the pooled out-of-fold predictions.

Because the product sees raw text, it also rebuilds raw "subject\\nbody" messages for training rows from
the raw files beside ``train.csv`` (records, bodies and subjects matched to rows by character 3-gram
similarity, label agreement required) and scores each one with the fold model that did not see its row:
key ``raw_validation``.  Latency is single-document ``suggest`` on the raw rows, median of repeats.

Training rows are split at their subject (``train_subjects.csv``, see ``training.attach_subjects``) so
that they have the raw messages' "subject\\nbody" shape; ``--no-subjects`` keeps them unsplit.

    .venv/bin/python bench/classifier.py [--data ../shared/datasets/tipdm2020_c_cls/train.csv] [--no-subjects]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier import tokenizer  # noqa: E402
from classifier.metrics import classification_metrics  # noqa: E402
from classifier.pipeline import fit_pipeline  # noqa: E402
from classifier.registry import DispatchModel  # noqa: E402
from classifier.training import attach_subjects, latency_ms, read_subjects  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "tipdm2020_c_cls" / "train.csv"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _read(path: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cjk(text: str | None) -> str:
    return "".join(_CJK.findall(text or ""))


def _nearest(queries: list[str], corpus: list[str]) -> list[tuple[int, float]]:
    """Return the best corpus row and cosine of each query (character 3-gram TF-IDF)."""
    vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), sublinear_tf=True).fit(corpus)
    sims = (vec.transform(queries) @ vec.transform(corpus).T).tocsr()
    out = []
    for i in range(sims.shape[0]):
        row = sims.getrow(i)
        out.append((int(row.indices[row.data.argmax()]), float(row.data.max())) if row.nnz else (-1, 0.0))
    return out


def raw_validation_rows(train: list[dict], folder: Path) -> list[tuple[int, str, str]]:
    """Rebuild raw "subject\\nbody" texts for training rows: (train index, raw text, label)."""
    full = [_cjk(r["text"]) for r in train]
    labels = [r["label"] for r in train]
    best: dict[str, dict[int, tuple[float, str]]] = {"detail": {}, "subject": {}}
    for kind, fname, corpus, floor in (
        ("detail", "train_details_raw.csv", full, 0.35),
        ("subject", "train_subjects.csv", [t[:50] for t in full], 0.2),
    ):
        rows = _read(folder / fname)
        for (j, sim), r in zip(_nearest([_cjk(r[kind]) for r in rows], corpus), rows, strict=True):
            if j >= 0 and sim >= floor and r["label"] == labels[j] and sim > best[kind].get(j, (0, ""))[0]:
                best[kind][j] = (sim, r[kind].strip())
    out = {j: best["subject"][j][1] + "\n" + best["detail"][j][1] for j in set(best["detail"]) & set(best["subject"])}
    records = [r for r in _read(folder / "train_records_raw.csv") if (r["detail"] or "").strip()]
    texts = [_cjk(r["subject"]) + _cjk(r["detail"]) for r in records]
    for (j, sim), r in zip(_nearest(texts, full), records, strict=True):
        if j >= 0 and sim >= 0.5 and r["label"] == labels[j]:
            out[j] = r["subject"].strip() + "\n" + r["detail"].strip()
    return [(j, text, labels[j]) for j, text in sorted(out.items())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--latency-repeats", type=int, default=3)
    ap.add_argument("--no-subjects", action="store_true", help="do not split training rows at their subject")
    args = ap.parse_args()
    train = _read(args.data)
    texts = [r["text"] for r in train]
    if not args.no_subjects:  # train_subjects.csv gives the subjects that start the pre-segmented texts
        subjects = read_subjects(args.data.parent / "train_subjects.csv")
        texts = [t for t, _ in attach_subjects([(r["text"], r["label"]) for r in train], subjects)]
        print(f"{sum(1 for t in texts if chr(10) in t)} of {len(texts)} rows split at their subject", file=sys.stderr)
    y = np.array([r["label"] for r in train])
    raw = raw_validation_rows(train, args.data.parent)
    raw_idx = np.array([j for j, _, _ in raw])
    tokenizer.init()
    groups = np.unique([tokenizer.canonical(t) for t in texts], return_inverse=True)[1]
    splitter = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    pred = np.empty(len(y), dtype=object)
    conf = np.zeros(len(y))
    auto = np.zeros(len(y), dtype=bool)
    raw_pred = np.empty(len(raw), dtype=object)
    raw_auto = np.zeros(len(raw), dtype=bool)
    raw_conf = np.zeros(len(raw))
    thresholds, fold_models, started = [], [], time.time()
    for k, (tr, te) in enumerate(splitter.split(texts, y, groups), 1):
        print(f"fold {k}/{args.folds} ({time.time() - started:.0f}s)", file=sys.stderr, flush=True)
        pipe = fit_pipeline([texts[i] for i in tr], y[tr])
        thresholds.append(pipe.threshold)
        proba = pipe.predict_proba([texts[i] for i in te])
        pred[te], conf[te] = pipe.classes[proba.argmax(1)], proba.max(1)
        auto[te] = conf[te] >= pipe.threshold
        sel = np.nonzero(np.isin(raw_idx, te))[0]
        rp = pipe.predict_proba([raw[i][1] for i in sel])
        raw_pred[sel], raw_conf[sel] = pipe.classes[rp.argmax(1)], rp.max(1)
        raw_auto[sel] = raw_conf[sel] >= pipe.threshold
        fold_models.append((pipe, sel))
    result = _report(y, pred, conf, auto, thresholds)
    raw_y = np.array([lab for _, _, lab in raw])
    result["raw_validation"] = _report(raw_y, raw_pred, raw_conf, raw_auto, thresholds)
    pipe, sel = fold_models[0]
    model = DispatchModel(Path("."), pipe, {"version": "bench-fold-1", "threshold": pipe.threshold})
    runs = [latency_ms(model, [raw[i][1] for i in sel]) for _ in range(args.latency_repeats)]
    for r in (result, result["raw_validation"]):
        for key in runs[0]:
            r[key] = round(statistics.median(run[key] for run in runs), 3)
    result["latency_runs_ms"] = runs
    result["rows"], result["raw_validation"]["rows"] = len(y), len(raw)
    result["seconds"] = round(time.time() - started)
    print(json.dumps(result, ensure_ascii=False))


def _report(y, pred, conf, auto, thresholds) -> dict:
    """Pooled out-of-fold metrics; each row is judged against its own fold model's threshold."""
    res = classification_metrics(y, pred.astype(str), conf, 0.0)
    res["threshold"] = round(float(np.median(thresholds)), 4)
    res["fold_thresholds"] = [round(float(t), 4) for t in thresholds]
    res["coverage_at_threshold"] = round(float(auto.mean()), 4)
    res["precision_at_threshold"] = round(float((y[auto] == pred[auto]).mean()), 4) if auto.any() else None
    return res


if __name__ == "__main__":
    main()
