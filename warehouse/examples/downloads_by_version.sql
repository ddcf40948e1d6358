-- The ten most downloaded torch versions on the last day
SELECT day, version, downloads, round(100 * share, 1) AS pct FROM downloads_by_version
WHERE package = 'torch' AND day = (SELECT max(day) FROM downloads_by_version)
ORDER BY downloads DESC LIMIT 10;
