"""The HTTP client layer against the fake server: retries, Retry-After, conditional requests."""

import datetime as dt
import io
import logging
import time

import pytest

from collectors.common import decode_json
from collectors.http import (
    MAX_HINT,
    HttpClient,
    HttpError,
    parse_retry_after,
    redact,
    register_secrets,
    safe_url,
)
from dltrends import __version__
from dltrends.redact import RedactingFilter
from tests.support.fakeserver import HTML, RESET, SHORT_BODY, FakeServer, status, trickle


def client(server, **kw) -> HttpClient:
    return HttpClient(server.url, timeout=5, retries=kw.pop("retries", 3), **kw)


def test_user_agent_names_dltrends_and_contact(server):
    server.add("/x", {"ok": True})
    with client(server, contact="ops@example.org") as http:
        http.get("/x")
    agent = server.requests[0].headers["User-Agent"]
    assert agent.startswith(f"dltrends/{__version__}") and "ops@example.org" in agent


def test_retries_5xx_then_succeeds_with_exact_calls(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", status(500), status(503))
    with client(server) as http:
        assert http.get("/x").json() == {"ok": True}
        assert http.requests_sent == 3
    assert server.count("/x") == 3
    assert len(waits) == 2


def test_honours_retry_after_seconds(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", status(429, Retry_After="7"))
    with client(server) as http:
        http.get("/x")
    assert waits == [7.0]


def test_retry_after_longer_than_the_limit_fails_at_once(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", status(429, Retry_After="3600"))
    with client(server, max_retry_wait=60) as http, pytest.raises(HttpError) as info:
        http.get("/x")
    assert server.count("/x") == 1 and waits == []
    assert "Retry-After 3600 s exceeds the 60 s limit" in str(info.value)


def test_gives_up_after_retries_and_says_so(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", *[status(502)] * 5)
    with client(server, retries=2) as http, pytest.raises(HttpError) as info:
        http.get("/x")
    assert server.count("/x") == 3
    assert "HTTP 502" in str(info.value) and "after 3 attempts" in str(info.value)
    assert info.value.status == 502


def test_404_is_not_retried(server, waits):
    with client(server) as http, pytest.raises(HttpError) as info:
        http.get("/missing")
    assert info.value.status == 404 and server.count("/missing") == 1 and waits == []


@pytest.mark.parametrize("fault", [RESET, SHORT_BODY])
def test_connection_faults_are_retried(server, waits, fault):
    server.add("/x", {"ok": True})
    server.fail("/x", fault)
    with client(server) as http:
        assert http.get("/x").json() == {"ok": True}
    assert server.count("/x") == 2


def test_backoff_is_capped_exponential(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", status(500), status(500), status(500))
    with client(server, retries=3) as http:
        http.get("/x")
    assert len(waits) == 3
    assert all(0.8 * 2**i <= w <= 1.2 * 2**i for i, w in enumerate(waits))


def test_conditional_request_gets_304(server):
    server.add("/x", {"v": 1}, etag='"abc"')
    with client(server) as http:
        first = http.get("/x")
        assert first.headers["ETag"] == '"abc"'
        second = http.get("/x", etag='"abc"')
    assert second.status_code == 304 and second.content == b""
    assert server.requests[1].headers["If-None-Match"] == '"abc"'


def test_paginate_follows_link_headers_with_exact_urls(server):
    server.add("/items", [1, 2], headers={"Link": '<{base}/items?page=2>; rel="next", '
                                                  '<{base}/items?page=3>; rel="last"'})
    server.add("/items?page=2", [3, 4], headers={"Link": '<{base}/items?page=3>; rel="next"'})
    server.add("/items?page=3", [5])
    with client(server) as http:
        pages = [r.json() for r in http.paginate("/items")]
    assert pages == [[1, 2], [3, 4], [5]]
    assert server.targets() == ["/items", "/items?page=2", "/items?page=3"]


def test_timeout_is_a_retryable_error(server, waits):
    from tests.support.fakeserver import slow

    server.add("/x", {"ok": True})
    server.fail("/x", slow(1.5))
    with HttpClient(server.url, timeout=0.3, retries=1) as http:
        assert http.get("/x").json() == {"ok": True}
    assert len(waits) == 1


def test_parse_retry_after():
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


class FakeClock:
    """A monotonic clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_rate_limiter_allows_n_per_minute_spaced_out():
    from collectors.http import RateLimiter

    clock = FakeClock()
    limiter = RateLimiter(3, min_interval=0.5, clock=clock, sleep=clock.sleep)
    for _ in range(7):
        limiter.acquire()
    # three in the first window, 0.5 s apart; the 4th waits until 60 s after the 1st, and so on
    assert clock.sleeps == [0.5, 0.5, 59.0, 0.5, 0.5, 59.0]
    assert limiter.waited == pytest.approx(120.0)


def test_rate_limited_client_waits_before_sending(server):
    from collectors.http import RateLimiter

    server.add("/x", {"ok": True})
    clock = FakeClock()
    limiter = RateLimiter(2, min_interval=0.0, clock=clock, sleep=clock.sleep)
    with client(server, limiter=limiter) as http:
        for _ in range(3):
            http.get("/x")
    assert server.count("/x") == 3 and clock.sleeps == [60.0]


def test_429_without_retry_after_waits_the_default(server, waits):
    server.add("/x", {"ok": True})
    server.fail("/x", status(429))
    with client(server, default_429_wait=60.0) as http:
        http.get("/x")
    assert waits == [60.0]


def test_post_sends_json_and_retries(server, waits):
    from tests.support.fakeserver import Response

    seen = []
    server.handle("/q", lambda r: seen.append(r.body) or Response(200, b'{"ok": 1}',
                                                                  {"Content-Type": "application/json"}),
                  method="POST")
    server.fail("/q", status(503), method="POST")
    with client(server) as http:
        assert http.post("/q", json={"query": "SELECT 1"}).json() == {"ok": 1}
    assert server.count("/q", method="POST") == 2 and seen == [b'{"query":"SELECT 1"}']


def test_per_call_retries_and_plain_text_error_detail(server, waits):
    quota = status(500, "Code: 201. DB::Exception: Quota exceeded", Content_Type="text/plain")
    server.fail("/x", *[quota] * 3)
    with client(server, retries=4) as http, pytest.raises(HttpError) as info:
        http.get("/x", retries=1)
    assert server.count("/x") == 2 and len(waits) == 1
    assert info.value.detail == "Code: 201. DB::Exception: Quota exceeded"


# -- Retry-After in every form a server may send ---------------------------------------------------

# 30 s after tests.support.clock.NOW (Sat, 28 Nov 2026 12:00:00 UTC), in each HTTP-date form.
RETRY_AFTER_30S = {
    "delta-seconds": "30",
    "IMF-fixdate": "Sat, 28 Nov 2026 12:00:30 GMT",
    "RFC 850": "Saturday, 28-Nov-26 12:00:30 GMT",
    "asctime": "Sat Nov 28 12:00:30 2026",
    "-0000 zone": "Sat, 28 Nov 2026 12:00:30 -0000",
    "padded": "  30  ",
}


@pytest.mark.parametrize("value", RETRY_AFTER_30S.values(), ids=RETRY_AFTER_30S.keys())
def test_retry_after_in_every_http_date_form_is_waited(server, clock, value):
    server.add("/x", {"ok": True})
    server.fail("/x", status(503, Retry_After=value))
    with client(server) as http:
        assert http.get("/x").json() == {"ok": True}
    assert clock.waits == [30.0] and server.count("/x") == 2


# Values that are no usable hint: never an error of their own; the request goes on with its backoff.
# (Only Latin-1 travels in a header; "²" does, and str.isdigit() takes it for a digit.)
ODD_RETRY_AFTER = {
    "superscript two": "²",
    "negative": "-5",
    "fraction of a date": "Sat, 28 Nov",
    "garbage": "soon",
    "year 99999": "Sat, 28 Nov 99999 12:00:30 GMT",
    "float overflow": "1e400",
}


@pytest.mark.parametrize("value", ODD_RETRY_AFTER.values(), ids=ODD_RETRY_AFTER.keys())
def test_odd_retry_after_is_no_hint(server, clock, value):
    server.add("/x", {"ok": True})
    server.fail("/x", status(429, Retry_After=value))
    with client(server) as http:
        assert http.get("/x").json() == {"ok": True}
    assert len(clock.waits) == 1 and 0.8 <= clock.waits[0] <= 1.2  # the first backoff step


@pytest.mark.parametrize("value", ["9" * 5000, "99999999999999999999",
                                   "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_absurd_retry_after_is_clamped_and_fails_only_the_request(server, clock, value):
    server.add("/x", {"ok": True})
    server.fail("/x", status(429, Retry_After=value))
    with client(server, max_retry_wait=60) as http, pytest.raises(HttpError) as info:
        http.get("/x")
    assert "exceeds the 60 s limit" in str(info.value) and clock.waits == []
    assert info.value.retry_after == MAX_HINT


def test_parse_retry_after_forms_are_timezone_aware():
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert {parse_retry_after(v, now) for v in RETRY_AFTER_30S.values()} == {30.0}
    assert {parse_retry_after(v, now) for v in ODD_RETRY_AFTER.values()} == {None}
    assert parse_retry_after("١٢٠", now) is None and parse_retry_after("５", now) is None


# -- credentials stay with the configured host ------------------------------------------------------

TOKEN = "hf_TopSecretToken0123456789"
API_KEY = "SeKey-0123456789abcdef"


def test_a_link_to_another_host_is_followed_without_credentials(server, caplog):
    with FakeServer() as foreign:
        foreign.add("/page2", [3])
        server.add("/items", [1, 2], headers={
            "Link": f'<{foreign.url}/page2?key={API_KEY}&page=2>; rel="next"'})
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": API_KEY}
        with caplog.at_level("INFO", "collectors.http"), \
                client(server, headers=headers, secrets=[API_KEY]) as http:
            pages = [r.json() for r in http.paginate("/items", params={"key": API_KEY})]
    assert pages == [[1, 2], [3]]
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    (sent,) = foreign.requests
    assert sent.target == "/page2?page=2"
    assert not {"Authorization", "X-Api-Key"} & set(sent.headers)
    assert "without its credentials" in caplog.text
    assert TOKEN not in caplog.text and API_KEY not in caplog.text


def test_a_redirect_to_another_host_goes_without_credentials(server):
    with FakeServer() as foreign:
        foreign.add("/moved", {"ok": True})
        server.add("/x", "", status=302, headers={"Location": f"{foreign.url}/moved"})
        server.add("/same", "", status=301, headers={"Location": "{base}/x2"})
        server.add("/x2", {"ok": 2})
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": API_KEY}
        with client(server, headers=headers) as http:
            assert http.get("/x").json() == {"ok": True}
            assert http.get("/same").json() == {"ok": 2}
    assert not {"Authorization", "X-Api-Key"} & set(foreign.requests[0].headers)
    assert server.requests[-1].path == "/x2"
    assert server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


# -- no credential in a text made from a URL --------------------------------------------------------

@pytest.mark.parametrize("name", ["key", "KEY", "token", "access_token", "api_key", "apikey",
                                  "password", "secret", "sig", "Signature", "auth", "auth_token",
                                  "X-Amz-Signature", "client_secret"])
def test_credential_query_parameters_are_redacted(name):
    url = f"https://api.example.org/2.3/info?site=so&{name}=Value0123456789&page=2"
    assert safe_url(url) == f"https://api.example.org/2.3/info?site=so&{name}=***&page=2"


def test_ordinary_query_parameters_stay():
    url = "https://api.example.org/models?filter=keras&sort=downloads&author=google&limit=1000"
    assert safe_url(url) == url


def test_a_non_json_answer_names_the_url_without_its_key(server):
    server.add("/2.3/tags/x/info", {"items": []})
    server.fail("/2.3/tags/x/info", HTML)
    with client(server, secrets=[API_KEY]) as http:
        response = http.get("/2.3/tags/x/info", params={"site": "so", "key": API_KEY})
    with pytest.raises(ValueError) as info:
        decode_json(response)
    assert "expected JSON, got text/html" in str(info.value)
    assert API_KEY not in str(info.value) and "key=***" in str(info.value)


def test_a_configured_secret_is_redacted_wherever_it_appears(server):
    register_secrets("Plain-Secret-In-Path-42")
    server.add("/x", "no", status=400, content_type="text/plain")
    with client(server, retries=0) as http, pytest.raises(HttpError) as info:
        http.get("/x/Plain-Secret-In-Path-42/y")
    assert "Plain-Secret-In-Path-42" not in str(info.value)
    assert redact("said Plain-Secret-In-Path-42 and Plain%2DSecret") == "said *** and Plain%2DSecret"


# -- an overall deadline per request ----------------------------------------------------------------

@pytest.mark.parametrize("body_only", [False, True], ids=["whole answer", "body"])
def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(server, waits, body_only):
    server.add("/x", {"padding": "x" * 200})
    server.fail("/x", trickle(0.05, body_only=body_only))
    started = time.monotonic()
    with client(server, deadline=1.0) as http, pytest.raises(HttpError) as info:
        http.get("/x")  # each byte comes well within the 5 s read timeout; the whole would take 12 s
    took = time.monotonic() - started
    assert took < 2.5, took
    assert "1 s deadline" in str(info.value) and "DLTRENDS_HTTP_DEADLINE" in str(info.value)
    assert server.count("/x") == 1 and waits == []  # not retried: it would only trickle again


def test_a_download_is_held_to_the_deadline_too(server, tmp_path, waits):
    server.add("/f.parquet", b"x" * 300, content_type="application/octet-stream")
    server.fail("/f.parquet", trickle(0.02, body_only=True))
    started = time.monotonic()
    with client(server, deadline=1.0) as http, pytest.raises(HttpError):
        http.download("/f.parquet", tmp_path / "f.parquet")
    assert time.monotonic() - started < 2.5 and not (tmp_path / "f.parquet").exists()


def test_log_lines_and_tracebacks_pass_through_redaction():
    register_secrets("LogSecret-0123456")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        raise ValueError("failed at https://x.org/a?key=LogSecret-0123456")
    except ValueError:
        logger.exception("fetching %s", "https://x.org/b?token=abcdef123&page=2")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "fetching https://x.org/b?token=***&page=2" in text and "ValueError" in text
    assert "LogSecret-0123456" not in text and "abcdef123" not in text
