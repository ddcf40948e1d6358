"""The recorded GitHub answers read by the parts that meet them: budget headers, /rate_limit,
search counts, tags of a repo without releases, issue objects."""

from __future__ import annotations

import json

import pytest

from collectors.github_history import issue_row
from collectors.http_github import GitHubApi, RateBudget
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.db import query
from tests.support.github import FakeGitHub, load_replay, serve_exchange, write_registry
from tests.support.github_repos import recorded_repo
from tests.support.settings import make_settings

pytestmark = pytest.mark.usefixtures("clock")  # frozen at the day the recordings were made


def test_budget_reads_recorded_headers_of_both_eras():
    budget = RateBudget(max_wait=60)
    modern = load_replay("Requester.testApiVersion")  # 2026, mixed-case, no token
    budget.observe(modern[2].headers)
    assert modern[2].request_headers["X-GitHub-Api-Version"] == "2026-03-10"
    assert budget.snapshot()["core"] == {"limit": 60, "remaining": 44, "used": 16, "reset": 1777025431}
    old = load_replay("SpecificExceptions.testRateLimitExceeded")[0]  # 2013, lower case, no reset
    budget.observe(old.headers)
    assert budget.snapshot()["core"]["remaining"] == 0


def test_budget_loads_the_recorded_rate_limit_body():
    body = load_replay("RateLimiting.testGetRateLimit")[0].json()
    budget = RateBudget(max_wait=60)
    budget.load(body)
    snap = budget.snapshot()
    assert snap["search"] == {"limit": 30, "remaining": 30, "used": 0, "reset": 1734071358}
    assert snap["graphql"]["remaining"] == 4808


def test_recorded_search_answer_gives_its_total_count(tmp_path, server):
    recorded = load_replay("PaginatedList.testTotalCountWithDeprecationLink")[0]
    serve_exchange(server, recorded, target="/search/issues")
    with GitHubApi(make_settings(tmp_path, server)) as api:
        body = api.http.get("/search/issues", params={"q": "commit:example_sha", "per_page": 1}).json()
        assert api.requests_sent == 1  # the rel="deprecation" link is not a page to follow
    assert body["total_count"] == 1


def test_recorded_tags_of_a_repo_without_releases(tmp_path, server):
    github = FakeGitHub(server)
    repo = github.add(recorded_repo())
    tags = load_replay("Tag.setUp")[1]
    serve_exchange(server, tags, target="/repos/PyGithub/PyGithub/tags", drop_link=True)
    shas = [t["commit"]["sha"] for t in tags.json()]
    repo.commit_dates = {sha: f"2024-{1 + n % 12:02d}-01T00:00:00Z" for n, sha in enumerate(shas)}
    reg = write_registry(tmp_path / "reg.toml", {"pygithub": ["PyGithub/PyGithub"]})
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["github"])
    rows = query(cfg.db, "SELECT kind, tag_name, version FROM github_releases ORDER BY tag_name DESC")
    assert len(rows) == 30 and rows[0] == ("tag", "v2.5.0", "2.5.0")
    assert sum("/commits/" in t for t in server.targets()) == 30  # one lookup per tag, no token


def test_recorded_issue_objects_give_listing_rows():
    issues = load_replay("Repository.testGetIssuesWithTypeArgument")[0].json()
    rows = [issue_row(i) for i in issues]
    assert rows[0] == {"number": 3379, "is_pr": False, "state": "open",
                       "created_at": "2025-09-17T11:53:11Z", "closed_at": None, "merged_at": None,
                       "updated_at": issues[0]["updated_at"], "state_reason": None}
    assert json.dumps(rows)  # plain JSON for the raw landing
