CREATE OR REPLACE VIEW main.github_releases AS
WITH published AS (
    SELECT 'release' AS kind, g.repo_key, g.release_id, g.tag_name, g.name,
           coalesce(g.published_at, g.created_at) AS published_at, g.is_prerelease, g.author,
           g.url, g.version, g.version_prefix, g.version_error, g.body, g.asset_downloads
    FROM core.github_releases g WHERE g.removed_at IS NULL
    UNION ALL
    SELECT 'tag', t.repo_key, NULL, t.tag_name, NULL, coalesce(t.tagged_at, t.committed_at),
           regexp_matches(coalesce(t.version, ''), '(a|b|rc|dev)[0-9]*$'), NULL, NULL, t.version,
           t.version_prefix, t.version_error, NULL, NULL
    FROM core.github_tags t WHERE t.removed_at IS NULL
),
notes AS (
    SELECT release_id,
           count(*) AS note_items,
           count(*) FILTER (WHERE category = 'breaking') AS breaking_changes,
           count(*) FILTER (WHERE category = 'deprecation') AS deprecations,
           count(*) FILTER (WHERE category = 'feature') AS features,
           count(*) FILTER (WHERE category = 'fix') AS fixes,
           count(*) FILTER (WHERE category = 'performance') AS performance,
           count(*) FILTER (WHERE category = 'security') AS security
    FROM core.github_release_notes WHERE removed_at IS NULL GROUP BY release_id
),
pypi AS (  -- PyPI versions of the same framework; a tag prefix (jaxlib-v...) picks its package
    SELECT k.framework, k.package, k.package_key, k.role, p.version, p.version_normalized,
           p.released_at
    FROM core.pypi_releases p JOIN core.packages k USING (package_key)
    WHERE p.removed_at IS NULL AND p.version_normalized IS NOT NULL
      AND k.role IN ('primary', 'companion', 'variant')
),
linked AS (
    SELECT pub.*, r.framework, r.repo, r.repo_id,
           y.package AS pypi_package, y.version AS pypi_version, y.released_at AS pypi_released_at
    FROM published pub
    LEFT JOIN core.github_repos r ON r.repo_key = pub.repo_key
    LEFT JOIN pypi y ON y.framework = r.framework AND y.version_normalized = pub.version
         AND (pub.version_prefix IS NULL OR y.package_key = replace(pub.version_prefix, '_', '-'))
    QUALIFY row_number() OVER (
        PARTITION BY pub.repo_key, pub.kind, pub.tag_name
        ORDER BY CASE y.role WHEN 'primary' THEN 0 WHEN 'companion' THEN 1 ELSE 2 END, y.package
    ) = 1
)
SELECT l.framework, l.repo, l.repo_id, l.kind, l.tag_name, l.name, l.published_at, l.is_prerelease,
       l.author, l.url, l.version, l.version_error,
       coalesce(n.note_items, 0) AS note_items,
       coalesce(n.breaking_changes, 0) AS breaking_changes,
       coalesce(n.deprecations, 0) AS deprecations,
       coalesce(n.features, 0) AS features,
       coalesce(n.fixes, 0) AS fixes,
       coalesce(n.performance, 0) AS performance_items,
       coalesce(n.security, 0) AS security_items,
       l.pypi_package, l.pypi_version, l.pypi_released_at,
       date_diff('day', l.published_at, l.pypi_released_at) AS days_to_pypi,
       l.asset_downloads, l.release_id, l.body
FROM linked l
LEFT JOIN notes n ON n.release_id = l.release_id;

COMMENT ON VIEW main.github_releases IS 'One row per published GitHub release (drafts excluded), and per tag for repos that publish no releases (Caffe, Theano), with release-note counts and the matching PyPI version. Source: GitHub REST /releases and /tags (dltrends collect --source github).';
COMMENT ON COLUMN main.github_releases.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.github_releases.repo IS 'owner/name of the repo (its current name).';
COMMENT ON COLUMN main.github_releases.repo_id IS 'GitHub''s numeric repository id; NULL until a repo snapshot was collected.';
COMMENT ON COLUMN main.github_releases.kind IS 'release (a GitHub release) or tag (a bare tag, dated by its commit or its annotation).';
COMMENT ON COLUMN main.github_releases.tag_name IS 'The git tag.';
COMMENT ON COLUMN main.github_releases.name IS 'Release title; NULL for tags.';
COMMENT ON COLUMN main.github_releases.published_at IS 'When the release was published (UTC); for a tag its annotation date, else its commit date.';
COMMENT ON COLUMN main.github_releases.is_prerelease IS 'Marked pre-release on GitHub; for tags, a PEP 440 pre- or dev-release version.';
COMMENT ON COLUMN main.github_releases.author IS 'Login of the account that published the release.';
COMMENT ON COLUMN main.github_releases.url IS 'The release page on GitHub; NULL for tags.';
COMMENT ON COLUMN main.github_releases.version IS 'PEP 440 version the tag names (v2.3.0 -> 2.3.0, jax-v0.4.30 -> 0.4.30); NULL when it names none.';
COMMENT ON COLUMN main.github_releases.version_error IS 'Why the tag gives no version; NULL when it does.';
COMMENT ON COLUMN main.github_releases.note_items IS 'Items parsed from the release notes.';
COMMENT ON COLUMN main.github_releases.breaking_changes IS 'Release-note items classified as breaking changes.';
COMMENT ON COLUMN main.github_releases.deprecations IS 'Release-note items classified as deprecations.';
COMMENT ON COLUMN main.github_releases.features IS 'Release-note items classified as new features.';
COMMENT ON COLUMN main.github_releases.fixes IS 'Release-note items classified as bug fixes.';
COMMENT ON COLUMN main.github_releases.performance_items IS 'Release-note items classified as performance changes.';
COMMENT ON COLUMN main.github_releases.security_items IS 'Release-note items classified as security fixes.';
COMMENT ON COLUMN main.github_releases.pypi_package IS 'The framework''s PyPI package that has this version (primary first); NULL when none matches.';
COMMENT ON COLUMN main.github_releases.pypi_version IS 'The PyPI version string matching the tag (2.3.0 for tag v2.3.0).';
COMMENT ON COLUMN main.github_releases.pypi_released_at IS 'First upload of that version to PyPI (UTC).';
COMMENT ON COLUMN main.github_releases.days_to_pypi IS 'Days from the GitHub release to the PyPI upload (negative: PyPI first).';
COMMENT ON COLUMN main.github_releases.asset_downloads IS 'Downloads of the release''s attached assets, summed; NULL without assets.';
COMMENT ON COLUMN main.github_releases.release_id IS 'GitHub''s release id; NULL for tags. Joins release_note_items.';
COMMENT ON COLUMN main.github_releases.body IS 'The release notes as published (markdown; untrusted text, show it escaped).';
