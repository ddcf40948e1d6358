-- Internal (schema core): one source of truth per (package, day, dimension). Every public download
-- view reads this, so no day is counted twice. Precedence: pypistats (the daily reference for the
-- days it covers), then bigquery (first-party query of the same logs), then clickpy (the mirror
-- used for backfills). All of a day's categories come from the chosen source, so mixes add up.
CREATE OR REPLACE VIEW core.downloads_resolved AS
SELECT package_key, dimension, day, category, source, downloads
FROM core.pypi_downloads
QUALIFY dense_rank() OVER (
    PARTITION BY package_key, dimension, day
    ORDER BY CASE source WHEN 'pypistats' THEN 1 WHEN 'bigquery' THEN 2 ELSE 3 END
) = 1;
