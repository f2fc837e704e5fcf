"""The OpenAPI 3.1 document, built from the routes themselves and the body schemas they validate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from hotline.access import ACCESS
from hotline.parsing import INT4_MAX
from hotline.validation import Field

bp = Blueprint("openapi", __name__)

TYPES = {str: "string", int: "integer", bool: "boolean", list: "array"}
ERROR = {"$ref": "#/components/schemas/Error"}
# Open311 answers errors in the GeoReport list form from its own views, the API's form from the layers before them.
OPEN311_ERROR = {"anyOf": [{"$ref": "#/components/schemas/Open311Errors"}, ERROR]}


def documented(body: dict[str, Field] | None = None, *, status: int | tuple[int, ...] = 200,
               files: dict[str, Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach the JSON body a view validates (or, for uploads, `files`: media type → schema) and the
    success statuses it answers, so the document shows them."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.openapi_body = body  # type: ignore[attr-defined]
        view.openapi_files = files  # type: ignore[attr-defined]
        view.openapi_status = (status,) if isinstance(status, int) else status  # type: ignore[attr-defined]
        return view

    return mark


def field_schema(spec: Field) -> dict[str, Any]:
    """One validation Field as a JSON Schema (an optional field may be null: validate treats it as absent)."""
    schema: dict[str, Any] = {"type": TYPES[spec.type] if spec.required else [TYPES[spec.type], "null"]}
    if spec.type is list:
        schema["items"] = {"type": "string", "maxLength": spec.item_max_len}
        schema["maxItems"] = spec.max_items
    if spec.max_len is not None:
        schema["maxLength"] = spec.max_len
    if spec.choices is not None:
        schema["enum"] = list(spec.choices)
    if spec.type is int:
        schema["minimum"] = -INT4_MAX - 1 if spec.min_value is None else spec.min_value
        schema["maximum"] = INT4_MAX if spec.max_value is None else spec.max_value
    if spec.type is str and spec.format is not None:
        schema["format"] = spec.format
    elif spec.type is str and spec.pattern is not None:  # blank is accepted as "not given" when optional
        schema["pattern"] = f"^(?:{spec.pattern})$" if spec.required else f"^(?:(?:{spec.pattern})|\\s*)$"
    if spec.type is str and spec.required:
        schema["minLength"] = 1
        schema.setdefault("pattern", r"\S")  # blank counts as missing
    return schema


def object_schema(fields: dict[str, Field]) -> dict[str, Any]:
    """A request body of validation Fields as a JSON Schema object."""
    return {"type": "object", "additionalProperties": False,
            "properties": {name: field_schema(spec) for name, spec in fields.items()},
            "required": [name for name, spec in fields.items() if spec.required]}


PARAM = re.compile(r"<(?:([^:<>(]+)(?:\([^)]*\))?:)?([^<>]+)>")


def path_parameters(rule: Rule) -> list[dict[str, Any]]:
    """The rule's path parameters in the order they appear, typed by their converter."""
    params = []
    for converter, name in PARAM.findall(rule.rule):
        conv = rule._converters.get(name)  # werkzeug keeps the bound converters here
        if isinstance(conv, IntegerConverter):
            schema: dict[str, Any] = {"type": "integer", "minimum": conv.min if conv.min is not None else 0}
            if conv.max is not None:
                schema["maximum"] = conv.max
        elif isinstance(conv, AnyConverter):
            schema = {"type": "string", "enum": sorted(conv.items)}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$" if converter != "path" else ".+"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(app: Flask, rule: Rule, method: str) -> dict[str, Any]:
    endpoint = rule.endpoint
    view = app.view_functions[endpoint]
    summary = (view.__doc__ or endpoint).strip().splitlines()[0]
    statuses = getattr(view, "openapi_status", (200,))
    responses: dict[str, Any] = {str(code): {"description": "Created" if code == 201 else "OK"}
                                 for code in sorted(statuses)}
    error = OPEN311_ERROR if rule.rule.startswith("/open311") else ERROR
    responses["4XX"] = {"description": "错误", "content": {"application/json": {"schema": error}}}
    op: dict[str, Any] = {
        "summary": summary, "operationId": f"{endpoint}.{method.lower()}",
        "tags": [endpoint.split(".")[0].removesuffix("_api")],
        "parameters": path_parameters(rule), "responses": responses,
    }
    body, files = getattr(view, "openapi_body", None), getattr(view, "openapi_files", None)
    if files:
        op["requestBody"] = {"required": True, "content": {media: {"schema": schema}
                                                           for media, schema in files.items()}}
    elif body is not None and method in ("POST", "PUT", "PATCH"):
        op["requestBody"] = {"required": any(spec.required for spec in body.values()),
                             "content": {"application/json": {"schema": object_schema(body)}}}
    access = ACCESS.get(endpoint)
    if access is None or not access.public:
        op["security"] = [{"bearer": []}]
    return op


def build_document(app: Flask) -> dict[str, Any]:
    """Every /api/v1 and Open311 route with its methods, typed path parameters, body and statuses, in a
    stable order (paths and methods sorted), whatever order the URL map holds them in."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/open311")):
            continue
        path = PARAM.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, method)
    for extend in app.extensions.get("openapi_extenders", []):
        extend(paths)
    paths = {path: dict(sorted(ops.items())) for path, ops in sorted(paths.items())}
    return {
        "openapi": "3.1.0",
        "info": {"title": "hotline 12345 政务服务便民热线 API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Open311Errors": {"type": "array", "items": {
                    "type": "object", "required": ["code", "description"],
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}}},
        },
    }


@bp.get("/api/v1/openapi.json")
def document():  # type: ignore[no-untyped-def]
    """The OpenAPI document of this API."""
    return jsonify(build_document(current_app))
