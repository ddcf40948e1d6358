CREATE OR REPLACE VIEW main.star_history AS
WITH keys AS (
    SELECT repo_key, repo_id, repo, framework FROM core.github_repos
),
days AS (  -- stars added per day, newest first, with the day count back from the newest day
    SELECT d.repo_key, d.day, d.stars_added,
           row_number() OVER w - 1 AS back,
           max(d.day) OVER (PARTITION BY d.repo_key) AS newest,
           coalesce(sum(d.stars_added) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::BIGINT
               AS added_after
    FROM core.github_star_days d
    WINDOW w AS (PARTITION BY d.repo_key ORDER BY d.day DESC)
),
estimated AS (  -- today's stargazers back-dated: the anchor minus the stars added after each day
    SELECT k.repo, d.day, a.stars - d.added_after AS stars, d.stars_added
    FROM days d
    JOIN core.github_star_anchors a USING (repo_key)
    JOIN keys k USING (repo_key)
    WHERE date_diff('day', d.day, d.newest) = d.back  -- contiguous back from the newest day: no gap
      AND (a.repo_created IS NULL OR d.day >= a.repo_created::DATE)
),
exact AS (
    SELECT k.repo, o.observed_on AS day, s.stars
    FROM core.github_repo_observations o
    ASOF JOIN core.github_repo_snapshots s
        ON o.repo_id = s.repo_id AND o.observed_on >= s.snapshot_date
    JOIN keys k ON k.repo_key = o.repo_key
    QUALIFY row_number() OVER (PARTITION BY k.repo, o.observed_on ORDER BY o.observed_at DESC) = 1
),
joined AS (
    SELECT coalesce(x.repo, e.repo) AS repo, coalesce(x.day, e.day) AS day,
           coalesce(x.stars, e.stars) AS stars, e.stars_added,
           CASE WHEN x.stars IS NOT NULL THEN 'exact' ELSE 'estimated' END AS method,
           CASE WHEN x.stars IS NOT NULL THEN 'daily_snapshot' ELSE 'stargazers_history' END AS source
    FROM exact x FULL OUTER JOIN estimated e ON e.repo = x.repo AND e.day = x.day
),
repos AS (
    SELECT repo, any_value(repo_id) AS repo_id, any_value(framework) AS framework
    FROM keys GROUP BY repo
)
SELECT r.framework, j.repo, r.repo_id, j.day, j.stars, j.stars_added, j.method, j.source
FROM joined j LEFT JOIN repos r USING (repo)
QUALIFY row_number() OVER (PARTITION BY j.repo, j.day ORDER BY j.method) = 1;

COMMENT ON VIEW main.star_history IS 'Cumulative stars per GitHub repo per day since its creation (repo grain), each point labelled: exact (the stargazers_count of a daily snapshot) or estimated (GET /repos/{o}/{r}/stargazers/history: today''s stargazers back-dated to the day each starred, so unstars vanish from the past). Days with neither are missing rows: gaps, never zeros.';
COMMENT ON COLUMN main.star_history.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.star_history.repo IS 'owner/name of the repo (its current name).';
COMMENT ON COLUMN main.star_history.repo_id IS 'GitHub''s numeric repository id.';
COMMENT ON COLUMN main.star_history.day IS 'The day: UTC for snapshots; GitHub''s Pacific-time calendar day for the history.';
COMMENT ON COLUMN main.star_history.stars IS 'Cumulative stars at the end of the day.';
COMMENT ON COLUMN main.star_history.stars_added IS 'Stars added that day according to the history endpoint; NULL where only a snapshot exists.';
COMMENT ON COLUMN main.star_history.method IS 'exact (observed count) or estimated (history endpoint, anchored on the count read with it).';
COMMENT ON COLUMN main.star_history.source IS 'daily_snapshot (dltrends collect --source github) or stargazers_history (--source github-history).';
