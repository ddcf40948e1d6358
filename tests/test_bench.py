"""Benchmark statistics, step detection, the suite, spec parsing, pins and install-error handling
on fixed inputs, and the transform of recorded results into the warehouse (no environments built)."""

from __future__ import annotations

import gzip
import json
import statistics

import numpy as np
import pytest

from collectors.bench import measure, suite
from collectors.bench.adapters_index import SpecError, discover, parse_spec
from collectors.bench.envs import Environments, InstallError, InstallOptions, classify
from jobs import bench as bench_job
from tests.support.fakeserver import FIXTURES
from tests.support.settings import make_settings
from warehouse.db import reader
from warehouse.steps import Point, detect, segment, sort_points

RECORDED = FIXTURES / "bench"


def test_summary_statistics_on_fixed_samples():
    stats = measure.summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert (stats.n, stats.median, stats.q1, stats.q3, stats.iqr) == (5, 3.0, 2.0, 4.0, 2.0)
    assert stats.mean == 22.0 and stats.stdev == pytest.approx(statistics.stdev([1, 2, 3, 4, 100]))
    assert stats.cv == pytest.approx(stats.stdev / 22.0) and stats.noisy
    steady = measure.summarize([1.00, 1.01, 0.99, 1.00])
    assert steady.cv < 0.01 and not steady.noisy
    samples = [0.3, 0.1, 0.7, 0.2, 0.9, 0.5]
    for q in (0.25, 0.5, 0.75):  # NumPy's default (linear) quantiles
        assert measure.quantile(sorted(samples), q) == pytest.approx(np.quantile(samples, q))


def test_measure_warms_up_then_repeats_until_the_budget():
    clock = {"t": 0.0}
    calls = []

    def step():
        calls.append(clock["t"])
        clock["t"] += 0.001

    result = measure.run(step, budget_s=0.1, warmup_s=0.01, min_repeats=5, min_sample_s=0.005,
                         clock=lambda: clock["t"])
    assert result.warmup_calls == 10  # 10 ms of warm-up at 1 ms a call
    assert result.number == 5  # calls batched so a sample lasts >= 5 ms
    assert len(result.samples) == 20 and all(s == pytest.approx(0.001) for s in result.samples)
    assert len(calls) == 10 + 20 * 5
    slow = measure.run(lambda: clock.__setitem__("t", clock["t"] + 1.0), budget_s=0.1, warmup_s=0,
                       min_repeats=5, clock=lambda: clock["t"])
    assert len(slow.samples) == 5  # a slow step still gets its minimum repeats


def _series(medians, iqr=0.01, versions=None):
    versions = versions or [f"1.{i}.0" for i in range(len(medians))]
    return [Point(v, m, iqr * m) for v, m in zip(versions, medians, strict=True)]


def test_a_flat_noisy_series_has_no_steps():
    assert detect(_series([1.00, 1.03, 0.98, 1.02, 0.99, 1.01], iqr=0.05)) == []


def test_a_jump_larger_than_the_noise_is_a_regression_at_its_version():
    [step] = detect(_series([1.0, 1.01, 0.99, 1.30, 1.31, 1.29]))
    assert (step.from_version, step.to_version, step.kind) == ("1.2.0", "1.3.0", "regression")
    assert step.before == pytest.approx(1.0) and step.after == pytest.approx(1.30)
    assert step.change == pytest.approx(0.30)


def test_a_jump_within_the_noise_is_not_reported():
    assert detect(_series([1.0, 1.0, 1.0, 1.15, 1.15, 1.15], iqr=0.40)) == []
    assert detect(_series([1.0, 1.0, 1.0, 1.03, 1.03, 1.03], iqr=0.001)) == []  # under 5 %


def test_improvements_and_a_fixed_regression():
    steps = detect(_series([2.0, 2.0, 1.0, 1.0, 1.5, 1.0]))
    assert [(s.to_version, s.kind) for s in steps] == [
        ("1.2.0", "improvement"), ("1.4.0", "regression"), ("1.5.0", "improvement")]


def test_points_are_ordered_by_pep440_not_text():
    points = _series([3.0, 1.0, 2.0], versions=["0.10.2", "0.8.3", "0.9.2"])
    assert [p.version for p in sort_points(points)] == ["0.8.3", "0.9.2", "0.10.2"]
    assert segment(sort_points(points))[0][0] == 0


def test_the_suite_is_one_definition_with_flops_from_the_shapes():
    cases = suite.default_suite()
    assert [c["benchmark"] for c in cases] == ["matmul", "matmul", "matmul", "conv2d_forward",
                                               "conv2d_train", "mlp_train_step", "transformer_train",
                                               "import_time"]
    by_key = {c["key"]: c for c in cases}
    assert by_key["matmul[n=1024]"]["flops"] == 2 * 1024**3
    conv = by_key["conv2d_forward[batch=8,in_ch=32,kernel=3,out_ch=64,size=56]"]["flops"]
    assert conv == 2 * 8 * 64 * 56 * 56 * 32 * 9
    assert by_key["conv2d_train[batch=8,in_ch=32,kernel=3,out_ch=64,size=56]"]["flops"] == 3 * conv
    assert by_key["mlp_train_step[batch=64,layers=784-512-512-10]"]["flops"] == \
        3 * 2 * 64 * (784 * 512 + 512 * 512 + 512 * 10)
    assert {c["dtype"] for c in cases} == {"float32", None}
    with pytest.raises(KeyError, match="known: default, quick"):
        suite.suite("huge")


@pytest.fixture(scope="module")
def adapters():
    return discover()


def test_every_framework_has_one_adapter_file(adapters):
    assert {a.framework for a in adapters.values()} == {
        "numpy", "pytorch", "tensorflow", "jax", "mxnet", "onnxruntime", "paddlepaddle"}
    assert adapters["tensorflow"].module == "tensorflow" and adapters["paddle"].module == "paddle"


@pytest.mark.parametrize(("text", "adapter", "package", "pinned"), [
    ("torch==2.13.0", "pytorch", "torch", "2.13.0"),
    ("tensorflow-cpu==2.21.0", "tensorflow", "tensorflow-cpu", "2.21.0"),
    ("jax>=0.9", "jax", "jax", None),
    ("numpy==2.4.6", "numpy_ref", "numpy", "2.4.6"),
    ("Paddlepaddle==3.3.1", "paddle", "paddlepaddle", "3.3.1"),
    ("pytorch:torch==2.13.0", "pytorch", "torch", "2.13.0"),
])
def test_specs_pick_their_adapter(adapters, text, adapter, package, pinned):
    spec = parse_spec(text, adapters)
    assert (spec.adapter.name, spec.package, spec.pinned_version) == (adapter, package, pinned)


@pytest.mark.parametrize(("text", "message"), [
    ("caffe==1.0", "no adapter runs the package 'caffe'"),
    ("torch===", "is not a requirement"),
    ("nosuch:torch==2.0", "no adapter named 'nosuch'"),
])
def test_bad_specs_say_why(adapters, text, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(text, adapters)


def test_pins_are_data_applied_by_version(adapters, tmp_path):
    envs = Environments(tmp_path, installer="pip")
    mxnet = parse_spec("mxnet==1.9.1", adapters)
    assert envs.constraints(mxnet, "1.9.1") == ["numpy<1.24"]
    jax = parse_spec("jax==0.4.20", adapters)
    assert envs.constraints(jax, "0.4.20") == ["numpy<2"] and envs.constraints(jax, "0.10.2") == []
    onnx = parse_spec("onnxruntime==1.32.0", adapters)
    assert envs.extras(onnx) == ["onnx"] and envs.constraints(onnx, "1.32.0") == []
    assert envs.requirement_text(jax, "cuda") == "jax[cuda12]==0.4.20"
    assert envs.requirement_text(onnx, "cuda") == "onnxruntime-gpu==1.32.0"
    with pytest.raises(SpecError, match="CPU-only build"):
        envs.requirement_text(parse_spec("tensorflow-cpu==2.21.0", adapters), "cuda")
    torch = parse_spec("torch==2.13.0", adapters)
    assert envs.index_args(torch, InstallOptions(cpu_builds=True)) == [
        "--extra-index-url", "https://download.pytorch.org/whl/cpu"]
    offline = InstallOptions(no_index=True, find_links=[tmp_path])
    assert envs.index_args(torch, offline) == ["--find-links", str(tmp_path), "--no-index"]


def test_a_cuda_build_is_refused_for_the_cpu_before_any_download(adapters, tmp_path):
    envs = Environments(tmp_path, installer="pip")
    torch = parse_spec("torch==2.15.0", adapters)
    with pytest.raises(InstallError, match="resolves to a CUDA build for the CPU .*nvidia-cublas-cu12"):
        envs._refuse_cuda(torch, {"torch": "2.15.0", "nvidia-cublas-cu12": "12.8", "numpy": "2.4.6"})
    envs._refuse_cuda(torch, {"torch": "2.13.0+cpu", "numpy": "2.4.6"})


def test_install_errors_are_classified_in_the_installers_words():
    pip = classify("WARNING: Location 'x' is ignored\nERROR: Could not find a version that satisfies "
                   "the requirement onnxruntime==0.0.1 (from versions: 1.15.0)\n"
                   "ERROR: No matching distribution found for onnxruntime==0.0.1")
    assert pip.kind == "not_installable" and "WARNING" not in str(pip)
    assert "No matching distribution found for onnxruntime==0.0.1" in str(pip)
    assert classify("error: subprocess-exited-with-error\nfailed building wheel").kind == "install_failed"
    leaked = classify("ERROR: Could not find a version (index https://me:s3cret@pkgs.example/simple)")
    assert "s3cret" not in str(leaked) and "https://***@pkgs.example/simple" in str(leaked)


@pytest.fixture(scope="module")
def recorded() -> list[dict]:
    """Real results of `dltrends bench run` on a 2-core machine (see tests/fixtures/README.md)."""
    return json.loads(gzip.decompress((RECORDED / "results_default_2cores.json.gz").read_bytes()))


def test_recorded_results_load_into_whole_rows(tmp_path, recorded):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(recorded))
    settings = make_settings(tmp_path)
    result = bench_job.import_results(settings, [path])
    assert result.status == "ok" and result.counts.items_ok == len(recorded)
    with reader(settings.db) as con:
        jax = con.execute(
            "SELECT version, mode, n, median, iqr, cv, status, len(samples), flops, gflops "
            "FROM benchmark_results WHERE framework = 'jax' AND case_key = 'matmul[n=1024]' "
            "ORDER BY version").fetchall()
        runs = con.execute("SELECT count(DISTINCT run_id), count(*), min(machine_id) FROM benchmark_runs"
                           ).fetchall()[0]
        unsupported = con.execute(
            "SELECT count(*) FROM benchmark_results WHERE framework = 'onnxruntime' "
            "AND status = 'unsupported'").fetchall()[0][0]
    payload = next(p for p in recorded if p["spec"]["text"] == "jax==0.10.2")
    samples = next(r["samples"] for r in payload["results"] if r["key"] == "matmul[n=1024]")
    stats = measure.summarize(samples)
    assert ("0.10.2", "jit", stats.n, stats.median, stats.iqr, stats.cv, "ok", len(samples),
            2 * 1024**3, pytest.approx(2 * 1024**3 / stats.median / 1e9)) in jax
    assert runs[1] == len(recorded) and len(runs[2]) == 12
    assert unsupported == 3  # ONNX Runtime: conv2d_train, mlp_train_step, transformer_train
    # With the weekly bench scheduled, source_health judges it like a collector.
    bench_job.import_results(make_settings(tmp_path, bench_specs="jax==0.10.2"), [path])
    with reader(settings.db) as con:
        assert con.execute("SELECT title, schedule, last_status, state FROM source_health "
                           "WHERE source = 'bench'").fetchall() == [
            ("Benchmark runner (dltrends bench run)", "0 4 * * sat", "ok", "ok")]


def test_loading_the_same_results_twice_changes_nothing(tmp_path, recorded):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(recorded))
    settings = make_settings(tmp_path)
    bench_job.import_results(settings, [path])
    with reader(settings.db) as con:
        before = con.execute("SELECT * EXCLUDE (samples) FROM benchmark_results ORDER BY ALL").fetchall()
    again = bench_job.import_results(settings, [path])
    assert again.counts.rows_written == 0
    with reader(settings.db) as con:
        assert con.execute("SELECT * EXCLUDE (samples) FROM benchmark_results ORDER BY ALL"
                           ).fetchall() == before


def test_a_failed_spec_is_recorded_per_case(tmp_path):
    payload = {"run": {"run_id": "r1", "started_at": "2026-11-28T10:00:00+00:00", "suite": "quick",
                       "device": "cpu", "fingerprint": {"machine_id": "m" * 12}},
               "spec": {"text": "onnxruntime==0.0.1", "framework": "onnxruntime", "package": "onnxruntime"},
               "cases": suite.quick_suite(), "results": [], "status": "not_installable",
               "error": "no installable release for Python 3.11: ERROR: No matching distribution found",
               "env": None, "build": None}
    path = tmp_path / "failed.synthetic.json"
    path.write_text(json.dumps([payload]))
    settings = make_settings(tmp_path)
    result = bench_job.import_results(settings, [path])
    assert result.status == "failed"
    assert "onnxruntime==0.0.1: not_installable: no installable release" in result.counts.error_text()
    with reader(settings.db) as con:
        rows = con.execute("SELECT case_key, mode, status, median FROM benchmark_results").fetchall()
    assert len(rows) == len(suite.quick_suite())
    assert {(r[1], r[2], r[3]) for r in rows} == {("-", "not_installable", None)}


def test_a_file_that_is_not_a_results_file_is_a_usage_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"not": "a list"}')
    with pytest.raises(Exception, match="not a dltrends results file"):
        bench_job.import_results(make_settings(tmp_path), [path])


def test_the_run_log_never_holds_index_credentials():
    from collectors.bench.runner import RunOptions, options_text

    options = RunOptions(install=InstallOptions(indexes={"torch": "https://me:s3cret@pkgs.example/simple"}))
    text = options_text(["torch==2.13.0"], options)
    assert "s3cret" not in text and "https://***@pkgs.example/simple" in text
