"""/public/submit (网上诉求): the form, its abuse checks, and the receipt."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for

from hotline.citizen import abuse
from hotline.citizen.blueprint import bp, client_address, day_text, public_url, refusal_page
from hotline.citizen.submit import FIELDS, is_mobile, normalize_phone, promise, queue_receipt, submit
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.districts import district_names
from hotline.errors import ValidationError
from hotline.tickets.enums import LABELS, Channel, Kind
from hotline.tickets.rules import rules_at
from hotline.tickets.serialize import mask_phone
from hotline.web.forms import checked, flash_text

HONEYPOT = "website"  # hidden from people by the stylesheet; a bot that fills every input fills it


def _form(values: Any = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("public/submit.html", values=values or {}, error=error,
                           token=abuse.form_token(utcnow()), kinds=[(k.value, LABELS[k.value]) for k in Kind],
                           districts=district_names(db_session()), honeypot=HONEYPOT), status


@bp.get("/")
def index() -> Any:
    """The citizen's start page: submit or track."""
    return render_template("public/index.html")


@bp.get("/submit")
def submit_form() -> Any:
    """The empty form with its fill-time token."""
    return _form()


def _too_fast_or_stale() -> str | None:
    age = abuse.form_age(request.form.get("form_token"), utcnow())
    config = current_app.config
    if age is None or age > float(config.get("CITIZEN_FORM_MAX_AGE_SECONDS", 6 * 3600)):
        return "页面已过期，请核对内容后重新提交。"
    if age < float(config.get("CITIZEN_MIN_FILL_SECONDS", 5)):
        return "提交过快，请核对填写的内容后再提交。"
    return None


@bp.post("/submit")
def submit_post() -> Any:
    """Check the form (honeypot, fill time, fields, limits), receive the request, queue the SMS receipt."""
    form = request.form
    if form.get(HONEYPOT):
        return _form(error="提交未成功，请刷新页面后重新填写。", status=400)  # nothing stored, nothing told
    problem = _too_fast_or_stale()
    if problem:
        return _form(form, problem, 400)
    try:
        data = checked(form, FIELDS)
        data["caller_phone"] = normalize_phone(data["caller_phone"])
    except ValidationError as exc:
        return _form(form, flash_text(exc), 422)
    if data["district"] not in district_names(db_session()):
        return _form(form, "输入有误：所属区：请从列表中选择", 422)
    address = client_address()
    refusal = abuse.first_refusal([("submit_address", address), ("submit_phone", data["caller_phone"])])
    if refusal is not None:
        return refusal_page(refusal)
    db = db_session()
    rules = rules_at(db, utcnow())
    result = submit(db, data=data, channel=Channel.WEB, rules=rules)
    ticket = result.ticket
    track_url = public_url("public.track_form", number=ticket.number)
    sms = queue_receipt(db, ticket=ticket, track_url=track_url, now=rules.now)
    db.commit()
    abuse.count("submit_address", address)
    abuse.count("submit_phone", data["caller_phone"])
    promised = promise(rules)
    session["citizen_receipt"] = {"number": ticket.number, "limit_text": promised.limit_text,
                                  "reply_by": day_text(promised.reply_by), "sms": sms is not None,
                                  "phone": mask_phone(ticket.caller_phone) if is_mobile(ticket.caller_phone) else None}
    return redirect(url_for("public.receipt"))


@bp.get("/submit/receipt")
def receipt() -> Any:
    """受理回执: the number, the promised reply time, whether an SMS follows."""
    data = session.get("citizen_receipt")
    if not isinstance(data, dict) or not data.get("number"):
        return redirect(url_for("public.submit_form"))
    return render_template("public/receipt.html", r=data)
