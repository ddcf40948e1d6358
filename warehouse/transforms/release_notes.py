"""Release notes (markdown) -> classified items: breaking, deprecation, feature, fix, performance,
security or other.

Headings and keywords decide, the way people write release notes: an item under "Breaking
Changes" (`## ...`, a line of bold text, or a short line ending in a colon) is breaking; sub-headings
without a category of their own ("## Python API") inherit their parent's. Where the section says
nothing (no heading, "Other changes"), or for the decisive words (deprecat..., breaking,
backwards-incompatible, CVE), the item's own words decide. Bullets are items; a nested bullet is
part of its parent's text unless the parent is a topic label ending in a colon (TensorFlow's
"* `tf.data`:" lists). Paragraphs are items too; code blocks, tables, "Full Changelog" links and
contributor lists are skipped. The raw body is always kept beside the items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = ("breaking", "deprecation", "security", "performance", "fix", "feature", "other")

_SECTION_WORDS = [
    ("breaking", r"breaking|incompatib|removal|removed"),
    ("deprecation", r"deprecat"),
    ("security", r"security|vulnerab|\bcve\b"),
    ("performance", r"performance|\bperf\b|speed|optimi[sz]"),
    ("fix", r"\bfix|\bbug"),
    ("feature", r"feature|\bnew\b|improvement|enhancement|\badded\b|highlight|\badditions?\b"),
]
_STRONG_WORDS = [  # decide even inside another section
    ("security", r"\bcve-\d{4}-\d+|\bsecurity (fix|issue|vulnerab)|\bvulnerab"),
    ("breaking", r"\bbreaking change|\bbackwards?[- ]incompatib|\bno longer support|"
                 r"\b(removed|dropped|drops?|remove) support\b"),
    ("deprecation", r"\bdeprecat"),
]
_ITEM_WORDS = [
    ("performance", r"\bperformance\b|\bfaster\b|\bspeed[- ]?up|\boptimi[sz](e|ed|ation)|\blatency\b"),
    ("fix", r"^(fix|fixes|fixed|resolve[sd]?|correct(s|ed)?)\b|\bfix(es|ed)?\b|\bbug\b|\bcrash"),
    ("feature", r"^(add|adds|added|adding|new|introduce[sd]?|introducing|support|supports|"
                r"implement(s|ed|ing)?|enable[sd]?|enabling|allow(s|ed)?)\b"),
]
_SKIP_SECTIONS = re.compile(r"contributor|thank|acknowledg|new contributors", re.I)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<t>[^*_].*?)(\*\*|__):?\s*$")
_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,3}[.)])\s+(?P<text>.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CHANGELOG = re.compile(r"^\s*(\*\*)?full changelog", re.I)


@dataclass
class Item:
    """One release-note item."""

    section: str | None
    category: str
    text: str
    section_category: str | None = None


def _category(text: str, table: list[tuple[str, str]]) -> str | None:
    lowered = text.lower()
    return next((name for name, words in table if re.search(words, lowered)), None)


def classify(text: str, section_category: str | None) -> str:
    """An item's category: decisive words, then a specific section, then the item's own words.

    Feature sections ("Major Features and Improvements") and mixed ones ("Bug Fixes & Improvements")
    let the item's words refine them (a "Fixed ..." item is a fix, "Faster ..." performance).
    """
    strong = _category(text, _STRONG_WORDS)
    if section_category in ("breaking", "deprecation", "security"):
        return section_category
    if strong:
        return strong
    if section_category in ("fix", "performance"):
        return section_category
    own = _category(_plain(text), _ITEM_WORDS)
    return own or section_category or "other"


def _plain(text: str) -> str:
    """Markdown noise off the front (`code`, **bold**, [links]) so the first word can decide."""
    return re.sub(r"^[\s`*_\[\]]+", "", text)


class _Sections:
    """The heading stack: the innermost heading with a category decides."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str, str | None]] = []

    def push(self, level: int, title: str) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        found = [name for name, words in _SECTION_WORDS if re.search(words, title.lower())]
        decisive = [c for c in found if c in ("breaking", "deprecation", "security")]
        # A mixed section ("Bug Fixes & Improvements", "Other changes") lets each item's own
        # words decide.
        mixed = len(found) > 1 or re.search(r"\bother\b|\bmisc", title.lower())
        category = decisive[0] if decisive else (found[0] if found and not mixed else None)
        self.stack.append((level, title, category))

    @property
    def title(self) -> str | None:
        return self.stack[-1][1] if self.stack else None

    @property
    def category(self) -> str | None:
        return next((c for _, _, c in reversed(self.stack) if c), None)

    @property
    def skipped(self) -> bool:
        return any(_SKIP_SECTIONS.search(t) for _, t, _ in self.stack)


def _heading(line: str, following: str) -> tuple[int, str] | None:
    """(level, title) when the line is a heading in any of the shapes release notes use."""
    if m := _HEADING.match(line):
        return len(m.group(1)), _clean(m.group(2))
    if m := _BOLD_LINE.match(line.strip()):
        return 3, _clean(m.group("t"))
    if following.strip() and set(following.strip()) <= {"="}:
        return 1, _clean(line)
    if following.strip() and set(following.strip()) <= {"-"} and len(following.strip()) >= 3:
        return 2, _clean(line)
    stripped = line.strip()
    if stripped.endswith(":") and len(stripped) <= 60 and not _BULLET.match(line) \
            and len(stripped.split()) <= 6:
        return 3, _clean(stripped.rstrip(":"))
    return None


def _clean(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip().rstrip(":").strip()


class _Parser:
    """One pass over the lines of a body, keeping the heading stack and the open item."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.sections = _Sections()
        self.current: Item | None = None
        self.current_indent = 0
        self.label: tuple[int, str] | None = None  # (indent, text) of a topic bullet ending in ':'

    def heading(self, level: int, title: str) -> None:
        self.sections.push(level, title)
        self.current, self.label = None, None

    def bullet(self, indent: int, text: str) -> None:
        if self.label and indent <= self.label[0]:
            self.label = None
        if self.current is not None and indent > self.current_indent \
                and not self.current.text.endswith(":"):
            self.current.text += " " + text  # a nested detail belongs to its parent item
            return
        if text.endswith(":") and len(text.split()) <= 8:
            self.label, self.current = (indent, _clean(text)), None
            return
        prefix = f"{self.label[1]}: " if self.label and indent > self.label[0] else ""
        self.open(prefix + text, indent)

    def text(self, line: str) -> None:
        if self.current is not None:
            self.current.text += " " + line.strip()  # a wrapped or continued line
        else:
            self.open(line.strip(), 0)

    def open(self, text: str, indent: int) -> None:
        if self.sections.skipped:
            return
        self.current = Item(self.sections.title, "other", text, self.sections.category)
        self.current_indent = indent
        self.items.append(self.current)


def parse(body: str | None) -> list[Item]:
    """Every item of a release body, in order, classified."""
    parser = _Parser()
    lines = (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _FENCE.match(line):
            in_fence, parser.current = not in_fence, None
        elif in_fence or line.lstrip().startswith("|") or _CHANGELOG.match(line):
            continue
        elif not line.strip():
            if not _BULLET.match(following) or not following[:1].isspace():
                parser.current = None  # a paragraph ends; a nested list may still follow
        elif set(line.strip()) <= {"=", "-"} and len(line.strip()) >= 3:
            continue  # the underline of a setext heading
        elif bullet := _BULLET.match(line):
            parser.bullet(len(bullet.group("indent").expandtabs(4)), bullet.group("text").strip())
        elif heading := _heading(line, following):
            parser.heading(*heading)
        else:
            parser.text(line)
    for item in parser.items:
        item.category = classify(item.text, item.section_category)
    return parser.items


def counts(items: list[Item]) -> dict[str, int]:
    out = dict.fromkeys(CATEGORIES, 0)
    for item in items:
        out[item.category] += 1
    return out
