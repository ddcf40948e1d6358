"""GitHub sources: API calls against a naive PyGithub walk, and the git route at pytorch's size.

Part 1 serves the default registry's repos from the fake GitHub (tests/support/github.py), sized
like the real ones (approximate counts, `--scale` shrinks issues and commits), and counts the HTTP
requests the server receives for
  - dltrends: a first full collect (`github` + `github-history`; commits and authors come from git
    clones, which cost no API call) and a daily refresh the next day, with a token and without one
    (the fake's budget is lifted so every request is counted, not deferred);
  - a naive PyGithub walk of the same data: default per_page=30, every list walked, one call per
    object where PyGithub completes it (each release, each tag's commit), run again for the refresh.
Part 2 generates a repository with 100,000 commits by 2,000 authors (git fast-import) and times
the git route: the blobless bare clone, reading the log into monthly authors, an incremental
update, and the clone's size on disk.

Usage: .venv/bin/python perf/collect_github.py [--scale 0.2] [--commits 100000] [--authors 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import collectors.http  # noqa: E402
from collectors import gitlog  # noqa: E402
from dltrends.registry import load_registry  # noqa: E402
from dltrends.settings import default_registry_path, load_settings  # noqa: E402
from jobs.collect.run import collect  # noqa: E402
from tests.support.fakeserver import FakeServer  # noqa: E402
from tests.support.github import FakeGitHub, iso  # noqa: E402
from tests.support.github_repos import generated_repo  # noqa: E402

TOKEN = "perf-token"
# repo: (created, releases, tags if it publishes no releases, issues+PRs, stars, commits); late 2026
SIZES = {
    "tensorflow/tensorflow": ("2015-11-07", 250, 0, 100_000, 190_000, 190_000),
    "pytorch/pytorch": ("2016-08-13", 90, 0, 160_000, 92_000, 100_000),
    "apache/mxnet": ("2015-04-30", 60, 0, 21_000, 20_800, 12_000),
    "jax-ml/jax": ("2018-10-25", 170, 0, 30_000, 33_000, 30_000),
    "keras-team/keras": ("2015-03-28", 100, 0, 20_500, 63_000, 12_000),
    "PaddlePaddle/Paddle": ("2016-08-15", 70, 0, 70_000, 23_000, 60_000),
    "mindspore-ai/mindspore": ("2020-03-26", 60, 0, 500, 4_500, 90_000),
    "microsoft/onnxruntime": ("2018-11-10", 90, 0, 25_000, 17_000, 13_000),
    "microsoft/CNTK": ("2015-11-13", 30, 0, 3_900, 17_500, 16_000),
    "Theano/Theano": ("2011-01-05", 0, 40, 6_800, 9_900, 28_000),
    "pymc-devs/pytensor": ("2020-10-29", 100, 0, 1_300, 500, 16_000),
    "chainer/chainer": ("2015-06-05", 90, 0, 8_800, 5_900, 28_000),
    "BVLC/caffe": ("2013-09-12", 0, 16, 7_100, 34_000, 4_200),
    "google-ai-edge/LiteRT": ("2024-05-20", 15, 0, 1_600, 900, 20_000),
    "ml-explore/mlx": ("2023-11-28", 110, 0, 2_900, 22_000, 1_600),
    "tinygrad/tinygrad": ("2020-10-18", 40, 0, 10_000, 30_000, 10_000),
}


def build_github(server: FakeServer, scale: float, now: dt.datetime) -> FakeGitHub:
    github = FakeGitHub(server, token=TOKEN, limits={"core": 10**7, "search": 10**7},
                        token_limits={"core": 10**7, "search": 10**7, "graphql": 10**7})
    for n, (name, (created, releases, tags, issues, stars, commits)) in enumerate(SIZES.items()):
        repo = generated_repo(name, 1000 + n, created=f"{created}T00:00:00Z", now=now, stars=stars,
                              releases=releases, tags=tags, issues=int(issues * scale),
                              star_history=True)
        repo.commit_count = int(commits * scale)
        github.add(repo)
    return github


def a_day_passes(github: FakeGitHub, now: dt.datetime) -> None:
    """A day of activity: new and closed issues, stars, pushes, a release in three repos."""
    for n, repo in enumerate(github.repos.values()):
        fresh = max(1, len(repo.issues) // 3000)
        for k in range(fresh):
            number = len(repo.issues) + 1
            repo.issues.append({"number": number, "state": "open", "created_at": iso(now),
                                "updated_at": iso(now), "closed_at": None, "title": f"new {k}"})
        repo._index.clear()
        repo.doc["stargazers_count"] += 25
        repo.doc["pushed_at"] = iso(now)
        if repo.star_weeks:
            repo.star_weeks[0]["days"][-1] += 25
            repo.star_weeks[0]["total"] += 25
        if n < 3 and repo.releases:
            repo.releases.insert(0, {**repo.releases[0], "id": repo.releases[0]["id"] + 1,
                                     "tag_name": "v99.0.0", "published_at": iso(now)})


def git_remotes(folder: Path) -> str:
    """A tiny bare repository per registry repo, so the git route answers without any API call."""
    for name in SIZES:
        bare = folder / f"{name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        fast_import(bare, commits=3, authors=2)
    return f"file://{folder}"


def dltrends_calls(scale: float, token: bool) -> tuple[int, int, float, float]:
    """(requests of the first collect, of the next day's refresh, seconds each)."""
    with tempfile.TemporaryDirectory() as tmp, FakeServer() as server, \
            time_machine.travel(dt.datetime(2026, 11, 28, 6, tzinfo=dt.UTC)) as clock:
        github = build_github(server, scale, dt.datetime.now(dt.UTC))
        if token:
            os.environ["GITHUB_TOKEN"] = TOKEN
        else:
            os.environ.pop("GITHUB_TOKEN", None)
        settings = load_settings(db=Path(tmp) / "dl.duckdb", registry=default_registry_path(),
                                 github_api_url=server.url, github_git_url=git_remotes(Path(tmp) / "remotes"),
                                 github_history_minutes=0.0, github_max_wait=120.0)
        registry = load_registry(settings.registry)
        started = time.perf_counter()
        collect(settings, registry, ["github", "github-history"])
        first, first_s = len(server.requests), time.perf_counter() - started
        clock.shift(dt.timedelta(days=1))
        a_day_passes(github, dt.datetime.now(dt.UTC))
        server.reset_log()
        started = time.perf_counter()
        result = collect(settings, registry, ["github", "github-history"])
        assert all(s.status == "ok" for s in result.sources), [s.summary() for s in result.sources]
        os.environ.pop("GITHUB_TOKEN", None)
        return first, len(server.requests), first_s, time.perf_counter() - started


def naive_walk(url: str) -> None:
    """What a straightforward PyGithub script does for the same numbers (default per_page=30)."""
    from github import Auth, Github

    gh = Github(auth=Auth.Token(TOKEN), base_url=url, seconds_between_requests=None, retry=None)
    for name in SIZES:
        repo = gh.get_repo(name)
        _ = repo.stargazers_count, repo.forks_count, repo.subscribers_count
        _ = sum(1 for _ in repo.get_pulls(state="open"))
        for release in repo.get_releases():
            _ = release.raw_data  # completes each release: one call per release
        if not repo.get_releases().totalCount:
            for tag in repo.get_tags():
                _ = tag.commit.commit.committer.date  # one call per tag
        for issue in repo.get_issues(state="all"):
            _ = issue.created_at, issue.closed_at
        for pull in repo.get_pulls(state="all"):
            _ = pull.merged_at
        for commit in repo.get_commits():
            _ = commit.commit.author.email
        page = 1
        while True:  # star history: 30 weeks a page, no PyGithub method
            headers, weeks = gh.requester.requestJsonAndCheck(
                "GET", f"/repos/{name}/stargazers/history", parameters={"page": page})
            if 'rel="next"' not in headers.get("link", ""):
                break
            page += 1


def naive_calls(scale: float) -> tuple[int, int, float, float]:
    with FakeServer() as server, time_machine.travel(dt.datetime(2026, 11, 28, 6, tzinfo=dt.UTC)) as clock:
        github = build_github(server, scale, dt.datetime.now(dt.UTC))
        started = time.perf_counter()
        naive_walk(server.url)
        first, first_s = len(server.requests), time.perf_counter() - started
        clock.shift(dt.timedelta(days=1))
        a_day_passes(github, dt.datetime.now(dt.UTC))
        server.reset_log()
        started = time.perf_counter()
        naive_walk(server.url)
        return first, len(server.requests), first_s, time.perf_counter() - started


# part 2: the git route -------------------------------------------------------------------------
def fast_import(bare: Path, commits: int, authors: int, start: int = 0, parent: str | None = None) -> None:
    """Append `commits` commits by `authors` authors to a bare repo with git fast-import."""
    if not (bare / "HEAD").exists():
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
        subprocess.run(["git", "-C", str(bare), "config", "uploadpack.allowFilter", "true"], check=True)
    epoch0 = int(dt.datetime(2016, 8, 13, tzinfo=dt.UTC).timestamp())
    span = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()) - epoch0
    total = start + commits
    lines = []
    for i in range(start, total):
        who = f"dev{(i * 7919) % authors}"
        when = epoch0 + span * i // max(total, 1)
        body = f"change {i}\n".encode()
        lines.append(f"commit refs/heads/main\nmark :{i + 1 - start}\n"
                     f"author {who} <{who}@example.org> {when} +0000\n"
                     f"committer {who} <{who}@example.org> {when} +0000\ndata 9\ncommit {i % 10}\n")
        if i == start and parent:
            lines.append(f"from {parent}\n")
        lines.append(f"M 644 inline f{i % 64}.txt\ndata {len(body)}\n{body.decode()}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=bare, input="".join(lines).encode(),
                   check=True)


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def git_route(commits: int, authors: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "remote" / "big" / "repo.git"
        source.parent.mkdir(parents=True)
        started = time.perf_counter()
        fast_import(source, commits, authors)
        generated = time.perf_counter() - started
        clone = gitlog.Clone.of(f"file://{Path(tmp) / 'remote'}", Path(tmp) / "clones", "big/repo")
        started = time.perf_counter()
        head = clone.update()
        cloned = time.perf_counter() - started
        started = time.perf_counter()
        head, payload = gitlog.history(clone, None)
        read = time.perf_counter() - started
        months = payload["months"]
        active = {a for m in months.values() for a in m}
        fast_import(source, 100, authors, start=commits, parent=head)
        started = time.perf_counter()
        _, incremental = gitlog.history(clone, head)
        update = time.perf_counter() - started
        return {"generate_s": generated, "clone_s": cloned, "read_s": read, "update_s": update,
                "clone_mb": folder_bytes(clone.path) / 1e6, "source_mb": folder_bytes(source) / 1e6,
                "months": len(months), "authors": len(active),
                "commits": sum(sum(a.values()) for a in months.values()),
                "incremental_months": len(incremental["months"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.2,
                        help="fraction of the real issue and commit counts to serve (default 0.2)")
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--authors", type=int, default=2_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    collectors.http._sleep = lambda seconds: None  # the fake's budget is lifted; nothing to wait for
    issues = sum(int(s[3] * args.scale) for s in SIZES.values())
    print(f"GitHub API calls for the {len(SIZES)} repos of the default registry "
          f"({issues:,} issues and PRs, scale {args.scale}), fake server:")
    naive = naive_calls(args.scale)
    rows = [("naive PyGithub walk (per_page=30)", naive),
            ("dltrends with a token", dltrends_calls(args.scale, token=True)),
            ("dltrends without a token", dltrends_calls(args.scale, token=False))]
    print(f"  {'':34} {'first collect':>14} {'daily refresh':>14} {'fewer calls than naive':>23}")
    for label, (first, daily, first_s, daily_s) in rows:
        ratios = "" if label.startswith("naive") else \
            f"{naive[0] / first:>6.1f}x, {naive[1] / daily:>5.0f}x"
        print(f"  {label:34} {first:>14,} {daily:>14,} {ratios:>23}"
              f"   ({first_s:.0f} s + {daily_s:.1f} s)")
    print("  (every HTTP request the server received, GET /rate_limit included; git clones excluded)")
    print(f"\ngit route on a generated repository ({args.commits:,} commits, {args.authors:,} authors):")
    g = git_route(args.commits, args.authors)
    print(f"  generate (git fast-import): {g['generate_s']:.1f} s; source repo {g['source_mb']:.1f} MB")
    print(f"  blobless bare clone: {g['clone_s']:.1f} s, {g['clone_mb']:.1f} MB on disk")
    print(f"  read the log into monthly authors: {g['read_s']:.1f} s "
          f"({g['commits']:,} commits, {g['authors']:,} authors, {g['months']} months)")
    print(f"  incremental update after 100 new commits: {g['update_s']:.1f} s "
          f"({g['incremental_months']} month(s) resent)")
    shutil.rmtree(ROOT / "perf" / "out", ignore_errors=True)


if __name__ == "__main__":
    main()
