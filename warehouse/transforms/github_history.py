"""GitHub payloads of source `github-history` -> monthly authors, issue counts, issues, star days."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from warehouse.transforms.github import ts


def month_date(month: str) -> dt.date:
    """'2024-05' -> 2024-05-01."""
    year, mon = map(int, month.split("-")[:2])
    return dt.date(year, mon, 1)


class AuthorMonths:
    """(github-history, commits) -> core.github_author_months (git clone or /stats/contributors)."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        rows, sources = [], []
        for item in items:
            p = item.payload
            months = p["months"] if p.get("route") == "git" else stats_months(p["contributors"])
            route = "git_clone" if p.get("route") == "git" else "stats_api"
            rows += [{"repo_key": item.key, "month": month_date(m), "author": a, "commits": n,
                      "route": route} for m, authors in months.items() for a, n in authors.items()]
            sources.append({"repo_key": item.key, "route": route, "head": p.get("head"),
                            "default_branch": p.get("default_branch"), "fetched_at": item.fetched_at})
        return {"core.github_author_months": pd.DataFrame(
                    rows, columns=["repo_key", "month", "author", "commits", "route"]),
                "core.github_commit_sources": pd.DataFrame(sources)}


def stats_months(contributors: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Weekly commits per contributor -> month (of the week's Sunday, UTC) -> author -> commits."""
    months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in contributors:
        author = "login:" + hashlib.sha1(str(c.get("author")).lower().encode()).hexdigest()[:16]
        for week, commits in c.get("weeks") or []:
            month = dt.datetime.fromtimestamp(week, dt.UTC).strftime("%Y-%m")
            months[month][author] += int(commits)
    return {m: dict(a) for m, a in months.items()}


class IssueCounts:
    """(github-history, issue_counts) -> core.github_issue_counts."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        rows = []
        for item in items:
            counted = ts(item.payload.get("counted_at")) or item.fetched_at
            for month, c in item.payload["months"].items():
                rows.append({"repo_key": item.key, "month": month_date(month),
                             "issues_opened": c["issues_opened"], "issues_closed": c["issues_closed"],
                             "prs_opened": c["prs_opened"], "prs_merged": c["prs_merged"],
                             "month_complete": bool(c.get("complete")),
                             "incomplete_results": bool(c.get("incomplete_results")),
                             "counted_at": counted})
        return {"core.github_issue_counts": pd.DataFrame(rows)}


class Issues:
    """(github-history, issues) -> core.github_issues and, once a listing ends, the sync time."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        rows, synced = [], []
        for item in items:
            for i in item.payload.get("issues") or []:
                rows.append({"repo_key": item.key, "number": i["number"], "is_pr": bool(i["is_pr"]),
                             "state": i.get("state"), "state_reason": i.get("state_reason"),
                             "created_at": ts(i["created_at"]), "closed_at": ts(i.get("closed_at")),
                             "merged_at": ts(i.get("merged_at")), "updated_at": ts(i.get("updated_at"))})
            if item.payload.get("synced"):
                synced.append({"repo_key": item.key,
                               "synced_at": ts(item.payload.get("listed_at")) or item.fetched_at})
        return {"core.github_issues": pd.DataFrame(rows),
                "core.github_issue_listing": pd.DataFrame(synced)}


class StarDays:
    """(github-history, stars) -> stars added per day, and the stargazers_count anchor."""

    SNAPSHOT_SCOPE: dict[str, str] = {}

    @staticmethod
    def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
        days, anchors = [], []
        for item in items:
            p = item.payload
            fetched = ts(p.get("fetched_at")) or item.fetched_at
            days += star_day_rows(item.key, p.get("weeks") or [], fetched)
            repo = p.get("repo") or {}
            if repo.get("stargazers_count") is not None:
                anchors.append({"repo_key": item.key, "repo_id": repo.get("id"),
                                "stars": repo["stargazers_count"], "fetched_at": fetched,
                                "complete": bool(p.get("complete")),
                                "repo_created": ts(repo.get("created_at"))})
        return {"core.github_star_days": pd.DataFrame(days),
                "core.github_star_anchors": pd.DataFrame(anchors)}


def star_day_rows(key: str, weeks: list[dict[str, Any]], fetched: dt.datetime) -> list[dict]:
    """Weeks {week: epoch of its Sunday, days: [7 counts]} -> one row per day up to the fetch day.

    The current week is padded with zeros for days still to come: those are left out, never zero.
    """
    out: dict[dt.date, dict[str, Any]] = {}
    for week in weeks:
        start = dt.datetime.fromtimestamp(int(week["week"]), dt.UTC).date()
        for offset, added in enumerate(week.get("days") or []):
            day = start + dt.timedelta(days=offset)
            if day <= fetched.date():
                out[day] = {"repo_key": key, "day": day, "stars_added": int(added),
                            "fetched_at": fetched}
    return list(out.values())
