"""Approved returns and re-dispatches become training rows (retraining itself: test_retrain.py)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import time_machine

from tests.support.factories import T0

ROOT = Path(__file__).resolve().parents[2]


def test_redispatch_after_approved_return_is_exported_as_a_correction(app, api, tmp_path):
    with time_machine.travel(T0, tick=False):
        tid = api.create(content="楼下烧烤摊油烟太大，熏得家里没法开窗")["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "water"})
        api.act(tid, "return", "dept_water", {"reason": "油烟不属水务职责", "suggested_department": "ecology"})
        api.act(tid, "approve-return", "dispatcher")
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    from hotline.db import session
    from hotline.dispatching.corrections import export_csv

    with app.app_context():
        count = export_csv(session(), tmp_path / "corrections.csv")
    rows = list(csv.DictReader((tmp_path / "corrections.csv").open(encoding="utf-8")))
    assert count == 1
    assert rows == [{"text": "楼下烧烤摊油烟太大，熏得家里没法开窗", "label": "ecology"}]


def test_export_corrections_command(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "flask", "--app", "hotline"]
    assert subprocess.run([*run, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True).returncode == 0
    out = tmp_path / "corrections.csv"
    done = subprocess.run([*run, "classifier", "export-corrections", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").splitlines() == ["text,label"]
