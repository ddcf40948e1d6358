"""Delivering messages: a webhook (JSON POST, Slack-compatible) and e-mail (SMTP), or a dry run.

No retries or waits here: a message that cannot be sent stays owed and is tried again after the
next job (the scheduler runs one at least hourly). Error texts name the channel, the host and the
cause, never the webhook URL's path or query (a Slack webhook URL is a credential) nor a password.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from dltrends import USER_AGENT
from dltrends.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK, EMAIL = "webhook", "email"
DRY_RUN = "dry-run"  # prints instead of sending (DLTRENDS_ALERT_DRY_RUN)


class DeliveryError(Exception):
    """A channel could not take the message; the text is safe to store and show."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # plain text; the webhook gets it as Slack mrkdwn-compatible "text"
    html: str | None = None
    attachments: list[Path] = field(default_factory=list)


def channels(settings: Settings) -> list[str]:
    """The channels configured now; only the printing dry-run channel when dry run is on."""
    if settings.alert_dry_run:
        return [DRY_RUN]
    out = []
    if settings.alert_webhook_url is not None:
        out.append(WEBHOOK)
    if settings.smtp_host and settings.alert_email_to:
        out.append(EMAIL)
    return out


def send(settings: Settings, channel: str, message: Message,
         echo: Callable[[str], None] | None = None) -> None:
    """Deliver `message` on `channel` (the dry-run channel prints it with `echo`)."""
    if channel == DRY_RUN:
        (echo or log.info)(dry_run_text(settings, message))
        return
    if channel == WEBHOOK:
        post_webhook(settings, message)
    elif channel == EMAIL:
        send_email(settings, message)
    else:
        raise DeliveryError(f"unknown channel {channel}")


def dry_run_text(settings: Settings, message: Message) -> str:
    """The message as it would go out, and to which channels."""
    real = channels(settings.model_copy(update={"alert_dry_run": False}))
    to = ", ".join(real) or "no channel configured"
    extra = "".join(f"\n  attachment: {p}" for p in message.attachments)
    return f"[dry run, not sent; channels: {to}] {message.subject}\n{message.text}{extra}"


def post_webhook(settings: Settings, message: Message) -> None:
    secret = settings.alert_webhook_url.get_secret_value()
    where = _host(secret)
    try:
        response = httpx.post(secret, json={"text": message.text}, timeout=settings.notify_timeout,
                              headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {where}: {type(exc).__name__}: "
                            f"{_redact(str(exc), secret)}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"webhook {where}: HTTP {response.status_code} "
                            f"{_redact(response.text[:200], secret).strip()}".rstrip())


def send_email(settings: Settings, message: Message) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.alert_email_from or f"dltrends@{socket.getfqdn()}"
    mail["To"] = ", ".join(settings.alert_email_to)
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    for path in message.attachments:
        mail.add_attachment(path.read_bytes(), maintype="application", subtype="octet-stream",
                            filename=path.name)
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with _smtp(settings) as smtp:
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"email via {where}: {type(exc).__name__}: {_smtp_reason(exc)}") from None


def _smtp(settings: Settings) -> smtplib.SMTP:
    timeout = settings.notify_timeout
    if settings.smtp_security == "ssl":
        return smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    if settings.smtp_security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return str(exc) or "no details"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}"


def _redact(text: str, secret: str) -> str:
    """Remove the URL and its path (the credential) from a text that may quote them."""
    path = urlsplit(secret).path
    text = text.replace(secret, _host(secret) + "/...")
    return text.replace(path, "/...") if len(path) > 1 else text
