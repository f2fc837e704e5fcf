"""Classification metrics in the JSON shape that ``evaluate`` prints."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def classification_metrics(y_true, y_pred, confidence, threshold: float) -> dict:
    """Return accuracy, macro-F1, per-label scores and coverage/precision at the threshold."""
    y_true = np.asarray(y_true).astype(str)
    y_pred = np.asarray(y_pred).astype(str)
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    auto = np.asarray(confidence) >= threshold
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "per_label": {
            lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                  "f1": round(float(f[i]), 4), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "threshold": round(float(threshold), 4),
        "coverage_at_threshold": round(float(auto.mean()), 4) if auto.size else 0.0,
        "precision_at_threshold": round(float((y_true[auto] == y_pred[auto]).mean()), 4) if auto.any() else None,
    }
