"""Train, save, load and predict with a small model."""

import json

import numpy as np
import pytest

from classifier import load_model, tokenizer


def test_model_directory_has_its_artifacts(good_model):
    names = {p.name for p in good_model.iterdir()}
    assert {"model.joblib", "labels", "metrics.json", "meta.json"} <= names
    meta = json.loads((good_model / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["libraries"]) >= {"scikit-learn", "numpy", "jieba", "python"}
    assert len(meta["training_data_sha256"]) == 64
    assert 0 < meta["threshold"] <= 1.01 and 0 <= meta["coverage"] <= 1
    labels = (good_model / "labels").read_text(encoding="utf-8").split()
    assert labels == ["education", "gas", "police", "water"]
    cv = json.loads((good_model / "metrics.json").read_text(encoding="utf-8"))["cross_validation"]
    assert cv["macro_f1"] > 0.8


def test_round_trip_suggests_calibrated_labels(good_model, eval_rows):
    model = load_model(good_model)
    meta = json.loads((good_model / "meta.json").read_text(encoding="utf-8"))
    assert model.version == meta["version"] and model.threshold == meta["threshold"]
    suggestions = model.suggest("小区突然停水了，自来水管爆裂，一直没人来修", k=3)
    assert len(suggestions) == 3 and suggestions[0][0] == "water"
    confidences = [c for _, c in suggestions]
    assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1
    proba = model.predict_proba([t for t, _ in eval_rows])
    assert np.allclose(proba.sum(axis=1), 1.0)
    accuracy = np.mean([p == lab for p, (_, lab) in zip(model.predict([t for t, _ in eval_rows]), eval_rows, strict=True)])
    assert accuracy > 0.9


def test_fast_path_equals_scikit_learn_path(good_model, eval_rows):
    pipe = load_model(good_model).pipeline
    texts = [t for t, _ in eval_rows]
    slow = pipe.predict_proba_tokens([tokenizer.tokens(t) for t in texts])
    assert np.allclose(pipe.predict_proba(texts), slow, atol=1e-10)


def test_coefficients_are_fortran_ordered_after_load(good_model):
    base = load_model(good_model).pipeline.base
    assert base.nbsvm.coef_.flags.f_contiguous
    assert base.svc_word.coef_.flags.f_contiguous and base.svc_char.coef_.flags.f_contiguous


def test_auto_dispatch_respects_the_threshold(good_model):
    model = load_model(good_model)
    label, conf = model.suggest("燃气表充值后没有反应", k=1)[0]
    assert model.auto_dispatch("燃气表充值后没有反应") == (label if conf >= model.threshold else None)


def test_two_label_model_works(tmp_path, train_rows):
    from classifier import train_model

    rows = [r for r in train_rows if r[1] in ("water", "gas")]
    model = load_model(train_model(rows, tmp_path / "m"))
    assert model.labels == ["gas", "water"]
    assert model.suggest("家里闻到很浓的燃气味", k=5)[0][0] == "gas"
    assert len(model.suggest("停水", k=5)) == 2


def test_loading_a_missing_directory_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model directory"):
        load_model(tmp_path)


def test_attach_subjects_splits_rows_by_the_longest_same_label_subject():
    from classifier.training import attach_subjects

    rows = [("小区停水三天没有自来水", "water"), ("学校乱收费", "education"), ("小区停水\n三天", "water")]
    subjects = [("小区", "water"), ("小区停水？", "water"), ("学校乱收费问题", "education")]
    out = attach_subjects(rows, subjects)
    assert out[0] == ("小区停水\n三天自来水", "water")
    assert out[1] == rows[1]  # the subject is longer than the text: nothing to split
    assert out[2] == rows[2]  # already in the raw shape
    assert attach_subjects([("小区停水三天", "gas")], subjects) == [("小区停水三天", "gas")]  # label differs


def test_subject_block_only_when_training_rows_have_subjects(train_rows):
    from classifier.pipeline import fit_pipeline

    texts, labels = [t for t, _ in train_rows], [lab for _, lab in train_rows]
    flat = fit_pipeline([t.replace("\n", "") for t in texts], labels)
    assert flat.base.svc_subj is None and flat.base.featurizer.subj is None
    assert flat.predict_proba([texts[0]]).shape == (1, 4)  # raw input with a subject still scores
    split = fit_pipeline(texts, labels)
    assert split.base.svc_subj is not None
    assert np.allclose(split.predict_proba(texts[:5]),
                       split.predict_proba_tokens([tokenizer.tokens(t) for t in texts[:5]]), atol=1e-10)
