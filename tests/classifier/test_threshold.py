"""Auto-dispatch threshold: the lowest confidence whose auto-dispatched rows are >= 97 % correct."""

import numpy as np
import pytest

from classifier.threshold import NEVER, choose_threshold


def test_small_example_with_known_answer():
    conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6]
    correct = [1, 1, 1, 0, 1, 0]
    # Precision of the top 1..6 rows: 1, 1, 1, .75, .8, .667 -> lowest threshold reaching .75 is 0.7.
    choice = choose_threshold(conf, correct, target=0.75)
    assert choice.threshold == 0.7
    assert choice.coverage == pytest.approx(5 / 6)
    assert choice.precision == pytest.approx(0.8)


def test_97_percent_on_two_hundred_rows():
    conf = np.linspace(1.0, 0.01, 200)
    correct = np.ones(200, dtype=bool)
    correct[[10, 50, 90]] = False  # 97 of the top 100 are right
    correct[100:] = False  # everything below is wrong
    choice = choose_threshold(conf, correct)
    assert choice.threshold == pytest.approx(conf[99])
    assert choice.coverage == pytest.approx(0.5)
    assert choice.precision == pytest.approx(0.97)


def test_order_of_input_does_not_matter():
    rng = np.random.default_rng(0)
    conf = rng.random(500)
    correct = rng.random(500) < conf
    perm = rng.permutation(500)
    assert choose_threshold(conf, correct) == choose_threshold(conf[perm], correct[perm])


def test_ties_are_kept_together():
    # The two rows at 0.9 are one right, one wrong: cutting between them is impossible.
    choice = choose_threshold([0.95, 0.9, 0.9], [1, 1, 0], target=0.97)
    assert choice.threshold == 0.95
    assert choice.coverage == pytest.approx(1 / 3)


def test_unreachable_target_disables_auto_dispatch():
    choice = choose_threshold([0.9, 0.8], [0, 0])
    assert choice.threshold == NEVER and choice.coverage == 0.0
    assert choose_threshold([], []).coverage == 0.0


def test_wilson_margin_needs_more_evidence():
    conf = np.linspace(1.0, 0.01, 200)
    correct = np.ones(200, dtype=bool)
    correct[[10, 50, 90]] = False
    correct[100:] = False
    assert choose_threshold(conf, correct).coverage == pytest.approx(0.5)
    # 97 of 100 (or 10 of 10) observed is too little evidence for a 95 % bound at 97 %.
    assert choose_threshold(conf, correct, z=1.645).threshold == NEVER


def test_wilson_margin_on_a_large_sample():
    conf = np.linspace(1.0, 0.0, 10_000, endpoint=False)
    correct = np.ones(10_000, dtype=bool)
    correct[5000::10] = False  # the confident half is always right, the rest 90 %
    plain = choose_threshold(conf, correct)
    careful = choose_threshold(conf, correct, z=1.645)
    assert plain.precision == pytest.approx(0.97, abs=1e-3)
    assert 0.5 < careful.coverage < plain.coverage < 1.0
    assert careful.precision > 0.972
