"""`dltrends bench run` end to end with real environments, offline from the wheelhouse `make test`
downloads (.cache/wheelhouse): the NumPy reference and ONNX Runtime install and run; a spec with no
release, an environment whose framework fails to import, and cases that crash, raise or hang are
recorded per result with their error while the rest still runs, and the command exits 1."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from collectors.bench import fingerprint
from tests.support.db import query
from tests.support.procs import ended_within

pytestmark = pytest.mark.slow

WHEELHOUSE = Path(os.environ.get("DLTRENDS_TEST_WHEELHOUSE")
                  or Path(__file__).resolve().parent.parent / ".cache" / "wheelhouse")
NUMPY = __import__("numpy").__version__

IMPORT_FAILS = '''
FRAMEWORK = "importfail"
PACKAGES = ()
IMPORT = "numpy"
MODES = ("eager",)

def setup(threads, device):
    raise ImportError("libimaginary.so.1: cannot open shared object file")

def make(case, mode, device):
    raise AssertionError("never reached")
'''

MISBEHAVES = '''
import os, time
FRAMEWORK = "misbehaves"
PACKAGES = ()
IMPORT = "numpy"
MODES = ("eager",)

def setup(threads, device):
    import numpy
    return {"version": numpy.__version__, "device": device}

def make(case, mode, device):
    kind = case["benchmark"]
    if kind == "matmul":
        os.abort()
    if kind == "conv2d_forward":
        return lambda: time.sleep(600)
    if kind == "mlp_train_step":
        raise ValueError("boom: shapes do not match")
    if kind == "conv2d_train":
        raise NotImplementedError("no backward pass here")
    return lambda: None
'''


HANGS = '''
import os, time
FRAMEWORK = "hangs"
PACKAGES = ()
IMPORT = "numpy"
MODES = ("eager",)

def setup(threads, device):
    import numpy
    with open(os.environ["HANGS_PIDFILE"], "w") as fh:
        fh.write(str(os.getpid()))
    return {"version": numpy.__version__, "device": device}

def make(case, mode, device):
    return lambda: time.sleep(600)
'''


def dltrends(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dltrends", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    if not (WHEELHOUSE / ".complete").exists():
        pytest.fail(f"no wheelhouse at {WHEELHOUSE}: run `make wheelhouse` (part of make test)")
    folder = tmp_path_factory.mktemp("bench")
    adapters = folder / "adapters"
    adapters.mkdir()
    (adapters / "importfail.py").write_text(IMPORT_FAILS)
    (adapters / "misbehaves.py").write_text(MISBEHAVES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLTRENDS_")}
    env |= {"DLTRENDS_BENCH_ENVS": str(folder / "envs"), "DLTRENDS_BENCH_ADAPTERS": str(adapters),
            "DLTRENDS_BENCH_INSTALLER": "pip", "DLTRENDS_DB": str(folder / "data" / "dltrends.duckdb")}
    specs = ["onnxruntime==1.32.0", "onnxruntime==0.0.1", f"importfail:numpy=={NUMPY}",
             f"misbehaves:numpy=={NUMPY}", "caffe==1.0"]
    argv = ["bench", "run", "--suite", "quick", "--budget", "0.05", "--timeout", "6",
            "--no-index", "--find-links", str(WHEELHOUSE), "--output", str(folder / "results.json")]
    for spec in specs:
        argv += ["--spec", spec]
    done = dltrends(*argv, env=env, cwd=folder)
    return {"done": done, "db": folder / "data" / "dltrends.duckdb", "env": env, "folder": folder}


def test_failures_are_recorded_and_the_command_exits_1(bench):
    done = bench["done"]
    assert done.returncode == 1, done.stderr[-3000:]
    assert "bench: partial, 6 spec(s), 4 with failures" in done.stderr
    statuses = dict(query(bench["db"], "SELECT spec, status FROM benchmark_runs"))
    assert statuses == {f"numpy=={NUMPY}": "ok", "onnxruntime==1.32.0": "ok",
                        "onnxruntime==0.0.1": "not_installable",
                        f"importfail:numpy=={NUMPY}": "import_failed",
                        f"misbehaves:numpy=={NUMPY}": "ok", "caffe==1.0": "bad_spec"}
    [(error,)] = query(bench["db"], "SELECT error FROM collector_runs WHERE source = 'bench'")
    assert "onnxruntime==0.0.1: not_installable" in error
    assert "ImportError: libimaginary.so.1: cannot open shared object file" in error
    assert "caffe==1.0: bad_spec" in error


def test_each_failing_case_has_its_own_status_and_error(bench):
    found = {(k, s): e for k, s, e in query(bench["db"], (
        "SELECT benchmark, status, error FROM benchmark_results WHERE spec LIKE 'misbehaves:%'"))}
    assert set(found) == {("matmul", "crashed"), ("conv2d_forward", "timeout"),
                          ("conv2d_train", "unsupported"), ("mlp_train_step", "error"),
                          ("transformer_train", "ok"), ("import_time", "ok")}
    assert "killed by signal 6 (SIGABRT)" in found[("matmul", "crashed")]
    assert "no result after 6 s; the worker was killed" in found[("conv2d_forward", "timeout")]
    assert found[("mlp_train_step", "error")].endswith("ValueError: boom: shapes do not match")
    spec_failures = query(bench["db"], (
        "SELECT spec, count(*), count(DISTINCT status), any_value(status) FROM benchmark_results "
        "WHERE spec IN ('onnxruntime==0.0.1', 'caffe==1.0') OR spec LIKE 'importfail:%' GROUP BY spec"))
    assert {(s, n, k) for s, n, k, _ in spec_failures} == {(s, 6, 1) for s, *_ in spec_failures}


def test_onnxruntime_rows_and_the_fingerprint(bench):
    results = query(bench["db"], (
        "SELECT case_key, mode, status, n >= 5, median > 0, iqr >= 0, len(samples) = n, flops, device, "
        "dtype, unit FROM benchmark_results WHERE spec = 'onnxruntime==1.32.0' ORDER BY case_key"))
    assert results == [
        ("conv2d_forward[batch=2,in_ch=8,kernel=3,out_ch=16,size=16]", "session", "ok", True, True, True,
         True, 2 * 2 * 16 * 16 * 16 * 8 * 9, "cpu", "float32", "s"),
        ("conv2d_train[batch=2,in_ch=8,kernel=3,out_ch=16,size=16]", "session", "unsupported", None,
         None, None, None, 3 * 2 * 2 * 16 * 16 * 16 * 8 * 9, "cpu", "float32", "s"),
        ("import_time", "-", "ok", True, True, True, True, None, "cpu", None, "s"),
        ("matmul[n=64]", "session", "ok", True, True, True, True, 2 * 64**3, "cpu", "float32", "s"),
        ("mlp_train_step[batch=16,layers=64-32-10]", "session", "unsupported", None, None, None, None,
         3 * 2 * 16 * (64 * 32 + 32 * 10), "cpu", "float32", "s"),
        ("transformer_train[batch=2,d_model=32,ffn=64,heads=2,seq=16]", "session", "unsupported", None,
         None, None, None, 3 * (4 * 2 * 32 * 32 * 32 + 2 * 2 * 2 * 16 * 16 * 32 + 2 * 2 * 32 * 32 * 64),
         "cpu", "float32", "s"),
    ]
    [run] = query(bench["db"], (
        "SELECT version, build_blas, build_cuda, requirements, install_s > 0, env_bytes > 10e6, "
        "installer, cpu_model, cpu_cores_logical, threads, python_version, machine, length(machine_id), "
        "gpus, json_extract_string(build, '$.thread_env.OMP_NUM_THREADS') "
        "FROM benchmark_runs WHERE spec = 'onnxruntime==1.32.0'"))
    threads = fingerprint.physical_cores() or os.cpu_count()
    assert run == ("1.32.0", "MLAS", None, ["onnxruntime==1.32.0", "onnx"], True, True, "pip",
                   fingerprint.cpu_model(), os.cpu_count(), threads, platform.python_version(),
                   platform.machine(), 12, fingerprint.gpus()[0], str(threads))


def test_sigterm_stops_the_run_and_its_worker_within_10_s(bench):
    """The worker runs in its own session (so a hang can be killed with its children): a SIGTERM to
    `dltrends bench run` alone must still take it down, and publish nothing half-way."""
    folder, db = bench["folder"], bench["db"]
    (folder / "adapters" / "hangs.py").write_text(HANGS)
    pidfile = folder / "hangs.pid"
    before = query(db, "SELECT count(*) FROM benchmark_runs")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dltrends", "bench", "run", "--spec", f"hangs:numpy=={NUMPY}",
         "--no-reference", "--suite", "quick", "--timeout", "300", "--no-index", "--find-links",
         str(WHEELHOUSE)], env=bench["env"] | {"HANGS_PIDFILE": str(pidfile)}, cwd=folder,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not pidfile.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert pidfile.exists(), proc.communicate()[1][-2000:]
    worker = int(pidfile.read_text())
    time.sleep(0.5)  # inside the first (hanging) case
    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - stopped < 10
    assert proc.returncode == 143, stderr[-2000:]
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # killed and reaped, not left running
    assert query(db, "SELECT count(*) FROM benchmark_runs") == before


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_sigkill_of_the_run_takes_its_worker_with_it(bench):
    """The worker's own session keeps it out of reach of a signal to the run's group; a SIGKILL
    to `dltrends bench run`, which it cannot handle, must still end the worker within seconds."""
    folder = bench["folder"]
    (folder / "adapters" / "hangs.py").write_text(HANGS)
    pidfile = folder / "hangs-kill.pid"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dltrends", "bench", "run", "--spec", f"hangs:numpy=={NUMPY}",
         "--no-reference", "--suite", "quick", "--timeout", "300", "--no-index", "--find-links",
         str(WHEELHOUSE)], env=bench["env"] | {"HANGS_PIDFILE": str(pidfile)}, cwd=folder,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not pidfile.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert pidfile.exists()
    worker = int(pidfile.read_text())
    try:
        time.sleep(0.5)
        proc.kill()
        proc.wait()
        assert ended_within(worker, 5.0), f"worker {worker} outlived `dltrends bench run`"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)


def test_environments_are_cached_listed_and_cleaned(bench):
    env, folder, db = bench["env"], bench["folder"], bench["db"]
    again = dltrends("bench", "run", "--spec", "onnxruntime==1.32.0", "--no-reference", "--suite", "quick",
                     "--budget", "0.02", "--no-index", "--find-links", str(WHEELHOUSE), env=env, cwd=folder)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "(cached)" in again.stderr
    cached = query(db, "SELECT env_cached FROM benchmark_runs WHERE spec = 'onnxruntime==1.32.0' "
                      "ORDER BY started_at")
    assert cached == [(False,), (True,)]
    listing = dltrends("bench", "envs", "--format", "csv", env=env, cwd=folder)
    lines = listing.stdout.strip().splitlines()
    assert lines[0].startswith("spec,framework,version") and len(lines) == 3
    assert "2 environment(s)" in listing.stderr
    cleaned = dltrends("bench", "clean", env=env, cwd=folder)
    assert "removed 2 environment(s)" in cleaned.stderr
    assert not list((folder / "envs").glob("*/dltrends-env.json"))
