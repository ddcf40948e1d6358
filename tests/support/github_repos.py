"""Data for the fake GitHub: the recorded PyGithub repo and releases, and generated repos.

Generated repos are deterministic (seeded by their name) and sized on demand: releases whose notes
are the recorded PyGithub release notes re-dated, tags with commit dates, issues and PRs with
their closing and merging times, star-history weeks, /stats/contributors weeks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from typing import Any

from tests.support.fakeserver import FakeServer
from tests.support.github import FakeGitHub, FakeRepo, iso, load_replay, serve_exchange


def recorded_repo() -> FakeRepo:
    """PyGithub/PyGithub as recorded on 2025-01-07 (Repository.setUp.txt), no releases or issues."""
    doc = json.loads(load_replay("Repository.setUp")[0].served_body())
    return FakeRepo(doc)


def recorded_release_bodies() -> list[dict[str, Any]]:
    """The 30 releases of PyGithub/PyGithub recorded in RequesterThrottleTestCase.testDeferRequests."""
    return [r for ex in load_replay("RequesterThrottleTestCase.testDeferRequests")[1:] for r in ex.json()]


def generated_repo(full_name: str, repo_id: int, *, created: str = "2016-08-13T00:00:00Z",
                   now: dt.datetime | None = None, stars: int = 1000, forks: int = 100,
                   watchers: int = 50, releases: int = 0, tags: int = 0, issues: int = 0,
                   contributors: int = 0, star_history: bool = False, archived: bool = False) -> FakeRepo:
    """A deterministic repo shaped like the recorded one, with histories of the given sizes.

    Release bodies are the recorded PyGithub release notes (real markdown) re-dated; everything
    else is generated from the repo name as a seed.
    """
    now = now or dt.datetime.now(dt.UTC)
    rng = random.Random(full_name)
    owner, name = full_name.split("/")
    doc = json.loads(load_replay("Repository.setUp")[0].served_body())
    doc = json.loads(json.dumps(doc).replace("PyGithub/PyGithub", full_name))
    born = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    doc.update(id=repo_id, name=name, full_name=full_name, created_at=created, archived=archived,
               pushed_at=iso(now - dt.timedelta(hours=rng.randint(1, 48))), stargazers_count=stars,
               watchers_count=stars, forks_count=forks, subscribers_count=watchers, forks=forks,
               watchers=stars, topics=["deep-learning", name.lower()])
    doc["owner"]["login"] = owner
    repo = FakeRepo(doc)
    span = (now - born).total_seconds()
    repo.releases = _releases(rng, full_name, releases, born, span)
    repo.tags, repo.commit_dates = _tags(full_name, tags, born, span)
    repo.issues = _issues(rng, full_name, issues, born, now)
    doc["open_issues_count"] = sum(1 for i in repo.issues if i["state"] == "open")
    if star_history:
        repo.star_weeks = star_weeks(rng, born, now, stars)
    if contributors:
        repo.contributors = _contributors(rng, contributors, born, now)
    return repo


def _releases(rng: random.Random, full_name: str, n: int, born: dt.datetime, span: float) -> list[dict]:
    bodies = recorded_release_bodies()
    out = []
    for i in range(n):
        when = born + dt.timedelta(seconds=span * (i + 1) / (n + 1))
        major, minor = divmod(i, 10)
        pre = rng.random() < 0.15
        tag = f"v{major}.{minor}.0" + ("rc1" if pre else "")
        template = bodies[i % len(bodies)]
        release_id = int(hashlib.sha1(f"{full_name}#{i}".encode()).hexdigest()[:8], 16)
        out.append({**template, "id": release_id, "tag_name": tag, "name": tag,
                    "prerelease": pre, "draft": False, "created_at": iso(when), "published_at": iso(when),
                    "url": f"{{base}}/repos/{full_name}/releases/{release_id}",
                    "html_url": f"https://github.com/{full_name}/releases/tag/{tag}", "assets": []})
    return out[::-1]


def _tags(full_name: str, n: int, born: dt.datetime, span: float) -> tuple[list, dict]:
    tags, dates = [], {}
    for i in range(n):
        sha = hashlib.sha1(f"{full_name}{i}".encode()).hexdigest()
        dates[sha] = iso(born + dt.timedelta(seconds=span * (i + 1) / (n + 1)))
        url = f"{{base}}/repos/{full_name}/commits/{sha}"
        tags.append({"name": f"rel-0.{i}", "commit": {"sha": sha, "url": url},
                     "zipball_url": "", "tarball_url": "", "node_id": ""})
    return tags[::-1], dates


def _issues(rng: random.Random, full_name: str, n: int, born: dt.datetime, now: dt.datetime) -> list[dict]:
    out, span = [], (now - born).total_seconds()
    for number in range(1, n + 1):
        created = born + dt.timedelta(seconds=span * number / (n + 1))
        is_pr = rng.random() < 0.5
        closed = created + dt.timedelta(hours=rng.expovariate(1 / 200))
        open_ = closed > now or rng.random() < 0.05
        merged = closed if is_pr and not open_ and rng.random() < 0.7 else None
        issue = {"number": number, "state": "open" if open_ else "closed",
                 "created_at": iso(created), "closed_at": None if open_ else iso(closed),
                 "updated_at": iso(min(closed, now) if not open_ else created),
                 "state_reason": None if open_ else "completed", "title": f"issue {number}",
                 "url": f"{{base}}/repos/{full_name}/issues/{number}"}
        if is_pr:
            issue["pull_request"] = {"url": f"{{base}}/repos/{full_name}/pulls/{number}",
                                     "merged_at": iso(merged) if merged else None}
        out.append(issue)
    return out


def week_start(day: dt.date) -> dt.date:
    """The Sunday that starts the week of `day`."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def star_weeks(rng: random.Random, born: dt.datetime, now: dt.datetime, stars: int) -> list[dict]:
    """Weeks from the repo's creation to now, newest first, summing to about `stars`."""
    first, last = week_start(born.date()), week_start(now.date())
    count = (last - first).days // 7 + 1
    per_day = stars / max(count * 7, 1)
    weeks = []
    for w in range(count):
        start = first + dt.timedelta(weeks=w)
        days = [0 if start + dt.timedelta(d) > now.date() or start + dt.timedelta(d) < born.date()
                else int(rng.expovariate(1 / per_day)) if per_day else 0 for d in range(7)]
        epoch = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp())
        weeks.append({"week": epoch, "total": sum(days), "days": days})
    return weeks[::-1]


def _contributors(rng: random.Random, n: int, born: dt.datetime, now: dt.datetime) -> list[dict]:
    first = week_start(born.date())
    weeks = (week_start(now.date()) - first).days // 7 + 1
    out = []
    for i in range(n):
        ws = []
        for w in range(weeks):
            start = first + dt.timedelta(weeks=w)
            epoch = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp())
            ws.append({"w": epoch, "a": 0, "d": 0, "c": rng.randint(0, 3) if rng.random() < 0.3 else 0})
        out.append({"total": sum(x["c"] for x in ws), "weeks": ws,
                    "author": {"login": f"dev{i}", "id": i}})
    return out


def open_pull_stubs(repo: FakeRepo, count: int, first_number: int = 100000) -> None:
    """Give a recorded repo `count` open PRs (the recordings hold no PR listing of it)."""
    for n in range(first_number, first_number + count):
        repo.issues.append({"number": n, "state": "open", "created_at": "2024-12-01T00:00:00Z",
                            "updated_at": "2024-12-01T00:00:00Z", "closed_at": None,
                            "pull_request": {"url": "", "merged_at": None}})


def serve_recorded_pygithub(server: FakeServer, github: FakeGitHub, open_prs: int = 57) -> FakeRepo:
    """PyGithub/PyGithub from its recordings: the repo (Repository.setUp) and its 30 releases in
    three pages with their real Link headers (RequesterThrottleTestCase.testDeferRequests)."""
    repo = github.add(recorded_repo())
    open_pull_stubs(repo, open_prs)
    serve_recorded_release_pages(server)
    return repo


def serve_recorded_release_pages(server: FakeServer) -> None:
    """PyGithub/PyGithub's 30 releases, recorded in three pages with their real Link headers."""
    pages = load_replay("RequesterThrottleTestCase.testDeferRequests")[1:]
    serve_exchange(server, pages[0], target="/repos/PyGithub/PyGithub/releases")
    for page in pages[1:]:
        serve_exchange(server, page)


HOSTILE_NOTES = ("## Breaking Changes\n\n* `tf.old` was removed <img src=x onerror=alert(1)>\n"
                 "* <script>alert('notes')</script> is gone\n\n"
                 "## Deprecations\n\n* `tf.compat.v1` is deprecated\n")


def serve_test_registry(server: FakeServer) -> FakeGitHub:
    """The GitHub repos of tests/fixtures/frameworks.test.toml, generated with every history.

    The newest TensorFlow release carries hostile markup in its notes: pages must show it as text.
    """
    github = FakeGitHub(server, limits={"core": 100_000, "search": 100_000})
    now = dt.datetime.now(dt.UTC)
    created = iso(now - dt.timedelta(days=420))
    tf = github.add_generated("tensorflow/tensorflow", 45717250, created=created, stars=190_000,
                              forks=74_000, watchers=7_600, releases=12, issues=300,
                              contributors=6, star_history=True)
    tf.releases[0] = {**tf.releases[0], "body": HOSTILE_NOTES}
    github.add_generated("pytorch/pytorch", 65600975, created=created, stars=90_000, forks=24_000,
                         watchers=1_800, releases=8, issues=300, contributors=9, star_history=True)
    return github
