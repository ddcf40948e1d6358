CREATE OR REPLACE VIEW main.download_source_comparison AS
WITH pivoted AS (
    SELECT package_key, day, category,
           max(downloads) FILTER (WHERE source = 'pypistats') AS pypistats,
           max(downloads) FILTER (WHERE source = 'clickpy') AS clickpy,
           max(downloads) FILTER (WHERE source = 'bigquery') AS bigquery,
           count(*) AS sources
    FROM core.pypi_downloads
    WHERE dimension = 'total'
    GROUP BY ALL
    HAVING count(*) > 1
)
SELECT v.day, p.framework, p.package, v.package_key, v.category, v.pypistats, v.clickpy,
       v.bigquery, r.source AS chosen_source,
       (greatest(v.pypistats, v.clickpy, v.bigquery) - least(v.pypistats, v.clickpy, v.bigquery))
         / nullif(least(v.pypistats, v.clickpy, v.bigquery), 0) AS relative_difference
FROM pivoted v
JOIN core.packages p USING (package_key)
JOIN core.downloads_resolved r ON r.package_key = v.package_key AND r.dimension = 'total'
     AND r.day = v.day AND r.category = v.category;

COMMENT ON VIEW main.download_source_comparison IS 'Days held by more than one download source, per package x day x category: what each source says and how far apart they are. Only the chosen source is counted in the other views; the rest is kept for this comparison.';
COMMENT ON COLUMN main.download_source_comparison.day IS 'UTC calendar day.';
COMMENT ON COLUMN main.download_source_comparison.framework IS 'Registry id.';
COMMENT ON COLUMN main.download_source_comparison.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.download_source_comparison.package_key IS 'PEP 503 normalised name.';
COMMENT ON COLUMN main.download_source_comparison.category IS 'with_mirrors or without_mirrors.';
COMMENT ON COLUMN main.download_source_comparison.pypistats IS 'Downloads by pypistats; NULL when it does not hold the day.';
COMMENT ON COLUMN main.download_source_comparison.clickpy IS 'Downloads by clickpy; NULL when it does not hold the day.';
COMMENT ON COLUMN main.download_source_comparison.bigquery IS 'Downloads by BigQuery; NULL when it does not hold the day.';
COMMENT ON COLUMN main.download_source_comparison.chosen_source IS 'The source the other views count for this day.';
COMMENT ON COLUMN main.download_source_comparison.relative_difference IS '(largest - smallest) / smallest of the sources holding the day; 0.02 = 2 % apart.';
