"""Dispatch classifier for 12345 hotline requests: raw citizen text -> department with calibrated confidence.

Pure library: no Flask, no database, no project imports.  Public API::

    from classifier import load_model, train_model, current_model_dir, promote_if_not_worse

    model = load_model(resolve_model_dir(os.environ["HOTLINE_MODEL_DIR"]))  # model dir or registry root
    model.suggest("小区楼下餐馆油烟扰民", k=3)        # [(label, confidence), ...] best first
    model.auto_dispatch(text)                        # label if confidence >= model.threshold else None

Call ``classifier.init()`` in a worker parent before forking so children share jieba's dictionary.
"""

from classifier.registry import (
    DispatchModel,
    IncompatibleModelError,
    Promotion,
    VersionInfo,
    current_model_dir,
    evaluation_slice,
    keep_evaluation_slice,
    list_versions,
    load_model,
    previous_version,
    promote_if_not_worse,
    promote_version,
    resolve_model_dir,
)
from classifier.tokenizer import init
from classifier.training import DataError, evaluate_model, read_rows, train_model

__all__ = [
    "DataError",
    "DispatchModel",
    "IncompatibleModelError",
    "Promotion",
    "VersionInfo",
    "current_model_dir",
    "evaluate_model",
    "evaluation_slice",
    "init",
    "keep_evaluation_slice",
    "list_versions",
    "load_model",
    "previous_version",
    "promote_if_not_worse",
    "promote_version",
    "read_rows",
    "resolve_model_dir",
    "train_model",
]
