"""Retraining: the base data plus the corrections, promoted only when no worse on the same evaluation rows."""

from __future__ import annotations

import csv
import hashlib
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import classifier
from classifier import registry
from hotline.dispatching.corrections import training_rows

DEMO_CORPUS = Path(__file__).resolve().parents[2] / "classifier" / "demo" / "corpus.csv"


def read_rows(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows of a `text,label` CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle) if row.get("text")]


def split(rows: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A stable 80/20 split by text hash: the 20 % judges candidate and current model alike."""
    train, held = [], []
    for row in rows:
        bucket = int(hashlib.sha1(row[0].encode()).hexdigest(), 16) % 5
        (held if bucket == 0 else train).append(row)
    return train, held


def base_data_path(config: dict[str, Any]) -> Path:
    """The base training CSV: CLASSIFIER_BASE_DATA, else the demo corpus."""
    return Path(config.get("CLASSIFIER_BASE_DATA") or DEMO_CORPUS)


def retrain(session: Session, config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train on base data + corrections into the registry and promote when not worse."""
    root = Path(config["HOTLINE_MODEL_DIR"])
    corrections = training_rows(session)
    train, held = split(read_rows(base_data_path(config)))
    corrected_train, corrected_held = split(corrections)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.csv"
        with data.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            writer.writerows(train + corrected_train)
        candidate = classifier.train_model(read_rows(data), registry.new_version_dir(root, now=now))
    outcome = registry.promote_if_not_worse(root, candidate, held + corrected_held)
    return {"candidate": str(candidate), "corrections": len(corrections), **outcome}


def ensure_model(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train and promote a first model from the base data when the registry has none."""
    root = Path(config["HOTLINE_MODEL_DIR"])
    current = classifier.current_model_dir(root)
    if current is not None:
        return {"promoted": False, "current": str(current), "reason": "a model is already promoted"}
    rows = read_rows(base_data_path(config))
    candidate = classifier.train_model(rows, registry.new_version_dir(root, now=now))
    return {"candidate": str(candidate), **registry.promote_if_not_worse(root, candidate, split(rows)[1])}


def retrain_and_promote(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The periodic retraining job's entry point (runs inside an app context)."""
    from hotline.db import session

    return retrain(session(), config, now=now)
