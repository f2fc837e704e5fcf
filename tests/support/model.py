"""Fixtures: a small dispatch model trained once per session on part of the demo corpus, promoted per test."""

from __future__ import annotations

import collections
import json
import shutil
from pathlib import Path

import pytest

import classifier

CORPUS = Path(__file__).resolve().parents[2] / "classifier" / "demo" / "corpus.csv"
LABELS = ("water", "ecology", "education", "hrss")


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    by_label = collections.defaultdict(list)
    for text, label in classifier.read_rows(CORPUS):
        by_label[label].append((text, label))
    rows = [row for label in LABELS for row in by_label[label][:60]]
    return classifier.train_model(rows, tmp_path_factory.mktemp("model") / "small")


@pytest.fixture
def promote(app, small_model_dir):  # type: ignore[no-untyped-def]
    """Promote the small model in the app's registry, optionally with a forced threshold."""
    from hotline.dispatching.suggest import forget_model

    def install(threshold: float | None = None) -> Path:
        copy = Path(app.config["HOTLINE_MODEL_DIR"]).parent / f"candidate-{threshold}"
        shutil.copytree(small_model_dir, copy)
        if threshold is not None:
            meta_path = copy / "meta.json"
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            meta["threshold"] = threshold
            meta["version"] = f"{meta['version']}-t{threshold}"
            meta_path.write_text(json.dumps(meta), encoding="utf-8")
        promotion = classifier.promote_if_not_worse(app.config["HOTLINE_MODEL_DIR"], copy,
                                                    [("小区停水三天", "water")])
        assert promotion.promoted
        forget_model()
        return copy

    yield install
    forget_model()
