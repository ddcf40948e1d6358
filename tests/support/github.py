"""A fake GitHub for the tests and perf/: the real PyGithub recordings plus an in-memory GitHub.

`load_replay` reads PyGithub's replay files (tests/fixtures/github_rest, LGPL-3.0, see the README
there); headers are Python literals, parsed with `ast.literal_eval`, never `eval`.
`FakeGitHub` turns a `tests.support.fakeserver.FakeServer` into GitHub as it behaves: rate-limit buckets
per token or address (core 60/h, search 10/min, no GraphQL without a token; 5,000/h, 30/min and
5,000/h with one) announced in `X-RateLimit-*` headers and refused with GitHub's 403 when spent,
304s that cost nothing with a token, Link pagination in GitHub's `/repositories/{id}/...` form with
the server's own host:port, 301 for renamed repos, 202-then-200 for /stats, search counts, the
issue listing, /stargazers/history and GraphQL. Repos are either recorded or generated.
"""

from __future__ import annotations

import ast
import bisect
import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.support.fakeserver import FIXTURES, FakeServer, Request, Response
from tests.support.settings import make_settings

GITHUB_FIXTURES = FIXTURES / "github_rest"
API = "https://api.github.com"
_DROP = {"content-length", "content-encoding", "transfer-encoding", "status", "connection", "date",
         "server", "x-github-request-id", "x-runtime-rack"}
WINDOWS = {"core": 3600, "search": 60, "graphql": 3600}
ANONYMOUS = {"core": 60, "search": 10, "graphql": 0}
TOKEN = {"core": 5000, "search": 30, "graphql": 5000}


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its answer (PyGithub's 10-line replay format)."""

    method: str
    path: str
    request_headers: dict[str, str]
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """A response header, whatever the case of the recording's era."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def served_headers(self) -> dict[str, str]:
        """Headers as the fake server sends them: API URLs point at the server itself."""
        return {k: v.replace(API, "{base}") for k, v in self.headers.items() if k.lower() not in _DROP}

    def served_body(self) -> str:
        return self.body.replace(API, "{base}")


@cache
def load_replay(name: str) -> tuple[Exchange, ...]:
    """The exchanges of one replay file (tests/fixtures/github_rest/<name>.txt)."""
    lines = (GITHUB_FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    out, i = [], 0
    while i + 10 <= len(lines):
        if not lines[i].strip():
            i += 1
            continue
        chunk = lines[i:i + 10]
        headers = ast.literal_eval(chunk[8])
        out.append(Exchange(chunk[1], chunk[4], ast.literal_eval(chunk[5]), int(chunk[7]),
                            {k: str(v) for k, v in headers}, chunk[9]))
        i += 11
    return tuple(out)


def serve_exchange(server: FakeServer, ex: Exchange, target: str | None = None,
                   drop_link: bool = False) -> None:
    """Serve one recorded answer at `target` (default: its recorded path and query)."""
    headers = ex.served_headers()
    if drop_link:
        headers = {k: v for k, v in headers.items() if k.lower() != "link"}
    etag = next((v for k, v in headers.items() if k.lower() == "etag"), False)
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/json")
    server.add(target or ex.path, ex.served_body(), status=ex.status, headers=headers,
               etag=etag, content_type=ctype)


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None,
          etag: bool = True) -> Response:
    data = json.dumps(body).encode()
    tag = 'W/"' + hashlib.sha1(data).hexdigest()[:20] + '"' if etag and status == 200 else None
    return Response(status, data, {"Content-Type": "application/json; charset=utf-8",
                                   **(headers or {})}, tag)


@dataclass
class FakeRepo:
    """One repository of the fake GitHub."""

    doc: dict[str, Any]
    releases: list[dict[str, Any]] = field(default_factory=list)  # newest first
    tags: list[dict[str, Any]] = field(default_factory=list)
    commit_dates: dict[str, str] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    star_weeks: list[dict[str, Any]] = field(default_factory=list)  # newest first
    contributors: list[dict[str, Any]] | None = None
    commit_count: int = 0  # commits listed by /commits (generated page by page, never stored)
    _index: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> int:
        return self.doc["id"]

    @property
    def full_name(self) -> str:
        return self.doc["full_name"]

    def by_updated(self) -> tuple[list[str], list[dict[str, Any]]]:
        if "updated" not in self._index:
            ordered = sorted(self.issues, key=lambda i: (i["updated_at"], i["number"]))
            self._index["updated"] = ([i["updated_at"] for i in ordered], ordered)
        return self._index["updated"]

    def day_counts(self) -> dict[str, Counter]:
        """(issue|pr, created|closed|merged) -> Counter of days, for search counts."""
        if "days" not in self._index:
            days: dict[str, Counter] = {}
            for issue in self.issues:
                kind = "pr" if issue.get("pull_request") else "issue"
                stamps = {"created": issue["created_at"], "closed": issue.get("closed_at"),
                          "merged": (issue.get("pull_request") or {}).get("merged_at")}
                for what, stamp in stamps.items():
                    if stamp:
                        days.setdefault(f"{kind}:{what}", Counter())[stamp[:10]] += 1
            self._index["days"] = days
        return self._index["days"]


class FakeGitHub:
    """GitHub's REST, search and GraphQL APIs on a FakeServer (see the module docstring)."""

    def __init__(self, server: FakeServer, token: str | None = None,
                 limits: dict[str, int] | None = None, token_limits: dict[str, int] | None = None):
        self.server, self.token = server, token
        self.limits = {False: {**ANONYMOUS, **(limits or {})}, True: {**TOKEN, **(token_limits or {})}}
        self.buckets: dict[tuple[bool, str], list[float]] = {}
        self.repos: dict[str, FakeRepo] = {}
        self.by_id: dict[int, FakeRepo] = {}
        self.moved: dict[str, FakeRepo] = {}
        self.stats_pending: dict[str, int] = {}
        self.graphql_costs: list[int] = []
        self._lock = threading.Lock()
        server.gates.append(self._gate)
        server.fallbacks.append(self._route)
        server.decorators.append(self._rate_headers)

    # repos ------------------------------------------------------------------------------------
    def add(self, repo: FakeRepo) -> FakeRepo:
        self.repos[repo.full_name.lower()] = repo
        self.by_id[repo.id] = repo
        return repo

    def rename(self, old: str, new: str) -> None:
        """The repo now lives at `new`; `old` answers 301 like GitHub after a rename."""
        repo = self.repos.pop(old.lower())
        owner, name = new.split("/")
        repo.doc.update(full_name=new, name=name)
        repo.doc["owner"]["login"] = owner
        self.repos[new.lower()] = repo
        self.moved[old.lower()] = repo

    def add_generated(self, full_name: str, repo_id: int, **kw: Any) -> FakeRepo:
        from tests.support.github_repos import generated_repo

        return self.add(generated_repo(full_name, repo_id, **kw))

    # rate limits ------------------------------------------------------------------------------
    def authenticated(self, req: Request) -> bool | None:
        """True with the right token, False without one, None with a wrong one."""
        value = req.headers.get("Authorization")
        if not value:
            return False
        return bool(self.token) and value.split()[-1] == self.token or None

    def bucket(self, auth: bool, resource: str) -> list[float]:
        """[remaining, reset epoch]; refilled when its window has passed."""
        now = time.time()
        b = self.buckets.get((auth, resource))
        if b is None or b[1] <= now:
            b = [self.limits[auth][resource], math.floor(now) + WINDOWS[resource]]
            self.buckets[(auth, resource)] = b
        return b

    def spend(self, resource: str, remaining: int, auth: bool = False, reset_in: float = 3600) -> None:
        """Set a bucket (as if other clients had spent it)."""
        self.buckets[(auth, resource)] = [remaining, math.floor(time.time()) + reset_in]

    def _resource(self, req: Request) -> str | None:
        """The bucket a request spends; None for /rate_limit and for paths that are not GitHub's
        (the same server may serve PyPI too)."""
        if req.path == "/rate_limit" or not req.path.startswith(
                ("/repos/", "/repositories/", "/search/", "/graphql")):
            return None
        if req.path.startswith("/search/"):
            return "search"
        return "graphql" if req.path == "/graphql" else "core"

    def _gate(self, req: Request) -> Response | None:
        if self._resource(req) is None and req.path != "/rate_limit":
            return None
        auth = self.authenticated(req)
        if auth is None:
            return _json({"message": "Bad credentials"}, 401)
        resource = self._resource(req)
        if resource == "graphql" and not auth:
            return _json({"message": "This endpoint requires you to be authenticated."}, 401)
        if resource is None:
            return None
        with self._lock:
            remaining, reset = self.bucket(auth, resource)
        if remaining > 0:
            return None
        return _json({"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                      "Authenticated requests get a higher rate limit.)"}, 403,
                     {"X-Spent": "1"})

    def _rate_headers(self, req: Request, response: Response) -> Response:
        resource, auth = self._resource(req), self.authenticated(req)
        if resource is None or auth is None:
            return response
        with self._lock:
            b = self.bucket(auth, resource)
            free = response.status == 304 and auth  # conditional hits are free with a token
            if not free and "X-Spent" not in response.headers and b[0] > 0:
                b[0] -= 1
            limit = self.limits[auth][resource]
            headers = {**response.headers, "X-RateLimit-Limit": str(limit),
                       "X-RateLimit-Remaining": str(int(b[0])), "X-RateLimit-Used": str(limit - int(b[0])),
                       "X-RateLimit-Reset": str(int(b[1])), "X-RateLimit-Resource": resource}
        headers.pop("X-Spent", None)
        return replace(response, headers=headers)

    # routing ----------------------------------------------------------------------------------
    def _route(self, req: Request) -> Response | None:
        q = {k: v[-1] for k, v in parse_qs(req.query).items()}
        if req.path == "/rate_limit":
            return self._rate_limit(req)
        if req.path == "/search/issues":
            return self._search(q)
        if req.path == "/graphql" and req.method == "POST":
            return self._graphql(req)
        m = re.match(r"^/(?:repos/(?P<full>[^/]+/[^/]+)|repositories/(?P<id>\d+))(?P<rest>/.*)?$", req.path)
        if not m:
            return None
        if m.group("full") and m.group("full").lower() in self.moved:
            repo = self.moved[m.group("full").lower()]
            where = f"{{base}}/repositories/{repo.id}{m.group('rest') or ''}"
            return _json({"message": "Moved Permanently", "url": where}, 301,
                         {"Location": where.replace("{base}", self.server.url)}, etag=False)
        repo = (self.repos.get(m.group("full").lower()) if m.group("full")
                else self.by_id.get(int(m.group("id"))))
        if repo is None:
            return _json({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404)
        return self._repo_route(req, repo, (m.group("rest") or "").strip("/"), q)

    def _repo_route(self, req: Request, repo: FakeRepo, rest: str, q: dict[str, str]) -> Response | None:
        if rest == "":
            return _json(repo.doc)
        if rest == "releases":
            return self._page(repo, "releases", repo.releases, q)
        if rest == "tags":
            return self._page(repo, "tags", repo.tags, q)
        if rest == "pulls":
            state = q.get("state", "open")
            pulls = [{**i, "merged_at": i["pull_request"].get("merged_at"), "pull_request": None}
                     for i in repo.issues if i.get("pull_request") and state in ("all", i["state"])]
            return self._page(repo, "pulls", pulls, q)
        if rest == "issues":
            return self._page(repo, "issues", self._issues(repo, q), q)
        if rest.startswith("releases/"):
            wanted = rest.split("/", 1)[1]
            found = [r for r in repo.releases if str(r["id"]) == wanted]
            return _json(found[0]) if found else None
        if rest == "commits":
            return self._commit_page(repo, q)
        if rest.startswith("commits/"):
            sha = rest.split("/", 1)[1]
            if sha not in repo.commit_dates:
                return _json({"message": "No commit found for SHA: " + sha}, 422)
            date = repo.commit_dates[sha]
            return _json({"sha": sha, "commit": {"author": {"date": date}, "committer": {"date": date},
                                                 "message": "tag"}})
        if rest == "stats/contributors":
            return self._stats(repo)
        if rest == "stargazers/history":
            return self._page(repo, "stargazers/history", repo.star_weeks, q, default=30, most=30)
        return None

    def _page(self, repo: FakeRepo, what: str, items: list, q: dict[str, str], default: int = 30,
              most: int = 100) -> Response:
        per = min(int(q.get("per_page", default)), most)
        page = int(q.get("page", 1))
        last = max(1, math.ceil(len(items) / per))
        rest = {k: v for k, v in q.items() if k not in ("page", "per_page")}

        def url(n: int) -> str:
            query = urlencode({**rest, "per_page": per, "page": n})
            return f"<{{base}}/repositories/{repo.id}/{what}?{query}>"

        links = []
        if page < last:
            links += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
        if page > 1:
            links += [f'{url(page - 1)}; rel="prev"', f'{url(1)}; rel="first"']
        headers = {"Link": ", ".join(links)} if links else {}
        return _json(items[(page - 1) * per: page * per], headers=headers)

    def _commit_page(self, repo: FakeRepo, q: dict[str, str]) -> Response:
        """/commits without storing them: page n of `commit_count` generated commits."""
        per, page = min(int(q.get("per_page", 30)), 100), int(q.get("page", 1))
        first = (page - 1) * per
        shas = [hashlib.sha1(f"{repo.id}:{n}".encode()).hexdigest()
                for n in range(first, min(first + per, repo.commit_count))]
        items = [{"sha": sha, "commit": {"author": {"email": f"dev{int(sha[:4], 16) % 2000}@example.org",
                                                   "date": "2026-01-01T00:00:00Z"}}} for sha in shas]
        fake = [None] * repo.commit_count  # only its length matters to _page's links
        response = self._page(repo, "commits", fake, q)
        return replace(response, body=json.dumps(items).encode())

    def _issues(self, repo: FakeRepo, q: dict[str, str]) -> list[dict[str, Any]]:
        stamps, ordered = repo.by_updated()
        start = bisect.bisect_left(stamps, q["since"]) if q.get("since") else 0
        chosen = ordered[start:]
        if q.get("state", "open") != "all":
            chosen = [i for i in chosen if i["state"] == q.get("state", "open")]
        if q.get("sort", "created") == "created":
            chosen = sorted(chosen, key=lambda i: i["created_at"])
        return chosen if q.get("direction", "desc") == "asc" else chosen[::-1]

    def _stats(self, repo: FakeRepo) -> Response:
        key = repo.full_name.lower()
        if self.stats_pending.get(key, 0) > 0:
            self.stats_pending[key] -= 1
            return Response(202, b"{}", {"Content-Type": "application/json; charset=utf-8"})
        return _json(repo.contributors or [])

    def _rate_limit(self, req: Request) -> Response:
        auth = bool(self.authenticated(req))
        resources = {}
        with self._lock:
            for name in WINDOWS:
                remaining, reset = self.bucket(auth, name)
                limit = self.limits[auth][name]
                resources[name] = {"limit": limit, "used": limit - int(remaining),
                                   "remaining": int(remaining), "reset": int(reset)}
        return _json({"resources": resources, "rate": resources["core"]}, etag=False)

    def _search(self, q: dict[str, str]) -> Response:
        query = q.get("q", "")
        repo = self.repos.get((re.search(r"repo:(\S+)", query) or [None, ""])[1].lower())
        kind = "pr" if "is:pr" in query else "issue"
        m = re.search(r"(created|closed|merged):(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)", query)
        total = 0
        if repo and m:
            days = repo.day_counts().get(f"{kind}:{m.group(1)}", Counter())
            start, end = dt.date.fromisoformat(m.group(2)), dt.date.fromisoformat(m.group(3))
            total = sum(days.get((start + dt.timedelta(d)).isoformat(), 0)
                        for d in range((end - start).days + 1))
        headers = {"Link": '<https://github.blog/changelog/2025-03-06-github-issues-projects-api-support-'
                           'for-issues-advanced-search-and-more/>; rel="deprecation"; type="text/html"'}
        return _json({"total_count": total, "incomplete_results": False, "items": []}, headers=headers,
                     etag=False)

    def _graphql(self, req: Request) -> Response:
        body = json.loads(req.body)
        query, variables = body["query"], body.get("variables") or {}
        with self._lock:
            remaining, reset = self.bucket(True, "graphql")
        rate = {"cost": 1, "remaining": int(remaining) - 1, "limit": self.limits[True]["graphql"],
                "used": self.limits[True]["graphql"] - int(remaining) + 1,
                "resetAt": iso(dt.datetime.fromtimestamp(reset, dt.UTC))}
        self.graphql_costs.append(1)
        if "refs(refPrefix" in query:
            return _json({"data": {"rateLimit": rate, "repository": self._graphql_refs(variables)}},
                         etag=False)
        data, errors = {"rateLimit": rate}, []
        for alias, owner, name in re.findall(r"(r\d+): repository\(owner: \$(o\d+), name: \$(n\d+)\)", query):
            full = f"{variables[owner]}/{variables[name]}"
            repo = self.repos.get(full.lower()) or self.moved.get(full.lower())
            data[alias] = graphql_node(repo) if repo else None
            if repo is None:
                errors.append({"type": "NOT_FOUND", "path": [alias], "locations": [],
                               "message": f"Could not resolve to a Repository with the name '{full}'."})
        return _json({"data": data, **({"errors": errors} if errors else {})}, etag=False)

    def _graphql_refs(self, variables: dict[str, Any]) -> dict[str, Any] | None:
        repo = self.repos.get(f"{variables['owner']}/{variables['name']}".lower())
        if repo is None:
            return None
        start = int(variables.get("after") or 0)
        chunk = repo.tags[start:start + 100]
        nodes = [{"name": t["name"], "target": {"__typename": "Commit", "oid": t["commit"]["sha"],
                                                 "committedDate": repo.commit_dates[t["commit"]["sha"]]}}
                 for t in chunk]
        more = start + 100 < len(repo.tags)
        return {"refs": {"pageInfo": {"hasNextPage": more, "endCursor": str(start + 100) if more else None},
                         "nodes": nodes}}


def graphql_node(repo: FakeRepo) -> dict[str, Any]:
    """The GraphQL Repository node collectors.github asks for, from the repo's REST document."""
    d = repo.doc
    open_prs = sum(1 for i in repo.issues if i.get("pull_request") and i["state"] == "open")
    open_total = d.get("open_issues_count", 0)
    return {"databaseId": d["id"], "nameWithOwner": d["full_name"], "createdAt": d["created_at"],
            "pushedAt": d["pushed_at"], "isArchived": d["archived"], "isDisabled": d["disabled"],
            "diskUsage": d["size"], "stargazerCount": d["stargazers_count"], "forkCount": d["forks_count"],
            "watchers": {"totalCount": d["subscribers_count"]},
            "openIssues": {"totalCount": max(open_total - open_prs, 0)},
            "openPullRequests": {"totalCount": open_prs},
            "defaultBranchRef": {"name": d["default_branch"]},
            "licenseInfo": {"spdxId": (d.get("license") or {}).get("spdx_id"),
                            "name": (d.get("license") or {}).get("name")},
            "repositoryTopics": {"nodes": [{"topic": {"name": t}} for t in d.get("topics") or []]}}


def write_registry(path: Path, frameworks: dict[str, list[str]]) -> Path:
    """A registry with one framework per entry, listing only GitHub repos."""
    text = "".join(f'[frameworks.{fid}]\nname = "{fid.title()}"\ngithub = {json.dumps(repos)}\n\n'
                   for fid, repos in frameworks.items())
    path.write_text(text)
    return path


def github_settings(tmp_path: Path, server: FakeServer, **overrides: Any):
    """Settings for a GitHub-only registry served by `server` (see tests.support.settings)."""
    return make_settings(tmp_path, server, **overrides)
