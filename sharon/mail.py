"""Outgoing mail, when the trust has set up an SMTP server (SHARON_SMTP_*).

SHaRON sends one kind of mail, a plain-text password reset link, to one person at a time.
The standard library already does all of that well: `email.message.EmailMessage` builds
a correct message (headers encoded, UTF-8 body) and `smtplib` speaks SMTP with STARTTLS
and login. A mail library would add a dependency to keep patched for nothing more.

Sending is handed to a background task (a green thread under eventlet): an SMTP server
can take seconds to answer, and the page must neither wait for it nor, by how long it
takes, tell a visitor whether an address has an account.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True


def settings(config: Mapping[str, Any]) -> MailSettings | None:
    """The SMTP settings, or None when mail is not set up (no host or no From address)."""
    host, sender = config.get("SHARON_SMTP_HOST"), config.get("SHARON_MAIL_FROM")
    if not host or not sender:
        return None
    return MailSettings(host=host, port=int(config.get("SHARON_SMTP_PORT") or 587),
                        sender=sender, username=config.get("SHARON_SMTP_USERNAME") or None,
                        password=config.get("SHARON_SMTP_PASSWORD") or None,
                        starttls=bool(config.get("SHARON_SMTP_STARTTLS", True)))


def configured(config: Mapping[str, Any]) -> bool:
    """Whether SHaRON can send mail, so pages offer what needs it only then."""
    return settings(config) is not None


def message(mail: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message, ready to send."""
    msg = EmailMessage()
    msg["From"] = mail.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    return msg


def send(mail: MailSettings, msg: EmailMessage) -> bool:
    """Send now (this waits for the server); False, logged, when it could not be sent.
    The log names neither the address nor the message: they are personal, and a reset
    link is a key."""
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=TIMEOUT_SECONDS) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail could not be sent: %s", type(error).__name__)
        return False
    return True


def send_later(mail: MailSettings, msg: EmailMessage) -> None:
    """Send in a background task, so the request answers at once whatever the server does."""
    from sharon.extensions import socketio

    socketio.start_background_task(send, mail, msg)
