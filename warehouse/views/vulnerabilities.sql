CREATE OR REPLACE VIEW main.vulnerabilities AS
SELECT p.framework, p.package, p.role, v.version, v.vuln_id AS advisory_id,
       coalesce(list_sort(list_filter(a.aliases, lambda x: x LIKE 'CVE-%'))[1],
                CASE WHEN v.vuln_id LIKE 'GHSA-%' THEN v.vuln_id END,
                list_sort(list_filter(a.aliases, lambda x: x LIKE 'GHSA-%'))[1],
                v.vuln_id) AS vulnerability,
       a.aliases, a.summary, a.severity, a.cvss_score, a.cvss_vector, a.published, a.modified,
       a.withdrawn, coalesce(af.fixed_versions, []) AS fixed_versions,
       'https://osv.dev/vulnerability/' || v.vuln_id AS url
FROM core.osv_version_vulns v
JOIN core.packages p USING (package_key)
JOIN core.pypi_releases r
  ON r.package_key = v.package_key AND r.version = v.version AND r.removed_at IS NULL
LEFT JOIN core.osv_advisories a USING (vuln_id)
LEFT JOIN core.osv_affected af
       ON af.vuln_id = v.vuln_id AND af.package_key = v.package_key AND af.removed_at IS NULL
WHERE v.removed_at IS NULL;

COMMENT ON VIEW main.vulnerabilities IS 'Known advisories per PyPI package x version x advisory, for every tracked version OSV was asked about. Source: OSV (osv.dev) /v1/querybatch for the matches, /v1/vulns/{id} for the details. One vulnerability often has several advisories (GHSA, PYSEC, ...): count distinct vulnerability, not advisory_id.';
COMMENT ON COLUMN main.vulnerabilities.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.vulnerabilities.package IS 'Package name as written in the registry.';
COMMENT ON COLUMN main.vulnerabilities.role IS 'primary, variant, companion, nightly or ecosystem.';
COMMENT ON COLUMN main.vulnerabilities.version IS 'Affected version, as the index lists it.';
COMMENT ON COLUMN main.vulnerabilities.advisory_id IS 'OSV id of the advisory (GHSA-..., PYSEC-..., ...).';
COMMENT ON COLUMN main.vulnerabilities.vulnerability IS 'One key per vulnerability across databases: its first CVE alias, else its GHSA id, else the advisory id.';
COMMENT ON COLUMN main.vulnerabilities.aliases IS 'Other ids of the same vulnerability (CVE, GHSA, PYSEC); NULL until the advisory is fetched.';
COMMENT ON COLUMN main.vulnerabilities.summary IS 'One-line summary (untrusted text from the advisory).';
COMMENT ON COLUMN main.vulnerabilities.severity IS 'low, medium, high or critical: from the CVSS base score when a vector is given, else the database''s own rating; NULL when unrated.';
COMMENT ON COLUMN main.vulnerabilities.cvss_score IS 'CVSS base score computed from cvss_vector (0-10).';
COMMENT ON COLUMN main.vulnerabilities.cvss_vector IS 'The newest CVSS vector the advisory gives (v4 over v3 over v2).';
COMMENT ON COLUMN main.vulnerabilities.published IS 'When the advisory was published (UTC).';
COMMENT ON COLUMN main.vulnerabilities.modified IS 'When the advisory last changed (UTC).';
COMMENT ON COLUMN main.vulnerabilities.withdrawn IS 'When the advisory was withdrawn (UTC); NULL while it stands.';
COMMENT ON COLUMN main.vulnerabilities.fixed_versions IS 'Versions of this package that fix it, from the advisory''s ranges; empty when no fix is known.';
COMMENT ON COLUMN main.vulnerabilities.url IS 'The advisory on osv.dev.';
