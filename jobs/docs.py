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
    "source_health": (
        "-- What needs attention: stale or failing sources\n"
        "SELECT source, state, data_age, expected_freshness, failed_in_a_row, last_error\n"
        "FROM source_health WHERE state IN ('stale', 'failing') ORDER BY source;"
    ),
    "alerts": (
        "SELECT raised_at, rule, title, sent_to, pending, last_error FROM alerts\n"
        "WHERE NOT baseline ORDER BY raised_at DESC LIMIT 20;"
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
