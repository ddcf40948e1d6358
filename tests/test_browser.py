"""The dashboard in a real browser (Debian's chromium driven by Playwright): every page, both
languages, real content rendered over the websocket, no exception text. Screenshots are kept in
test-artifacts/ for people to look at.

Needs /usr/bin/chromium (or CHROMIUM_PATH); `make test` installs it where the machine allows.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.browser import ARTIFACTS, require_chromium, start_dashboard

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = [  # (url path, text that proves the page rendered, per language)
    ("", {"en": "Frameworks at a glance", "zh": "框架一览"}),
    ("compare", {"en": "Align by", "zh": "对齐方式"}),
    ("framework?fw=pytorch", {"en": "Change points and anomalies", "zh": "变点与异常"}),
    ("advisor", {"en": "Evidence for every rank", "zh": "每个名次的证据"}),
    ("releases", {"en": "Wheel support matrix of the latest release", "zh": "最新版本的 wheel 支持矩阵"}),
    ("performance", {"en": "Fingerprint and environments of the latest run",
                     "zh": "最近一次运行的机器指纹与环境"}),
    ("adoption", {"en": "Stack Overflow questions", "zh": "Stack Overflow 提问数"}),
    ("data", {"en": "Rows per public view", "zh": "各公开视图的行数"}),
    ("sql?q=SELECT%20framework%2C%20name%20FROM%20frameworks", {"en": "Schema", "zh": "表结构"}),
    ("community", {"en": "Stars, cumulative", "zh": "累计星标"}),
]
FAILURE_TEXT = ("Traceback", "Exception:", "Error:", "KeyError", "ValueError")


@pytest.fixture(scope="module")
def dashboard_url(collected_warehouse):
    require_chromium()
    proc, port = start_dashboard(collected_warehouse)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"the dashboard did not start: {proc.stdout.read()}")
    yield url
    proc.terminate()
    output = proc.communicate(timeout=10)[0]
    # the server's cache warm-up thread (dashboard.warmup) ran quietly and without failing
    assert "dashboard caches warmed for " in output, output
    assert "missing ScriptRunContext" not in output and "warm-up failed" not in output, output


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("path", "marker"), PAGES, ids=[
    "overview", "compare", "framework", "advisor", "releases", "performance", "adoption", "data",
    "sql", "community"])
def test_page_renders_in_a_real_browser(dashboard_url, browser, path, marker, lang):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{dashboard_url}/{path}{'&' if '?' in path else '?'}lang={lang}")
    page.get_by_text(marker[lang], exact=True).wait_for(timeout=45_000)
    if path.startswith("sql?q="):  # a shared link fills the editor and waits for a click on Run
        page.get_by_test_id("stBaseButton-primary").click()  # Run, the page's one primary button
    page.wait_for_selector("[data-testid='stVegaLiteChart'], [data-testid='stDataFrame']",
                           timeout=30_000)
    page.wait_for_timeout(1500)  # let the remaining elements arrive over the websocket
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.split("?")[0] or "overview"
    page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("body").inner_text()
    assert not [t for t in FAILURE_TEXT if t in body], body[:2000]
    assert errors == []
    page.close()
