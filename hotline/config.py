"""Configuration from the environment, with the defaults of DESIGN section 3 and 6."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"

# Time limits per urgency (DESIGN section 3); every city changes them, so they live in configuration.
DEFAULT_TIME_LIMITS: dict[str, Any] = {
    "emergency": {"sign": {"hours": 0.5}, "reply": {"hours": 2}, "return": {"hours": 0.5}},
    "urgent": {"sign": {"hours": 2}, "reply": {"hours": 24}, "return": {"hours": 2}},
    "normal": {"sign": {"working_days": 1}, "reply": {"working_days": 5}, "return": {"working_days": 2}},
    "complex": {"sign": {"working_days": 1}, "reply": {"working_days": 15}, "return": {"working_days": 2}},
    "reminder_fraction": 0.75,
    "max_extension_days": 15,
    "escalate_after_working_days": 1,
}

# Contest/category labels the classifier may emit, mapped to department codes.
DEFAULT_LABEL_DEPARTMENTS: dict[str, str] = {
    "城乡建设": "housing",
    "环境保护": "ecology",
    "交通运输": "transport",
    "教育文体": "education",
    "劳动和社会保障": "hrss",
    "商贸旅游": "commerce",
    "卫生计生": "health",
}


# Rate weights of DESIGN section 6 by year ("default" for any year not listed; a year entry may be partial).
DEFAULT_RATE_WEIGHTS: dict[str, dict[str, float]] = {
    "default": {"response": 0.3, "solved": 0.35, "satisfied": 0.35, "partly_solved": 0.5,
                "basically_satisfied": 0.8},
}

# Supervision flags (red/yellow) and the similarity thresholds of duplicates and hotspots.
DEFAULT_SUPERVISION: dict[str, Any] = {
    "red_overdue_rate": 0.2, "yellow_overdue_rate": 0.1, "min_due_for_flag": 3,
    "repeat_dissatisfied_times": 2, "red_repeat_dissatisfied": 3,
    "duplicate_days": 30, "duplicate_min_score": 0.45, "duplicate_candidates": 150,
    "hotspot_similarity": 0.4, "hotspot_min_size": 3,
}


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app configuration from the environment, then apply explicit overrides."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    config: dict[str, Any] = {
        "DATABASE_URL": _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'hotline.db'}"),
        "REDIS_URL": _env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SECRET_KEY": _env("SECRET_KEY", "dev-only-change-me"),
        "HOTLINE_MODEL_DIR": _env("HOTLINE_MODEL_DIR", str(INSTANCE_DIR / "models")),
        "TZ": _env("TZ", "Asia/Shanghai"),
        "TOKEN_TTL_HOURS": int(_env("TOKEN_TTL_HOURS", "12")),
        # Login throttling (hotline.auth.throttle): failures per account / per client address in a window.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(_env("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(_env("LOGIN_MAX_FAILURES_PER_ADDRESS", "50")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(_env("LOGIN_FAILURE_WINDOW_SECONDS", "900")),
        # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto to trust (0: none, the default).
        "PROXY_FIX_X_FOR": int(_env("PROXY_FIX_X_FOR", "0")),
        "TIME_LIMITS": DEFAULT_TIME_LIMITS,
        "LABEL_DEPARTMENTS": DEFAULT_LABEL_DEPARTMENTS,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_TEXT_CHARS": 5000,
        "PAGE_SIZE_MAX": 100,
        "FOLLOW_UP_SAMPLE_RATE": float(_env("FOLLOW_UP_SAMPLE_RATE", "1.0")),
        "FOLLOW_UP_MAX_ATTEMPTS": 3,
        "RATE_WEIGHTS": DEFAULT_RATE_WEIGHTS,
        "SUPERVISION": DEFAULT_SUPERVISION,
        # Knowledge base: review articles expiring within N days, or with this many "did not help".
        "KB_REVIEW_EXPIRY_DAYS": int(_env("KB_REVIEW_EXPIRY_DAYS", "30")),
        "KB_UNHELPFUL_THRESHOLD": int(_env("KB_UNHELPFUL_THRESHOLD", "3")),
        "QUEUES_ENABLED": _env("QUEUES_ENABLED", "1") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # Pages (hotline.web): a cookie session; CSRF is checked by the page blueprint only, not the API.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("SESSION_COOKIE_SECURE", "0") == "1",
        "WEB_PAGE_SIZE": 20,
        # Citizen channels: the site's public address for SMS links (unset: the request's own address),
        # the shortest time a person takes to fill the online form, and limit overrides (hotline.citizen.abuse).
        "PUBLIC_BASE_URL": _env("PUBLIC_BASE_URL", ""),
        "CITIZEN_MIN_FILL_SECONDS": float(_env("CITIZEN_MIN_FILL_SECONDS", "5")),
        "CITIZEN_LIMITS": {},
    }
    if overrides:
        config.update(overrides)
    return config
