"""Security headers on every response (pages, API, exports, errors) and the trusted-proxy setting."""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

# No inline script or style anywhere: every page's CSS and JavaScript are files under /assets.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
STATIC_ENDPOINTS = frozenset({"static", "web.static"})


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CSP)
    # same-origin, not no-referrer: Flask-WTF checks the Referer of form posts over HTTPS.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in STATIC_ENDPOINTS:
        # Every dynamic answer may carry personal data (tickets, callers, exports): never kept in a cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_security(app: Flask) -> None:
    """Add the headers to every response; trust PROXY_FIX_X_FOR proxies for the client address."""
    app.after_request(_headers)
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
