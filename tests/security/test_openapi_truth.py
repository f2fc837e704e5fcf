"""The OpenAPI document is true: the same in every process, path parameters as the routes have them
(ids typed integer), 201 where the view answers 201, and 405 answers carry Allow."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from hotline.openapi import build_document

ROOT = Path(__file__).resolve().parents[2]
DUMP = ("import json; from hotline import create_app; from hotline.openapi import build_document; "
        "app = create_app({'DATABASE_URL': 'sqlite://', 'QUEUES_ENABLED': False}); "
        "print(json.dumps(build_document(app), ensure_ascii=False))")


def document_in_a_process(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", DUMP], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout


def test_the_document_is_the_same_in_every_process():
    first, second = document_in_a_process("1"), document_in_a_process("2")
    assert first == second
    doc = json.loads(first)
    assert list(doc["paths"]) == sorted(doc["paths"])


def test_path_parameters_match_each_path_and_ids_are_integers(api):
    doc = api.get("/openapi.json", user=None).get_json()
    for path, operations in doc["paths"].items():
        names = re.findall(r"{([^}]+)}", path)
        for method, op in operations.items():
            params = [p["name"] for p in op["parameters"] if p["in"] == "path"]
            assert params == names, (method, path, params)
            for p in op["parameters"]:
                if p["name"].endswith("_id") and p["name"] != "service_request_id":  # Open311's id is the number
                    assert p["schema"]["type"] == "integer" and p["schema"]["maximum"] == 2147483647, (path, p)
    sign = doc["paths"]["/api/v1/tickets/{ticket_id}/sign"]["post"]
    assert [p["name"] for p in sign["parameters"]] == ["ticket_id"]
    assert not any(p["name"] == "slug" for ops in doc["paths"].values() for op in ops.values()
                   for p in op["parameters"])


def test_201_is_documented_where_the_view_answers_201(api):
    doc = api.get("/openapi.json", user=None).get_json()
    for path, method in [("/api/v1/tickets", "post"), ("/api/v1/auth/token", "post"), ("/api/v1/kb/articles", "post"),
                         ("/api/v1/catalogue", "post"), ("/api/v1/calendar/days", "post"), ("/api/v1/kb/import", "post")]:
        assert "201" in doc["paths"][path][method]["responses"], path
    created = api.post("/tickets", {"content": "幸福路路灯不亮，晚上很黑"})
    assert created.status_code == 201
    assert "201" not in doc["paths"]["/api/v1/departments"]["get"]["responses"]


def test_405_answers_carry_allow(api, app):
    response = api.call("DELETE", "/departments", "admin")
    assert response.status_code == 405 and response.is_json
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}
    page = app.test_client().put("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"] and "不支持" in page.get_data(as_text=True)


def test_a_blank_string_longer_than_its_limit_is_refused_as_the_document_says(api):
    """maxLength holds before trimming: 31 spaces for a 30-character phone is an error, not "not given"."""
    answer = api.post("/tickets", {"content": "路灯不亮", "caller_phone": " " * 31}, user="operator")
    assert answer.status_code == 422
    assert "caller_phone" in answer.get_json()["error"]["message"]


def test_open311_post_documents_its_key_and_list_shaped_errors(app):
    with app.app_context():
        op = build_document(app)["paths"]["/open311/v2/requests.json"]["post"]
    form = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"][0] == "api_key" and "service_code" in form["required"]
    error = op["responses"]["4XX"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Open311Errors"} in error["anyOf"]
