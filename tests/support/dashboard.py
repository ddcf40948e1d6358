"""The dashboard under Streamlit's AppTest, opened on a warehouse file."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py")


def app_test(lang: str = "en", timeout: float = 60, **params) -> AppTest:
    """The app in `lang`, with `params` as its query parameters; not run yet. It reads the
    warehouse that DLTRENDS_DB names."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    return at


def open_app(db: Path, monkeypatch, lang: str = "en", page: str | None = None, **params) -> AppTest:
    """The app run once, then switched to `page` (a path under dashboard/) and run again."""
    monkeypatch.setenv("DLTRENDS_DB", str(db))
    at = app_test(lang, **params)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at
