"""The hardware and environment fingerprint recorded with every benchmark run.

CPU model, logical and physical cores, memory, GPUs and driver (nvidia-smi when present), OS,
Python, and the environment variables that change BLAS and threading behaviour. `machine_id`
hashes the hardware and OS facts, so results from one machine are compared only with each other;
the host name is never stored (only `host_id`, a hash of it).
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

BLAS_VARIABLES = re.compile(r"^(OPENBLAS_.*|OMP_.*|MKL_.*|KMP_.*|GOTO_.*|BLIS_.*|VECLIB_.*|"
                            r"TF_ENABLE_ONEDNN_OPTS|XLA_FLAGS|JAX_PLATFORMS|CUDA_VISIBLE_DEVICES)$")


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    if sys.platform == "darwin":
        return _run(["sysctl", "-n", "machdep.cpu.brand_string"]) or platform.processor()
    return platform.processor() or platform.machine()


def physical_cores() -> int | None:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo; None where that is unknown."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return None
    cores, physical = set(), "0"
    for line in cpuinfo.read_text(errors="replace").splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "physical id":
            physical = value
        elif key == "core id":
            cores.add((physical, value))
    return len(cores) or None


def memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def gpus() -> tuple[list[str], str | None]:
    """GPU names and the driver version from nvidia-smi; ([], None) without one."""
    if not shutil.which("nvidia-smi"):
        return [], None
    out = _run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader"])
    rows = [[c.strip() for c in line.split(",")] for line in (out or "").splitlines() if line.strip()]
    return [f"{r[0]} ({r[2]})" if len(r) > 2 else r[0] for r in rows], (rows[0][1] if rows else None)


def _run(argv: list[str]) -> str | None:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def blas_variables(environ: dict[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {k: v for k, v in sorted(environ.items()) if BLAS_VARIABLES.match(k)}


def collect() -> dict:
    """The fingerprint of this machine and Python, as recorded in benchmark_runs."""
    gpu_names, driver = gpus()
    facts = {
        "cpu_model": cpu_model(),
        "cpu_cores_logical": os.cpu_count(),
        "cpu_cores_physical": physical_cores(),
        "memory_bytes": memory_bytes(),
        "gpus": gpu_names,
        "gpu_driver": driver,
        "os": platform.platform(),
        "machine": platform.machine(),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
    }
    hardware = "|".join(str(facts[k]) for k in ("cpu_model", "cpu_cores_logical", "memory_bytes",
                                                  "gpus", "os", "machine"))
    facts["machine_id"] = hashlib.sha256(hardware.encode()).hexdigest()[:12]
    facts["host_id"] = hashlib.sha256(platform.node().encode()).hexdigest()[:12]
    facts["blas_env"] = blas_variables()
    return facts
