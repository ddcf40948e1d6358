CREATE OR REPLACE VIEW main.latest_release_vulnerabilities AS
WITH latest AS (
    SELECT r.package_key, arg_max(r.version, r.version_rank) AS version,
           arg_max(r.released_at, r.version_rank) AS released_at
    FROM core.pypi_releases r JOIN core.packages p USING (package_key)
    WHERE p.role = 'primary' AND r.removed_at IS NULL AND NOT coalesce(r.is_prerelease, true)
      AND NOT r.yanked
    GROUP BY r.package_key
),
open AS (
    SELECT v.package_key, v.version, v.vuln_id, a.severity, a.cvss_score,
           coalesce(list_sort(list_filter(a.aliases, lambda x: x LIKE 'CVE-%'))[1],
                    CASE WHEN v.vuln_id LIKE 'GHSA-%' THEN v.vuln_id END,
                    list_sort(list_filter(a.aliases, lambda x: x LIKE 'GHSA-%'))[1],
                    v.vuln_id) AS vulnerability
    FROM core.osv_version_vulns v LEFT JOIN core.osv_advisories a USING (vuln_id)
    WHERE v.removed_at IS NULL AND a.withdrawn IS NULL
)
SELECT p.framework, p.package, l.version AS latest_version, l.released_at,
       fs.item_key IS NOT NULL AS osv_checked,
       count(DISTINCT o.vulnerability) AS open_vulnerabilities,
       count(o.vuln_id) AS open_advisories,
       count(DISTINCT o.vulnerability) FILTER (WHERE o.severity = 'critical') AS critical,
       count(DISTINCT o.vulnerability) FILTER (WHERE o.severity = 'high') AS high,
       max(o.cvss_score) AS max_cvss_score,
       coalesce(list(o.vuln_id ORDER BY o.vuln_id) FILTER (WHERE o.vuln_id IS NOT NULL), [])
           AS advisory_ids
FROM latest l
JOIN core.packages p USING (package_key)
LEFT JOIN open o ON o.package_key = l.package_key AND o.version = l.version
LEFT JOIN core.fetch_state fs
       ON fs.source = 'osv' AND fs.stream = 'queries' AND fs.item_key = l.package_key || '==' || l.version
GROUP BY ALL;

COMMENT ON VIEW main.latest_release_vulnerabilities IS 'Per framework and primary package: the open advisories on its latest final, not yanked release. Source: OSV (osv.dev), matched to the PyPI releases dltrends collected.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.package IS 'Primary package, as written in the registry.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.latest_version IS 'Highest final, not yanked version on PyPI.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.released_at IS 'When that version was released (UTC).';
COMMENT ON COLUMN main.latest_release_vulnerabilities.osv_checked IS 'False when OSV has not been asked about this version yet (the counts are then not known, not zero).';
COMMENT ON COLUMN main.latest_release_vulnerabilities.open_vulnerabilities IS 'Distinct vulnerabilities (advisories of several databases counted once) affecting the version, withdrawn ones left out.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.open_advisories IS 'Advisories affecting the version (GHSA and PYSEC of the same issue counted separately).';
COMMENT ON COLUMN main.latest_release_vulnerabilities.critical IS 'Of the open vulnerabilities, how many are rated critical.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.high IS 'Of the open vulnerabilities, how many are rated high.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.max_cvss_score IS 'Highest CVSS base score among them; NULL when none is scored.';
COMMENT ON COLUMN main.latest_release_vulnerabilities.advisory_ids IS 'The advisory ids, sorted.';
