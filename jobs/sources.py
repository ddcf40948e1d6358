"""The sources `dltrends collect` knows: which collector, which streams, which items from the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors import github, github_history, pypi
from collectors.base import Stream
from dltrends.registry import Registry
from dltrends.settings import Settings

Plan = list[tuple[Stream, list[str]]]


@dataclass(frozen=True)
class Source:
    name: str
    title: str  # shown in captions: "PyPI JSON API"
    make_collector: Callable[[Settings, Callable[[float], None] | None], Any]
    plan: Callable[[Settings, Registry, list[str] | None], Plan]
    needs_network: str = ""  # what a user must have for this source to work


def _pypi_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    keys = [p.key for p in registry.packages(nightlies=settings.nightlies, only=only)]
    return [(pypi.PROJECTS, keys)]


def _repos(registry: Registry, only: list[str] | None) -> list[str]:
    """The registry's GitHub repos (owner/name), in registry order."""
    return [repo for fid, fw in registry.frameworks.items() if not only or fid in only
            for repo in fw.github]


def _github_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    repos = _repos(registry, only)
    if not repos:
        return []
    return [(github.REPOS, repos), (github.RELEASES, repos), (github.RATE_LIMIT, ["github"])]


def _history_plan(settings: Settings, registry: Registry, only: list[str] | None) -> Plan:
    repos = _repos(registry, only)
    if not repos:
        return []
    h = github_history
    # The issue listing goes before the search counts: a repo whose listing is complete needs none.
    return [(h.COMMITS, repos), (h.STARS, repos), (h.ISSUES, repos), (h.COUNTS, repos),
            (h.RATE_LIMIT, ["github"])]


SOURCES: dict[str, Source] = {
    "pypi": Source(
        name=pypi.NAME,
        title="PyPI JSON API",
        make_collector=pypi.PypiCollector.from_settings,
        plan=_pypi_plan,
    ),
    "github": Source(
        name=github.NAME,
        title="GitHub REST and GraphQL APIs",
        make_collector=github.GitHubCollector.from_settings,
        plan=_github_plan,
        needs_network="api.github.com (60 requests an hour without GITHUB_TOKEN)",
    ),
    "github-history": Source(
        name=github_history.NAME,
        title="GitHub search, issue listing, star history and git clones",
        make_collector=github_history.HistoryCollector.from_settings,
        plan=_history_plan,
        needs_network="api.github.com and github.com (git); a GITHUB_TOKEN for big repos",
    ),
}
# `github` fits a tokenless run (about 50 of the 60 requests an hour a day, see README);
# `github-history` is a backfill of many runs and is collected on request or on a schedule.
DEFAULT_SOURCES = ["pypi", "github"]
