"""Chart PNG export (every panel's PNG button, the report's images): Chinese glyphs really drawn,
nothing fetched from the network."""

from __future__ import annotations

import io
import subprocess

import altair as alt
import pandas as pd
import pytest
from PIL import Image, ImageChops

from dashboard import charts


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
