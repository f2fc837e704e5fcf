"""Department suggestions from the current dispatch model (loaded once per process, reloaded on promotion)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

import classifier

_lock = threading.Lock()
_loaded: dict[str, Any] = {"dir": None, "model": None, "checked": 0.0, "root": None}
RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class Suggestion:
    """One proposed department with the model's calibrated confidence."""

    department: str
    confidence: float
    label: str


def current_model() -> Any | None:
    """The promoted model of HOTLINE_MODEL_DIR, or None when no model has been trained yet."""
    root = Path(current_app.config["HOTLINE_MODEL_DIR"])
    now = time.monotonic()
    if _loaded["model"] is not None and now - _loaded["checked"] < RECHECK_SECONDS \
            and _loaded["root"] == root:
        return _loaded["model"]
    with _lock:
        directory = classifier.current_model_dir(root)
        _loaded["checked"], _loaded["root"] = now, root
        if directory is None:
            _loaded["dir"] = _loaded["model"] = None
        elif directory != _loaded["dir"]:
            _loaded["model"], _loaded["dir"] = classifier.load_model(directory), directory
        return _loaded["model"]


def forget_model() -> None:
    """Drop the cached model (tests, or right after a promotion in this process)."""
    with _lock:
        _loaded.update({"dir": None, "model": None, "checked": 0.0, "root": None})


def label_department(label: str) -> str:
    """The department code a model label stands for (identity for labels that are codes)."""
    return current_app.config["LABEL_DEPARTMENTS"].get(label, label)


def suggest(text: str, *, k: int = 3, words: list[str] | None = None) -> tuple[list[Suggestion], Any | None]:
    """Top-k departments for a text, best first, and the model that proposed them.

    `words`: the text already segmented by `classifier.tokenizer.tokens` (intake segments once)."""
    model = current_model()
    if model is None or not text.strip():
        return [], model
    merged: dict[str, Suggestion] = {}
    found = model.suggest(text, k=k) if words is None else model.suggest_words(words, k=k)
    for label, confidence in found:
        department = label_department(label)
        if department not in merged:
            merged[department] = Suggestion(department, round(float(confidence), 4), label)
    return list(merged.values())[:k], model


def suggest_for_text(text: str, k: int = 3) -> list[dict[str, Any]]:
    """Suggestions as JSON-ready dicts with department names (for the operator's typing panel)."""
    from sqlalchemy import select

    from hotline.db import session
    from hotline.departments.models import Department

    found, _model = suggest(text, k=k)
    names = dict(session().execute(select(Department.code, Department.name)).all())
    return [{"department": s.department, "department_name": names.get(s.department, s.department),
             "confidence": s.confidence} for s in found]
