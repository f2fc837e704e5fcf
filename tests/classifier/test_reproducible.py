"""Training is reproducible: the same rows give the same metrics and the same probabilities."""

import numpy as np

from classifier import load_model, train_model


def test_two_trainings_on_the_same_rows_give_identical_metrics(tmp_path, train_rows, eval_rows):
    # Different global numpy seeds before each run: nothing in training may draw from the global state.
    np.random.seed(1)
    first = train_model(train_rows, tmp_path / "first")
    np.random.seed(2)
    second = train_model(train_rows, tmp_path / "second")
    assert (first / "metrics.json").read_bytes() == (second / "metrics.json").read_bytes()
    texts = [text for text, _ in eval_rows]
    a, b = load_model(first), load_model(second)
    assert a.threshold == b.threshold
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))
