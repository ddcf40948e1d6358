"""The docs: the generated reference pages are current, the README stays short, no link is dead."""

import re
from pathlib import Path

from jobs import docs
from jobs.docs.cli_reference import cli_markdown

ROOT = docs.ROOT
PAGES = [docs.README, *sorted((ROOT / "docs").rglob("*.md"))]


def test_reference_pages_are_current():
    assert docs.main(["--check"]) == 0, "run `python -m jobs.docs` and commit docs/reference/"


def test_check_names_a_stale_page(tmp_path, monkeypatch, capsys):
    page = tmp_path / "cli.md"
    page.write_text("# CLI\n\n<!-- cli:start -->\nold\n<!-- cli:end -->\n")
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    monkeypatch.setattr(docs, "PAGES", {page: {"cli": cli_markdown}})
    assert docs.main(["--check"]) == 1
    assert "cli.md" in capsys.readouterr().err
    assert docs.main([]) == 0
    assert "## `dltrends collect`" in page.read_text() and docs.main(["--check"]) == 0


def test_cli_reference_does_not_depend_on_the_terminal(monkeypatch):
    wanted = cli_markdown()
    for name, value in {"COLUMNS": "40", "TERM": "xterm-256color", "FORCE_COLOR": "1"}.items():
        monkeypatch.setenv(name, value)
    assert cli_markdown() == wanted
    assert "\x1b" not in wanted
    assert "## `dltrends bench run`" in wanted and "## `dltrends alerts check`" in wanted


def test_readme_shows_the_two_setup_commands():
    text = docs.README.read_text()
    assert "make run" in text and "make test" in text


def test_readme_is_a_front_door_of_at_most_250_lines():
    lines = len(docs.README.read_text().splitlines())
    assert lines <= 250, f"README.md has {lines} lines: move the detail to docs/"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)  # no code blocks
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.M):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_every_relative_link_in_the_docs_points_at_a_file_and_heading():
    dead = []
    for page in PAGES:
        for target in links(page):
            if re.match(r"[a-z]+:", target):  # http(s), mailto
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                dead.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                dead.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert dead == []


def test_the_link_check_finds_dead_links(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\n## Two words: `x --y`\n")
    page = tmp_path / "b.md"
    page.write_text("[ok](a.md#two-words-x---y) [bad](a.md#nope) [gone](c.md)\n")
    assert links(page) == ["a.md#two-words-x---y", "a.md#nope", "c.md"]
    assert anchors(tmp_path / "a.md") == {"title", "two-words-x---y"}


def test_every_docs_pointer_in_code_and_texts_names_a_page_and_heading():
    skip = {".git", ".venv", ".venv-min", ".venv-pins", ".cache", "fixtures", "data", "__pycache__"}
    files = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
             and (p.suffix in {".py", ".toml", ".sql", ".json"} or p.name == "Makefile")]
    dead = []
    for file in files:
        for path, anchor in re.findall(r"\b(docs/[\w/.-]+\.md)(?:#([\w-]+))?", file.read_text()):
            target = ROOT / path
            if not target.exists() or (anchor and anchor not in anchors(target)):
                dead.append(f"{file.relative_to(ROOT)}: {path}#{anchor}")
    assert dead == []
    assert any("docs/registry.md" in f.read_text() for f in files)  # the scan sees the pointers
