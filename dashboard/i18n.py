"""UI strings in English and Simplified Chinese. Every string shown goes through `t()`.

The strings live in `locales/<lang>.toml`; both files must have the same keys (a test checks).
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
    """Flattened `section.key` -> text for one language."""
    data = tomllib.loads((LOCALES / f"{lang}.toml").read_text(encoding="utf-8"))
    return dict(_flatten(data))


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
