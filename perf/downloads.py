"""Download history at scale: backfill ingest rows/s, and the Adoption page's queries.

A generated, clearly synthetic data set (perf only, never published): 10 years of daily downloads
of 60 packages (15 frameworks: a primary and three variants each) by version, as ClickPy answers
(`FORMAT JSONCompact`, one payload per package and year, the backfill's item), plus daily totals.
Each package ships a release every ~6 weeks; a day's downloads spread over the releases of the last
two years, newest the most downloaded.

1. Backfill ingest: the payloads go through the backfill's write path (`warehouse.load.save_batch`:
   raw landing, transform, upsert by key, replaced day ranges) in the job's batches of 8 items.
   Reported: rows/s for the first load, and for loading the same payloads again (a re-run).
2. Every query of the Adoption page on that warehouse, timed (best of 3, cold DuckDB connection
   each time, as the dashboard does); the heaviest one is also computed with plain pandas on a
   DataFrame already in memory, the baseline.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.base import RawItem  # noqa: E402
from collectors.clickpy import query  # noqa: E402
from dashboard.queries import Query  # noqa: E402
from dashboard.queries import adoption as queries  # noqa: E402
from dltrends.registry import load_registry  # noqa: E402
from warehouse.db import connect, open_working, transaction  # noqa: E402
from warehouse.load import save_batch  # noqa: E402
from warehouse.registry import save_registry  # noqa: E402

YEARS = range(2016, 2026)
FRAMEWORKS = 15
BATCH = 8  # items per transaction, as jobs.collect does
RNG = np.random.default_rng(4)


def registry_text() -> str:
    parts = []
    for f in range(FRAMEWORKS):
        parts.append(f'[frameworks.fw{f:02d}]\nname = "Framework {f}"\npypi = ["fw{f:02d}"]\n'
                     f'pypi_variants = ["fw{f:02d}-cpu", "fw{f:02d}-gpu", "fw{f:02d}-arm"]\n')
    return "\n".join(parts)


def releases(package_index: int) -> list[tuple[dt.date, str]]:
    """A release about every 6 weeks from 2014 on: (date, version)."""
    day, out, minor = dt.date(2014, 1, 1) + dt.timedelta(days=package_index * 3), [], 0
    while day.year < 2026:
        out.append((day, f"{1 + minor // 20}.{minor % 20}.0"))
        day += dt.timedelta(days=int(RNG.integers(28, 56)))
        minor += 1
    return out


def payloads(package: str, index: int) -> list[RawItem]:
    """One version item and one totals item per year, as ClickPy would answer them."""
    rels = releases(index)
    base = float(RNG.integers(2_000, 2_000_000))
    items, totals = [], []
    for year in YEARS:
        rows = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            live = [(d, v) for d, v in rels if d <= day and (day - d).days < 730][-25:]
            total = base * (1.0004 ** (day - dt.date(2016, 1, 1)).days)
            weights = np.array([0.8 ** (len(live) - i) for i in range(len(live))])
            counts = np.maximum((total * weights / weights.sum()).astype(int), 1)
            s = day.isoformat()
            rows += [[s, v, str(int(c))] for (_, v), c in zip(live, counts, strict=True)]
            totals.append([s, str(int(counts.sum() * 1.05)), str(int(counts.sum()))])
            day += dt.timedelta(days=1)
        items.append(item(package, "version", f"{package}:{year}", f"{year}-01-01", f"{year}-12-31",
                          ["date", "version", "downloads"], rows))
    items.append(item(package, "totals", package, "2016-01-01", "2025-12-31",
                      ["date", "with_mirrors", "without_mirrors"], totals))
    return items


def item(package, stream, key, start, end, names, rows) -> RawItem:
    result = {"meta": [{"name": n, "type": "String"} for n in names], "data": rows, "rows": len(rows)}
    payload = {"stream": stream, "package": package, "start": start, "end": end,
               "sql": query(stream), "result": result}
    return RawItem("clickpy", stream, key, dt.datetime.now(dt.UTC), "new", payload, cursor=end)


def ingest(con, items: list[RawItem]) -> tuple[float, int]:
    start, written = time.perf_counter(), 0
    for i in range(0, len(items), BATCH):
        written += save_batch(con, 1, items[i:i + BATCH])
    return time.perf_counter() - start, written


def timed_query(path: Path, q: Query, runs: int = 3) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        con = duckdb.connect(str(path), read_only=True)
        try:
            rows = len(con.execute(q.sql, list(q.params)).df())
        finally:
            con.close()
        best = min(best, time.perf_counter() - start)
    return best, rows


def pandas_version_lags(versions: pd.DataFrame, releases_on: dict[str, dt.date]) -> pd.DataFrame:
    """The version_lags query (version_adoption, minor series, one package) in plain pandas."""
    frame = versions.assign(series=versions["version"].str.rsplit(".", n=1).str[0])
    daily = frame.groupby(["series", "day"], as_index=False)["downloads"].sum()
    grid = daily.pivot(index="day", columns="series", values="downloads").fillna(0)
    grid.index = pd.to_datetime(grid.index)
    grid = grid.asfreq("D", fill_value=0)
    trailing = grid.rolling(7, min_periods=1).sum()
    share = trailing.div(trailing.sum(axis=1), axis=0).where(grid > 0)
    out = []
    for series in share.columns:
        s = share[series].dropna()
        released = pd.Timestamp(releases_on.get(series, s.index[0]))
        r25, r50 = s[s >= 0.25].index.min(), s[s >= 0.5].index.min()
        out.append((series, released, (r25 - released).days if pd.notna(r25) else None,
                    (r50 - released).days if pd.notna(r50) else None, s.max(), s.idxmax(), s.iloc[-1]))
    return pd.DataFrame(out, columns=["version", "released_on", "days_to_25", "days_to_50",
                                      "peak_share", "peak_day", "latest_share"])


PRIORITY = {"pypistats": 1, "bigquery": 2, "clickpy": 3}


def pandas_growth(rows: pd.DataFrame, framework_of: dict[str, str]) -> pd.DataFrame:
    """The growth_table query (one source per package and day, counted packages summed per
    framework, 7/28-day means, growth over 7/28/364 days, share, latest day) in plain pandas."""
    rows = rows.assign(priority=rows["source"].map(PRIORITY))
    best = rows.groupby(["package_key", "day"])["priority"].transform("min")
    chosen = rows[(rows["priority"] == best) & (rows["category"] == "without_mirrors")]
    chosen = chosen.assign(framework=chosen["package_key"].map(framework_of))
    daily = chosen.groupby(["day", "framework"])["downloads"].sum().unstack("framework")
    daily.index = pd.to_datetime(daily.index)
    daily = daily.asfreq("D")
    ma7 = daily.rolling("7D", min_periods=1).mean()
    ma28 = daily.rolling("28D", min_periods=1).mean()

    def ago(frame: pd.DataFrame, days: int) -> pd.DataFrame:
        return frame.shift(days, freq="D").reindex(frame.index)

    last = daily.index.max()
    out = pd.DataFrame({
        "downloads_ma28": ma28.loc[last],
        "wow_growth": (ma7 / ago(ma7, 7) - 1).loc[last],
        "mom_growth": (ma28 / ago(ma28, 28) - 1).loc[last],
        "yoy_growth": (ma28 / ago(ma28, 364) - 1).loc[last],
        "share_28d": ma28.div(ma28.sum(axis=1), axis=0).loc[last],
    })
    return out.sort_values("downloads_ma28", ascending=False)


def main() -> None:
    global FRAMEWORKS
    if "--frameworks" in sys.argv:  # a smaller run to try the script: --frameworks 1
        FRAMEWORKS = int(sys.argv[sys.argv.index("--frameworks") + 1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reg_path = folder / "registry.toml"
        reg_path.write_text(registry_text())
        registry = load_registry(reg_path)
        packages = [p.key for p in registry.packages()]
        gen = time.perf_counter()
        items = [i for n, p in enumerate(packages) for i in payloads(p, n)]
        rows = sum(len(i.payload["result"]["data"]) for i in items)
        gen = time.perf_counter() - gen
        work = folder / "perf.duckdb"
        con = open_working(work)
        with transaction(con):
            save_registry(con, registry)
        first, written = ingest(con, items)
        again, rewritten = ingest(con, items)
        stored = con.execute("SELECT count(*) FROM core.pypi_downloads").fetchall()[0][0]
        con.close()
        size = work.stat().st_size
        print(f"synthetic data set: {len(packages)} packages x 10 years, {len(items)} ClickPy items, "
              f"{rows:,} answer rows ({stored:,} typed rows), generated in {gen:.0f} s")
        print("backfill ingest (save_batch: raw landing, transform, upsert, replaced ranges)")
        print(f"  first load:  {rows / first:>10,.0f} rows/s  ({first:.1f} s, {written:,} rows written)")
        print(f"  same again:  {rows / again:>10,.0f} rows/s  ({again:.1f} s, {rewritten:,} rows written)")
        print(f"  warehouse file: {size / 1e6:.0f} MB")
        adoption_queries(work, registry)


def adoption_queries(work: Path, registry) -> None:
    frameworks = list(registry.frameworks)[:7]
    since = "2023-01-01"
    page = {
        "framework_downloads (weekly, 10 years)": queries.framework_downloads(
            frameworks, "2016-01-01", "week"),
        "framework_downloads (daily, since 2023)": queries.framework_downloads(frameworks, since, "day"),
        "ecosystem_share (weekly, 10 years)": queries.ecosystem_share(frameworks, "2016-01-01", "week"),
        "growth_table": queries.growth_table(frameworks),
        "version_curves (fw00, 10 years)": queries.version_curves("fw00", "2016-01-01"),
        "version_lags (fw00)": queries.version_lags("fw00"),
    }
    print("Adoption page queries (best of 3, fresh read-only connection each)")
    times = {}
    for label, q in page.items():
        seconds, n = timed_query(work, q)
        times[label] = seconds
        print(f"  {label:42s} {seconds * 1000:>8.0f} ms  ({n:,} rows)")
    heaviest = max(times, key=times.get)
    print(f"  heaviest: {heaviest}")
    con = connect(work, read_only=True)
    totals = con.execute("SELECT package_key, day, category, source, downloads FROM core.pypi_downloads "
                         "WHERE dimension = 'total'").df()
    versions = con.execute("SELECT day, category AS version, downloads FROM core.pypi_downloads "
                           "WHERE package_key = 'fw00' AND dimension = 'version'").df()
    con.close()
    framework_of = {p.key: p.framework for p in registry.packages()}
    releases_on = {f"{v.rsplit('.', 1)[0]}": d for d, v in reversed(releases(0))}
    with duckdb.connect(str(work), read_only=True) as check:
        q = page["growth_table"]
        db_growth = check.execute(q.sql, list(q.params)).df()
    pd_growth = pandas_growth(totals, framework_of)
    same = np.allclose(sorted(db_growth["yoy_growth"]), sorted(pd_growth["yoy_growth"]
                       .loc[list(frameworks)]), rtol=1e-9) and np.allclose(
        sorted(db_growth["downloads_ma28"]), sorted(pd_growth["downloads_ma28"].loc[list(frameworks)]))
    print(f"baseline: the same computations in plain pandas, on DataFrames already in memory "
          f"(growth answers identical: {'yes' if same else 'NO'})")
    for label, fn, rows in (
        ("growth_table", lambda: pandas_growth(totals, framework_of), len(totals)),
        ("version_lags (fw00)", lambda: pandas_version_lags(versions, releases_on), len(versions)),
    ):
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        print(f"  {label:24s} pandas {seconds * 1000:>6.0f} ms on {rows:,} rows | DuckDB view "
              f"{times[label] * 1000:>6.0f} ms on the warehouse (read from disk, all packages)")


if __name__ == "__main__":
    main()
