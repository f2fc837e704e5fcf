"""模型版本 (admins): every kept dispatch model with its metrics and live precision; promote or roll back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

import classifier
from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.dispatching.monitor import monitor_summary
from hotline.dispatching.suggest import current_model, forget_model, label_department
from hotline.notify.service import Audience, Message, notify, users_with_role
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp
from hotline.web.common import departments

TEMPLATE = "web/admin/models.html"
STATUS_LABELS = {"collecting": "样本积累中", "ok": "正常", "raised": "已自动提高阈值", "paused": "已暂停自动派单"}
THRESHOLD_FROM = {"raw_messages": "原始来信", "training_rows": "训练样本"}


def _root() -> Path:
    return Path(current_app.config["HOTLINE_MODEL_DIR"])


def _trained_at(meta: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(meta.get("created_at")))
    except ValueError:
        return None


def _rows() -> list[dict[str, Any]]:
    """The versions, newest first, numbered in training order, with their live figures when any."""
    versions = classifier.list_versions(_root())
    try:
        live = {m["model_version"]: m for m in monitor_summary(db_session(), config=current_app.config,
                                                               current=current_model())["models"]}
    except Exception:  # an unloadable current model must not hide the page that rolls it back
        current_app.logger.exception("models page: live monitor unavailable")
        live = {}
    names = dict(departments())
    rows = []
    for number, info in zip(range(len(versions), 0, -1), versions, strict=True):
        cv = info.metrics.get("cross_validation", {})
        raw = cv.get("raw_messages") or {}
        labels = [(names.get(label_department(label), label), scores) for label, scores in
                  sorted((raw.get("per_label") or cv.get("per_label") or {}).items())]
        rows.append({"number": number, "info": info, "meta": info.meta, "cv": cv, "raw": raw, "labels": labels,
                     "trained_at": _trained_at(info.meta), "live": live.get(info.version),
                     "threshold_from": THRESHOLD_FROM.get(str(info.meta.get("threshold_from")), "训练样本")})
    return rows


@bp.get("/admin/models")
@login_required(Role.ADMIN)
def admin_models() -> Any:
    """Every kept model version: training metrics, threshold and coverage, live auto-dispatch precision."""
    rows = _rows()
    previous = classifier.previous_version(_root())
    return render_template(TEMPLATE, rows=rows, status_labels=STATUS_LABELS,
                           previous=next((r for r in rows if r["info"].version == previous), None))


def _switch(version: str, done: str) -> Any:
    try:
        classifier.promote_version(_root(), version)
    except KeyError:
        flash("没有这个模型版本", "error")
        return render_template(TEMPLATE, rows=_rows(), status_labels=STATUS_LABELS, previous=None), 404
    except (classifier.IncompatibleModelError, OSError, ValueError):
        current_app.logger.exception("models page: version %s cannot be loaded", version)
        flash("该版本无法在当前运行环境中加载，未启用", "error")
        return render_template(TEMPLATE, rows=_rows(), status_labels=STATUS_LABELS, previous=None), 409
    forget_model()  # this process answers with the new model at once; the others within half a minute
    _tell(version, done)
    flash(done, "success")
    return redirect(url_for("web.admin_models"))


def _tell(version: str, done: str) -> None:
    """Supervisors and admins learn in their inbox which model dispatches now, and who switched it."""
    db, now = db_session(), utcnow()
    number = next((r["number"] for r in _rows() if r["info"].version == version), None)
    audience = Audience(users=users_with_role(db, Role.SUPERVISOR) + users_with_role(db, Role.ADMIN))
    body = f"{me().display_name}于{local(now):%Y年%m月%d日 %H:%M}启用第 {number} 版派单模型。{done}。"
    notify(db, key=f"model-switch:{version}:{now.isoformat()}", audience=audience, now=now,
           message=Message(kind="dispatch_monitor", title="派单模型已切换", body=body,
                           data={"model_version": version}), contacts=current_app.config.get("NOTIFY_CONTACTS"))
    db.commit()


@bp.post("/admin/models/promote")
@login_required(Role.ADMIN)
def admin_models_promote() -> Any:
    """Make the chosen version the one that dispatches (a manual promotion, or a roll back to it)."""
    version = (request.form.get("version") or "").strip()[:100]
    return _switch(version, "已启用所选模型版本，新受理的诉求将使用该模型推荐和自动派单")


@bp.post("/admin/models/rollback")
@login_required(Role.ADMIN)
def admin_models_rollback() -> Any:
    """Go back to the version that was promoted before the current one."""
    previous = classifier.previous_version(_root())
    if previous is None:
        flash("没有可回滚的更早版本", "error")
        return redirect(url_for("web.admin_models"))
    return _switch(previous, "已回滚到上一个模型版本")
