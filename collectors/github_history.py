"""Community history of the registry's GitHub repos, monthly back to each repo's birth
(source `github-history`).

Listing everything through the API costs hours of budget for repos like pytorch (100k+ commits,
150k+ issues and PRs), so each number takes the cheapest sound route:

- ``commits`` (commits, active and first-time authors, bus factor): a blobless bare clone read
  with ``git log`` (collectors.gitlog): no API budget at all. Where git is missing or
  ``DLTRENDS_GITHUB_GIT_URL`` is empty: ``/stats/contributors`` (top 100 contributors, weekly),
  polled while it answers 202.
- ``issues`` (median days to close an issue and to merge a PR, and the monthly counts once
  complete): every issue and PR, listed with ``/issues?state=all&sort=updated&since=...``
  (PyGithub, 100 per page), incremental on ``updated_at``: after the first pass a day costs one
  request. Its numbers are published once a repo's listing has reached its end.
- ``issue_counts`` (issues opened and closed, PRs opened and merged, per month) for repos whose
  listing has not reached its end yet (a giant repo's first pass spans runs; without a token it
  may never finish): the search API's ``total_count``, four requests per month (``per_page=1``),
  in the search bucket (30 a minute with a token, 10 without). pytorch's whole history is about
  500 searches instead of some 1,600 listing pages. Counted months are not counted again.
- ``stars``: ``GET /repos/{o}/{r}/stargazers/history`` (weeks of stars added with a daily
  breakdown, newest first, 30 weeks a page), anchored on the repo's current ``stargazers_count``.

Every stream resumes from its cursor (saved with the rows it covers). A run spends at most
``DLTRENDS_GITHUB_HISTORY_MINUTES`` on API work and what the rate limits allow, and defers the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from collectors import gitlog
from collectors.base import NO_INPUTS, Inputs, ItemState, RawItem, Stream, utcnow
from collectors.common import month_range
from collectors.github import (
    RATE_LIMIT,  # the same budget stream as `github`
    GitHubCollector,
    attributes,
    digest,
    page_number,
)
from collectors.http import HttpError, RateLimited
from collectors.http_github import GitHubApi
from dltrends.settings import Settings

NAME = "github-history"
# COMMITS's item cursor: head of the default branch (git) or a digest (stats)
COMMITS = Stream("commits", "core.github_author_months", ("repo_key", "month", "author"))
# STARS's item cursor: pages fetched, whether the history reached the repo's birth, digest
STARS = Stream("stars", "core.github_star_days", ("repo_key", "day"))
# COUNTS's item cursor: the repo's first month and the last complete month counted
COUNTS = Stream("issue_counts", "core.github_issue_counts", ("repo_key", "month"))
# ISSUES's item cursor: updated_at reached and the numbers seen at that instant
ISSUES = Stream("issues", "core.github_issues", ("repo_key", "number"))
STREAMS = {s.name: s for s in (COMMITS, STARS, COUNTS, ISSUES, RATE_LIMIT)}

STAR_API_VERSION = "2026-03-10"  # /stargazers/history exists from this REST API version on
STAR_WEEKS_PER_PAGE = 30
ISSUES_PER_PART = 1000  # issues per saved part of a listing (10 pages)
SEARCHES = {  # metric -> search qualifiers for one month
    "issues_opened": "is:issue created:{start}..{end}",
    "issues_closed": "is:issue closed:{start}..{end}",
    "prs_opened": "is:pr created:{start}..{end}",
    "prs_merged": "is:pr merged:{start}..{end}",
}

log = logging.getLogger(__name__)


def month_bounds(month: str) -> tuple[str, str]:
    year, mon = map(int, month.split("-"))
    start = dt.date(year, mon, 1)
    end = (dt.date(year + (mon == 12), mon % 12 + 1, 1) - dt.timedelta(days=1))
    return start.isoformat(), end.isoformat()


def _load(cursor: str | None) -> dict[str, Any]:
    try:
        value = json.loads(cursor or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class HistoryCollector(GitHubCollector):
    """The `github-history` source (see the module docstring)."""

    name = NAME
    streams = STREAMS

    def __init__(self, api: GitHubApi, git_url: str, git_dir, minutes: float):
        super().__init__(api)
        self.git_url, self.git_dir = git_url, git_dir
        self.git = bool(git_url) and gitlog.available()
        if git_url and not self.git:
            log.warning("git is not installed: commits and authors come from GitHub's "
                        "/stats/contributors instead (top 100 contributors only)")
        self.seconds = minutes * 60
        self.started: float | None = None
        self.repos: dict[str, dict[str, Any]] = {}
        self.synced: set[str] = set()  # repos whose issue listing has reached its end

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> HistoryCollector:
        return cls(GitHubApi(settings, inputs.sleep), settings.github_git_url, settings.git_dir,
                   settings.github_history_minutes)

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        keys = list(items)
        if stream is RATE_LIMIT:
            yield from self._budget(keys)
            return
        for key in keys:
            previous = state.get(key, ItemState())
            if stream is ISSUES:
                yield from self._issues(key, previous)
                continue
            work = {COMMITS: self._commits, STARS: self._stars, COUNTS: self._counts}[stream]
            yield self.guarded(stream, key, lambda k=key, p=previous, w=work: w(k, p),
                               api=not (stream is COMMITS and self.git))

    def spend_time(self) -> None:
        """Stop starting API work once the run's API time (DLTRENDS_GITHUB_HISTORY_MINUTES) is spent."""
        now = time.monotonic()
        self.started = self.started or now
        if self.seconds and now - self.started > self.seconds:
            raise RateLimited("github-history", f"this run's API time is spent "
                              f"(DLTRENDS_GITHUB_HISTORY_MINUTES={self.seconds / 60:g}); the rest "
                              "continues next run from its cursor")

    def repo(self, key: str) -> dict[str, Any]:
        """GET /repos/{key} once per run (follows a rename's 301)."""
        if key not in self.repos:
            self.spend_time()
            self.repos[key] = self.api.http.get(f"/repos/{key}").json()
        return self.repos[key]

    # commits ------------------------------------------------------------------------------------
    def _commits(self, key: str, previous: ItemState) -> RawItem:
        if not self.git:
            return self._stats_contributors(key, previous)
        clone = gitlog.Clone.of(self.git_url, self.git_dir, key)
        old_head = previous.cursor if previous.cursor and len(previous.cursor) == 40 else None
        head, payload = gitlog.history(clone, old_head)
        if payload is None:
            return self.item(COMMITS, key, "unchanged", cursor=head)
        return self.item(COMMITS, key, "new", payload=payload, cursor=head)

    def _stats_contributors(self, key: str, previous: ItemState) -> RawItem:
        self.spend_time()
        response = self.api.http.get_computed(f"/repos/{key}/stats/contributors")
        contributors = [
            {"author": (c.get("author") or {}).get("login"),
             "weeks": [[w["w"], w["c"]] for w in c.get("weeks") or [] if w.get("c")]}
            for c in (response.json() or [])
        ]
        payload = {"route": "stats", "contributors": contributors}
        content = digest(payload)
        if content == previous.cursor:
            return self.item(COMMITS, key, "unchanged", cursor=content)
        return self.item(COMMITS, key, "new", payload=payload, cursor=content)

    # stars --------------------------------------------------------------------------------------
    def _stars(self, key: str, previous: ItemState) -> RawItem:
        """Refresh the newest weeks until they meet the stored ones, then continue a backfill."""
        state = _load(previous.cursor)
        repo = self.repo(key)
        newest, complete = state.get("newest"), bool(state.get("complete"))
        weeks, pages, page, last, deferred = [], [], 1, 1, None
        try:
            while True:
                page_weeks, last = self._star_page(key, page)
                weeks, pages = weeks + page_weeks, [*pages, page]
                met = newest is None or any(w["week"] <= newest for w in page_weeks)
                if met or page >= last:
                    break
                page += 1
                self.spend_time()
            page = max(page + 1, int(state.get("pages", 0)) + 1)
            while not complete and page <= last:
                self.spend_time()
                page_weeks, last = self._star_page(key, page)
                weeks, pages, page = weeks + page_weeks, [*pages, page], page + 1
            complete = True
        except RateLimited as exc:
            if not weeks:
                raise
            self.stopped[STARS.name] = exc
            deferred = f"star history pages {page}..{last} left: {exc.reason}"
        anchor = {k: repo.get(k) for k in ("id", "full_name", "stargazers_count", "created_at")}
        payload = {"repo": anchor, "pages": pages, "weeks": weeks, "complete": complete,
                   "fetched_at": utcnow().isoformat()}
        content = digest([anchor, weeks[:STAR_WEEKS_PER_PAGE]])  # what a refresh compares
        backfilled = max([p for p in pages if p > 1] + [int(state.get("pages", 0))])
        cursor = json.dumps({"pages": backfilled, "complete": complete, "digest": content,
                             "newest": max([w["week"] for w in weeks] + [newest or 0])})
        if content == state.get("digest") and pages == [1] and deferred is None:
            return self.item(STARS, key, "unchanged", cursor=cursor)
        item = self.item(STARS, key, "new", payload=payload, cursor=cursor)
        if deferred:
            item.meta["deferred"] = deferred
        return item

    def _star_page(self, key: str, page: int) -> tuple[list[dict[str, Any]], int]:
        """One page of weeks (newest first) and the number of the last page."""
        response = self.api.http.get(
            f"/repos/{key}/stargazers/history",
            params={"per_page": STAR_WEEKS_PER_PAGE, "page": page},
            headers={"X-GitHub-Api-Version": STAR_API_VERSION})
        last = response.links.get("last", {}).get("url")
        following = page + 1 if response.links.get("next") else page
        return list(response.json() or []), page_number(last) if last else following

    # issue and PR counts ------------------------------------------------------------------------
    def _counts(self, key: str, previous: ItemState) -> RawItem:
        """Count the months after the last complete one counted, and the current month again.

        A repo whose issue listing is complete needs no search: the listing counts every month.
        """
        state = _load(previous.cursor)
        if key in self.synced:
            return self.item(COUNTS, key, "unchanged", cursor=previous.cursor)
        first = state.get("first") or self.repo(key)["created_at"][:7]
        current = utcnow().date().strftime("%Y-%m")
        months = month_range(state["done"], current)[1:] if state.get("done") else \
            month_range(first, current)
        counted: dict[str, dict[str, Any]] = {}
        deferred = None
        try:
            for month in months:
                self.spend_time()
                counted[month] = self._count_month(key, month, complete=month < current)
        except (RateLimited, HttpError) as exc:
            if not counted:
                raise
            if isinstance(exc, RateLimited):
                self.stopped[COUNTS.name] = exc
            deferred = f"{len(months) - len(counted)} month(s) left to count: {exc}"
        done = max([m for m in counted if m < current] + [state.get("done") or ""]) or None
        running = digest(counted.get(current))  # the running month is counted again every run
        cursor = json.dumps({"first": first, "done": done, "running": running})
        if list(counted) == [current] and running == state.get("running"):
            return self.item(COUNTS, key, "unchanged", cursor=cursor)
        payload = {"first_month": first, "months": counted, "counted_at": utcnow().isoformat()}
        item = self.item(COUNTS, key, "new", payload=payload, cursor=cursor)
        if deferred:
            item.meta["deferred"] = deferred
        return item

    def _count_month(self, key: str, month: str, complete: bool) -> dict[str, Any]:
        start, end = month_bounds(month)
        out: dict[str, Any] = {"complete": complete, "incomplete_results": False}
        for metric, qualifiers in SEARCHES.items():
            query = f"repo:{key} " + qualifiers.format(start=start, end=end)
            body = self.api.http.get("/search/issues", params={"q": query, "per_page": 1}).json()
            out[metric] = int(body["total_count"])
            out["incomplete_results"] |= bool(body.get("incomplete_results"))
        return out

    # the issue and PR listing -------------------------------------------------------------------
    def _issues(self, key: str, previous: ItemState) -> Iterator[RawItem]:
        """Parts of ISSUES_PER_PART issues, each with the cursor it reaches, then a last item."""
        state = _load(previous.cursor)
        since, seen = state.get("since"), set(state.get("seen") or [])
        if state.get("synced"):
            self.synced.add(key)
        buffer: list[dict[str, Any]] = []
        if (blocked := self.blocked(ISSUES, key)) is not None:
            yield blocked
            return
        try:
            for issue in self._listing(key, since):
                row = issue_row(issue)
                if row["updated_at"] == since and row["number"] in seen:
                    continue  # `since` is inclusive: the last run saved these already
                buffer.append(row)
                if len(buffer) >= ISSUES_PER_PART:
                    part, state = self._issue_part(key, buffer, state, synced=False)
                    part.meta["more"] = True
                    yield part
                    buffer = []
        except Exception as exc:  # keep what was read, then say why the listing stopped
            if buffer:
                part, state = self._issue_part(key, buffer, state, synced=False)
                part.meta["more"] = True
                yield part
            yield self.failure(ISSUES, key, exc,
                               paused=f"listing paused at updated >= {state.get('since') or 'the start'}: ")
            return
        if not buffer and state.get("synced"):
            yield self.item(ISSUES, key, "unchanged", cursor=json.dumps(state))
            return
        part, state = self._issue_part(key, buffer, state, synced=True)
        self.synced.add(key)
        yield part

    def _listing(self, key: str, since: str | None) -> Iterator[Any]:
        """Every issue and PR updated since `since`, oldest update first; checks budget per page."""
        self._reach()
        self.spend_time()
        repo = self.api.gh.get_repo(key)  # lazy: no request
        kwargs: dict[str, Any] = {"state": "all", "sort": "updated", "direction": "asc"}
        if since:
            kwargs["since"] = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
        self.api.budget.take("core", f"{self.api.api_url}/repos/{key}/issues")
        for n, issue in enumerate(repo.get_issues(**kwargs), start=1):
            yield attributes(issue)
            if n % 100 == 0:  # the next element starts a new page
                self.api.observe_pygithub()
                self.spend_time()
                self.api.budget.take("core", f"{self.api.api_url}/repos/{key}/issues")
        self.api.observe_pygithub()

    def _issue_part(self, key: str, rows: list[dict[str, Any]], state: dict[str, Any],
                    synced: bool) -> tuple[RawItem, dict[str, Any]]:
        if rows:
            last = max(r["updated_at"] for r in rows)
            seen = {r["number"] for r in rows if r["updated_at"] == last}
            if last == state.get("since"):
                seen |= set(state.get("seen") or [])
            state = {**state, "since": last, "seen": sorted(seen)}
        state = {**state, "synced": bool(state.get("synced")) or synced}
        payload = {"issues": rows, "synced": synced, "listed_at": utcnow().isoformat()}
        return self.item(ISSUES, key, "new", payload=payload, cursor=json.dumps(state)), state


def issue_row(issue: dict[str, Any]) -> dict[str, Any]:
    """The fields of one issue or PR that the medians and counts need."""
    pull = issue.get("pull_request")
    return {"number": issue["number"], "is_pr": pull is not None, "state": issue.get("state"),
            "created_at": issue.get("created_at"), "closed_at": issue.get("closed_at"),
            "merged_at": (pull or {}).get("merged_at"), "updated_at": issue.get("updated_at"),
            "state_reason": issue.get("state_reason")}
