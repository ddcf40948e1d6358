"""GitHub payloads of source `github` -> repo snapshots, releases, release-note items, tags, budget.

Each stream has its own transform object (the registry in `warehouse.transforms` maps
(source, stream) to it). Repo snapshots read both shapes the collector lands: the REST repo object
(with the open-PR count it fetched apart) and the GraphQL node; a "not modified" answer becomes an
observation of that day without values of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from packaging.version import InvalidVersion, Version

from warehouse.transforms import release_notes

_VERSION = re.compile(r"(?<![A-Za-z0-9])[vV]?(?P<v>\d+(?:\.\d+)*(?:[-._]?(?:a|b|c|rc|alpha|beta|pre|"
                      r"preview|dev|post)[-._]?\d*)*(?:\+[\w.]+)?)")
_PREFIX = re.compile(r"^(?P<p>[A-Za-z][\w.]*?)[-_]v?\d")


def ts(text: str | None) -> dt.datetime | None:
    """GitHub's ISO timestamps ('2024-05-01T10:00:00Z') as aware UTC datetimes."""
    if not text:
        return None
    when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def tag_version(tag: str) -> tuple[str | None, str | None, str | None]:
    """(PEP 440 version, package prefix, error) for a tag: 'v2.3.0' -> ('2.3.0', None, None),
    'jaxlib-v0.4.30' -> ('0.4.30', 'jaxlib', None), 'rc5' -> (None, None, 'no version ...')."""
    match = _VERSION.search(tag)
    prefix = _PREFIX.match(tag)
    prefix_name = prefix.group("p").lower() if prefix and prefix.group("p").lower() not in (
        "v", "release", "rel", "version") else None
    if not match:
        return None, prefix_name, "no version number in the tag"
    try:
        return str(Version(match.group("v"))), prefix_name, None
    except InvalidVersion:
        return None, prefix_name, f"{match.group('v')!r} is not a PEP 440 version"


class RepoSnapshots:
    """(github, repos) -> core.github_repo_snapshots and core.github_repo_observations."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        snapshots, observations = [], []
        for item in items:
            p = item.payload
            checked = ts(p.get("checked_at")) or item.fetched_at
            if p.get("not_modified"):
                observations.append(_observation(p["repo_id"], item.key, "not_modified", checked))
                continue
            row = rest_snapshot(p) if p.get("via") == "rest" else graphql_snapshot(p["repo"])
            row.update(repo_key=item.key, snapshot_date=checked.date(), via=p.get("via"),
                       fetched_at=checked)
            snapshots.append(row)
            observations.append(_observation(row["repo_id"], item.key, "fetched", checked))
        return {"core.github_repo_snapshots": pd.DataFrame(snapshots),
                "core.github_repo_observations": pd.DataFrame(observations)}


def _observation(repo_id: int, key: str, method: str, when: dt.datetime) -> dict[str, Any]:
    return {"repo_id": repo_id, "observed_on": when.date(), "repo_key": key, "method": method,
            "observed_at": when}


def rest_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    """A REST repo object; open_issues_count counts PRs too, so the PRs counted apart come off."""
    repo = payload["repo"]
    prs = payload.get("open_pull_requests")
    total = repo.get("open_issues_count")
    license_ = repo.get("license") or {}
    return {
        "repo_id": repo["id"], "full_name": repo["full_name"],
        "stars": repo.get("stargazers_count"), "forks": repo.get("forks_count"),
        "watchers": repo.get("subscribers_count"),
        "open_issues": None if total is None or prs is None else max(total - prs, 0),
        "open_prs": prs, "archived": repo.get("archived"), "disabled": repo.get("disabled"),
        "pushed_at": ts(repo.get("pushed_at")), "created_at": ts(repo.get("created_at")),
        "default_branch": repo.get("default_branch"),
        "license": license_.get("spdx_id") or license_.get("name"),
        "topics": list(repo.get("topics") or []), "size_kb": repo.get("size"),
    }


def graphql_snapshot(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL Repository node (see collectors.github.REPO_FIELDS)."""
    license_ = node.get("licenseInfo") or {}
    topics = ((node.get("repositoryTopics") or {}).get("nodes")) or []
    return {
        "repo_id": node["databaseId"], "full_name": node["nameWithOwner"],
        "stars": node.get("stargazerCount"), "forks": node.get("forkCount"),
        "watchers": (node.get("watchers") or {}).get("totalCount"),
        "open_issues": (node.get("openIssues") or {}).get("totalCount"),
        "open_prs": (node.get("openPullRequests") or {}).get("totalCount"),
        "archived": node.get("isArchived"), "disabled": node.get("isDisabled"),
        "pushed_at": ts(node.get("pushedAt")), "created_at": ts(node.get("createdAt")),
        "default_branch": (node.get("defaultBranchRef") or {}).get("name"),
        "license": license_.get("spdxId") or license_.get("name"),
        "topics": [t["topic"]["name"] for t in topics if t and t.get("topic")],
        "size_kb": node.get("diskUsage"),
    }


class Releases:
    """(github, releases) -> releases, their note items, and tags (repos without releases)."""

    SNAPSHOT_SCOPE = {"core.github_releases": "repo_key", "core.github_release_notes": "repo_key",
                      "core.github_tags": "repo_key"}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        releases, notes, tags = [], [], []
        for item in items:
            for release in item.payload.get("releases") or []:
                releases.append(release_row(item.key, release))
                notes.extend(note_rows(item.key, release))
            tags.extend(tag_row(item.key, t) for t in item.payload.get("tags") or [])
        return {
            "core.github_releases": pd.DataFrame(releases, columns=_columns(RELEASE_COLUMNS)),
            "core.github_release_notes": pd.DataFrame(notes, columns=_columns(NOTE_COLUMNS)),
            "core.github_tags": pd.DataFrame(tags, columns=_columns(TAG_COLUMNS)),
        }


RELEASE_COLUMNS = ("release_id", "repo_key", "tag_name", "name", "published_at", "created_at",
                   "is_prerelease", "author", "body", "url", "version", "version_prefix",
                   "version_error", "asset_downloads", "removed_at")
NOTE_COLUMNS = ("release_id", "item_no", "repo_key", "section", "category", "text", "removed_at")
TAG_COLUMNS = ("repo_key", "tag_name", "sha", "committed_at", "tagged_at", "version",
               "version_prefix", "version_error", "removed_at")


def _columns(names: tuple[str, ...]) -> list[str]:
    return list(names)


def release_row(key: str, r: dict[str, Any]) -> dict[str, Any]:
    version, prefix, error = tag_version(r["tag_name"])
    downloads = [a.get("download_count") or 0 for a in r.get("assets") or []]
    return {"release_id": r["id"], "repo_key": key, "tag_name": r["tag_name"],
            "name": r.get("name") or None, "published_at": ts(r.get("published_at")),
            "created_at": ts(r.get("created_at")), "is_prerelease": bool(r.get("prerelease")),
            "author": r.get("author"), "body": r.get("body") or None, "url": r.get("html_url"),
            "version": version, "version_prefix": prefix, "version_error": error,
            "asset_downloads": sum(downloads) if downloads else None, "removed_at": None}


def note_rows(key: str, r: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"release_id": r["id"], "item_no": n, "repo_key": key, "section": item.section,
             "category": item.category, "text": item.text, "removed_at": None}
            for n, item in enumerate(release_notes.parse(r.get("body")), start=1)]


def tag_row(key: str, t: dict[str, Any]) -> dict[str, Any]:
    version, prefix, error = tag_version(t["name"])
    return {"repo_key": key, "tag_name": t["name"], "sha": t.get("sha"),
            "committed_at": ts(t.get("committed_at")), "tagged_at": ts(t.get("tagged_at")),
            "version": version, "version_prefix": prefix, "version_error": error,
            "removed_at": None}


class RateLimits:
    """(github*, rate_limit) -> core.github_rate_limits, one row per bucket."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        rows = []
        for item in items:
            p = item.payload
            for resource, b in (p.get("resources") or {}).items():
                rows.append({"resource": resource, "limit_per_window": b["limit"],
                             "remaining": b["remaining"], "used": b.get("used"),
                             "reset_at": dt.datetime.fromtimestamp(b["reset"], dt.UTC),
                             "authenticated": bool(p.get("authenticated")),
                             "observed_at": ts(p.get("observed_at")) or item.fetched_at})
        return {"core.github_rate_limits": pd.DataFrame(rows)}
