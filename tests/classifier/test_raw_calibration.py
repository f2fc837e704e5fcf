"""The auto-dispatch threshold is chosen on raw messages when they are published beside the training data."""

import json

from classifier import load_model, tokenizer
from classifier.__main__ import main
from classifier.rawtext import raw_files, raw_messages
from tests.classifier.conftest import _demo_rows
from tests.classifier.helpers import write_csv


def _presegmented(rows):
    """Training rows as the contest published them: one run of canonical words, no punctuation."""
    return [(tokenizer.canonical(text), label) for text, label in rows]


def test_raw_records_are_matched_to_their_rows_with_equal_labels(tmp_path):
    rows = _demo_rows(5, 0)
    data = write_csv(tmp_path / "d.csv", ["text", "label"], _presegmented(rows))
    records = [(t.split("\n", 1)[0], t.split("\n", 1)[1], lab) for t, lab in rows]
    records[3] = (records[3][0], records[3][1], "education" if rows[3][1] != "education" else "gas")
    write_csv(tmp_path / "d_records_raw.csv", ["subject", "detail", "label"], records)
    found = raw_messages(_presegmented(rows), raw_files(data))
    assert 3 not in found  # its label disagrees: never matched
    assert {i: found[i] for i in found} == {i: rows[i][0] for i in found} and len(found) >= len(rows) - 3


def test_cli_chooses_the_threshold_on_raw_messages_with_a_margin(capsys, tmp_path):
    rows = _demo_rows(60, 0)  # 240 messages of four departments
    data = write_csv(tmp_path / "d.csv", ["text", "label"], _presegmented(rows))
    write_csv(tmp_path / "d_records_raw.csv", ["subject", "detail", "label"],
              [(t.split("\n", 1)[0], t.split("\n", 1)[1], lab) for t, lab in rows])
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m")]) == 0
    assert "raw messages" in capsys.readouterr().err
    model = load_model(tmp_path / "m")
    cv = json.loads((tmp_path / "m" / "metrics.json").read_text(encoding="utf-8"))["cross_validation"]
    assert model.meta["threshold_from"] == "raw_messages" and cv["raw_messages"]["threshold"] == round(model.threshold, 4)
    raw = cv["raw_messages"]
    assert sum(v["support"] for v in raw["per_label"].values()) >= 200
    assert raw["coverage_at_threshold"] == 0 or raw["precision_at_threshold"] >= 0.98  # 97 % + margin
    assert model.meta["coverage"] == raw["coverage_at_threshold"]
    assert main(["train", "--data", str(data), "--no-raw", "--out", str(tmp_path / "n")]) == 0
    assert load_model(tmp_path / "n").meta["threshold_from"] == "training_rows"
