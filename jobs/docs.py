"""Generate the README's reference sections from the code, so they cannot drift.

`python -m jobs.docs` rewrites the sections between `<!-- NAME:start -->` and `<!-- NAME:end -->`
in README.md: the settings table (from the Settings model) and the public views (from the view
catalogue, `warehouse.catalogue`: their `COMMENT ON` texts in a fresh warehouse, with their example
queries). `--check` exits 1 when the README is out of date (a test runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dltrends.catalogue import Example
from dltrends.settings import describe
from warehouse import catalogue

README = Path(__file__).resolve().parent.parent / "README.md"


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
