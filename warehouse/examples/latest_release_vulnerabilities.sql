-- Open advisories on each framework's latest release
SELECT framework, package, latest_version, open_vulnerabilities, critical, high, advisory_ids
FROM latest_release_vulnerabilities WHERE osv_checked ORDER BY open_vulnerabilities DESC;
