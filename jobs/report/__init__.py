"""The weekly report: `dltrends report` writes one self-contained HTML file (charts embedded as
PNG data, no network needed to view it) and a Markdown version with its images beside it.

A report is a list of sections, each built from public views of the published file by a function
registered in `jobs/report/sections.py`:

    @section("new_releases", requires=("releases", "frameworks"),
             command=command_for("releases"), order=20)
    def new_releases(ctx: Context) -> Built:
        frame = ctx.query("SELECT ... WHERE released_at >= ? AND released_at < ?",
                          [ctx.start, ctx.end])
        return Built(ctx.t("new_releases.title"), [Text(...), Table(frame, {...})],
                     source=ctx.source("pypi"))

A section whose views are missing from the warehouse, or empty, is left out and the report says
which view and which command fills it (`warehouse.catalogue.command_for`); a section never
invents numbers. Its strings live in `dashboard/locales/<lang>/report.toml` (English and Chinese,
same keys). The renderers know four blocks: Text, Bullets, Table and Figure (an Altair chart,
rendered to PNG).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import pandas as pd

from dashboard.charts import Caption, to_png
from dashboard.i18n import LANGUAGES, translate
from dltrends.errors import UsageError
from jobs.session import require_published
from warehouse.db import has_rows, public_views, reader

log = logging.getLogger(__name__)


@dataclass
class Text:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    """A table: `columns` maps the frame's columns to their translated headings, in order."""

    frame: pd.DataFrame
    columns: dict[str, str]
    max_rows: int = 40


@dataclass
class Figure:
    """A chart, rendered to PNG when the section is built; `alt` describes it in words."""

    name: str
    title: str
    chart: alt.TopLevelMixin
    alt: str
    png: bytes = b""


Block = Text | Bullets | Table | Figure


@dataclass
class Built:
    """What a section builder returns: its title, its blocks and the source line under them."""

    title: str
    blocks: list[Block]
    source: str = ""


@dataclass
class SectionResult:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    source: str = ""


@dataclass(frozen=True)
class Section:
    """A registered section: the views it needs, the command that fills them, its builder."""

    id: str
    requires: tuple[str, ...]
    command: str
    order: int
    build: Callable[[Context], Built]


@dataclass
class Report:
    lang: str
    title: str
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime
    data_as_of: dt.datetime | None
    sections: list[SectionResult]
    left_out: list[str]
    failed: list[str]
    db: Path

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, f"report.{key}", **values)


@dataclass
class Context:
    """What a builder gets: a read-only connection, the period and the language."""

    con: duckdb.DuckDBPyConnection
    lang: str
    start: dt.datetime  # first instant of the period (UTC)
    end: dt.datetime  # first instant after it
    now: dt.datetime

    def t(self, key: str, **values: Any) -> str:
        """A report string (report.toml)."""
        return translate(self.lang, f"report.{key}", **values)

    def ui(self, key: str, **values: Any) -> str:
        """A string the dashboard shares (core.toml: lifecycle, kinds, status, source)."""
        return translate(self.lang, key, **values)

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def source(self, source: str) -> str:
        """'Source: PyPI JSON API, data as of 2024-05-02 06:17 UTC'. The registry and the run log
        are as fresh as the last collect of any source."""
        if source in ("registry", "warehouse"):
            rows = self.con.execute("SELECT max(last_run_at) FROM source_status").fetchall()
        else:
            rows = self.con.execute("SELECT last_success_at FROM source_status WHERE source = ?",
                                    [source]).fetchall()
        when = rows[0][0] if rows and rows[0][0] else None
        name = translate(self.lang, f"source.{source}")
        if when is None:
            return self.t("source_line_undated", source=name)
        return self.t("source_line", source=name, when=_stamp(when))

    def date(self, value: dt.datetime | dt.date) -> str:
        return f"{value:%Y-%m-%d}"


SECTIONS: list[Section] = []


def section(id: str, requires: tuple[str, ...], command: str, order: int):
    """Register a report section (see the module docstring)."""

    def register(build: Callable[[Context], Built]) -> Callable[[Context], Built]:
        if any(s.id == id for s in SECTIONS):
            raise ValueError(f"report section {id!r} is registered twice")
        SECTIONS.append(Section(id, requires, command, order, build))
        SECTIONS.sort(key=lambda s: s.order)
        return build

    return register


def period(until: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The `days` calendar days (UTC) that end with `until`, as [start, end)."""
    if days < 1:
        raise UsageError(f"--days must be at least 1 (got {days})")
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return end - dt.timedelta(days=days), end


def registered() -> list[Section]:
    """The built-in sections and any registered since, in order."""
    from jobs.report import insight as _insight  # noqa: F401  (movers, forecasts, health)
    from jobs.report import sections as _builtin  # noqa: F401  (registers the sections)

    return list(SECTIONS)


def build_report(db: Path, lang: str = "en", until: dt.date | None = None, days: int = 7,
                 now: dt.datetime | None = None, sections: list[Section] | None = None) -> Report:
    """Build the sections (default: every registered one) from the published file `db`."""
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    require_published(db)
    now = now or dt.datetime.now(dt.UTC)
    start, end = period(until or now.date(), days)
    with reader(db) as con:
        ctx = Context(con, lang, start, end, now)
        report = Report(lang, ctx.t("title"), start, end, now, _data_as_of(con), [], [], [], db)
        views = set(public_views(con))
        for spec in registered() if sections is None else sections:
            _run_section(spec, ctx, views, report)
    return report


def _run_section(spec: Section, ctx: Context, views: set[str], report: Report) -> None:
    title = ctx.t(f"{spec.id}.title")
    missing = [v for v in spec.requires if v not in views]
    if missing:
        report.left_out.append(ctx.t("left_out_missing", section=title, views=", ".join(missing),
                                     command=spec.command))
        return
    empty = [v for v in spec.requires if not has_rows(ctx.con, v)]
    if empty:
        report.left_out.append(ctx.t("left_out_empty", section=title, views=", ".join(empty),
                                     command=spec.command))
        return
    try:
        built = spec.build(ctx)
        for block in built.blocks:
            if isinstance(block, Figure):
                block.png = to_png(block.chart, ctx.lang,
                                   caption=Caption(block.title, built.source, ctx.now))
    except Exception as exc:  # one broken section must not cost the others
        log.error("report section %s failed:\n%s", spec.id, traceback.format_exc())
        report.failed.append(ctx.t("section_failed", section=title, error=str(exc).splitlines()[0]))
        return
    report.sections.append(SectionResult(spec.id, built.title, built.blocks, built.source))




def _data_as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    rows = con.execute("SELECT max(last_success_at) FROM source_status").fetchall()
    return rows[0][0] if rows else None


def _stamp(value: dt.datetime) -> str:
    return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
