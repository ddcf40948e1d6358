"""GitHub's HTTP behaviour through both clients (httpx GitHubHttp and PyGithub with GitHubRetry):
rate limits, retries and their exact call counts (patched sleep), 202 polling, 304, 301, Link pagination.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from github.GitRelease import GitRelease
from github.PaginatedList import PaginatedList

from collectors.github import attributes
from collectors.http import HttpError, RateLimited
from collectors.http_github import GitHubApi, RateBudget, StatsPending, describe_github_error, utc
from tests.support.clock import NOW
from tests.support.fakeserver import RESET, FakeServer, Response, status
from tests.support.github import FakeGitHub, load_replay, serve_exchange
from tests.support.github_repos import recorded_repo, serve_recorded_release_pages
from tests.support.settings import make_settings

REPO = "/repos/PyGithub/PyGithub"
SECONDARY = json.dumps({"message": "You have exceeded a secondary rate limit. Please wait a few "
                                   "minutes before you try again.",
                        "documentation_url": "https://docs.github.com/rest/overview/rate-limits"})


@pytest.fixture
def clock(clock):
    """The seconds waited on the frozen clock (tests/conftest.py's `clock`), in order."""
    return clock.waits


@pytest.fixture
def github(server):
    fake = FakeGitHub(server)
    fake.add(recorded_repo())
    return fake


def make_api(tmp_path, server, **overrides) -> GitHubApi:
    return GitHubApi(make_settings(tmp_path, server, **overrides))


def via_httpx(api: GitHubApi) -> dict:
    return api.http.get(REPO).json()


def via_pygithub(api: GitHubApi) -> dict:
    try:
        return api.gh.requester.requestJsonAndCheck("GET", REPO)[1]
    except Exception as exc:
        raise describe_github_error(exc, REPO) from None


CLIENTS = pytest.mark.parametrize("fetch", [via_httpx, via_pygithub], ids=["httpx", "pygithub"])


@CLIENTS
def test_429_with_retry_after_is_waited_out(tmp_path, server, github, clock, fetch):
    server.fail(REPO, status(429, "{}", Retry_After="7"))
    with make_api(tmp_path, server) as api:
        assert fetch(api)["full_name"] == "PyGithub/PyGithub"
        assert api.requests_sent == 2
    assert server.count(REPO) == 2 and clock == [7.0]


@CLIENTS
def test_recorded_secondary_limit_403_with_retry_after(tmp_path, server, github, clock, fetch):
    abuse = load_replay("SpecificExceptions.testAuthenticatedRateLimitExceeded")[1]
    assert abuse.status == 403 and abuse.headers["Retry-After"] == "60"
    server.fail(REPO, status(403, abuse.body, **abuse.served_headers()))
    with make_api(tmp_path, server) as api:
        assert fetch(api)["id"] == 3544490
    assert server.count(REPO) == 2 and clock == [60.0]


@CLIENTS
def test_secondary_limit_without_retry_after_backs_off_60s_bounded(tmp_path, server, github, clock,
                                                                   fetch):
    server.fail(REPO, *[status(403, SECONDARY)] * 5)
    with make_api(tmp_path, server, http_retries=2) as api, pytest.raises(HttpError) as info:
        fetch(api)
    assert server.count(REPO) == 3  # the first try and 2 retries, no more
    assert clock == [60.0, 60.0]
    assert "403" in str(info.value)


@CLIENTS
def test_primary_limit_within_max_wait_waits_for_the_reset(tmp_path, server, github, clock, fetch):
    reset = int(NOW.timestamp()) + 30
    server.fail(REPO, status(403, '{"message": "API rate limit exceeded for 1.2.3.4."}',
                             X_RateLimit_Remaining="0", X_RateLimit_Limit="60",
                             X_RateLimit_Reset=str(reset)))
    with make_api(tmp_path, server, github_max_wait=120) as api:
        assert fetch(api)["id"] == 3544490
    assert server.count(REPO) == 2 and clock == [31.0]


@CLIENTS
def test_primary_limit_beyond_max_wait_defers_without_waiting(tmp_path, server, github, clock, fetch):
    reset = int(NOW.timestamp()) + 1800
    server.fail(REPO, status(429, '{"message": "API rate limit exceeded"}', X_RateLimit_Remaining="0",
                             X_RateLimit_Reset=str(reset)))
    with make_api(tmp_path, server, github_max_wait=120) as api, pytest.raises(RateLimited) as info:
        fetch(api)
    assert server.count(REPO) == 1 and clock == []
    assert info.value.reset_at == dt.datetime.fromtimestamp(reset, dt.UTC)
    assert "resets at 2026-11-28 12:30 UTC" in str(info.value)
    assert "GITHUB_TOKEN raises the budget" in str(info.value)


@CLIENTS
def test_recorded_primary_limit_without_reset_header_defers(tmp_path, server, github, clock, fetch):
    spent = load_replay("SpecificExceptions.testRateLimitExceeded")[1]
    server.fail(REPO, status(spent.status, spent.body, **spent.served_headers()))
    with make_api(tmp_path, server) as api, pytest.raises(RateLimited, match="did not say"):
        fetch(api)
    assert server.count(REPO) == 1 and clock == []


@CLIENTS
@pytest.mark.parametrize("answer", [
    status(403, '{"message": "Repository access blocked"}'),
    status(404, load_replay("Exceptions.testUnknownObject")[1].body),
])
def test_plain_403_and_404_are_not_retried(tmp_path, server, github, clock, fetch, answer):
    server.fail(REPO, answer)
    with make_api(tmp_path, server) as api, pytest.raises(HttpError) as info:
        fetch(api)
    assert server.count(REPO) == 1 and clock == []
    assert info.value.status == answer.status


@CLIENTS
def test_recorded_500_then_200_retries_with_backoff(tmp_path, server, github, clock, fetch):
    failed = load_replay("Retry.testReturnsRepoAfter1Retry")[0]
    server.fail(REPO, status(failed.status, failed.body), RESET)
    with make_api(tmp_path, server, http_retries=3) as api:
        assert fetch(api)["id"] == 3544490
    assert server.count(REPO) == 3
    assert len(clock) == 2 and 0.8 <= clock[0] <= 1.2 and 1.6 <= clock[1] <= 2.4


@CLIENTS
def test_5xx_retries_are_bounded(tmp_path, server, github, clock, fetch):
    server.fail(REPO, *[status(502)] * 10)
    with make_api(tmp_path, server, http_retries=2) as api, pytest.raises(HttpError):
        fetch(api)
    assert server.count(REPO) == 3 and len(clock) == 2


def test_the_budget_stops_before_spending_what_is_not_there(tmp_path, server, github, clock):
    github.spend("core", remaining=1, reset_in=3600)
    with make_api(tmp_path, server, github_max_wait=60) as api:
        api.ensure_budget()
        api.http.get(REPO)
        with pytest.raises(RateLimited, match="core budget spent"):
            api.http.get(REPO)
    assert server.count(REPO) == 1 and server.count("/rate_limit") == 1 and clock == []


def test_the_budget_waits_for_a_reset_within_max_wait(tmp_path, server, github, clock):
    github.spend("search", remaining=0, reset_in=20)
    with make_api(tmp_path, server, github_max_wait=60) as api:
        api.ensure_budget()
        api.http.get("/search/issues", params={"q": "repo:PyGithub/PyGithub is:issue", "per_page": 1})
    assert clock == [21.0] and server.count("/search/issues") == 1


def test_stats_202_is_polled_then_answered(tmp_path, server, github, clock):
    recorded = load_replay("Repository.testStatisticsContributors")
    assert [e.status for e in recorded] == [202, 200]
    github.repos["pygithub/pygithub"].contributors = recorded[1].json()
    github.stats_pending["pygithub/pygithub"] = 2
    with make_api(tmp_path, server) as api:
        response = api.http.get_computed(f"{REPO}/stats/contributors")
    assert response.status_code == 200 and len(response.json()) == len(recorded[1].json())
    assert server.count(f"{REPO}/stats/contributors") == 3 and clock == [2.0, 4.0]


def test_stats_that_stay_202_are_deferred_never_zero(tmp_path, server, github, clock):
    github.stats_pending["pygithub/pygithub"] = 99
    with make_api(tmp_path, server) as api, pytest.raises(StatsPending, match="still computing"):
        api.http.get_computed(f"{REPO}/stats/contributors")
    assert server.count(f"{REPO}/stats/contributors") == 4 and clock == [2.0, 4.0, 8.0]


def test_recorded_conditional_request_answers_304(tmp_path, server, clock):
    first = load_replay("ConditionalRequestUpdate.setUp")[0]
    serve_exchange(server, first)
    etag = first.header("ETag")
    with make_api(tmp_path, server) as api:
        assert api.http.get(first.path).status_code == 200
        again = api.http.get(first.path, etag=etag)
    assert again.status_code == 304 and again.content == b""
    assert server.requests[-1].headers["If-None-Match"] == etag


def test_recorded_301_rename_is_followed_by_both_clients(tmp_path, server, clock):
    moved, target = load_replay("Repository.testGetRepositoryWith301Redirect")
    assert moved.status == 301
    serve_exchange(server, moved)
    serve_exchange(server, target)
    with make_api(tmp_path, server) as api:
        assert api.http.get(moved.path).json()["id"] == 112116543
        assert api.gh.get_repo("protoncoin/protoncoin").complete().full_name == "padima2/protoncoin"
    assert server.targets() == [moved.path, target.path] * 2


def test_recorded_release_pages_follow_link_headers_with_exact_urls(tmp_path, server, clock):
    serve_recorded_release_pages(server)
    with make_api(tmp_path, server) as api:
        releases = [attributes(r) for r in api.gh.get_repo("PyGithub/PyGithub")
                    .get_releases()]
        assert api.requests_sent == 3
    assert len(releases) == 30 and releases[0]["tag_name"] == "v1.55"
    assert server.targets() == ["/repos/PyGithub/PyGithub/releases?per_page=100",
                                "/repositories/3544490/releases?page=2&per_page=10",
                                "/repositories/3544490/releases?page=3&per_page=10"]


def test_pygithub_refuses_a_link_to_another_port(tmp_path, server, clock):
    """Why the fake server rewrites {base}: PyGithub checks that Link URLs name its own host:port."""
    first = load_replay("RequesterThrottleTestCase.testDeferRequests")[1]
    body = first.served_body()
    server.add("/repos/PyGithub/PyGithub/releases", body,
               headers={"Link": '<http://127.0.0.1:9/repositories/3544490/releases?page=2>; rel="next"'})
    with make_api(tmp_path, server) as api:
        _, data = api.gh.requester.requestJsonAndCheck("GET", "/repos/PyGithub/PyGithub/releases")
        listing = PaginatedList(GitRelease, api.gh.requester, firstData=data,
                                firstHeaders={"link": '<http://127.0.0.1:9/x?page=2>; rel="next"'})
        with pytest.raises(AssertionError):
            list(listing)


def test_token_is_sent_but_never_in_error_texts(tmp_path, server, github, clock, monkeypatch):
    token = "ghp_test0000000000000000000000000000secret"
    monkeypatch.setenv("GITHUB_TOKEN", token)
    github.token = token
    server.fail(REPO, *[status(500)] * 4)
    with make_api(tmp_path, server, http_retries=1) as api:
        with pytest.raises(HttpError) as info:
            api.http.get(REPO)
        with pytest.raises(HttpError) as info2:
            via_pygithub(api)
        assert api.authenticated
    assert token not in str(info.value) and token not in str(info2.value)
    assert server.requests[0].headers["Authorization"] == f"Bearer {token}"
    assert server.requests[-1].headers["Authorization"] == f"token {token}"


def test_graphql_needs_a_token_and_reports_errors(tmp_path, server, github, clock, monkeypatch):
    envelope = load_replay("GraphQl.testQuery")[0]
    assert envelope.json()["data"]["repository"]["url"] == "https://github.com/PyGithub/PyGithub"
    with make_api(tmp_path, server) as api, pytest.raises(HttpError, match="401"):
        api.http.graphql(api.graphql_url, "query { viewer { login } }")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    github.token = "t0ken"
    with make_api(tmp_path, server) as api:
        data, errors = api.http.graphql(
            api.graphql_url, 'query($o0: String!, $n0: String!) { rateLimit { cost } '
            'r0: repository(owner: $o0, name: $n0) { ...Repo } }', {"o0": "no", "n0": "such"})
    assert data["r0"] is None and errors[0]["type"] == "NOT_FOUND"


def test_graphql_url_for_github_and_enterprise():
    from collectors.http_github import graphql_url

    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.org/api/v3/") == "https://ghe.example.org/api/graphql"


# -- odd rate-limit headers: never an error of their own ------------------------------------------

RETRY_AFTER_30S = ["30", "Sat, 28 Nov 2026 12:00:30 GMT", "Saturday, 28-Nov-26 12:00:30 GMT",
                   "Sat Nov 28 12:00:30 2026", "Sat, 28 Nov 2026 12:00:30 -0000"]


@CLIENTS
@pytest.mark.parametrize("value", RETRY_AFTER_30S,
                         ids=["seconds", "IMF-fixdate", "RFC 850", "asctime", "-0000"])
def test_retry_after_in_every_http_date_form(tmp_path, server, github, clock, fetch, value):
    server.fail(REPO, status(503, "{}", Retry_After=value))
    with make_api(tmp_path, server) as api:
        assert fetch(api)["id"] == 3544490
    assert server.count(REPO) == 2 and clock == [30.0]


@CLIENTS
def test_retry_after_that_is_no_number_is_no_hint(tmp_path, server, github, clock, fetch):
    server.fail(REPO, status(503, "{}", Retry_After="²"))
    with make_api(tmp_path, server) as api:
        assert fetch(api)["id"] == 3544490
    assert server.count(REPO) == 2 and len(clock) == 1 and 0.8 <= clock[0] <= 1.2


@CLIENTS
@pytest.mark.parametrize("value", ["9" * 5000, "Fri, 31 Dec 9999 23:59:59 GMT"],
                         ids=["5000 digits", "year 9999"])
def test_an_absurd_retry_after_fails_the_request_not_the_run(tmp_path, server, github, clock,
                                                            fetch, value):
    server.fail(REPO, status(503, "{}", Retry_After=value))
    with make_api(tmp_path, server, http_max_retry_wait=60) as api, \
            pytest.raises(HttpError) as info:
        fetch(api)
    assert "exceeds the 60 s limit" in str(info.value) and clock == []


@CLIENTS
@pytest.mark.parametrize("reset", ["9" * 30, "9" * 5000, "²", "1e400"])
def test_an_absurd_rate_limit_reset_defers_without_overflow(tmp_path, server, github, clock, fetch,
                                                            reset):
    server.fail(REPO, status(403, '{"message": "API rate limit exceeded for 1.2.3.4."}',
                             X_RateLimit_Remaining="0", X_RateLimit_Limit="60",
                             X_RateLimit_Reset=reset))
    with make_api(tmp_path, server) as api, pytest.raises(RateLimited) as info:
        fetch(api)
    assert info.value.reset_at is None or info.value.reset_at <= NOW + dt.timedelta(days=367)
    assert clock == []


def test_budget_ignores_rate_limit_headers_that_are_no_numbers():
    budget = RateBudget(60)
    budget.observe({"X-RateLimit-Limit": "٥٠٠٠", "X-RateLimit-Remaining": "²",
                    "X-RateLimit-Reset": "9" * 5000})
    assert budget.buckets == {}
    budget.observe({"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999.0",
                    "X-RateLimit-Reset": "9" * 5000})
    assert budget.buckets["core"].remaining == 4999
    assert utc(budget.buckets["core"].reset).year < 9999


def test_pygithub_never_follows_a_link_to_another_host(tmp_path, server, github, monkeypatch):
    """PyGithub refuses a Link URL on a host outside GitHub's domain (the item fails): the token
    never leaves."""
    token = github.token = "ghp_TopSecretToken0123456789abcdefABCDEF"
    monkeypatch.setenv("GITHUB_TOKEN", token)
    tag = {"name": "v1", "commit": {"sha": "a" * 40, "url": "{base}/c"}, "zipball_url": "",
           "tarball_url": "", "node_id": "x"}
    with FakeServer() as foreign:
        def tags(request):
            page = 2 if "page=2" in request.query else 1
            link = {"Link": f'<{foreign.url}{REPO}/tags?page=2>; rel="next"'} if page == 1 else {}
            return Response(200, json.dumps([{**tag, "name": f"v{page}"}]).encode(),
                            {"Content-Type": "application/json", **link})

        server.handle(f"{REPO}/tags", tags)
        names = []
        with make_api(tmp_path, server) as api, pytest.raises(AssertionError):
            names.extend(t.name for t in api.gh.get_repo("PyGithub/PyGithub").get_tags())
    assert names == ["v1"] and foreign.requests == []
    sent = [r.headers.get("Authorization", "") for r in server.requests if r.path.endswith("/tags")]
    assert len(sent) == 1 and sent[0].endswith(token)
