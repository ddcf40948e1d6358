"""pyproject.toml's floors, constraints.txt and this environment agree; every import is declared."""

from __future__ import annotations

import ast
import importlib.metadata as md
import os
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

from tools import pins

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"dltrends", "collectors", "warehouse", "dashboard", "jobs", "tests", "perf", "tools"}
# The frameworks the benchmark runner measures run in environments of their own, not dltrends'.
BENCH_ADAPTERS = ROOT / "collectors" / "bench" / "adapters"
# Modules of optional extras that this environment may lack: module -> distribution.
OPTIONAL_MODULES = {"google": "google-auth"}
# tools/pins.py falls back on pip's own copy of packaging on a bare interpreter.
INTERPRETER = {"pip"}


def declared_names(extras: tuple[str, ...]) -> set[str]:
    return {pins.split(r)[0] for r in pins.declared(extras)}


def third_party_imports(folders: list[str]) -> dict[str, set[str]]:
    """Top-level module -> files importing it, for every absolute import that is neither stdlib nor ours."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(BENCH_ADAPTERS):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names | FIRST_PARTY | INTERPRETER:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def distributions_of(module: str) -> set[str]:
    """The distributions that install `module` here (a namespace like google has several), or may."""
    found = {pins.canonical(d) for d in md.packages_distributions().get(module, [])}
    return found | ({OPTIONAL_MODULES[module]} if module in OPTIONAL_MODULES else set())


@pytest.mark.parametrize(("folders", "extras"), [
    (["dltrends", "collectors", "warehouse", "dashboard", "jobs"], ("bigquery",)),
    (["tests", "perf", "tools"], ("bigquery", "dev")),
])
def test_every_third_party_import_is_declared(folders, extras):
    declared = declared_names(extras)
    undeclared = {
        module: (sorted(distributions_of(module)), sorted(files)[0])
        for module, files in third_party_imports(folders).items()
        if not distributions_of(module) & declared
    }
    assert not undeclared, f"imported, not declared in pyproject.toml (distributions, a file): {undeclared}"


def test_every_dependency_has_a_floor_and_the_caps_hold():
    floors = pins.floors(("dev", "bigquery"))
    assert set(floors) == declared_names(("dev", "bigquery"))
    specs = {pins.split(r)[0]: pins.split(r)[1] for r in pins.declared(())}
    assert "<1" in specs["httpx"].replace(" ", "")
    assert "<4" in specs["apscheduler"].replace(" ", "")


def here(marker: str | None) -> bool:
    return marker is None or Marker(marker).evaluate()


def test_constraints_pin_every_dependency_within_its_specifier():
    pinned: dict[str, list[str]] = {}
    for name, version, _ in pins.read_pin_lines():
        pinned.setdefault(name, []).append(version)
    problems = []
    for text in pins.declared(("dev",)):
        requirement = Requirement(text)
        name = pins.canonical(requirement.name)
        if name not in pinned:
            problems.append(f"{name} is not pinned")
        for version in pinned.get(name, []):
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{name}=={version} is outside pyproject.toml's {requirement.specifier}")
    assert not problems, "constraints.txt and pyproject.toml disagree: " + "; ".join(problems)


def test_constraints_lines_are_exact_sorted_and_one_per_target():
    lines = pins.read_pin_lines()
    names = [name for name, _, _ in lines]
    assert names == sorted(names), "constraints.txt: sorted by name"
    assert "dltrends" not in names
    for _, version, _ in lines:
        Version(version)  # an exact version, not a range
    for key, env in pins.TARGETS.items():
        holding = [name for name, _, marker in lines if pins.applies(marker, env)]
        assert len(holding) == len(set(holding)), f"two pins of one distribution hold on {key}"


def test_this_environment_has_what_it_was_installed_with():
    """make test installs constraints.txt, make test-min the floors; `make test CONSTRAINTS=` skips this."""
    expected = os.environ.get("EXPECTED_PINS", str(pins.CONSTRAINTS))
    if not expected:
        pytest.skip("installed without constraints (CONSTRAINTS= was empty)")
    wrong = []
    for name, version, marker in pins.read_pin_lines(ROOT / expected):
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            continue
        if here(marker) and Version(installed) != Version(version):
            wrong.append(f"{name} {installed} (pinned {version})")
    assert not wrong, f"installed versions differ from {expected}; run make dev: " + ", ".join(wrong)
