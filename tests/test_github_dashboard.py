"""The Community page and the release notes on the Releases page, on the session warehouse
(tests/conftest.py collects the fake GitHub of tests/support/github.py into it)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import frames
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.dashboard import open_app
from tests.support.github import FakeGitHub, write_registry
from tests.support.github_repos import HOSTILE_NOTES
from tests.support.settings import make_settings

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_community_page_shows_every_panel_with_data(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/community.py",
                  fw="tensorflow,pytorch", since="2020")
    assert not at.exception and not at.info
    assert [s.value for s in at.subheader] == [
        "Latest snapshot per repository", "Stars, cumulative", "Stars gained per week", "Forks",
        "Issue and pull request flow per month", "Time to close issues and merge pull requests",
        "Authors and bus factor"]
    latest = at.dataframe[0].value
    assert set(latest["repo"]) == {"tensorflow/tensorflow", "pytorch/pytorch"}
    assert at.multiselect[0].value == ["tensorflow", "pytorch"]
    assert len(at.get("vega_lite_chart")) == 6
    code = " ".join(c.value for c in at.code)
    assert "FROM star_history x JOIN frameworks f" in code and "FROM community_monthly x" in code


def test_community_filters_live_in_the_url(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "zh", "app_pages/community.py",
                  fw="pytorch", log="0", flow="issues_closed", authors="bus_factor_12m")
    assert at.title[0].value == "社区"
    assert at.toggle[0].value is False
    assert [s.value for s in at.selectbox if s.label == "议题与拉取请求流量"] == ["issues_closed"]
    at.selectbox(key="_w_close").set_value("median_days_to_close").run()
    assert at.query_params["close"] == "median_days_to_close"
    assert at.query_params["fw"] == "pytorch" and at.query_params["lang"] == "zh"


def test_release_notes_are_shown_escaped_with_their_counts(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/releases.py",
                  fw="tensorflow", notes="tensorflow")
    counts = at.dataframe[-2].value
    newest = counts.iloc[0]
    assert (newest["breaking_changes"], newest["deprecations"]) == (2, 1)
    items = at.dataframe[-1].value
    assert list(items["category"]) == ["breaking change", "breaking change", "deprecation"]
    assert "<script>alert('notes')</script> is gone" in list(items["text"])
    assert [t.value for t in at.text] == [HOSTILE_NOTES.strip("\n")] or \
        [t.value for t in at.text] == [HOSTILE_NOTES]
    html = " ".join(m.value for m in at.markdown)
    assert "<script>" not in html and "onerror" not in html


def test_empty_community_page_names_the_commands(tmp_path, server, monkeypatch):
    FakeGitHub(server)
    reg = write_registry(tmp_path / "reg.toml", {"ghost": ["no/such-repo"]})
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["github"])
    at = open_app(cfg.db, monkeypatch, "en", "app_pages/community.py")
    assert not at.exception
    infos = [i.value for i in at.info]
    assert len(infos) == 7
    assert {i.split("`")[1] for i in infos} == {"dltrends collect --source github",
                                               "dltrends collect --source github-history"}


def test_segments_break_lines_at_gaps():
    frame = pd.DataFrame({"series": ["a"] * 5 + ["b"] * 2,
                          "day": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-04",
                                                 "2026-01-05", "2026-01-06", "2026-01-01",
                                                 "2026-01-02"]),
                          "v": [1, 2, 3, None, 5, 1, 1]})
    out = frames.segments(frame, "series", "day", "D", value="v")
    assert list(out["segment"]) == ["a#1", "a#1", "a#2", "a#3", "b#1", "b#1"]


def test_release_links_are_only_rebuilt_github_pages():
    ok = "https://github.com/tensorflow/tensorflow/releases/tag/v2.16.1"
    assert frames.github_release_url(ok) == ok
    assert frames.github_release_url("javascript:alert(1)") is None
    assert frames.github_release_url("https://evil.example/x/y/releases/tag/v1") is None
