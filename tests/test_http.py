"""The HTTP client layer against the fake server: retries, Retry-After, conditional requests."""

import datetime as dt

import pytest

from collectors.http import HttpClient, HttpError, parse_retry_after
from dltrends import __version__
from tests.support.fakeserver import RESET, SHORT_BODY, status


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
