"""The weekly report opened from disk in a real browser (Debian's chromium via Playwright) with
every network request blocked: it renders, in both languages, with all its chart images decoded.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from jobs.report import build_report
from jobs.report.render import write
from tests.support.browser import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.mark.parametrize(("lang", "heading"), [("en", "New releases"), ("zh", "新版本")])
def test_report_renders_offline_with_its_images(collected_warehouse, tmp_path, browser, lang,
                                                heading):
    with time_machine.travel(dt.datetime(2026, 10, 29, 8, tzinfo=dt.UTC), tick=False):
        written = write(build_report(collected_warehouse, lang, dt.date(2026, 10, 28)), tmp_path)
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 1000})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                         if route.request.url.startswith(("file:", "data:"))
                                         else route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(written.html.as_uri())
    page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=15_000)
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight, e.alt])")
    assert len(images) == 5  # release activity, timeline, release movers, star movers, health
    assert all(done and width > 400 and height > 50 and alt for done, width, height, alt in images)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
    context.close()
