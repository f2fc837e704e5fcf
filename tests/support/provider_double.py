"""A stand-in SMS/e-mail provider: a tiny HTTP server that records every delivery attempt it receives.

Each POST is appended to a JSON-lines file (fsynced) *before* any de-duplication, with the
Idempotency-Key header, the time received and the body; the answer says whether the key was new
(``{"id": ..., "duplicate": false}``). Run as its own process by bench/faults.py
(``python -m tests.support.provider_double --out FILE --port-file FILE``) or in a thread by tests.
``--fail-every N`` answers 503 to every Nth attempt (recorded as refused) to exercise retries.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Recorder:
    """The attempts file and the keys seen, shared by the server's threads."""

    def __init__(self, path: Path, fail_every: int = 0) -> None:
        self.path, self.fail_every = path, fail_every
        self.lock = threading.Lock()
        self.keys: set[str] = set()
        self.count = 0

    def record(self, key: str, body: Any) -> tuple[int, bool]:
        """Store one attempt; (HTTP status to answer, whether the key was seen before)."""
        with self.lock:
            self.count += 1
            refused = bool(self.fail_every) and self.count % self.fail_every == 0
            duplicate = key in self.keys
            if not refused:
                self.keys.add(key)
            line = {"key": key, "received_at": time.time(), "duplicate": duplicate, "refused": refused,
                    "body": body}
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return (503 if refused else 200), duplicate


def make_server(path: Path, *, port: int = 0, fail_every: int = 0) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 (port 0: any free port) recording into `path`; call serve_forever()."""
    recorder = Recorder(path, fail_every)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            key = self.headers.get("Idempotency-Key") or ""
            status, duplicate = recorder.record(key, body)
            answer = json.dumps({"id": f"double:{key}", "duplicate": duplicate}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:  # quiet
            return

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def attempts(path: Path) -> list[dict[str, Any]]:
    """Every attempt the double recorded, in arrival order."""
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def main() -> None:
    """Serve until killed; the chosen port is written to --port-file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--fail-every", type=int, default=0)
    args = parser.parse_args()
    server = make_server(args.out, fail_every=args.fail_every)
    args.port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
