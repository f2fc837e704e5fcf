"""API errors: every failure answers {"error": {"code", "message"}} with a 4xx status."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error the client can act on."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details


class ValidationError(ApiError):
    """The request body or query is malformed."""

    status = 422
    code = "validation_error"


class NotFound(ApiError):
    """The resource does not exist or the caller may not see it."""

    status = 404
    code = "not_found"


class Forbidden(ApiError):
    """The caller's role may not do this."""

    status = 403
    code = "forbidden"


class Conflict(ApiError):
    """The move is not allowed in the current state, or the version is stale."""

    status = 409
    code = "conflict"


class Unauthorized(ApiError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


HTTP_MESSAGES = {
    400: "请求无效", 404: "请求的资源不存在", 405: "不支持此请求方法", 413: "提交的内容过大",
    414: "请求地址过长", 415: "不支持的内容类型", 431: "请求头过大",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON error envelope."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def register_error_handlers(app: Flask) -> None:
    """Answer JSON errors under /api and /open311, the HTML error page elsewhere."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):  # type: ignore[no-untyped-def]
        _rollback()
        return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status

    @app.errorhandler(StaleDataError)
    def _stale(_exc: StaleDataError):  # type: ignore[no-untyped-def]
        _rollback()
        return jsonify(error_body("stale_version", "工单已被他人修改，请刷新后重试")), 409

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        _rollback()
        status = exc.code or 400
        if status < 400:
            return exc  # routing redirects
        message = HTTP_MESSAGES.get(status, exc.description or exc.name)
        if status == 413:
            message = f"提交的内容过大（上限 {app.config['MAX_CONTENT_LENGTH'] // 1024} KB）"
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            response = jsonify(error_body(code, message))
        else:
            from hotline.web.blueprint import error_page

            response = app.make_response(error_page(status, message))
        response.status_code = status
        for name, value in exc.get_headers():  # Allow on a 405, Retry-After, WWW-Authenticate...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        _rollback()
        app.logger.exception("unhandled error")
        if not _wants_json():
            return "服务器内部错误", 500
        return jsonify(error_body("internal_error", "服务器内部错误")), 500


def wants_json() -> bool:
    """Whether this request is answered in JSON (the API and Open311) rather than a page."""
    return request.path.startswith(("/api/", "/open311/"))


_wants_json = wants_json


def _rollback() -> None:
    from flask import g

    session = g.get("db_session")
    if session is not None:
        session.rollback()
