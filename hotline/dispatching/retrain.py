"""Retraining: the base data plus the corrections, promoted only when no worse on rows no model trained on.

The first model (`ensure_model`) splits the base data by text hash (`classifier.training.evaluation_split`)
and the registry keeps the evaluation side (`evaluation.csv`). Every later candidate trains on base rows
and corrections outside that slice and is compared with the current model on the kept slice plus the
evaluation side of the corrections: rows neither model was fitted on, with labels the candidate's own
data cannot rewrite (a correction is the only thing that changes a kept label). Training is
deterministic, so equal data gives an equal score, and ties promote. Rows are prepared as
`python -m classifier train` prepares them (`with_subjects`, and the threshold chosen on the raw messages
published beside the base CSV, `classifier.rawtext`).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import classifier
from classifier.rawtext import raw_files, raw_messages
from classifier.training import evaluation_split, split_key, subjects_beside, with_subjects
from hotline.dispatching.corrections import training_rows

Row = tuple[str, str]
DEMO_CORPUS = Path(__file__).resolve().parents[2] / "classifier" / "demo" / "corpus.csv"


def base_data_path(config: dict[str, Any]) -> Path:
    """The base training CSV: CLASSIFIER_BASE_DATA, else the demo corpus."""
    return Path(config.get("CLASSIFIER_BASE_DATA") or DEMO_CORPUS)


def base_rows(config: dict[str, Any]) -> list[Row]:
    """The base CSV's rows, split at their subjects as the CLI does (NAME_subjects.csv beside NAME.csv)."""
    path = base_data_path(config)
    return with_subjects(classifier.read_rows(path), subjects_beside(path))


def _slice(root: Path, base: list[Row]) -> list[Row]:
    """The registry's kept evaluation rows; kept now from the base data when it has none yet."""
    kept = classifier.evaluation_slice(root)
    if kept is None:
        kept = evaluation_split(base)[1]
        classifier.keep_evaluation_slice(root, kept)
    return kept


def prepared_split(root: Path, base: list[Row], corrections: list[Row]) -> tuple[list[Row], list[Row]]:
    """(training rows, evaluation rows): nothing in the kept slice is trained on; corrections replace
    the label of base and kept rows with the same text."""
    fixed = {split_key(text): label for text, label in corrections}
    kept = _slice(root, base)
    held_keys = {split_key(text) for text, _ in kept}
    train = [row for row in evaluation_split(base)[0]
             if split_key(row[0]) not in held_keys and split_key(row[0]) not in fixed]
    fixed_train, fixed_held = evaluation_split(corrections)
    held = [(text, fixed.get(split_key(text), label)) for text, label in kept]
    held += [row for row in fixed_held if split_key(row[0]) not in held_keys]
    train += [row for row in fixed_train if split_key(row[0]) not in held_keys]
    return train, held


def _train_and_promote(root: Path, train: list[Row], held: list[Row], base: Path) -> dict[str, Any]:
    root.mkdir(parents=True, exist_ok=True)
    raw = raw_messages(train, raw_files(base))  # the threshold on raw messages, as the CLI chooses it
    with tempfile.TemporaryDirectory(dir=root, prefix=".candidate-") as tmp:
        candidate = classifier.train_model(train, Path(tmp) / "model", raw=raw)
        outcome = asdict(classifier.promote_if_not_worse(root, candidate, held))
    return {**outcome, "training_rows": len(train), "evaluation_rows": len(held)}


def retrain(session: Session, config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train on base data + corrections and promote only when not worse on the evaluation slice."""
    corrections = training_rows(session)
    root = Path(config["HOTLINE_MODEL_DIR"])
    train, held = prepared_split(root, base_rows(config), corrections)
    outcome = _train_and_promote(root, train, held, base_data_path(config))
    return {"at": now.isoformat(), "corrections": len(corrections), **outcome}


def ensure_model(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Train and promote a first model from the base data when the registry has none."""
    root = Path(config["HOTLINE_MODEL_DIR"])
    current = classifier.current_model_dir(root)
    if current is not None:
        return {"promoted": False, "current": str(current), "reason": "a model is already promoted"}
    train, held = prepared_split(root, base_rows(config), [])
    return {"at": now.isoformat(), **_train_and_promote(root, train, held, base_data_path(config))}


def retrain_and_promote(config: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The periodic retraining job's entry point (runs inside an app context)."""
    from hotline.db import session

    return retrain(session(), config, now=now)
