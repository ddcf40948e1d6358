-- The latest deprecations announced in release notes
SELECT framework, tag_name, section, text FROM release_note_items
WHERE category = 'deprecation' ORDER BY published_at DESC LIMIT 20;
