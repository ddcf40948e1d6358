"""The Adoption page under AppTest: its panels on the collected test data, and the empty state."""

from __future__ import annotations

import pytest

from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.dashboard import open_app
from tests.support.settings import make_settings, write_registry

PAGE = "app_pages/adoption.py"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_panels_show_the_collected_downloads(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", PAGE, fw="pytorch,jax", since="2023",
                  pkg="torch")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.subheader][:6] == [
        "Downloads per framework", "Share of the tracked ecosystem", "Growth", "Version adoption",
        "Adoption lag per minor series", "Download mix by Python version"]
    assert [s.value for s in at.subheader][6:] == [  # the other signals, below PyPI's
        "Hugging Face Hub: top-N model downloads", "Stack Overflow questions",
        "npm downloads of the JavaScript builds", "conda downloads per month"]
    growth = at.dataframe[0].value
    assert list(growth["framework_name"]) == ["PyTorch", "JAX"]  # ranked by 28-day downloads
    assert set(growth["source"]) == {"clickpy"}
    lags = at.dataframe[1].value
    assert "2.2" in set(lags["version"])
    code = " ".join(c.value for c in at.code)
    assert "FROM framework_downloads_daily" in code and "FROM version_adoption" in code
    # every download panel has data (an empty one would name pypistats or the backfill)
    assert not [i.value for i in at.info if "pypistats" in i.value or "backfill" in i.value]


def test_filters_live_in_the_url(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "zh", PAGE, fw="jax", since="2023", mix="os",
                  avg="downloads")
    assert at.multiselect[0].value == ["jax"]
    assert at.title[0].value == "采用度"
    assert at.query_params["mix"] == "os" and at.query_params["avg"] == "downloads"
    assert "按操作系统划分的下载构成" in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_state_explains_the_backfill(tmp_path, server, monkeypatch, lang):
    reg = write_registry(tmp_path, '[frameworks.ghost]\nname = "Ghost"\npypi = ["nothing-here"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    at = open_app(cfg.db, monkeypatch, lang, PAGE)
    assert not at.exception
    infos = [i.value for i in at.info]
    assert "dltrends backfill --source clickpy" in infos[0]
    assert "dltrends collect --source pypistats" in infos[0]
    assert all("dltrends" in i for i in infos[1:])


def test_mix_keeps_the_largest_categories_and_folds_the_rest():
    import pandas as pd

    from dashboard.frames_adoption import bucket_for, top_categories

    month = pd.Timestamp("2024-01-01")
    frame = pd.DataFrame({"month": month, "category": [f"3.{i}" for i in range(10)],
                          "downloads": [100 - i for i in range(10)]})
    folded = top_categories(frame, keep=8)
    assert len(folded) == 9 and folded.loc[folded["category"] == "other", "downloads"].item() == 91 + 92
    assert folded["share"].sum() == pytest.approx(1.0)
    assert bucket_for("2016-01-01", pd.Timestamp("2024-06-01")) == "week"
    assert bucket_for("2024-01-01", pd.Timestamp("2024-06-01")) == "day"
