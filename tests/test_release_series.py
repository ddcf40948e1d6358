"""The shared release analytics (minor_series, release_kinds) on the recorded PyPI data, the one
rule for yanked releases, and the dashboard queries that read them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard.queries import Query, run
from dashboard.queries.adoption import release_markers
from dashboard.queries.releases import release_cadence, release_timeline
from dashboard.queries.shared import minor_releases
from warehouse.db import connect, reader

SERIES_COLUMNS = ("framework, package, package_key, role, series, version_major, version_minor, "
                  "first_version, first_released_at, latest_version, final_releases, "
                  "days_since_previous_series")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with reader(db) as con:
        return [tuple(_plain(v) for v in r) for r in con.execute(sql, params or []).fetchall()]


def _plain(value):  # DuckDB returns TIMESTAMPTZ in the reader's zone; compare in UTC
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def series_of(db: Path, package: str, series: list[str]) -> list[tuple]:
    return rows(db, f"SELECT {SERIES_COLUMNS} FROM minor_series WHERE package = ? "
                    "AND list_contains(?, series) ORDER BY first_released_at", [package, series])


def test_minor_series_of_jax(collected_warehouse):
    """jax 0.4.0 is yanked (every file): the 0.4 series starts with 0.4.1, a day later."""
    assert series_of(collected_warehouse, "jax", ["0.3", "0.4", "0.5"]) == [
        ("jax", "jax", "jax", "primary", "0.3", 0, 3, "0.3.0", utc(2022, 2, 10, 21, 43, 48, 726857),
         "0.3.25", 25, 504),
        ("jax", "jax", "jax", "primary", "0.4", 0, 4, "0.4.1", utc(2022, 12, 13, 18, 22, 1, 402327),
         "0.4.38", 36, 306),
        ("jax", "jax", "jax", "primary", "0.5", 0, 5, "0.5.0", utc(2025, 1, 17, 17, 40, 30, 655985),
         "0.5.3", 4, 766),
    ]
    yanked = rows(collected_warehouse, "SELECT version, yanked FROM releases WHERE package = 'jax' "
                                       "AND version IN ('0.4.0', '0.4.1') ORDER BY version")
    assert yanked == [("0.4.0", True), ("0.4.1", False)]


def test_a_yanked_release_uploaded_first_never_starts_its_series(collected_warehouse):
    """tf-keras 2.20.0 was uploaded (and yanked) before 2.19.0; 2.20 starts with 2.20.1 in September."""
    assert series_of(collected_warehouse, "tf-keras", ["2.19", "2.20", "2.21"]) == [
        ("tensorflow", "tf-keras", "tf-keras", "ecosystem", "2.19", 2, 19, "2.19.0",
         utc(2025, 3, 3, 21, 24, 11, 826264), "2.19.0", 1, 130),
        ("tensorflow", "tf-keras", "tf-keras", "ecosystem", "2.20", 2, 20, "2.20.1",
         utc(2025, 9, 4, 21, 23, 40, 153428), "2.20.1", 1, 185),
        ("tensorflow", "tf-keras", "tf-keras", "ecosystem", "2.21", 2, 21, "2.21.0",
         utc(2026, 3, 18, 22, 12, 0, 662373), "2.21.0", 1, 195),
    ]


def test_a_series_whose_finals_are_all_yanked_has_no_first_release(warehouse_copy):
    """Yank every file of jax 0.5.x: the series drops out and 0.6 counts from 0.4; a release with
    some files yanked (releases.yanked false) still counts."""
    con = connect(warehouse_copy)
    con.execute("UPDATE core.pypi_releases SET yanked = true WHERE package_key = 'jax' "
                "AND version_major = 0 AND version_minor = 5")
    con.close()
    got = series_of(warehouse_copy, "jax", ["0.4", "0.5", "0.6"])
    assert [(r[4], r[7]) for r in got] == [("0.4", "0.4.1"), ("0.6", "0.6.0")]
    assert got[1][-1] == (got[1][8].date() - got[0][8].date()).days


def test_release_kinds_of_jax(collected_warehouse):
    got = rows(collected_warehouse, "SELECT framework, package, version, series, kind FROM release_kinds "
                                    "WHERE package = 'jax' AND version IN ('0.4.0', '0.4.1', '0.5.0') "
                                    "ORDER BY version")
    assert got == [("jax", "jax", "0.4.0", "0.4", "minor"), ("jax", "jax", "0.4.1", "0.4", "patch"),
                   ("jax", "jax", "0.5.0", "0.5", "minor")]
    kinds = rows(collected_warehouse, "SELECT k.kind, bool_and(r.is_prerelease), count(*) "
                                      "FROM release_kinds k JOIN releases r USING (package, version) "
                                      "GROUP BY k.kind ORDER BY k.kind")
    assert [k[0] for k in kinds] == ["major", "minor", "patch", "pre-release"]
    assert kinds[3][1] is True and sum(k[2] for k in kinds) == rows(
        collected_warehouse, "SELECT count(*) FROM releases")[0][0]


def test_pages_read_the_same_first_release(collected_warehouse):
    """Adoption markers, Compare/Framework markers, cadence and the timeline agree with the views."""
    markers = run(collected_warehouse, release_markers(["jax"], "2022-01-01"))
    assert markers.loc[markers["series"] == "jax 0.4", "day"].tolist() == [pd.Timestamp("2022-12-13")]
    labels = run(collected_warehouse, minor_releases(["tensorflow"]))
    assert "tf-keras 2.20" not in set(labels["label"])  # primary packages only
    jax = run(collected_warehouse, minor_releases(["jax"])).set_index("label")
    assert jax.loc["jax 0.4", "date"] == pd.Timestamp("2022-12-13")
    cadence = run(collected_warehouse, release_cadence(["jax"])).set_index("package")
    gaps = run(collected_warehouse, Query(
        "SELECT median(days_since_previous_series) AS m, count(*) AS n FROM minor_series "
        "WHERE package = 'jax'"))
    assert (cadence.loc["jax", "median_days"], cadence.loc["jax", "minor_releases"]) == (
        gaps["m"].iloc[0], gaps["n"].iloc[0])
    timeline = run(collected_warehouse, release_timeline(["jax"], ["primary"], True, 2022))
    assert timeline.set_index("version").loc[["0.4.0", "0.4.1"], "kind"].tolist() == ["minor", "patch"]
