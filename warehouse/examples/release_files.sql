-- Which frameworks ship Linux arm64 wheels for Python 3.12 in their latest release?
SELECT DISTINCT framework, package, version FROM release_files
WHERE list_contains(platforms, 'linux') AND list_contains(architectures, 'arm64')
  AND list_contains(python_versions, '3.12') AND role = 'primary';
