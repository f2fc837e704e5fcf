"""Model directories, loading with a version check, and a registry with a ``current`` pointer.

A model directory holds ``model.joblib`` (the pipeline), ``labels`` (one label a line),
``metrics.json`` (cross-validated metrics from training) and ``meta.json`` (version id, library
versions, sha256 of the training data, threshold, coverage).

A registry root holds ``versions/<version>/`` model directories and a ``current`` file naming the
promoted version; the pointer is replaced atomically so readers never see a half-written one.  It also
keeps ``evaluation.csv``, the fixed slice of labelled rows that no model of the registry is trained on
and on which every candidate is compared with the current model.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jieba
import joblib
import numpy as np
import scipy
import sklearn
from sklearn.metrics import f1_score

from classifier import tokenizer
from classifier.pipeline import DispatchPipeline

MODEL_FILE = "model.joblib"
CURRENT = "current"
EVALUATION = "evaluation.csv"
VERSIONS = "versions"


class IncompatibleModelError(RuntimeError):
    """The model was built with a scikit-learn whose major.minor differs from the installed one."""


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def library_versions() -> dict[str, str]:
    """Return the versions that a saved model depends on."""
    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "jieba": jieba.__version__,
        "rjieba": importlib.metadata.version("rjieba"),
        "python": platform.python_version(),
    }


def data_sha256(rows: Sequence[tuple[str, str]]) -> str:
    """Return the sha256 of the (text, label) rows, independent of the file's other columns."""
    h = hashlib.sha256()
    for text, label in rows:
        h.update(text.encode("utf-8") + b"\x1f" + label.encode("utf-8") + b"\x1e")
    return h.hexdigest()


def save_model(pipe: DispatchPipeline, out_dir: Path, rows: Sequence[tuple[str, str]]) -> Path:
    """Write the model directory and return it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = data_sha256(rows)
    chosen_on = pipe.cv.get("raw_messages") or pipe.cv
    now = datetime.now(UTC)
    version = f"{now:%Y%m%dT%H%M%S%fZ}-{digest[:8]}"
    joblib.dump(pipe, out_dir / MODEL_FILE, compress=3)
    (out_dir / "labels").write_text("".join(f"{c}\n" for c in pipe.classes), encoding="utf-8")
    _write_json(out_dir / "metrics.json", {"cross_validation": pipe.cv})
    meta = {
        "version": version,
        "created_at": now.isoformat(timespec="seconds"),
        "libraries": library_versions(),
        "training_data_sha256": digest,
        "training_rows": len(rows),
        "threshold": pipe.threshold,
        # Out-of-fold share and precision at the threshold, on the raw messages when it was chosen on them.
        "coverage": chosen_on.get("coverage_at_threshold"),
        "precision_at_threshold": chosen_on.get("precision_at_threshold"),
        "threshold_from": pipe.cv.get("threshold_from", "training_rows"),
        "target_precision": 0.97,
    }
    _write_json(out_dir / "meta.json", meta)
    return out_dir


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class DispatchModel:
    """A loaded model: ``suggest`` returns departments with calibrated confidence, best first."""

    def __init__(self, path: Path, pipe: DispatchPipeline, meta: dict) -> None:
        self.path = Path(path)
        self.pipeline = pipe
        self.meta = meta
        self.version: str = meta["version"]
        self.threshold: float = float(meta["threshold"])
        self.coverage: float | None = meta.get("coverage")
        self.labels: list[str] = [str(c) for c in pipe.classes]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return calibrated probabilities, columns in ``labels`` order."""
        return self.pipeline.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the most likely label of each text."""
        return [self.labels[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Return the k most likely labels with their calibrated confidence, best first."""
        return self.suggest_words(tokenizer.tokens(text), k)

    def suggest_words(self, words: list[str], k: int = 3) -> list[tuple[str, float]]:
        """``suggest`` for a text the caller already segmented with ``tokenizer.tokens`` (segment once,
        share the words with other consumers)."""
        proba = self.pipeline.proba_words(words)
        top = np.argsort(-proba, kind="stable")[: max(k, 0)]
        return [(self.labels[i], float(proba[i])) for i in top]

    def auto_dispatch(self, text: str) -> str | None:
        """Return the label when its confidence reaches the threshold, else None (operator decides)."""
        label, conf = self.suggest(text, k=1)[0]
        return label if conf >= self.threshold else None

    def __repr__(self) -> str:
        return f"DispatchModel(version={self.version!r}, threshold={self.threshold:.3f}, labels={len(self.labels)})"


def load_model(path: str | os.PathLike) -> DispatchModel:
    """Load a model directory; refuse one built with another scikit-learn major.minor."""
    path = Path(path)
    meta_file = path / "meta.json"
    if not meta_file.is_file():
        raise FileNotFoundError(f"{path} is not a model directory (no meta.json)")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    built = meta.get("libraries", {}).get("scikit-learn", "unknown")
    if _major_minor(built) != _major_minor(sklearn.__version__):
        raise IncompatibleModelError(
            f"model {meta.get('version')} was built with scikit-learn {built}, but {sklearn.__version__} "
            "is installed; retrain it with `python -m classifier train`"
        )
    pipe: DispatchPipeline = joblib.load(path / MODEL_FILE)
    pipe.base.fortranize()
    tokenizer.init()
    return DispatchModel(path, pipe, meta)


def current_model_dir(root: str | os.PathLike) -> Path | None:
    """Return the directory of the promoted version under a registry root, or None."""
    pointer = Path(root) / CURRENT
    if not pointer.is_file():
        return None
    version = pointer.read_text(encoding="utf-8").strip()
    target = Path(root) / VERSIONS / version
    return target if target.is_dir() else None


def resolve_model_dir(path: str | os.PathLike) -> Path | None:
    """Return path itself when it is a model directory, else the current version of the registry it roots."""
    path = Path(path)
    return path if (path / "meta.json").is_file() else current_model_dir(path)


@dataclass(frozen=True)
class Promotion:
    """Outcome of ``promote_if_not_worse``."""

    promoted: bool
    version: str
    candidate_macro_f1: float
    current_macro_f1: float | None


def _macro_f1(model: DispatchModel, rows: Sequence[tuple[str, str]]) -> float:
    y = [label for _, label in rows]
    return float(f1_score(y, model.predict([text for text, _ in rows]), average="macro", zero_division=0))


def promote_if_not_worse(
    root: str | os.PathLike, candidate_dir: str | os.PathLike, eval_rows: Iterable[tuple[str, str]]
) -> Promotion:
    """Promote the candidate when its macro-F1 on eval_rows is >= the current model's (or none is current).

    A current model that can no longer be loaded (e.g. an incompatible scikit-learn) counts as absent.
    """
    root = Path(root)
    rows = [(str(t), str(lab)) for t, lab in eval_rows]
    if not rows:
        raise ValueError("promotion needs evaluation rows")
    candidate = load_model(candidate_dir)
    cand_f1 = _macro_f1(candidate, rows)
    current_f1 = None
    current_dir = current_model_dir(root)
    if current_dir is not None:
        try:
            current_f1 = _macro_f1(load_model(current_dir), rows)
        except IncompatibleModelError:
            current_f1 = None
    if current_f1 is not None and cand_f1 < current_f1:
        return Promotion(False, candidate.version, cand_f1, current_f1)
    target = root / VERSIONS / candidate.version
    if Path(candidate_dir).resolve() != target.resolve():
        shutil.copytree(candidate_dir, target, dirs_exist_ok=True)
    _point_current(root, candidate.version)
    return Promotion(True, candidate.version, cand_f1, current_f1)


def _point_current(root: Path, version: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".current.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
    os.replace(tmp, root / CURRENT)


def evaluation_slice(root: str | os.PathLike) -> list[tuple[str, str]] | None:
    """The registry's kept evaluation rows, or None when it keeps none yet."""
    path = Path(root) / EVALUATION
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["text"], r["label"]) for r in csv.DictReader(fh)]


def keep_evaluation_slice(root: str | os.PathLike, rows: Sequence[tuple[str, str]]) -> Path:
    """Write the registry's evaluation rows (atomically) and return the file."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".evaluation.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    os.replace(tmp, root / EVALUATION)
    return root / EVALUATION


@dataclass(frozen=True)
class VersionInfo:
    """One version kept in a registry: its directory, meta.json, metrics.json and whether it is current."""

    version: str
    path: Path
    meta: dict
    metrics: dict
    current: bool


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def list_versions(root: str | os.PathLike) -> list[VersionInfo]:
    """Every version kept under a registry root, newest first (version ids begin with their UTC time)."""
    base = Path(root) / VERSIONS
    current = current_model_dir(root)
    if not base.is_dir():
        return []
    found = [VersionInfo(d.name, d, _read_json(d / "meta.json"), _read_json(d / "metrics.json"),
                         current is not None and d.resolve() == current.resolve())
             for d in base.iterdir() if (d / "meta.json").is_file()]
    return sorted(found, key=lambda v: v.version, reverse=True)


def promote_version(root: str | os.PathLike, version: str) -> str:
    """Make a kept version current (a manual promotion or a roll back); it must load with this scikit-learn.

    Raises KeyError for a version the registry does not keep and IncompatibleModelError for one that
    cannot be loaded here."""
    root = Path(root)
    known = {v.version: v for v in list_versions(root)}
    if version not in known:
        raise KeyError(version)
    load_model(known[version].path)  # never point readers at a model they cannot load
    _point_current(root, version)
    return version


def previous_version(root: str | os.PathLike) -> str | None:
    """The newest kept version older than the current one (what a roll back returns to), or None."""
    versions = list_versions(root)
    current = next((v.version for v in versions if v.current), None)
    if current is None:
        return None
    return next((v.version for v in versions if v.version < current), None)
