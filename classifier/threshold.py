"""Choice of the auto-dispatch threshold from out-of-fold confidences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEVER = 1.01  # above any probability: nothing is auto-dispatched


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold with the share of rows it covers and their precision."""

    threshold: float
    coverage: float
    precision: float


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float = 0.97) -> ThresholdChoice:
    """Return the lowest confidence t such that rows with confidence >= t are at least `target` correct.

    Ties are taken together (a threshold cannot split rows of equal confidence).  When no threshold
    reaches the target, the threshold is ``NEVER`` with coverage 0.
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    if conf.size == 0:
        return ThresholdChoice(NEVER, 0.0, 0.0)
    order = np.argsort(-conf, kind="stable")
    conf, ok = conf[order], ok[order]
    # The last row of each run of equal confidences is where a threshold can cut.
    last_of_run = np.r_[conf[1:] != conf[:-1], True]
    hits = np.cumsum(ok)[last_of_run]
    counts = np.arange(1, conf.size + 1)[last_of_run]
    # The epsilon keeps exactly 97 of 100 from failing on 0.97 * 100 == 97.00000000000001.
    good = np.nonzero(hits >= target * counts - 1e-9)[0]
    if good.size == 0:
        return ThresholdChoice(NEVER, 0.0, 0.0)
    k = good[-1]
    return ThresholdChoice(float(conf[last_of_run][k]), float(counts[k] / conf.size), float(hits[k] / counts[k]))
