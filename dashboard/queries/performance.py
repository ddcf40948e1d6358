"""Queries of the Performance page: `dltrends bench` machines, results, regressions and
fingerprints, and the MLPerf results."""

from __future__ import annotations

from dashboard.queries import Query


def bench_machines() -> Query:
    """Machines with benchmark results, the most recently measured first."""
    return Query(
        """
SELECT machine_id, any_value(cpu_model) AS cpu_model, max(started_at) AS last_run_at,
       count(DISTINCT run_id) AS runs
FROM benchmark_runs GROUP BY machine_id ORDER BY last_run_at DESC
"""
    )


def bench_results(machine_id: str) -> Query:
    """Every successful result on one machine (reduced to the latest per version in Python)."""
    return Query(
        """
SELECT framework, package, version, benchmark, case_key, mode, median, iqr, cv, noisy, n,
       gflops, started_at, run_id
FROM benchmark_results
WHERE machine_id = ? AND status = 'ok'
ORDER BY started_at
""",
        (machine_id,),
    )


def bench_regressions(machine_id: str, framework: str) -> Query:
    return Query(
        """
SELECT package, case_key, mode, from_version, to_version, before_median, after_median, change,
       noise, kind
FROM benchmark_regressions
WHERE machine_id = ? AND framework = ?
ORDER BY case_key, to_version
""",
        (machine_id, framework),
    )


def bench_fingerprint(machine_id: str) -> Query:
    """The latest run on the machine: its fingerprint and each environment."""
    return Query(
        """
SELECT started_at, spec, framework, version, status, build_blas, build_cuda, install_s,
       round(env_bytes / 1e6) AS env_mb, env_cached, installer, threads, cpu_model,
       cpu_cores_logical, cpu_cores_physical, round(memory_bytes / 1e9, 1) AS memory_gb, gpus,
       gpu_driver, os, python_version, blas_env, dltrends_version, error
FROM benchmark_runs
WHERE run_id = (SELECT arg_max(run_id, started_at) FROM benchmark_runs WHERE machine_id = ?)
ORDER BY framework, spec
""",
        (machine_id,),
    )


def mlperf_share(suite: str) -> Query:
    """Submission results per framework and round (framework NULL: unmapped)."""
    return Query(
        """
SELECT round, coalesce(framework, 'unmapped') AS framework, count(*) AS results
FROM mlperf_results WHERE suite = ?
GROUP BY ALL ORDER BY round, results DESC
""",
        (suite,),
    )


def mlperf_best_times() -> Query:
    """Best (lowest) training time per benchmark, framework and round."""
    return Query(
        """
SELECT benchmark, round, framework, min(score) AS best_minutes,
       arg_min(submitter || ' · ' || system, score) AS fastest
FROM mlperf_results
WHERE suite = 'training' AND score IS NOT NULL AND framework IS NOT NULL
GROUP BY ALL ORDER BY benchmark, round
""",
    )


def mlperf_unmapped(limit: int = 200) -> Query:
    return Query(
        """
SELECT suite, round, submitter, system, benchmark, engine, framework_evidence, system_framework
FROM mlperf_results WHERE framework IS NULL
ORDER BY suite, round, submitter, system, benchmark LIMIT ?
""",
        (limit,),
    )
