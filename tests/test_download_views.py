"""The download views on hand-made core rows: roles, precedence, moving averages, adoption lag."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dltrends.registry import load_registry
from tests.support.settings import write_registry
from warehouse.db import open_working
from warehouse.registry import save_registry
from warehouse.store import upsert

REGISTRY = """
[frameworks.tensorflow]
name = "TensorFlow"
pypi = ["tensorflow"]
pypi_variants = ["tensorflow-cpu"]
ecosystem = ["tensorboard"]

[frameworks.jax]
name = "JAX"
pypi = ["jax"]
pypi_companions = ["jaxlib"]

[frameworks.pytorch]
name = "PyTorch"
pypi = ["torch"]
"""
D = dt.date(2024, 3, 1)


@pytest.fixture
def con(tmp_path):
    connection = open_working(tmp_path / "w.duckdb")
    save_registry(connection, load_registry(write_registry(tmp_path, REGISTRY)))
    yield connection
    connection.close()


def put(con, rows: list[tuple]) -> None:
    """rows: (package_key, dimension, day, category, source, downloads)."""
    frame = pd.DataFrame(rows, columns=["package_key", "dimension", "day", "category", "source",
                                        "downloads"])
    upsert(con, "core.pypi_downloads", frame)


def totals(package, day, source, without, with_mirrors=None):
    return [(package, "total", day, "without_mirrors", source, without),
            (package, "total", day, "with_mirrors", source, with_mirrors or without + 1)]


def q(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_framework_totals_add_only_primary_and_variant_packages(con):
    put(con, totals("tensorflow", D, "pypistats", 100) + totals("tensorflow-cpu", D, "pypistats", 20)
        + totals("tensorboard", D, "pypistats", 500) + totals("jax", D, "pypistats", 50)
        + totals("jaxlib", D, "pypistats", 80))
    got = q(con, "SELECT framework, downloads, packages, round(share, 4) FROM framework_downloads_daily "
                 "ORDER BY framework")
    assert got == [("jax", 50, 1, round(50 / 170, 4)), ("tensorflow", 120, 2, round(120 / 170, 4))]
    roles = q(con, "SELECT package, role, counted FROM downloads_daily WHERE category = 'without_mirrors' "
                   "ORDER BY package")
    assert roles == [("jax", "primary", True), ("jaxlib", "companion", False),
                     ("tensorboard", "ecosystem", False), ("tensorflow", "primary", True),
                     ("tensorflow-cpu", "variant", True)]


def test_one_source_per_package_day_dimension_and_the_disagreement_is_kept(con):
    before = D - dt.timedelta(days=1)
    put(con, totals("tensorflow", D, "pypistats", 100, 110) + totals("tensorflow", D, "clickpy", 103, 112)
        + totals("tensorflow", before, "clickpy", 90, 95)
        + [("tensorflow", "python", D, v, src, n) for v, src, n in (
            ("3.11", "pypistats", 60), ("3.12", "pypistats", 40), ("3.11", "clickpy", 58),
            ("3.13", "clickpy", 45))])
    daily = q(con, "SELECT day, category, downloads, source FROM downloads_daily ORDER BY ALL")
    assert daily == [(before, "with_mirrors", 95, "clickpy"), (before, "without_mirrors", 90, "clickpy"),
                     (D, "with_mirrors", 110, "pypistats"), (D, "without_mirrors", 100, "pypistats")]
    assert q(con, "SELECT day, downloads, source FROM framework_downloads_daily ORDER BY day") == [
        (before, 90, "clickpy"), (D, 100, "pypistats")]
    python = q(con, "SELECT python_version, downloads, share, source FROM downloads_by_python ORDER BY 1")
    assert python == [("3.11", 60, 0.6, "pypistats"), ("3.12", 40, 0.4, "pypistats")]  # no clickpy 3.13
    compared = q(con, "SELECT day, category, pypistats, clickpy, bigquery, chosen_source, "
                      "round(relative_difference, 4) FROM download_source_comparison ORDER BY category")
    assert compared == [(D, "with_mirrors", 110, 112, None, "pypistats", round(2 / 110, 4)),
                        (D, "without_mirrors", 100, 103, None, "pypistats", 0.03)]
    # BigQuery outranks clickpy where pypistats has nothing
    put(con, totals("tensorflow", before, "bigquery", 91, 96))
    assert q(con, "SELECT downloads, source FROM framework_downloads_daily WHERE day = ?", [before]) == [
        (91, "bigquery")]


def test_moving_averages_and_growth(con):
    start = dt.date(2023, 1, 1)
    rows = []
    for i in range(400):
        rows += totals("torch", start + dt.timedelta(days=i), "clickpy", 1000 + i)
    put(con, rows)
    day = start + dt.timedelta(days=399)  # downloads 1399
    got = q(con, "SELECT downloads, downloads_ma7, downloads_ma28, wow_growth, mom_growth, yoy_growth "
                 "FROM framework_downloads_daily WHERE day = ?", [day])[0]
    ma7, ma28 = sum(range(1393, 1400)) / 7, sum(range(1372, 1400)) / 28
    assert got[:3] == (1399, ma7, ma28)
    assert got[3] == pytest.approx(ma7 / (ma7 - 7) - 1)
    assert got[4] == pytest.approx(ma28 / (ma28 - 28) - 1)
    assert got[5] == pytest.approx(ma28 / (ma28 - 364) - 1)
    share = q(con, "SELECT share_28d, rank, frameworks_reporting FROM adoption_share WHERE day = ?", [day])
    assert share == [(1.0, 1, 1)]


def test_adoption_lag_on_a_hand_checked_example(con):
    released = dt.date(2024, 5, 10)
    con.execute("INSERT INTO core.pypi_releases (package_key, version, version_normalized, "
                "is_prerelease, version_major, version_minor, released_at, yanked, file_count, "
                "total_bytes, python_versions, platforms, architectures, has_sdist) VALUES "
                "('torch', '1.0', '1.0', false, 1, 0, ?, false, 1, 1, [], [], [], true), "
                "('torch', '1.1', '1.1', false, 1, 1, ?, false, 1, 1, [], [], [], true)",
                [dt.datetime(2023, 4, 1, tzinfo=dt.UTC), dt.datetime(2024, 5, 10, 17, tzinfo=dt.UTC)])
    con.execute("INSERT INTO core.download_versions VALUES ('torch', '1.0', '1.0', NULL, false, '1.0'), "
                "('torch', '1.1', '1.1', NULL, false, '1.1')")
    rows = []
    for k in range(-10, 21):  # 100 downloads a day; 1.1 takes 10, 20, 30 ... 90 from release day on
        day = released + dt.timedelta(days=k)
        new = min(10 * (k + 1), 90) if k >= 0 else 0
        rows.append(("torch", "version", day, "1.0", "clickpy", 100 - new))
        if new:
            rows.append(("torch", "version", day, "1.1", "clickpy", new))
    put(con, rows)
    # trailing 7-day share of 1.1 on release day + k: (10 + 20 + ... + 10(k+1)) / 700
    #   k = 4: 150/700 = 21 %, k = 5: 210/700 = 30 % -> 25 % after 5 days
    #   k = 6: 280/700 = 40 %, k = 7: (20 + ... + 80)/700 = 350/700 = 50 % -> 50 % after 7 days
    got = q(con, "SELECT level, version, released_on, first_day, covers_release, days_to_25, days_to_50, "
                 "reached_25_on, reached_50_on FROM version_adoption ORDER BY level, version")
    assert got == [
        ("minor", "1.0", dt.date(2023, 4, 1), released - dt.timedelta(days=10), False, None, None,
         released - dt.timedelta(days=10), released - dt.timedelta(days=10)),
        ("minor", "1.1", released, released, True, 5, 7, released + dt.timedelta(days=5),
         released + dt.timedelta(days=7)),
        ("release", "1.0", dt.date(2023, 4, 1), released - dt.timedelta(days=10), False, None, None,
         released - dt.timedelta(days=10), released - dt.timedelta(days=10)),
        ("release", "1.1", released, released, True, 5, 7, released + dt.timedelta(days=5),
         released + dt.timedelta(days=7)),
    ]
    peak = q(con, "SELECT peak_share, latest_share FROM version_adoption WHERE level = 'release' "
                  "AND version = '1.1'")
    assert peak == [(pytest.approx(0.9), pytest.approx(0.9))]
