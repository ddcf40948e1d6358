-- Operations: what each source promises (freshness, schedule) and the alerts raised.

-- Written at every collect from jobs/collect/sources.py and the settings, so the dashboard and
-- `dltrends status` can judge freshness from the published file alone.
CREATE TABLE core.source_expectations (
    source         VARCHAR PRIMARY KEY,
    title          VARCHAR,
    fresh_within_s BIGINT NOT NULL,   -- data older than this is stale
    schedule       VARCHAR,           -- cron expression (UTC) of `dltrends schedule`; NULL when off
    failing_runs   INTEGER NOT NULL   -- this many failed runs in a row make the source failing
);

-- Every alert a rule raised, once per key; `baseline` marks what a rule found the first time it
-- saw data (recorded, never sent), so enabling a rule does not flood the channels with history.
CREATE TABLE core.alerts (
    alert_key VARCHAR PRIMARY KEY,   -- rule:subject:what, e.g. new_release:torch:2.16.0
    rule      VARCHAR NOT NULL,
    subject   VARCHAR NOT NULL,      -- framework, package or source it is about
    title     VARCHAR NOT NULL,
    url       VARCHAR,
    detail    JSON,
    raised_at TIMESTAMPTZ NOT NULL,
    baseline  BOOLEAN NOT NULL
);

-- One row per alert per channel configured when it was raised: sent once, retried until then.
CREATE TABLE core.alert_deliveries (
    alert_key  VARCHAR NOT NULL,
    channel    VARCHAR NOT NULL,     -- webhook or email
    sent_at    TIMESTAMPTZ,
    attempts   INTEGER NOT NULL,
    last_error VARCHAR,
    PRIMARY KEY (alert_key, channel)
);

CREATE TABLE core.alert_rule_state (
    rule          VARCHAR PRIMARY KEY,
    first_seen_at TIMESTAMPTZ NOT NULL   -- the first evaluation that found data: its findings are the baseline
);
