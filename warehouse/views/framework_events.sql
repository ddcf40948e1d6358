CREATE OR REPLACE VIEW main.framework_events AS
SELECT framework, event_date, kind, note, source
FROM core.framework_events;

COMMENT ON VIEW main.framework_events IS 'Curated lifecycle events (launches, major versions, renames, merges, retirements) from the registry, each with its source.';
COMMENT ON COLUMN main.framework_events.framework IS 'Registry id.';
COMMENT ON COLUMN main.framework_events.event_date IS 'Date of the event (UTC calendar date).';
COMMENT ON COLUMN main.framework_events.kind IS 'launch, major, rename, merge, deprecation, maintenance, retired or other.';
COMMENT ON COLUMN main.framework_events.note IS 'What happened.';
COMMENT ON COLUMN main.framework_events.source IS 'URL citing the fact.';
