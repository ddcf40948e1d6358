"""Source `github` end to end on the fake GitHub: snapshots, releases, tags, GraphQL, renames,
load-twice idempotency, deferral and resumption, and the token kept out of every file and log."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from tests.support.clock import NOW, collect_and_tick
from tests.support.db import query, snapshot
from tests.support.fakeserver import FIXTURES, status
from tests.support.github import FakeGitHub, github_settings, write_registry
from tests.support.github_repos import serve_recorded_pygithub

DATA_TABLES = ["core.github_repo_snapshots", "core.github_repo_observations", "core.github_releases",
               "core.github_release_notes", "core.github_tags"]
TOKEN = "ghp_TESTTOKENabcdefghijklmnopqrstuvwxyz0123"


def run(cfg, sources=("github",)):
    return collect_and_tick(cfg, sources)


def github_snapshot(db) -> dict[str, list[str]]:
    """Every data row; the API budget is left out: it is an observation of each run itself."""
    return snapshot(db, DATA_TABLES, raw="SELECT * FROM raw.items WHERE stream <> 'rate_limit'",
                    state="SELECT * FROM core.fetch_state WHERE stream <> 'rate_limit'")


@pytest.fixture
def recorded(tmp_path, server, clock):
    """The registry's one repo is PyGithub/PyGithub, served from its recordings."""
    github = FakeGitHub(server)
    serve_recorded_pygithub(server, github)
    reg = write_registry(tmp_path / "reg.toml", {"pygithub": ["PyGithub/PyGithub"]})
    return github, github_settings(tmp_path, server, registry=reg)


def test_recorded_repo_snapshot_is_one_whole_row(recorded):
    _, cfg = recorded
    result = run(cfg)
    assert result.ok, [s.summary() for s in result.sources]
    rows = query(cfg.db, "SELECT * EXCLUDE (observed_at) FROM repo_stats_daily")
    assert rows == [(
        "pygithub", "PyGithub/PyGithub", 3544490, NOW.date(), 7122, 1793, 111, 300, 57, False, False,
        dt.datetime(2024, 12, 19, 12, 1, 11, tzinfo=dt.UTC),
        dt.datetime(2012, 2, 25, 12, 53, 47, tzinfo=dt.UTC),
        "main", "LGPL-3.0", ["github", "github-api", "pygithub", "python"], 16425, "fetched", NOW.date(),
        "rest")]
    assert query(cfg.db, "SELECT framework, repos_observed, repos_tracked, stars, open_prs "
                         "FROM framework_stats_daily") == [("pygithub", 1, 1, 7122, 57)]


def test_recorded_releases_follow_their_links_and_are_parsed(recorded, server):
    _, cfg = recorded
    run(cfg)
    assert [t for t in server.targets() if "releases" in t] == [
        "/repos/PyGithub/PyGithub/releases?per_page=100",
        "/repositories/3544490/releases?page=2&per_page=10",
        "/repositories/3544490/releases?page=3&per_page=10"]
    releases = query(cfg.db, "SELECT tag_name, kind, is_prerelease, author, version, note_items, "
                             "breaking_changes, deprecations FROM github_releases ORDER BY published_at DESC")
    assert len(releases) == 30
    assert releases[0] == ("v1.55", "release", False, "s-t-e-v-e-n-k", "1.55", 29, 4, 0)
    assert releases[-6][:5] == ("v1.40a4", "release", True, "sfdye", "1.40a4")
    items = query(cfg.db, "SELECT item_no, section, category, text FROM release_note_items "
                          "WHERE tag_name = 'v1.55' ORDER BY item_no LIMIT 2")
    assert items == [(1, "Breaking Changes", "breaking",
                      "Remove client_id/client_secret authentication (#1888) (901af8c8)"),
                     (2, "Breaking Changes", "breaking",
                      "Adjust to Github API changes regarding emails (#1890) (2c77cfad) This impacts "
                      "what AuthenticatedUser.get_emails() returns")]
    body = query(cfg.db, "SELECT body FROM github_releases WHERE tag_name = 'v1.55'")[0][0]
    assert body.startswith("**Breaking Changes**\r\n\r\n* Remove client_id")


def test_load_twice_the_same_day_adds_nothing_and_changes_nothing(recorded, server):
    _, cfg = recorded
    run(cfg)
    before = github_snapshot(cfg.db)
    server.reset_log()
    second = run(cfg).sources[0]
    assert (second.counts.items_ok, second.counts.items_unchanged) == (1, 2)  # 1: the budget
    assert second.counts.rows_written == 3  # the three budget buckets observed again, nothing else
    assert github_snapshot(cfg.db) == before
    conditional = [r for r in server.requests if r.path != "/rate_limit"]
    assert [r.target for r in conditional] == ["/repos/PyGithub/PyGithub",
                                               "/repos/PyGithub/PyGithub/releases?per_page=100"]
    assert all("If-None-Match" in r.headers for r in conditional)


def test_a_304_on_a_later_day_records_not_modified(recorded, clock):
    _, cfg = recorded
    run(cfg)
    clock.shift(dt.timedelta(days=1))
    run(cfg)
    rows = query(cfg.db, "SELECT day, stars, method, values_from FROM repo_stats_daily ORDER BY day")
    day1, day2 = NOW.date(), NOW.date() + dt.timedelta(days=1)
    assert rows == [(day1, 7122, "fetched", day1), (day2, 7122, "not_modified", day1)]
    assert query(cfg.db, "SELECT count(*) FROM core.github_repo_snapshots")[0][0] == 1


def test_repos_without_releases_get_their_tags_with_commit_dates(tmp_path, server, clock):
    github = FakeGitHub(server)
    github.add_generated("Theano/Theano", 1012, created="2011-01-01T00:00:00Z", tags=3)
    cfg = github_settings(tmp_path, server,
                          registry=write_registry(tmp_path / "r.toml", {"theano": ["Theano/Theano"]}))
    assert run(cfg).ok
    tags = query(cfg.db, "SELECT kind, tag_name, version, published_at, url FROM github_releases "
                         "ORDER BY published_at")
    repo = github.repos["theano/theano"]
    expected = sorted((t["name"], repo.commit_dates[t["commit"]["sha"]]) for t in repo.tags)
    assert [(k, n, v, p.strftime("%Y-%m-%dT%H:%M:%SZ"), u) for k, n, v, p, u in tags] == [
        ("tag", name, name.removeprefix("rel-"), date, None) for name, date in
        sorted(expected, key=lambda x: x[1])]
    assert sum("/commits/" in t for t in server.targets()) == 3  # one lookup per tag, no token
    server.reset_log()
    second = run(cfg).sources[0]
    assert second.counts.items_unchanged == 2
    assert [t for t in server.targets() if t != "/rate_limit"] == [
        "/repos/Theano/Theano", "/repos/Theano/Theano/tags?per_page=100"]


def test_graphql_with_a_token_one_query_for_all_repos(tmp_path, server, clock, monkeypatch, caplog):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    github = FakeGitHub(server, token=TOKEN)
    for i, name in enumerate(["a/one", "b/two", "c/three"]):
        github.add_generated(name, 100 + i, releases=2)
    reg = write_registry(tmp_path / "r.toml", {"one": ["a/one"], "two": ["b/two"], "three": ["c/three"]})
    cfg = github_settings(tmp_path, server, registry=reg)
    caplog.set_level(logging.INFO, logger="collectors.http_github")
    assert run(cfg).ok
    assert server.count("/graphql", method="POST") == 1
    assert "GitHub GraphQL query cost 1 point(s)" in caplog.text
    assert query(cfg.db, "SELECT repo, stars, via FROM repo_stats_daily ORDER BY repo") == [
        ("a/one", 1000, "graphql"), ("b/two", 1000, "graphql"), ("c/three", 1000, "graphql")]


def test_graphql_synthetic_response_becomes_rows(tmp_path, server, clock, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    FakeGitHub(server, token=TOKEN)
    server.add("/graphql", (FIXTURES / "github_rest" / "graphql_repos.synthetic.json").read_text(),
               method="POST", etag=False)
    reg = write_registry(tmp_path / "r.toml", {"jax": ["jax-ml/jax"], "mlx": ["ml-explore/mlx"]})
    cfg = github_settings(tmp_path, server, registry=reg)
    run(cfg)
    rows = query(cfg.db, "SELECT framework, repo, repo_id, stars, forks, watchers, open_issues, "
                         "open_prs, license, topics, size_kb FROM repo_stats_daily ORDER BY repo")
    assert rows == [("jax", "jax-ml/jax", 154739597, 33100, 3200, 330, 1500, 480, "Apache-2.0",
                     ["jax", "python"], 221000),
                    ("mlx", "ml-explore/mlx", 712450110, 22000, 1300, 250, 180, 60, "MIT", ["mlx"], 30500)]
    sent = json.loads(server.requests[[r.path for r in server.requests].index("/graphql")].body)
    assert sent["variables"] == {"o0": "jax-ml", "n0": "jax", "o1": "ml-explore", "n1": "mlx"}


def test_a_renamed_repo_keeps_its_id_and_framework(tmp_path, server, clock):
    github = FakeGitHub(server)
    github.add_generated("google/jax", 154739597, releases=1)
    reg = write_registry(tmp_path / "r.toml", {"jax": ["google/jax"]})
    cfg = github_settings(tmp_path, server, registry=reg)
    run(cfg)
    github.rename("google/jax", "jax-ml/jax")
    clock.shift(dt.timedelta(days=1))
    assert run(cfg).ok
    rows = query(cfg.db, "SELECT framework, repo, repo_id, day FROM repo_stats_daily ORDER BY day")
    assert rows == [("jax", "jax-ml/jax", 154739597, NOW.date()),
                    ("jax", "jax-ml/jax", 154739597, NOW.date() + dt.timedelta(days=1))]
    assert "/repositories/154739597" in server.targets()


def test_one_failing_repo_never_stops_the_others(tmp_path, server, clock):
    github = FakeGitHub(server)
    github.add_generated("a/ok", 1, releases=1)
    reg = write_registry(tmp_path / "r.toml", {"gone": ["a/gone"], "ok": ["a/ok"]})
    cfg = github_settings(tmp_path, server, registry=reg)
    server.fail("/repos/a/ok/releases", status(500), status(500), status(500))
    result = run(cfg).sources[0]
    assert result.status == "partial"
    errors = query(cfg.db, "SELECT stream, item_key, error FROM core.run_item_errors ORDER BY 1, 2")
    assert [(s, k) for s, k, _ in errors] == [("releases", "a/gone"), ("releases", "a/ok"),
                                              ("repos", "a/gone")]
    assert "HTTP 404" in errors[0][2] and "HTTP 500" in errors[1][2]
    assert query(cfg.db, "SELECT repo FROM repo_stats_daily") == [("a/ok",)]


def test_spent_budget_defers_the_stream_and_the_next_run_resumes(tmp_path, server, clock):
    github = FakeGitHub(server)
    for i in range(4):
        github.add_generated(f"o/r{i}", 10 + i, releases=1)
    reg = write_registry(tmp_path / "r.toml", {f"f{i}": [f"o/r{i}"] for i in range(4)})
    cfg = github_settings(tmp_path, server, registry=reg, github_max_wait=60)
    github.spend("core", remaining=3, reset_in=1800)
    first = run(cfg).sources[0]
    assert first.status == "deferred"
    # 3 requests: r0 (repo, open PRs) and r1's repo; then r1..r3 and every release wait
    assert (first.counts.items_ok, first.counts.items_deferred) == (2, 7)  # r0 and the budget
    deferred = query(cfg.db, "SELECT stream, item_key, error FROM core.run_item_errors ORDER BY 1, 2")
    assert {s for s, _, _ in deferred} == {"repos", "releases"}
    assert all("resets at 2026-11-28 12:30 UTC" in e for _, _, e in deferred)
    assert query(cfg.db, "SELECT count(*) FROM repo_stats_daily")[0][0] == 1
    assert server.count() - server.count("/rate_limit") == 3  # nothing sent past the budget
    clock.shift(dt.timedelta(minutes=31))
    second = run(cfg).sources[0]
    assert second.status == "ok" and second.counts.items_deferred == 0
    assert query(cfg.db, "SELECT count(*) FROM repo_stats_daily")[0][0] == 4
    assert clock.waits == []


def test_token_never_reaches_the_data_folder_or_the_logs(tmp_path, server, clock, monkeypatch,
                                                          caplog, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    github = FakeGitHub(server, token=TOKEN)
    github.add_generated("o/tagged", 5, tags=2, issues=20, star_history=True,
                         created="2026-08-01T00:00:00Z")
    github.add_generated("o/released", 6, releases=3, created="2026-08-01T00:00:00Z")
    reg = write_registry(tmp_path / "r.toml", {"t": ["o/tagged"], "r": ["o/released", "o/missing"]})
    cfg = github_settings(tmp_path, server, registry=reg)
    server.fail("/repos/o/released/releases", status(401, '{"message": "Bad credentials"}'))
    caplog.set_level(logging.DEBUG)
    run(cfg, ("github", "github-history"))
    assert all(TOKEN in r.headers.get("Authorization", "") for r in server.requests)
    found = [str(p) for p in cfg.db.parent.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert found == []
    out = capsys.readouterr()
    assert TOKEN not in caplog.text and TOKEN not in out.out + out.err
    errors = query(cfg.db, "SELECT coalesce(string_agg(error, ' '), '') FROM collector_runs")[0][0]
    assert "Bad credentials" in errors and TOKEN not in errors


def test_tags_link_to_pypi_versions(tmp_path, server, clock):
    from tests.support.pypi import serve_pypi

    serve_pypi(server)
    github = FakeGitHub(server)
    github.add_generated("tinygrad/tinygrad", 7, releases=10, created="2020-10-18T00:00:00Z")
    reg = tmp_path / "r.toml"
    reg.write_text('[frameworks.tinygrad]\nname = "tinygrad"\ngithub = ["tinygrad/tinygrad"]\n'
                   'pypi = ["tinygrad"]\n')
    cfg = github_settings(tmp_path, server, registry=reg)
    run(cfg, ("pypi", "github"))
    linked = query(cfg.db, "SELECT tag_name, pypi_package, pypi_version FROM github_releases "
                           "WHERE pypi_version IS NOT NULL ORDER BY tag_name")
    pypi = {r[0] for r in query(cfg.db, "SELECT version FROM releases WHERE package = 'tinygrad'")}
    tags = {r[0] for r in query(cfg.db, "SELECT tag_name FROM github_releases")}
    expected = sorted((t, "tinygrad", t[1:]) for t in tags if t[1:] in pypi)
    assert linked == expected and linked  # e.g. v0.9.0 <-> 0.9.0


def test_status_shows_the_github_budget_and_its_reset(recorded, server):
    from jobs.status import source_status

    _, cfg = recorded
    run(cfg)
    spent = server.count() - server.count("/rate_limit")
    report = source_status(cfg, now=NOW + dt.timedelta(minutes=5))
    budget = [n for n in report.notes if n.startswith("GitHub API budget")]
    assert budget == [(
        "GitHub API budget as of 2026-11-28 12:00 UTC, without a token (GITHUB_TOKEN raises it): "
        f"core {60 - spent}/60 until 13:00 UTC; search 10/10 (reset at 12:01 UTC has passed)")]
    later = source_status(cfg, now=NOW + dt.timedelta(hours=2))
    assert any("core 60/60 (reset at 13:00 UTC has passed)" in n for n in later.notes)


def test_unreachable_github_fails_fast_with_exact_calls(tmp_path, server, clock):
    reg = write_registry(tmp_path / "r.toml", {f"f{i}": [f"o/r{i}"] for i in range(3)})
    cfg = github_settings(tmp_path, server, registry=reg, github_api_url="http://127.0.0.1:9",
                          http_retries=2)
    result = run(cfg).sources[0]
    assert result.status == "failed" and result.counts.items_failed == 7  # 3 repos x 2, the budget
    assert result.counts.requests == 3  # GET /rate_limit, retried twice: nothing else is tried
    assert len(clock.waits) == 2
    errors = dict(((s, k), e) for s, k, e in query(
        cfg.db, "SELECT stream, item_key, error FROM core.run_item_errors"))
    assert len(errors) == 7 and len(set(errors.values())) == 1  # one cause, said once in the run log
    assert errors["repos", "o/r0"].startswith("GitHub API unreachable, so no item was asked for: "
                                              "connection failed (ConnectError")
    [(summary,)] = query(cfg.db, "SELECT error FROM collector_runs WHERE source = 'github'")
    assert summary.count("GitHub API unreachable") == 1


def test_drafts_are_left_out(tmp_path, server, clock):
    github = FakeGitHub(server)
    repo = github.add_generated("o/r", 1, releases=3)
    repo.releases.insert(0, {**repo.releases[0], "id": 99, "tag_name": "v9.9.9", "draft": True})
    cfg = github_settings(tmp_path, server, registry=write_registry(tmp_path / "r.toml", {"f": ["o/r"]}))
    run(cfg)
    tags = [t for (t,) in query(cfg.db, "SELECT tag_name FROM github_releases")]
    assert len(tags) == 3 and "v9.9.9" not in tags
