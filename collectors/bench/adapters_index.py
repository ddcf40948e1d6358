"""Finding adapters and turning `--spec` texts into what to install and which adapter runs it.

An adapter is one file (`collectors/bench/adapters/<name>.py`, or in the folder named by
DLTRENDS_BENCH_ADAPTERS, which wins on equal names) declaring FRAMEWORK, PACKAGES, IMPORT and
MODES at module level; its framework imports happen inside setup(), so reading those names here
imports no framework.

A spec is a PEP 508 requirement (`torch==2.13.0`, `tensorflow-cpu`, `jax>=0.9`), optionally
prefixed by an adapter name (`pytorch:torch==2.13.0`) when the package alone does not say which
adapter runs it.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

BUILTIN = Path(__file__).resolve().parent / "adapters"
REFERENCE = "numpy_ref"


class SpecError(ValueError):
    """A spec that cannot be understood or has no adapter."""


@dataclass(frozen=True)
class Adapter:
    name: str  # file stem
    path: Path
    framework: str  # registry id
    packages: tuple[str, ...]
    module: str  # imported by the import_time benchmark


@dataclass(frozen=True)
class Spec:
    text: str
    adapter: Adapter
    requirement: Requirement

    @property
    def package(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def pinned_version(self) -> str | None:
        """The version of an exact `==X` pin, else None."""
        specs = list(self.requirement.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            return specs[0].version
        return None


def _read(path: Path) -> Adapter:
    spec = importlib.util.spec_from_file_location(f"dltrends_adapter_meta_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return Adapter(path.stem, path, module.FRAMEWORK,
                   tuple(canonicalize_name(p) for p in module.PACKAGES), module.IMPORT)


def discover(extra: Path | None = None) -> dict[str, Adapter]:
    """Adapter name -> Adapter, built-in first, then the extra folder (overriding equal names)."""
    folders = [BUILTIN] + ([extra] if extra else [])
    found: dict[str, Adapter] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            if not path.name.startswith("_"):
                found[path.stem] = _read(path)
    return found


def parse_spec(text: str, adapters: dict[str, Adapter]) -> Spec:
    """`[adapter:]requirement` -> Spec; SpecError says what is wrong and what is known."""
    name, _, rest = text.partition(":") if ":" in text.split("[")[0] else ("", "", text)
    try:
        requirement = Requirement(rest.strip())
    except InvalidRequirement as exc:
        raise SpecError(f"{text!r} is not a requirement like torch==2.13.0 ({exc})") from None
    if requirement.url:
        raise SpecError(f"{text!r}: direct URLs are not supported; use --find-links")
    if name:
        if name not in adapters:
            raise SpecError(f"{text!r}: no adapter named {name!r}; known: {', '.join(sorted(adapters))}")
        return Spec(text, adapters[name], requirement)
    package = canonicalize_name(requirement.name)
    if package == "numpy":
        return Spec(text, adapters[REFERENCE], requirement)
    matches = [a for a in adapters.values() if package in a.packages and a.name != REFERENCE]
    if not matches:
        known = sorted({p for a in adapters.values() for p in a.packages})
        raise SpecError(f"{text!r}: no adapter runs the package {requirement.name!r}; packages with "
                        f"an adapter: {', '.join(known)} (or prefix one: ADAPTER:{rest})")
    return Spec(text, matches[-1], requirement)
