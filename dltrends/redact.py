"""Redaction: no credential in any text dltrends makes (error texts, run logs, log lines).

`redact` hides the values of query parameters with credential-like names (`key`, `token`,
`password`, `sig`, `auth...`) and every secret value registered in this process: the HTTP clients
register theirs, the CLI registers every secret setting at start, and its log handlers pass each
line through `RedactingFilter`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

# Query parameters whose values are credentials: exact names, and name families.
_CREDENTIAL_NAMES = frozenset({"key", "token", "access_token", "api_key", "apikey", "api-key",
                               "password", "passwd", "pwd", "secret", "client_secret", "sig",
                               "signature", "code", "session", "sessionid"})
_CREDENTIAL_PARTS = re.compile(r"^auth(?!or)|token$|secret$|password$|signature$|[_-]key$|^x-amz-|"
                               r"^x-goog-", re.I)
_QUERY_PAIR = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#?\s'\"<>()]+)=(?P<value>[^&;#\s'\"<>()]*)")
_secrets: set[str] = set()  # every secret any client was given in this process
_secrets_lock = threading.Lock()
MIN_SECRET = 4  # shorter values are not searched for (they would blank out ordinary words)


def credential_name(name: str) -> bool:
    """True for a query parameter name that carries a credential (key, token, sig, auth...)."""
    name = name.strip().lower()
    return name in _CREDENTIAL_NAMES or bool(_CREDENTIAL_PARTS.search(name))


def register_secrets(*values: str | None) -> None:
    """Remember secret values, so that `redact` removes them from every text from now on."""
    with _secrets_lock:
        for value in values:
            if value and len(value) >= MIN_SECRET:
                _secrets.update({value, quote(value, safe=""), quote_plus(value, safe="")})


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with credential query values and every known secret value replaced by "***"."""
    text = _QUERY_PAIR.sub(lambda m: f"{m['lead']}{m['name']}=***" if credential_name(m["name"])
                           and m["value"] else m[0], str(text))
    extra = {v for s in secrets if s and len(s) >= MIN_SECRET
             for v in (s, quote(s, safe=""), quote_plus(s, safe=""))}
    with _secrets_lock:
        known = sorted(_secrets | extra, key=len, reverse=True)
    for value in known:
        text = text.replace(value, "***")
    return text


class RedactingFilter(logging.Filter):
    """A log handler's filter: every line and traceback passes through `redact` first."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


