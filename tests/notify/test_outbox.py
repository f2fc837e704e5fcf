"""The outbox: one message per idempotency key, sent once through the gateway; transport failures are
retried (RQ Retry), permanent ones are not; a stale claim (job killed mid-send) is sent again; SMTP."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.factories import T0


def _queue_sms(app, key="reminder:1", recipient="13800000001"):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import Department
    from hotline.notify.service import Audience, Message, notify

    with app.app_context():
        db = session()
        ecology = db.query(Department).filter_by(code="ecology").one()
        ids = notify(db, key=key, audience=Audience((ecology,)), message=Message(kind="t", title="标题", body="正文"),
                     now=T0, contacts={"department:ecology": {"sms": recipient, "email": "eco@example.org"}})
        db.commit()
    return ids


def _lines(path):  # type: ignore[no-untyped-def]
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _status(app, mid):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.notify.models import OutboxMessage

    with app.app_context():
        m = session().get(OutboxMessage, mid)
        return m.status, m.attempts


def test_message_is_sent_once_through_the_file_gateway(qapp, tmp_path, clock):
    from workers import jobs

    qapp.config["NOTIFY_FILE"] = str(tmp_path / "out.jsonl")
    ids = _queue_sms(qapp)
    assert len(ids) == 2 and _queue_sms(qapp) == ids  # the same key again: the same two messages
    for mid in ids:
        assert jobs.send_outbox(mid) == "sent"
        assert jobs.send_outbox(mid) == "already_taken"
    lines = _lines(tmp_path / "out.jsonl")
    assert sorted(x["channel"] for x in lines) == ["email", "sms"]
    assert {x["key"] for x in lines} == {"reminder:1:sms:13800000001", "reminder:1:email:eco@example.org"}


def test_a_stale_claim_is_sent_again_and_the_gateway_ignores_a_known_key(qapp, tmp_path, clock):
    from hotline.db import session
    from hotline.notify import service
    from workers import jobs

    qapp.config["NOTIFY_FILE"] = str(tmp_path / "out.jsonl")
    mid = _queue_sms(qapp)[0]
    assert jobs.send_outbox(mid) == "sent"
    with qapp.app_context():  # as if the job was killed after the gateway took it, before "sent" was stored
        db = session()
        message = service.claim(db, mid, now=T0, lease=timedelta(seconds=120))
        assert message is None  # sent messages are never claimed again
        db.execute(text("UPDATE outbox SET status = 'sending', claimed_at = :t WHERE id = :i"),
                   {"t": (T0 - timedelta(minutes=5)).replace(tzinfo=None), "i": mid})
        db.commit()
        assert mid in service.sendable_outbox(db, now=T0, lease=timedelta(seconds=120))
    assert jobs.send_outbox(mid) == "sent"
    lines = _lines(tmp_path / "out.jsonl")
    assert len({x["key"] for x in lines}) == 1 and [x.get("suppressed", False) for x in lines] == [False, True]


def test_transport_errors_are_retried_and_permanent_errors_are_not(qapp, clock, monkeypatch):
    from hotline.notify import gateways
    from workers import jobs

    ids = _queue_sms(qapp)

    class Down:
        def send(self, message):  # type: ignore[no-untyped-def]
            raise gateways.TransportError("connection refused")

    class Refused:
        def send(self, message):  # type: ignore[no-untyped-def]
            raise gateways.PermanentError("no such number")

    monkeypatch.setattr("hotline.notify.gateways.gateway_for", lambda config, channel: Down())
    with pytest.raises(gateways.TransportError):
        jobs.send_outbox(ids[0])  # RQ's Retry takes it from here
    assert _status(qapp, ids[0]) == ("pending", 1)
    monkeypatch.setattr("hotline.notify.gateways.gateway_for", lambda config, channel: Refused())
    assert jobs.send_outbox(ids[0]) == "failed: PermanentError"
    assert _status(qapp, ids[0]) == ("failed", 2)


class _SmtpServer:
    """Just enough SMTP for one message; RCPT to refused@... answers 550."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.data = b""
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        conn, _ = self.sock.accept()
        f = conn.makefile("rb")
        conn.sendall(b"220 test\r\n")
        while line := f.readline():
            cmd = line.strip().upper()
            if cmd.startswith((b"EHLO", b"HELO")):
                conn.sendall(b"250 test\r\n")
            elif cmd.startswith(b"RCPT") and b"REFUSED" in cmd:
                conn.sendall(b"550 no such user\r\n")
            elif cmd == b"DATA":
                conn.sendall(b"354 go on\r\n")
                while (chunk := f.readline()) != b".\r\n":
                    self.data += chunk
                conn.sendall(b"250 queued\r\n")
            elif cmd == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"250 ok\r\n")
        conn.close()


def test_smtp_adapter_sends_with_the_key_as_message_id_and_classifies_errors():
    from hotline.notify.gateways import OutboundMessage, PermanentError, SmtpGateway, TransportError

    server = _SmtpServer()
    gateway = SmtpGateway(host="127.0.0.1", port=server.port, sender="12345@city.example")
    msg = OutboundMessage(key="reminder:7:email:a@b.c", channel="email", recipient="a@b.c", subject="临期提醒",
                          body="工单即将到期")
    assert gateway.send(msg) == "<reminder.7.email.a.b.c@hotline.invalid>"
    assert b"Message-ID: <reminder.7.email.a.b.c@hotline.invalid>" in server.data
    refusing = _SmtpServer()
    with pytest.raises(PermanentError):
        SmtpGateway(host="127.0.0.1", port=refusing.port, sender="x@y.z").send(
            OutboundMessage(key="k", channel="email", recipient="refused@b.c", subject="s", body="b"))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(TransportError):
        SmtpGateway(host="127.0.0.1", port=port, sender="x@y.z", timeout=2).send(msg)
