-- Renames, merges and retirements, oldest first
SELECT framework, event_date, kind, note, source FROM framework_events
WHERE kind IN ('rename', 'merge', 'retired') ORDER BY event_date;
