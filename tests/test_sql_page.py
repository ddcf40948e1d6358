"""The SQL page under AppTest: examples, the schema browser, shared links, refusals, downloads."""

from __future__ import annotations

import pytest

from dashboard.i18n import translate
from tests.support.dashboard import open_app
from warehouse.catalogue import OTHER_TOPIC, TOPICS, examples
from warehouse.db import connect, public_views

PAGE = "app_pages/sql.py"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def _buttons(at, label):
    return [b for b in at.button if b.label == label]


def _run(at):
    """Press Run (as a reader of a shared link does)."""
    _buttons(at, translate(at.query_params["lang"], "sql.run"))[0].click().run()
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_examples_by_topic_and_the_schema_browser(collected_warehouse, monkeypatch, lang):
    at = open_app(collected_warehouse, monkeypatch, lang, PAGE)
    assert not at.exception and not at.error
    assert {e.title for e in examples()} <= {b.label for b in at.button}
    topics = [m.value for m in at.markdown if m.value.startswith("**")]
    wanted = [t for t in [*TOPICS, OTHER_TOPIC] if any(e.topic == t for e in examples())]
    assert topics == [f"**{translate(lang, f'sql.topic_{t}')}**" for t in wanted]
    assert topics[0] == ("**Frameworks and their lifecycle**" if lang == "en" else "**框架及其生命周期**")
    con = connect(collected_warehouse, read_only=True)
    views = public_views(con)
    con.close()
    assert [e.label for e in at.expander][1:] == views
    releases = at.dataframe[views.index("releases")].value
    assert releases.iloc[0]["column_name"] == "framework"
    assert releases["comment"].str.len().min() > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_example_runs_and_lands_in_the_url(collected_warehouse, monkeypatch, lang):
    at = open_app(collected_warehouse, monkeypatch, lang, PAGE)
    example = next(e for e in examples() if e.view == "frameworks")
    _buttons(at, example.title)[0].click().run()
    assert not at.exception and not at.error
    assert at.query_params["q"] == example.sql
    assert at.text_area[0].value == example.sql
    result = at.dataframe[0].value
    assert list(result.columns) == ["framework", "name", "status", "successor"]
    assert "tensorflow" in set(result["framework"])
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "Parquet"]
    share = at.code[-1].value
    assert share.startswith("/sql?q=") and f"lang={lang}" in share


def test_a_shared_link_waits_for_a_click(collected_warehouse, monkeypatch):
    sql = "SELECT package, count(*) AS n FROM releases WHERE package = 'mlx' GROUP BY 1"
    at = open_app(collected_warehouse, monkeypatch, "en", PAGE, q=sql)
    assert not at.exception and not at.error
    assert at.text_area[0].value == sql
    assert "press Run to run it" in at.info[0].value
    assert not any(" rows in " in c.value for c in at.caption)  # nothing ran
    _run(at)
    assert at.dataframe[0].value.to_dict("records") == [{"package": "mlx", "n": 60}]
    assert any(c.value.startswith("1 rows in ") for c in at.caption)
    assert not at.info


def test_a_link_too_long_is_refused_before_it_fills_the_editor(collected_warehouse, monkeypatch):
    monkeypatch.setenv("DLTRENDS_SQL_MAX_QUERY_BYTES", "100")
    at = open_app(collected_warehouse, monkeypatch, "zh", PAGE, q="SELECT '" + "飞" * 40 + "'")
    assert not at.exception
    assert "查询长 129 字节；控制台最多接受 100 字节" in at.error[0].value
    assert at.text_area[0].value == ""


def test_typing_and_running_updates_the_url(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", PAGE)
    at.text_area[0].set_value("SELECT 41 + 1 AS answer").run()
    _buttons(at, "Run")[0].click().run()
    assert at.query_params["q"] == "SELECT 41 + 1 AS answer"
    assert at.dataframe[0].value.to_dict("records") == [{"answer": 42}]


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "read\\_text() is not allowed"),
    ("zh", "不允许使用 read\\_text()"),
])
def test_refusals_are_translated_and_escaped(collected_warehouse, monkeypatch, lang, text):
    at = _run(open_app(collected_warehouse, monkeypatch, lang, PAGE,
                       q="SELECT * FROM read_text('/etc/passwd')"))
    assert not at.exception
    assert text in at.error[0].value
    link = _run(open_app(collected_warehouse, monkeypatch, lang, PAGE,
                         q='SELECT * FROM "[click me](https://evil.example)"'))
    message = link.error[0].value
    assert "](" not in message and "\\[click me\\]" in message


def test_truncated_results_say_so(collected_warehouse, monkeypatch):
    monkeypatch.setenv("DLTRENDS_SQL_MAX_ROWS", "5")
    at = _run(open_app(collected_warehouse, monkeypatch, "en", PAGE, q="SELECT * FROM releases"))
    assert len(at.dataframe[0].value) == 5
    assert "cut at 5 rows" in at.warning[0].value


def test_results_over_the_byte_cap_are_cut_and_say_so(collected_warehouse, monkeypatch):
    monkeypatch.setenv("DLTRENDS_SQL_MAX_BYTES", "20000")
    at = _run(open_app(collected_warehouse, monkeypatch, "en", PAGE,
                       q="SELECT repeat('x', 1000) AS filler FROM range(100)"))
    rows = len(at.dataframe[0].value)
    assert 10 <= rows < 20
    assert f"cut at {rows} rows to stay under 0.02 MB" in at.warning[0].value


@pytest.mark.parametrize(("address", "shown"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_the_file_path_is_hidden_beyond_localhost(collected_warehouse, monkeypatch, address,
                                                   shown):
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        at = _run(open_app(collected_warehouse, monkeypatch, "en", PAGE,
                           q="SELECT path FROM duckdb_databases() WHERE path IS NOT NULL"))
        data = open_app(collected_warehouse, monkeypatch, "en", "app_pages/data.py")
    finally:
        config.set_option("server.address", before)
    assert not at.exception and not data.exception
    file = next(c.value for c in data.caption if c.value.startswith("Published file"))
    assert file.startswith(f"Published file {collected_warehouse.name}:") != shown
    assert (str(collected_warehouse.parent) in file) == shown
    if shown:
        assert at.dataframe[0].value["path"].tolist() == [str(collected_warehouse.resolve())]
    else:
        assert "duckdb\\_databases is not available on a shared dashboard" in at.error[0].value
        assert str(collected_warehouse.parent) not in at.error[0].value


def test_a_busy_dashboard_says_so(collected_warehouse, monkeypatch):
    from dashboard import console

    for _ in range(console.CONCURRENT_QUERIES):
        assert console._slots.acquire(timeout=1)
    monkeypatch.setenv("DLTRENDS_SQL_TIMEOUT", "1")
    try:
        at = _run(open_app(collected_warehouse, monkeypatch, "zh", PAGE, q="SELECT 1"))
    finally:
        for _ in range(console.CONCURRENT_QUERIES):
            console._slots.release()
    assert "此仪表盘上已有 2 条其他查询在运行" in at.error[0].value


def test_csv_downloads_quote_text_a_spreadsheet_would_run():
    """Dashboard downloads (the console's and every panel's) make formula-like text inert;
    numbers, negative ones included, stay numbers."""
    import pyarrow as pa

    from warehouse import formats

    table = pa.table({"text": ["=1+1", "+x", "-2", "@SUM(A1)", "\tx", "ok", None],
                      "n": [-1, 2, 3, 4, 5, 6, 7]})
    lines = formats.csv_bytes(table, guard_formulas=True).decode().splitlines()
    assert lines == ["text,n", "'=1+1,-1", "'+x,2", "'-2,3", "'@SUM(A1),4", "'\tx,5", "ok,6", ",7"]
    frame = formats.guarded_frame(table.to_pandas())
    assert frame["text"].tolist()[:2] == ["'=1+1", "'+x"] and frame["n"].tolist()[0] == -1
    assert formats.csv_bytes(table).decode().splitlines()[1] == "=1+1,-1"  # unguarded: faithful


def test_the_result_cache_is_bounded_by_size():
    import pyarrow as pa

    from dashboard.console import ResultCache
    from warehouse.sandbox import Result

    cache = ResultCache(entries=64)
    result = Result(pa.table({"s": ["x" * 1000] * 10}), False, 0.1)  # about 10 kB
    for n in range(20):
        cache.put(("q", n), result, budget=35_000)
    assert cache.nbytes <= 35_000 and len(cache._items) == 3
    assert cache.get(("q", 19), ttl=60) is result and cache.get(("q", 0), ttl=60) is None
    assert cache.get(("q", 19), ttl=0) is None  # older than the TTL
