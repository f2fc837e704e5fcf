"""Security headers on every response: pages, API, exports, errors, redirects; static files may be cached."""

from __future__ import annotations

import re

from tests.support.sessions import fresh_token, page_client

FRAME = ("X-Frame-Options", "DENY")


def assert_secure(response, where, *, cached_ok=False):  # type: ignore[no-untyped-def]
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get(FRAME[0]) == FRAME[1], where
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if not cached_ok:
        assert headers.get("Cache-Control") == "no-store", where


def test_every_kind_of_response_carries_the_headers(app, api):
    admin = {"Authorization": f"Bearer {fresh_token(app, 'admin')}"}
    client = app.test_client()
    cases = {
        "api json": client.get("/api/v1/departments", headers=admin),
        "api 401": client.get("/api/v1/tickets"),
        "api 404": client.get("/api/v1/tickets/999999", headers=admin),
        "api 405": client.delete("/api/v1/departments", headers=admin),
        "api 422": client.post("/api/v1/tickets", json={"content": ""}, headers=admin),
        "csv export": client.get("/api/v1/metrics/export?format=csv", headers=admin),
        "xlsx export": client.get("/api/v1/metrics/export?format=xlsx", headers=admin),
        "kb export": client.get("/api/v1/kb/export?format=csv", headers=admin),
        "report html": client.get("/api/v1/metrics/report", headers=admin),
        "openapi": client.get("/api/v1/openapi.json"),
        "open311": client.get("/open311/v2/services.json"),
        "login page": client.get("/login"),
        "login redirect": client.get("/tickets"),
        "page 404": client.get("/no-such-page"),
        "page": page_client(app, "admin").get("/tickets"),
        "page 403": page_client(app, "dept_ecology").get("/followups"),
        "monthly report page": page_client(app, "supervisor").get("/reports/monthly"),
    }
    for where, response in cases.items():
        assert response.status_code < 500, where
        assert_secure(response, where)
    static = client.get("/assets/hotline.css")
    assert_secure(static, "static", cached_ok=True)
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_every_route_answers_with_the_headers(app):
    admin_page, token = page_client(app, "admin"), fresh_token(app, "admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "web.static"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        if path.startswith(("/api/", "/open311/")):
            response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
        else:
            response = admin_page.get(path)
        assert_secure(response, rule.rule)
        checked += 1
    assert checked > 30


def test_the_csp_allows_no_inline_code_in_any_template():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hotline"
    inline = re.compile(r"<style|<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)
    found = {str(p.relative_to(root)): inline.findall(p.read_text(encoding="utf-8"))
             for p in root.rglob("*.html") if inline.search(p.read_text(encoding="utf-8"))}
    assert found == {}
