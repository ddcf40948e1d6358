"""Release notes -> classified items, and tags -> versions (pure functions, no I/O)."""

import pytest

from tests.support.github_repos import recorded_release_bodies
from warehouse.transforms.github import tag_version
from warehouse.transforms.release_notes import counts, parse

TENSORFLOW_LIKE = """# Release 2.16.0

## Breaking Changes

*   `tf.foo` was removed.
*   `tf.keras`:
    *   Keras 3 is now the default.
    *   `tf.keras.Foo` is deprecated.

## Known Caveats

Some paragraph about caveats
that wraps onto a second line.

## Major Features and Improvements

*   Added support for Python 3.12.
*   Faster `tf.data` pipelines, by 20 %.
*   Fixed a crash in `tf.Variable`.

## Bug Fixes and Other Changes

*   Security: fixes CVE-2024-1234 in the parser.
*   `tf.bar` is deprecated in favour of `tf.baz`.
*   Updated the documentation.

```python
* not an item
```

| table | row |
|---|---|

**Full Changelog**: https://github.com/x/y/compare/v1...v2

## Thanks to our Contributors

This release contains contributions from many people, as well as:

a, b, c
"""


def test_headings_bullets_topics_and_keywords():
    items = parse(TENSORFLOW_LIKE)
    assert [(i.section, i.category, i.text) for i in items] == [
        ("Breaking Changes", "breaking", "`tf.foo` was removed."),
        ("Breaking Changes", "breaking", "tf.keras: Keras 3 is now the default."),
        ("Breaking Changes", "breaking", "tf.keras: `tf.keras.Foo` is deprecated."),
        ("Known Caveats", "other", "Some paragraph about caveats that wraps onto a second line."),
        ("Major Features and Improvements", "feature", "Added support for Python 3.12."),
        ("Major Features and Improvements", "performance", "Faster `tf.data` pipelines, by 20 %."),
        ("Major Features and Improvements", "fix", "Fixed a crash in `tf.Variable`."),
        ("Bug Fixes and Other Changes", "security", "Security: fixes CVE-2024-1234 in the parser."),
        ("Bug Fixes and Other Changes", "deprecation", "`tf.bar` is deprecated in favour of `tf.baz`."),
        ("Bug Fixes and Other Changes", "other", "Updated the documentation."),
    ]


def test_recorded_pygithub_notes():
    releases = {r["tag_name"]: r["body"] for r in recorded_release_bodies()}
    v155 = parse(releases["v1.55"])
    assert counts(v155) == {"breaking": 4, "deprecation": 0, "security": 0, "performance": 0,
                            "fix": 3, "feature": 8, "other": 14}
    assert v155[1].text.endswith("This impacts what AuthenticatedUser.get_emails() returns")
    v1541 = parse(releases["v1.54.1"])
    assert [i.category for i in v1541 if "Drop support for Python 3.5" in i.text] == ["breaking"]


@pytest.mark.parametrize(("body", "expected"), [
    (None, []),
    ("", []),
    ("Just one line.", [("other", "Just one line.")]),
    ("### Deprecations\n- `jax.foo` is deprecated.\n- Use bar instead.",
     [("deprecation", "`jax.foo` is deprecated."), ("deprecation", "Use bar instead.")]),
    ("Backwards Incompatible Changes\n-------------------------------\n* Removed X\n",
     [("breaking", "Removed X")]),
    ("# Backwards Incompatible changes\n## Python API\n* Changed default of y\n",
     [("breaking", "Changed default of y")]),
    ("<script>alert(1)</script>", [("other", "<script>alert(1)</script>")]),
])
def test_edge_cases(body, expected):
    assert [(i.category, i.text) for i in parse(body)] == expected


@pytest.mark.parametrize(("tag", "version", "prefix"), [
    ("v2.3.0", "2.3.0", None), ("2.3.0", "2.3.0", None), ("V1.0", "1.0", None),
    ("jax-v0.4.30", "0.4.30", "jax"), ("jaxlib-v0.4.30", "0.4.30", "jaxlib"),
    ("rel-1.0.5", "1.0.5", None), ("v2.16.0-rc1", "2.16.0rc1", None), ("1.40a4", "1.40a4", None),
    ("rc5", None, None), ("acm-mm-oss", None, None),
])
def test_tag_versions(tag, version, prefix):
    got, got_prefix, error = tag_version(tag)
    assert (got, got_prefix) == (version, prefix)
    assert (error is None) == (version is not None)
