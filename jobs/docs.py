"""Generate the README's reference sections from the code, so they cannot drift.

`python -m jobs.docs` rewrites the sections between `<!-- NAME:start -->` and `<!-- NAME:end -->`
in README.md: the settings table (from the Settings model) and the public views (from their
`COMMENT ON` texts in a fresh warehouse, with an example query each). `--check` exits 1 when the
README is out of date (a test runs it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from dltrends.settings import describe
from warehouse.db import connect, ensure_shape, public_views

README = Path(__file__).resolve().parent.parent / "README.md"

EXAMPLES = {
    "frameworks": (
        "-- Every framework with its lifecycle status and successor\n"
        "SELECT framework, name, status, successor FROM frameworks ORDER BY registry_order;"
    ),
    "framework_events": (
        "-- Renames, merges and retirements, oldest first\n"
        "SELECT framework, event_date, kind, note, source FROM framework_events\n"
        "WHERE kind IN ('rename', 'merge', 'retired') ORDER BY event_date;"
    ),
    "framework_health": (
        "-- Health facts: release age, cadence and close-time trends, bus factor, vulnerabilities\n"
        "SELECT framework, status, days_since_release, round(cadence_ratio, 2) AS cadence_ratio,\n"
        "       round(close_time_ratio, 2) AS close_time_ratio, bus_factor, open_vulnerabilities\n"
        "FROM framework_health ORDER BY days_since_release;"
    ),
    "packages": (
        "-- Tracked packages per framework and role\n"
        "SELECT framework, role, count(*) AS packages, list(package) FROM packages\n"
        "GROUP BY ALL ORDER BY framework, role;"
    ),
    "releases": (
        "-- Final releases per framework and year (primary packages only)\n"
        "SELECT framework, year(released_at) AS year, count(*) AS releases\n"
        "FROM releases WHERE role = 'primary' AND NOT is_prerelease\n"
        "GROUP BY ALL ORDER BY framework, year;\n\n"
        "-- Which Python versions does each framework's latest release support?\n"
        "SELECT framework, package, version, python_versions FROM releases\n"
        "WHERE role = 'primary' AND NOT is_prerelease AND NOT yanked\n"
        "QUALIFY row_number() OVER (PARTITION BY package ORDER BY version_rank DESC) = 1;"
    ),
    "minor_series": (
        "-- When did each minor series of PyTorch start, and how long after the one before?\n"
        "SELECT series, first_version, first_released_at, days_since_previous_series\n"
        "FROM minor_series WHERE package = 'torch' ORDER BY first_released_at;"
    ),
    "release_kinds": (
        "-- Major, minor, patch and pre-releases per framework over the last year\n"
        "SELECT r.framework, k.kind, count(*) AS releases\n"
        "FROM releases r JOIN release_kinds k USING (package, version)\n"
        "WHERE r.role = 'primary' AND r.released_at >= now() - INTERVAL 365 DAY\n"
        "GROUP BY ALL ORDER BY r.framework, k.kind;"
    ),
    "release_files": (
        "-- Which frameworks ship Linux arm64 wheels for Python 3.12 in their latest release?\n"
        "SELECT DISTINCT framework, package, version FROM release_files\n"
        "WHERE list_contains(platforms, 'linux') AND list_contains(architectures, 'arm64')\n"
        "  AND list_contains(python_versions, '3.12') AND role = 'primary';"
    ),
    "collector_runs": (
        "-- The last 10 runs, with every failed item and why\n"
        "SELECT run_id, source, status, items_ok, items_failed, rows_written, error\n"
        "FROM collector_runs ORDER BY run_id DESC LIMIT 10;"
    ),
    "source_status": (
        "-- How fresh is each source, and is it failing?\n"
        "SELECT source, last_status, last_success_at, failed_of_last_5 FROM source_status;"
    ),
    # Issue 5: adoption and health signals.
    "conda_downloads_monthly": (
        "-- conda downloads per framework and channel in the last published year\n"
        "SELECT framework, data_source, sum(downloads) AS downloads FROM conda_downloads_monthly\n"
        "WHERE month >= (SELECT max(month) FROM conda_downloads_monthly) - INTERVAL 11 MONTH\n"
        "GROUP BY ALL ORDER BY downloads DESC;"
    ),
    "hub_models_daily": (
        "-- The latest snapshot per framework: models on the Hub and the top-N's 30-day downloads\n"
        "SELECT framework, snapshot_date, models_count, models_count_complete, top_n,\n"
        "       top_n_downloads_30d, top_model\n"
        "FROM hub_models_daily QUALIFY row_number() OVER (PARTITION BY framework\n"
        "                                                 ORDER BY snapshot_date DESC) = 1;"
    ),
    "stackoverflow_tags_daily": (
        "-- New questions per week, per framework, at each snapshot\n"
        "SELECT framework, snapshot_date, sum(question_count) AS questions,\n"
        "       sum(questions_per_week) AS questions_per_week\n"
        "FROM stackoverflow_tags_daily GROUP BY ALL ORDER BY framework, snapshot_date;"
    ),
    "npm_downloads_daily": (
        "-- Monthly downloads of the JavaScript builds\n"
        "SELECT package, date_trunc('month', day) AS month, sum(downloads) AS downloads\n"
        "FROM npm_downloads_daily GROUP BY ALL ORDER BY package, month;"
    ),
    "vulnerabilities": (
        "-- Critical and high vulnerabilities per framework and year published (each counted once)\n"
        "SELECT framework, year(published) AS year, count(DISTINCT vulnerability) AS vulnerabilities\n"
        "FROM vulnerabilities WHERE severity IN ('critical', 'high') AND withdrawn IS NULL\n"
        "GROUP BY ALL ORDER BY framework, year;"
    ),
    "latest_release_vulnerabilities": (
        "-- Open advisories on each framework's latest release\n"
        "SELECT framework, package, latest_version, open_vulnerabilities, critical, high, advisory_ids\n"
        "FROM latest_release_vulnerabilities WHERE osv_checked ORDER BY open_vulnerabilities DESC;"
    ),
    # Issue 6: benchmarks and MLPerf.
    "benchmark_runs": (
        "-- Each framework environment of the latest run: version, build, install time and size\n"
        "SELECT spec, framework, version, status, build_blas, install_s, env_bytes / 1e6 AS mb\n"
        "FROM benchmark_runs WHERE run_id = (SELECT arg_max(run_id, started_at) FROM benchmark_runs);"
    ),
    "benchmark_results": (
        "-- Speed relative to the NumPy reference, per case, on one machine and run\n"
        "WITH ref AS (SELECT run_id, case_key, median AS numpy_s FROM benchmark_results\n"
        "             WHERE framework = 'numpy' AND status = 'ok')\n"
        "SELECT b.framework, b.version, b.case_key, b.mode, b.median, b.cv,\n"
        "       ref.numpy_s / b.median AS speedup\n"
        "FROM benchmark_results b JOIN ref USING (run_id, case_key)\n"
        "WHERE b.status = 'ok' ORDER BY b.case_key, speedup DESC;"
    ),
    "benchmark_regressions": (
        "-- Steps beyond the measured noise between consecutive versions, worst first\n"
        "SELECT framework, case_key, mode, from_version, to_version, round(100 * change, 1) AS pct\n"
        "FROM benchmark_regressions WHERE kind = 'regression' ORDER BY change DESC;"
    ),
    "mlperf_results": (
        "-- Share of MLPerf training submissions per framework and round\n"
        "SELECT round, coalesce(framework, 'unmapped') AS framework, count(*) AS results,\n"
        "       round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY round), 1) AS pct\n"
        "FROM mlperf_results WHERE suite = 'training' GROUP BY 1, 2 ORDER BY 1, results DESC;"
    ),
    # Issue 4: PyPI downloads.
    "downloads_daily": (
        "-- Last 30 days of every JAX package, companions included, by role\n"
        "SELECT package, role, sum(downloads) AS downloads FROM downloads_daily\n"
        "WHERE framework = 'jax' AND category = 'without_mirrors' AND day > current_date - 30\n"
        "GROUP BY ALL ORDER BY downloads DESC;"
    ),
    "framework_downloads_daily": (
        "-- Each framework's latest day: downloads, 28-day average and growth over a year\n"
        "SELECT framework, day, downloads, downloads_ma28, yoy_growth, source\n"
        "FROM framework_downloads_daily\n"
        "QUALIFY row_number() OVER (PARTITION BY framework ORDER BY day DESC) = 1\n"
        "ORDER BY downloads_ma28 DESC;"
    ),
    "adoption_share": (
        "-- Share of the tracked ecosystem on the first day of each month\n"
        "SELECT day, framework, round(100 * share_28d, 1) AS pct FROM adoption_share\n"
        "WHERE day(day) = 1 ORDER BY day, pct DESC;"
    ),
    "downloads_by_version": (
        "-- The ten most downloaded torch versions on the last day\n"
        "SELECT day, version, downloads, round(100 * share, 1) AS pct FROM downloads_by_version\n"
        "WHERE package = 'torch' AND day = (SELECT max(day) FROM downloads_by_version)\n"
        "ORDER BY downloads DESC LIMIT 10;"
    ),
    "version_adoption": (
        "-- How fast do users move to a new minor release?\n"
        "SELECT package, version, released_on, days_to_25, days_to_50, round(peak_share, 2) AS peak\n"
        "FROM version_adoption WHERE level = 'minor' AND covers_release\n"
        "ORDER BY package, released_on;"
    ),
    "downloads_by_python": (
        "-- Can this framework drop Python 3.9? Its share of downloads per month\n"
        "SELECT framework, date_trunc('month', day) AS month,\n"
        "       sum(downloads) FILTER (WHERE python_version = '3.9') / sum(downloads) AS py39_share\n"
        "FROM downloads_by_python WHERE role = 'primary' GROUP BY ALL ORDER BY framework, month;"
    ),
    "downloads_by_os": (
        "-- Operating systems of the last 90 days' downloads\n"
        "SELECT framework, os, sum(downloads) AS downloads FROM downloads_by_os\n"
        "WHERE role = 'primary' AND day > current_date - 90 GROUP BY ALL ORDER BY framework, downloads DESC;"
    ),
    "downloads_by_installer": (
        "-- Installers (pip, uv, poetry, ...) of the last 90 days' downloads\n"
        "SELECT framework, installer, sum(downloads) AS downloads FROM downloads_by_installer\n"
        "WHERE role = 'primary' AND NOT mirror AND day > current_date - 90\n"
        "GROUP BY ALL ORDER BY framework, downloads DESC;"
    ),
    "downloads_by_country": (
        "-- Where PaddlePaddle is downloaded from, month by month\n"
        "SELECT month, country_code, downloads, round(100 * share, 1) AS pct FROM downloads_by_country\n"
        "WHERE package = 'paddlepaddle' ORDER BY month DESC, downloads DESC LIMIT 10;"
    ),
    "downloads_by_ci": (
        "-- Share of downloads from CI systems\n"
        "SELECT framework, sum(downloads) FILTER (WHERE ci = 'ci') / sum(downloads) AS ci_share\n"
        "FROM downloads_by_ci WHERE role = 'primary' GROUP BY framework ORDER BY ci_share DESC;"
    ),
    "download_source_comparison": (
        "-- Where do pypistats and clickpy disagree by more than 2 %?\n"
        "SELECT package, day, category, pypistats, clickpy, round(100 * relative_difference, 1) AS pct\n"
        "FROM download_source_comparison WHERE relative_difference > 0.02 ORDER BY pct DESC;"
    ),
    # Issue 3: GitHub activity.
    "repo_stats_daily": (
        "-- The latest snapshots: stars, forks, open issues and PRs per repo\n"
        "SELECT framework, repo, day, stars, forks, open_issues, open_prs, method\n"
        "FROM repo_stats_daily ORDER BY day DESC, stars DESC LIMIT 20;"
    ),
    "framework_stats_daily": (
        "-- Stars gained per framework over the last 30 days\n"
        "SELECT framework, max(stars) - min(stars) AS stars_gained FROM framework_stats_daily\n"
        "WHERE day >= current_date - 30 GROUP BY framework ORDER BY stars_gained DESC;"
    ),
    "github_releases": (
        "-- Breaking changes and deprecations in the releases of the last year\n"
        "SELECT framework, tag_name, published_at, breaking_changes, deprecations, pypi_version,\n"
        "       days_to_pypi\n"
        "FROM github_releases WHERE kind = 'release' AND published_at >= now() - INTERVAL 365 DAY\n"
        "ORDER BY breaking_changes DESC LIMIT 20;"
    ),
    "release_note_items": (
        "-- The latest deprecations announced in release notes\n"
        "SELECT framework, tag_name, section, text FROM release_note_items\n"
        "WHERE category = 'deprecation' ORDER BY published_at DESC LIMIT 20;"
    ),
    "community_monthly": (
        "-- Merged PRs, active authors and the lowest bus factor per framework and year\n"
        "SELECT framework, year(month) AS year, sum(prs_merged) AS prs_merged,\n"
        "       round(avg(active_authors)) AS authors_per_month, min(bus_factor_12m) AS bus_factor\n"
        "FROM community_monthly GROUP BY ALL ORDER BY framework, year;"
    ),
    "star_history": (
        "-- Stars on the first day of each year, and whether the count is exact or estimated\n"
        "SELECT framework, repo, day, stars, method FROM star_history\n"
        "WHERE day = date_trunc('year', day) ORDER BY repo, day;"
    ),
    # Issue 9: operations.
    "source_health": (
        "-- What needs attention: stale or failing sources\n"
        "SELECT source, state, data_age, expected_freshness, failed_in_a_row, last_error\n"
        "FROM source_health WHERE state IN ('stale', 'failing') ORDER BY source;"
    ),
    "alerts": (
        "-- The latest alerts, where they were sent and what is still owed\n"
        "SELECT raised_at, rule, title, sent_to, pending, last_error FROM alerts\n"
        "WHERE NOT baseline ORDER BY raised_at DESC LIMIT 20;"
    ),
}


# Topics group the examples in the SQL console (dashboard SQL page, `dltrends sql --examples`).
# A view that no topic names is listed under "other"; name it here when you add a view.
TOPICS = {
    "frameworks": ["frameworks", "framework_events", "framework_health"],
    "releases": ["releases", "release_files", "minor_series", "release_kinds", "packages"],
    "community": ["repo_stats_daily", "framework_stats_daily", "github_releases",
                  "release_note_items", "community_monthly", "star_history"],
    "downloads": ["downloads_daily", "framework_downloads_daily", "adoption_share",
                  "downloads_by_version", "version_adoption", "downloads_by_python", "downloads_by_os",
                  "downloads_by_installer", "downloads_by_country", "downloads_by_ci",
                  "download_source_comparison"],
    "adoption": ["conda_downloads_monthly", "hub_models_daily", "stackoverflow_tags_daily",
                 "npm_downloads_daily"],
    "security": ["vulnerabilities", "latest_release_vulnerabilities"],
    "performance": ["benchmark_runs", "benchmark_results", "benchmark_regressions", "mlperf_results"],
    "operations": ["collector_runs", "source_status", "source_health", "alerts"],
}
OTHER_TOPIC = "other"


@dataclass(frozen=True)
class Example:
    """One example query: its topic, the view it shows, a title (its leading comment) and SQL."""

    topic: str
    view: str
    title: str
    sql: str


def topic_of(view: str) -> str:
    return next((topic for topic, views in TOPICS.items() if view in views), OTHER_TOPIC)


def examples() -> list[Example]:
    """Every example query in topic order; a view's text splits at blank lines into queries."""
    order = [*TOPICS, OTHER_TOPIC]
    out = []
    for view, text in EXAMPLES.items():
        for chunk in (c.strip() for c in text.split("\n\n")):
            first = chunk.splitlines()[0]
            title = first.removeprefix("--").strip() if first.startswith("--") else view
            out.append(Example(topic_of(view), view, title, chunk))
    views = [v for topic in TOPICS.values() for v in topic]
    return sorted(out, key=lambda e: (order.index(e.topic),
                                      views.index(e.view) if e.view in views else len(views)))


def settings_markdown() -> str:
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    rows += [f"| `{env}` | `{default}` | {text} |" for env, default, text in describe()]
    return "\n".join(rows)


def views_markdown() -> str:
    con = connect(":memory:")
    try:
        ensure_shape(con)
        parts = []
        for view in public_views(con):
            comment = con.execute(
                "SELECT comment FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ?",
                [view]).fetchall()[0][0]
            columns = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [view]
            ).fetchall()
            parts.append(f"#### `{view}`\n\n{comment}\n")
            parts.append("| column | type | meaning |\n|---|---|---|")
            parts += [f"| `{c}` | {t} | {(m or '').replace('|', '/')} |" for c, t, m in columns]
            parts.append(f"\n```sql\n{EXAMPLES[view]}\n```\n")
        return "\n".join(parts).rstrip()
    finally:
        con.close()


SECTIONS = {"settings": settings_markdown, "views": views_markdown}


def render(text: str) -> str:
    for name, build in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> section")
        text = pattern.sub(lambda m, b=build: m.group(1) + b() + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print("README.md is out of date: run `python -m jobs.docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
