"""Reading labelled CSV files, training a model directory and evaluating a model on rows."""

from __future__ import annotations

import csv
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from classifier import tokenizer
from classifier.metrics import classification_metrics
from classifier.pipeline import fit_pipeline
from classifier.registry import DispatchModel, save_model

Row = tuple[str, str]


class DataError(ValueError):
    """The training or evaluation data cannot be used (missing file, columns, rows or labels)."""


def read_rows(path: str | os.PathLike, *, min_labels: int = 2) -> list[Row]:
    """Read (text, label) rows from a UTF-8 CSV with ``text`` and ``label`` columns."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"text", "label"} - set(reader.fieldnames or [])
            if missing:
                raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))} (need text,label)")
            rows = [(r["text"] or "", (r["label"] or "").strip()) for r in reader]
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from exc
    rows = [(t, lab) for t, lab in rows if t.strip() and lab]
    if not rows:
        raise DataError(f"{path}: no rows with both text and label")
    found = len({lab for _, lab in rows})
    if found < min_labels:
        raise DataError(f"{path}: needs at least {min_labels} distinct labels (found {found})")
    return rows


def read_subjects(path: str | os.PathLike) -> list[Row]:
    """Read (subject, label) rows from a UTF-8 CSV with ``subject`` and ``label`` columns."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"subjects file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"subject", "label"} - set(reader.fieldnames or [])
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))} (need subject,label)")
        return [((r["subject"] or "").strip(), (r["label"] or "").strip()) for r in reader]


def attach_subjects(rows: Sequence[Row], subjects: Iterable[Row]) -> list[Row]:
    """Rewrite training rows whose text starts with a known subject of the same label as "subject\\nbody".

    Pre-segmented training texts run subject and body together; this gives them the raw-message shape
    (see ``tokenizer.with_subject``) so that training and prediction split the subject the same way.
    The longest matching subject wins; rows without one, or already containing a line break, stay as
    they are.
    """
    known: dict[str, set[str]] = {}
    for subject, label in subjects:
        head = tokenizer.canonical(subject)
        if head:
            known.setdefault(head, set()).add(label)
    longest = max(map(len, known), default=0)
    out = []
    for text, label in rows:
        full = "" if "\n" in text else tokenizer.canonical(text)
        head = next((full[:n] for n in range(min(longest, len(full) - 1), 1, -1)
                     if label in known.get(full[:n], ())), None)
        out.append((f"{head}\n{full[len(head):]}" if head else text, label))
    return out


def subjects_beside(data: str | os.PathLike) -> Path | None:
    """NAME_subjects.csv next to NAME.csv: the raw subjects of the training texts, when published with them."""
    data = Path(data)
    candidate = data.with_name(f"{data.stem}_subjects.csv")
    return candidate if candidate.is_file() else None


def with_subjects(rows: Sequence[Row], subjects: str | os.PathLike | None) -> list[Row]:
    """The training rows as every trainer (CLI, nightly retraining) gives them to ``train_model``:
    split at the subjects of the ``subject,label`` CSV when there is one (see ``attach_subjects``)."""
    return attach_subjects(rows, read_subjects(subjects)) if subjects else list(rows)


def split_key(text: str) -> str:
    """The text with everything but Han characters dropped: a row keeps its side of the split whatever
    its punctuation, spacing or "subject\nbody" shape."""
    return "".join(tokenizer.normalise(text).split())


def evaluation_split(rows: Sequence[Row], share: int = 5) -> tuple[list[Row], list[Row]]:
    """A fixed split by text hash: one row in ``share`` goes to the evaluation slice, the rest to training.

    The slice depends only on each row's text, so every model trained on the training side of any data
    (the first model, each nightly candidate) is judged on rows that none of them was fitted on.
    """
    train: list[Row] = []
    held: list[Row] = []
    for row in rows:
        bucket = int(hashlib.sha256(split_key(row[0]).encode("utf-8")).hexdigest(), 16) % share
        (held if bucket == 0 else train).append(row)
    return train, held


def _progress_printer(enabled: bool):
    """Return a callback that shows training stages with tqdm (or a no-op)."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=8, desc="training", unit="step", file=sys.stderr, leave=False)

    def step(msg: str) -> None:
        bar.set_postfix_str(msg)
        bar.update(1)

    return step, bar.close


def train_model(rows: Sequence[Row], out_dir: str | os.PathLike, *, progress: bool = False,
                raw: Mapping[int, str] | None = None) -> Path:
    """Train on (text, label) rows and write a model directory; return its path.

    ``raw``: raw "subject\nbody" messages of some rows by index (``rawtext.raw_messages``); the
    auto-dispatch threshold is then chosen on their out-of-fold predictions."""
    rows = [(str(t), str(lab)) for t, lab in rows]
    if len({lab for _, lab in rows}) < 2:
        raise DataError("training data needs at least two distinct labels")
    Path(out_dir).mkdir(parents=True, exist_ok=True)  # fail before minutes of training, not after
    step, close = _progress_printer(progress)
    try:
        pipe = fit_pipeline([t for t, _ in rows], [lab for _, lab in rows], progress=step, raw=raw)
    finally:
        close()
    return save_model(pipe, Path(out_dir), rows)


def latency_ms(model: DispatchModel, texts: Iterable[str]) -> dict[str, float]:
    """Return p50/p99 single-document suggest latency in ms (wall and thread CPU), tokenizer included.

    The CPU figures stay meaningful on a shared, overloaded machine where wall time mostly measures
    waiting for a core.
    """
    tokenizer.init()
    wall, cpu = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.thread_time()
        model.suggest(text, k=3)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    if not wall:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "cpu_p50_ms": 0.0, "cpu_p99_ms": 0.0}
    return {
        "p50_ms": round(float(np.percentile(wall, 50)), 3),
        "p99_ms": round(float(np.percentile(wall, 99)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3),
    }


def evaluate_model(model: DispatchModel, rows: Sequence[Row], *, timing: bool = True) -> dict:
    """Return the evaluation JSON object for a model on (text, label) rows."""
    texts = [t for t, _ in rows]
    proba = model.predict_proba(texts)
    pred = np.asarray(model.labels)[proba.argmax(axis=1)]
    result = classification_metrics([lab for _, lab in rows], pred, proba.max(axis=1), model.threshold)
    result.update(latency_ms(model, texts) if timing else {"p50_ms": None, "p99_ms": None})
    result["model_version"] = model.version
    result["rows"] = len(rows)
    return result
