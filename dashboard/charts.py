"""Altair charts used by the pages, and PNG export with a CJK-capable font."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import struct
import sys
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd
from altair.utils.data import to_values

from dltrends import __version__

log = logging.getLogger(__name__)

KIND_COLORS = {"major": "#d62728", "minor": "#1f77b4", "patch": "#9ecae1", "pre-release": "#bbbbbb"}
CJK_FONTS = ("WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, "
             "Microsoft YaHei, sans-serif")
FONT_DIRS = {
    "linux": ["/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts"],
    "darwin": ["/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts"],
    "win32": ["C:/Windows/Fonts"],
}


def timeline(releases: pd.DataFrame, events: pd.DataFrame, labels: dict[str, str]) -> alt.LayerChart:
    """Each release a tick on its framework's row, colored by kind; lifecycle events as diamonds.

    `labels` carries the translated axis and legend titles.
    """
    y = alt.Y("framework_name:N", title=None, sort=None, axis=alt.Axis(labelLimit=240))
    ticks = alt.Chart(releases).mark_tick(thickness=2, size=14).encode(
        x=alt.X("released_at:T", title=labels["date"]),
        y=y,
        color=alt.Color("kind_label:N", title=labels["kind"],
                        scale=alt.Scale(domain=list(labels["kinds"].values()),
                                        range=list(KIND_COLORS.values()))),
        tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                 alt.Tooltip("package:N", title=labels["package"]),
                 alt.Tooltip("version:N", title=labels["version"]),
                 alt.Tooltip("released_at:T", title=labels["date"], format="%Y-%m-%d")],
    )
    layers = [ticks]
    if not events.empty:
        layers.append(alt.Chart(events).mark_point(shape="diamond", size=160, filled=True,
                                                   color="#222", opacity=0.85).encode(
            x="event_date:T", y=y,
            tooltip=[alt.Tooltip("framework_name:N", title=labels["framework"]),
                     alt.Tooltip("event_date:T", title=labels["date"], format="%Y-%m-%d"),
                     alt.Tooltip("kind:N", title=labels["event"]),
                     alt.Tooltip("note:N", title=labels["note"])],
        ))
    return alt.layer(*layers).properties(height=alt.Step(34))


def cadence(frame: pd.DataFrame, labels: dict[str, str]) -> alt.LayerChart:
    """Median days between minor releases per framework and package (bars), latest gap (tick)."""
    order = list(frame.sort_values("median_days")["label"])
    base = alt.Chart(frame).encode(y=alt.Y("label:N", title=None, sort=order,
                                           axis=alt.Axis(labelLimit=260)))
    bars = base.mark_bar(color="#1f77b4").encode(
        x=alt.X("median_days:Q", title=labels["days"]),
        tooltip=[alt.Tooltip("label:N", title=labels["package"]),
                 alt.Tooltip("minor_releases:Q", title=labels["count"]),
                 alt.Tooltip("median_days:Q", title=labels["median"], format=".0f"),
                 alt.Tooltip("latest_gap_days:Q", title=labels["latest"], format=".0f")],
    )
    latest = base.mark_tick(color="#d62728", thickness=3, size=18).encode(x="latest_gap_days:Q")
    # A step height sizes each band; Streamlit treats a fixed height as the whole chart's.
    return alt.layer(bars, latest).properties(height=alt.Step(26))


def support_matrix(frame: pd.DataFrame, labels: dict[str, str],
                   python_order: list[str]) -> alt.LayerChart:
    """Python version x target (OS/architecture): number of wheels, one cell per supported pair."""
    base = alt.Chart(frame).encode(
        x=alt.X("target:N", title=labels["target"], axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("python:N", title=labels["python"], sort=python_order),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("wheels:Q", title=labels["wheels"], scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("python:N", title=labels["python"]),
                 alt.Tooltip("target:N", title=labels["target"]),
                 alt.Tooltip("wheels:Q", title=labels["wheels"]),
                 alt.Tooltip("files:N", title=labels["files"])],
    )
    text = base.mark_text(fontSize=12).encode(text="wheels:Q")
    return alt.layer(cells, text).properties(height=alt.Step(26))


@cache
def _register_fonts() -> None:
    import vl_convert as vlc

    for folder in FONT_DIRS.get(sys.platform, FONT_DIRS["linux"]):
        path = Path(folder).expanduser()
        if path.is_dir():
            vlc.register_font_directory(str(path))


@dataclass(frozen=True)
class Caption:
    """What an exported picture shared on its own says: what it shows, where the data comes from
    (e.g. the panel's "Source: PyPI JSON API, collected 2 hours ago"), and when it was made."""

    title: str
    source: str
    when: dt.datetime

    def lines(self) -> list[str]:
        return [p for p in (self.source, f"dltrends, {self.when:%Y-%m-%d}") if p]


def to_png(chart: alt.TopLevelMixin, lang: str = "en", scale: float = 2.0,
           caption: Caption | None = None) -> bytes:
    """The chart as PNG, rendered offline (no data URL is fetched), however many rows it has.

    Chinese charts use a CJK font, and Chinese month and number formats (d3 locale zh-CN); see
    docs/dashboard.md. A `caption` is drawn above the chart (its title, then the source and date)
    and stored in the PNG's text chunks (Title, Source, Creation Time, Software).
    """
    import vl_convert as vlc

    _register_fonts()
    spec = png_spec(chart, caption)
    locale = {}
    if lang == "zh":
        spec.setdefault("config", {})["font"] = CJK_FONTS
        locale = {"format_locale": "zh-CN", "time_format_locale": "zh-CN"}
    png = vlc.vegalite_to_png(spec, scale=scale, allowed_base_urls=[], **locale)
    if caption is None:
        return png
    return with_text(png, {"Title": caption.title, "Source": caption.source,
                           "Creation Time": email.utils.format_datetime(caption.when),
                           "Software": f"dltrends {__version__}"})


def png_spec(chart: alt.TopLevelMixin, caption: Caption | None = None) -> dict:
    """The Vega-Lite spec `to_png` renders: the data inline, the caption as the title."""
    spec = _inline_data(chart).to_dict()
    if caption is not None:
        spec["title"] = {"text": caption.title, "subtitle": caption.lines(), "anchor": "start",
                         "subtitleColor": "#555", "subtitlePadding": 4, "offset": 12}
    return spec


def _inline_data(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of the chart with its data frames as inline values.

    Altair's default data transformer refuses frames over 5,000 rows (MaxRowsError, a guard for
    notebooks), and switching it off is global to the process, where Streamlit converts charts on
    other threads; converting the frames here gives the same spec without touching it.
    """
    chart = chart.copy(deep=False)
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        chart.data = alt.InlineData(values=to_values(data)["values"])
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        parts = getattr(chart, attr, alt.Undefined)
        if isinstance(parts, list):
            setattr(chart, attr, [_inline_data(part) for part in parts])
    return chart


def with_text(png: bytes, fields: dict[str, str]) -> bytes:
    """`png` with a text chunk per non-empty field, before its end: tEXt where the text is
    Latin-1, else iTXt (UTF-8, e.g. a Chinese title)."""
    chunks = []
    for key, value in fields.items():
        text = " ".join(str(value).split())
        if not text:
            continue
        try:
            chunks.append(_chunk(b"tEXt", key.encode("latin-1") + b"\0" + text.encode("latin-1")))
        except UnicodeEncodeError:  # keyword, compression flag and method, language, translation
            chunks.append(_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + text.encode()))
    end = png.rindex(b"IEND") - 4  # the IEND chunk starts with its 4-byte length
    return png[:end] + b"".join(chunks) + png[end:]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def cjk_glyphs_render() -> bool:
    """True when PNG export draws Chinese glyphs (a CJK font is installed), False when two
    different Chinese labels come out as identical boxes ("tofu")."""
    pixels = [to_png(alt.Chart(pd.DataFrame({"x": [text]})).mark_text(fontSize=40).encode(
        text="x:N"), "zh", scale=1.0) for text in ("飞桨", "昇思")]
    return pixels[0] != pixels[1]
