"""Render a built report as one self-contained HTML file and as Markdown with PNGs beside it.

The HTML needs no network: styles are inline, charts are PNG data URIs, and a Content Security
Policy forbids every other load. All text from the warehouse is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import numbers
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dltrends import __version__
from jobs.report import Bullets, Figure, Report, SectionResult, Table, Text

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
FONTS = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
         "'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif")
STYLE = f"""
body {{ font-family: {FONTS}; max-width: 1100px; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; line-height: 1.5; }}
h1 {{ margin-bottom: .2rem; }} h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: .2rem;
       margin-top: 2.2rem; }}
.meta, .source, figcaption, .more {{ color: #59636e; font-size: .9rem; }}
table {{ border-collapse: collapse; margin: .8rem 0; font-size: .88rem; display: block;
        overflow-x: auto; }}
th, td {{ border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }}
th {{ background: #f6f8fa; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1rem 0; }} img {{ max-width: 100%; height: auto; }}
nav ul {{ columns: 2; }} .left-out li {{ color: #59636e; }}
"""


@dataclass
class Written:
    html: Path
    markdown: Path
    images: list[Path]


def write(report: Report, out: Path) -> Written:
    """Write `<stem>.html`, `<stem>.md` and `<stem>/<chart>.png` under `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"dltrends-report-{(report.end - dt.timedelta(days=1)):%Y-%m-%d}-{report.lang}"
    assets = out / stem
    assets.mkdir(exist_ok=True)
    images = []
    for figure in figures(report):
        path = assets / f"{figure.name}.png"
        _atomic_write(path, figure.png)
        images.append(path)
    page, text = out / f"{stem}.html", out / f"{stem}.md"
    _atomic_write(page, to_html(report).encode("utf-8"))
    _atomic_write(text, to_markdown(report, stem).encode("utf-8"))
    return Written(page, text, images)


def figures(report: Report) -> list[Figure]:
    return [b for s in report.sections for b in s.blocks if isinstance(b, Figure)]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# HTML

def to_html(report: Report) -> str:
    esc = html.escape
    lang = "zh-CN" if report.lang == "zh" else report.lang
    parts = [f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(report.title)} · {esc(_period(report))}</title>",
             f"<style>{STYLE}</style>\n</head>\n<body>", "<header>",
             f"<h1>{esc(report.title)}</h1>", f'<p class="meta">{esc(_meta(report))}</p>',
             "</header>", _toc(report)]
    for section in report.sections:
        parts.append(_html_section(section))
    parts.append(_html_notes(report))
    parts.append(f'<footer><p class="meta">{esc(report.t("footer", version=__version__))}'
                 "</p></footer>\n</body>\n</html>\n")
    return "\n".join(parts)


def _toc(report: Report) -> str:
    items = "".join(f'<li><a href="#{s.id}">{html.escape(s.title)}</a></li>'
                    for s in report.sections)
    return f"<nav><ul>{items}</ul></nav>"


def _html_section(section: SectionResult) -> str:
    parts = [f'<section id="{section.id}">', f"<h2>{html.escape(section.title)}</h2>"]
    for block in section.blocks:
        parts.append(_html_block(block))
    if section.source:
        parts.append(f'<p class="source">{html.escape(section.source)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _html_block(block: Any) -> str:
    esc = html.escape
    if isinstance(block, Text):
        return f"<p>{esc(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Figure):
        width, height = png_size(block.png)
        data = base64.b64encode(block.png).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(block.alt)}" '
                f'width="{width // 2}" height="{height // 2}">'
                f"<figcaption>{esc(block.title)}</figcaption></figure>")
    return _html_table(block)


def _html_table(table: Table) -> str:
    frame = table.frame.head(table.max_rows)
    head = "".join(f"<th>{html.escape(label)}</th>" for label in table.columns.values())
    rows = []
    for record in frame[list(table.columns)].itertuples(index=False):
        cells = "".join(
            f'<td class="num">{html.escape(cell(v))}</td>' if _numeric(v)
            else f"<td>{html.escape(cell(v))}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    more = _more(table)
    tail = f'<p class="more">{html.escape(more)}</p>' if more else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{tail}"


def _html_notes(report: Report) -> str:
    notes = report.left_out + report.failed
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (f'<section id="left-out" class="left-out"><h2>{html.escape(report.t("left_out"))}'
            f"</h2><ul>{items}</ul></section>")


# Markdown

MD_SPECIALS = re.compile(r"([\\`*_{}\[\]<>|#])")


def to_markdown(report: Report, stem: str) -> str:
    parts = [f"# {_md(report.title)}", "", f"_{_md(_meta(report))}_", ""]
    for section in report.sections:
        parts += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            parts += [_md_block(block, stem), ""]
        if section.source:
            parts += [f"_{_md(section.source)}_", ""]
    notes = report.left_out + report.failed
    if notes:
        parts += [f"## {_md(report.t('left_out'))}", ""] + [f"- {_md(n)}" for n in notes] + [""]
    parts += [f"_{_md(report.t('footer', version=__version__))}_", ""]
    return "\n".join(parts)


def _md_block(block: Any, stem: str) -> str:
    if isinstance(block, Text):
        return _md(block.text)
    if isinstance(block, Bullets):
        return "\n".join(f"- {_md(i)}" for i in block.items)
    if isinstance(block, Figure):
        return f"![{_md(block.alt)}]({stem}/{block.name}.png)\n\n_{_md(block.title)}_"
    frame = block.frame.head(block.max_rows)
    lines = ["| " + " | ".join(_md(c) for c in block.columns.values()) + " |",
             "|" + "|".join("---:" if _numeric_column(frame[c]) else "---" for c in block.columns)
             + "|"]
    for record in frame[list(block.columns)].itertuples(index=False):
        lines.append("| " + " | ".join(_md(cell(v)) for v in record) + " |")
    more = _more(block)
    return "\n".join(lines) + (f"\n\n_{_md(more)}_" if more else "")


def _md(text: str) -> str:
    return MD_SPECIALS.sub(r"\\\1", str(text).replace("\r", " ").replace("\n", " "))


# Shared

def cell(value: Any) -> str:
    """A table cell as text: dates in UTC, lists joined, missing values empty."""
    if value is None or value is pd.NaT or value is pd.NA or (
            isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = pd.Timestamp(value)
        value = value.tz_convert("UTC") if value.tzinfo else value
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "✓" if value else ""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    return str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


def _numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _more(table: Table) -> str:
    hidden = len(table.frame) - table.max_rows
    return f"… +{hidden}" if hidden > 0 else ""


def _period(report: Report) -> str:
    last = report.end - dt.timedelta(days=1)
    return f"{report.start:%Y-%m-%d} – {last:%Y-%m-%d}"


def _meta(report: Report) -> str:
    as_of = f"{report.data_as_of.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if report.data_as_of \
        else report.t("never")
    return report.t("meta", period=_period(report), as_of=as_of,
                    generated=f"{report.generated_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])
