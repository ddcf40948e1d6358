"""GitHub's part of the HTTP layer: its rate limits, for httpx (`GitHubHttp`) and PyGithub (`GitHubRetry`).

GitHub as it really behaves (REST docs "Rate limits for the REST API", "Best practices"):

- every response carries `X-RateLimit-Limit/-Remaining/-Used/-Reset/-Resource`; the buckets are
  `core` (60 an hour without a token, 5,000 with one), `search` (10 a minute without, 30 with) and
  `graphql` (token only). `GET /rate_limit` is free.
- Primary limit spent: 403 or 429 with `X-RateLimit-Remaining: 0`. Wait until `X-RateLimit-Reset`
  when that is within `DLTRENDS_GITHUB_MAX_WAIT`, otherwise raise `RateLimited`: the collector stops
  that stream and defers its items to the next run.
- Secondary limit: 403 or 429 with `Retry-After` (wait it) or without (wait at least 60 s); bounded
  by `DLTRENDS_HTTP_RETRIES`. A wait longer than `DLTRENDS_HTTP_MAX_RETRY_WAIT` defers instead.
- Any other 403 or 404 is not retried; 5xx and connection errors get capped exponential backoff.

A `RateBudget` follows every bucket from those headers, so a run stops before spending what is not
there: without a token a run does what fits into 60 requests an hour and defers the rest. All waits
go through `collectors.http._sleep`, the one place dltrends sleeps. The token is sent as a header
and never appears in an error text or log line.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
from github import Auth, Github, GithubException
from github.GithubRetry import GithubRetry
from github.Requester import Requester
from urllib3.util.retry import Retry

import collectors.http as http
from collectors.http import (
    MAX_HINT,
    HttpClient,
    HttpError,
    RateLimited,
    hint_seconds,
    parse_retry_after,
    register_secrets,
    safe_url,
)
from dltrends import USER_AGENT

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
WINDOWS = {"search": 60}  # seconds a bucket lasts; core and graphql reset hourly
STATS_TRIES = 4  # polls of a /stats endpoint that answers 202, waiting 2, 4, 8 s between them
STATS_FIRST_WAIT = 2.0
SECONDARY_WAIT = 60.0  # GitHub: "wait at least one minute" after a secondary limit without Retry-After
_SECONDARY = re.compile(r"secondary rate limit|abuse detection|retry your request again later|"
                        r"wait a few minutes", re.I)
_PRIMARY = re.compile(r"^api rate limit exceeded", re.I)


@dataclass
class Bucket:
    """One rate-limit bucket as GitHub last reported it."""

    limit: int
    remaining: int
    reset: float  # epoch seconds
    used: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "remaining": self.remaining, "used": self.used,
                "reset": int(self.reset)}


def _clock() -> float:
    return time.time()


def utc(epoch: float) -> dt.datetime:
    """An epoch time as UTC, clamped to a year from now (a server's absurd reset cannot overflow)."""
    now = _clock()
    return dt.datetime.fromtimestamp(min(max(epoch, 0.0), now + MAX_HINT, 253_402_300_799.0), dt.UTC)


def reset_epoch(value: Any) -> float | None:
    """An X-RateLimit-Reset header as epoch seconds (ASCII digits, clamped); None if unreadable."""
    return hint_seconds(str(value), cap=_clock() + MAX_HINT) if value is not None else None


@dataclass
class RateBudget:
    """The budget of every bucket, from response headers; spends one request at a time."""

    max_wait: float
    authenticated: bool = False
    buckets: dict[str, Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, headers: httpx.Headers | dict[str, Any], resource: str | None = None) -> None:
        """Read X-RateLimit-* headers (any case) into the bucket they name."""
        h = {k.lower(): str(v) for k, v in headers.items()}
        if "x-ratelimit-remaining" not in h or "x-ratelimit-limit" not in h:
            return
        name = h.get("x-ratelimit-resource") or resource or "core"
        numbers = [hint_seconds(h[k], cap=1e9) for k in ("x-ratelimit-limit", "x-ratelimit-remaining")]
        if None in numbers:
            return  # not numbers GitHub would send: no hint
        limit, remaining = (int(n) for n in numbers)  # type: ignore[arg-type]
        reset = reset_epoch(h.get("x-ratelimit-reset")) or _clock() + 3600
        used = hint_seconds(h.get("x-ratelimit-used"), cap=1e9)
        bucket = Bucket(limit, remaining, reset, int(used) if used is not None else limit - remaining)
        with self._lock:
            self.buckets[name] = bucket

    def load(self, payload: dict[str, Any]) -> None:
        """Fill every bucket from a GET /rate_limit body."""
        with self._lock:
            for name, b in (payload.get("resources") or {}).items():
                self.buckets[name] = Bucket(int(b["limit"]), int(b["remaining"]), float(b["reset"]),
                                            int(b.get("used") or 0))

    def take(self, resource: str, url: str) -> None:
        """Spend one request of `resource`; wait for its reset if allowed, else raise RateLimited."""
        with self._lock:
            bucket = self.buckets.get(resource)
            if bucket is None:
                return  # not seen yet: the server's answer will say
            now = _clock()
            if bucket.reset <= now:
                bucket.remaining, bucket.reset = bucket.limit, now + WINDOWS.get(resource, 3600)
            if bucket.remaining > 0:
                bucket.remaining -= 1
                return
            wait = bucket.reset - now + 1
            reset = bucket.reset
        if wait > self.max_wait:
            raise RateLimited(url, f"GitHub {resource} budget spent ({bucket.limit} requests); it resets "
                              f"at {utc(reset):%Y-%m-%d %H:%M} UTC, beyond DLTRENDS_GITHUB_MAX_WAIT "
                              f"({self.max_wait:.0f} s)" + ("" if self.authenticated else
                                                            "; GITHUB_TOKEN raises the budget"),
                              reset_at=utc(reset))
        log.info("GitHub %s budget spent: waiting %.0f s for its reset", resource, wait)
        http._sleep(wait)
        with self._lock:
            bucket.remaining, bucket.reset = bucket.limit - 1, reset + WINDOWS.get(resource, 3600)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: b.as_dict() for name, b in self.buckets.items()}


@dataclass(frozen=True)
class Limit:
    """A rate-limit answer: `primary` (budget spent until `reset`) or `secondary` (wait `wait` s)."""

    kind: str
    wait: float | None = None
    reset: float | None = None


def classify(status: int, headers: Any, message: str) -> Limit | None:
    """Is a 403/429 a rate limit, and which? None for a plain refusal (permissions, blocked)."""
    if status not in (403, 429):
        return None
    h = {k.lower(): str(v) for k, v in headers.items()}
    reset = reset_epoch(h.get("x-ratelimit-reset"))
    if h.get("x-ratelimit-remaining") == "0" or _PRIMARY.search(message or ""):
        return Limit("primary", reset=reset)
    if "retry-after" in h:
        return Limit("secondary", wait=parse_retry_after(h["retry-after"]) or SECONDARY_WAIT)
    if status == 429 or _SECONDARY.search(message or ""):
        return Limit("secondary", wait=SECONDARY_WAIT)
    return None


def limit_wait(limit: Limit, status: int, url: str, budget: RateBudget,
               max_retry_wait: float) -> float:
    """Seconds to wait out a rate-limit answer, for both clients; raises RateLimited (the items are
    deferred to the next run) when the wait is unknown or longer than the settings allow."""
    if limit.kind == "primary":
        wait = None if limit.reset is None else max(0.0, limit.reset - _clock()) + 1
        if wait is None or wait > budget.max_wait:
            raise _deferred(url, status, resource_of(url) or "core", limit.reset, budget.max_wait,
                            budget.authenticated)
        return wait
    wait = max(limit.wait or SECONDARY_WAIT, 1.0)
    if wait > max_retry_wait:
        raise RateLimited(url, f"HTTP {status}: GitHub secondary rate limit asks to wait "
                          f"{wait:.0f} s, more than DLTRENDS_HTTP_MAX_RETRY_WAIT",
                          reset_at=utc(_clock() + wait), status=status)
    return wait


def resource_of(url: str) -> str | None:
    """The bucket a request spends; None for GET /rate_limit, which is free."""
    path = httpx.URL(url).path
    if path.endswith("/rate_limit"):
        return None
    if "/search/" in path:
        return "search"
    return "graphql" if path.endswith("/graphql") else "core"


def graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint for an API base: /graphql, or /api/graphql on Enterprise (/api/v3)."""
    base = api_url.rstrip("/")
    return base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"


class StatsPending(RateLimited):
    """GitHub answered 202 (computing) to every poll: postpone, never record it as zero."""


class RateLimitWait(HttpError):
    """A rate limit we decided to wait out (its wait is already checked against the limits)."""

    def __init__(self, url: str, reason: str, status: int, wait: float):
        super().__init__(url, reason, status, retry_after=wait, retryable=True)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message") or "") if isinstance(body, dict) else ""


class GitHubHttp(HttpClient):
    """HttpClient that knows GitHub's rate limits (see the module docstring)."""

    def __init__(self, api_url: str, token: str | None, budget: RateBudget, *, timeout: float,
                 retries: int, max_retry_wait: float, contact: str = "", sleep=None,
                 deadline: float | None = None):
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        super().__init__(api_url, timeout=timeout, retries=retries, max_retry_wait=max_retry_wait,
                         contact=contact, pool_size=2, headers=headers, sleep=sleep,
                         deadline=deadline)
        self.budget = budget

    def _before_request(self, url: str) -> None:
        full = self._url(url)
        if resource := resource_of(full):
            self.budget.take(resource, full)

    def _after_response(self, response: httpx.Response) -> None:
        self.budget.observe(response.headers, resource_of(str(response.url)))

    def _error(self, response: httpx.Response) -> HttpError:
        message = _message(response)
        limit = classify(response.status_code, response.headers, message)
        if limit is None:
            base = super()._error(response)
            if message and message.lower() not in base.reason.lower():
                base.add_context(message[:200])
            return base
        url, status = safe_url(response.url), response.status_code
        try:
            wait = limit_wait(limit, status, url, self.budget, self.max_retry_wait)
        except RateLimited as exc:
            return exc
        return RateLimitWait(url, f"HTTP {status}: GitHub {limit.kind} rate limit", status, wait)

    def _can_wait(self, exc: HttpError) -> bool:
        return isinstance(exc, RateLimitWait) or super()._can_wait(exc)

    def get_computed(self, url: str, tries: int = STATS_TRIES) -> httpx.Response:
        """GET a /stats/* endpoint: 202 means GitHub is still computing, so poll with backoff.

        A 202 is never an answer (its body is `{}`, not zero commits): after `tries` polls the
        request fails with StatsPending and the caller defers it to the next run.
        """
        for attempt in range(tries):
            response = self.get(url)
            if response.status_code != 202:
                return response
            if attempt < tries - 1:
                wait = STATS_FIRST_WAIT * 2 ** attempt
                log.info("GitHub is computing %s (202); asking again in %.0f s", url, wait)
                http._sleep(wait)
        raise StatsPending(self._url(url), f"GitHub was still computing the statistics after "
                           f"{tries} requests (HTTP 202); they are asked for again next run")

    def graphql(self, url: str, query: str, variables: dict[str, Any] | None = None
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """POST a query; returns (data, errors). GitHub answers errors with HTTP 200 and `errors`."""
        response = self.post(url, json={"query": query, "variables": variables or {}})
        try:
            body = response.json()
        except ValueError:
            raise HttpError(url, f"GraphQL answered {len(response.content)} bytes that are not JSON",
                            response.status_code) from None
        errors = body.get("errors") or []
        if any(e.get("type") == "RATE_LIMITED" for e in errors):
            raise _deferred(url, 200, "graphql", None, self.budget.max_wait, True)
        cost = ((body.get("data") or {}).get("rateLimit") or {})
        if cost:
            log.info("GitHub GraphQL query cost %s point(s), %s left until %s", cost.get("cost"),
                     cost.get("remaining"), cost.get("resetAt"))
        return body.get("data") or {}, errors


def _deferred(url: str, status: int, resource: str, reset: float | None, max_wait: float,
              authenticated: bool) -> RateLimited:
    when = f"at {utc(reset):%Y-%m-%d %H:%M} UTC" if reset else "at a time GitHub did not say"
    hint = "" if authenticated else "; GITHUB_TOKEN raises the budget"
    return RateLimited(url, f"HTTP {status}: GitHub {resource} rate limit spent; it resets {when}, "
                       f"beyond DLTRENDS_GITHUB_MAX_WAIT ({max_wait:.0f} s){hint}",
                       reset_at=utc(reset) if reset else None, status=status)


class Counter:
    """A thread-safe request counter shared by a retry object and its copies."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


class GitHubRetry(GithubRetry):
    """PyGithub's retry made bounded and routed through dltrends' policy.

    Counts every attempt, waits through `collectors.http._sleep` (never time.sleep), classifies 403
    and 429 like `GitHubHttp` does, and raises `RateLimited` instead of waiting longer than allowed.
    """

    def __init__(self, budget: RateBudget | None = None, counter: Counter | None = None,
                 max_retry_wait: float = 120.0, forced_wait: float | None = None, **kwargs: Any):
        kwargs["status_forcelist"] = [s for s in kwargs.get("status_forcelist") or
                                      [429, *range(500, 600)] if s != 403]
        kwargs.setdefault("backoff_factor", 1.0)
        kwargs.setdefault("backoff_max", 60.0)
        kwargs.setdefault("respect_retry_after_header", True)
        kwargs["secondary_rate_wait"] = SECONDARY_WAIT
        kwargs["max_rate_limit_wait"] = budget.max_wait if budget else None
        super().__init__(**kwargs)
        self.budget = budget or RateBudget(0.0)
        self.counter = counter or Counter()
        self.max_retry_wait = max_retry_wait
        self.forced_wait = forced_wait

    def new(self, **kw: Any) -> GitHubRetry:
        kw.setdefault("forced_wait", None)
        kw.update(budget=self.budget, counter=self.counter, max_retry_wait=self.max_retry_wait)
        kw.pop("secondary_rate_wait", None)
        kw.pop("max_rate_limit_wait", None)
        return Retry.new(self, **kw)  # type: ignore[return-value]

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        self.counter.add()  # urllib3 asks this once for every response it receives
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None) -> Retry:
        if response is None:
            self.counter.add()  # a connection error: an attempt without a response
            return super().increment(method, url, response, error, _pool, _stacktrace)
        if response.status not in (403, 429):
            return super().increment(method, url, response, error, _pool, _stacktrace)
        content = self.get_content(response, url or "")
        message = _json_message(content)
        limit = classify(response.status, response.headers, message)
        full_url = f"{_pool.scheme}://{_pool.host}:{_pool.port}{url}" if _pool else str(url)
        if limit is None:
            raise Requester.createException(response.status, dict(response.headers),
                                            _json_body(content))
        wait = limit_wait(limit, response.status, full_url, self.budget, self.max_retry_wait)
        retry = Retry.increment(self, method, url, response, error, _pool, _stacktrace)
        retry.forced_wait = wait  # type: ignore[attr-defined]
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        """Retry-After as `collectors.http` reads it: any HTTP-date form, ASCII digits, clamped;
        unreadable is no hint (urllib3's own parser raises InvalidHeader and aborts the request)."""
        return parse_retry_after(response.headers.get("Retry-After"))

    def sleep(self, response=None) -> None:
        if self.forced_wait is not None:
            wait = self.forced_wait
        elif response is not None and (after := self.get_retry_after(response)):
            if after > self.max_retry_wait:
                raise RateLimited("GitHub", f"Retry-After {after:.0f} s exceeds the "
                                  f"{self.max_retry_wait:.0f} s limit (DLTRENDS_HTTP_MAX_RETRY_WAIT)",
                                  reset_at=utc(_clock() + after))
            wait = after
        else:  # capped exponential backoff with jitter, as collectors.http does
            attempt = max(len(self.history), 1)
            wait = min(self.backoff_factor * 2 ** (attempt - 1), self.backoff_max)
            wait *= random.uniform(0.8, 1.2)
        if wait > 0:
            log.info("GitHub request: retrying in %.1f s", wait)
            http._sleep(wait)


def _json_body(content: bytes | str | None) -> Any:
    try:
        return json.loads(content or b"null")
    except (ValueError, TypeError):
        return None


def _json_message(content: bytes | str | None) -> str:
    body = _json_body(content)
    return str(body.get("message") or "") if isinstance(body, dict) else ""


class GitHubApi:
    """Both GitHub clients of one collector run, sharing one budget and one request count.

    `http` (httpx) serves conditional GETs, search, GraphQL, /stats polling and star history;
    `gh` (PyGithub, per_page=100, bounded `GitHubRetry`) walks paginated object lists.
    """

    def __init__(self, settings: Any, sleep=None):
        token = settings.github_token.get_secret_value() if settings.github_token else None
        register_secrets(token)
        self.authenticated = bool(token)
        self.budget = RateBudget(settings.github_max_wait, authenticated=self.authenticated)
        self.api_url = settings.github_api_url.rstrip("/")
        self.graphql_url = graphql_url(self.api_url)
        self.http = GitHubHttp(self.api_url, token, self.budget, timeout=settings.http_timeout,
                               retries=settings.http_retries,
                               max_retry_wait=settings.http_max_retry_wait,
                               contact=settings.contact, sleep=sleep,
                               deadline=settings.http_deadline)
        self._counter = Counter()
        retry = GitHubRetry(self.budget, self._counter, settings.http_max_retry_wait,
                            total=settings.http_retries)
        agent = USER_AGENT if not settings.contact else USER_AGENT.replace(
            ")", f"; {settings.contact})")
        self.gh = Github(auth=Auth.Token(token) if token else None, base_url=self.api_url,
                         timeout=max(1, round(settings.http_timeout)), user_agent=agent, per_page=100,
                         retry=retry,
                         pool_size=2, seconds_between_requests=None, seconds_between_writes=None,
                         lazy=True)  # objects complete only when asked: no hidden requests
        self._loaded = False

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent + self._counter.value

    def ensure_budget(self) -> None:
        """Learn every bucket once from GET /rate_limit (free) before spending any.

        Raises HttpError when GitHub cannot be reached at all (no answer after the retries): the
        collector then fails the run's items at once instead of retrying each of them.
        """
        if self._loaded:
            return
        self._loaded = True
        try:
            self.budget.load(self.http.get("/rate_limit").json())
        except HttpError as exc:
            if exc.status is None:
                raise
            log.info("GitHub /rate_limit answered %s; reading the budget from responses", exc)
        except (ValueError, KeyError, TypeError) as exc:
            log.info("GitHub /rate_limit unreadable (%s); reading the budget from responses", exc)

    def observe_pygithub(self) -> None:
        """PyGithub keeps the last core headers it saw; fold them into the budget."""
        requester = self.gh.requester
        remaining, limit = requester.rate_limiting
        if limit > 0:
            self.budget.observe({"X-RateLimit-Remaining": remaining, "X-RateLimit-Limit": limit,
                                 "X-RateLimit-Reset": requester.rate_limiting_resettime,
                                 "X-RateLimit-Resource": "core"})

    def close(self) -> None:
        self.http.close()
        self.gh.close()

    def __enter__(self) -> GitHubApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def describe_github_error(exc: Exception, what: str) -> Exception:
    """PyGithub and requests errors as HttpError (status, GitHub's message, URL; never headers)."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or exc.message or "").strip()
        return HttpError(what, f"HTTP {exc.status}" + (f" {message}" if message else ""), exc.status)
    if isinstance(exc, requests.exceptions.RetryError):
        status = re.search(r"too many (\d+) error responses", str(exc))
        if status:
            return HttpError(what, f"HTTP {status.group(1)}; gave up after retries", int(status.group(1)))
        return HttpError(what, f"gave up after retries ({_short(exc)})")
    if isinstance(exc, requests.exceptions.RequestException):
        return HttpError(what, f"connection failed ({type(exc).__name__})")
    return exc


def _short(exc: Exception) -> str:
    text = str(exc)
    match = re.search(r"too many (\d+ )?error responses|Max retries exceeded", text)
    return match.group(0) if match else type(exc).__name__
