"""恢复自动派单: a supervisor or admin ends a pause of the live auto-dispatch monitor from the dashboard."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.dispatching.monitor import resume
from hotline.errors import ApiError, ValidationError
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_message
from hotline.web.forms import flash_text
from hotline.web.supervision import model_label, supervision_dashboard


@bp.post("/supervision/monitor/<model_version>/resume")
@login_required(Role.SUPERVISOR, Role.ADMIN)
def supervision_monitor_resume(model_version: str) -> Any:
    """Resume auto-dispatch of a paused model version with the reason typed in the confirmation form."""
    db = db_session()
    try:
        resume(db, model_version=model_version[:80], actor=me(), reason=request.form.get("reason", "")[:2000],
               now=utcnow(), config=current_app.config)
    except ApiError as exc:
        db.rollback()
        flash(flash_text(exc) if isinstance(exc, ValidationError) else error_message(exc), "error")
        return supervision_dashboard(), exc.status
    db.commit()
    flash(f"已恢复 {model_label(model_version)} 模型的自动派单，监控将按恢复后的新结果重新计算准确率", "success")
    return redirect(url_for("web.supervision_dashboard") + "#auto-dispatch-monitor")

