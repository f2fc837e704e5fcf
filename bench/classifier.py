"""Benchmark of the dispatch classifier on the TipDM 2020 problem C data (not shipped with the project).

Judged the way the sealed holdout is judged: ``train.csv`` is split by a fixed seed into five grouped,
stratified parts (rows with the same normalised text in one part).  For each of ``--splits`` parts, a
model is trained on the other four exactly as ``python -m classifier train --data train.csv`` trains
(subjects from ``train_subjects.csv``; threshold chosen on the raw messages matched to the training
rows, at 97 % + margin), and ``evaluate`` runs on the raw "subject\\nbody" messages of the part it never
saw (rebuilt from ``train_records_raw.csv``, ``train_details_raw.csv`` and ``train_subjects.csv`` by
``classifier.rawtext``).  Precision and coverage are taken at each model's stored threshold and, for
comparison, at the threshold the former rule would have stored (training rows, no margin).

    .venv/bin/python bench/classifier.py [--data ../shared/datasets/tipdm2020_c_cls/train.csv] [--splits 5] [--first 0]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.metrics import classification_metrics  # noqa: E402
from classifier.rawtext import raw_files, raw_messages  # noqa: E402
from classifier.registry import load_model  # noqa: E402
from classifier.training import (  # noqa: E402
    evaluate_model,
    read_rows,
    split_key,
    subjects_beside,
    train_model,
    with_subjects,
)

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "tipdm2020_c_cls" / "train.csv"
PARTS = 5
SEED = 0


def _at(y: np.ndarray, pred: np.ndarray, conf: np.ndarray, threshold: float) -> dict:
    auto = conf >= threshold
    return {"threshold": round(float(threshold), 4), "coverage": round(float(auto.mean()), 4),
            "precision": round(float((y[auto] == pred[auto]).mean()), 4) if auto.any() else None,
            "auto_dispatched": int(auto.sum()), "wrong": int((y[auto] != pred[auto]).sum())}


def run_split(rows, raw, subjects, train_idx, test_idx, workdir: Path, timing: bool) -> dict:
    """Train on train_idx as the CLI does; evaluate on the raw messages of test_idx."""
    part = [rows[i] for i in train_idx]
    position = {int(j): k for k, j in enumerate(train_idx)}
    part_raw = {position[j]: text for j, text in raw.items() if j in position}
    started = time.time()
    model = load_model(train_model(with_subjects(part, subjects), workdir, raw=part_raw))
    seconds = round(time.time() - started)
    unseen = [(raw[int(j)], rows[j][1]) for j in test_idx if int(j) in raw]
    result = evaluate_model(model, unseen, timing=timing)
    proba = model.predict_proba([t for t, _ in unseen])
    y = np.array([lab for _, lab in unseen])
    pred, conf = np.asarray(model.labels)[proba.argmax(1)], proba.max(1)
    cv = model.pipeline.cv
    return {
        "training_rows": len(part), "training_raw_messages": len(part_raw), "train_seconds": seconds,
        "unseen_raw_messages": len(unseen), "unseen_rows": len(test_idx),
        "accuracy": result["accuracy"], "macro_f1": result["macro_f1"],
        "stored": _at(y, pred, conf, model.threshold),
        "former_rule": _at(y, pred, conf, cv.get("training_rows_threshold", model.threshold)),
        "by_margin": {m: _at(y, pred, conf, t) for m, t in cv.get("raw_threshold_by_margin", {}).items()},
        "oof_raw_at_stored": {k: cv.get("raw_messages", {}).get(k) for k in
                              ("coverage_at_threshold", "precision_at_threshold")},
        **({k: result[k] for k in ("p50_ms", "p99_ms", "cpu_p50_ms", "cpu_p99_ms")} if timing else {}),
        "_pooled": (y, pred, conf, np.full(len(y), model.threshold),
                    np.full(len(y), cv.get("training_rows_threshold", model.threshold))),
    }


def _pooled(parts: list[tuple]) -> dict:
    y, pred, conf, stored, former = (np.concatenate(x) for x in zip(*parts, strict=True))
    res = classification_metrics(y, pred, conf, 0.0)
    out = {"raw_messages": len(y), "accuracy": res["accuracy"], "macro_f1": res["macro_f1"]}
    for name, th in (("stored", stored), ("former_rule", former)):
        auto = conf >= th
        out[name] = {"coverage": round(float(auto.mean()), 4),
                     "precision": round(float((y[auto] == pred[auto]).mean()), 4),
                     "auto_dispatched": int(auto.sum()), "wrong": int((y[auto] != pred[auto]).sum())}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--splits", type=int, default=PARTS, help=f"how many of the {PARTS} parts to hold out in turn")
    ap.add_argument("--first", type=int, default=0, help="the first part to hold out (0-based)")
    args = ap.parse_args()
    started = time.time()
    rows = read_rows(args.data)
    raw = raw_messages(rows, raw_files(args.data))
    print(f"{len(raw)} raw messages matched to {len(rows)} rows", file=sys.stderr, flush=True)
    y = np.array([lab for _, lab in rows])
    groups = np.unique([split_key(t) for t, _ in rows], return_inverse=True)[1]
    splitter = StratifiedGroupKFold(n_splits=PARTS, shuffle=True, random_state=SEED)
    splits = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (tr, te) in enumerate(splitter.split(y, y, groups)):
            if not args.first <= k < args.first + args.splits:
                continue
            print(f"part {k} held out ({time.time() - started:.0f}s)", file=sys.stderr, flush=True)
            result = run_split(rows, raw, subjects_beside(args.data), tr, te, Path(tmp) / f"m{k}", not splits)
            splits.append({"part": k, **result})
    pooled = _pooled([s.pop("_pooled") for s in splits])
    print(json.dumps({"data": str(args.data), "rows": len(rows), "raw_messages": len(raw), "seed": SEED,
                      "parts": PARTS, "pooled_unseen_raw": pooled, "splits": splits,
                      "seconds": round(time.time() - started)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
