"""Helpers for the operations tests and perf/operations.py: a PyPI whose data changes by generation,
a fake SMTP server, the kill-9 trial, and the CLI and scheduler as processes."""

from __future__ import annotations

import base64
import email
import hashlib
import json
import os
import random
import signal
import socketserver
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import duckdb

from dltrends.registry import load_registry
from dltrends.settings import Settings
from jobs.collect.run import collect
from jobs.collect.sources import SOURCES
from tests.support.fakeserver import FakeServer, Request, Response
from tests.support.pypi import load_json, pypi_recordings, serve_pypi
from tests.support.settings import TEST_REGISTRY, make_settings
from warehouse.db import reader

# The real scheduler process (lock, log, a child `dltrends collect` per job, SIGTERM) with its
# one task run every 2 s instead of on a cron schedule; argv: the collect options.
SCHEDULER_EVERY_2S = textwrap.dedent("""
    import sys
    from apscheduler.triggers.interval import IntervalTrigger
    from jobs.schedule import daemon
    from jobs.cli.common import setup
    from jobs.schedule.timetable import Task
    settings = setup(None)
    task = Task("pypi", "* * * * *", ("collect", *sys.argv[1:]), source="pypi")
    sys.exit(daemon.run(settings, None, triggers={"pypi": IntervalTrigger(seconds=2)},
                           task_list=[task]))
""")
MARKER = "99.0."


class GenerationalPypi:
    """Serves every recording with one extra release `99.0.<gen>` (and last_serial + gen).

    `gen` is read per request (a number, or a function of nothing), so a test decides which data
    a run sees. A published file that mixes generations shows more than one marker version.
    `churn` also flips the yanked flag of the first `churn` releases' files every generation
    (rows that change in place, as a daily collect's updates do).
    """

    def __init__(self, server: FakeServer, gen: int | Callable[[], int] = 0,
                 keys: list[str] | None = None, churn: int = 0):
        self.gen = gen
        self.churn = churn
        self._base: dict[str, tuple[bytes, int]] = {}
        self._cache: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()
        for key, (path, serial) in pypi_recordings().items():
            if keys is not None and key not in keys:
                continue
            payload = load_json(path)
            payload["releases"]["__MARKER__"] = []
            self._base[key] = (json.dumps(payload).encode(), serial)
            server.handle(f"/pypi/{key}/json", self._handler(key))

    def current(self) -> int:
        return self.gen() if callable(self.gen) else self.gen

    def body(self, key: str, gen: int) -> bytes:
        with self._lock:
            if (key, gen) not in self._cache:
                data, serial = self._base[key]
                marker = json.dumps({"filename": f"{key}-{MARKER}{gen}.tar.gz", "packagetype": "sdist",
                                     "python_version": "source", "size": 1000 + gen,
                                     "upload_time_iso_8601": "2026-01-01T00:00:00.000000Z",
                                     "yanked": False, "yanked_reason": None, "requires_python": None,
                                     "digests": {"sha256": f"{gen:064d}"}})
                data = data.replace(b'"__MARKER__": []', f'"{MARKER}{gen}": [{marker}]'.encode())
                data = data.replace(f'"last_serial": {serial}'.encode(),
                                    f'"last_serial": {serial + gen}'.encode())
                if self.churn:
                    data = self._yank(data, gen)
                # keep the current generation only: the soak in perf/ runs through thousands
                self._cache = {k: v for k, v in self._cache.items() if k[1] == gen}
                self._cache[(key, gen)] = data
            return self._cache[(key, gen)]

    def _yank(self, data: bytes, gen: int) -> bytes:
        payload = json.loads(data)
        for files in list(payload["releases"].values())[: self.churn]:
            for f in files:
                f["yanked"] = gen % 2 == 1
        return json.dumps(payload).encode()

    def _handler(self, key: str) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            gen = self.current()
            return Response(200, self.body(key, gen), {"Content-Type": "application/json",
                                                       "X-PyPI-Last-Serial": str(self._base[key][1] + gen)})
        return handle


def generations(db: Path) -> list[int]:
    """The marker generations the published file shows, one entry per package that has one."""
    with reader(db) as con:
        rows = con.execute("SELECT version FROM releases WHERE version LIKE ? ORDER BY package",
                           [MARKER + "%"]).fetchall()
    return [int(v.removeprefix(MARKER)) for (v,) in rows]


def consistent(db: Path) -> tuple[int | None, str | None]:
    """(generation, None) when the file holds one whole generation; (None, why) otherwise."""
    with reader(db) as con:
        files, listed = con.execute(
            "SELECT (SELECT coalesce(sum(file_count), 0) FROM releases), "
            "(SELECT count(*) FROM release_files)").fetchall()[0]
        packages = con.execute("SELECT count(DISTINCT package) FROM releases").fetchall()[0][0]
    gens = generations(db)
    if files != listed:
        return None, f"releases count {files} files, release_files lists {listed}"
    if len(set(gens)) != 1 or len(gens) != packages:
        return None, f"{packages} packages carry markers {sorted(set(gens))} ({len(gens)} in all)"
    return gens[0], None


def cli_env(db: Path, url: str, **extra: str) -> dict[str, str]:
    """Environment of a dltrends process under test: PyPI at `url`, every other source's URL at a
    closed local port (never the network), and only the pypi job scheduled."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DLTRENDS_") and k != "GITHUB_TOKEN"}
    for name in Settings.model_fields:
        if name.endswith("_url"):
            env[f"DLTRENDS_{name.upper()}"] = "http://127.0.0.1:9"
    env.pop("DLTRENDS_ALERT_WEBHOOK_URL")
    off = {name: "off" for name in [*SOURCES, "report"] if name != "pypi"}
    env.update(DLTRENDS_DB=str(db), DLTRENDS_REGISTRY=str(TEST_REGISTRY), DLTRENDS_PYPI_URL=url,
               DLTRENDS_HTTP_MAX_RETRY_WAIT="0", DLTRENDS_SCHEDULE=json.dumps(off), **extra)
    return env


def dltrends(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dltrends", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@dataclass
class KillOutcome:
    moment: float  # seconds after the collect process started
    phase: str  # how far the run had got: starting, collecting, publishing, finished
    held: str  # "old" or "new" data in the published file after the kill
    generation: int


KILL_FRAMEWORKS = ("pytorch", "jax", "mxnet", "tinygrad")  # 5 packages: a run takes ~2 s


def phase(stderr: str) -> str:
    """How far a collect got, from its debug log."""
    if "INFO warehouse.publish: published" in stderr:
        return "finished"
    if "INFO jobs.collect: pypi:" in stderr:
        return "publishing"
    if "httpcore" in stderr:
        return "collecting"
    return "starting"


@dataclass
class KillTrial:
    """kill -9 of `dltrends collect` at seeded random moments, each over a new data generation.

    After every kill the published file must open and hold one whole generation: the one published
    before (old) or the one this run fetched (new), never a mix.
    """

    db: Path
    url: str
    pypi: GenerationalPypi
    seed: int = 20261128
    points: int = 20
    outcomes: list[KillOutcome] = field(default_factory=list)
    log: Callable[[str], None] = print

    def run(self) -> None:
        env = cli_env(self.db, self.url, DLTRENDS_CONCURRENCY="2")
        spans = []
        for gen in (0, 1):
            self.pypi.gen = gen
            start = time.monotonic()
            self.collect(env)
            spans.append(time.monotonic() - start)
        span = max(spans)  # a whole run, process start to exit
        rng = random.Random(self.seed)
        moments = [round(rng.uniform(0.05, span * 1.1), 2) for _ in range(self.points)]
        self.log(f"kill -9 at {self.points} moments (seed {self.seed}) over a {span:.2f} s run")
        published = 1
        for index, moment in enumerate(moments):
            gen = index + 2
            self.pypi.gen = gen
            proc = dltrends("collect", "-v", *self.args(), env=env)
            time.sleep(moment)
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            held, why = consistent(self.db)
            if held not in (published, gen):
                raise AssertionError(f"kill {index + 1} at {moment} s: published file holds "
                                     f"{held if why is None else why}, expected {published} or {gen}")
            outcome = KillOutcome(moment, phase(err), "new" if held == gen else "old", held)
            self.outcomes.append(outcome)
            self.log(f"kill {index + 1:2d} at {moment:5.2f} s ({outcome.phase}): the published file "
                     f"opens and holds the {outcome.held} data (generation {held})")
            published = held

    def args(self) -> list[str]:
        return ["-s", "pypi", *(a for fw in KILL_FRAMEWORKS for a in ("-f", fw))]

    def collect(self, env: dict[str, str]) -> None:
        proc = dltrends("collect", *self.args(), env=env)
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"collect failed ({proc.returncode}): {err[-2000:]}")


class FakeSmtp:
    """An SMTP server on 127.0.0.1 that accepts AUTH PLAIN and keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse: int | None = None  # answer MAIL FROM with this code, for failure tests
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                outer._session(self.rfile, self.wfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self) -> FakeSmtp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _session(self, rfile, wfile) -> None:
        def say(line: str) -> None:
            wfile.write((line + "\r\n").encode())
            wfile.flush()

        say("220 fake ESMTP")
        while line := rfile.readline():
            verb = line.decode(errors="replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                say("250-fake")
                say("250 AUTH PLAIN")
            elif upper.startswith("AUTH PLAIN"):
                _, user, password = base64.b64decode(verb.split()[2]).decode().split("\0")
                self.logins.append((user, password))
                say("235 2.7.0 Authentication successful")
            elif upper.startswith("MAIL FROM"):
                say(f"{self.refuse} 5.7.1 refused" if self.refuse else "250 OK")
            elif upper.startswith("RCPT TO") or upper in ("RSET", "NOOP"):
                say("250 OK")
            elif upper == "DATA":
                say("354 go ahead")
                data = b""
                while (chunk := rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.messages.append(email.message_from_bytes(data))
                say("250 OK queued")
            elif upper == "QUIT":
                say("221 bye")
                return
            else:
                say("502 not implemented")


# -- small helpers of the fault tests ---------------------------------------------------

def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_run(tmp_path: Path, name: str, frameworks: list[str] | None = None) -> Path:
    """The published file of one undisturbed collect, for comparisons."""
    with FakeServer() as fake:
        serve_pypi(fake)
        settings = make_settings(tmp_path / name, fake)
        collect(settings, load_registry(TEST_REGISTRY), ["pypi"], frameworks)
    return settings.db


def age_run_log(db: Path, hours: int = 2) -> None:
    """Pretend the last collect was `hours` ago, so a starting scheduler finds a missed run."""
    work = db.with_name(db.name + ".work")
    con = duckdb.connect(str(work))
    try:
        con.execute(f"UPDATE core.collector_runs SET started_at = started_at - INTERVAL {hours} HOUR")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp = db.with_name(db.name + ".aged")
    tmp.write_bytes(work.read_bytes())
    os.replace(tmp, db)


def wait_for(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def log_lines(db: Path) -> list[str]:
    path = db.with_name(db.name + ".log")
    return path.read_text().splitlines() if path.exists() else []
