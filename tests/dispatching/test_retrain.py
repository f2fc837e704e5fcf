"""Retraining promotes a better model, refuses a worse one, and builds the same features as the CLI."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import time_machine

import classifier
from classifier.__main__ import main as classifier_cli
from tests.support.factories import T0
from tests.support.model import CORPUS

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("water", "ecology", "education", "hrss")
OUTAGE = "停水"  # the planted error: every message about a water outage is labelled ecology in the base data


def _corpus() -> list[tuple[str, str]]:
    return [row for row in classifier.read_rows(CORPUS) if row[1] in LABELS]


def _base_rows(per_label: int = 50) -> list[tuple[str, str]]:
    rows = _corpus()
    out = [row for label in LABELS for row in [r for r in rows if r[1] == label][:per_label]]
    return out + [row for row in rows if OUTAGE in row[0] and row not in out]


def _write(path: Path, rows, header=("text", "label")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _retrain(app):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.dispatching.retrain import ensure_model, retrain

    with app.app_context():
        first = ensure_model(app.config, now=utcnow()) if classifier.current_model_dir(
            app.config["HOTLINE_MODEL_DIR"]) is None else None
        return first, retrain(session(), app.config, now=utcnow())


def _top(app, text: str) -> str:
    from hotline.dispatching.suggest import forget_model, suggest

    forget_model()
    with app.test_request_context():
        found, _model = suggest(text)
    return found[0].department


UNSEEN_OUTAGE = "翠湖苑突然停水\n市民来电反映：翠湖苑从早上开始停水，事先没有任何通知，家里老人做饭洗漱都成问题，请尽快恢复供水。"


def test_corrections_fixing_a_planted_error_are_promoted(app, api, tmp_path):
    planted = [(text, "ecology" if OUTAGE in text else label) for text, label in _base_rows()]
    app.config["CLASSIFIER_BASE_DATA"] = str(_write(tmp_path / "history.csv", planted))
    first, _ = _retrain(app)
    assert first["promoted"] and _top(app, UNSEEN_OUTAGE) == "ecology"  # the planted error is learned
    outage_texts = [text for text, label in _corpus() if OUTAGE in text]
    with time_machine.travel(T0, tick=False):
        for text in outage_texts:  # each outage ticket is returned by ecology and re-dispatched to water
            ticket = api.create(content=text)
            if ticket["status"] == "received":
                api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
            api.act(ticket["id"], "return", "dept_ecology", {"reason": "停水属供水职责",
                                                              "suggested_department": "water"})
            api.act(ticket["id"], "approve-return", "dispatcher")
            api.act(ticket["id"], "dispatch", "dispatcher", {"department": "water"})
    _, outcome = _retrain(app)
    assert outcome["corrections"] == len(outage_texts)
    assert outcome["promoted"] and outcome["candidate_macro_f1"] > outcome["current_macro_f1"]
    assert classifier.current_model_dir(app.config["HOTLINE_MODEL_DIR"]).name == outcome["version"]
    assert _top(app, UNSEEN_OUTAGE) == "water"


def test_candidate_trained_on_shuffled_labels_is_refused(app, tmp_path):
    rows = _base_rows()
    app.config["CLASSIFIER_BASE_DATA"] = str(_write(tmp_path / "good.csv", rows))
    first, tie = _retrain(app)
    assert first["promoted"] and tie["promoted"]  # same data again: equal score, and ties promote
    kept = classifier.current_model_dir(app.config["HOTLINE_MODEL_DIR"]).name
    labels = [label for _, label in rows]
    random.Random(3).shuffle(labels)
    shuffled = [(text, label) for (text, _), label in zip(rows, labels, strict=True)]
    app.config["CLASSIFIER_BASE_DATA"] = str(_write(tmp_path / "shuffled.csv", shuffled))
    _, outcome = _retrain(app)
    assert not outcome["promoted"] and outcome["candidate_macro_f1"] < outcome["current_macro_f1"] - 0.3
    assert classifier.current_model_dir(app.config["HOTLINE_MODEL_DIR"]).name == kept
    assert _top(app, UNSEEN_OUTAGE) == "water"


def _presegmented(tmp_path: Path) -> Path:
    """A TipDM-shaped base: subject and body run together without punctuation, subjects beside it."""
    rows = _base_rows(40)
    subjects = [(text.split("\n", 1)[0], label) for text, label in rows]
    _write(tmp_path / "base_subjects.csv", subjects, ("subject", "label"))
    return _write(tmp_path / "base.csv", [(classifier.tokenizer.canonical(t), lab) for t, lab in rows])


def test_flask_commands_promote_on_equal_data_with_the_cli_features(tmp_path):
    base = _presegmented(tmp_path)
    env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "REDIS_URL")},
           "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "HOTLINE_MODEL_DIR": str(tmp_path / "models"),
           "CLASSIFIER_BASE_DATA": str(base), "QUEUES_ENABLED": "0"}
    run = [sys.executable, "-m", "flask", "--app", "hotline"]
    assert subprocess.run([*run, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True).returncode == 0
    outcomes = []
    for command in ("ensure-demo-model", "retrain"):
        done = subprocess.run([*run, "classifier", command], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outcomes.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first, second = outcomes
    assert first["promoted"] and second["promoted"]
    assert second["candidate_macro_f1"] == second["current_macro_f1"]  # equal data, equal score: ties promote
    nightly = classifier.load_model(classifier.current_model_dir(tmp_path / "models"))
    assert nightly.version == second["version"] != first["version"]
    assert classifier_cli(["train", "--data", str(base), "--out", str(tmp_path / "cli")]) == 0
    cli = classifier.load_model(tmp_path / "cli")
    # The subject block exists in both (retraining splits the rows at base_subjects.csv as the CLI does).
    assert nightly.pipeline.base.featurizer.subj is not None and cli.pipeline.base.featurizer.subj is not None
    assert nightly.pipeline.stacker.coef_.shape == cli.pipeline.stacker.coef_.shape
