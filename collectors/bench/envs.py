"""Isolated, cached environments, one per spec: uv when present, else venv + pip.

An environment is `<root>/<adapter>-<package>-<version>-<key>/`, where the key hashes everything
that decides its contents (the current Python, the requirements with the pins old releases need
from pins.toml, the index options and the device). `dltrends-env.json` inside it is written last,
after a successful install, so a folder without it is an interrupted install and is rebuilt.

Before anything is installed the spec is resolved (pip's `--dry-run --report`; uv's dry run): an
unpinned spec is pinned to the version the resolver picks (the latest installable one), and for
the CPU the resolution is refused when it would pull CUDA libraries (PyPI's Linux torch wheels
bring several GB of nvidia-* packages): use `--cpu-builds` (the CPU-only index in pins.toml) or
`--allow-cuda-wheels`. Install failures are classified: `not_installable` (no release of the spec
for this Python and platform) or `install_failed` (anything else), with the installer's own words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from collectors.bench.adapters_index import Spec, SpecError

log = logging.getLogger(__name__)

PINS = Path(__file__).resolve().parent / "pins.toml"
META = "dltrends-env.json"
CUDA_PACKAGES = re.compile(r"^(nvidia-.*|.*-cu\d+.*|cuda-.*|triton)$")
NOT_INSTALLABLE = ("No matching distribution found", "Could not find a version that satisfies",
                   "requires a different Python", "No solution found",
                   "has no wheels with a matching", "is not available for")


class InstallError(RuntimeError):
    """`kind` is not_installable or install_failed; the message quotes the installer."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class InstallOptions:
    device: str = "cpu"
    find_links: list[Path] = field(default_factory=list)
    no_index: bool = False
    indexes: dict[str, str] = field(default_factory=dict)  # package -> extra index URL
    cpu_builds: bool = False
    allow_cuda_wheels: bool = False
    timeout_s: float = 1800.0


@dataclass
class Env:
    path: Path
    meta: dict
    cached: bool

    @property
    def python(self) -> Path:
        return python_in(self.path)


def python_in(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def load_pins(path: Path = PINS) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def python_tag() -> str:
    return (f"{sys.implementation.name}-{platform.python_version()}-{sys.platform}-"
            f"{platform.machine()}")


class Environments:
    """Creates, finds, lists and removes the benchmark environments under `root`."""

    def __init__(self, root: Path, installer: str = "auto", pins: dict | None = None):
        self.root = root
        self.pins = pins if pins is not None else load_pins()
        uv = shutil.which("uv")
        if installer == "uv" and not uv:
            raise SpecError("DLTRENDS_BENCH_INSTALLER=uv but no uv on PATH")
        self.uv = uv if installer in ("auto", "uv") else None

    @property
    def installer(self) -> str:
        return "uv" if self.uv else "pip"

    # -- what to install ------------------------------------------------------------------
    def requirement_text(self, spec: Spec, device: str) -> str:
        """The spec's requirement, turned into its CUDA variant for `--device cuda`."""
        req = spec.requirement
        if device != "cuda":
            return str(req)
        if spec.package.endswith("-cpu"):
            raise SpecError(f"{spec.text}: {req.name} is a CPU-only build; use its CUDA package")
        target = self.pins.get("cuda", {}).get(spec.package)
        return str(req) if not target else target + str(req.specifier)

    def constraints(self, spec: Spec, version: str | None) -> list[str]:
        """Pins whose version range holds the framework version, plus adapter extras."""
        out: list[str] = []
        for pin in self.pins.get("pin", []):
            if canonicalize_name(pin["package"]) == spec.package and version and \
                    _in_range(version, pin["versions"]):
                out += pin["requires"]
        return out

    def extras(self, spec: Spec) -> list[str]:
        return [r for e in self.pins.get("extra", []) if canonicalize_name(e["package"]) == spec.package
                for r in e["requires"]]

    def index_args(self, spec: Spec, options: InstallOptions) -> list[str]:
        args = []
        for path in options.find_links:
            args += ["--find-links", str(path)]
        if options.no_index:
            return args + ["--no-index"]
        url = options.indexes.get(spec.package)
        if url is None and options.cpu_builds and options.device == "cpu":
            url = self.pins.get("cpu_index", {}).get(spec.package)
        return args + (["--extra-index-url", url] if url else [])

    # -- the environment --------------------------------------------------------------------
    def ensure(self, spec: Spec, options: InstallOptions) -> Env:
        """The spec's environment, from the cache or freshly installed; raises InstallError."""
        requirement = self.requirement_text(spec, options.device)
        version = spec.pinned_version
        resolved: dict[str, str] | None = None
        if version is None:
            resolved = self.resolve([requirement, *self.extras(spec)], [], spec, options)
            requirement, version = _pin(requirement, resolved)
        constraints = self.constraints(spec, version)
        requirements = [requirement, *self.extras(spec)]
        key = self.key(requirements, constraints, spec, options)
        path = self.root / f"{spec.package}-{version}-{key}"  # shared by adapters of one package
        if (path / META).exists():
            meta = json.loads((path / META).read_text())
            meta["last_used_at"] = _now()
            (path / META).write_text(json.dumps(meta, indent=1))
            return Env(path, meta, cached=True)
        if options.device == "cpu" and not options.allow_cuda_wheels:
            if resolved is None or constraints:
                resolved = self.resolve(requirements, constraints, spec, options)
            self._refuse_cuda(spec, resolved)
        return self._create(path, spec, requirements, constraints, options, version)

    def key(self, requirements: list[str], constraints: list[str], spec: Spec,
            options: InstallOptions) -> str:
        data = {"python": python_tag(), "requirements": requirements, "constraints": constraints,
                "index": self.index_args(spec, options), "device": options.device}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]

    def resolve(self, requirements: list[str], constraints: list[str], spec: Spec,
                options: InstallOptions) -> dict[str, str]:
        """What installing would bring: {package: version}, without installing anything."""
        work = self.root / ".resolve"
        work.mkdir(parents=True, exist_ok=True)
        cfile = work / f"constraints-{os.getpid()}.txt"
        cfile.write_text("\n".join(constraints) + "\n")
        if self.uv:
            argv = [self.uv, "pip", "compile", "-", "--python", sys.executable, "--no-header",
                    "--quiet", "-c", str(cfile), *self.index_args(spec, options)]
            out = self._call(argv, options, "\n".join(requirements))
            return {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", out, re.M)}
        argv = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                "--report", "-", "-c", str(cfile), *self.index_args(spec, options), *requirements]
        report = json.loads(self._call(argv, options))
        return {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"]
                for i in report.get("install", [])}

    def _refuse_cuda(self, spec: Spec, resolved: dict[str, str]) -> None:
        cuda = sorted(n for n in resolved if CUDA_PACKAGES.match(n))
        if cuda:
            raise InstallError("install_failed", (
                f"{spec.text} resolves to a CUDA build for the CPU ({', '.join(cuda[:5])}"
                f"{' ...' if len(cuda) > 5 else ''}: several GB); nothing was downloaded. Use "
                "--cpu-builds (the framework's CPU-only index), a local wheel with --find-links, "
                "or --allow-cuda-wheels"))

    def _create(self, path: Path, spec: Spec, requirements: list[str], constraints: list[str],
                options: InstallOptions, version: str) -> Env:
        tmp = self.root / f".tmp-{path.name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        started = time.monotonic()
        try:
            self._venv(tmp, options)
            cfile = tmp / "dltrends-constraints.txt"
            cfile.write_text("\n".join(constraints) + "\n")
            self._install(tmp, requirements, cfile, spec, options)
            packages = installed_packages(python_in(tmp))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        meta = {"key": path.name.rsplit("-", 1)[-1], "spec": spec.text, "adapter": spec.adapter.name,
                "framework": spec.adapter.framework, "package": spec.package, "version": version,
                "requirements": requirements, "constraints": constraints,
                "installer": self.installer, "python": python_tag(), "device": options.device,
                "created_at": _now(), "last_used_at": _now(),
                "install_s": round(time.monotonic() - started, 1), "bytes": disk_usage(tmp),
                "packages": packages}
        (tmp / META).write_text(json.dumps(meta, indent=1))
        shutil.rmtree(path, ignore_errors=True)  # an interrupted install left it without META
        tmp.rename(path)
        return Env(path, meta, cached=False)

    def _venv(self, target: Path, options: InstallOptions) -> None:
        if self.uv:
            self._call([self.uv, "venv", "--quiet", "--python", sys.executable, str(target)], options)
        else:
            self._call([sys.executable, "-m", "venv", "--without-pip", str(target)], options)

    def _install(self, env: Path, requirements: list[str], constraints: Path, spec: Spec,
                 options: InstallOptions) -> None:
        if self.uv:
            argv = [self.uv, "pip", "install", "--python", str(python_in(env)), "-c", str(constraints)]
        else:  # the runner's own pip installs into the environment: no pip copy per environment
            argv = [sys.executable, "-m", "pip", "--python", str(python_in(env)), "install",
                    "--no-input", "--quiet", "--no-warn-script-location", "-c", str(constraints)]
        self._call(argv + self.index_args(spec, options) + requirements, options)

    def _call(self, argv: list[str], options: InstallOptions, stdin: str | None = None) -> str:
        log.debug("running %s", " ".join(argv))
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONNOUSERSITE": "1"}
        env.pop("PYTHONPATH", None)
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env,
                                  timeout=options.timeout_s)
        except subprocess.TimeoutExpired:
            raise InstallError("install_failed", f"{argv[0]} {argv[1]} ran past "
                                                 f"{options.timeout_s:.0f} s") from None
        if done.returncode != 0:
            raise classify(done.stderr or done.stdout)
        return done.stdout

    # -- listing and cleaning ---------------------------------------------------------------
    def list(self) -> list[dict]:
        """Every complete environment's metadata, with its current size on disk."""
        out = []
        for folder in sorted(self.root.glob("*")) if self.root.exists() else []:
            if (folder / META).exists():
                meta = json.loads((folder / META).read_text())
                out.append(meta | {"path": str(folder), "bytes": disk_usage(folder)})
        return out

    def clean(self, names: list[str] | None = None) -> tuple[int, int]:
        """Remove the named environments (folder names or specs), or all; returns (count, bytes)."""
        count = freed = 0
        if not self.root.exists():
            return 0, 0
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                continue
            if folder.name.startswith("."):  # interrupted installs, resolver scratch files
                if not names:
                    freed += disk_usage(folder)
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            meta = json.loads((folder / META).read_text()) if (folder / META).exists() else {}
            if names and folder.name not in names and meta.get("spec") not in names:
                continue
            freed += disk_usage(folder)
            shutil.rmtree(folder, ignore_errors=True)
            count += 1
        return count, freed


CREDENTIALS = re.compile(r"(?<=://)[^/@\s:]+(:[^/@\s]*)?@")


def redact(text: str) -> str:
    """Index URLs may carry user:token@; never let them reach the warehouse or logs."""
    return CREDENTIALS.sub("***@", text)


def classify(output: str) -> InstallError:
    """The installer's complaint as an InstallError, its last lines quoted."""
    lines = [redact(line) for line in output.strip().splitlines() if line.strip()]
    if any(line.startswith("ERROR") for line in lines):  # pip's warnings bury its error
        lines = [line for line in lines if not line.startswith("WARNING")]
    text = "\n".join(lines[-12:]) or "the installer failed without saying why"
    if any(marker in output for marker in NOT_INSTALLABLE):
        return InstallError("not_installable",
                            f"no installable release for Python {platform.python_version()} on "
                            f"{sys.platform} {platform.machine()}: {text}")
    return InstallError("install_failed", text)


def installed_packages(python: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, json; print(json.dumps("
            "{d.metadata['Name']: d.version for d in m.distributions()}))")
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120,
                          check=True)
    return {canonicalize_name(k): v for k, v in sorted(json.loads(done.stdout).items())}


def disk_usage(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _in_range(version: str, specifier: str) -> bool:
    try:
        return Version(version) in SpecifierSet(specifier)
    except InvalidVersion:
        return False


def _pin(requirement: str, resolved: dict[str, str]) -> tuple[str, str]:
    """`jax[cuda12]>=0.9` + the resolution -> (`jax[cuda12]==0.10.2`, `0.10.2`)."""
    req = Requirement(requirement)
    version = resolved.get(canonicalize_name(req.name))
    if version is None:
        raise InstallError("not_installable", f"the resolver did not select {req.name}")
    req.specifier = SpecifierSet(f"=={version}")
    return str(req), version


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
