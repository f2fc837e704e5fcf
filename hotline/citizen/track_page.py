"""/public/track (进度查询) and the rating of the reply (好差评).

A successful look-up puts the number in the browser's signed session for an hour, so the ticket page
and its rating form need no digits in a URL. A failed look-up answers the same page whatever failed,
and is counted per client address and per ticket number; used-up limits answer 429 before looking.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for

from hotline.citizen import abuse, tracking
from hotline.citizen.blueprint import bp, client_address, message_page, refusal_page
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.errors import ApiError
from hotline.followups import service as followups
from hotline.tickets.enums import LABELS, Status
from hotline.tickets.models import Ticket
from hotline.tickets.rules import rules_at

NOT_FOUND = "未查询到与该工单编号和手机号后四位相符的诉求，请核对后重试。"
TRACKED_SECONDS = 3600
COMMENT_MAX = 500


def _form(number: str = "", error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("public/track.html", number=number, error=error), status


@bp.get("/track")
def track_form() -> Any:
    """The look-up form (a receipt's link fills in the number)."""
    return _form((request.args.get("number") or "")[:20])


@bp.post("/track")
def track_post() -> Any:
    """Look the ticket up by number + the phone's last four digits."""
    number = (request.form.get("number") or "").strip()[:20]
    last4 = (request.form.get("last4") or "").strip()
    if not tracking.NUMBER.fullmatch(number):
        return _form(number, "工单编号格式应为 8 位日期-6 位序号，例如 20261126-000123。", 422)
    if not tracking.LAST4.fullmatch(last4):
        return _form(number, "请输入提交诉求时所留手机号码的后四位数字。", 422)
    address = client_address()
    refusal = abuse.first_refusal([("track_fail_address", address), ("track_fail_number", number)])
    if refusal is not None:
        return refusal_page(refusal)
    ticket = tracking.find_for_citizen(db_session(), number=number, last4=last4)
    if ticket is None:
        abuse.count("track_fail_address", address)
        abuse.count("track_fail_number", number)
        return _form(number, NOT_FOUND, 404)
    tracked = {n: t for n, t in _tracked().items() if n != number}
    session["tracked"] = {**dict(list(tracked.items())[-4:]), number: utcnow().timestamp()}
    return redirect(url_for("public.track_ticket", number=number))


def _tracked() -> dict[str, float]:
    raw = session.get("tracked")
    now = utcnow().timestamp()
    if not isinstance(raw, dict):
        return {}
    return {n: t for n, t in raw.items() if isinstance(t, int | float) and 0 <= now - t <= TRACKED_SECONDS}


def _ticket(number: str) -> Ticket | None:
    if number not in _tracked():
        return None
    return tracking.find_ticket(db_session(), number=number)


@bp.get("/track/<number>")
def track_ticket(number: str) -> Any:
    """The ticket in plain words, the scrubbed reply once accepted, and the rating form."""
    ticket = _ticket(number)
    if ticket is None:  # not looked up in this browser (or an hour ago): ask for the digits
        return redirect(url_for("public.track_form", number=number[:20]))
    view = tracking.public_view(db_session(), ticket)
    notice = session.pop("public_notice", None)
    return render_template("public/ticket.html", v=view, notice=notice, ratings=tracking.RATINGS,
                           labels=LABELS, comment_max=COMMENT_MAX)


@bp.post("/track/<number>/rate")
def rate(number: str) -> Any:
    """好差评: 满意 / 基本满意 / 不满意 with an optional comment; 不满意 asks for a follow-up call."""
    ticket = _ticket(number)
    if ticket is None:
        return redirect(url_for("public.track_form", number=number[:20]))
    back = url_for("public.track_ticket", number=number)
    rating = request.form.get("rating") or ""
    comment = (request.form.get("comment") or "").strip() or None
    if rating not in tracking.RATINGS:
        return message_page(422, "请选择评价", "请选择 满意、基本满意 或 不满意 后再提交。", back=back)
    if comment is not None and len(comment) > COMMENT_MAX:
        return message_page(422, "评价内容过长", f"评价内容不能超过 {COMMENT_MAX} 字。", back=back)
    refusal = abuse.first_refusal([("rate_address", client_address())])
    if refusal is not None:
        return refusal_page(refusal)
    db = db_session()
    rules = rules_at(db, utcnow())
    try:
        tracking.rate(db, ticket=ticket, rating=rating, comment=comment, channel="web", rules=rules)
        if ticket.status == Status.AWAITING_FOLLOW_UP and rating == "dissatisfied":
            followups.request_call(db, ticket=ticket, now=rules.now,
                                   windows=followups.windows_of(current_app.config))
        db.commit()
    except ApiError as exc:
        db.rollback()
        return message_page(409, "无法评价", exc.message, back=back)
    abuse.count("rate_address", client_address())
    session["public_notice"] = ("感谢您的评价。我们将安排回访，了解您不满意的原因并督促办理。"
                                if rating == "dissatisfied" else "感谢您的评价！")
    return redirect(back)
