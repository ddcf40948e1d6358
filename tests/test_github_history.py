"""Source `github-history`: the git route on a repository the test creates, search counts,
the issue listing and its medians, star history, /stats fallback, deferral and resumption."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import collectors.github_history as history
from tests.support.clock import NOW, collect_and_tick
from tests.support.db import query
from tests.support.fakeserver import FIXTURES
from tests.support.github import FakeGitHub, github_settings, load_replay, write_registry

MONTH = dt.date


def run(cfg, sources=("github-history",)):
    return collect_and_tick(cfg, sources).sources


def month_rows(db, columns: str) -> list[tuple]:
    return query(db, f"SELECT month, {columns} FROM community_monthly ORDER BY month")


# the git route ---------------------------------------------------------------------------------
def git(cwd: Path, *args: str, when: str | None = None, who: str = "a@example.org") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": who.split("@")[0], "GIT_AUTHOR_EMAIL": who,
           "GIT_COMMITTER_NAME": who.split("@")[0], "GIT_COMMITTER_EMAIL": who,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when}T12:00:00+00:00"
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def commit(work: Path, when: str, who: str) -> None:
    (work / "log.txt").write_text((work / "log.txt").read_text() + f"{when} {who}\n")
    git(work, "commit", "-q", "-am", f"change by {who}", when=when, who=who)


@pytest.fixture
def origin(tmp_path):
    """A small repository served as <base>/o/r.git, with commits in Jan and Mar 2026."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "log.txt").write_text("")
    git(work, "add", "log.txt")
    git(work, "commit", "-q", "-m", "start", when="2026-01-02", who="a@example.org")
    for when, who in [("2026-01-05", "a@example.org"), ("2026-01-08", "b@example.org"),
                      ("2026-01-09", "b@example.org"), ("2026-01-20", "C@Example.org"),
                      ("2026-03-03", "d@example.org"), ("2026-03-04", "a@example.org")]:
        commit(work, when, who)
    base = tmp_path / "remote"
    bare = base / "o" / "r.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    git(bare, "config", "uploadpack.allowFilter", "true")
    git(work, "remote", "add", "origin", str(bare))
    return work, base


@pytest.fixture
def one_repo(tmp_path, server, clock):
    github = FakeGitHub(server)
    repo = github.add_generated("o/r", 42, created="2026-10-01T00:00:00Z")
    reg = write_registry(tmp_path / "reg.toml", {"fw": ["o/r"]})
    return github, repo, reg


def test_git_route_counts_commits_authors_and_bus_factor(tmp_path, server, origin, one_repo):
    work, base = origin
    _, _, reg = one_repo
    cfg = github_settings(tmp_path, server, registry=reg, github_git_url=f"file://{base}")
    first = run(cfg)[0]
    assert first.status == "ok", first.summary()
    rows = month_rows(cfg.db, "commits, active_authors, first_time_authors, bus_factor_12m, "
                              "authors_route")
    assert rows[:4] == [
        (MONTH(2026, 1, 1), 5, 3, 3, 2, "git_clone"),  # a 2, b 2, c 1: two make half
        (MONTH(2026, 2, 1), 0, 0, 0, 2, "git_clone"),  # no commits: a zero, not a gap
        (MONTH(2026, 3, 1), 2, 2, 1, 2, "git_clone"),  # d is new; a 3, b 2, c 1, d 1 in 12 months
        (MONTH(2026, 4, 1), 0, 0, 0, 2, "git_clone"),
    ]
    assert rows[-1][0] == MONTH(2026, 11, 1) and len(rows) == 11
    payload = json.loads(query(cfg.db, "SELECT payload FROM raw.items WHERE stream = 'commits'")[0][0])
    assert payload["scope"] == "full" and "example.org" not in json.dumps(payload)  # hashed authors
    assert (tmp_path / "data" / "git" / "o" / "r.git" / "HEAD").exists()
    # a new commit in May and one landing late with an old date (March): only those months resent
    commit(work, "2026-05-02", "e@example.org")
    commit(work, "2026-03-20", "b@example.org")
    git(work, "push", "-q", "origin", "main")
    second = run(cfg)[0]
    payload = json.loads(query(cfg.db, "SELECT payload FROM raw.items WHERE stream = 'commits' "
                                       "ORDER BY fetched_at DESC LIMIT 1")[0][0])
    assert payload["scope"] == "incremental" and sorted(payload["months"]) == ["2026-03", "2026-05"]
    assert second.counts.items_ok >= 1
    assert month_rows(cfg.db, "commits, active_authors, first_time_authors")[2:5] == [
        (MONTH(2026, 3, 1), 3, 3, 1), (MONTH(2026, 4, 1), 0, 0, 0), (MONTH(2026, 5, 1), 1, 1, 1)]
    third = run(cfg)[0]
    assert third.counts.items_unchanged >= 1
    assert query(cfg.db, "SELECT count(*) FROM raw.items WHERE stream = 'commits'")[0][0] == 2


def test_git_failure_is_named_and_the_rest_continues(tmp_path, server, one_repo):
    _, _, reg = one_repo
    cfg = github_settings(tmp_path, server, registry=reg, github_git_url=f"file://{tmp_path}/none")
    result = run(cfg)[0]
    errors = query(cfg.db, "SELECT stream, item_key, error FROM core.run_item_errors")
    assert [(s, k) for s, k, _ in errors] == [("commits", "o/r")]
    assert errors[0][2].startswith("GitError: git clone failed")
    assert result.status == "partial"  # the other streams of o/r went on


# search counts ---------------------------------------------------------------------------------
def truth(repo, kind: str, what: str) -> Counter:
    """Issues or PRs per month from the fake repo's own data."""
    out = Counter()
    for i in repo.issues:
        if ("pull_request" in i) != (kind == "pr"):
            continue
        stamp = {"created": i["created_at"], "closed": i["closed_at"],
                 "merged": (i.get("pull_request") or {}).get("merged_at")}[what]
        if stamp:
            out[MONTH(int(stamp[:4]), int(stamp[5:7]), 1)] += 1
    return out


def expected_counts(repo, route: str) -> list[tuple]:
    months = [MONTH(2026, m, 1) for m in range(6, 12)]
    return [(m, truth(repo, "issue", "created")[m], truth(repo, "issue", "closed")[m],
             truth(repo, "pr", "created")[m], truth(repo, "pr", "merged")[m], m.month < 11, route)
            for m in months]


@pytest.fixture
def active_repo(tmp_path, server, clock):
    github = FakeGitHub(server)
    repo = github.add_generated("o/r", 42, created="2026-06-10T00:00:00Z", issues=250,
                                now=NOW)
    reg = write_registry(tmp_path / "reg.toml", {"fw": ["o/r"]})
    return github, repo, github_settings(tmp_path, server, registry=reg)


@pytest.fixture
def unfinished_listing(monkeypatch):
    """The issue listing has not reached its end (a giant repo's first pass): search counts."""

    def paused(self, key, previous):
        yield self.item(history.ISSUES, key, "deferred", error="listing paused by the test")

    monkeypatch.setattr(history.HistoryCollector, "_issues", paused)


@pytest.mark.usefixtures("unfinished_listing")
def test_search_counts_every_month_exactly_waiting_for_the_search_bucket(active_repo, server, clock):
    _, repo, cfg = active_repo
    run(cfg)
    searches = [r for r in server.requests if r.path == "/search/issues"]
    assert len(searches) == 6 * 4  # June to November, four counts each
    assert clock.waits == [61.0, 61.0]  # 10 searches a minute without a token; +1 s for the reset
    rows = month_rows(cfg.db, "issues_opened, issues_closed, prs_opened, prs_merged, month_complete, "
                              "counts_route")
    assert rows == expected_counts(repo, "search_total_count")
    assert "q=repo%3Ao%2Fr+is%3Apr+merged%3A2026-06-01..2026-06-30&per_page=1" in [
        r.target.split("?", 1)[1] for r in searches]
    server.reset_log()
    run(cfg)  # the same day: only the running month is counted again, and it did not change
    assert len([r for r in server.requests if r.path == "/search/issues"]) == 4
    assert query(cfg.db, "SELECT count(*) FROM raw.items WHERE stream = 'issue_counts'")[0][0] == 1


@pytest.mark.usefixtures("unfinished_listing")
def test_search_counts_defer_and_resume_from_the_last_complete_month(active_repo, server, clock):
    github, _, cfg = active_repo
    cfg = cfg.model_copy(update={"github_max_wait": 0.0})
    first = run(cfg)[0]
    assert first.status == "deferred"
    counted = [r[0] for r in month_rows(cfg.db, "issues_opened") if r[1] is not None]
    assert counted == [MONTH(2026, 6, 1), MONTH(2026, 7, 1)]  # 10 searches: 2.5 months, 2 saved
    error = query(cfg.db, "SELECT error FROM core.run_item_errors WHERE stream = 'issue_counts'")[0][0]
    assert "4 month(s) left to count" in error and "search budget spent" in error
    clock.shift(dt.timedelta(seconds=61))
    server.reset_log()
    run(cfg)
    months = sorted({r.target.split("created%3A")[1][:7] for r in server.requests
                     if r.path == "/search/issues" and "created%3A" in r.target})
    assert months[0] == "2026-08"  # resumed after the last complete month counted


# the issue listing and medians ------------------------------------------------------------------
def test_issue_listing_in_parts_gives_exact_medians(active_repo, server, monkeypatch):
    _, repo, cfg = active_repo
    monkeypatch.setattr(history, "ISSUES_PER_PART", 100)
    result = run(cfg)[0]
    parts = query(cfg.db, "SELECT cursor FROM raw.items WHERE stream = 'issues' ORDER BY fetched_at")
    assert len(parts) == 3 and result.counts.items_ok >= 1
    assert json.loads(parts[-1][0])["synced"] is True
    assert query(cfg.db, "SELECT count(*) FROM core.github_issues")[0][0] == 250
    got = {m: (c, g) for m, c, g in month_rows(cfg.db, "median_days_to_close, median_days_to_merge")}
    for month, days in median_truth(repo, "issue").items():
        assert got[month][0] == pytest.approx(days, abs=0.01), month
    for month, days in median_truth(repo, "pr").items():
        assert got[month][1] == pytest.approx(days, abs=0.01), month
    assert not [r for r in server.requests if r.path == "/search/issues"]  # the listing counts
    rows = month_rows(cfg.db, "issues_opened, issues_closed, prs_opened, prs_merged, month_complete, "
                              "counts_route")
    assert rows == expected_counts(repo, "issue_listing")
    server.reset_log()
    again = run(cfg)[0]
    listing = [r.target for r in server.requests if r.path.endswith("/r/issues")]
    assert len(listing) == 1 and "since=" in listing[0]
    assert again.counts.items_unchanged >= 1


def median_truth(repo, kind: str) -> dict:
    per: dict = {}
    for i in repo.issues:
        pr = "pull_request" in i
        end = (i.get("pull_request") or {}).get("merged_at") if kind == "pr" else i["closed_at"]
        if pr != (kind == "pr") or not end:
            continue
        start = dt.datetime.fromisoformat(i["created_at"].replace("Z", "+00:00"))
        stop = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
        per.setdefault(MONTH(stop.year, stop.month, 1), []).append((stop - start).total_seconds() / 86400)
    return {m: statistics.median(v) for m, v in per.items()}


def test_a_deferred_listing_keeps_medians_null_until_it_resumes_to_the_end(active_repo, server, clock):
    github, _, cfg = active_repo
    github.spend("core", remaining=4, reset_in=1800)  # repo + 2 star pages... then 1 listing page
    first = run(cfg)[0]
    assert first.status == "deferred"
    assert query(cfg.db, "SELECT count(median_days_to_close) FROM community_monthly")[0][0] == 0
    listed = query(cfg.db, "SELECT count(*) FROM core.github_issues")[0][0]
    assert 0 < listed < 250
    clock.shift(dt.timedelta(minutes=31))
    run(cfg)
    assert query(cfg.db, "SELECT count(*) FROM core.github_issues")[0][0] == 250
    assert query(cfg.db, "SELECT count(median_days_to_close) FROM community_monthly")[0][0] > 0


# star history ----------------------------------------------------------------------------------
def serve_star_pages(server, key: str) -> list[list[dict]]:
    pages = [json.loads((FIXTURES / "github_rest" / f"stargazers_history_page{n}.synthetic.json")
                        .read_text()) for n in (1, 2)]
    link = '<{base}/repositories/42/stargazers/history?per_page=30&page=%d>; rel="%s"'
    server.add(f"/repos/{key}/stargazers/history?per_page=30&page=1", pages[0],
               headers={"Link": f"{link % (2, 'next')}, {link % (2, 'last')}"})
    server.add("/repositories/42/stargazers/history?per_page=30&page=2", pages[1])
    server.add(f"/repos/{key}/stargazers/history?per_page=30&page=2", pages[1])
    return pages


def test_star_history_is_anchored_labelled_and_exact_where_a_snapshot_exists(tmp_path, server, clock):
    github = FakeGitHub(server)
    repo = github.add_generated("o/r", 42, created="2026-04-01T00:00:00Z", stars=530)
    pages = serve_star_pages(server, "o/r")
    cfg = github_settings(tmp_path, server,
                          registry=write_registry(tmp_path / "reg.toml", {"fw": ["o/r"]}))
    run(cfg, ("github", "github-history"))
    sent = [r for r in server.requests if "stargazers" in r.path]
    assert [r.headers["X-GitHub-Api-Version"] for r in sent] == ["2026-03-10"] * 2
    days = {}
    for week in pages[0] + pages[1]:
        start = dt.datetime.fromtimestamp(week["week"], dt.UTC).date()
        for k, n in enumerate(week["days"]):
            days[start + dt.timedelta(k)] = n
    rows = query(cfg.db, "SELECT day, stars, stars_added, method, source FROM star_history ORDER BY day")
    assert rows[0][0] == dt.date(2026, 4, 1)  # nothing before the repo existed
    assert rows[-1] == (NOW.date(), 530, days[NOW.date()], "exact", "daily_snapshot")
    assert all(d <= NOW.date() for d, *_ in rows)  # padded days of this week are not zeros
    later = sum(n for d, n in days.items() if dt.date(2026, 4, 1) < d <= NOW.date())
    assert rows[0] == (dt.date(2026, 4, 1), 530 - later, days[dt.date(2026, 4, 1)], "estimated",
                       "stargazers_history")
    assert len(rows) == (NOW.date() - dt.date(2026, 4, 1)).days + 1
    assert repo.doc["stargazers_count"] == 530
    server.reset_log()
    run(cfg)
    assert [r.target for r in server.requests if "stargazers" in r.path] == [
        "/repos/o/r/stargazers/history?per_page=30&page=1"]  # a refresh reads the newest page


# /stats fallback and the run's time budget ------------------------------------------------------
def test_stats_route_when_git_is_off_and_202_is_never_zero(tmp_path, server, clock):
    github = FakeGitHub(server)
    repo = github.add_generated("o/r", 42, created="2026-11-01T00:00:00Z")
    recorded = load_replay("Repository.testStatisticsContributors")[1].json()
    repo.contributors = recorded
    github.stats_pending["o/r"] = 99
    cfg = github_settings(tmp_path, server,
                          registry=write_registry(tmp_path / "reg.toml", {"fw": ["o/r"]}))
    first = run(cfg)[0]
    error = query(cfg.db, "SELECT error FROM core.run_item_errors WHERE stream = 'commits'")[0][0]
    assert "still computing" in error and first.status == "deferred"
    assert query(cfg.db, "SELECT count(*) FROM core.github_author_months")[0][0] == 0
    github.stats_pending["o/r"] = 1
    run(cfg)
    commits = Counter()
    for c in recorded:
        for w in c["weeks"]:
            commits[dt.datetime.fromtimestamp(w["w"], dt.UTC).date().replace(day=1)] += w["c"]
    rows = query(cfg.db, "SELECT month, commits, authors_route FROM community_monthly "
                         "WHERE commits > 0 ORDER BY month")
    assert rows == [(m, n, "stats_api") for m, n in sorted(commits.items()) if n]


def test_the_run_time_budget_defers_api_work(active_repo, monkeypatch):
    _, _, cfg = active_repo
    ticks = iter(range(0, 10**6, 400))
    monkeypatch.setattr(history.time, "monotonic", lambda: next(ticks))
    result = run(cfg.model_copy(update={"github_history_minutes": 10.0}))[0]
    assert result.status == "deferred"
    errors = [e for (e,) in query(cfg.db, "SELECT error FROM core.run_item_errors")]
    assert errors and all("DLTRENDS_GITHUB_HISTORY_MINUTES=10" in e for e in errors)


def test_load_twice_the_same_day_adds_nothing_and_changes_nothing(tmp_path, server, origin, clock):
    _, base = origin
    github = FakeGitHub(server)
    github.add_generated("o/r", 42, created="2026-09-01T00:00:00Z", issues=60, stars=530)
    serve_star_pages(server, "o/r")
    cfg = github_settings(tmp_path, server, github_git_url=f"file://{base}",
                          registry=write_registry(tmp_path / "reg.toml", {"fw": ["o/r"]}))
    run(cfg, ("github", "github-history"))
    tables = ["core.github_author_months", "core.github_commit_sources", "core.github_issue_counts",
              "core.github_issues", "core.github_issue_listing", "core.github_star_days",
              "core.github_star_anchors"]
    views = ["community_monthly", "star_history"]

    def rows() -> dict:
        return {t: sorted(map(repr, query(cfg.db, f"SELECT * FROM {t}"))) for t in tables + views} | {
            "raw": sorted(map(repr, query(cfg.db, "SELECT * FROM raw.items WHERE stream <> 'rate_limit'")))}

    before = rows()
    second = run(cfg)[0]
    assert second.counts.items_ok == 1 and second.counts.items_unchanged == 4  # 1: the budget
    assert rows() == before
