"""The weekly report: sections from the recorded data, the section registry's left-out notes,
self-contained HTML and Markdown in both languages, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys

import pytest
import time_machine
from PIL import Image
from typer.testing import CliRunner

import jobs.report as report_mod
from dltrends.registry import load_registry
from jobs.cli import app
from jobs.collect.run import collect
from jobs.report import Built, Section, Text, build_report
from jobs.report.render import png_size, to_html, to_markdown, write
from tests.support.settings import make_settings
from warehouse.db import reader

UNTIL = dt.date(2026, 10, 28)  # the recorded torch 2.15.0 and onnxruntime 1.31.1 fall in this week
NOW = dt.datetime(2026, 10, 29, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def reports(collected_warehouse, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("reports")
    built = {}
    with time_machine.travel(NOW, tick=False):
        for lang in ("en", "zh"):
            report = build_report(collected_warehouse, lang, UNTIL)
            built[lang] = (report, write(report, out))
    return built


def _section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def _tables(section):
    return [b for b in section.blocks if isinstance(b, report_mod.Table)]


def test_sections_in_order_with_their_sources(reports):
    report, _ = reports["en"]
    assert [s.id for s in report.sections] == [
        "overview", "new_releases", "regressions", "release_movers", "download_movers",
        "star_movers", "forecasts", "health", "data_health"]
    assert report.left_out == [] and report.failed == []
    assert (report.start, report.end) == (dt.datetime(2026, 10, 22, tzinfo=dt.UTC),
                                          dt.datetime(2026, 10, 29, tzinfo=dt.UTC))
    assert _section(report, "overview").source.startswith("Source: PyPI JSON API, data as of ")


def test_new_releases_of_the_week(reports):
    table = _tables(_section(reports["en"][0], "new_releases"))[0]
    rows = table.frame[["framework_name", "package", "version", "kind"]].values.tolist()
    assert rows == [["PyTorch", "torch", "2.15.0", "minor"],
                    ["ONNX Runtime", "onnxruntime", "1.31.1", "patch"]]
    zh = _tables(_section(reports["zh"][0], "new_releases"))[0]
    assert zh.frame["kind"].tolist() == ["次版本", "补丁版本"]


def test_regressions_name_the_dropped_python(reports):
    table = _tables(_section(reports["en"][0], "regressions"))[0]
    row = table.frame.iloc[0]
    assert (row["package"], row["previous"], row["version"]) == ("torch", "2.14.1", "2.15.0")
    assert list(row["python_dropped"]) == ["3.10"] and list(row["python_added"]) == ["3.15"]
    assert len(table.frame) == 1  # onnxruntime 1.31.1 kept everything 1.31.0 had


def test_release_movers_compare_two_windows(reports, collected_warehouse):
    table = _tables(_section(reports["en"][0], "release_movers"))[0]
    movers = {r.framework_name: (r.recent, r.previous) for r in table.frame.itertuples()}
    assert movers["Keras"] == (0, 6) and movers["MLX"] == (4, 1)
    from warehouse.db import reader

    with reader(collected_warehouse) as con:  # an independent count of the same windows
        keras = con.execute(
            "SELECT count(*) FROM releases WHERE package = 'keras' AND NOT is_prerelease AND "
            "released_at >= TIMESTAMPTZ '2026-05-02 00:00:00+00' AND "
            "released_at < TIMESTAMPTZ '2026-07-31 00:00:00+00'").fetchall()[0][0]
    assert keras == 6


def test_movers_forecasts_and_health_sections(reports, collected_warehouse):
    report = reports["en"][0]
    downloads = _section(report, "download_movers")
    assert downloads.blocks[0].text.startswith("No framework has download data for every day of "
                                               "this period and the 7 days before (the latest day "
                                               "collected is 2024-01-10)")
    stars = _tables(_section(report, "star_movers"))[0].frame.set_index("framework_name")
    # stars gained 2026-10-22..28 against 10-15..21, from the star history itself
    with reader(collected_warehouse) as con:
        at = dict(con.execute("SELECT day, stars FROM star_history WHERE repo = 'pytorch/pytorch' "
                              "AND day IN ('2026-10-28', '2026-10-21', '2026-10-14')").fetchall())
    assert stars.loc["PyTorch", "recent"] == at[dt.date(2026, 10, 28)] - at[dt.date(2026, 10, 21)]
    assert stars.loc["PyTorch", "previous"] == at[dt.date(2026, 10, 21)] - at[dt.date(2026, 10, 14)]
    forecast = _tables(_section(report, "forecasts"))[0].frame
    assert forecast["framework_name"].tolist() == ["PyTorch", "TensorFlow"]
    assert (forecast["lo80"] < forecast["mean"]).all() and (forecast["mean"] < forecast["hi80"]).all()
    assert (forecast["mape"] > 0).all() and (forecast["week"] == dt.date(2027, 1, 18)).all()
    assert "PyTorch (PyPI downloads per week)" in _section(report, "forecasts").blocks[-1].text
    health = _tables(_section(report, "health"))[0].frame.set_index("framework_name")
    assert health.loc["PyTorch", "coverage"] == 1.0 and health.loc["Apache MXNet", "status"] == "retired"
    assert "Lifecycle" in health.loc["Chainer", "weak"]
    assert "Caffe2" in _section(report, "health").blocks[2].text  # 35 % of the weight: no score
    zh = _tables(_section(reports["zh"][0], "health"))[0].frame
    assert "已退役" in set(zh["status"]) and "健康分（0-100）" in _tables(
        _section(reports["zh"][0], "health"))[0].columns.values()


def test_html_is_self_contained_and_escaped(reports):
    for lang in ("en", "zh"):
        report, written = reports[lang]
        page = written.html.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in page and "default-src 'none'" in page
        assert not re.search(r'(src|href)="(?!data:image/png;base64,|#)', page)
        images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
        assert len(images) == 5  # release activity, timeline, release movers, star movers, health
        assert f"<h1>{report.title}</h1>" in page
    assert '<html lang="zh-CN">' in reports["zh"][1].html.read_text(encoding="utf-8")
    assert "dltrends 周报" in reports["zh"][1].html.read_text(encoding="utf-8")


def test_markdown_links_its_images(reports):
    report, written = reports["zh"]
    text = written.markdown.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == 5
    said = []
    for link in links:
        png = (written.markdown.parent / link).read_bytes()
        assert png_size(png)[0] > 400
        said.append(Image.open(io.BytesIO(png)).text)  # each picture names itself if shared alone
    figures = [(b, s.source) for s in report.sections for b in s.blocks
               if isinstance(b, report_mod.Figure)]
    assert [(t["Title"], t["Source"]) for t in said] == [(f.title, src) for f, src in figures]
    assert all(t["Creation Time"] == "Thu, 29 Oct 2026 08:00:00 +0000" for t in said)
    assert "| 框架 | 软件包 | 版本 | 类型 | 发布日期 | 已撤回 |" in text


def test_missing_and_broken_sections_are_left_out_with_a_note(collected_warehouse):
    sections = [
        Section("stars", ("stars_of_the_future",), "dltrends collect --source github", 1,
                lambda ctx: Built("never", [Text("invented")])),
        Section("broken", ("releases",), "-", 2, lambda ctx: 1 / 0),
        Section("fine", ("frameworks",), "-", 3, lambda ctx: Built("Fine", [Text("ok")])),
    ]
    report = build_report(collected_warehouse, "en", UNTIL, sections=sections)
    assert [s.id for s in report.sections] == ["fine"]
    assert report.left_out == [
        "report.stars.title: left out, the warehouse has no stars_of_the_future view yet (run "
        "`dltrends collect --source github` with a dltrends version that collects it)."]
    assert report.failed == ["report.broken.title: could not be built (division by zero); "
                             "see the log."]
    assert "invented" not in to_html(report) + to_markdown(report, "x")
    assert "Not in this report" in to_html(report)


def test_an_empty_view_is_left_out(tmp_path, server):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.ghost]\nname = "<b>Ghost</b> | *x*"\npypi = ["nothing-here"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    with time_machine.travel(NOW, tick=False):
        report = build_report(cfg.db, "en", UNTIL)
    assert "New releases: left out, the releases view is empty (run `dltrends collect --source " \
           "pypi` to fill it)." in report.left_out
    # the analysis sections say what is missing instead of inventing a forecast or a score
    assert [s.id for s in report.sections] == ["forecasts", "health", "data_health"]
    assert report.sections[0].blocks[1].text.startswith("Not enough history for any forecast yet")
    assert report.sections[1].blocks[1].text.startswith("Not enough data for a health score "
                                                        "(less than 50% of the weight): <b>Ghost</b>")
    health = report.sections[2]
    assert "Failing sources (last run failed, or 2 or more of the last 5): pypi." in \
        health.blocks[0].items


def test_untrusted_text_is_escaped(tmp_path, server):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.ghost]\nname = "<img src=x onerror=alert(1)> | *x*"\n'
                   'pypi = ["nothing-here"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    report = build_report(cfg.db, "en", UNTIL)
    report.sections.append(report_mod.SectionResult("t", "T", [report_mod.Table(
        report_mod.pd.DataFrame({"name": ["<img src=x onerror=alert(1)> | *x*"]}),
        {"name": "Name"})]))
    page = to_html(report)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\\<img src=x onerror=alert(1)\\> \\| \\*x\\*" in to_markdown(report, "x")


def test_stale_sources_with_frozen_time(collected_warehouse):
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), tick=False):
        report = build_report(collected_warehouse, "zh", UNTIL)
    items = _section(report, "data_health").blocks[0].items
    with reader(collected_warehouse) as con:  # every source collected in the fixture is stale
        sources = [r[0] for r in con.execute("SELECT source FROM source_status WHERE "
                                             "last_success_at IS NOT NULL ORDER BY source").fetchall()]
    assert "pypi" in sources
    assert items[0] == f"过期的数据源（最近 48 小时内没有成功采集）：{'、'.join(sources)}。"


def test_cli_writes_both_files(collected_warehouse, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "--db", str(collected_warehouse), "--out", str(out),
                                      "--lang", "zh", "--until", "2026-10-28"])
    assert result.exit_code == 0, result.output
    assert "9 sections, 0 left out, 0 failed" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "dltrends-report-2026-10-28-zh", "dltrends-report-2026-10-28-zh.html",
        "dltrends-report-2026-10-28-zh.md"]
    bad = CliRunner().invoke(app, ["report", "--db", str(collected_warehouse), "--lang", "fr"])
    assert bad.exit_code == 2
    missing = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "run `dltrends collect` first" in missing.output


def test_period_is_whole_utc_days():
    start, end = report_mod.period(dt.date(2024, 3, 3), 7)
    assert start == dt.datetime(2024, 2, 26, tzinfo=dt.UTC) and end == dt.datetime(
        2024, 3, 4, tzinfo=dt.UTC)
    with pytest.raises(report_mod.UsageError):
        report_mod.period(dt.date(2024, 3, 3), 0)


def test_registry_refuses_duplicate_ids():
    report_mod.registered()
    with pytest.raises(ValueError, match="registered twice"):
        report_mod.section("overview", (), "-", 2)(lambda ctx: None)
    assert [s.id for s in report_mod.registered()][0] == "overview"



def test_report_runs_without_streamlit(collected_warehouse, tmp_path):
    """`dltrends report` builds and writes a report from the published file without importing
    Streamlit (the dashboard's caching layer): the report reads through the plain query runner."""
    script = (
        "import sys; from typer.testing import CliRunner; from jobs.cli import app\n"
        f"result = CliRunner().invoke(app, ['report', '--db', {str(collected_warehouse)!r}, "
        f"'--out', {str(tmp_path)!r}, '--until', '2026-10-28'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('sections' in result.output, 'streamlit' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
    assert (tmp_path / "dltrends-report-2026-10-28-en.html").exists()
