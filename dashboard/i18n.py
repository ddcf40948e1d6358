"""UI strings in English and Simplified Chinese. Every string shown goes through `t()`.

The strings live in `locales/<lang>/*.toml`, one file per page or topic (`core.toml` for what all
pages share); a file may extend any section, e.g. a page's own `[nav]` entry. Both languages must
have the same keys, and no key may be defined twice (tests check both).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
LOCALES = Path(__file__).with_name("locales")


@cache
def strings(lang: str) -> dict[str, str]:
    """Flattened `section.key` -> text for one language, from all of its files."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, text in _flatten(data):
            if key in out:
                raise ValueError(f"{path}: {key} is already defined in another {lang} file")
            out[key] = text
    return out


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def translate(lang: str, key: str, **values: object) -> str:
    text = strings(lang).get(key) or strings(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The UI string for `key` in the current session's language."""
    from dashboard.state import language

    return translate(language(), key, **values)
