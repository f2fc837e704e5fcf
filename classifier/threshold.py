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


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float = 0.97, z: float = 0.0
) -> ThresholdChoice:
    """Return the lowest confidence t such that rows with confidence >= t are at least `target` correct.

    With ``z > 0`` the precision that must reach the target is the Wilson lower bound at that many
    standard errors, not the observed share: the lowest threshold that just reaches 97 % on
    out-of-fold rows falls below 97 % on new rows about half of the time.  Ties are taken together (a
    threshold cannot split rows of equal confidence).  When no threshold reaches the target, the
    threshold is ``NEVER`` with coverage 0.
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
    good = np.nonzero(wilson_lower(hits, counts, z) >= target - 1e-9)[0]
    if good.size == 0:
        return ThresholdChoice(NEVER, 0.0, 0.0)
    k = good[-1]
    return ThresholdChoice(float(conf[last_of_run][k]), float(counts[k] / conf.size), float(hits[k] / counts[k]))


def wilson_lower(hits: np.ndarray, counts: np.ndarray, z: float) -> np.ndarray:
    """Wilson score lower bound of a proportion (z standard errors); equals hits / counts when z == 0."""
    p = hits / counts
    if z == 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * counts)
    margin = z * np.sqrt(p * (1 - p) / counts + z2 / (4 * counts * counts))
    return (centre - margin) / (1 + z2 / counts)
