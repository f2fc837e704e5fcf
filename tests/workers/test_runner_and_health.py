"""The worker runner and the health check: preload before forking, re-registration after a Redis wipe,
`workers health` exit codes, and `workers run` end to end as separate processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rq import Queue, Worker

from workers.health import check
from workers.jobs import LAST_SWEEP_KEY
from workers.queues import REMINDERS

ROOT = Path(__file__).resolve().parents[2]


def test_preload_runs_the_hooks_that_exist_and_skips_the_others(qapp):
    from workers.preload import preload

    calls = []
    sys.modules["tests.workers._hook"] = type(sys)("tests.workers._hook")
    sys.modules["tests.workers._hook"].init = lambda: calls.append("init")  # type: ignore[attr-defined]
    try:
        report = preload(qapp, (("tests.workers._hook", "init", False), ("hotline.not_there", "load", True),
                                ("tests.workers._hook", "missing", False)))
    finally:
        del sys.modules["tests.workers._hook"]
    assert calls == ["init"] and isinstance(report["tests.workers._hook.init"], float)
    assert report["hotline.not_there.load"] == "absent" and report["tests.workers._hook.missing"] == "absent"


def test_health_needs_a_live_worker_a_scheduler_a_recent_sweep_and_moving_queues(qapp, conn):
    from workers.runner import HotlineWorker
    from workers.schedule import build_scheduler

    report = check(conn)
    assert not report["healthy"] and any("no worker" in p for p in report["problems"])
    worker = HotlineWorker([REMINDERS], connection=conn, name="test-worker")
    worker.register_birth()
    scheduler = build_scheduler(conn, qapp.config, name="test-scheduler")
    scheduler.register_birth()
    conn.set(LAST_SWEEP_KEY, datetime.now(UTC).isoformat())
    assert check(conn)["healthy"], check(conn)["problems"]
    Queue(REMINDERS, connection=conn).enqueue("workers.jobs.sweep")
    stuck = check(conn, queue_age=-1)
    assert not stuck["healthy"] and stuck["problems"] == [f"queue {REMINDERS}: the oldest job has waited 0s"]
    conn.flushdb()  # Redis restarted empty: the worker registers again with its next heartbeat
    assert Worker.all(connection=conn) == []
    worker.heartbeat()
    assert [w.name for w in Worker.all(connection=conn)] == ["test-worker"]


def test_health_command_exit_status(qapp, conn):
    result = qapp.test_cli_runner().invoke(args=["workers", "health"])
    assert result.exit_code == 1 and json.loads(result.output)["healthy"] is False


def test_workers_run_end_to_end(qapp, conn, tmp_path):
    """`flask workers run` as a real process tree: healthy within seconds, sweeps, restarts a killed
    worker, and stops cleanly on SIGTERM."""
    env = os.environ | {"DATABASE_URL": qapp.config["DATABASE_URL"], "REDIS_URL": qapp.config["REDIS_URL"],
                        "PYTHONPATH": str(ROOT)}
    flask = [sys.executable, "-m", "flask", "--app", "hotline", "workers"]
    proc = subprocess.Popen([*flask, "run", "--workers", "1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        healthy = None
        while time.monotonic() < deadline:
            healthy = subprocess.run([*flask, "health"], cwd=ROOT, env=env, capture_output=True, text=True)
            if healthy.returncode == 0:
                break
            time.sleep(1)
        assert healthy is not None and healthy.returncode == 0, healthy.stdout
        report = json.loads(healthy.stdout)
        assert report["last_sweep_age_s"] is not None and len(report["schedulers"]) == 1
        victim = report["workers"][0]["pid"]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = [w.pid for w in Worker.all(connection=conn)]
            if any(p != victim for p in pids):
                break
            time.sleep(0.5)
        assert any(w.pid != victim for w in Worker.all(connection=conn))
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=45) == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
