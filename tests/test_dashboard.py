"""Dashboard pages under Streamlit's AppTest, in both languages, on real collected data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import frames
from dashboard.charts import to_png
from dashboard.i18n import LANGUAGES, strings
from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.dashboard import APP, open_app
from tests.support.settings import make_settings

DASHBOARD = Path(APP).parent
PAGES = {
    "overview": (None, {"en": "Overview", "zh": "概览"}),
    "compare": ("app_pages/compare.py", {"en": "Compare", "zh": "对比"}),
    "framework": ("app_pages/framework.py", {"en": "Framework", "zh": "框架详情"}),
    "advisor": ("app_pages/advisor.py", {"en": "Advisor", "zh": "选型顾问"}),
    "releases": ("app_pages/releases.py", {"en": "Releases", "zh": "版本发布"}),
    "performance": ("app_pages/performance.py", {"en": "Performance", "zh": "性能"}),
    "adoption": ("app_pages/adoption.py", {"en": "Adoption", "zh": "采用度"}),
    "community": ("app_pages/community.py", {"en": "Community", "zh": "社区"}),
    "data": ("app_pages/data.py", {"en": "Data", "zh": "数据状态"}),
    "sql": ("app_pages/sql.py", {"en": "SQL", "zh": "SQL 查询"}),
}


pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_without_exceptions(collected_warehouse, monkeypatch, name, lang):
    path, titles = PAGES[name]
    at = open_app(collected_warehouse, monkeypatch, lang, path)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == titles[lang]
    captions = " ".join(c.value for c in at.caption)
    source_word = r"Sources?: " if lang == "en" else "来源："  # a panel may name several sources
    assert re.search(source_word, captions)
    assert len(at.expander) >= 1  # every panel offers its SQL
    assert not at.info  # real data everywhere: no empty state


def test_releases_panels_show_the_recorded_data(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/releases.py",
                  fw="tensorflow,pytorch", matrix="pytorch")
    subheaders = [s.value for s in at.subheader]
    assert subheaders[:6] == [
        "Release timeline", "Release cadence", "Wheel support matrix of the latest release",
        "Security: known advisories on the latest release of PyTorch",
        "Advisories on the latest release of PyTorch",
        "Release notes: breaking changes and deprecations per release"]
    assert subheaders[6].startswith("What ") and subheaders[6].endswith(" says, item by item")
    assert "Latest release: torch 2.15.0" in [c.value for c in at.caption]
    assert at.multiselect[0].value == ["tensorflow", "pytorch"]
    cadence = at.dataframe[1].value  # [0] is the lifecycle events table
    assert set(cadence["package"]) == {"tensorflow", "torch"}
    code = [c.value for c in at.code]
    assert any("FROM releases r JOIN frameworks f" in c for c in code)
    assert any("-- parameters:" in c for c in code)


def test_filters_live_in_the_url(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/releases.py",
                  fw="jax", pre="1", since="2020")
    assert at.multiselect[0].value == ["jax"]
    assert at.toggle[0].value is True
    at.multiselect[0].set_value(["jax", "keras"]).run()
    assert at.query_params["fw"] == "jax,keras"
    assert at.query_params["pre"] == "1" and at.query_params["since"] == "2020"
    assert at.query_params["lang"] == "en"


def test_language_switch(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en")
    assert at.title[0].value == "Overview"
    at.sidebar.selectbox[0].set_value("zh").run()
    assert at.title[0].value == "概览"
    assert at.query_params["lang"] == "zh"


def test_no_warehouse_says_what_to_run(tmp_path, monkeypatch):
    at = open_app(tmp_path / "none.duckdb", monkeypatch, "en")
    assert not at.exception
    assert "Run `dltrends collect`" in at.warning[0].value


def test_empty_panels_name_the_command(tmp_path, server, monkeypatch):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.ghost]\nname = "Ghost"\npypi = ["nothing-here"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    at = open_app(cfg.db, monkeypatch, "zh", "app_pages/releases.py")
    assert not at.exception
    infos = [i.value for i in at.info]
    assert infos and all("dltrends collect --source pypi" in i for i in infos[:-1])
    assert "dltrends collect --source github" in infos[-1]  # the release notes panel
    data = open_app(cfg.db, monkeypatch, "en", "app_pages/data.py")
    errors = data.dataframe[1].value["error"].tolist()
    assert errors == ["nothing-here: not found on the index: HTTP 404 Not Found "
                      f"({server.url}/pypi/nothing-here/json)"]


def test_locales_have_the_same_keys_and_cover_the_code():
    en, zh = strings("en"), strings("zh")
    assert set(en) == set(zh)
    used = set()
    for path in DASHBOARD.rglob("*.py"):
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-z_-]+)"', path.read_text()))
    assert used and used <= set(en), sorted(used - set(en))


def test_support_matrix_frame():
    import pandas as pd

    files = pd.DataFrame([
        {"packagetype": "bdist_wheel", "filename": "a-1-cp311-cp311-manylinux_x86_64.whl",
         "python_versions": ["3.11"], "platforms": ["linux"], "architectures": ["x86_64"]},
        {"packagetype": "bdist_wheel", "filename": "a-1-cp39-cp39-macosx_universal2.whl",
         "python_versions": ["3.9"], "platforms": ["macos"], "architectures": ["arm64", "x86_64"]},
        {"packagetype": "bdist_wheel", "filename": "a-1-py3-none-any.whl",
         "python_versions": ["3"], "platforms": ["any"], "architectures": ["any"]},
        {"packagetype": "sdist", "filename": "a-1.tar.gz",
         "python_versions": [], "platforms": [], "architectures": []},
    ])
    matrix = frames.support_matrix(files)
    assert list(zip(matrix["python"], matrix["target"], matrix["wheels"], strict=True)) == [
        ("3", "any", 1), ("3.9", "macos arm64", 1), ("3.9", "macos x86_64", 1),
        ("3.11", "linux x86_64", 1)]
    assert frames.python_order(matrix) == ["3.11", "3.9", "3"]


def test_chart_png_export_with_chinese_labels():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"框架": ["飞桨", "昇思"], "n": [1, 2]})).mark_bar().encode(
        x="n:Q", y="框架:N").properties(title="版本发布")
    png = to_png(chart, "zh")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_adoption_page_shows_each_signal_with_its_freshness(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/adoption.py",
                  fw="tensorflow,pytorch,onnxruntime")
    assert [h.value for h in at.header] == ["Beyond PyPI: other adoption signals"]
    assert [s.value for s in at.subheader][-4:] == [
        "Hugging Face Hub: top-N model downloads", "Stack Overflow questions",
        "npm downloads of the JavaScript builds", "conda downloads per month"]
    captions = [c.value for c in at.caption]
    assert ("Top-N: the 3 most downloaded models of each library tag; downloads over the last 30 days "
            "(the Hub's rolling window).") in captions
    for source in ("Hugging Face Hub API", "StackExchange API", "npm downloads API",
                   "Anaconda public package data"):
        assert any(c.startswith(f"Source: {source}, collected ") for c in captions), source
    frames = [d.value for d in at.dataframe]
    questions = next(f for f in frames if "questions_per_week" in f.columns)
    pytorch = questions[questions["framework_name"] == "PyTorch"]
    assert list(pytorch["questions"]) == [26034, 26197] and list(pytorch["questions_per_week"])[-1] == 163
    npm = next(f for f in frames if "package" in f.columns and "@tensorflow/tfjs" in set(f["package"]))
    assert set(npm["package"]) == {"@tensorflow/tfjs", "onnxruntime-web", "onnxruntime-node"}
    assert any("FROM conda_downloads_monthly c JOIN frameworks f" in c.value for c in at.code)


def test_releases_page_marks_advisories_and_lists_them(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "zh", "app_pages/releases.py",
                  fw="pytorch,tensorflow", matrix="tensorflow")
    captions = [c.value for c in at.caption]
    assert "红色三角：11 个版本存在已知安全公告（OSV）；悬停可查看数量。" in captions
    assert "tensorflow 2.21.0 没有已知的安全公告。" in captions
    at = open_app(collected_warehouse, monkeypatch, "en", "app_pages/releases.py",
                  fw="pytorch", matrix="pytorch")
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "open_vulnerabilities" in f.columns)
    advisories = next(f for f in frames if "advisory_id" in f.columns)
    columns = ["package", "latest_version", "open_vulnerabilities", "open_advisories"]
    assert summary[columns].values.tolist() == [["torch", "2.15.0", 1, 2]]
    assert advisories["advisory_id"].tolist() == ["GHSA-test-0001-0001", "PYSEC-0000-1"]
    assert advisories["url"].tolist()[0] == "https://osv.dev/vulnerability/GHSA-test-0001-0001"


def test_signal_panels_name_the_command_that_fills_them(tmp_path, server, monkeypatch):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.tinygrad]\nname = "tinygrad"\npypi = ["tinygrad"]\n')
    from tests.support.pypi import serve_pypi
    serve_pypi(server)
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    at = open_app(cfg.db, monkeypatch, "en", "app_pages/adoption.py")
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    for source in ("hf", "stackoverflow", "npm", "conda"):
        assert f"dltrends collect --source {source}" in infos
    releases = open_app(cfg.db, monkeypatch, "en", "app_pages/releases.py")
    assert any("dltrends collect --source pypi --source osv" in i.value for i in releases.info)
