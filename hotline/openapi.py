"""The OpenAPI 3.1 document, built from the routes themselves and the body schemas they validate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from hotline.validation import Field

bp = Blueprint("openapi", __name__)

TYPES = {str: "string", int: "integer", bool: "boolean", list: "array"}
ERROR = {"$ref": "#/components/schemas/Error"}


def documented(body: dict[str, Field] | None = None, *,
               status: int | tuple[int, ...] = 200) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach the JSON body a view validates and the success statuses it answers, so the document shows them."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.openapi_body = body  # type: ignore[attr-defined]
        view.openapi_status = (status,) if isinstance(status, int) else status  # type: ignore[attr-defined]
        return view

    return mark


def field_schema(spec: Field) -> dict[str, Any]:
    """One validation Field as a JSON Schema."""
    schema: dict[str, Any] = {"type": TYPES[spec.type]}
    if spec.type is list:
        schema["items"] = {"type": "string", "maxLength": spec.item_max_len}
        schema["maxItems"] = spec.max_items
    if spec.max_len is not None:
        schema["maxLength"] = spec.max_len
    if spec.choices is not None:
        schema["enum"] = list(spec.choices)
    if spec.min_value is not None:
        schema["minimum"] = spec.min_value
    return schema


def object_schema(fields: dict[str, Field]) -> dict[str, Any]:
    """A request body of validation Fields as a JSON Schema object."""
    return {"type": "object", "additionalProperties": False,
            "properties": {name: field_schema(spec) for name, spec in fields.items()},
            "required": [name for name, spec in fields.items() if spec.required]}


def _operation(app: Flask, endpoint: str, method: str, params: list[str]) -> dict[str, Any]:
    view = app.view_functions[endpoint]
    summary = (view.__doc__ or endpoint).strip().splitlines()[0]
    op: dict[str, Any] = {
        "summary": summary, "operationId": f"{endpoint}.{method.lower()}",
        "tags": [endpoint.split(".")[0].removesuffix("_api")],
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                       for p in params],
        "responses": {"200": {"description": "OK"}, "4XX": {"description": "错误",
                      "content": {"application/json": {"schema": ERROR}}}},
    }
    body = getattr(view, "openapi_body", None)
    if body is not None and method in ("POST", "PUT", "PATCH"):
        op["requestBody"] = {"content": {"application/json": {"schema": object_schema(body)}}}
    if not endpoint.startswith(("openapi", "auth_api.token", "open311")):
        op["security"] = [{"bearer": []}]
    return op


def build_document(app: Flask) -> dict[str, Any]:
    """Every /api/v1 route with its methods, summary and body."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/open311")):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule.endpoint, method,
                                                                     list(rule.arguments))
    for extend in app.extensions.get("openapi_extenders", []):
        extend(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "hotline 12345 政务服务便民热线 API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}},
        },
    }


@bp.get("/api/v1/openapi.json")
def document():  # type: ignore[no-untyped-def]
    """The OpenAPI document of this API."""
    return jsonify(build_document(current_app))
