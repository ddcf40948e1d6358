"""PyPI project JSON (as landed in raw.items) -> rows of core.pypi_projects, _releases, _files.

Every version the index lists becomes a release row, whatever its shape: invalid PEP 440 strings
(version_normalized NULL, version_error set), zero-file versions, partly and wholly yanked ones.
Wheel tags give each file's Python versions, platforms and architectures; older binary formats
(eggs, bdist_dumb, Windows installers) fall back to the file's python_version and file name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

TABLES = ("core.pypi_projects", "core.pypi_releases", "core.pypi_files")

_ARCH_ALIASES = {
    "x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64",
    "aarch64": "arm64", "arm64": "arm64",
    "i686": "x86", "i386": "x86", "win32": "x86", "x86": "x86",
    "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x", "armv7l": "armv7l",
    "armv6l": "armv6l", "riscv64": "riscv64", "loongarch64": "loongarch64",
}
_MAC_FAT = {"universal2": ["arm64", "x86_64"], "intel": ["x86", "x86_64"],
            "universal": ["x86", "x86_64", "ppc"], "fat": ["x86", "ppc"], "fat3": ["x86", "x86_64", "ppc"],
            "fat64": ["x86_64", "ppc64"]}
_LEGACY_PY = re.compile(r"py(\d)\.?(\d+)?")


def transform(items: Iterable[Any]) -> dict[str, pd.DataFrame]:
    """Rows for every table from landed items (attributes: key, payload)."""
    projects, releases, files = [], [], []
    for item in items:
        p, r, f = project_rows(item.key, item.payload)
        projects.append(p)
        releases.extend(r)
        files.extend(f)
    return {
        "core.pypi_projects": pd.DataFrame(projects),
        "core.pypi_releases": pd.DataFrame(releases),
        "core.pypi_files": pd.DataFrame(files),
    }


def project_rows(key: str, payload: dict[str, Any]) -> tuple[dict, list[dict], list[dict]]:
    info = payload.get("info") or {}
    project = {
        "package_key": key,
        "project_name": info.get("name") or key,
        "summary": info.get("summary") or None,
        "latest_version": info.get("version") or None,
        "requires_python": info.get("requires_python") or None,
        "license": info.get("license_expression") or _short(info.get("license")),
        "project_url": info.get("project_url") or None,
        "last_serial": payload.get("last_serial"),
    }
    releases, files = [], []
    ranks = _version_ranks(payload["releases"])
    for version, file_list in payload["releases"].items():
        rows = [file_row(key, version, f) for f in file_list or []]
        files.extend(rows)
        releases.append(release_row(key, version, rows, ranks.get(version)))
    return project, releases, files


def release_row(key: str, version: str, files: list[dict], rank: int | None) -> dict:
    parsed, error = _parse_version(version)
    uploads = [f["uploaded_at"] for f in files if f["uploaded_at"] is not None]
    requires = Counter(f["requires_python"] for f in files if f["requires_python"])
    return {
        "package_key": key,
        "version": version,
        "version_normalized": str(parsed) if parsed else None,
        "version_error": error,
        "is_prerelease": parsed.is_prerelease if parsed else None,
        "version_major": parsed.major if parsed else None,
        "version_minor": parsed.minor if parsed else None,
        "version_rank": rank,
        "released_at": min(uploads) if uploads else None,
        "yanked": bool(files) and all(f["yanked"] for f in files),
        "yanked_reason": next((f["yanked_reason"] for f in files if f["yanked_reason"]), None),
        "requires_python": requires.most_common(1)[0][0] if requires else None,
        "file_count": len(files),
        "total_bytes": sum(f["size_bytes"] or 0 for f in files),
        "python_versions": _union(f["python_versions"] for f in files),
        "platforms": _union(f["platforms"] for f in files if f["packagetype"] != "sdist"),
        "architectures": _union(f["architectures"] for f in files if f["packagetype"] != "sdist"),
        "has_sdist": any(f["packagetype"] == "sdist" for f in files),
        "removed_at": None,
    }


def file_row(key: str, version: str, f: dict[str, Any]) -> dict:
    filename = f["filename"]
    kind = f.get("packagetype") or "unknown"
    if kind == "bdist_wheel":
        pythons, abis, plats = wheel_tags(filename)
    elif kind == "sdist":
        pythons, abis, plats = [], [], []
    else:
        pythons, abis, plats = _legacy_tags(filename, f.get("python_version"))
    platforms = sorted({platform_of(p) for p in plats})
    archs = sorted({a for p in plats for a in arch_of(p)})
    return {
        "package_key": key,
        "filename": filename,
        "version": version,
        "packagetype": kind,
        "python_tag": f.get("python_version") or None,
        "python_versions": pythons,
        "abi_tags": abis,
        "platform_tags": plats,
        "platforms": platforms,
        "architectures": archs,
        "requires_python": f.get("requires_python") or None,
        "size_bytes": f.get("size"),
        "uploaded_at": _upload_time(f),
        "yanked": bool(f.get("yanked")),
        "yanked_reason": f.get("yanked_reason") or None,
        "sha256": (f.get("digests") or {}).get("sha256"),
        "removed_at": None,
    }


def wheel_tags(filename: str) -> tuple[list[str], list[str], list[str]]:
    """(python versions, abi tags, platform tags) from a wheel file name."""
    try:
        tags = parse_wheel_filename(filename)[3]
        triples = [(t.interpreter, t.abi, t.platform) for t in tags]
    except InvalidWheelFilename:
        parts = filename.removesuffix(".whl").split("-")
        if len(parts) < 5:
            return [], [], []
        triples = [(i, a, p) for i in parts[-3].split(".") for a in parts[-2].split(".")
                   for p in parts[-1].split(".")]
    pythons = sorted({v for i, a, _ in triples if (v := python_version_of(i, a))},
                     key=_version_sort)
    return pythons, sorted({a for _, a, _ in triples}), sorted({p for _, _, p in triples})


def python_version_of(interpreter: str, abi: str = "") -> str | None:
    """'cp311' -> '3.11', 'py3' -> '3', 'cp38' with abi3 -> '3.8+'; None for unknown tags."""
    match = re.fullmatch(r"(?:cp|py|pp|ip|jy)(\d)(\d*)", interpreter.lower())
    if not match:
        return None
    major, minor = match.groups()
    version = f"{major}.{minor}" if minor else major
    return version + "+" if abi == "abi3" and minor else version


def platform_of(tag: str) -> str:
    """A platform tag's operating system: linux, macos, windows, any, ios, android or other."""
    tag = tag.lower()
    if tag == "any":
        return "any"
    if tag.startswith(("manylinux", "musllinux", "linux")):
        return "linux"
    if tag.startswith("macosx"):
        return "macos"
    if tag.startswith("win"):
        return "windows"
    if tag.startswith("ios"):
        return "ios"
    if tag.startswith("android"):
        return "android"
    return "other"


def arch_of(tag: str) -> list[str]:
    """A platform tag's CPU architectures ('any' for pure wheels)."""
    tag = tag.lower()
    if tag == "any":
        return ["any"]
    if tag == "win32":
        return ["x86"]
    for fat, archs in _MAC_FAT.items():
        if tag.startswith("macosx") and tag.endswith("_" + fat):
            return archs
    if tag.endswith("x86_64") or "_x86_64_" in tag:
        return ["x86_64"]
    for token in reversed(tag.split("_")):  # ios_13_0_arm64_iphoneos: the arch sits inside
        if token in _ARCH_ALIASES:
            return [_ARCH_ALIASES[token]]
    return []


def _legacy_tags(filename: str, python_version: str | None) -> tuple[list, list, list]:
    """Eggs, bdist_dumb and installers: Python from the file's field, platform from its name."""
    m = re.fullmatch(r"(\d)\.?(\d+)?", python_version or "") or _LEGACY_PY.search(filename)
    pythons = [f"{m[1]}.{m[2]}" if m[2] else m[1]] if m else []
    name = filename.lower().replace("-", "_")
    plat = re.search(r"(linux_[a-z0-9_]+|macosx_[a-z0-9_]+|win_amd64|win32)", name)
    return pythons, [], [plat[1]] if plat else ["any"] if name.endswith(".egg") else []


def _upload_time(f: dict[str, Any]) -> dt.datetime | None:
    text = f.get("upload_time_iso_8601") or f.get("upload_time")
    if not text:
        return None
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _parse_version(version: str) -> tuple[Version | None, str | None]:
    try:
        return Version(version), None
    except InvalidVersion:
        return None, "not a valid PEP 440 version"


def _version_ranks(releases: dict[str, Any]) -> dict[str, int]:
    """1 = lowest PEP 440 version of the package; invalid versions get no rank."""
    valid = [(v, p) for v in releases if (p := _parse_version(v)[0]) is not None]
    return {v: i for i, (v, _) in enumerate(sorted(valid, key=lambda vp: vp[1]), start=1)}


def _version_sort(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.rstrip("+").split("."))


def _union(lists: Iterable[list[str]]) -> list[str]:
    values = {v for values in lists for v in values}
    if all(re.fullmatch(r"\d+(\.\d+)?\+?", v) for v in values):
        return sorted(values, key=_version_sort)
    return sorted(values)


def _short(text: str | None) -> str | None:
    """Some projects paste the whole licence text into `license`; keep only a short name."""
    if not text:
        return None
    first = text.strip().splitlines()[0]
    return first if len(first) <= 80 else first[:77] + "..."

SNAPSHOT_SCOPE = {"core.pypi_releases": "package_key", "core.pypi_files": "package_key"}
