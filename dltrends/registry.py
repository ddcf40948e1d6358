"""The framework registry (`frameworks.toml`): which packages, repos and names make a framework.

A framework is a family: primary PyPI packages and their variants (counted in framework totals),
companions, nightlies and ecosystem tools (tracked on their own rows, never counted), repos,
conda and npm names, the Hugging Face library tag, Stack Overflow tags, aliases other sources
use, a lifecycle status and dated events.
Loading validates everything and raises ConfigError naming the file, the framework and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from packaging.utils import canonicalize_name
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from dltrends.errors import ConfigError, read_toml

Role = Literal["primary", "variant", "companion", "nightly", "ecosystem"]
COUNTED_ROLES: tuple[Role, ...] = ("primary", "variant")
ROLE_FIELDS: dict[str, Role] = {
    "pypi": "primary",
    "pypi_variants": "variant",
    "pypi_companions": "companion",
    "pypi_nightly": "nightly",
    "ecosystem": "ecosystem",
}

PackageName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
RepoName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
# npm names are lower case, optionally scoped (@scope/name); the slash is part of the name.
NpmName = Annotated[str, StringConstraints(
    pattern=r"^(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*$", max_length=214)]
Url = Annotated[str, StringConstraints(pattern=r"^(https?://\S+)?$")]
FRAMEWORK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Event(BaseModel):
    """A dated lifecycle event shown on charts."""

    model_config = ConfigDict(extra="forbid", strict=True)

    date: Annotated[dt.date, Field(strict=False)]
    kind: Literal["launch", "major", "rename", "merge", "deprecation", "maintenance", "retired",
                  "other"]
    note: str
    source: Url = ""


class Framework(BaseModel):
    """One `[frameworks.<id>]` table."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    github: list[RepoName] = []
    pypi: list[PackageName] = []
    pypi_variants: list[PackageName] = []
    pypi_companions: list[PackageName] = []
    pypi_nightly: list[PackageName] = []
    ecosystem: list[PackageName] = []
    conda: list[str] = []
    npm: list[NpmName] = []
    hf_library: str = ""
    stackoverflow_tags: list[str] = []
    aliases: list[str] = []
    status: Literal["active", "maintenance", "archived", "retired"] = "active"
    successor: str = ""
    events: list[Event] = []
    homepage: Url = ""
    deployment: list[Literal["server", "desktop", "mobile", "edge", "browser", "embedded"]] = []
    deployment_source: Url = ""


@dataclass(frozen=True)
class Package:
    """One tracked PyPI package with its framework and role."""

    name: str  # as written in the registry
    key: str  # PEP 503 normalised name, the warehouse key
    framework: str
    role: Role

    @property
    def counted(self) -> bool:
        return self.role in COUNTED_ROLES


@dataclass(frozen=True)
class Registry:
    path: Path
    frameworks: dict[str, Framework]

    def packages(self, *, nightlies: bool = False, only: list[str] | None = None) -> list[Package]:
        """Tracked PyPI packages, in registry order; nightlies only when enabled."""
        return [
            p for p in self._all_packages()
            if (nightlies or p.role != "nightly") and (not only or p.framework in only)
        ]

    def values(self, field: str, only: list[str] | None = None) -> list[str]:
        """A list (or string) field's values over the selected frameworks, first seen first."""
        found: dict[str, None] = {}
        for fid, fw in self.frameworks.items():
            if only and fid not in only:
                continue
            value = getattr(fw, field)
            found.update((v, None) for v in ([value] if isinstance(value, str) else value) if v)
        return list(found)

    def _all_packages(self) -> Iterator[Package]:
        for fid, fw in self.frameworks.items():
            for field, role in ROLE_FIELDS.items():
                for name in getattr(fw, field):
                    yield Package(name, canonicalize_name(name), fid, role)

    def check_ids(self, ids: list[str]) -> None:
        """Refuse unknown framework ids given on the command line."""
        unknown = [i for i in ids if i not in self.frameworks]
        if unknown:
            raise ConfigError(
                f"unknown framework id(s) {', '.join(unknown)}; {self.path} defines "
                f"{', '.join(self.frameworks)}"
            )


def load_registry(path: Path) -> Registry:
    """Read and validate the registry; every problem raises ConfigError naming file and field."""
    data = read_toml(path, "registry")
    extra = set(data) - {"frameworks"}
    if extra or not isinstance(data.get("frameworks"), dict) or not data["frameworks"]:
        raise ConfigError(f"{path}: expected only [frameworks.<id>] tables (found {sorted(data)})")
    frameworks = {fid: _parse_framework(path, fid, raw) for fid, raw in data["frameworks"].items()}
    _check_cross_references(path, frameworks)
    return Registry(path, frameworks)


def _parse_framework(path: Path, fid: str, raw: object) -> Framework:
    if not FRAMEWORK_ID.match(fid):
        raise ConfigError(f"{path}: [frameworks.{fid}]: id must be lower-case letters, digits, - or _")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [frameworks.{fid}]: must be a table")
    try:
        return Framework.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {_message(err)}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: [frameworks.{fid}] {problems}") from None


def _message(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field (see the registry format in docs/registry.md)"
    if err["type"] == "missing":
        return "required field is missing"
    return f"{err['msg']} (got {err.get('input')!r})"


def _check_cross_references(path: Path, frameworks: dict[str, Framework]) -> None:
    owners: dict[str, str] = {}
    for fid, fw in frameworks.items():
        for field in ROLE_FIELDS:
            for name in getattr(fw, field):
                _claim(path, owners, f"package {name}", canonicalize_name(name), fid, field)
        for repo in fw.github:
            _claim(path, owners, f"repo {repo}", "gh:" + repo.lower(), fid, "github")
        for name in fw.npm:
            _claim(path, owners, f"npm package {name}", "npm:" + name, fid, "npm")
        for name in fw.conda:
            _claim(path, owners, f"conda package {name}", "conda:" + name.lower(), fid, "conda")
        if fw.successor and fw.successor not in frameworks:
            raise ConfigError(
                f"{path}: [frameworks.{fid}] successor: unknown framework id {fw.successor!r}"
            )
        if fw.deployment and not fw.deployment_source:
            raise ConfigError(f"{path}: [frameworks.{fid}] deployment_source: cite the source of "
                              "the deployment targets (a URL)")
        if fw.successor == fid:
            raise ConfigError(f"{path}: [frameworks.{fid}] successor: a framework cannot succeed itself")


def _claim(path: Path, owners: dict, label: str, key: str, fid: str, field: str) -> None:
    where = f"{fid}.{field}"
    if key in owners:
        raise ConfigError(
            f"{path}: [frameworks.{fid}] {field}: {label} is already listed in "
            f"[frameworks.{owners[key].split('.')[0]}] {owners[key].split('.', 1)[1]}; "
            "a package or repo belongs to exactly one framework"
        )
    owners[key] = where
