"""Delivering messages: a webhook (JSON POST, Slack-compatible) and e-mail (SMTP), or a dry run.

No retries or waits here: a message that cannot be sent stays owed and is tried again after the
next job (the scheduler runs one at least hourly). Error texts name the channel, the host and the
cause, never the webhook URL's path, query or user info (a Slack webhook URL is a credential, Google
Chat's carries `?key=...&token=...`) nor a password.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from dltrends import USER_AGENT
from dltrends.redact import redact
from dltrends.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK, EMAIL = "webhook", "email"
DRY_RUN = "dry-run"  # prints instead of sending (DLTRENDS_ALERT_DRY_RUN)


class DeliveryError(Exception):
    """A channel could not take the message; the text is safe to store and show."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str  # plain text: the e-mail's body, and what a webhook that is not Slack's gets
    html: str | None = None
    attachments: list[Path] = field(default_factory=list)
    mrkdwn: str | None = None  # the Slack version, its data escaped (default: the text escaped)


SLACK_HOSTS = ("hooks.slack.com",)
# Slack's mrkdwn has no escape for its formatting characters: text from the data gets look-alikes
LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def mrkdwn(text: str) -> str:
    """Text from the data made inert for Slack: &, < and > escaped (no link, no <!channel>
    mention), and * _ ~ ` replaced by look-alikes (no bold, italics, strike-through or code)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(LOOKALIKES)


def slack_link(url: str, label: str) -> str:
    """A Slack link to an http(s) `url` from the data; the label is ours."""
    if not url.startswith(("http://", "https://")):
        return ""
    for char, code in (("|", "%7C"), ("<", "%3C"), (">", "%3E"), (" ", "%20")):
        url = url.replace(char, code)
    return f"<{url}|{label}>"


def is_slack(settings: Settings) -> bool:
    """Whether the webhook gets Slack's mrkdwn (DLTRENDS_ALERT_WEBHOOK_MARKUP) or plain text."""
    if settings.alert_webhook_markup != "auto":
        return settings.alert_webhook_markup == "slack"
    url = settings.alert_webhook_url.get_secret_value() if settings.alert_webhook_url else ""
    return (urlsplit(url).hostname or "").lower() in SLACK_HOSTS


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
    return f"[dry run, not sent; channels: {to}]\n{message.text}{extra}"


def post_webhook(settings: Settings, message: Message) -> None:
    secret = settings.alert_webhook_url.get_secret_value()
    where = _host(secret)
    text = (message.mrkdwn or mrkdwn(message.text)) if is_slack(settings) else message.text
    try:
        response = httpx.post(secret, json={"text": text}, timeout=settings.notify_timeout,
                              headers={"User-Agent": USER_AGENT}, follow_redirects=False)
    except httpx.InvalidURL:
        raise DeliveryError("webhook: DLTRENDS_ALERT_WEBHOOK_URL is not a valid http(s) URL") from None
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
    """Remove the URL and each part of it that may be a credential (path, query, each query value,
    user info) from a text that may quote them, and whatever `dltrends.redact.redact` hides."""
    parts = urlsplit(secret)
    text = text.replace(secret, _host(secret) + "/...")
    if len(parts.path) > 1:
        text = text.replace(parts.path, "/...")
    pieces = [parts.path, parts.query, parts.fragment,
              parts.password or "", parts.username or "",
              *(value for _, value in parse_qsl(parts.query, keep_blank_values=True))]
    for piece in sorted({p for p in pieces if len(p) >= 4}, key=len, reverse=True):
        text = text.replace(piece, "...")
    return redact(text)


MAX_WEBHOOK_TEXT = 35_000  # Slack truncates a message's text at 40,000 characters


def deliver_report(settings: Settings, folder: Path, since: float,
                   echo: Callable[[str], None] | None = None) -> dict[str, str | None]:
    """Send the report files written to `folder` after `since` (epoch seconds) on every channel.

    The Markdown version is the message text, the HTML version the e-mail's HTML part and an
    attachment. Returns channel -> None when sent, else why not. Nothing is retried: the next
    report comes next week.
    """
    newest = {ext: _newest(folder, ext, since) for ext in (".md", ".html")}
    if newest[".md"] is None and newest[".html"] is None:
        log.warning("the report wrote no .md or .html file to %s; nothing to deliver", folder)
        return {}
    text = newest[".md"].read_text(encoding="utf-8") if newest[".md"] else ""
    html = newest[".html"].read_text(encoding="utf-8") if newest[".html"] else None
    subject = f"dltrends report: {(newest['.md'] or newest['.html']).stem}"
    outcome: dict[str, str | None] = {}
    for channel in channels(settings):
        body = text if channel != WEBHOOK else plain_text(text)
        if channel == WEBHOOK and len(body) > MAX_WEBHOOK_TEXT:
            body = body[:MAX_WEBHOOK_TEXT] + "\n... (truncated; the full report is in the e-mail / on disk)"
        attachments = [newest[".html"]] if channel == EMAIL and newest[".html"] else []
        try:
            send(settings, channel, Message(subject, body or subject, html, attachments), echo)
            outcome[channel] = None
            log.info("report %s sent by %s", subject, channel)
        except DeliveryError as exc:
            outcome[channel] = str(exc)
            log.warning("report %s not sent: %s", subject, exc)
    return outcome


MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]<>|#])")


def plain_text(markdown: str) -> str:
    """The report's Markdown (as jobs/report/render.py writes it) as plain text: no heading marks,
    italics, chart images (files beside the report), table rules or backslash escapes. A Slack
    webhook gets this escaped (`mrkdwn`), so nothing from the data can format or mention."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("![") or re.fullmatch(r"\|[-:|]+\|", line):
            continue
        line = re.sub(r"^#+ ", "", line)
        if len(line) > 2 and line[0] == "_" and line[-1] == "_" and line[-2] != "\\":
            line = line[1:-1]
        lines.append(MD_ESCAPED.sub(r"\1", line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _newest(folder: Path, ext: str, since: float) -> Path | None:
    files = [p for p in folder.rglob(f"*{ext}") if p.is_file() and p.stat().st_mtime >= since - 1]
    return max(files, key=lambda p: p.stat().st_mtime, default=None)
