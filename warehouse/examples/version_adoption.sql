-- How fast do users move to a new minor release?
SELECT package, version, released_on, days_to_25, days_to_50, round(peak_share, 2) AS peak
FROM version_adoption WHERE level = 'minor' AND covers_release
ORDER BY package, released_on;
