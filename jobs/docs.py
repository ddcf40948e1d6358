"""Generate the README's reference sections from the code, so they cannot drift.

`python -m jobs.docs` rewrites the sections between `<!-- NAME:start -->` and `<!-- NAME:end -->`
in README.md: the settings table (from the Settings model) and the public views (from their
`COMMENT ON` texts in a fresh warehouse, with an example query each). `--check` exits 1 when the
README is out of date (a test runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dltrends.settings import describe
from warehouse.db import connect, ensure_shape, public_views

README = Path(__file__).resolve().parent.parent / "README.md"

EXAMPLES = {
    "frameworks": "SELECT framework, name, status, successor FROM frameworks ORDER BY registry_order;",
    "framework_events": (
        "SELECT framework, event_date, kind, note, source FROM framework_events\n"
        "WHERE kind IN ('rename', 'merge', 'retired') ORDER BY event_date;"
    ),
    "packages": (
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
    "release_files": (
        "-- Which frameworks ship Linux arm64 wheels for Python 3.12 in their latest release?\n"
        "SELECT DISTINCT framework, package, version FROM release_files\n"
        "WHERE list_contains(platforms, 'linux') AND list_contains(architectures, 'arm64')\n"
        "  AND list_contains(python_versions, '3.12') AND role = 'primary';"
    ),
    "collector_runs": (
        "SELECT run_id, source, status, items_ok, items_failed, rows_written, error\n"
        "FROM collector_runs ORDER BY run_id DESC LIMIT 10;"
    ),
    "source_status": "SELECT source, last_status, last_success_at, failed_of_last_5 FROM source_status;",
    "downloads_daily": (
        "-- Last 30 days of every JAX package, companions included, by role\n"
        "SELECT package, role, sum(downloads) AS downloads FROM downloads_daily\n"
        "WHERE framework = 'jax' AND category = 'without_mirrors' AND day > current_date - 30\n"
        "GROUP BY ALL ORDER BY downloads DESC;"
    ),
    "framework_downloads_daily": (
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
        "SELECT framework, os, sum(downloads) AS downloads FROM downloads_by_os\n"
        "WHERE role = 'primary' AND day > current_date - 90 GROUP BY ALL ORDER BY framework, downloads DESC;"
    ),
    "downloads_by_installer": (
        "SELECT framework, installer, sum(downloads) AS downloads FROM downloads_by_installer\n"
        "WHERE role = 'primary' AND NOT mirror AND day > current_date - 90\n"
        "GROUP BY ALL ORDER BY framework, downloads DESC;"
    ),
    "downloads_by_country": (
        "SELECT month, country_code, downloads, round(100 * share, 1) AS pct FROM downloads_by_country\n"
        "WHERE package = 'paddlepaddle' ORDER BY month DESC, downloads DESC LIMIT 10;"
    ),
    "downloads_by_ci": (
        "SELECT framework, sum(downloads) FILTER (WHERE ci = 'ci') / sum(downloads) AS ci_share\n"
        "FROM downloads_by_ci WHERE role = 'primary' GROUP BY framework ORDER BY ci_share DESC;"
    ),
    "download_source_comparison": (
        "-- Where do pypistats and clickpy disagree by more than 2 %?\n"
        "SELECT package, day, category, pypistats, clickpy, round(100 * relative_difference, 1) AS pct\n"
        "FROM download_source_comparison WHERE relative_difference > 0.02 ORDER BY pct DESC;"
    ),
}


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
