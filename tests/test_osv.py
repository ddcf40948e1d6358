"""OSV: every collected version queried in batches, advisories fetched once, views per version and
per latest release."""

from __future__ import annotations

import json

import pytest

from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.db import query, snapshot
from tests.support.pypi import serve_pypi
from tests.support.signals import OSV_DIR, serve_osv, signal_settings

REGISTRY = """
[frameworks.pytorch]
name = "PyTorch"
pypi = ["torch"]
[frameworks.tensorflow]
name = "TensorFlow"
pypi = ["tensorflow"]
pypi_variants = ["tensorflow-cpu"]
[frameworks.tinygrad]
name = "tinygrad"
pypi = ["tinygrad"]
"""


@pytest.fixture
def cfg(tmp_path, server):
    serve_pypi(server)
    reg = tmp_path / "reg.toml"
    reg.write_text(REGISTRY)
    return signal_settings(tmp_path, server, registry=reg)


def run(cfg, *sources):
    return collect(cfg, load_registry(cfg.registry), list(sources)).sources


def versions(cfg) -> int:
    return query(cfg.db, "SELECT count(*) FROM releases")[0][0]


def test_versions_are_queried_in_batches_and_advisories_fetched_once(cfg, server):
    serve_osv(server)
    _, osv = run(cfg, "pypi", "osv")
    n = versions(cfg)
    assert (osv.status, osv.counts.items_ok) == ("ok", n + 5)
    assert server.count("/v1/querybatch", method="POST") == 1  # fewer than 1,000 versions
    assert sorted(t for t in server.targets() if t.startswith("/v1/vulns/")) == [
        "/v1/vulns/GHSA-test-0001-0001", "/v1/vulns/GHSA-test-0002-0002", "/v1/vulns/GHSA-test-0003-0003",
        "/v1/vulns/GHSA-test-0004-0004", "/v1/vulns/PYSEC-0000-1"]
    body = json.loads(next(r.body for r in server.requests if r.method == "POST"))
    assert {"package": {"name": "torch", "ecosystem": "PyPI"}, "version": "2.15.0"} in body["queries"]
    rows = query(cfg.db, "SELECT framework, package, version, advisory_id, vulnerability, aliases, severity, "
                         "cvss_score, fixed_versions, url FROM vulnerabilities "
                         "WHERE version IN ('2.15.0', '1.13.0') ORDER BY ALL")
    assert rows == [
        ("pytorch", "torch", "1.13.0", "GHSA-test-0002-0002", "CVE-0000-0002", ["CVE-0000-0002"],
         "critical", 9.8, ["1.13.1"], "https://osv.dev/vulnerability/GHSA-test-0002-0002"),
        ("pytorch", "torch", "2.15.0", "GHSA-test-0001-0001", "CVE-0000-0001",
         ["CVE-0000-0001", "PYSEC-0000-1"], "high", 7.5, [], "https://osv.dev/vulnerability/GHSA-test-0001-0001"),
        ("pytorch", "torch", "2.15.0", "PYSEC-0000-1", "CVE-0000-0001",
         ["CVE-0000-0001", "GHSA-test-0001-0001"], None, None, [], "https://osv.dev/vulnerability/PYSEC-0000-1"),
    ]
    assert query(cfg.db, "SELECT count(*) FROM vulnerabilities") == [(22,)]  # every synthetic match


def test_latest_release_counts_each_vulnerability_once(cfg, server):
    serve_osv(server)
    run(cfg, "pypi", "osv")
    rows = query(cfg.db, "SELECT framework, package, latest_version, osv_checked, open_vulnerabilities, "
                         "open_advisories, critical, high, max_cvss_score, advisory_ids "
                         "FROM latest_release_vulnerabilities ORDER BY framework")
    assert rows == [
        ("pytorch", "torch", "2.15.0", True, 1, 2, 0, 1, 7.5, ["GHSA-test-0001-0001", "PYSEC-0000-1"]),
        ("tensorflow", "tensorflow", "2.21.0", True, 0, 0, 0, 0, None, []),
        ("tinygrad", "tinygrad", "0.14.0", True, 0, 0, 0, 0, None, []),
    ]
    severities = query(cfg.db, "SELECT vuln_id, severity, severity_source, cvss_score "
                               "FROM core.osv_advisories WHERE vuln_id IN "
                               "('GHSA-test-0003-0003', 'GHSA-test-0004-0004') ORDER BY 1")
    assert severities == [("GHSA-test-0003-0003", "medium", "database", None),
                          ("GHSA-test-0004-0004", "critical", "cvss_v4", 9.3)]


def test_paged_answers_are_followed_per_query(cfg, server):
    serve_osv(server, page_size=1)
    _, osv = run(cfg, "pypi", "osv")
    posts = [json.loads(r.body)["queries"] for r in server.requests if r.method == "POST"]
    assert len(posts) == 2 and len(posts[1]) == 7  # the seven torch versions with two advisories
    assert posts[1][0] == {"package": {"name": "torch", "ecosystem": "PyPI"}, "version": "2.6.0",
                           "page_token": "1"}
    assert query(cfg.db, "SELECT count(*) FROM vulnerabilities WHERE package = 'torch'") == [(17,)]


def test_a_second_run_writes_nothing_and_a_changed_answer_is_applied(cfg, server):
    serve_osv(server)
    run(cfg, "pypi", "osv")
    before = snapshot(cfg.db)
    server.reset_log()
    (osv,) = run(cfg, "osv")
    assert (osv.counts.items_ok, osv.counts.items_unchanged, osv.counts.rows_written) == (0, versions(cfg), 0)
    assert not [t for t in server.targets() if t.startswith("/v1/vulns/")]
    assert snapshot(cfg.db) == before
    # OSV drops the PYSEC twin for 2.15.0 and updates the GHSA record
    matches = json.loads((OSV_DIR / "querybatch_matches.synthetic.json").read_text())
    matches["torch==2.15.0"] = [{"id": "GHSA-test-0001-0001", "modified": "2026-11-20T00:00:00Z"}]
    record = json.loads((OSV_DIR / "vulns/GHSA-test-0001-0001.synthetic.json").read_text())
    record.update(modified="2026-11-20T00:00:00Z", withdrawn=None)
    record["affected"][0]["ranges"][0]["events"].append({"fixed": "2.16.0"})
    server.add("/v1/vulns/GHSA-test-0001-0001", record)
    _serve_matches(server, matches)
    server.reset_log()
    (osv,) = run(cfg, "osv")
    assert osv.counts.items_ok == 2  # the one changed version, the one changed advisory
    assert [t for t in server.targets() if t.startswith("/v1/vulns/")] == ["/v1/vulns/GHSA-test-0001-0001"]
    fixed = query(cfg.db, "SELECT advisory_id, fixed_versions FROM vulnerabilities WHERE version = '2.15.0'")
    assert fixed == [("GHSA-test-0001-0001", ["2.16.0"])]
    assert query(cfg.db, "SELECT open_advisories FROM latest_release_vulnerabilities "
                         "WHERE package = 'torch'") == [(1,)]


def test_osv_before_any_pypi_collect_says_what_to_run(cfg, server):
    serve_osv(server)
    (osv,) = run(cfg, "osv")
    assert osv.status == "failed"
    assert osv.error == ("osv asks about the PyPI versions dltrends has collected, and there are none for "
                         "the selected frameworks yet: run `dltrends collect --source pypi` first")
    assert server.count(method="POST") == 0


def _serve_matches(server, matches):
    from tests.support.fakeserver import Response

    def querybatch(request):
        results = []
        for q in json.loads(request.body)["queries"]:
            vulns = matches.get(f"{q['package']['name']}=={q['version']}")
            results.append({"vulns": vulns} if vulns else {})
        return Response(200, json.dumps({"results": results}).encode(), {"Content-Type": "application/json"})

    server.handle("/v1/querybatch", querybatch, method="POST")
