"""Chart PNG export (every panel's PNG button, the report's images): Chinese glyphs really drawn,
nothing fetched from the network."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import altair as alt
import pandas as pd
import pytest
from PIL import Image, ImageChops

from dashboard import charts
from dltrends import __version__


def _cjk_font_installed() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


def _bar(labels: list[str]) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"框架": labels, "n": [1, 2]})).mark_bar().encode(
        x="n:Q", y="框架:N").properties(title="版本发布")


@pytest.mark.skipif(not _cjk_font_installed(), reason="no CJK font (make test installs "
                    "fonts-wqy-microhei where it can)")
def test_chinese_labels_are_drawn_not_boxes():
    """Two different Chinese labels must give different pixels: missing glyphs all draw the
    same box ("tofu"), so equal images would mean no CJK font reached the renderer."""
    first = Image.open(io.BytesIO(charts.to_png(_bar(["飞桨", "昇思"]), "zh", scale=1)))
    second = Image.open(io.BytesIO(charts.to_png(_bar(["框架", "数据"]), "zh", scale=1)))
    assert first.size == second.size
    assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox()
    assert charts.cjk_glyphs_render()
    # English pages draw Chinese data values too (glyph fallback), e.g. a framework's zh name
    english = charts.to_png(_bar(["飞桨", "昇思"]), "en", scale=1)
    other = charts.to_png(_bar(["框架", "数据"]), "en", scale=1)
    assert english != other


def test_png_export_never_fetches(server):
    server.add("/data.json", b'[{"n": 1}]')
    chart = alt.Chart(alt.UrlData(f"{server.url}/data.json")).mark_bar().encode(x="n:Q")
    with pytest.raises(ValueError, match="(?i)not allowed|permission|denied|url"):
        charts.to_png(chart, "en")
    assert server.requests == []


def _stars(rows: int) -> alt.LayerChart:
    """A chart shaped like the Community page's stars: one line per repository, one point a day."""
    repos = 20
    days = pd.date_range("2020-01-01", periods=rows // repos, freq="D", tz="UTC")
    frame = pd.DataFrame({"day": list(days) * repos,
                          "repo": [f"org/repo{i}" for i in range(repos) for _ in days],
                          "stars": range(rows)})
    line = alt.Chart(frame).mark_line().encode(x="day:T", y="stars:Q", color="repo:N")
    return alt.layer(line, line.mark_point(size=4))


def test_a_chart_of_20000_rows_exports_as_png():
    """Altair refuses to serialise more than 5,000 rows by default; the export must not."""
    chart = _stars(20_000)
    png = charts.to_png(chart, "en", scale=1)
    assert Image.open(io.BytesIO(png)).size[0] > 200
    datasets = charts.png_spec(chart)["datasets"]
    assert [len(rows) for rows in datasets.values()] == [20_000]
    small = _stars(200)  # below the limit, the spec is exactly what Altair itself makes
    assert charts.png_spec(small) == small.to_dict()


def test_an_exported_png_says_what_it_shows_where_from_and_when():
    when = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    caption = charts.Caption("GitHub stars", "Source: GitHub API, collected 2 hours ago", when)
    chart = _stars(200)
    spec = charts.png_spec(chart, caption)
    assert spec["title"]["text"] == "GitHub stars"
    assert spec["title"]["subtitle"] == ["Source: GitHub API, collected 2 hours ago",
                                         "dltrends, 2026-12-07"]
    plain = Image.open(io.BytesIO(charts.to_png(chart, "en", scale=1))).convert("L")
    image = Image.open(io.BytesIO(charts.to_png(chart, "en", scale=1, caption=caption)))
    assert image.text == {"Title": "GitHub stars",
                          "Source": "Source: GitHub API, collected 2 hours ago",
                          "Creation Time": "Mon, 07 Dec 2026 09:30:00 +0000",
                          "Software": f"dltrends {__version__}"}
    # the caption is drawn: a band of text above the chart that the plain export lacks
    band = image.size[1] - plain.size[1]
    assert band >= 30
    top = image.convert("L").crop((0, 0, image.size[0], band))
    assert top.getextrema()[0] < 128  # dark glyphs on the white background
    chinese = charts.Caption("星标", "来源：GitHub API", when)
    assert Image.open(io.BytesIO(charts.to_png(chart, "zh", scale=1, caption=chinese))).text[
        "Title"] == "星标"  # iTXt: UTF-8 text
