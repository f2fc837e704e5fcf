"""The page blueprint: CSRF on every page form (the API keeps bearer tokens), Chinese error pages."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response

from hotline.errors import ApiError

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")
csrf = CSRFProtect()

STALE = "工单已被他人修改，请刷新"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    # WTF_CSRF_CHECK_DEFAULT is False in the config, so only this blueprint's before_request checks.
    csrf.init_app(state.app)


@bp.before_request
def _protect() -> None:
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.after_request
def _headers(response: Response) -> Response:
    # No external resources and no inline script: the pages work under a strict policy.
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def error_page(status: int, message: str) -> tuple[str, int]:
    """A Chinese error page with the given status."""
    titles = {400: "请求无效", 403: "无权访问", 404: "页面不存在", 405: "不支持的请求方法", 409: "操作冲突",
              413: "内容过大", 422: "输入有误", 429: "请求过于频繁"}
    return render_template("web/error.html", status=status, title=titles.get(status, "出错了"),
                           message=message), status


def error_message(exc: Exception) -> str:
    """The Chinese message a user sees for a failed move or form."""
    if isinstance(exc, StaleDataError) or getattr(exc, "code", None) == "stale_version":
        return STALE
    if isinstance(exc, ApiError):
        return exc.message
    return "操作失败，请重试"


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to, or None (never an open redirect).

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so "/\t/evil.example"
    would become "//evil.example": such characters are refused outright, then the normalised URL must
    have no scheme and no host and a path starting with exactly one slash."""
    if not target or len(target) > 2000:
        return None
    if any(ch.isspace() or ch == "\\" or unicodedata.category(ch) in ("Cc", "Cf", "Zs") for ch in target):
        return None
    parts = urlsplit(iri_to_uri(target))
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def _rollback() -> None:
    from flask import g

    db = g.get("db_session")
    if db is not None:
        db.rollback()


@bp.errorhandler(CSRFError)
def _csrf_error(_exc: CSRFError) -> Any:
    return error_page(400, "页面已过期或表单校验失败，请刷新页面后重试。")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Any:
    _rollback()
    if request.method == "POST" and exc.status in (409, 422):
        flash(error_message(exc), "error")
        return redirect(safe_next(request.form.get("next")) or request.path)
    return error_page(exc.status, exc.message)


@bp.errorhandler(StaleDataError)
def _stale(_exc: StaleDataError) -> Any:
    _rollback()
    flash(STALE, "error")
    return redirect(safe_next(request.form.get("next")) or request.path)
