CREATE OR REPLACE VIEW main.stackoverflow_tags_daily AS
WITH s AS (
    SELECT *, lag(snapshot_date) OVER w AS previous_date, lag(question_count) OVER w AS previous_count
    FROM core.stackoverflow_tags_daily
    WINDOW w AS (PARTITION BY tag ORDER BY snapshot_date)
)
SELECT f.framework, s.tag, s.snapshot_date, s.question_count,
       s.previous_date AS previous_snapshot_date,
       s.question_count - s.previous_count AS new_questions,
       round((s.question_count - s.previous_count) * 7.0
             / date_diff('day', s.previous_date, s.snapshot_date), 1) AS questions_per_week,
       s.has_synonyms, s.fetched_at
FROM s
JOIN (SELECT framework, unnest(stackoverflow_tags) AS tag FROM core.frameworks) f USING (tag);

COMMENT ON VIEW main.stackoverflow_tags_daily IS 'One snapshot per Stack Overflow tag per UTC day: questions carrying the tag, and the questions added since the previous snapshot. Source: StackExchange API 2.3 (/tags/{tags}/info). The API reports only the present, so the series starts with the first collect.';
COMMENT ON COLUMN main.stackoverflow_tags_daily.framework IS 'Registry id of the framework whose stackoverflow_tags list the tag.';
COMMENT ON COLUMN main.stackoverflow_tags_daily.tag IS 'Stack Overflow tag.';
COMMENT ON COLUMN main.stackoverflow_tags_daily.snapshot_date IS 'UTC day of the snapshot.';
COMMENT ON COLUMN main.stackoverflow_tags_daily.question_count IS 'Questions with the tag that day (deleted questions leave the count).';
COMMENT ON COLUMN main.stackoverflow_tags_daily.previous_snapshot_date IS 'The tag''s snapshot before this one; NULL for the first.';
COMMENT ON COLUMN main.stackoverflow_tags_daily.new_questions IS 'question_count minus the previous snapshot''s: questions added in between, net of deletions (can be negative).';
COMMENT ON COLUMN main.stackoverflow_tags_daily.questions_per_week IS 'new_questions scaled to 7 days (new questions per week over the gap since the previous snapshot).';
COMMENT ON COLUMN main.stackoverflow_tags_daily.has_synonyms IS 'True when other tags are synonyms of this one (their questions carry this tag).';
COMMENT ON COLUMN main.stackoverflow_tags_daily.fetched_at IS 'When the snapshot was taken (UTC).';
