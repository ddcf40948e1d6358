CREATE OR REPLACE VIEW main.npm_downloads_daily AS
SELECT f.framework, n.package, n.day, n.downloads
FROM core.npm_downloads_daily n
JOIN (SELECT framework, unnest(npm) AS package FROM core.frameworks) f USING (package);

COMMENT ON VIEW main.npm_downloads_daily IS 'Downloads per npm package per day, for the registry''s npm lists (the frameworks'' JavaScript builds). Source: npm downloads API (/downloads/range), history from 2015-01-10. Downloads, not users: CI systems and mirrors download too.';
COMMENT ON COLUMN main.npm_downloads_daily.framework IS 'Registry id of the framework whose npm list names the package.';
COMMENT ON COLUMN main.npm_downloads_daily.package IS 'npm package name, e.g. @tensorflow/tfjs.';
COMMENT ON COLUMN main.npm_downloads_daily.day IS 'UTC day.';
COMMENT ON COLUMN main.npm_downloads_daily.downloads IS 'Downloads that day (0 before the package existed).';
