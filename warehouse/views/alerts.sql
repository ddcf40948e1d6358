CREATE OR REPLACE VIEW main.alerts AS
WITH deliveries AS (
    SELECT alert_key,
           coalesce(list(channel ORDER BY channel) FILTER (WHERE sent_at IS NOT NULL), []) AS sent_to,
           coalesce(list(channel ORDER BY channel) FILTER (WHERE sent_at IS NULL), []) AS pending,
           max(sent_at) AS sent_at,
           string_agg(channel || ': ' || last_error, '; ' ORDER BY channel)
               FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL) AS last_error
    FROM core.alert_deliveries
    GROUP BY alert_key
)
SELECT a.raised_at, a.rule, a.subject, a.title, a.url, a.baseline,
       coalesce(d.sent_to, []) AS sent_to, coalesce(d.pending, []) AS pending, d.sent_at,
       d.last_error, a.detail, a.alert_key
FROM core.alerts a
LEFT JOIN deliveries d USING (alert_key);

COMMENT ON VIEW main.alerts IS 'One row per alert the rules raised (each raised once), with where it was sent. Source: dltrends alert rules over the public views, evaluated after each job.';
COMMENT ON COLUMN main.alerts.raised_at IS 'When a rule first found it (UTC).';
COMMENT ON COLUMN main.alerts.rule IS 'Rule that raised it: new_release, download_change, benchmark_regression, new_advisory, stale_source, failing_source, ...';
COMMENT ON COLUMN main.alerts.subject IS 'Framework, package or source it is about.';
COMMENT ON COLUMN main.alerts.title IS 'One-line description, as sent.';
COMMENT ON COLUMN main.alerts.url IS 'Link to the evidence, when there is one.';
COMMENT ON COLUMN main.alerts.baseline IS 'True when found at the rule''s first evaluation with data: recorded as the starting point, never sent.';
COMMENT ON COLUMN main.alerts.sent_to IS 'Channels it was delivered to (webhook, email).';
COMMENT ON COLUMN main.alerts.pending IS 'Channels still owed a delivery (retried after each job).';
COMMENT ON COLUMN main.alerts.sent_at IS 'Latest successful delivery (UTC); NULL when not sent (yet).';
COMMENT ON COLUMN main.alerts.last_error IS 'Why the latest delivery attempt failed, per pending channel.';
COMMENT ON COLUMN main.alerts.detail IS 'The facts behind the alert (JSON): versions, counts, thresholds.';
COMMENT ON COLUMN main.alerts.alert_key IS 'Identity that makes it raised once: rule:subject:what.';
