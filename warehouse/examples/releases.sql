-- Final releases per framework and year (primary packages only)
SELECT framework, year(released_at) AS year, count(*) AS releases
FROM releases WHERE role = 'primary' AND NOT is_prerelease
GROUP BY ALL ORDER BY framework, year;

-- Which Python versions does each framework's latest release support?
SELECT framework, package, version, python_versions FROM releases
WHERE role = 'primary' AND NOT is_prerelease AND NOT yanked
QUALIFY row_number() OVER (PARTITION BY package ORDER BY version_rank DESC) = 1;
