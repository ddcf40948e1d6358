"""A full PyPI collect of the shipped registry against the local fake server: wall time, peak RSS.

Packages with a recorded response (tests/fixtures/pypi_json) are served their recording; the others
are served a recording of a similar framework under their name (a stand-in body of realistic size,
perf only). The collect runs as a real `dltrends collect` process; its peak RSS is read from
getrusage. The second run is the steady state: every package answers 304 Not Modified.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dltrends.registry import load_registry  # noqa: E402
from dltrends.settings import default_registry_path  # noqa: E402
from tests.support.fakeserver import FakeServer  # noqa: E402
from tests.support.pypi import load_json, pypi_recordings  # noqa: E402

STAND_IN = "tensorflow-cpu"  # 97 releases, 880 kB: a typical large framework body


def serve(server: FakeServer) -> tuple[int, int]:
    recorded = pypi_recordings()
    packages = load_registry(default_registry_path()).packages()
    real = 0
    for package in packages:
        path, _ = recorded.get(package.key, recorded[STAND_IN])
        body = load_json(path)
        real += package.key in recorded
        body["info"]["name"] = package.name
        server.add(f"/pypi/{package.key}/json", json.dumps(body),
                   headers={"X-PyPI-Last-Serial": str(body["last_serial"])})
    return len(packages), real


MEASURE = """
import resource, subprocess, sys
rc = subprocess.call([sys.executable, "-m", "dltrends", "collect", "--source", "pypi"])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(rc)
"""


def run_collect(env: dict[str, str]) -> tuple[float, float, str]:
    """One collect in its own process tree, so each run's peak RSS is its own."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURE], env=env, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    lines = proc.stderr.splitlines()
    summary = next(line for line in lines if line.startswith("pypi:"))
    return wall, int(lines[-1]) / 1024, summary


def main() -> None:
    with FakeServer() as server, tempfile.TemporaryDirectory() as tmp:
        total, real = serve(server)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DLTRENDS_")}
        env.update(DLTRENDS_DB=str(Path(tmp) / "dl.duckdb"), DLTRENDS_PYPI_URL=server.url)
        print(f"full PyPI collect of the shipped registry: {total} packages "
              f"({real} recorded bodies, {total - real} stand-ins), fake server on 127.0.0.1")
        for label in ("first run", "unchanged re-run"):
            wall, rss, summary = run_collect(env)
            print(f"  {label:17s} wall {wall:5.2f} s, peak RSS {rss:6.0f} MB  | {summary}")
        size = (Path(tmp) / "dl.duckdb").stat().st_size
        print(f"  published file {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
