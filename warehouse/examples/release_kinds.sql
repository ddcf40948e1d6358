-- Major, minor, patch and pre-releases per framework over the last year
SELECT r.framework, k.kind, count(*) AS releases
FROM releases r JOIN release_kinds k USING (package, version)
WHERE r.role = 'primary' AND r.released_at >= now() - INTERVAL 365 DAY
GROUP BY ALL ORDER BY r.framework, k.kind;
