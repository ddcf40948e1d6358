-- Breaking changes and deprecations in the releases of the last year
SELECT framework, tag_name, published_at, breaking_changes, deprecations, pypi_version,
       days_to_pypi
FROM github_releases WHERE kind = 'release' AND published_at >= now() - INTERVAL 365 DAY
ORDER BY breaking_changes DESC LIMIT 20;
