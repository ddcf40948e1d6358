"""Report sections from the analysis layer: movers by downloads and by stars over the
report's period, forecasts 90 days ahead with their backtest, and the health score per framework.
Each reads the same public views as the dashboard's insight pages and computes with
dltrends.analysis, on the data before the period's end only."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.queries import Query, execute, shared
from dltrends.analysis import forecast, scoring
from jobs.report import Built, Bullets, Context, Figure, Table, Text, section
from warehouse.catalogue import FILL, command_for

DOWNLOADS = FILL["downloads_daily"][0]  # the daily one (a backfill loads the history once)
STARS = command_for("star_history")
HEALTH = command_for("framework_health")


def _series(ctx: Context, query: Query) -> pd.DataFrame:
    """A signal's long series cut at the period's end, with framework names."""
    frame = execute(ctx.con, query)
    if frame.empty:
        return frame
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    names = ctx.query("SELECT framework, name FROM frameworks")
    frame = frame[frame["date"] < pd.Timestamp(ctx.end)]
    return frame.merge(names, on="framework")


def _days(ctx: Context) -> int:
    return (ctx.end - ctx.start).days


@section("download_movers", requires=("downloads_daily", "frameworks"), command=DOWNLOADS, order=42)
def download_movers(ctx: Context) -> Built:
    """PyPI downloads of each framework in the period against the same number of days before."""
    days = _days(ctx)
    daily = _series(ctx, shared.downloads_series(None, None))
    rows = []
    for (_, name), one in daily.groupby(["framework", "name"]) if not daily.empty else []:
        recent = one[one["date"] >= pd.Timestamp(ctx.start)]
        before = one[(one["date"] < pd.Timestamp(ctx.start))
                     & (one["date"] >= pd.Timestamp(ctx.start) - pd.Timedelta(days=days))]
        if recent["date"].nunique() == days and before["date"].nunique() == days:
            rows.append((name, recent["value"].sum(), before["value"].sum()))
    frame = pd.DataFrame(rows, columns=["framework_name", "recent", "previous"])
    if frame.empty:
        last = daily["date"].max().date().isoformat() if not daily.empty else "-"
        return Built(ctx.t("download_movers.title"),
                     [Text(ctx.t("download_movers.none", days=days, last=last, command=DOWNLOADS))],
                     ctx.source("pypistats"))
    frame["change"] = frame["recent"] / frame["previous"] - 1
    return _movers(ctx, "download_movers", frame, "pypistats", days)


@section("star_movers", requires=("star_history", "frameworks"), command=STARS, order=44)
def star_movers(ctx: Context) -> Built:
    """GitHub stars gained by each framework in the period against the same number of days before."""
    days = _days(ctx)
    stars = _series(ctx, shared.stars_series(None))
    rows = []
    for (_, name), one in stars.groupby(["framework", "name"]) if not stars.empty else []:
        at = [one.loc[one["date"] < pd.Timestamp(ctx.end) - pd.Timedelta(days=k * days), "value"]
              for k in (0, 1, 2)]
        if all(len(a) for a in at):
            rows.append((name, at[0].iloc[-1] - at[1].iloc[-1], at[1].iloc[-1] - at[2].iloc[-1]))
    frame = pd.DataFrame(rows, columns=["framework_name", "recent", "previous"])
    if frame.empty:
        return Built(ctx.t("star_movers.title"),
                     [Text(ctx.t("star_movers.none", days=days, command=STARS))],
                     ctx.source("github-history"))
    frame["change"] = (frame["recent"] / frame["previous"].where(frame["previous"] > 0)) - 1
    return _movers(ctx, "star_movers", frame, "github-history", days)


def _movers(ctx: Context, key: str, frame: pd.DataFrame, source: str, days: int) -> Built:
    frame = frame.reindex(frame["change"].abs().sort_values(ascending=False).index)
    sep = ctx.t("list_separator")
    up = frame[frame["change"] > 0]["framework_name"].head(5).tolist()
    down = frame[frame["change"] < 0]["framework_name"].head(5).tolist()
    columns = {k: ctx.t(f"{key}.col_{k}", days=days)
               for k in ("framework_name", "recent", "previous", "change")}
    chart = alt.Chart(frame.dropna(subset=["change"])).mark_bar().encode(
        x=alt.X("change:Q", title=columns["change"], axis=alt.Axis(format="%")),
        y=alt.Y("framework_name:N", title=None, sort="-x"),
        color=alt.condition("datum.change > 0", alt.value("#2ca02c"), alt.value("#d62728")),
    ).properties(width=520, height=alt.Step(22))
    blocks = [Text(ctx.t(f"{key}.intro", days=days)),
              Bullets([ctx.t("movers.up", names=sep.join(up) or "-"),
                       ctx.t("movers.down", names=sep.join(down) or "-")]),
              Table(frame, columns)]
    if frame["change"].notna().any():
        blocks.append(Figure(key, ctx.t(f"{key}.chart", days=days), chart, ctx.t(f"{key}.chart_alt")))
    return Built(ctx.t(f"{key}.title"), blocks, ctx.source(source))


@section("forecasts", requires=("frameworks",), command=f"{DOWNLOADS}` / `{STARS}", order=50)
def forecasts(ctx: Context) -> Built:
    """Downloads and stars 90 days after the period, with the backtest error of the method."""
    rows, short = [], []
    for signal, kind, query in (("downloads", "flow", shared.downloads_series(None, None)),
                                ("stars", "stock", shared.stars_series(None))):
        data = _series(ctx, query)
        for (_, name), one in data.groupby(["framework", "name"]) if not data.empty else []:
            ahead, test = forecast.forecast(one, kind), forecast.backtest(one, kind)
            if ahead is None:
                short.append(f"{name} ({ctx.t(f'forecasts.signal_{signal}')})")
                continue
            end = ahead.iloc[-1]
            rows.append((name, ctx.t(f"forecasts.signal_{signal}"), end["week"].date(), end["mean"],
                         end["lo80"], end["hi80"], test.mape if test else None,
                         test.coverage80 if test else None))
    frame = pd.DataFrame(rows, columns=["framework_name", "signal", "week", "mean", "lo80", "hi80",
                                        "mape", "coverage80"])
    blocks: list = [Text(ctx.t("forecasts.intro"))]
    if not frame.empty:
        blocks.append(Table(frame, {k: ctx.t(f"forecasts.col_{k}") for k in frame.columns}))
    else:
        blocks.append(Text(ctx.t("forecasts.none", command=f"{DOWNLOADS}` / `{STARS}")))
    if short:
        blocks.append(Text(ctx.t("forecasts.short", names=ctx.t("list_separator").join(short),
                                 weeks=forecast.MIN_WEEKS)))
    return Built(ctx.t("forecasts.title"), blocks, ctx.source("github-history"))


@section("health", requires=("framework_health",), command=HEALTH, order=60)
def health(ctx: Context) -> Built:
    """The health score of every framework, its coverage, and the components that pull it down."""
    facts = ctx.query("SELECT * FROM framework_health")
    rows = []
    for _, row in facts.iterrows():
        score = scoring.health(row)
        weak = [ctx.ui(f"insight.component_{name}") for name, (_, part, _) in score.components.items()
                if part is not None and part < 0.5]
        rows.append((row["framework_name"], ctx.ui(f"lifecycle.{row['status']}"), score.total,
                     score.coverage, ctx.t("list_separator").join(weak)))
    frame = pd.DataFrame(rows, columns=["framework_name", "status", "score", "coverage", "weak"])
    thin = frame[frame["coverage"] < scoring.MIN_COVERAGE]
    frame = frame[frame["coverage"] >= scoring.MIN_COVERAGE].sort_values("score", ascending=False)
    blocks: list = [Text(ctx.t("health.intro"))]
    if not frame.empty:
        blocks.append(Table(frame, {k: ctx.t(f"health.col_{k}") for k in frame.columns}))
    if not thin.empty:  # a score from a fact or two would read as a verdict
        blocks.append(Text(ctx.t("health.thin", names=ctx.t("list_separator").join(
            thin["framework_name"]), needed=f"{scoring.MIN_COVERAGE:.0%}", command=HEALTH)))
    scored = frame.dropna(subset=["score"])
    if not scored.empty:
        chart = alt.Chart(scored).mark_bar(color="#4c78a8").encode(
            x=alt.X("score:Q", title=ctx.t("health.col_score"), scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("framework_name:N", title=None, sort="-x"),
        ).properties(width=520, height=alt.Step(20))
        blocks.append(Figure("health", ctx.t("health.chart"), chart, ctx.t("health.chart_alt")))
    return Built(ctx.t("health.title"), blocks, ctx.source("pypi"))

