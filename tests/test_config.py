"""Every setting is read from the environment through the one table in hotline/config.py."""

import re
from pathlib import Path

import pytest

from hotline.config import SETTINGS, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_environment_overrides_defaults_with_parsed_values():
    env = {"CLASSIFIER_BASE_DATA": "/data/city.csv", "OUTBOX_MAX_ATTEMPTS": "3", "QUEUES_ENABLED": "0",
           "NOTIFY_CONTACTS": '{"role:supervisor": {"sms": "13800000000"}}',
           "FOLLOW_UP_WINDOWS": '[["10:00", "11:00"]]', "SMTP_STARTTLS": "yes", "REMINDER_OVERDUE_NOTICES": ""}
    config = load_config(environ=env)
    assert config["CLASSIFIER_BASE_DATA"] == "/data/city.csv"
    assert config["OUTBOX_MAX_ATTEMPTS"] == 3 and config["QUEUES_ENABLED"] is False
    assert config["NOTIFY_CONTACTS"] == {"role:supervisor": {"sms": "13800000000"}}
    assert config["FOLLOW_UP_WINDOWS"] == [["10:00", "11:00"]] and config["SMTP_STARTTLS"] is True
    assert config["REMINDER_OVERDUE_NOTICES"] == 7  # empty means unset


def test_defaults_without_environment():
    config = load_config(environ={})
    assert config["CLASSIFIER_BASE_DATA"] is None and config["OUTBOX_LEASE_SECONDS"] == 120
    assert config["NOTIFY_GATEWAYS"] == {"sms": "file", "email": "file"}
    config["NOTIFY_GATEWAYS"]["sms"] = "log"  # a caller's change must not leak into the next load
    assert load_config(environ={})["NOTIFY_GATEWAYS"]["sms"] == "file"


def test_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="OUTBOX_MAX_ATTEMPTS"):
        load_config(environ={"OUTBOX_MAX_ATTEMPTS": "many"})
    with pytest.raises(ConfigError, match="NOTIFY_CONTACTS"):
        load_config(environ={"NOTIFY_CONTACTS": "{not json"})


def test_every_setting_the_readme_names_is_in_the_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "docs" / "OPERATIONS.md").read_text("utf-8")
    named = set(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", text))
    # tooling (make run, tests) and constants, not app settings
    not_settings = {"TEST_DATABASE_URL", "WEB_SHOTS_DIR", "FUZZ_MAX_EXAMPLES", "LOST_AFTER", "DEMO_HISTORY_DAYS"}
    assert named - not_settings <= set(SETTINGS), sorted(named - not_settings - set(SETTINGS))
