"""Help for the operator while they type: dispatch suggestions and knowledge-base matches.

The services behind these live in other packages that may not be installed yet; the console
degrades to an empty panel rather than failing, and says why in the log.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from hotline.db import session

log = logging.getLogger(__name__)

SUGGEST_MODULES = ("hotline.dispatching.suggest",)
# The brief named hotline.knowledge.service; the function landed in hotline.knowledge.search.
KB_MODULES = ("hotline.knowledge.search", "hotline.knowledge.service")


def _service(module: str, name: str) -> Any | None:
    """The named function, or None when its module (or a parent package) does not exist yet."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only a missing service module is expected; a broken import inside it is a real error.
        if exc.name and module.startswith(exc.name):
            return None
        raise
    return getattr(found, name, None)


def _call(modules: tuple[str, ...], name: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    func = next((f for f in (_service(m, name) for m in modules) if f is not None), None)
    if func is None:
        log.info("assist: %s not available yet in %s", name, ", ".join(modules))
        return []
    try:
        return list(func(*args, **kwargs))
    except Exception:  # the panel is an aid: a failing helper must not stop the intake
        log.exception("assist: %s failed", name)
        return []


def suggestions(text: str) -> list[dict[str, Any]]:
    """Top departments for the text: [{"department", "department_name", "confidence"}]."""
    if not text.strip():
        return []
    return _call(SUGGEST_MODULES, "suggest_for_text", text, k=3)


def kb_matches(text: str) -> list[dict[str, Any]]:
    """Published knowledge articles matching the text: [{"id", "title", "snippet", "department"}]."""
    if not text.strip():
        return []
    return _call(KB_MODULES, "search_published", session(), text, k=5)
