"""The outbound gateway interface for SMS and e-mail, with a file/log adapter for development and SMTP.

A gateway either returns the provider's message id, raises TransportError (the network or the server
failed: try again later) or PermanentError (the message can never be delivered: do not retry).
Every message carries its outbox idempotency key: the file adapter ignores a key it has already
written (as a provider that de-duplicates by client message id does), SMTP sends it as Message-ID and
the HTTP adapter as the Idempotency-Key header.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import smtplib
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from hotline.config import DEFAULT_NOTIFY_GATEWAYS

log = logging.getLogger(__name__)


class TransportError(Exception):
    """The gateway could not be reached or failed for now; the send may be retried."""


class PermanentError(Exception):
    """The gateway refused the message for good (bad address, rejected content)."""


@dataclass(frozen=True)
class OutboundMessage:
    """What a gateway sends."""

    key: str
    channel: str  # sms | email
    recipient: str
    subject: str
    body: str


class Gateway(Protocol):
    """Sends one message; returns the provider's id."""

    def send(self, message: OutboundMessage) -> str: ...


class LogGateway:
    """Writes the message to the application log (development)."""

    def send(self, message: OutboundMessage) -> str:
        log.info("outbound %s to %s [%s]: %s %s", message.channel, message.recipient, message.key,
                 message.subject, message.body)
        return f"log:{message.key}"


class FileGateway:
    """Appends each message as one JSON line (development, tests, the fault benchmark).

    The check for an already written key and the append happen under an exclusive file lock, so
    concurrent work-horses never write a key twice; ``suppressed`` lines record the resends it ignored.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def send(self, message: OutboundMessage) -> str:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                fh.seek(0)
                seen = any(json.loads(line).get("key") == message.key for line in fh if line.strip())
                record: dict[str, Any] = asdict(message) | ({"suppressed": True} if seen else {})
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise TransportError(f"cannot write {self.path}: {exc}") from exc
        return f"file:{message.key}"


class SmtpGateway:
    """E-mail through an SMTP server (STARTTLS and login when configured)."""

    def __init__(self, *, host: str, port: int = 25, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def send(self, message: OutboundMessage) -> str:
        if message.channel != "email":
            raise PermanentError(f"SMTP cannot send {message.channel}")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or "12345 热线通知"
        mail["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', message.key)}@hotline.invalid>"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise TransportError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP {self.host}:{self.port}: {exc}") from exc
        return str(mail["Message-ID"])


class HttpGateway:
    """POSTs each message as JSON to a provider's HTTP endpoint, with the outbox key as ``Idempotency-Key``.

    2xx is sent (the provider's ``id`` from a JSON answer, else the key); 408, 425, 429, 5xx and network
    errors may be retried; any other answer refuses the message for good. A provider that honours the
    key delivers a resent message once.
    """

    def __init__(self, *, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: OutboundMessage) -> str:
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=json.dumps(asdict(message), ensure_ascii=False).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (408, 425, 429) or exc.code >= 500:
                raise TransportError(f"HTTP {exc.code} from {self.url}") from exc
            raise PermanentError(f"HTTP {exc.code} from {self.url}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransportError(f"{self.url}: {exc}") from exc
        try:
            return str(json.loads(answer).get("id") or message.key)
        except (ValueError, AttributeError):
            return message.key


def gateway_for(config: Any, channel: str) -> Gateway:
    """The configured adapter of a channel: NOTIFY_GATEWAYS = {"sms": "file", "email": "smtp"}.

    Adapters: "file" (NOTIFY_FILE), "log", "smtp" (e-mail only: SMTP_HOST, SMTP_PORT, SMTP_SENDER,
    SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS), "http" (NOTIFY_HTTP_URL, NOTIFY_HTTP_TOKEN,
    NOTIFY_HTTP_TIMEOUT); every setting and its default is in hotline/config.py.
    """
    kinds = DEFAULT_NOTIFY_GATEWAYS | dict(config["NOTIFY_GATEWAYS"])  # a partial override keeps the rest
    kind = kinds.get(channel, "log")
    if kind == "file":
        return FileGateway(config["NOTIFY_FILE"])
    if kind == "http":
        if not config["NOTIFY_HTTP_URL"]:
            raise PermanentError("NOTIFY_HTTP_URL is not configured")
        return HttpGateway(url=config["NOTIFY_HTTP_URL"], token=config["NOTIFY_HTTP_TOKEN"],
                           timeout=float(config["NOTIFY_HTTP_TIMEOUT"]))
    if kind == "smtp":
        if not config["SMTP_HOST"]:
            raise PermanentError("SMTP_HOST is not configured")
        return SmtpGateway(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), sender=config["SMTP_SENDER"],
                           username=config["SMTP_USER"], password=config["SMTP_PASSWORD"],
                           starttls=bool(config["SMTP_STARTTLS"]))
    return LogGateway()
