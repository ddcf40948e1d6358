"""GitHub repos of the registry: daily snapshots and releases (source `github`).

Streams (items are the registry's `owner/name` repos):

- ``repos``: one snapshot per repo per UTC day. Without a token: ``GET /repos/{o}/{r}``, conditional
  on the last ETag, plus ``GET /repos/{o}/{r}/pulls?state=open&per_page=1`` whose ``rel="last"`` page
  number is the open-PR count (REST's ``open_issues_count`` includes PRs). A 304 on a new day
  records "not modified" for that day (its values are the last fetched ones). With a token: one
  GraphQL query per 50 repos (open issues and open PRs counted apart), logging ``rateLimit.cost``.
  A renamed repo answers 301 (REST follows it) and keeps its numeric id, the warehouse key.
- ``releases``: the first page of ``/releases`` conditional on its ETag; on a change PyGithub walks
  the rest (per_page=100). Repos that publish no releases (Caffe, Theano) get their tags with
  commit dates instead: one GraphQL query per 100 tags with a token, one commit lookup per tag
  without; conditional on the tag list, so an unchanged repo costs one request.
- ``rate_limit``: the budget left at the end of the run, shown by ``dltrends status``.

Same-day reruns of unchanged data are ``unchanged`` (a content digest in the cursor), so they land
nothing. A spent rate limit defers the rest of its stream to the next run (collectors.http_github).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from github import GithubException
from github.GithubObject import GithubObject
from github.GitRelease import GitRelease
from github.PaginatedList import PaginatedList
from github.Tag import Tag

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, utcnow
from collectors.http import HttpError, RateLimited
from collectors.http_github import GitHubApi, describe_github_error
from dltrends.settings import Settings

NAME = "github"
# Item cursor: repo id, day and content digest of the last snapshot
REPOS = Stream("repos", "core.github_repo_snapshots", ("repo_id", "snapshot_date"))
# Item cursor: releases:<count> or tags:<count>, and a content digest
RELEASES = Stream("releases", "core.github_releases", ("release_id",))
RATE_LIMIT = Stream("rate_limit", "core.github_rate_limits", ("resource",))
STREAMS = {s.name: s for s in (REPOS, RELEASES, RATE_LIMIT)}
GRAPHQL_BATCH = 50

log = logging.getLogger(__name__)

REPO_FIELDS = """
fragment Repo on Repository {
  databaseId nameWithOwner createdAt pushedAt isArchived isDisabled diskUsage
  stargazerCount forkCount watchers { totalCount }
  openIssues: issues(states: OPEN) { totalCount }
  openPullRequests: pullRequests(states: OPEN) { totalCount }
  defaultBranchRef { name } licenseInfo { spdxId name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
}"""
TAGS_QUERY = """
query($owner: String!, $name: String!, $after: String) {
  rateLimit { cost remaining resetAt limit used }
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid
        ... on Commit { committedDate }
        ... on Tag { tagger { date } target { oid ... on Commit { committedDate } } } } }
    }
  }
}"""


def digest(value: Any) -> str:
    """A short content digest: same payload, same digest."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def split_cursor(cursor: str | None) -> tuple[str, str]:
    """'<head>#<digest>' -> (head, digest); ('', '') when absent."""
    head, _, tail = (cursor or "").partition("#")
    return head, tail


def attributes(obj: GithubObject) -> dict[str, Any]:
    """A PyGithub object's JSON as received, without triggering a completion request."""
    return dict(GithubObject.raw_data.fget(obj))  # type: ignore[attr-defined]


class GitHubCollector(Collector):
    """The `github` source: repo snapshots and releases, serially (GitHub asks for serial requests)."""

    name = NAME
    streams = STREAMS

    def __init__(self, api: GitHubApi):
        self.api = api
        self.client = api  # Collector.requests_sent and close() use it
        self.stopped: dict[str, RateLimited] = {}
        self._stamps: dict[tuple[str, str], dt.datetime] = {}
        self.unreachable: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> GitHubCollector:
        sleep = inputs.sleep
        return cls(GitHubApi(settings, sleep))

    def close(self) -> None:
        self.api.close()

    def fetch(self, stream: Stream, items: Iterable[str],
              state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        """Yield one RawItem per repo (or per budget item), in order."""
        keys = list(items)
        if stream is RATE_LIMIT:
            yield from self._budget(keys)
            return
        if stream is REPOS and self.api.authenticated:
            yield from self._repos_graphql(keys, state)
            return
        one = self._repo_rest if stream is REPOS else self._releases
        for key in keys:
            yield self.guarded(stream, key, lambda k=key: one(k, state.get(k, ItemState())))

    def guarded(self, stream: Stream, key: str, work, api: bool = True) -> RawItem:
        """Run one item; a spent budget defers it and every later item of the stream.

        `api=False` for work that asks no GitHub API (the git route).
        """
        if (blocked := self.blocked(stream, key, api)) is not None:
            return blocked
        try:
            if api:
                self._reach()
            return work()
        except Exception as exc:  # one repo's surprise (a parse error) must not stop the others
            return self.failure(stream, key, exc)

    def blocked(self, stream: Stream, key: str, api: bool = True) -> RawItem | None:
        """The item's answer without asking: deferred once the stream's budget is spent, failed
        once GitHub proved unreachable; None when it may go ahead."""
        if stream.name in self.stopped:
            return self.item(stream, key, "deferred", error=self.stopped[stream.name].reason)
        if api and self.unreachable:
            return self.item(stream, key, "failed", error=self.unreachable)
        return None

    def failure(self, stream: Stream, key: str, exc: Exception, paused: str = "") -> RawItem:
        """The item for work that raised: a spent budget defers it and the rest of the stream
        (`paused` says where it stopped); an HTTP or GitHub error fails it with GitHub's words;
        anything else fails it with its type and is logged with its traceback."""
        if self.unreachable and isinstance(exc, HttpError) and exc.unreachable:
            # the item that found GitHub unreachable says it as the items after it do
            return self.item(stream, key, "failed", error=self.unreachable)
        if isinstance(exc, RateLimited):
            self.stopped[stream.name] = exc
            log.warning("%s %s: %s; deferring the rest of the stream", self.name, stream.name,
                        exc.reason)
            return self.item(stream, key, "deferred", error=f"{paused}{exc.reason}")
        error = describe_github_error(exc, key)
        if isinstance(exc, HttpError | GithubException):
            return self.item(stream, key, "failed", error=str(error))
        if error is exc:
            log.exception("%s %s %s failed", self.name, stream.name, key)
        return self.item(stream, key, "failed", error=f"{type(exc).__name__}: {error}")

    def _reach(self) -> None:
        """Load the budget once; GitHub not answering at all fails every item without a request."""
        try:
            self.api.ensure_budget()
        except HttpError as exc:
            self.unreachable = f"GitHub API unreachable, so no item was asked for: {exc}"
            raise

    def item(self, stream: Stream, key: str, status: str, **kw: Any) -> RawItem:
        # Parts of one key land as separate raw rows (their key includes fetched_at): keep each
        # part's time after the previous one even when the clock has not moved (frozen in tests).
        when, last = utcnow(), self._stamps.get((stream.name, key))
        if last is not None and when <= last:
            when = last + dt.timedelta(microseconds=1)
        self._stamps[(stream.name, key)] = when
        return RawItem(self.name, stream.name, key, when, status, **kw)  # type: ignore[arg-type]

    # repos: REST --------------------------------------------------------------------------------
    def _repo_rest(self, key: str, previous: ItemState) -> RawItem:
        head, old_digest = split_cursor(previous.cursor)
        old_id, _, old_day = head.partition("@")
        etag = previous.etag if old_id.isdigit() else None
        response = self.api.http.get(f"/repos/{key}", etag=etag)
        now = utcnow()
        today = now.date().isoformat()
        if response.status_code == 304:
            if old_day == today:
                return self.item(REPOS, key, "unchanged", cursor=previous.cursor, etag=previous.etag)
            payload = {"via": "rest", "requested": key, "not_modified": True,
                       "repo_id": int(old_id), "checked_at": now.isoformat()}
            return self.item(REPOS, key, "new", payload=payload, etag=previous.etag,
                             cursor=f"{old_id}@{today}#{old_digest}")
        repo = response.json()
        payload = {"via": "rest", "requested": key, "repo": repo,
                   "open_pull_requests": self._open_pulls(repo["full_name"])}
        return self._snapshot(key, payload, repo["id"], old_day, old_digest,
                              etag=response.headers.get("ETag"), now=now)

    def _open_pulls(self, full_name: str) -> int:
        """Open PRs from one request: per_page=1 makes the rel="last" page number the count."""
        response = self.api.http.get(f"/repos/{full_name}/pulls",
                                     params={"state": "open", "per_page": 1})
        last = response.links.get("last", {}).get("url")
        return page_number(last) if last else len(response.json())

    def _snapshot(self, key: str, payload: dict[str, Any], repo_id: int, old_day: str,
                  old_digest: str, etag: str | None, now) -> RawItem:
        today = now.date().isoformat()
        content = digest({k: v for k, v in payload.items() if k != "checked_at"})
        cursor = f"{repo_id}@{today}#{content}"
        if old_day == today and old_digest == content:
            return self.item(REPOS, key, "unchanged", cursor=cursor, etag=etag)
        payload["checked_at"] = now.isoformat()
        return self.item(REPOS, key, "new", payload=payload, cursor=cursor, etag=etag)

    # repos: GraphQL -----------------------------------------------------------------------------
    def _repos_graphql(self, keys: list[str], state: Mapping[str, ItemState]) -> Iterator[RawItem]:
        for start in range(0, len(keys), GRAPHQL_BATCH):
            batch = keys[start:start + GRAPHQL_BATCH]
            results: dict[str, RawItem] = {}

            def run(batch=batch, results=results) -> RawItem:
                results.update(self._graphql_batch(batch, state))
                return results[batch[0]]

            first = self.guarded(REPOS, batch[0], run)
            yield first
            for key in batch[1:]:
                yield results.get(key) or self.item(REPOS, key, first.status, error=first.error)

    def _graphql_batch(self, keys: list[str], state: Mapping[str, ItemState]) -> dict[str, RawItem]:
        variables, aliases = {}, []
        for i, key in enumerate(keys):
            owner, name = key.split("/", 1)
            variables[f"o{i}"], variables[f"n{i}"] = owner, name
            aliases.append(f"r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...Repo }}")
        params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(len(keys)))
        query = (f"query({params}) {{\n  rateLimit {{ cost remaining resetAt limit used }}\n  "
                 + "\n  ".join(aliases) + "\n}" + REPO_FIELDS)
        data, errors = self.api.http.graphql(self.api.graphql_url, query, variables)
        problems = {str((e.get("path") or [""])[0]): e.get("message", "error") for e in errors}
        out, now = {}, utcnow()
        for i, key in enumerate(keys):
            node = data.get(f"r{i}")
            if not node:
                out[key] = self._graphql_fallback(key, state, problems.get(f"r{i}", "no data"))
                continue
            head, old_digest = split_cursor(state.get(key, ItemState()).cursor)
            payload = {"via": "graphql", "requested": key, "repo": node}
            out[key] = self._snapshot(key, payload, node["databaseId"], head.partition("@")[2],
                                      old_digest, etag=None, now=now)
        return out

    def _graphql_fallback(self, key: str, state: Mapping[str, ItemState], why: str) -> RawItem:
        """GraphQL could not resolve the repo (renamed, moved): ask REST, which follows the 301."""
        log.info("github repos %s: GraphQL said %r; trying REST", key, why)
        return self.guarded(REPOS, key, lambda: self._repo_rest(key, state.get(key, ItemState())))

    # releases -----------------------------------------------------------------------------------
    def _releases(self, key: str, previous: ItemState) -> RawItem:
        head, old_digest = split_cursor(previous.cursor)
        mode = head.partition(":")[0] or "releases"
        first = self._first_page(f"/repos/{key}/{mode}", previous.etag if head else None)
        if first is None:
            return self.item(RELEASES, key, "unchanged", cursor=previous.cursor, etag=previous.etag)
        tag_page = None
        if mode == "tags":  # the tag list changed: look for releases again too
            tag_page, first = first, self._first_page(f"/repos/{key}/releases", None)
        headers, data = first or ({}, [])
        releases = [trim_release(attributes(r)) for r in
                    PaginatedList(GitRelease, self.api.gh.requester, firstData=data,
                                  firstHeaders=headers)]
        self.api.observe_pygithub()
        releases = [r for r in releases if not r.get("draft")]
        payload: dict[str, Any] = {"requested": key, "releases": releases, "tags": None}
        etag = headers.get("etag")
        if not releases:
            tag_headers, tags = self._tags(key, tag_page)
            payload["tags"], etag = tags, tag_headers.get("etag")
        mode = "releases" if releases else "tags"
        content = digest(payload)
        cursor = f"{mode}:{len(releases or payload['tags'])}#{content}"
        if content == old_digest:
            return self.item(RELEASES, key, "unchanged", cursor=cursor, etag=etag)
        return self.item(RELEASES, key, "new", payload=payload, cursor=cursor, etag=etag)

    def _first_page(self, path: str, etag: str | None) -> tuple[dict, Any] | None:
        """The first page (per_page=100) through PyGithub, conditional on `etag`; None on 304."""
        self.api.budget.take("core", self.api.api_url + path)
        headers = {"If-None-Match": etag} if etag else None
        try:
            response_headers, data = self.api.gh.requester.requestJsonAndCheck(
                "GET", path, parameters={"per_page": 100}, headers=headers)
        finally:
            self.api.observe_pygithub()
        return None if data is None else (response_headers, data)

    def _tags(self, key: str, page: tuple[dict, Any] | None) -> tuple[dict, list[dict[str, Any]]]:
        """Every tag with its commit date (annotated tags: the tagger's date too)."""
        headers, data = page or self._first_page(f"/repos/{key}/tags", None) or ({}, [])
        if self.api.authenticated:
            return headers, self._tag_dates_graphql(key)
        tags = []
        for tag in PaginatedList(Tag, self.api.gh.requester, firstData=data, firstHeaders=headers):
            raw = attributes(tag)
            sha = raw["commit"]["sha"]
            self.api.budget.take("core", f"{self.api.api_url}/repos/{key}/commits/{sha}")
            _, commit = self.api.gh.requester.requestJsonAndCheck("GET", f"/repos/{key}/commits/{sha}")
            tags.append({"name": raw["name"], "sha": sha,
                         "committed_at": commit["commit"]["committer"]["date"]})
        self.api.observe_pygithub()
        return headers, tags

    def _tag_dates_graphql(self, key: str) -> list[dict[str, Any]]:
        owner, name = key.split("/", 1)
        tags, after = [], None
        while True:
            data, errors = self.api.http.graphql(self.api.graphql_url, TAGS_QUERY,
                                                 {"owner": owner, "name": name, "after": after})
            refs = ((data.get("repository") or {}).get("refs")) or {}
            if errors and not refs:
                raise HttpError(self.api.graphql_url, f"GraphQL: {errors[0].get('message')}")
            for node in refs.get("nodes") or []:
                tags.append(graphql_tag(node))
            info = refs.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return tags
            after = info.get("endCursor")

    # budget -------------------------------------------------------------------------------------
    def _budget(self, keys: list[str]) -> Iterator[RawItem]:
        snapshot = self.api.budget.snapshot()
        for key in keys:
            if not snapshot:  # nothing was asked: GitHub unreachable, or no request needed
                yield self.item(RATE_LIMIT, key, "failed" if self.unreachable else "unchanged",
                                error=self.unreachable)
                continue
            payload = {"authenticated": self.api.authenticated, "observed_at": utcnow().isoformat(),
                       "resources": snapshot}
            yield self.item(RATE_LIMIT, key, "new", payload=payload)


def page_number(url: str) -> int:
    """The `page` parameter of a Link URL (rel="last" of a per_page=1 listing is the item count)."""
    return int(parse_qs(urlsplit(url).query)["page"][0])


def trim_release(release: dict[str, Any]) -> dict[str, Any]:
    """The fields dltrends reads or may read later (the author as a login, assets as counts)."""
    keep = ("id", "tag_name", "name", "body", "draft", "prerelease", "created_at", "published_at",
            "html_url", "target_commitish")
    out = {k: release.get(k) for k in keep}
    out["author"] = (release.get("author") or {}).get("login")
    out["assets"] = [{"name": a.get("name"), "size": a.get("size"),
                      "download_count": a.get("download_count")} for a in release.get("assets") or []]
    return out


def graphql_tag(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL tag ref as {name, sha, committed_at, tagged_at}."""
    target = node.get("target") or {}
    if target.get("__typename") == "Tag":
        commit = target.get("target") or {}
        return {"name": node["name"], "sha": commit.get("oid"),
                "committed_at": commit.get("committedDate"),
                "tagged_at": (target.get("tagger") or {}).get("date")}
    return {"name": node["name"], "sha": target.get("oid"), "committed_at": target.get("committedDate")}
