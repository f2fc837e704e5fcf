"""受理台 helpers: the caller's history (来电弹屏), 有帮助/没帮助 on an article, and 紧急转办 straight away."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import flash, jsonify, redirect, request, url_for

from hotline.casework import intake, moves
from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.errors import ApiError, ValidationError
from hotline.knowledge.service import get_article, give_feedback
from hotline.tickets import service
from hotline.tickets.enums import OPEN_STATUSES, Action
from hotline.tickets.rules import rules_at
from hotline.tickets.schemas import PHONE
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_message
from hotline.web.forms import label

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER)
EMERGENCY_SERVICES = {"110": "110（公安）", "119": "119（消防）", "120": "120（急救）"}


def _body() -> Any:
    return (request.get_json(silent=True) or {}) if request.is_json else request.form


def _error(field: str, message: str, status: int = 422) -> Any:
    return jsonify({"error": {"code": "validation_error", "message": message,
                              "details": [{"field": field, "message": message}]}}), status


def history_item(ticket: Any) -> dict[str, Any]:
    """One earlier ticket as the side panel shows it (no caller identity: the operator has the number)."""
    return {"id": ticket.id, "number": ticket.number, "url": url_for("web.ticket_detail", ticket_id=ticket.id),
            "received": local(ticket.received_at).strftime("%Y-%m-%d %H:%M"),
            "status": label(ticket.status), "open": ticket.status in OPEN_STATUSES,
            "department": ticket.department.name if ticket.department else "未派单",
            "result": label(ticket.reply_result or ticket.close_reason) if (ticket.reply_result
                                                                            or ticket.close_reason) else "",
            "content": ticket.content[:60]}


@bp.post("/console/assist/history")
@login_required(*INTAKE_ROLES)
def assist_history() -> Any:
    """The caller's earlier tickets for the number being entered (POST: the number stays out of URLs)."""
    phone = _body().get("phone")
    if not isinstance(phone, str):
        return _error("phone", "phone 必须是字符串")
    phone = phone.strip()
    if not re.fullmatch(PHONE, phone) or len(re.sub(r"\D", "", phone)) < 7:
        return jsonify({"items": []})
    rows = service.caller_history(db_session(), user=me(), phone=phone, limit=10)
    return jsonify({"items": [history_item(t) for t in rows]})


@bp.post("/console/kb/<int:article_id>/feedback")
@login_required(*INTAKE_ROLES)
def kb_feedback(article_id: int) -> Any:
    """有帮助 / 没帮助 on a knowledge article from the console (JSON for the panel, or a form)."""
    body = _body()
    helped = {"1": True, "true": True, True: True, "0": False, "false": False, False: False}.get(
        body.get("helped"))
    if helped is None:
        return _error("helped", "请选择有帮助或没帮助")
    ticket_id = body.get("ticket_id")
    ticket_id = int(ticket_id) if isinstance(ticket_id, int | str) and str(ticket_id).isdigit() else None
    db, user = db_session(), me()
    if ticket_id is not None:
        ticket_id = service.get_visible(db, user=user, ticket_id=ticket_id).id
    article = get_article(db, article_id=article_id, user=user, for_update=True)
    give_feedback(db, article=article, actor=user, helped=helped, now=utcnow(), ticket_id=ticket_id)
    counts = {"helped": article.helped_count, "not_helped": article.not_helped_count}
    db.commit()
    if request.is_json:
        return jsonify({"ok": True, **counts})
    flash("已记录：" + ("有帮助" if helped else "没帮助"), "success")
    return redirect(url_for("web.console_ticket", ticket_id=ticket_id) if ticket_id else url_for("web.console"))


@bp.post("/console/emergency")
@login_required(*INTAKE_ROLES)
def console_emergency() -> Any:
    """转110/119/120 before the intake form is complete: receive what was typed and transfer at once."""
    form = request.form
    service_code = form.get("service", "")
    if service_code not in EMERGENCY_SERVICES:
        flash("请选择转办对象 110、119 或 120", "error")
        return redirect(url_for("web.console"))
    content = (form.get("content") or "").strip() or f"紧急情况，已转{EMERGENCY_SERVICES[service_code]}"
    data: dict[str, Any] = {"content": content[:5000], "channel": form.get("channel") or "phone"}
    phone = (form.get("caller_phone") or "").strip()
    if phone and re.fullmatch(PHONE, phone):
        data["caller_phone"] = phone
    key = (form.get("idempotency_key") or "").strip()[:90] or uuid.uuid4().hex
    db = db_session()
    try:
        rules = rules_at(db, utcnow())
        result = intake.receive_with_help(db, data=data, actor=me(), rules=rules,
                                          idempotency_key=f"{key}:sos", hold=True)
        ticket = result.ticket
        if not result.created:  # a second click: the transfer was made the first time
            db.commit()
            return redirect(url_for("web.console_ticket", ticket_id=ticket.id))
        moves.act_with_hooks(db, user=me(), ticket=ticket, action=Action.TRANSFER_EMERGENCY, rules=rules,
                             data={"service": service_code}, note="受理表单填写完成前紧急转办")
        db.commit()
    except (ApiError, ValidationError) as exc:
        db.rollback()
        flash(error_message(exc), "error")
        return redirect(url_for("web.console"))
    flash(f"已转{EMERGENCY_SERVICES[service_code]}，工单编号 {ticket.number}", "success")
    return redirect(url_for("web.console_ticket", ticket_id=ticket.id))
