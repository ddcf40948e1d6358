"""Alert rules over the public views, raised once, delivered once by webhook and e-mail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import time

import duckdb
import pytest
import time_machine
from typer.testing import CliRunner

from dltrends.registry import load_registry
from jobs.alerts import evaluate as alerts
from jobs.alerts import notify
from jobs.alerts.rules import RULES
from jobs.cli import app
from jobs.collect.run import collect
from jobs.collect.sources import SOURCES
from jobs.report import render
from jobs.schedule import daemon
from jobs.schedule.timetable import Task, report_dir
from tests.support.db import query
from tests.support.fakeserver import status
from tests.support.ops import FakeSmtp
from tests.support.settings import make_settings
from warehouse.db import open_working

HOOK = "/services/T0001/B0002/SecretHookToken42"
RELEASE_DAY = "2026-11-14T12:00:00Z"  # the day after onnxruntime 1.32.0 (recorded) came out


@pytest.fixture
def smtp():
    with FakeSmtp() as server:
        yield server


@pytest.fixture
def hooked(tmp_path, pypi_server, smtp, monkeypatch):
    """Settings with both channels: the fake server's webhook route and the fake SMTP server."""
    pypi_server.add(HOOK, "ok", content_type="text/plain", method="POST")
    monkeypatch.setenv("DLTRENDS_ALERT_WEBHOOK_URL", pypi_server.url + HOOK)
    monkeypatch.setenv("DLTRENDS_SMTP_PASSWORD", "smtp-Pa55word")

    def settings(**overrides):
        values = {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
                  "smtp_user": "dltrends", "alert_email_to": ["ops@example.org"],
                  "alert_email_from": "dltrends@example.org", "alert_rules": ["new_release"]}
        return make_settings(tmp_path, pypi_server, **{**values, **overrides})

    return settings


def posts(server) -> list[dict]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST" and r.path == HOOK]


def run_collect(settings, frameworks=("onnxruntime", "pytorch")):
    return collect(settings, load_registry(settings.registry), ["pypi"], list(frameworks))


def test_a_new_release_is_sent_once_by_webhook_and_email(hooked, pypi_server, smtp):
    settings = hooked(alert_webhook_markup="slack")
    with time_machine.travel(RELEASE_DAY, tick=True):
        first = run_collect(settings)
        second = run_collect(settings)
    assert [a.key for a in first.alerts.new] == ["new_release:onnxruntime:1.32.0"]
    assert first.alerts.sent == {"webhook": 1, "email": 1}
    assert second.alerts.new == [] and not second.alerts.sent
    (post,) = posts(pypi_server)
    assert list(post) == ["text"]
    assert post["text"].startswith("dltrends: 1 alert (new release)\n")
    assert (f"• ONNX Runtime: onnxruntime 1.32.0 released 2026-11-13 11:05 UTC "
            f"<{pypi_server.url}/project/onnxruntime/1.32.0/|details>") in post["text"]
    (mail,) = smtp.messages
    assert mail["Subject"] == "dltrends: 1 alert (new release)"
    assert mail["To"] == "ops@example.org"
    assert "onnxruntime 1.32.0" in mail.get_payload()
    assert smtp.logins == [("dltrends", "smtp-Pa55word")]
    assert query(settings.db, "SELECT rule, subject, sent_to, pending, baseline FROM alerts") == [
        ("new_release", "onnxruntime", ["email", "webhook"], [], False)]


def test_a_failed_delivery_is_retried_after_the_next_job_without_leaking_the_url(
        hooked, pypi_server, smtp):
    settings = hooked()
    pypi_server.fail(HOOK, status(500, "internal error at " + HOOK), method="POST")
    smtp.refuse = 550
    with time_machine.travel(RELEASE_DAY, tick=True):
        first = run_collect(settings)
    assert first.alerts.sent == {} and set(first.alerts.errors) == {"webhook", "email"}
    assert first.alerts.errors["webhook"] == (
        "webhook http://127.0.0.1: HTTP 500 internal error at /...")
    assert first.alerts.errors["email"].startswith(f"email via 127.0.0.1:{smtp.port}: "
                                                   "SMTPSenderRefused: 550")
    pending = query(settings.db, "SELECT pending, last_error FROM alerts")
    assert pending[0][0] == ["email", "webhook"] and "SecretHookToken42" not in pending[0][1]
    smtp.refuse = None
    with time_machine.travel(RELEASE_DAY, tick=True):
        second = run_collect(settings)
    assert second.alerts.new == [] and second.alerts.sent == {"email": 1, "webhook": 1}
    assert len(posts(pypi_server)) == 2 and len(smtp.messages) == 1  # one failed POST, one sent
    assert query(settings.db, "SELECT sent_to, pending, last_error FROM alerts") == [
        (["email", "webhook"], [], None)]


def test_failing_and_stale_sources_alert_once_per_episode(tmp_path, pypi_server, monkeypatch):
    pypi_server.add(HOOK, "ok", content_type="text/plain", method="POST")
    monkeypatch.setenv("DLTRENDS_ALERT_WEBHOOK_URL", pypi_server.url + HOOK)
    settings = make_settings(tmp_path, pypi_server, failing_runs=2, http_retries=0,
                             alert_rules=["failing_source", "stale_source"])
    pypi_server.fail("/pypi/tinygrad/json", *[status(503)] * 3)
    for _ in range(3):
        run_collect(settings, ["tinygrad"])
    texts = [p["text"] for p in posts(pypi_server)]
    assert len(texts) == 1  # raised by the second failure, not repeated by the third
    assert "source pypi is failing: its last 2 runs failed; latest error: tinygrad: HTTP 503" in texts[0]
    run_collect(settings, ["tinygrad"])  # recovers: the streak ends
    monkeypatch.setitem(SOURCES, "pypi", dataclasses.replace(
        SOURCES["pypi"], fresh_within=dt.timedelta(seconds=1)))
    time.sleep(1.2)
    run_collect(settings, ["mlx"])  # a run that saves data is fresh again
    time.sleep(1.2)
    con = open_working(settings.work_path)
    try:
        run = alerts.check(con, settings)
        again = alerts.check(con, settings)
    finally:
        con.close()
    assert [a.rule for a in run.new] == ["stale_source"] and again.new == []
    assert "source pypi is stale: last fresh data" in posts(pypi_server)[-1]["text"]
    assert "expected within 0.000277778 hours" in posts(pypi_server)[-1]["text"]


STAND_INS = {
    "framework_downloads_daily": """
        SELECT 'pytorch' AS framework, DATE '2026-11-27' - i::INTEGER AS day,
               CASE WHEN i < 7 THEN 30000 ELSE 10000 END AS downloads FROM range(40) t(i)
        UNION ALL
        SELECT 'jax', DATE '2026-11-27' - i::INTEGER, 5000 FROM range(40) t(i)""",
    "benchmark_regressions": """
        SELECT * FROM (VALUES ('pytorch', 'matmul_1024', '2.14.1', '2.15.0', 'cpu', 'regression', 0.31),
                              ('jax', 'matmul_1024', '0.9.2', '0.10.2', 'cpu', 'improvement', -0.2))
            t(framework, case_key, from_version, to_version, device, kind, change)""",
    "vulnerabilities": """
        SELECT * FROM (VALUES ('onnxruntime', '1.32.0', 'GHSA-xxxx-0001', 'HIGH'),
                              ('onnxruntime', '1.31.0', 'GHSA-xxxx-0000', 'LOW'))
            t(package, version, advisory_id, severity)""",
}


def stand_in(settings, view: str, sql: str) -> None:
    """A public view a later feature will provide, written by hand for the rules to read."""
    con = duckdb.connect(str(settings.work_path))
    try:
        con.execute(f"CREATE OR REPLACE VIEW main.{view} AS {sql}")
    finally:
        con.close()


def check_on_the_28th(settings, **kwargs) -> alerts.AlertRun:
    """One alert check on the working file, as of 2026-11-28 UTC."""
    con = open_working(settings.work_path)
    try:
        return alerts.check(con, settings, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC), **kwargs)
    finally:
        con.close()


def test_rules_wait_for_their_data_then_plug_in(tmp_path, pypi_server):
    settings = make_settings(tmp_path, pypi_server, alert_dry_run=True)
    run_collect(settings, ["onnxruntime"])
    waiting = check_on_the_28th(settings).waiting
    assert waiting == {"download_change": "no rows in framework_downloads_daily yet",
                       "benchmark_regression": "no rows in benchmark_regressions yet",
                       "new_advisory": "no rows in vulnerabilities yet"}
    for view, sql in STAND_INS.items():
        stand_in(settings, view, sql)
    printed: list[str] = []
    run = check_on_the_28th(settings, echo=printed.append)
    assert run.waiting == {} and run.broken == {}
    assert [a.key for a in run.new] == ["download_change:pytorch:spike:2026-W48"]
    assert run.new[0].title.startswith("pytorch: downloads spike of +200% (7-day average "
                                       "30,000/day vs 10,000/day")
    assert sorted(a.key for a in run.baseline) == [  # history found at first sight: not sent
        "benchmark_regression:pytorch:matmul_1024:2.15.0:cpu",
        "new_advisory:onnxruntime:1.32.0:GHSA-xxxx-0001"]  # 1.31.0 is not the latest release
    assert len(printed) == 1 and "[dry run, not sent; channels: no channel configured]" in printed[0]
    stand_in(settings, "vulnerabilities", STAND_INS["vulnerabilities"].replace(
        "'LOW')", "'LOW'), ('onnxruntime', '1.32.0', 'PYSEC-2026-7', 'MODERATE')"))
    later = check_on_the_28th(settings, echo=printed.append)
    assert [a.key for a in later.new] == ["new_advisory:onnxruntime:1.32.0:PYSEC-2026-7"]
    assert "onnxruntime 1.32.0 (latest release) is affected by PYSEC-2026-7" in printed[-1]


def test_a_broken_rule_never_fails_the_collect(tmp_path, pypi_server, monkeypatch):
    def broken(ctx):
        ctx.con.execute("SELECT no_such_column FROM releases").fetchall()

    monkeypatch.setitem(RULES, "new_release", dataclasses.replace(RULES["new_release"], find=broken))
    settings = make_settings(tmp_path, pypi_server, alert_rules=["new_release"])
    result = run_collect(settings, ["tinygrad"])
    assert result.ok and result.published
    assert "no_such_column" in result.alerts.broken["new_release"]


EVIL = "2.16 <!channel> *bold* _it_ ~gone~ `code` & <https://evil.example|click here>"
SLACK_EVIL = ("2.16 &lt;!channel&gt; \u2217bold\u2217 \u02cdit\u02cd \u223cgone\u223c "
              "\u02cbcode\u02cb &amp; &lt;https://evil.example|click here&gt;")


@pytest.mark.parametrize("markup", ["slack", "plain"])
def test_webhook_messages_are_escaped_for_their_target(hooked, pypi_server, tmp_path, markup):
    """A release title and a report line from the data that try to mention everyone, format and
    link: inert in Slack's mrkdwn, sent as they are as plain text elsewhere."""
    settings = hooked(alert_webhook_markup=markup)
    frame = alerts.pd.DataFrame([{"alert_key": "k", "rule": "new_release", "subject": "torch",
                                  "title": f"torch {EVIL}", "raised_at": None,
                                  "url": "https://pypi.org/project/torch/2.16/?a=1|x>"}])
    notify.send(settings, notify.WEBHOOK, alerts.message(frame))
    folder, started = tmp_path / "reports", time.time()
    folder.mkdir()
    line = render.MD_SPECIALS.sub(r"\\\1", f"torch {EVIL}")  # as the report writes data
    (folder / "2026-W48.md").write_text(f"# Weekly\n\n_Source: PyPI_\n\n- {line}\n\n"
                                        "![chart](2026-W48/chart.png)\n")
    assert notify.deliver_report(settings, folder, started) == {"webhook": None, "email": None}
    alert, report = (post["text"] for post in posts(pypi_server))
    if markup == "slack":
        assert alert == ("dltrends: 1 alert (new release)\n"
                         f"\u2022 torch {SLACK_EVIL} "
                         "<https://pypi.org/project/torch/2.16/?a=1%7Cx%3E|details>")
        assert report == f"Weekly\n\nSource: PyPI\n\n- torch {SLACK_EVIL}\n"
    else:
        assert alert == ("dltrends: 1 alert (new release)\n"
                         f"- torch {EVIL}\n  https://pypi.org/project/torch/2.16/?a=1|x>")
        assert report == f"Weekly\n\nSource: PyPI\n\n- torch {EVIL}\n"


def test_slack_markup_is_chosen_by_the_webhook_host(tmp_path, monkeypatch):
    for url, slack in (("https://hooks.slack.com/services/T0/B0/x", True),
                       ("https://chat.googleapis.com/v1/spaces/x/messages", False),
                       ("https://hooks.slack.com.evil.example/services", False)):
        monkeypatch.setenv("DLTRENDS_ALERT_WEBHOOK_URL", url)
        assert notify.is_slack(make_settings(tmp_path)) is slack
        assert notify.is_slack(make_settings(tmp_path, alert_webhook_markup="plain")) is False


def test_cli_dry_run_prints_and_writes_nothing(tmp_path, pypi_server, monkeypatch):
    settings = make_settings(tmp_path, pypi_server, alert_rules=[])
    run_collect(settings)
    for name, value in (("DB", settings.db), ("REGISTRY", settings.registry),
                        ("PYPI_URL", pypi_server.url), ("ALERT_RULES", "new_release")):
        monkeypatch.setenv(f"DLTRENDS_{name}", str(value))
    runner = CliRunner()
    with time_machine.travel(RELEASE_DAY, tick=True):
        dry = runner.invoke(app, ["alerts", "check", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert "onnxruntime 1.32.0 released" in dry.stdout
    assert "alerts: 1 alert(s) would be raised (dry run)" in dry.output
    assert query(settings.db, "SELECT count(*) FROM alerts") == [(0,)]
    with time_machine.travel(RELEASE_DAY, tick=True):
        real = runner.invoke(app, ["alerts", "check"], catch_exceptions=False)
    assert real.exit_code == 0 and "alerts: 1 new alert(s)" in real.output
    listed = runner.invoke(app, ["alerts", "list", "--format", "json"], catch_exceptions=False)
    assert [a["rule"] for a in json.loads(listed.stdout)] == ["new_release"]
    rules = runner.invoke(app, ["alerts", "rules", "--format", "json"], catch_exceptions=False)
    data = {r["rule"]: r["data"] for r in json.loads(rules.stdout)}
    assert data["new_advisory"] == "waiting: no rows in vulnerabilities yet"
    assert data["new_release"] == "ready"
    test = runner.invoke(app, ["alerts", "test"], catch_exceptions=False)
    assert test.exit_code == 2 and "no alert channel configured" in test.output


def test_unknown_rule_names_are_refused(tmp_path):
    with pytest.raises(Exception, match="alert_rules: unknown rule"):
        alerts.enabled_rules(make_settings(tmp_path, alert_rules=["new_relase"]))


@pytest.mark.parametrize(("lang", "words"), [("en", ("is failing", "Alerts", "failing")),
                                             ("zh", ("持续失败", "告警", "持续失败"))])
def test_data_page_flags_a_failing_source_and_lists_its_alert(tmp_path, pypi_server, monkeypatch,
                                                              lang, words):
    from tests.support.dashboard import open_app

    settings = make_settings(tmp_path, pypi_server, failing_runs=1, http_retries=0,
                             alert_rules=["failing_source"])
    run_collect(settings, ["mlx"])
    pypi_server.fail("/pypi/tinygrad/json", status(503))
    run_collect(settings, ["tinygrad"])
    at = open_app(settings.db, monkeypatch, lang, "app_pages/data.py")
    assert not at.exception and not at.error
    warning, subheaders = at.warning[0].value, [s.value for s in at.subheader]
    assert words[0] in warning and "pypi" in warning and "HTTP 503" in warning
    assert subheaders[-1] == words[1]
    health = at.dataframe[0].value
    assert health.loc[health["source"] == "pypi", "state"].item() == words[2]
    raised = at.dataframe[-1].value
    assert raised["rule"].tolist() == ["failing_source"]
    assert raised["url"].isna().all() and [list(p) for p in raised["pending"]] == [[]]


def test_the_scheduled_report_is_delivered_on_every_channel(hooked, pypi_server, smtp):
    """The scheduler's report hook: run the report command, then send what it wrote."""
    settings = hooked()
    folder = report_dir(settings)
    writer = (f"import pathlib; d = pathlib.Path({str(folder)!r}); d.mkdir(parents=True, exist_ok=True); "
              "(d / '2026-W48.md').write_text('# dltrends weekly\\n\\n- torch 2.16.0 released\\n'); "
              "(d / '2026-W48.html').write_text('<h1>dltrends weekly</h1>')")
    runner = daemon.Runner(settings, None, after={
        "report": lambda s, started: notify.deliver_report(s, report_dir(s), started)})
    task = Task("report", "0 7 * * mon", ("report", "--out", str(folder)), catch_up_first=False)
    outcome = runner.run(task, [sys.executable, "-c", writer])
    assert outcome.code == 0
    (post,) = posts(pypi_server)
    assert post == {"text": "dltrends weekly\n\n- torch 2.16.0 released\n"}  # plain text
    (mail,) = smtp.messages
    assert mail["Subject"] == "dltrends report: 2026-W48"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "<h1>dltrends weekly</h1>" in parts["text/html"].get_payload()
    assert [p.get_filename() for p in mail.walk() if p.get_filename()] == ["2026-W48.html"]


GCHAT = "/v1/spaces/AAAA/messages"
GCHAT_KEY, GCHAT_TOKEN = "AIzaSyGChatKey0123456789", "GChatTok-987654321zyx"


def test_webhook_errors_hide_query_string_secrets(tmp_path, pypi_server, monkeypatch):
    """Google Chat's webhook URL carries its credentials in the query: ?key=...&token=..."""
    target = f"{GCHAT}?key={GCHAT_KEY}&token={GCHAT_TOKEN}"
    pypi_server.add(GCHAT, "ok", content_type="text/plain", method="POST")
    pypi_server.fail(GCHAT, status(400, f"bad request to {{base}}{target}: key {GCHAT_KEY}, "
                                        f"token={GCHAT_TOKEN}"), method="POST")
    monkeypatch.setenv("DLTRENDS_ALERT_WEBHOOK_URL", pypi_server.url + target)
    settings = make_settings(tmp_path, pypi_server)
    with pytest.raises(notify.DeliveryError) as info:
        notify.post_webhook(settings, notify.Message("subject", "text"))
    text = str(info.value)
    assert text.startswith("webhook http://127.0.0.1: HTTP 400 bad request to")
    assert GCHAT_KEY not in text and GCHAT_TOKEN not in text
