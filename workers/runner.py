"""`flask workers run`: a small supervisor that preloads jieba and the model, then forks RQ workers and
one cron scheduler and restarts any of them that dies (SIGKILL, Redis restarts, crashes).

Process tree:  supervisor ─┬─ worker 1 (rq Worker, with_scheduler) ── work-horse per job
                           ├─ worker N
                           └─ cron scheduler (SlotCronScheduler: the periodic schedule)
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask
from rq import Worker
from rq.worker_registration import register as register_worker

from workers.context import set_app
from workers.preload import preload
from workers.queues import QUEUES, redis_for

log = logging.getLogger("workers.runner")


class HotlineWorker(Worker):
    """A forking RQ worker that registers itself again when Redis lost its keys (restarted empty), so
    `workers health` and other hosts keep seeing it."""

    def heartbeat(self, timeout: int | None = None, pipeline=None):  # type: ignore[no-untyped-def]
        super().heartbeat(timeout, pipeline)
        if pipeline is None and self.birth_date is not None and not self.connection.hexists(self.key, "birth"):
            with self.connection.pipeline() as pipe:
                pipe.hset(self.key, mapping=self.serialize())
                register_worker(self, pipe)
                pipe.expire(self.key, (timeout or self.worker_ttl) + 60)
                pipe.execute()
            self.log.warning("Worker %s: registered again (Redis had lost its keys)", self.name)


@dataclass
class Child:
    """A supervised process: what it runs and its restarts."""

    name: str
    target: Callable[[], None]
    pid: int = 0
    started: float = 0.0
    restarts: int = 0
    backoff: float = 0.5
    due: float = field(default=0.0)


def worker_main(app: Flask, queues: Sequence[str], *, burst: bool = False, with_scheduler: bool = True) -> None:
    """Run one RQ worker in this process until it is told to stop."""
    conn = redis_for(app.config["REDIS_URL"])
    worker = HotlineWorker(list(queues), connection=conn, name=f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:4]}",
                           worker_ttl=60, maintenance_interval=60, job_monitoring_interval=10)
    worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")


def scheduler_main(app: Flask) -> None:
    """Run the cron scheduler (the periodic schedule) in this process, in the app's time zone."""
    from workers.schedule import build_scheduler

    os.environ["TZ"] = app.config.get("TZ", "Asia/Shanghai")
    time.tzset()
    conn = redis_for(app.config["REDIS_URL"])
    build_scheduler(conn, app.config, name=f"hotline:{socket.gethostname()}:{os.getpid()}").start()


class Supervisor:
    """Forks the children, restarts those that die (with backoff), stops them all on SIGTERM/SIGINT."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def _spawn(self, child: Child) -> None:
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                child.target()
            except BaseException:
                logging.getLogger("workers.runner").exception("%s crashed", child.name)
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        child.pid, child.started = pid, time.monotonic()
        log.info("started %s (pid %d)", child.name, pid)

    def _stop(self, signum: int, _frame: object) -> None:
        log.info("signal %d: stopping children", signum)
        self.stopping = True

    def run(self) -> int:
        """Supervise until a stop signal; returns the exit status."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for child in self.children:
            self._spawn(child)
        while not self.stopping:
            self._reap()
            now = time.monotonic()
            for child in self.children:
                if child.pid == 0 and now >= child.due:
                    self._spawn(child)
            time.sleep(0.2)
        return self._shutdown()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for child in self.children:
                if child.pid == pid:
                    lived = time.monotonic() - child.started
                    child.backoff = 0.5 if lived > 30 else min(child.backoff * 2, 15.0)
                    child.pid, child.restarts, child.due = 0, child.restarts + 1, time.monotonic() + child.backoff
                    log.warning("%s (pid %d) exited with status %d after %.1fs; restarting in %.1fs",
                                child.name, pid, status, lived, child.backoff)

    def _shutdown(self) -> int:
        for child in self.children:
            if child.pid:
                try:
                    os.kill(child.pid, signal.SIGTERM)
                except ProcessLookupError:
                    child.pid = 0
        deadline = time.monotonic() + 30
        while any(c.pid for c in self.children) and time.monotonic() < deadline:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            for child in self.children:
                if child.pid == pid:
                    child.pid = 0
            time.sleep(0.1)
        for child in self.children:
            if child.pid:
                os.kill(child.pid, signal.SIGKILL)
        return 0


def run(app: Flask, *, workers: int = 2, scheduler: bool = True, queues: Sequence[str] = QUEUES,
        burst: bool = False) -> int:
    """Preload, then run the workers (and the scheduler) under the supervisor; burst: one pass, no fork."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
                            stream=sys.stderr)
    preload(app)
    set_app(app)
    app.extensions["db"].dispose()  # no pooled connection may cross a fork
    if burst:
        worker_main(app, queues, burst=True, with_scheduler=True)
        return 0
    children = [Child(f"worker-{i + 1}", lambda: worker_main(app, queues)) for i in range(workers)]
    if scheduler:
        children.append(Child("scheduler", lambda: scheduler_main(app)))
    return Supervisor(children).run()
