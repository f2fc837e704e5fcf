"""Help for the operator while they type: dispatch suggestions and knowledge-base matches.

The panel is an aid: a failing helper logs and shows nothing rather than stopping the intake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hotline.db import session
from hotline.dispatching.suggest import suggest_for_text
from hotline.knowledge.search import search_published

log = logging.getLogger(__name__)


def _safely(name: str, compute: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return list(compute())
    except Exception:
        log.exception("assist: %s failed", name)
        return []


def suggestions(text: str) -> list[dict[str, Any]]:
    """Top departments for the text: [{"department", "department_name", "confidence"}]."""
    if not text.strip():
        return []
    return _safely("suggestions", lambda: suggest_for_text(text, k=3))


def kb_matches(text: str) -> list[dict[str, Any]]:
    """Published knowledge articles matching the text: [{"id", "title", "snippet", "department"}]."""
    if not text.strip():
        return []
    return _safely("knowledge matches", lambda: search_published(session(), text, k=5))
