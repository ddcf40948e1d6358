"""Alerts after each job: evaluate the rules, remember what they found, deliver what is owed.

Called by the collect job before it publishes (so a cron-started collect and the scheduler alike
evaluate them) and by `dltrends alerts check`. An alert is raised once (its key is remembered in
core.alerts) and delivered once per channel configured when it was raised; a delivery that fails
is tried again after the next job, up to MAX_ATTEMPTS times. A rule that breaks is logged and
skipped: alerting never fails a collect.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dltrends.errors import ConfigError
from dltrends.settings import Settings
from jobs.alerts import notify
from jobs.alerts.rules import RULES, Alert, Context, Rule, readiness
from jobs.terminate import stop_if_requested
from warehouse.db import transaction
from warehouse.operations import (
    insert_alerts,
    known_alert_keys,
    mark_deliveries,
    mark_rules_seen,
    pending_deliveries,
    rules_seen,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 48  # two days of hourly jobs
MAX_PER_MESSAGE = 50


@dataclass
class Finding:
    rule: Rule
    alerts: list[Alert]
    baseline: bool  # the rule's first evaluation with data: record, do not send


@dataclass
class AlertRun:
    new: list[Alert] = field(default_factory=list)
    baseline: list[Alert] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # rule -> what it waits for
    broken: dict[str, str] = field(default_factory=dict)  # rule -> error
    sent: Counter = field(default_factory=Counter)  # channel -> alerts delivered
    errors: dict[str, str] = field(default_factory=dict)  # channel -> why delivery failed

    @property
    def ok(self) -> bool:
        return not (self.broken or self.errors)

    def summary(self) -> str:
        parts = [f"{len(self.new)} new alert(s)"]
        if self.baseline:
            parts.append(f"{len(self.baseline)} recorded as baseline")
        parts += [f"sent {n} by {channel}" for channel, n in sorted(self.sent.items())]
        parts += [f"{channel} failed: {error}" for channel, error in sorted(self.errors.items())]
        parts += [f"rule {name} broke: {error}" for name, error in sorted(self.broken.items())]
        return "alerts: " + ", ".join(parts)


def enabled_rules(settings: Settings) -> list[Rule]:
    names = settings.alert_rules
    if "all" in names:
        return list(RULES.values())
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise ConfigError(f"alert_rules: unknown rule(s) {', '.join(unknown)} "
                          f"(known: all, {', '.join(RULES)})")
    return [RULES[n] for n in names]


def evaluate(con: duckdb.DuckDBPyConnection, settings: Settings, now: dt.datetime,
             run: AlertRun) -> list[Finding]:
    """What every enabled rule finds now; rules without their data yet are noted and skipped."""
    seen = rules_seen(con)
    findings = []
    for rule in enabled_rules(settings):
        columns = readiness(con, rule.needs)
        if isinstance(columns, str):
            run.waiting[rule.name] = columns
            continue
        try:
            alerts = rule.find(Context(con, settings, now, columns))
        except duckdb.Error as exc:  # a view changed under the rule: report it, keep going
            log.warning("alert rule %s failed: %s", rule.name, exc)
            run.broken[rule.name] = str(exc).splitlines()[0]
            continue
        findings.append(Finding(rule, alerts, rule.baseline and rule.name not in seen))
    return findings


def record(con: duckdb.DuckDBPyConnection, settings: Settings, findings: list[Finding],
           now: dt.datetime, run: AlertRun) -> None:
    """Remember every finding (once per key) and owe a delivery for each new, non-baseline one."""
    rows = [{"alert_key": a.key, "rule": a.rule, "subject": a.subject, "title": a.title,
             "url": a.url, "detail": a.detail_json(), "raised_at": now, "baseline": f.baseline}
            for f in findings for a in f.alerts]
    frame = pd.DataFrame(rows, columns=["alert_key", "rule", "subject", "title", "url", "detail",
                                        "raised_at", "baseline"])
    frame = frame.drop_duplicates("alert_key")
    with transaction(con):
        mark_rules_seen(con, [f.rule.name for f in findings], now)
        new = set(insert_alerts(con, frame, notify.channels(settings)))
    for finding in findings:
        fresh = [a for a in finding.alerts if a.key in new]
        (run.baseline if finding.baseline else run.new).extend(fresh)


def deliver(con: duckdb.DuckDBPyConnection, settings: Settings, run: AlertRun,
            echo: Callable[[str], None] | None = None) -> None:
    """Send what is owed, one message per channel (in chunks), and record each attempt."""
    owed = pending_deliveries(con, MAX_ATTEMPTS)
    configured = set(notify.channels(settings))
    for channel, group in owed.groupby("channel", sort=True):
        if channel not in configured:  # removed since, or dry run on: keep it owed
            continue
        for start in range(0, len(group), MAX_PER_MESSAGE):
            chunk = group.iloc[start:start + MAX_PER_MESSAGE]
            keys = chunk["alert_key"].tolist()
            try:
                notify.send(settings, str(channel), message(chunk), echo)
            except notify.DeliveryError as exc:
                log.warning("could not deliver %d alert(s): %s", len(keys), exc)
                run.errors[str(channel)] = str(exc)
                with transaction(con):
                    mark_deliveries(con, str(channel), keys, None, str(exc))
                break
            with transaction(con):
                mark_deliveries(con, str(channel), keys, _now(), None)
            run.sent[str(channel)] += len(keys)


def check(con: duckdb.DuckDBPyConnection, settings: Settings, now: dt.datetime | None = None,
          echo: Callable[[str], None] | None = None) -> AlertRun:
    """Evaluate, record and deliver: the step after every job."""
    now = now or _now()
    run = AlertRun()
    record(con, settings, evaluate(con, settings, now, run), now, run)
    deliver(con, settings, run, echo)
    if run.new or run.sent or not run.ok:
        log.info(run.summary())
    return run


def after_job(con: duckdb.DuckDBPyConnection, settings: Settings) -> AlertRun | None:
    """`check`, never failing the job it follows (a broken setting or rule is logged)."""
    if not settings.alert_rules:
        return None
    try:
        return check(con, settings)
    except Exception as exc:  # a broken setting, rule or channel must not cost the job its publish
        stop_if_requested()
        log.error("alerts were not evaluated: %s: %s", type(exc).__name__, exc)
        run = AlertRun()
        run.broken["*"] = f"{type(exc).__name__}: {exc}"
        return run


def preview(con: duckdb.DuckDBPyConnection, settings: Settings, now: dt.datetime | None = None
            ) -> tuple[AlertRun, list[notify.Message]]:
    """What `check` would raise and send now, without writing or sending anything (dry run)."""
    now = now or _now()
    run = AlertRun()
    findings = evaluate(con, settings, now, run)
    known = known_alert_keys(con, [a.key for f in findings for a in f.alerts])
    for finding in findings:
        fresh = [a for a in finding.alerts if a.key not in known]
        (run.baseline if finding.baseline else run.new).extend(fresh)
    frame = pd.DataFrame([{"alert_key": a.key, "rule": a.rule, "subject": a.subject,
                           "title": a.title, "url": a.url, "raised_at": now} for a in run.new])
    messages = [message(frame)] * len(notify.channels(settings) or [notify.EMAIL]) \
        if not frame.empty else []
    return run, messages


def message(alerts: pd.DataFrame) -> notify.Message:
    """One message listing `alerts`: plain text with the URLs, and a Slack version whose text
    from the data is escaped and whose links are ours."""
    rules = ", ".join(sorted(set(alerts["rule"]))).replace("_", " ")
    subject = f"dltrends: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} ({rules})"
    plain, slack = [subject], [notify.mrkdwn(subject)]
    for row in alerts.itertuples(index=False):
        url = row.url if isinstance(row.url, str) else ""
        plain.append(f"- {row.title}" + (f"\n  {url}" if url else ""))
        link = notify.slack_link(url, "details")
        slack.append(f"• {notify.mrkdwn(str(row.title))}" + (f" {link}" if link else ""))
    return notify.Message(subject, "\n".join(plain), mrkdwn="\n".join(slack))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
