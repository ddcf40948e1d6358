CREATE OR REPLACE VIEW main.release_note_items AS
SELECT r.framework, r.repo, g.tag_name, coalesce(g.published_at, g.created_at) AS published_at,
       g.is_prerelease, n.release_id, n.item_no, n.section, n.category, n.text
FROM core.github_release_notes n
JOIN core.github_releases g ON g.release_id = n.release_id AND g.removed_at IS NULL
LEFT JOIN core.github_repos r ON r.repo_key = n.repo_key
WHERE n.removed_at IS NULL;

COMMENT ON VIEW main.release_note_items IS 'One row per item of a GitHub release''s notes, classified by its heading and keywords (item grain). Source: the release bodies in github_releases.';
COMMENT ON COLUMN main.release_note_items.framework IS 'Registry id of the framework.';
COMMENT ON COLUMN main.release_note_items.repo IS 'owner/name of the repo.';
COMMENT ON COLUMN main.release_note_items.tag_name IS 'The release''s tag.';
COMMENT ON COLUMN main.release_note_items.published_at IS 'When the release was published (UTC).';
COMMENT ON COLUMN main.release_note_items.is_prerelease IS 'Marked pre-release on GitHub.';
COMMENT ON COLUMN main.release_note_items.release_id IS 'GitHub''s release id (joins github_releases).';
COMMENT ON COLUMN main.release_note_items.item_no IS 'Position of the item in the notes (1 = first).';
COMMENT ON COLUMN main.release_note_items.section IS 'The heading the item sits under; NULL before any heading.';
COMMENT ON COLUMN main.release_note_items.category IS 'breaking, deprecation, security, performance, fix, feature or other (heading first, then the item''s words).';
COMMENT ON COLUMN main.release_note_items.text IS 'The item as written (markdown; untrusted text, show it escaped).';
