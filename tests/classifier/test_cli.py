"""The ``python -m classifier`` command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.__main__ import main
from tests.classifier.helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]


def _error(capsys, argv):
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_missing_file(capsys, tmp_path):
    assert "not found" in _error(capsys, ["train", "--data", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "m")])


def test_missing_columns(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["content", "label"], [("停水", "water"), ("停气", "gas")])
    assert "missing column" in _error(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "m")])


def test_empty_data(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["text", "label"], [])
    assert "no rows" in _error(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "m")])


def test_single_label(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["text", "label"], [("停水", "water"), ("水压低", "water")])
    assert "2 distinct labels (found 1)" in _error(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "m")])


def test_not_utf8(capsys, tmp_path):
    data = tmp_path / "d.csv"
    data.write_bytes(b"text,label\n\xff\xfe\xfa,water\nok,gas\n")
    assert "UTF-8" in _error(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "m")])


def test_evaluate_without_a_model(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["text", "label"], [("停水", "water")])
    assert "model directory" in _error(capsys, ["evaluate", "--model", str(tmp_path), "--data", str(data)])


def test_evaluate_prints_one_json_object(capsys, tmp_path, good_model, eval_rows):
    data = write_csv(tmp_path / "e.csv", ["id", "text", "label"], [(i, t, lab) for i, (t, lab) in enumerate(eval_rows)])
    assert main(["evaluate", "--model", str(good_model), "--data", str(data)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    for key in ("accuracy", "macro_f1", "per_label", "threshold", "coverage_at_threshold",
                "precision_at_threshold", "p50_ms", "p99_ms"):
        assert key in result
    assert set(result["per_label"]["water"]) == {"precision", "recall", "f1", "support"}
    assert result["macro_f1"] > 0.9


@pytest.mark.slow
def test_module_entry_point_reports_bad_input(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "classifier", "evaluate", "--model", str(tmp_path), "--data", str(tmp_path / "x.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_output_path_that_is_a_file(capsys, tmp_path, train_rows):
    data = write_csv(tmp_path / "d.csv", ["text", "label"], train_rows[:2] + train_rows[-2:])
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    _error(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "taken")])


def test_train_with_subjects_splits_rows_and_fits_the_subject_model(capsys, tmp_path, train_rows):
    from classifier import load_model

    flat = [(t.replace("\n", ""), lab) for t, lab in train_rows]  # pre-segmented style: no line break
    subjects = [(t.split("\n", 1)[0], lab) for t, lab in train_rows]
    data = write_csv(tmp_path / "d.csv", ["text", "label"], flat)
    subj = write_csv(tmp_path / "s.csv", ["subject", "label"], subjects)
    assert main(["train", "--data", str(data), "--subjects", str(subj), "--out", str(tmp_path / "m")]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == str(tmp_path / "m")
    model = load_model(tmp_path / "m")
    assert model.pipeline.base.svc_subj is not None
    assert model.suggest(train_rows[0][0], k=1)[0][0] == train_rows[0][1]


def test_subjects_beside_the_data_are_used_by_default(capsys, tmp_path, train_rows):
    from classifier import load_model

    flat = [(t.replace("\n", ""), lab) for t, lab in train_rows]
    subjects = [(t.split("\n", 1)[0], lab) for t, lab in train_rows]
    data = write_csv(tmp_path / "d.csv", ["text", "label"], flat)
    write_csv(tmp_path / "d_subjects.csv", ["subject", "label"], subjects)
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m")]) == 0
    assert "d_subjects.csv" in capsys.readouterr().err
    assert load_model(tmp_path / "m").pipeline.base.svc_subj is not None
    assert main(["train", "--data", str(data), "--no-subjects", "--out", str(tmp_path / "n")]) == 0
    assert load_model(tmp_path / "n").pipeline.base.svc_subj is None
