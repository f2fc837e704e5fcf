"""时限与权重 (admins): the time limits and rate weights of a year, stored as that year's override."""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from hotline.casework import rate_refresh
from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.deadlines.policy import URGENCIES
from hotline.deadlines.service import time_limits
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.settings import service as settings
from hotline.supervision import refreshes
from hotline.supervision.models import RateRefresh
from hotline.supervision.rates import weights_in_force
from hotline.web.admin.common import refused
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp

TEMPLATE = "web/admin/limits.html"
URGENCY_LABELS = {"emergency": "紧急", "urgent": "加急", "normal": "一般", "complex": "复杂"}
PARTS = {"sign": "签收时限", "reply": "答复时限", "return": "可退单时限"}
UNITS = {"hours": "小时", "working_days": "工作日"}
WEIGHT_LABELS = {"response": "响应率权重", "solved": "解决率权重", "satisfied": "满意率权重",
                 "partly_solved": "部分解决折算", "basically_satisfied": "基本满意折算"}


def _number(form: Any, name: str, label: str, *, whole: bool = False) -> float:
    raw = (form.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(f"{label}须为数字") from None
    if not math.isfinite(value) or (whole and not value.is_integer()):
        raise ValidationError(f"{label}须为{'整数' if whole else '数字'}")
    return int(value) if whole or value.is_integer() else value


def limits_from_form(form: Any) -> dict[str, Any]:
    """The whole time limits posted by the page, as TimeLimits.from_dict takes them."""
    values: dict[str, Any] = {}
    for urgency in URGENCIES:
        values[urgency] = {}
        for part, part_label in PARTS.items():
            label = f"{URGENCY_LABELS[urgency]}件{part_label}"
            unit = form.get(f"{urgency}.{part}.unit")
            if unit not in UNITS:
                raise ValidationError(f"{label}的单位须为小时或工作日")
            values[urgency][part] = {unit: _number(form, f"{urgency}.{part}.amount", label)}
    values["reminder_fraction"] = _number(form, "reminder_percent", "临期提醒比例") / 100
    values["max_extension_days"] = _number(form, "max_extension_days", "最长延期工作日数", whole=True)
    values["escalate_after_working_days"] = _number(form, "escalate_after_working_days", "超期督办工作日数")
    values["follow_up_working_days"] = _number(form, "follow_up_working_days", "回访时限工作日数", whole=True)
    return values


def weights_from_form(form: Any) -> dict[str, float]:
    """The five weights posted by the page."""
    return {key: _number(form, key, label) for key, label in WEIGHT_LABELS.items()}


def _year() -> int:
    raw = request.values.get("year") or ""
    return int(raw) if raw.isdigit() and settings.YEAR_MIN <= int(raw) <= settings.YEAR_MAX else local(utcnow()).year


def _typed(form: Any, limits: dict[str, Any], weights: dict[str, Any], kind: str) -> None:
    """Put what was typed into the refused form back in place of the stored values (in place)."""
    if kind == settings.RATE_WEIGHTS:
        weights.update({key: (form.get(key) or "")[:20] for key in WEIGHT_LABELS})
        return
    for urgency in URGENCIES:
        for part in PARTS:
            unit = form.get(f"{urgency}.{part}.unit")
            limits[urgency][part] = {unit if unit in UNITS else "working_days":
                                     (form.get(f"{urgency}.{part}.amount") or "")[:20]}
    for name in ("max_extension_days", "escalate_after_working_days", "follow_up_working_days"):
        limits[name] = (form.get(name) or "")[:20]


def _context(year: int, form: Any = None) -> dict[str, Any]:
    db = db_session()
    limits = time_limits(db, year=year).to_dict()
    weights = weights_in_force(db, year)
    percent: Any = round(limits["reminder_fraction"] * 100, 2)
    if form is not None:
        _typed(form, limits, weights, form.get("kind", ""))
        percent = (form.get("reminder_percent") or "")[:20] if form.get("kind") == settings.TIME_LIMITS else percent
    return {"year": year, "limits": limits, "weights": weights, "urgencies": URGENCY_LABELS,
            "parts": PARTS, "units": UNITS, "weight_labels": WEIGHT_LABELS,
            "limits_row": settings.override_row(db, kind=settings.TIME_LIMITS, year=year),
            "weights_row": settings.override_row(db, kind=settings.RATE_WEIGHTS, year=year),
            "reminder_percent": percent, "refresh": refreshes.latest(db, reason=refreshes.limits_reason(year))}


@bp.get("/admin/limits")
@login_required(Role.ADMIN)
def admin_limits() -> Any:
    """The time limits and weights in force in a year, editable; whether they are the year's own or the defaults."""
    return render_template(TEMPLATE, **_context(_year()))


@bp.post("/admin/limits")
@login_required(Role.ADMIN)
def admin_limits_save() -> Any:
    """Store the year's time limits or weights (``kind``), checked whole."""
    year, kind, db = _year(), request.form.get("kind", ""), db_session()
    try:
        values = limits_from_form(request.form) if kind == settings.TIME_LIMITS else weights_from_form(request.form)
        settings.save_override(db, kind=kind, year=year, values=values, actor=me().username, now=utcnow())
    except ValidationError as exc:
        return refused(exc, TEMPLATE, lambda: _context(year, request.form))
    refresh = _refresh_facts(db, kind=kind, year=year)
    db.commit()
    what = "时限" if kind == settings.TIME_LIMITS else "考核权重"
    later = "；已有工单的考核数据正在后台重新计算" if refresh is not None and refresh.finished_at is None else ""
    flash(f"已保存 {year} 年的{what}，此后的计算按新设置执行{later}", "success")
    return redirect(url_for("web.admin_limits", year=year))


@bp.post("/admin/limits/reset")
@login_required(Role.ADMIN)
def admin_limits_reset() -> Any:
    """Drop the year's override of one setting: the configured defaults apply again."""
    year, kind, db = _year(), request.form.get("kind", ""), db_session()
    if kind not in settings.KINDS or not settings.clear_override(db, kind=kind, year=year):
        flash(f"{year} 年没有单独设置，无需恢复", "error")
        return redirect(url_for("web.admin_limits", year=year))
    _refresh_facts(db, kind=kind, year=year)
    db.commit()
    flash(f"已恢复 {year} 年的{'时限' if kind == settings.TIME_LIMITS else '考核权重'}为系统默认值", "success")
    return redirect(url_for("web.admin_limits", year=year))


def _refresh_facts(db: Any, *, kind: str, year: int) -> RateRefresh | None:
    """New limits of a year: the response facts of that year's dispatches are judged again, in the
    background (weights are read when the rates are, so they need nothing)."""
    if kind == settings.TIME_LIMITS:
        now = utcnow()
        refresh = refreshes.after_limits_change(db, year=year, now=now, actor=me().username)
        rate_refresh.start(db, refresh=refresh, config=current_app.config, now=now)
        return refresh
    return None
