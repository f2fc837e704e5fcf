"""What the worker parent loads before forking, so no work-horse pays for it again (PERFORMANCE.md pitfall 1).

Each hook is optional: a module that does not exist (yet) is skipped, anything else that fails is logged.
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

# (module, function, needs an app context): jieba's dictionary, then the promoted dispatch model.
HOOKS: tuple[tuple[str, str, bool], ...] = (
    ("classifier.tokenizer", "init", False),
    ("hotline.dispatching.suggest", "current_model", True),
)


def preload(app: Flask, hooks: tuple[tuple[str, str, bool], ...] = HOOKS) -> dict[str, Any]:
    """Run each available hook once; returns what ran and how long it took (seconds) or why not."""
    report: dict[str, Any] = {}
    for module_name, attr, needs_app in hooks:
        key = f"{module_name}.{attr}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                report[key] = "absent"
                continue
            log.exception("preload %s: import failed", key)
            report[key] = f"error: {exc}"
            continue
        hook = getattr(module, attr, None)
        if hook is None:
            report[key] = "absent"
            continue
        started = time.perf_counter()
        try:
            if needs_app:
                with app.app_context():
                    hook()
            else:
                hook()
        except Exception as exc:  # a missing model must not stop reminders from going out
            log.exception("preload %s failed", key)
            report[key] = f"error: {exc}"
            continue
        report[key] = round(time.perf_counter() - started, 3)
    log.info("preloaded before forking: %s", report)
    return report
