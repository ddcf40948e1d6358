"""The signal sources in the collect job and the CLI: defaults, skipping, unreachable hosts."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
import time_machine
from typer.testing import CliRunner

from dltrends.registry import load_registry
from jobs.cli import app
from jobs.collect.run import collect
from jobs.collect.sources import DEFAULT_SOURCES, SOURCES
from tests.support.db import query
from tests.support.pypi import serve_pypi
from tests.support.settings import TEST_REGISTRY
from tests.support.signals import DAY1, serve_hf, signal_settings

NOON = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


@pytest.fixture
def no_dns(monkeypatch):
    """Name lookups of *.dns-fails.test fail as they do without a network; others are unchanged."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith("dns-fails.test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_unreachable_sources_fail_fast_and_alone_and_the_rest_is_published(tmp_path, server, no_dns):
    serve_pypi(server)
    serve_hf(server, DAY1)
    cfg = signal_settings(tmp_path, server, stackoverflow_url="https://api.dns-fails.test",
                          npm_url="http://127.0.0.1:9", osv_url="https://osv.dns-fails.test")
    start = time.monotonic()
    with time_machine.travel(NOON, tick=True):
        result = collect(cfg, load_registry(cfg.registry), ["pypi", "stackoverflow", "npm", "hf", "osv"])
    assert time.monotonic() - start < 30
    by_name = {s.source: s for s in result.sources}
    assert {k: s.status for k, s in by_name.items()} == {
        "pypi": "ok", "stackoverflow": "failed", "npm": "failed", "hf": "ok", "osv": "failed"}
    so = by_name["stackoverflow"]
    assert so.counts.requests == 1  # a name that does not resolve is not retried
    assert so.error.startswith("cannot resolve host api.dns-fails.test (no network, or a wrong URL "
                               "setting?) (https://api.dns-fails.test/2.3/tags/")
    assert so.error.endswith("; nothing more was requested from this source")
    npm = by_name["npm"]
    assert "connection failed (ConnectError" in npm.error and "after 3 attempts" in npm.error
    assert npm.counts.requests <= 3 * 3  # at most the packages already in flight, with their retries
    assert "cannot resolve host osv.dns-fails.test" in by_name["osv"].error
    logged = dict(query(cfg.db, "SELECT source, status FROM collector_runs"))
    assert logged == {"pypi": "ok", "stackoverflow": "failed", "npm": "failed", "hf": "ok", "osv": "failed"}
    assert query(cfg.db, "SELECT count(DISTINCT package) FROM releases")[0][0] > 10
    assert query(cfg.db, "SELECT count(*) FROM hub_models_daily") == [(4,)]


def test_default_collect_skips_sources_the_registry_names_nothing_for(tmp_path, pypi_server, monkeypatch):
    from tests.support.downloads import body, serve_pypistats

    assert DEFAULT_SOURCES == ["pypi", "pypistats", "github", "stackoverflow", "npm"]
    assert {"pypi", "stackoverflow", "npm", "hf", "conda", "osv"} <= set(SOURCES)
    db = tmp_path / "dl.duckdb"
    monkeypatch.setenv("DLTRENDS_DB", str(db))
    monkeypatch.setenv("DLTRENDS_REGISTRY", str(TEST_REGISTRY))
    monkeypatch.setenv("DLTRENDS_PYPI_URL", pypi_server.url)
    monkeypatch.setenv("DLTRENDS_PYPISTATS_URL", pypi_server.url)
    monkeypatch.setenv("DLTRENDS_GITHUB_API_URL", pypi_server.url)  # tinygrad's repo: not served
    serve_pypistats(pypi_server, "tinygrad", overall=body("overall_pip"),
                    python_minor=body("python_minor_pip"), system=body("python_minor_pip"))
    result = CliRunner().invoke(app, ["collect", "-f", "tinygrad"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert ("stackoverflow: skipped, nothing to collect for the selected frameworks "
            "(no stackoverflow_tags in the registry for them)") in result.output
    assert "npm: skipped" in result.output
    assert query(db, "SELECT source FROM collector_runs ORDER BY run_id") == [("pypi",), ("pypistats",)]
    status = CliRunner().invoke(app, ["status", "--format", "csv"], catch_exceptions=False)
    assert status.exit_code == 0  # sources never collected are listed, not unhealthy
    assert "hf," in status.output and "never collected" in status.output


def test_registry_names_an_npm_package_once_and_refuses_bad_names(tmp_path):
    from dltrends.errors import ConfigError

    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.a]\nname = "A"\nnpm = ["@tensorflow/tfjs"]\n'
                   '[frameworks.b]\nname = "B"\nnpm = ["@tensorflow/tfjs"]\n')
    with pytest.raises(ConfigError, match=r"\[frameworks.b\] npm: npm package @tensorflow/tfjs is already "
                                          r"listed in \[frameworks.a\] npm"):
        load_registry(reg)
    reg.write_text('[frameworks.a]\nname = "A"\nnpm = ["Not Valid"]\n')
    with pytest.raises(ConfigError, match=r"\[frameworks.a\] npm.0: String should match pattern"):
        load_registry(reg)


def test_posts_are_retried_like_gets(server, monkeypatch):
    from collectors.http import HttpClient
    from tests.support.fakeserver import status

    slept: list[float] = []
    monkeypatch.setattr("collectors.http._sleep", slept.append)
    server.add("/v1/querybatch", {"results": []}, method="POST")
    server.fail("/v1/querybatch", status(503), status(429, Retry_After="3"), method="POST")
    with HttpClient(server.url, retries=3) as http:
        assert http.post("/v1/querybatch", json={"queries": []}).json() == {"results": []}
    assert server.count("/v1/querybatch", method="POST") == 3 and slept[1] == 3.0
    assert server.requests[-1].body == b'{"queries":[]}'


def test_the_signals_registry_tracks_the_same_pypi_packages_as_the_test_registry():
    from tests.support.signals import SIGNALS_REGISTRY

    def packages(path):
        return [(p.key, p.framework, p.role) for p in load_registry(path).packages(nightlies=True)]

    assert packages(SIGNALS_REGISTRY) == packages(TEST_REGISTRY)
    plain = load_registry(TEST_REGISTRY).frameworks.values()
    assert not any(fw.stackoverflow_tags or fw.npm or fw.hf_library or fw.conda for fw in plain)
