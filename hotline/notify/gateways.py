"""The outbound gateway interface for SMS and e-mail, with a file/log adapter for development and SMTP.

A gateway either returns the provider's message id, raises TransportError (the network or the server
failed: try again later) or PermanentError (the message can never be delivered: do not retry).
Every message carries its outbox idempotency key: the file adapter ignores a key it has already
written (as a provider that de-duplicates by client message id does) and SMTP sends it as Message-ID.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import smtplib
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


def gateway_for(config: Any, channel: str) -> Gateway:
    """The configured adapter of a channel: NOTIFY_GATEWAYS = {"sms": "file", "email": "smtp"}.

    Adapters: "file" (NOTIFY_FILE), "log", "smtp" (e-mail only: SMTP_HOST, SMTP_PORT, SMTP_SENDER,
    SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS); every setting and its default is in hotline/config.py.
    """
    kinds = DEFAULT_NOTIFY_GATEWAYS | dict(config["NOTIFY_GATEWAYS"])  # a partial override keeps the rest
    kind = kinds.get(channel, "log")
    if kind == "file":
        return FileGateway(config["NOTIFY_FILE"])
    if kind == "smtp":
        if not config["SMTP_HOST"]:
            raise PermanentError("SMTP_HOST is not configured")
        return SmtpGateway(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), sender=config["SMTP_SENDER"],
                           username=config["SMTP_USER"], password=config["SMTP_PASSWORD"],
                           starttls=bool(config["SMTP_STARTTLS"]))
    return LogGateway()
