"""Configuration: every setting in one table (SETTINGS) with its default and the parser of its environment
variable; DESIGN sections 3 and 6 give the defaults of time limits and rate weights."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping
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


DEFAULT_NOTIFY_GATEWAYS: dict[str, str] = {"sms": "file", "email": "file"}

# Morning, afternoon and evening follow-up calling windows (local time); each attempt goes to one not yet tried.
DEFAULT_FOLLOW_UP_WINDOWS: list[list[str]] = [["09:00", "12:00"], ["14:00", "17:30"], ["18:30", "20:30"]]


def _bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _optional_str(raw: str) -> str | None:
    return raw or None


# Every setting read from the environment: name -> (default, parser of the environment's string).
# Structured settings (dicts, lists) take JSON.  An unset or empty variable keeps the default.
SETTINGS: dict[str, tuple[Any, Callable[[str], Any]]] = {
    "DATABASE_URL": (f"sqlite:///{INSTANCE_DIR / 'hotline.db'}", str),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", str),
    "SECRET_KEY": ("dev-only-change-me", str),
    "HOTLINE_MODEL_DIR": (str(INSTANCE_DIR / "models"), str),
    "TZ": ("Asia/Shanghai", str),
    "TOKEN_TTL_HOURS": (12, int),
    # Reference tables kept per process (hotline.refdata): invalidated through Redis on every committed
    # change; an entry is also reloaded after this many seconds (changes made outside the app).
    "REFDATA_CACHE": (True, _bool),
    "REFDATA_MAX_AGE": (60.0, float),
    # Login throttling (hotline.auth.throttle): failures per account / per client address in a window.
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": (5, int),
    "LOGIN_MAX_FAILURES_PER_ADDRESS": (50, int),
    "LOGIN_FAILURE_WINDOW_SECONDS": (900, int),
    # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto to trust (0: none, the default).
    "PROXY_FIX_X_FOR": (0, int),
    "TIME_LIMITS": (DEFAULT_TIME_LIMITS, json.loads),
    "LABEL_DEPARTMENTS": (DEFAULT_LABEL_DEPARTMENTS, json.loads),
    # Dispatch model: base training data of `classifier retrain` (None: the demo corpus).
    "CLASSIFIER_BASE_DATA": (None, _optional_str),
    # Live auto-dispatch monitor (hotline.dispatching.monitor): the precision target of auto-dispatch, the
    # Wilson bound's standard errors, the outcomes needed before it acts and the rolling window.
    "DISPATCH_MONITOR_TARGET": (0.97, float),
    "DISPATCH_MONITOR_Z": (1.0, float),
    "DISPATCH_MONITOR_MIN_OUTCOMES": (100, int),
    "DISPATCH_MONITOR_WINDOW": (500, int),
    "FOLLOW_UP_SAMPLE_RATE": (1.0, float),
    "FOLLOW_UP_MAX_ATTEMPTS": (3, int),
    "FOLLOW_UP_WINDOWS": (DEFAULT_FOLLOW_UP_WINDOWS, json.loads),
    "RATE_WEIGHTS": (DEFAULT_RATE_WEIGHTS, json.loads),
    "SUPERVISION": (DEFAULT_SUPERVISION, json.loads),
    # Knowledge base: review articles expiring within N days, or with this many "did not help".
    "KB_REVIEW_EXPIRY_DAYS": (30, int),
    "KB_UNHELPFUL_THRESHOLD": (3, int),
    # A 咨询 whose best article scores at least this (BM25) and this many times the runner-up is held
    # for the operator to answer on the call (直办) instead of being auto-dispatched. The score is on the
    # scale of knowledge_base.BM25Params: rescaled from 60 when k1 went from 5 to 2 and the character-term
    # weight from 1 to 0.3, so that the demo questions that were held still are.
    "KB_HOLD_MIN_SCORE": (18.0, float),
    "KB_HOLD_MIN_RATIO": (1.3, float),
    # Matching by meaning (knowledge_base.semantic): article vectors are kept in this file (computed once
    # per article text; `flask kb embed` fills it after an import or on deploy). Each search embeds its
    # query (about 0.3 s CPU for a whole message, docs/BENCHMARKS.md); off: lexical search only.
    "KB_SEMANTIC_SEARCH": (True, _bool),
    "KB_VECTOR_CACHE": (str(INSTANCE_DIR / "kb_vectors.npz"), str),
    "QUEUES_ENABLED": (True, _bool),
    # Reminders and the outbox (workers.jobs): overdue notices per deadline, retries, leases and backoff.
    "REMINDER_OVERDUE_NOTICES": (7, int),
    "REMINDER_MAX_ATTEMPTS": (10, int),
    "OUTBOX_LEASE_SECONDS": (120, int),
    "OUTBOX_MAX_ATTEMPTS": (8, int),
    "OUTBOX_BACKOFF_SECONDS": (30, int),
    # Notification adapters (hotline.notify.gateways) and recipients' contacts (hotline.notify.service).
    "NOTIFY_GATEWAYS": (DEFAULT_NOTIFY_GATEWAYS, json.loads),
    "NOTIFY_CONTACTS": ({}, json.loads),
    "NOTIFY_FILE": (str(INSTANCE_DIR / "outbox.jsonl"), str),
    "NOTIFY_HTTP_URL": (None, _optional_str),
    "NOTIFY_HTTP_TOKEN": (None, _optional_str),
    "NOTIFY_HTTP_TIMEOUT": (10.0, float),
    "SMTP_HOST": (None, _optional_str),
    "SMTP_PORT": (25, int),
    "SMTP_SENDER": ("12345@localhost", str),
    "SMTP_USER": (None, _optional_str),
    "SMTP_PASSWORD": (None, _optional_str),
    "SMTP_STARTTLS": (False, _bool),
    "SESSION_COOKIE_SECURE": (False, _bool),
    # Citizen channels: the site's public address for SMS links (unset: the request's own address),
    # the shortest time a person takes to fill the online form, and limit overrides (hotline.citizen.abuse).
    "PUBLIC_BASE_URL": ("", str),
    "CITIZEN_MIN_FILL_SECONDS": (5.0, float),
    "CITIZEN_LIMITS": ({}, json.loads),
    # Periodic schedule overrides (workers.schedule): entry name -> {"cron": ..., "enabled": ...}.
    "WORKER_SCHEDULE": ({}, json.loads),
}

# Fixed settings (not from the environment).
CONSTANTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_TEXT_CHARS": 5000,
    "PAGE_SIZE_MAX": 100,
    "WTF_CSRF_TIME_LIMIT": None,
    # Pages (hotline.web): a cookie session; CSRF is checked by the page blueprint only, not the API.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WEB_PAGE_SIZE": 20,
}


class ConfigError(ValueError):
    """An environment variable holds a value its setting cannot parse."""


def _from_env(name: str, default: Any, parse: Callable[[str], Any], environ: Mapping[str, str]) -> Any:
    raw = environ.get(name)
    if raw is None or raw == "":
        return copy.deepcopy(default)
    try:
        return parse(raw)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ConfigError(f"environment variable {name}={raw!r} is not valid: {exc}") from exc


def load_config(overrides: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the app configuration from SETTINGS read from the environment, then apply explicit overrides."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    env = os.environ if environ is None else environ
    config = {name: _from_env(name, default, parse, env) for name, (default, parse) in SETTINGS.items()}
    config.update(CONSTANTS)
    if overrides:
        config.update(overrides)
    return config
