"""Load what the first request would otherwise wait for: jieba, the dispatch model, the knowledge index."""

from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)


def warm_up(app: Flask) -> None:
    """Run once per web worker after it starts; a failure here is logged, never fatal."""
    from hotline.db import session
    from hotline.dispatching.suggest import current_model
    from hotline.knowledge.search import current_index

    with app.app_context():
        try:
            current_model()
            current_index(session())
        except Exception:  # the request path reports real errors; start-up must not die for a cache
            log.exception("warm-up failed; the first request will load what it needs")
        finally:
            session().close()
