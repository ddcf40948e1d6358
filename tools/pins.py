"""The dependency pins: the floors `make test-min` installs, constraints.txt, and its wheel check.

    python tools/pins.py floors          name==floor for every declared dependency (make test-min)
    python tools/pins.py freeze          the pins of this environment's dltrends[dev] closure (make pins)
    python tools/pins.py wheels          check that constraints.txt resolves with wheels only on every
                                         supported CPython and platform (make check-pins; asks PyPI)

Runs on the bare interpreter (no third-party import) so that make can call it before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
CONSTRAINTS = ROOT / "constraints.txt"
# The extras make test installs; bigquery is optional and untested here.
TESTED_EXTRAS = ("dev",)
PYTHONS = ("3.11", "3.12", "3.13")
# pip platform tags per target: Linux with glibc 2.34 or later (pip does not widen manylinux tags).
PLATFORMS = {
    "linux-x86_64": [f"manylinux_2_{m}_x86_64" for m in (17, 28, 34)] + ["manylinux2014_x86_64"],
    "linux-aarch64": [f"manylinux_2_{m}_aarch64" for m in (17, 28, 34)] + ["manylinux2014_aarch64"],
    # pip widens a macOS tag to the older releases and the universal2 wheels.
    "macos-arm64": ["macosx_14_0_arm64"],
    "macos-x86_64": ["macosx_14_0_x86_64"],
    "windows-amd64": ["win_amd64"],
}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_FLOOR = re.compile(r">=\s*([^,;\s]+)")


def canonical(name: str) -> str:
    """PEP 503 normalised name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extras: tuple[str, ...] = TESTED_EXTRAS) -> list[str]:
    """The requirement strings of the project and the given extras, as pyproject.toml writes them."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    return list(project["dependencies"]) + [r for extra in extras for r in optional.get(extra, [])]


def split(requirement: str) -> tuple[str, str]:
    """(canonical name, specifier and marker) of a requirement string."""
    match = _NAME.match(requirement)
    if not match:
        raise ValueError(f"cannot read requirement {requirement!r}")
    return canonical(match.group(1)), match.group(3).strip()


def floors(extras: tuple[str, ...] = TESTED_EXTRAS) -> dict[str, str]:
    """Every declared dependency's floor (the version after >=); one without a floor is an error."""
    out = {}
    for requirement in declared(extras):
        name, spec = split(requirement)
        found = _FLOOR.search(spec)
        if not found:
            raise ValueError(f"{requirement!r} has no floor (>=): make test-min cannot install it")
        out[name] = found.group(1)
    return out


def read_pins(path: Path = CONSTRAINTS) -> dict[str, str]:
    """name -> version of each `name==version` line of a constraints file (markers ignored)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^;\s]+)", line)
        if not match:
            raise ValueError(f"{path.name}: {line!r} is not name==version")
        pins[canonical(match.group(1))] = match.group(2)
    return pins


def target_env(python: str, platform: str) -> dict[str, str]:
    """The environment markers of CPython `python` on `platform` (a PLATFORMS key)."""
    system, machine = platform.split("-")
    sys_platform = {"linux": "linux", "macos": "darwin", "windows": "win32"}[system]
    return {
        "python_version": python, "python_full_version": f"{python}.0", "sys_platform": sys_platform,
        "platform_system": {"linux": "Linux", "macos": "Darwin", "windows": "Windows"}[system],
        "platform_machine": {"amd64": "AMD64", "arm64": "arm64"}.get(machine, machine),
        "os_name": "nt" if system == "windows" else "posix", "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "implementation_version": f"{python}.0",
        "platform_release": "", "platform_version": "", "extra": "",
    }


TARGETS = {(py, plat): target_env(py, plat) for py in PYTHONS for plat in PLATFORMS}


def _packaging():
    """packaging's Requirement and Marker: the installed one, else pip's own copy."""
    try:
        from packaging.markers import Marker
        from packaging.requirements import Requirement
    except ImportError:  # a bare interpreter: pip vendors packaging
        from pip._vendor.packaging.markers import Marker
        from pip._vendor.packaging.requirements import Requirement
    return Requirement, Marker


def applies(marker: str | None, env: dict[str, str], extras: tuple[str, ...] = ("",)) -> bool:
    """Whether a requirement's marker holds in env for any of the requested extras."""
    if not marker:
        return True
    _, Marker = _packaging()
    return any(Marker(marker).evaluate({**env, "extra": extra}) for extra in extras)


def pip_report(args: list[str], python: str, platform: str) -> dict:
    """pip's --dry-run --report for `args`, resolved with wheels only for CPython python on platform."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
                   "--target", str(Path(tmp) / "t"), "--report", str(report)]
        for tag in PLATFORMS[platform]:
            command += ["--platform", tag]
        done = subprocess.run(command + args, capture_output=True, text=True)
        if done.returncode:
            errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
            raise RuntimeError("\n".join(errors) or done.stderr[-2000:])
        return json.loads(report.read_text(encoding="utf-8"))


def cmd_floors(_args: argparse.Namespace) -> int:
    print("# The floors of pyproject.toml, written by tools/pins.py floors for make test-min.")
    for name, floor in floors().items():
        print(f"{name}=={floor}")
    return 0


def _local(name: str):
    """This environment's distribution `name`, or None."""
    import importlib.metadata as md

    try:
        return md.distribution(name)
    except md.PackageNotFoundError:
        return None


def closure() -> dict[str, tuple[str, set]]:
    """name -> (version, targets needing it) for dltrends[dev] on every target.

    Versions come from this environment; a package only another platform needs (colorama on
    Windows) is looked up with pip on the first target that needs it.
    """
    Requirement, _ = _packaging()
    found: dict[str, tuple[str, set]] = {}
    todo = [(Requirement(r), key, ("",)) for r in declared() for key in TARGETS]
    while todo:
        requirement, key, extras = todo.pop()
        if not applies(str(requirement.marker) if requirement.marker else None, TARGETS[key], extras):
            continue
        name = canonical(requirement.name)
        version, needed = found.get(name, (None, set()))
        extras_key = (key, tuple(sorted(requirement.extras)))
        if extras_key in needed:
            continue
        needed.add(extras_key)
        version, requires = _resolve(name, str(requirement.specifier), version, key)
        found[name] = (version, needed)
        wanted = ("", *sorted(requirement.extras))
        todo += [(Requirement(r), key, wanted) for r in requires]
    return {name: (version, {k for k, _ in needed}) for name, (version, needed) in found.items()}


def _resolve(name: str, specifier: str, version: str | None, key: tuple) -> tuple[str, list[str]]:
    """(version, requirements) of `name`: the installed one, or what pip would install on target key."""
    dist = _local(name)
    if dist is not None:
        return dist.version, list(dist.requires or [])
    item = pip_report(["--no-deps", f"{name}=={version}" if version else f"{name}{specifier}"],
                      *key)["install"][0]["metadata"]
    return item["version"], list(item.get("requires_dist") or [])


def _platform_clause(platform: str) -> str:
    env = TARGETS[PYTHONS[0], platform]
    return f'(sys_platform == "{env["sys_platform"]}" and platform_machine == "{env["platform_machine"]}")'


def marker_for(targets: set) -> str:
    """A marker that holds on exactly these targets: by system, else machine, else Python version."""
    if targets >= set(TARGETS):
        return ""
    full = {plat for plat in PLATFORMS if all((py, plat) in targets for py in PYTHONS)}
    parts, covered = [], set()
    for system in sorted({TARGETS[PYTHONS[0], plat]["sys_platform"] for plat in PLATFORMS}):
        platforms = {plat for plat in PLATFORMS if TARGETS[PYTHONS[0], plat]["sys_platform"] == system}
        if platforms <= full:
            parts.append(f'sys_platform == "{system}"')
            covered |= platforms
    for plat in PLATFORMS:
        if plat in full and plat not in covered:
            parts.append(_platform_clause(plat))
        elif plat not in full:
            parts += [f'({_platform_clause(plat)[1:-1]} and python_version == "{py}")'
                      for py in PYTHONS if (py, plat) in targets]
    return " or ".join(parts)


def without_wheels(pins: dict[str, str], python: str, platform: str) -> list[str]:
    """The pins (name==version) that have no wheel for this target."""
    wanted = [f"{name}=={version}" for name, version in pins.items()]
    try:
        pip_report(["--no-deps", *wanted], python, platform)
    except RuntimeError:
        return [pin for pin in wanted if not _has_wheel(pin, python, platform)]
    return []


def pin_lines(found: dict[str, tuple[str, set]]) -> list[str]:
    """name==version lines; where a version has no wheel on some targets, the newest older one that
    has is pinned there instead, under a marker."""
    lacking: dict[str, set] = {}
    for key in TARGETS:
        needed = {name: version for name, (version, targets) in found.items() if key in targets}
        for pin in without_wheels(needed, *key):
            lacking.setdefault(canonical(pin.split("==")[0]), set()).add(key)
    lines = []
    for name, (version, targets) in sorted(found.items()):
        by_version = {version: set(targets)}
        for key in lacking.get(name, ()):
            item = pip_report(["--no-deps", f"{name}<{version}"], *key)["install"][0]["metadata"]
            by_version[version].discard(key)
            by_version.setdefault(item["version"], set()).add(key)
        for pinned, where in by_version.items():
            marker = marker_for(where)
            lines.append(f"{name}=={pinned}" + (f" ; {marker}" if marker else ""))
    return lines


def cmd_freeze(_args: argparse.Namespace) -> int:
    print("# Exact versions make run and make test install (pip install -c constraints.txt).")
    print("# Written by `make pins` (tools/pins.py freeze); docs/development.md says how to refresh it.")
    found = {name: pin for name, pin in closure().items() if name not in ("dltrends", "pip")}
    for line in pin_lines(found):
        print(line)
    return 0


def read_pin_lines(path: Path = CONSTRAINTS) -> list[tuple[str, str, str | None]]:
    """(name, version, marker or None) of each pin."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            spec, _, marker = line.partition(";")
            name, _, version = spec.partition("==")
            out.append((canonical(name.strip()), version.strip(), marker.strip() or None))
    return out


def check_target(python: str, platform: str) -> list[str]:
    """The problems of constraints.txt on one target: a pin without a wheel, a dependency not pinned.

    pip evaluates markers for the machine it runs on, not for --platform, so the pins that hold on
    the target are chosen here and handed to pip without their markers.
    """
    env = TARGETS[python, platform]
    pins = {name: version for name, version, marker in read_pin_lines() if applies(marker, env)}
    wanted = [f"{name}=={version}" for name, version in pins.items()]
    missing = without_wheels(pins, python, platform)
    if missing:
        return [f"{pin} has no wheel" for pin in missing]
    # The full resolve evaluates markers as on this machine: pin what only other targets need too.
    others = {name: version for name, version, _ in read_pin_lines() if name not in pins}
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        lines = wanted + [f"{name}=={version}" for name, version in others.items()]
        constraints.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            report = pip_report(["-c", str(constraints), *declared()], python, platform)
        except RuntimeError as exc:
            return [f"the project does not resolve with these pins: {exc}"]
    problems = []
    for item in report["install"]:
        name, version = canonical(item["metadata"]["name"]), item["metadata"]["version"]
        if name != "dltrends" and version not in (pins.get(name), others.get(name)):
            problems.append(f"{name} {version} is installed but not pinned")
    return problems


def _has_wheel(pin: str, python: str, platform: str) -> bool:
    try:
        pip_report(["--no-deps", pin], python, platform)
    except RuntimeError:
        return False
    return True


def cmd_wheels(_args: argparse.Namespace) -> int:
    failed = 0
    for python, platform in TARGETS:
        problems = check_target(python, platform)
        failed += bool(problems)
        print(f"CPython {python} {platform}: " + ("ok" if not problems else "; ".join(problems)), flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("floors", help="name==floor for every declared dependency").set_defaults(
        run=cmd_floors)
    commands.add_parser("freeze", help="pins of this environment's dltrends[dev] closure").set_defaults(
        run=cmd_freeze)
    commands.add_parser("wheels", help="check constraints.txt has wheels everywhere").set_defaults(
        run=cmd_wheels)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
