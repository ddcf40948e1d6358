"""Queries of the Releases page: the release timeline, cadence, wheel matrix, advisory marks and
GitHub release notes."""

from __future__ import annotations

from dashboard.queries import Query

ROLE_SETS = {
    "primary": ["primary"],
    "counted": ["primary", "variant"],
    "all": ["primary", "variant", "companion", "nightly", "ecosystem"],
}


def frameworks_with_releases() -> Query:
    return Query(
        "SELECT DISTINCT framework FROM releases WHERE released_at IS NOT NULL"
    )


def release_timeline(frameworks: list[str], roles: list[str], prereleases: bool,
                     since_year: int) -> Query:
    return Query(
        """
SELECT r.framework, f.name AS framework_name, r.package, r.role, r.version, r.released_at,
       k.kind, r.yanked
FROM releases r JOIN frameworks f USING (framework)
JOIN release_kinds k ON k.package = r.package AND k.version = r.version
WHERE r.framework IN (SELECT unnest(?::VARCHAR[]))
  AND r.role IN (SELECT unnest(?::VARCHAR[]))
  AND r.released_at IS NOT NULL
  AND r.released_at >= make_timestamptz(?, 1, 1, 0, 0, 0, 'UTC')
  AND (? OR NOT coalesce(r.is_prerelease, false))
ORDER BY f.registry_order, r.released_at
""",
        (frameworks, roles, since_year, prereleases),
    )


def release_cadence(frameworks: list[str]) -> Query:
    """Days between the first final releases of consecutive minor series (X.Y), per package."""
    return Query(
        """
WITH gaps AS (
    SELECT framework, package, first_released_at AS first_at,
           days_since_previous_series AS gap_days
    FROM minor_series
    WHERE role = 'primary' AND framework IN (SELECT unnest(?::VARCHAR[]))
),
latest AS (
    SELECT framework, package, max(released_at) AS last_release_at,
           arg_max(version, released_at) AS last_version
    FROM releases
    WHERE role = 'primary' AND framework IN (SELECT unnest(?::VARCHAR[]))
      AND NOT coalesce(is_prerelease, true) AND released_at IS NOT NULL
    GROUP BY ALL
)
SELECT g.framework, f.name AS framework_name, g.package,
       count(*) AS minor_releases,
       median(g.gap_days) AS median_days,
       arg_max(g.gap_days, g.first_at) AS latest_gap_days,
       max(g.first_at) AS latest_minor_at,
       any_value(l.last_version) AS last_version,
       any_value(l.last_release_at) AS last_release_at,
       date_diff('day', any_value(l.last_release_at), now()) AS days_since_release
FROM gaps g JOIN latest l USING (framework, package) JOIN frameworks f USING (framework)
GROUP BY g.framework, f.name, g.package, f.registry_order
ORDER BY f.registry_order, g.package
""",
        (frameworks, frameworks),
    )


def latest_release_files(framework: str) -> Query:
    """Files of the latest final, not yanked release with files of each primary package."""
    return Query(
        """
WITH latest AS (
    SELECT package, arg_max(version, version_rank) AS version
    FROM releases
    WHERE framework = ? AND role = 'primary' AND NOT coalesce(is_prerelease, true)
      AND NOT yanked AND file_count > 0
    GROUP BY package
)
SELECT f.package, f.version, f.filename, f.packagetype, f.python_versions, f.platforms,
       f.architectures, f.size_bytes, f.uploaded_at
FROM release_files f JOIN latest l USING (package, version)
ORDER BY f.package, f.filename
""",
        (framework,),
    )


def advisory_counts(frameworks: list[str]) -> Query:
    """Known advisories per release of the given frameworks (for marks on the release timeline)."""
    return Query(
        """
SELECT package, version, count(DISTINCT vulnerability) AS vulnerabilities,
       count(*) AS advisories, max(cvss_score) AS max_cvss_score,
       CASE max(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                              WHEN 'low' THEN 1 ELSE 0 END)
            WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' END
           AS max_severity
FROM vulnerabilities
WHERE framework IN (SELECT unnest(?::VARCHAR[])) AND withdrawn IS NULL
GROUP BY package, version
""",
        (frameworks,),
    )


def frameworks_with_notes() -> Query:
    return Query(
        "SELECT DISTINCT framework FROM github_releases WHERE kind = 'release' AND note_items > 0"
    )


def release_note_counts(framework: str, limit: int = 30) -> Query:
    """Per release of one framework (newest first): its note items by category."""
    return Query(
        """
SELECT tag_name, name, published_at, is_prerelease, breaking_changes, deprecations, features, fixes,
       performance_items, security_items, note_items, pypi_version, url, release_id
FROM github_releases
WHERE framework = ? AND kind = 'release'
ORDER BY published_at DESC
LIMIT ?
""",
        (framework, limit),
    )


def release_note_items(release_id: int) -> Query:
    return Query(
        """
SELECT item_no, category, section, text FROM release_note_items
WHERE release_id = ? ORDER BY item_no
""",
        (release_id,),
    )


def release_body(release_id: int) -> Query:
    return Query("SELECT tag_name, url, body FROM github_releases WHERE release_id = ?", (release_id,))
