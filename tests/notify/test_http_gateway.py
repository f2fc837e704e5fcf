"""The HTTP gateway: each outbox message is POSTed with its key as Idempotency-Key; a provider's 5xx
is retried and a 4xx is not; a resend after a killed job carries the same key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.factories import T0
from tests.support.provider_double import attempts, make_server


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The provider double in a thread: its URL and its attempts file."""
    path = tmp_path / "attempts.jsonl"
    server = make_server(path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/messages", path
    server.shutdown()
    server.server_close()


def _queue_sms(app) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import Department
    from hotline.notify.service import Audience, Message, notify

    with app.app_context():
        db = session()
        ecology = db.query(Department).filter_by(code="ecology").one()
        ids = notify(db, key="reminder:7", audience=Audience((ecology,)), now=T0,
                     message=Message(kind="reminder", title="签收临期", body="工单即将超过签收时限"),
                     contacts={"department:ecology": {"sms": "13800000001"}})
        db.commit()
    return ids[0]


def _status(app, mid):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.notify.models import OutboxMessage

    with app.app_context():
        message = session().get(OutboxMessage, mid)
        return message.status, message.provider_id


def test_message_is_posted_with_its_key_and_resent_with_the_same_key(qapp, provider, clock):
    from workers import jobs

    url, path = provider
    qapp.config.update(NOTIFY_GATEWAYS={"sms": "http"}, NOTIFY_HTTP_URL=url)
    mid = _queue_sms(qapp)
    assert jobs.send_outbox(mid) == "sent"
    assert _status(qapp, mid) == ("sent", "double:reminder:7:sms:13800000001")
    with qapp.app_context():  # as if the job had been killed after the provider took it
        db = qapp.extensions["db"].sessions()
        db.execute(text("UPDATE outbox SET status = 'sending', claimed_at = :t WHERE id = :i"),
                   {"t": (T0 - timedelta(minutes=5)).replace(tzinfo=None), "i": mid})
        db.commit()
        db.close()
    assert jobs.send_outbox(mid) == "sent"
    seen = attempts(path)
    assert [(a["key"], a["duplicate"]) for a in seen] == [("reminder:7:sms:13800000001", False),
                                                          ("reminder:7:sms:13800000001", True)]
    assert seen[0]["body"]["recipient"] == "13800000001" and seen[0]["body"]["subject"] == "签收临期"


def test_provider_errors_are_classified(tmp_path):
    from hotline.notify.gateways import HttpGateway, OutboundMessage, PermanentError, TransportError

    message = OutboundMessage(key="k1", channel="sms", recipient="13800000001", subject="s", body="b")
    failing = make_server(tmp_path / "a.jsonl", fail_every=1)
    threading.Thread(target=failing.serve_forever, daemon=True).start()
    with pytest.raises(TransportError):
        HttpGateway(url=f"http://127.0.0.1:{failing.server_address[1]}/").send(message)
    failing.shutdown()
    failing.server_close()
    with pytest.raises(TransportError):  # nobody listens there any more
        HttpGateway(url=f"http://127.0.0.1:{failing.server_address[1]}/", timeout=2).send(message)
    with pytest.raises(PermanentError):
        _send_to_a_404(message)


def _send_to_a_404(message):  # type: ignore[no-untyped-def]
    """A provider answering 404 (a wrong URL path) refuses for good."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from hotline.notify.gateways import HttpGateway

    class NotFound(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args) -> None:  # type: ignore[no-untyped-def]
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        HttpGateway(url=f"http://127.0.0.1:{server.server_address[1]}/").send(message)
    finally:
        server.shutdown()
        server.server_close()
