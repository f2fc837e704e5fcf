"""The processes bench/faults.py starts around the product: a private PostgreSQL cluster and the provider double.

Both live in the bench's work directory and listen on 127.0.0.1 only. The PostgreSQL cluster is made
with the machine's PostgreSQL 15 binaries (initdb, pg_ctl), never the shared server; when the bench
runs as root the binaries run as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """A throw-away PostgreSQL cluster: initdb, start, stop (immediate = a crash), start again, remove."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)

    def init(self) -> PrivatePostgres:
        """Create the cluster (trust authentication on loopback; fsync off: nothing here must survive)."""
        self.dir.mkdir(parents=True)
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            os.chmod(self.dir.parent, 0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-locale")
        return self

    def start(self) -> None:
        """Start the server (loopback only, its socket in the cluster's directory) and wait until it answers."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: `immediate` drops every connection without a shutdown checkpoint, as a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def create_database(self, name: str) -> str:
        """A new database; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        """Stop and delete the cluster."""
        self.stop("fast")
        shutil.rmtree(self.dir, ignore_errors=True)


class ProviderDouble:
    """tests/support/provider_double.py in a process of its own, recording every attempt into a file."""

    def __init__(self, workdir: Path, fail_every: int = 0) -> None:
        self.path = workdir / "provider_attempts.jsonl"
        self.port_file = workdir / "provider.port"
        self.fail_every = fail_every
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the double; the URL the gateway posts to."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.provider_double", "--out", str(self.path),
             "--port-file", str(self.port_file), "--fail-every", str(self.fail_every)],
            cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 30
        while not self.port_file.exists() or not self.port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the provider double did not start")
            time.sleep(0.1)
        return f"http://127.0.0.1:{self.port_file.read_text().strip()}/messages"

    def stop(self) -> None:
        """Stop the double (its file stays)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
