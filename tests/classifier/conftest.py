"""Fixtures for classifier tests: a small slice of the demo corpus and models trained on it once."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from classifier import train_model

DEMO = Path(__file__).resolve().parents[2] / "classifier" / "demo" / "corpus.csv"
LABELS = ("water", "police", "education", "gas")


def _demo_rows(per_label: int, offset: int) -> list[tuple[str, str]]:
    with DEMO.open(encoding="utf-8", newline="") as fh:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(fh) if r["label"] in LABELS]
    out = []
    for label in LABELS:
        out += [row for row in rows if row[1] == label][offset : offset + per_label]
    return out


@pytest.fixture(scope="session")
def train_rows() -> list[tuple[str, str]]:
    """40 demo messages for each of four departments."""
    return _demo_rows(40, 0)


@pytest.fixture(scope="session")
def eval_rows() -> list[tuple[str, str]]:
    """20 other demo messages for each of the same departments."""
    return _demo_rows(20, 60)


@pytest.fixture(scope="session")
def good_model(tmp_path_factory, train_rows) -> Path:
    """A model trained on the correct labels."""
    return train_model(train_rows, tmp_path_factory.mktemp("good") / "model")


@pytest.fixture(scope="session")
def bad_model(tmp_path_factory, train_rows) -> Path:
    """A model trained on shuffled labels: clearly worse on eval_rows."""
    labels = [label for _, label in train_rows]
    random.Random(7).shuffle(labels)
    rows = [(text, label) for (text, _), label in zip(train_rows, labels, strict=True)]
    return train_model(rows, tmp_path_factory.mktemp("bad") / "model")
