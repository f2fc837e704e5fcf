"""The public pages (no login, 简体中文, phone-first): their blueprint, layout, CSRF and error pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from hotline.citizen.abuse import Refusal
from hotline.clock import local
from hotline.errors import ApiError
from hotline.web.blueprint import csrf

bp = Blueprint("public", __name__, url_prefix="/public", template_folder="templates", static_folder="static",
               static_url_path="/assets")

LIMIT_MESSAGES = {
    "submit_address": "本网络提交的诉求较多，请 {m} 分钟后再提交；紧急情况请直接拨打 12345。",
    "submit_phone": "该手机号提交的诉求较多，请 {m} 分钟后再提交；紧急情况请直接拨打 12345。",
    "track_fail_address": "查询失败次数过多，请 {m} 分钟后再试。",
    "track_fail_number": "该工单编号查询失败次数过多，请 {m} 分钟后再试，或拨打 12345 查询。",
    "rate_address": "评价提交过于频繁，请 {m} 分钟后再试。",
}


@bp.app_template_filter("public_day")
def _day_filter(moment: datetime | None) -> str:
    return day_text(moment)


@bp.before_request
def _protect() -> None:
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.after_request
def _headers(response: Response) -> Response:
    # Everything comes from this site; no inline script or style anywhere on these pages.
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")  # a tracked ticket never sits in a cache
    return response


WEEKDAYS = "一二三四五六日"


def day_text(moment: datetime | None) -> str:
    """2026年12月3日（星期四）10:00 in Asia/Shanghai, or a dash."""
    if moment is None:
        return "—"
    d = local(moment)
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS[d.weekday()]}）{d:%H:%M}"


def client_address() -> str:
    """The client's address as the server sees it (behind a proxy, configure ProxyFix)."""
    return request.remote_addr or "unknown"


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an SMS: PUBLIC_BASE_URL when configured (never the request's Host header then)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{url_for(endpoint, **values)}" if base else url_for(endpoint, _external=True, **values)


def message_page(status: int, title: str, message: str, **context: Any) -> tuple[str, int]:
    """A public page with one message and a way back."""
    return render_template("public/message.html", title=title, message=message, **context), status


def refusal_page(refusal: Refusal) -> tuple[str, int, dict[str, str]]:
    """429 with the Chinese message of the used-up limit and a Retry-After."""
    text = LIMIT_MESSAGES.get(refusal.name, "操作过于频繁，请 {m} 分钟后再试。").format(m=refusal.minutes())
    page, status = message_page(429, "操作过于频繁", text)
    return page, status, {"Retry-After": str(refusal.retry_after)}


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return message_page(400, "页面已过期", "页面已过期或表单校验失败，请返回刷新页面后重新填写。")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Any:
    from flask import g

    db = g.get("db_session")
    if db is not None:
        db.rollback()
    return message_page(exc.status if 400 <= exc.status < 500 else 400, "无法处理", exc.message)
