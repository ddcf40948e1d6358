"""`dltrends bench ...`: run the cross-framework benchmark suite, list and clean its environments."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from collectors.bench import runner, suite
from collectors.bench.adapters_index import SpecError
from collectors.bench.envs import Environments, InstallOptions
from collectors.bench.measure import summarize
from dltrends.errors import ExitCode, UsageError
from jobs import bench as bench_job
from jobs.cli import output
from jobs.cli.common import ConfigOpt, DbOpt, VerboseOpt, app, handled, say, setup

bench_app = typer.Typer(help="Benchmark frameworks across versions on this machine.",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(bench_app, name="bench")


def bench_command(func):
    """A `dltrends bench` sub-command with jobs.cli.common.handled's error and SIGTERM handling;
    a spec that cannot be understood is a usage error."""

    @functools.wraps(func)
    def specs_checked(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SpecError as exc:
            raise UsageError(str(exc)) from None

    name = func.__name__.removeprefix("bench_").replace("_", "-")
    return bench_app.command(name)(handled(specs_checked))


class SayProgress(runner.Progress):
    """One line per spec phase and per case, on stderr."""

    def spec_started(self, spec: str, index: int, total: int) -> None:
        say(f"[{index + 1}/{total}] {spec}")

    def phase(self, spec: str, text: str) -> None:
        say(f"  {text} ...")

    def case_done(self, spec: str, result: dict) -> None:
        if result["status"] == "ok":
            stats = summarize(result["samples"])
            flag = "  (noisy)" if stats.noisy else ""
            say(f"  {result['key']} {result['mode']}: {stats.median * 1e3:.3f} ms, IQR "
                f"{stats.iqr * 1e3:.3f} ms, CV {stats.cv:.1%}, n={stats.n}{flag}")
        else:
            detail = (result.get("error") or "").strip().splitlines()
            say(f"  {result['key']} {result['mode']}: {result['status']}"
                f"{': ' + detail[-1] if detail else ''}")


def _indexes(values: list[str] | None) -> dict[str, str]:
    out = {}
    for value in values or []:
        package, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://", "file://")):
            raise UsageError(f"--index {value!r}: expected PACKAGE=URL")
        out[package.strip().lower()] = url.strip()
    return out


@bench_command
def bench_run(
    spec: Annotated[list[str], typer.Option("--spec", "-s", help="A framework release to benchmark, "
                    "e.g. torch==2.13.0 (repeatable; [ADAPTER:]REQUIREMENT).")],
    suite_name: Annotated[str, typer.Option(
        "--suite", help=f"Suite: {', '.join(suite.SUITES)}.")] = "default",
    device: Annotated[str, typer.Option(help="cpu or cuda.")] = "cpu",
    threads: Annotated[int | None, typer.Option(help="Threads (DLTRENDS_BENCH_THREADS; 0 = physical "
                                                     "cores).")] = None,
    budget: Annotated[float | None, typer.Option(help="Seconds of timed repeats per case "
                                                      "(DLTRENDS_BENCH_BUDGET).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per case before it is killed "
                                                       "(DLTRENDS_BENCH_CASE_TIMEOUT).")] = None,
    find_links: Annotated[list[Path] | None, typer.Option("--find-links", help="Local wheel folder "
                                                           "(repeatable).")] = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="Install only from --find-links.")] = False,
    index: Annotated[list[str] | None, typer.Option("--index", help="Extra index for one package: "
                                                    "PACKAGE=URL (repeatable).")] = None,
    cpu_builds: Annotated[bool, typer.Option("--cpu-builds", help="Use the frameworks' CPU-only "
                                             "indexes (pins.toml [cpu_index]).")] = False,
    allow_cuda_wheels: Annotated[bool, typer.Option("--allow-cuda-wheels", help="Allow CUDA builds "
                                                    "(GBs of nvidia-* wheels) for --device cpu.")] = False,
    reference: Annotated[bool, typer.Option("--reference/--no-reference", help="Also run the NumPy "
                                            "reference (the baseline).")] = True,
    out: Annotated[Path | None, typer.Option("--output", help="Also write the results to this JSON "
                                             "file (load it elsewhere with `bench import`).")] = None,
    config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False,
) -> int:
    """Benchmark each spec in its own environment, save the results and publish."""
    settings = setup(config, verbose, db=db, bench_threads=threads, bench_budget=budget,
                     bench_case_timeout=timeout)
    if device not in ("cpu", "cuda"):
        raise UsageError(f"--device {device!r}: use cpu or cuda")
    if suite_name not in suite.SUITES:
        raise UsageError(f"--suite {suite_name!r}: known suites are {', '.join(suite.SUITES)}")
    install = InstallOptions(device=device, find_links=[p.resolve() for p in find_links or []],
                             no_index=no_index, indexes=_indexes(index), cpu_builds=cpu_builds,
                             allow_cuda_wheels=allow_cuda_wheels, timeout_s=settings.bench_install_timeout)
    options = runner.RunOptions(suite=suite_name, device=device, threads=settings.bench_threads,
                                budget_s=settings.bench_budget, case_timeout_s=settings.bench_case_timeout,
                                reference=reference, install=install)
    result = bench_job.run(settings, spec, options, SayProgress(), out)
    for item in result.items:
        say(_spec_summary(item.payload))
    c = result.counts
    say(f"bench: {result.status}, {len(result.items)} spec(s), {c.items_failed} with failures, "
        f"{c.rows_written} rows written in {result.seconds:.0f} s (run {result.run_id})")
    return ExitCode.OK if result.ok else ExitCode.PARTIAL


def _spec_summary(payload: dict) -> str:
    env = payload.get("env") or {}
    results = payload.get("results") or []
    ok = sum(r["status"] == "ok" for r in results)
    where = (f", env {env.get('bytes', 0) / 1e6:.0f} MB, installed in {env.get('install_s')} s"
             f"{' (cached)' if env.get('cached') else ''}") if env else ""
    version = payload["spec"].get("version") or "?"
    head = f"{payload['spec']['text']}: {payload['status']}"
    if payload["status"] != "ok":
        return head + f" ({bench_job.failures(payload)[0]})"
    return head + f", version {version}, {ok}/{len(results)} cases ok{where}"


@bench_command
def bench_import(
    files: Annotated[list[Path], typer.Argument(help="Results files from `bench run --output`.")],
    config: ConfigOpt = None, db: DbOpt = None, verbose: VerboseOpt = False,
) -> int:
    """Save benchmark results written by `dltrends bench run --output` (e.g. on another machine)."""
    settings = setup(config, verbose, db=db)
    result = bench_job.import_results(settings, files)
    say(f"bench import: {result.status}, {len(result.items)} spec result(s), "
        f"{result.counts.rows_written} rows written (run {result.run_id})")
    return ExitCode.OK if result.ok else ExitCode.PARTIAL


@bench_command
def bench_envs(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    config: ConfigOpt = None,
) -> int:
    """List the cached benchmark environments with their size on disk."""
    settings = setup(config)
    envs = Environments(settings.bench_envs, settings.bench_installer).list()
    frame = pd.DataFrame([{
        "spec": e.get("spec"), "framework": e.get("framework"), "version": e.get("version"),
        "installer": e.get("installer"), "install_s": e.get("install_s"),
        "disk_mb": round(e["bytes"] / 1e6, 1), "created_at": e.get("created_at"),
        "last_used_at": e.get("last_used_at"), "folder": Path(e["path"]).name,
    } for e in envs])
    output.emit(frame, fmt)
    total = sum(e["bytes"] for e in envs)
    say(f"{len(envs)} environment(s), {total / 1e9:.2f} GB in {settings.bench_envs}")
    return ExitCode.OK


@bench_command
def bench_clean(
    names: Annotated[list[str] | None, typer.Argument(help="Folders or specs to remove (default: "
                                                     "all).")] = None,
    config: ConfigOpt = None,
) -> int:
    """Remove cached benchmark environments (all, or the named ones)."""
    settings = setup(config)
    count, freed = Environments(settings.bench_envs, settings.bench_installer).clean(names)
    say(f"removed {count} environment(s), {freed / 1e9:.2f} GB freed from {settings.bench_envs}")
    return ExitCode.OK
