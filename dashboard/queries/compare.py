"""Queries of the Compare page: each framework's first release, the origin of "years since
launch"."""

from __future__ import annotations

from dashboard.queries import Query


def first_releases() -> Query:
    """Each framework's first known release: its first PyPI upload of a primary package, its
    first GitHub release or tag, or a 'launch' event in the registry, whichever is earliest."""
    return Query(
        """
SELECT framework, min(day) AS first_release FROM (
    SELECT framework, min(released_at)::DATE AS day FROM releases
    WHERE role = 'primary' AND released_at IS NOT NULL GROUP BY framework
    UNION ALL
    SELECT framework, min(published_at)::DATE FROM github_releases
    WHERE published_at IS NOT NULL GROUP BY framework
    UNION ALL
    SELECT framework, min(event_date) FROM framework_events WHERE kind = 'launch' GROUP BY framework
) WHERE framework IS NOT NULL GROUP BY framework
"""
    )
