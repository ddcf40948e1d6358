"""The bench job: run the benchmark suite per spec, then save the results and publish.

The benchmarks run first, without the writer lock (a run can take many minutes and a collect may
want the warehouse meanwhile); only then is the lock taken, the results landed in raw.items and
the typed tables, the run logged in collector_runs (source "bench") and the warehouse published.
`import_results` saves results files written by `dltrends bench run --output` on another machine.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from collectors.base import RawItem, utcnow
from collectors.bench import runner
from collectors.bench.envs import Environments
from dltrends.errors import UsageError
from dltrends.settings import Settings
from jobs.session import writer_session
from warehouse.db import transaction
from warehouse.load import save_batch
from warehouse.publish import Published
from warehouse.runs import RunCounts, finish_run, start_run

log = logging.getLogger(__name__)
OK_CASE_STATUSES = ("ok", "unsupported")


@dataclass
class BenchResult:
    items: list[RawItem] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    status: str = "ok"
    run_id: int | None = None
    published: Published | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def failures(payload: dict) -> list[str]:
    """What failed in one spec's payload: the spec itself, or each case that did not run."""
    if payload["status"] != "ok":
        return [f"{payload['status']}: {_first_line(payload.get('error'))}"]
    return [f"{r['key']} {r['mode']} {r['status']}: {_first_line(r.get('error'))}"
            for r in payload["results"] if r["status"] not in OK_CASE_STATUSES]


def _first_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else "no detail"


def run(settings: Settings, specs: list[str], options: runner.RunOptions,
        progress: runner.Progress | None = None, output: Path | None = None) -> BenchResult:
    """Benchmark the specs, write `output` (when given), save and publish."""
    started = time.perf_counter()
    envs = Environments(settings.bench_envs, settings.bench_installer)
    items = list(runner.run(specs, options, envs, adapters_dir=settings.bench_adapters,
                            progress=progress))
    if output:
        write_results(output, items)
    result = save(settings, items, runner.options_text(specs, options))
    result.seconds = time.perf_counter() - started
    return result


def write_results(path: Path, items: list[RawItem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([i.payload for i in items], indent=1), encoding="utf-8")


def import_results(settings: Settings, paths: list[Path]) -> BenchResult:
    """Save results files written by `dltrends bench run --output`."""
    items = []
    for path in paths:
        try:
            payloads = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"{path}: not a dltrends results file ({exc})") from None
        if not isinstance(payloads, list) or not all(isinstance(p, dict) and "run" in p for p in payloads):
            raise UsageError(f"{path}: not a dltrends results file (expected a list of spec results)")
        items += [RawItem(runner.NAME, runner.STREAM, f"{p['run']['run_id']}/{p['spec']['text']}",
                          utcnow(), "new", payload=p, cursor=p["run"]["run_id"]) for p in payloads]
    return save(settings, items, "import " + " ".join(str(p) for p in paths))


def save(settings: Settings, items: list[RawItem], options: str) -> BenchResult:
    result = BenchResult(items=items)
    with writer_session(settings, f"dltrends bench {options[:200]}") as session:
        con = session.con
        with transaction(con):
            result.run_id = start_run(con, runner.NAME, options)
        for item in items:
            problems = failures(item.payload)
            if problems:
                result.counts.fail(runner.STREAM, item.payload["spec"]["text"], "; ".join(problems))
            if item.payload["status"] == "ok":
                result.counts.items_ok += 1
        result.counts.rows_written = save_batch(con, result.run_id, items)
        with transaction(con):
            result.status = finish_run(con, result.run_id, result.counts)
    result.published = session.published
    return result
