"""Generate the reference pages in docs/reference/ from the code, so they cannot drift.

`python -m jobs.docs` rewrites the sections between `<!-- NAME:start -->` and `<!-- NAME:end -->`
in docs/reference/: the settings table (settings.md, from the Settings model), the public views
(views.md, from the view catalogue, `warehouse.catalogue`: their `COMMENT ON` texts in a fresh
warehouse, with their example queries) and the CLI (cli.md, from the commands' own help).
`--check` exits 1 when a page is out of date (a test runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dltrends.catalogue import Example
from dltrends.settings import describe
from jobs.docs.cli_reference import cli_markdown
from warehouse import catalogue

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
REFERENCE = ROOT / "docs" / "reference"


def examples() -> list[Example]:
    """Every example query in topic order (from the view catalogue)."""
    return catalogue.examples()


def settings_markdown() -> str:
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    rows += [f"| `{env}` | `{default}` | {text} |" for env, default, text in describe()]
    return "\n".join(rows)


def views_markdown() -> str:
    parts = []
    for view in catalogue.catalogue().values():
        parts.append(f"#### `{view.name}`\n\n{view.description}\n")
        parts.append("| column | type | meaning |\n|---|---|---|")
        parts += [f"| `{c.name}` | {c.type} | {c.description.replace('|', '/')} |"
                  for c in view.columns]
        sql = "\n\n".join(e.sql for e in view.examples)
        parts.append(f"\n```sql\n{sql}\n```\n")
    return "\n".join(parts).rstrip()


# Each reference page and the generated sections it holds.
PAGES = {
    REFERENCE / "settings.md": {"settings": settings_markdown},
    REFERENCE / "views.md": {"views": views_markdown},
    REFERENCE / "cli.md": {"cli": cli_markdown},
}


def render(text: str, sections: dict, name_of_page: str = "the page") -> str:
    for name, build in sections.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(
                f"{name_of_page} has no <!-- {name}:start --> ... <!-- {name}:end --> section")
        text = pattern.sub(lambda m, b=build: m.group(1) + b() + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    stale = []
    for page, sections in PAGES.items():
        current = page.read_text(encoding="utf-8")
        wanted = render(current, sections, str(page.relative_to(ROOT)))
        if wanted == current:
            continue
        stale.append(str(page.relative_to(ROOT)))
        if "--check" not in argv:
            page.write_text(wanted, encoding="utf-8")
    if stale and "--check" in argv:
        print(f"out of date: {', '.join(stale)}: run `python -m jobs.docs`", file=sys.stderr)
        return 1
    return 0
