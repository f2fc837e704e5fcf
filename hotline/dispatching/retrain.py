"""Retraining: the base data plus the corrections, promoted only when no worse on the same evaluation rows."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import classifier
from hotline.dispatching.corrections import training_rows

Row = tuple[str, str]
DEMO_CORPUS = Path(__file__).resolve().parents[2] / "classifier" / "demo" / "corpus.csv"


def split(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """A stable 80/20 split by text hash: the 20 % judges candidate and current model alike."""
    train: list[Row] = []
    held: list[Row] = []
    for row in rows:
        bucket = int(hashlib.sha1(row[0].encode()).hexdigest(), 16) % 5
        (held if bucket == 0 else train).append(row)
    return train, held


def base_data_path(config: dict[str, Any]) -> Path:
    """The base training CSV: CLASSIFIER_BASE_DATA, else the demo corpus."""
    return Path(config.get("CLASSIFIER_BASE_DATA") or DEMO_CORPUS)


def _train_and_promote(root: Path, train: list[Row], held: list[Row]) -> dict[str, Any]:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".candidate-") as tmp:
        candidate = classifier.train_model(train, Path(tmp) / "model")
        return asdict(classifier.promote_if_not_worse(root, candidate, held))


def retrain(session: Session, config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train on base data + corrections and promote only when not worse on the held-out rows."""
    corrections = training_rows(session)
    train, held = split(classifier.read_rows(base_data_path(config)))
    corrected_train, corrected_held = split(corrections)
    outcome = _train_and_promote(Path(config["HOTLINE_MODEL_DIR"]), train + corrected_train,
                                 held + corrected_held)
    return {"at": now.isoformat(), "corrections": len(corrections), **outcome}


def ensure_model(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train and promote a first model from the base data when the registry has none."""
    root = Path(config["HOTLINE_MODEL_DIR"])
    current = classifier.current_model_dir(root)
    if current is not None:
        return {"promoted": False, "current": str(current), "reason": "a model is already promoted"}
    rows = classifier.read_rows(base_data_path(config))
    return {"at": now.isoformat(), **_train_and_promote(root, rows, split(rows)[1])}


def retrain_and_promote(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The periodic retraining job's entry point (runs inside an app context)."""
    from hotline.db import session

    return retrain(session(), config, now=now)
