"""Starting a rate refresh (hotline.supervision.refreshes) from a request: in a background job once the
request commits, or in the request itself when the app runs without queues (tests, the CLI)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.supervision import refreshes
from hotline.supervision.models import RateRefresh


def job_id(refresh_id: int) -> str:
    """The RQ job id of a refresh (one job per refresh at a time)."""
    return f"rate-refresh-{refresh_id}"


def start(session: Session, *, refresh: RateRefresh, config: Mapping[str, Any], now: datetime) -> None:
    """Run the refresh's job after the commit; without queues, run it now in the caller's transaction."""
    if not config.get("QUEUES_ENABLED", True):
        refreshes.run(session, refresh_id=refresh.id, now=now)
        return
    # the web app and its API are composition roots here, as for the knowledge-base import
    from workers.queues import enqueue_after_commit

    enqueue_after_commit(session, config, "workers.jobs.refresh_rates", refresh.id, job_id=job_id(refresh.id))
