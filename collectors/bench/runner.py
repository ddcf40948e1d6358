"""The benchmark runner: one isolated environment and one worker process per spec.

`run(specs, options)` yields one `RawItem` per spec (source "bench", stream "results"), never
raising for one spec's failure: a spec that cannot be parsed, resolved or installed, an
environment whose framework fails to import, a case that raises, crashes the worker or runs past
`case_timeout_s` are each recorded with their status and error, and the other specs still run.

The worker is restarted after a crash or a timeout with the cases already reported skipped, so
one bad case costs only itself. Thread count is pinned through the usual variables
(OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS, ...) and each adapter's own API.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from collectors.base import RawItem, utcnow
from collectors.bench import fingerprint, suite
from collectors.bench.adapters_index import Spec, SpecError, discover, parse_spec
from collectors.bench.envs import Environments, InstallError, InstallOptions, redact
from dltrends import __version__

NAME = "bench"
STREAM = "results"
WORKER = Path(__file__).resolve().parent / "worker.py"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
STDERR_TAIL = 2000

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    suite: str = "default"
    device: str = "cpu"
    threads: int = 0  # 0: the machine's physical cores
    budget_s: float = 2.0
    warmup_s: float = 0.3
    min_repeats: int = 5
    max_repeats: int = 2000
    case_timeout_s: float = 300.0
    reference: bool = True  # run the NumPy reference too when no numpy spec is given
    install: InstallOptions = field(default_factory=InstallOptions)


class Progress:
    """Callbacks for the CLI's progress display."""

    def spec_started(self, spec: str, index: int, total: int) -> None: ...

    def phase(self, spec: str, text: str) -> None: ...

    def case_done(self, spec: str, result: dict) -> None: ...


def reference_spec() -> str:
    """numpy pinned to the version dltrends itself runs with (already on this machine)."""
    from importlib.metadata import version

    return f"numpy=={version('numpy')}"


def _is_reference(text: str) -> bool:
    """A spec the NumPy reference adapter runs (numpy==..., numpy_ref:numpy==...)."""
    adapter, _, requirement = text.rpartition(":") if ":" in text.split("[")[0] else ("", "", text)
    name = re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0]
    return adapter in ("", "numpy_ref") and canonicalize_name(name) == "numpy"


def run(specs: list[str], options: RunOptions, envs: Environments, *,
        adapters_dir: Path | None = None, progress: Progress | None = None) -> Iterator[RawItem]:
    """Benchmark each spec; yields one RawItem per spec as it finishes."""
    progress = progress or Progress()
    cases = suite.suite(options.suite)
    facts = fingerprint.collect()
    threads = options.threads or facts["cpu_cores_physical"] or facts["cpu_cores_logical"] or 1
    run_info = {"run_id": str(uuid.uuid4()), "started_at": utcnow().isoformat(),
                "dltrends_version": __version__, "suite": options.suite, "device": options.device,
                "threads": threads, "budget_s": options.budget_s, "case_timeout_s": options.case_timeout_s,
                "installer": envs.installer, "fingerprint": facts}
    adapters = discover(adapters_dir)
    if options.reference and not any(_is_reference(s) for s in specs):
        specs = [reference_spec(), *specs]
    for index, text in enumerate(specs):
        progress.spec_started(text, index, len(specs))
        payload = {"run": run_info, "spec": {"text": text}, "cases": cases, "results": [],
                   "status": "ok", "error": None, "env": None, "build": None}
        try:
            spec = parse_spec(text, adapters)
            payload["spec"] |= {"adapter": spec.adapter.name, "framework": spec.adapter.framework,
                                "package": spec.package, "requirement": str(spec.requirement)}
            _run_spec(spec, cases, options, threads, envs, payload, progress)
        except SpecError as exc:
            payload |= {"status": "bad_spec", "error": str(exc)}
        except InstallError as exc:
            payload |= {"status": exc.kind, "error": str(exc)}
        yield RawItem(NAME, STREAM, f"{run_info['run_id']}/{text}", utcnow(), "new", payload=payload,
                      cursor=run_info["run_id"], error=payload["error"])


def _run_spec(spec: Spec, cases: list[dict], options: RunOptions, threads: int,
              envs: Environments, payload: dict, progress: Progress) -> None:
    progress.phase(spec.text, "environment")
    env = envs.ensure(spec, options.install)
    payload["env"] = {k: env.meta.get(k) for k in ("key", "installer", "requirements", "constraints",
                                                    "install_s", "bytes", "packages", "created_at")}
    payload["env"]["cached"] = env.cached
    payload["env"]["path"] = str(env.path)
    payload["spec"]["version"] = env.meta.get("version")
    progress.phase(spec.text, "benchmarks")
    worker = WorkerRun(env.python, spec.adapter.path, cases, options, threads,
                       on_result=lambda r: progress.case_done(spec.text, r))
    worker.run_all()
    payload["build"] = worker.build
    payload["results"] = worker.results
    if worker.setup_error:
        payload |= {"status": "import_failed", "error": worker.setup_error}


@dataclass
class WorkerRun:
    """Drives worker processes until every case has a result."""

    python: Path
    adapter: Path
    cases: list[dict]
    options: RunOptions
    threads: int
    on_result: Callable[[dict], None] = lambda result: None
    build: dict | None = None
    setup_error: str | None = None
    results: list[dict] = field(default_factory=list)

    def run_all(self) -> None:
        while self._run_once():
            pass

    def _request(self) -> str:
        o = self.options
        return json.dumps({"adapter": str(self.adapter), "cases": self.cases, "threads": self.threads,
                           "device": o.device, "budget_s": o.budget_s, "warmup_s": o.warmup_s,
                           "min_repeats": o.min_repeats, "max_repeats": o.max_repeats,
                           "case_timeout_s": o.case_timeout_s,
                           "skip": [f"{r['key']}|{r['mode']}" for r in self.results]})

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.update({name: str(self.threads) for name in THREAD_VARIABLES})
        env["PYTHONNOUSERSITE"] = "1"
        return env

    def _run_once(self) -> bool:
        """One worker process; True when it has to be restarted for the remaining cases."""
        proc = subprocess.Popen([str(self.python), str(WORKER), str(os.getpid())], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self._env(), start_new_session=True)
        lines: queue.Queue = queue.Queue()
        stderr: list[str] = []
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        threading.Thread(target=_collect, args=(proc.stderr, stderr), daemon=True).start()
        proc.stdin.write(self._request())
        proc.stdin.close()
        current: dict | None = None
        deadline = time.monotonic() + self.options.case_timeout_s  # also bounds the import
        try:
            while True:
                try:
                    line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
                except queue.Empty:
                    _kill(proc)
                    return self._lost(current, "timeout", f"no result after "
                                      f"{self.options.case_timeout_s:.0f} s; the worker was killed")
                if line is None:  # stdout closed: the worker ended
                    code = proc.wait()
                    if current is None and self.build is not None:
                        return False
                    return self._lost(current, "crashed", _exit_text(code, stderr))
                message = json.loads(line)
                kind = message.get("type")
                if kind == "setup":
                    self.build = message["build"]
                elif kind == "setup_failed":
                    proc.wait()
                    self.setup_error = message["error"]
                    return False
                elif kind == "start":
                    current = message
                    deadline = time.monotonic() + self.options.case_timeout_s
                elif kind == "result":
                    self._record(message)
                    current = None
        finally:
            if proc.poll() is None:
                _kill(proc)

    def _record(self, message: dict) -> None:
        result = {k: v for k, v in message.items() if k != "type"}
        self.results.append(result)
        self.on_result(result)

    def _lost(self, current: dict | None, status: str, error: str) -> bool:
        if current is None:  # died before its first case: the framework did not import
            self.setup_error = f"the worker {status} before it was ready: {error}"
            return False
        self._record({"key": current["key"], "mode": current["mode"], "status": status, "error": error})
        return True


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        if line.strip():
            lines.put(line)
    lines.put(None)


def _collect(stream, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)
        if len(sink) > 200:
            del sink[:100]


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _exit_text(code: int, stderr: list[str]) -> str:
    how = f"killed by signal {-code} ({signal.Signals(-code).name})" if code < 0 else f"exit code {code}"
    tail = "".join(stderr).strip()[-STDERR_TAIL:]
    return f"the worker ended with {how}" + (f": {tail}" if tail else "")


def options_text(specs: list[str], options: RunOptions) -> str:
    """The run's selection for collector_runs.options."""
    data = asdict(options)
    data["install"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in data["install"].items()}
    return redact(json.dumps({"specs": specs, **data}, default=str, sort_keys=True))
