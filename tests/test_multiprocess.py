"""Several processes on one PostgreSQL and one Redis: two gunicorn web processes and the worker runner's
two RQ worker processes (with its scheduler, sweeping every 2 s). Tickets go through the whole loop over
HTTP, each move sent to the other web process than the one before; the sign reminders (临期 at 75 % of a
15-second limit, 超期 at the limit) come due while the tickets wait, and each fires exactly once.
Skipped with the reason when no PostgreSQL answers at 127.0.0.1:5432."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TICKETS = 4
SIGN_MINUTES = 0.25  # 15 s: 临期 at 11.25 s, 超期 at 15 s after dispatch
FOLLOW_OK = {"contacted": True, "solved": "solved", "satisfaction": "satisfied"}


class Web:
    """One gunicorn process (one sync worker) and the bearer tokens of the demo users on it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, user: str | None = None,
             ) -> tuple[int, dict[str, Any]]:
        """One JSON request; the status and the decoded body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)  # the first intake loads jieba
        headers = {"Content-Type": "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        conn.request(method, f"/api/v1{path}", body=json.dumps(body or {}) if method == "POST" else None,
                     headers=headers)
        response = conn.getresponse()
        data = json.loads(response.read() or b"{}")
        conn.close()
        return response.status, data

    def token(self, user: str) -> str:
        """A bearer token of a demo user (password hotline-demo), issued by this process."""
        if user not in self.tokens:
            status, body = self.call("POST", "/auth/token", {"username": user, "password": "hotline-demo"})
            assert status == 201, body
            self.tokens[user] = body["token"]
        return self.tokens[user]

    def act(self, ticket_id: int, action: str, user: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A move; asserts it was made."""
        status, answer = self.call("POST", f"/tickets/{ticket_id}/{action}", body, user=user)
        assert status == 200, (self.port, action, status, answer)
        return answer

    def ready(self) -> bool:
        """Whether the process answers."""
        try:
            return self.call("GET", "/departments", user=None)[0] < 500
        except OSError:
            return False


@pytest.fixture
def stack(tmp_path) -> Iterator[tuple[list[Web], Any]]:  # type: ignore[no-untyped-def]
    """PostgreSQL (throw-away database), a private Redis, two web processes and the worker runner."""
    from tests.support.postgres import postgres_app

    redis = RedisServer().start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with postgres_app(redis.url) as app:
            env = os.environ | {
                "DATABASE_URL": app.config["DATABASE_URL"], "REDIS_URL": redis.url, "QUEUES_ENABLED": "1",
                "HOTLINE_MODEL_DIR": str(tmp_path / "models"), "SECRET_KEY": "multiprocess-test",
                "NOTIFY_FILE": str(tmp_path / "outbox.jsonl"), "PYTHONPATH": str(ROOT),
                "TIME_LIMITS": json.dumps({"emergency": {"sign": {"minutes": SIGN_MINUTES},
                                                         "reply": {"minutes": 10}, "return": {"minutes": 10}}}),
                "WORKER_SCHEDULE": json.dumps({"sweep": {"interval": 2}})}
            quiet = tmp_path / "gunicorn.conf.py"  # no warm-up: no model in this test
            quiet.write_text("workers = 1\n", encoding="utf-8")
            webs = [Web(free_port()), Web(free_port())]
            log = (tmp_path / "processes.log").open("wb")
            for web in webs:
                processes.append(subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", str(quiet), "-b", f"127.0.0.1:{web.port}", "hotline:create_app()"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            processes.append(subprocess.Popen(
                [str(BIN / "flask"), "--app", "hotline", "workers", "run", "--workers", "2"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            deadline = time.monotonic() + 60
            while not all(web.ready() for web in webs):
                assert time.monotonic() < deadline, (tmp_path / "processes.log").read_text(errors="replace")[-3000:]
                time.sleep(0.3)
            yield webs, app
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.stop()
        redis.wipe()


def _reminders(app: Any, ids: list[int]) -> list[Any]:
    from sqlalchemy import select

    from hotline.db import session
    from hotline.reminders.models import Reminder

    r = Reminder
    with app.app_context():
        db = session()
        rows = db.execute(select(r.id, r.ticket_id, r.deadline, r.kind, r.remind_at, r.sent_at, r.skipped_at,
                                 r.attempts).where(r.ticket_id.in_(ids))).all()
        db.rollback()  # the next look sees what the workers committed since
        return list(rows)


@pytest.mark.postgres
def test_two_web_and_two_worker_processes_close_every_ticket_and_fire_each_reminder_once(stack):
    webs, app = stack
    ids = []
    for n in range(TICKETS):  # received by one web process, dispatched through the other
        status, ticket = webs[n % 2].call("POST", "/tickets", {
            "content": f"第{n + 1}号测试：东湖区幸福路{n + 1}号井盖破损，行人容易踩空，请尽快处理。",
            "urgency": "emergency", "district": "东湖区", "caller_phone": f"1380013{n:04d}"}, user="operator")
        assert status == 201, ticket
        ids.append(ticket["id"])
        webs[(n + 1) % 2].act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    deadline = time.monotonic() + 60
    while True:  # the sweep plans the sign reminders and the workers deliver them as they come due
        sent = {(r.ticket_id, r.kind) for r in _reminders(app, ids) if r.deadline == "sign" and r.sent_at}
        if all((tid, kind) in sent for tid in ids for kind in ("warning", "due")):
            break
        assert time.monotonic() < deadline, sorted(sent)
        time.sleep(1)
    steps = [("sign", "dept_ecology", {}), ("reply", "dept_ecology", {"result": "solved", "content": "已修复井盖。"}),
             ("accept-reply", "dispatcher", {}), ("follow-up", "followup", FOLLOW_OK)]
    for n, tid in enumerate(ids):
        for k, (action, user, body) in enumerate(steps):
            webs[(n + k) % 2].act(tid, action, user, body)
    for n, tid in enumerate(ids):
        status, ticket = webs[n % 2].call("GET", f"/tickets/{tid}", user="supervisor")
        assert status == 200 and ticket["status"] == "closed", ticket
    time.sleep(3)  # one more sweep: nothing left that should have fired
    reminders = _reminders(app, ids)
    from sqlalchemy import select

    from hotline.db import session
    from hotline.notify.models import Notification

    with app.app_context():
        notified = Counter(n.data.get("reminder_id") for n in session().scalars(
            select(Notification).where(Notification.ticket_id.in_(ids))) if n.kind.startswith("reminder_"))
    fired = [r for r in reminders if r.sent_at is not None]
    assert len(fired) >= 2 * TICKETS
    assert all(r.attempts == 1 for r in fired), [(r.id, r.kind, r.attempts) for r in fired]
    assert notified == Counter({r.id: 1 for r in fired})  # one notice per fired reminder, none twice
    assert all(r.sent_at is not None or r.skipped_at is not None for r in reminders
               if r.remind_at.timestamp() < time.time() - 3), [(r.kind, r.remind_at) for r in reminders]
