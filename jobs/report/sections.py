"""The report's built-in sections, from the views that exist today (releases, frameworks,
framework_events, source_status, collector_runs). A later signal (downloads, GitHub, advisories,
benchmarks) adds its own section here or in its own module with `@section` (see jobs/report)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from dashboard import charts
from jobs.report import Built, Bullets, Context, Figure, Table, Text, section
from warehouse.catalogue import command_for

PYPI = command_for("releases")
STALE_AFTER = dt.timedelta(hours=48)  # a source whose last success is older is called stale
MOVERS_WINDOW = 90  # days compared with the same number of days before


@section("overview", requires=("frameworks", "releases"), command=PYPI, order=10)
def overview(ctx: Context) -> Built:
    """Every framework: lifecycle, latest final release, releases in the period and the year."""
    frame = ctx.query("""
WITH finals AS (
    SELECT * FROM releases
    WHERE role = 'primary' AND NOT coalesce(is_prerelease, true) AND released_at < ?
), latest AS (
    SELECT framework, arg_max(package || ' ' || version, released_at) AS latest_release,
           max(released_at) AS latest_release_at,
           count(*) FILTER (WHERE released_at >= ?) AS period_releases,
           count(*) FILTER (WHERE released_at >= ? - INTERVAL 365 DAY) AS year_releases
    FROM finals GROUP BY framework
)
SELECT f.framework, f.name, f.status, s.name AS successor, l.latest_release,
       l.latest_release_at, date_diff('day', l.latest_release_at, ?::TIMESTAMPTZ) AS days_since,
       coalesce(l.period_releases, 0) AS period_releases,
       coalesce(l.year_releases, 0) AS year_releases
FROM frameworks f LEFT JOIN latest l USING (framework)
LEFT JOIN frameworks s ON s.framework = f.successor
ORDER BY f.registry_order""", [ctx.end, ctx.start, ctx.end, ctx.end])
    frame["status_label"] = frame["status"].map(lambda s: ctx.ui(f"lifecycle.{s}"))
    counts = frame["status"].value_counts()
    summary = ctx.t("overview.summary", n=len(frame), active=int(counts.get("active", 0)),
                    period=int(frame["period_releases"].sum()),
                    year=int(frame["year_releases"].sum()))
    columns = {k: ctx.t(f"overview.col_{k}") for k in (
        "name", "status_label", "successor", "latest_release", "latest_release_at", "days_since",
        "period_releases", "year_releases")}
    blocks = [Text(summary), Table(frame, columns)]
    active = frame[frame["year_releases"] > 0]
    if not active.empty:
        blocks.append(Figure("activity", ctx.t("overview.chart"), _activity_chart(active, ctx),
                             ctx.t("overview.chart_alt")))
    return Built(ctx.t("overview.title"), blocks, ctx.source("pypi"))


def _activity_chart(frame: pd.DataFrame, ctx: Context) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year_releases:Q", title=ctx.t("overview.col_year_releases"),
                axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("name:N", title=None, sort="-x"),
        color=alt.Color("status_label:N", title=ctx.t("overview.col_status_label")),
    ).properties(width=560, height=alt.Step(20))


@section("new_releases", requires=("releases", "frameworks"), command=PYPI, order=20)
def new_releases(ctx: Context) -> Built:
    """Releases (final and pre-releases) of counted packages in the period; the year's timeline."""
    frame = ctx.query("""
SELECT f.name AS framework_name, r.package, r.version, k.kind, r.released_at, r.yanked
FROM releases r JOIN frameworks f USING (framework)
JOIN release_kinds k ON k.package = r.package AND k.version = r.version
WHERE r.role IN ('primary', 'variant') AND r.released_at >= ? AND r.released_at < ?
ORDER BY r.released_at DESC, r.package""", [ctx.start, ctx.end])
    frame["kind"] = frame["kind"].map(lambda k: ctx.ui(f"kinds.{k}"))
    if frame.empty:
        blocks = [Text(ctx.t("new_releases.none", start=ctx.date(ctx.start),
                             end=ctx.date(ctx.end - dt.timedelta(days=1))))]
    else:
        text = ctx.t("new_releases.summary", n=len(frame),
                     frameworks=frame["framework_name"].nunique())
        columns = {k: ctx.t(f"new_releases.col_{k}") for k in (
            "framework_name", "package", "version", "kind", "released_at", "yanked")}
        blocks = [Text(text), Table(frame, columns)]
    timeline = _year_timeline(ctx)
    if timeline is not None:
        blocks.append(Figure("timeline", ctx.t("new_releases.chart"), timeline,
                             ctx.t("new_releases.chart_alt")))
    return Built(ctx.t("new_releases.title"), blocks, ctx.source("pypi"))


def _year_timeline(ctx: Context) -> alt.LayerChart | None:
    releases = ctx.query("""
SELECT f.name AS framework_name, r.package, r.version, r.released_at, k.kind
FROM releases r JOIN frameworks f USING (framework)
JOIN release_kinds k ON k.package = r.package AND k.version = r.version
WHERE r.role = 'primary' AND r.released_at >= ?::TIMESTAMPTZ - INTERVAL 365 DAY
  AND r.released_at < ?
ORDER BY f.registry_order, r.released_at""", [ctx.end, ctx.end])
    if releases.empty:
        return None
    events = ctx.query("""
SELECT f.name AS framework_name, e.event_date, e.kind, e.note
FROM framework_events e JOIN frameworks f USING (framework)
WHERE e.event_date >= (?::TIMESTAMPTZ - INTERVAL 365 DAY)::DATE AND e.event_date < ?::DATE
  AND e.framework IN (SELECT framework FROM releases WHERE released_at >= ?::TIMESTAMPTZ - INTERVAL 365 DAY)
""", [ctx.end, ctx.end, ctx.end])
    kinds = {k: ctx.ui(f"kinds.{k}") for k in charts.KIND_COLORS}
    releases["kind_label"] = releases["kind"].map(kinds)
    labels = {k: ctx.t(f"chart.{k}") for k in ("date", "kind", "framework", "package", "version",
                                               "event", "note")} | {"kinds": kinds}
    return charts.timeline(releases, events, labels).properties(width=640)


@section("regressions", requires=("releases", "frameworks"), command=PYPI, order=30)
def regressions(ctx: Context) -> Built:
    """New final releases that dropped Python versions, platforms or architectures their
    predecessor supported (wheel tags), and releases of the period that are now yanked."""
    changes = ctx.query("""
WITH finals AS (
    SELECT framework, package, version, version_rank, released_at, python_versions, platforms,
           architectures
    FROM releases
    WHERE role IN ('primary', 'variant') AND NOT coalesce(is_prerelease, true)
      AND version_rank IS NOT NULL AND file_count > 0 AND released_at < ?
), paired AS (
    SELECT *, lag(version) OVER w AS previous, lag(python_versions) OVER w AS prev_python,
           lag(platforms) OVER w AS prev_platforms, lag(architectures) OVER w AS prev_arch
    FROM finals WINDOW w AS (PARTITION BY package ORDER BY version_rank)
)
SELECT f.name AS framework_name, p.package, p.previous, p.version, p.released_at,
       list_filter(p.prev_python, lambda x: NOT list_contains(p.python_versions, x)) AS python_dropped,
       list_filter(p.prev_platforms, lambda x: NOT list_contains(p.platforms, x)) AS platforms_dropped,
       list_filter(p.prev_arch, lambda x: NOT list_contains(p.architectures, x)) AS arch_dropped,
       list_filter(p.python_versions, lambda x: NOT list_contains(p.prev_python, x)) AS python_added
FROM paired p JOIN frameworks f USING (framework)
WHERE p.released_at >= ? AND p.previous IS NOT NULL
ORDER BY p.released_at DESC""", [ctx.end, ctx.start])
    dropped = changes[changes[["python_dropped", "platforms_dropped", "arch_dropped"]]
                      .map(len).sum(axis=1) > 0]
    yanked = ctx.query("""
SELECT f.name AS framework_name, r.package, r.version, r.released_at, r.yanked_reason
FROM releases r JOIN frameworks f USING (framework)
WHERE r.yanked AND r.released_at >= ? AND r.released_at < ? ORDER BY r.released_at DESC""",
                       [ctx.start, ctx.end])
    blocks: list = [Text(ctx.t("regressions.intro", n=len(changes)))]
    if dropped.empty:
        blocks.append(Text(ctx.t("regressions.none_dropped")))
    else:
        blocks.append(Table(dropped, {k: ctx.t(f"regressions.col_{k}") for k in (
            "framework_name", "package", "previous", "version", "python_dropped",
            "platforms_dropped", "arch_dropped", "python_added")}))
    if yanked.empty:
        blocks.append(Text(ctx.t("regressions.none_yanked")))
    else:
        blocks.append(Text(ctx.t("regressions.yanked", n=len(yanked))))
        blocks.append(Table(yanked, {k: ctx.t(f"regressions.col_{k}") for k in (
            "framework_name", "package", "version", "released_at", "yanked_reason")}))
    return Built(ctx.t("regressions.title"), blocks, ctx.source("pypi"))


@section("release_movers", requires=("releases", "frameworks"), command=PYPI, order=40)
def release_movers(ctx: Context) -> Built:
    """Final releases of primary packages in the last 90 days against the 90 days before."""
    frame = ctx.query("""
SELECT f.name AS framework_name,
       count(*) FILTER (WHERE r.released_at >= ?::TIMESTAMPTZ - to_days(?)) AS recent,
       count(*) FILTER (WHERE r.released_at < ?::TIMESTAMPTZ - to_days(?)) AS previous
FROM releases r JOIN frameworks f USING (framework)
WHERE r.role = 'primary' AND NOT coalesce(r.is_prerelease, true)
  AND r.released_at >= ?::TIMESTAMPTZ - to_days(2 * ?) AND r.released_at < ?
GROUP BY f.name, f.registry_order
ORDER BY f.registry_order""", [ctx.end, MOVERS_WINDOW] * 3 + [ctx.end])
    frame["change"] = frame["recent"] - frame["previous"]
    movers = frame[frame["change"] != 0].copy()
    movers = movers.reindex(movers["change"].abs().sort_values(ascending=False).index).head(12)
    blocks: list = [Text(ctx.t("release_movers.intro", days=MOVERS_WINDOW))]
    if movers.empty:
        blocks.append(Text(ctx.t("release_movers.none")))
    else:
        up = movers[movers["change"] > 0]["framework_name"].tolist()
        down = movers[movers["change"] < 0]["framework_name"].tolist()
        sep = ctx.t("list_separator")
        blocks.append(Bullets([ctx.t("release_movers.up", names=sep.join(up) or "-"),
                               ctx.t("release_movers.down", names=sep.join(down) or "-")]))
        blocks.append(Table(movers, {k: ctx.t(f"release_movers.col_{k}", days=MOVERS_WINDOW)
                                     for k in ("framework_name", "recent", "previous", "change")}))
        blocks.append(Figure("movers", ctx.t("release_movers.chart", days=MOVERS_WINDOW),
                             _movers_chart(movers, ctx), ctx.t("release_movers.chart_alt")))
    return Built(ctx.t("release_movers.title"), blocks, ctx.source("pypi"))


def _movers_chart(frame: pd.DataFrame, ctx: Context) -> alt.Chart:
    frame = frame.assign(direction=frame["change"].map(
        lambda c: ctx.t("release_movers.more") if c > 0 else ctx.t("release_movers.fewer")))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("change:Q", title=ctx.t("release_movers.col_change", days=MOVERS_WINDOW),
                axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("framework_name:N", title=None, sort="-x"),
        color=alt.Color("direction:N", title=None, scale=alt.Scale(
            domain=[ctx.t("release_movers.more"), ctx.t("release_movers.fewer")],
            range=["#2ca02c", "#d62728"])),
    ).properties(width=520, height=alt.Step(22))


@section("data_health", requires=("source_status",), command=command_for("source_status"), order=90)
def data_health(ctx: Context) -> Built:
    """Stale and failing sources, and the runs of the period that failed, with their errors."""
    status = ctx.query("SELECT * FROM source_status ORDER BY source")
    cutoff = ctx.now - STALE_AFTER
    stale = status[status["last_success_at"].isna() | (status["last_success_at"] < cutoff)]
    failing = status[(status["last_status"] == "failed") | (status["failed_of_last_5"] >= 2)]
    runs = ctx.query("""
SELECT run_id, source, status, started_at, items_failed, error FROM collector_runs
WHERE started_at >= ? AND started_at < ? AND status IN ('failed', 'partial', 'deferred')
ORDER BY run_id DESC""", [ctx.start, ctx.end])
    hours = int(STALE_AFTER.total_seconds() // 3600)
    sep = ctx.t("list_separator")
    items = [ctx.t("data_health.stale", names=sep.join(stale["source"]), hours=hours)
             if not stale.empty else ctx.t("data_health.fresh", n=len(status), hours=hours)]
    if not failing.empty:
        items.append(ctx.t("data_health.failing", names=sep.join(failing["source"])))
    items.append(ctx.t("data_health.runs", n=len(runs)))
    status["last_status"] = status["last_status"].map(lambda s: ctx.ui(f"status.{s}"))
    blocks: list = [Bullets(items), Table(status, {k: ctx.t(f"data_health.col_{k}") for k in (
        "source", "last_status", "last_success_at", "failed_of_last_5", "runs")})]
    if not runs.empty:
        runs["error"] = runs["error"].fillna("").str.slice(0, 400)
        blocks.append(Table(runs, {k: ctx.t(f"data_health.col_{k}") for k in (
            "run_id", "source", "status", "started_at", "items_failed", "error")}, max_rows=20))
    return Built(ctx.t("data_health.title"), blocks, ctx.source("warehouse"))
