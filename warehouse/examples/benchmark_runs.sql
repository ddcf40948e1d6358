-- Each framework environment of the latest run: version, build, install time and size
SELECT spec, framework, version, status, build_blas, install_s, env_bytes / 1e6 AS mb
FROM benchmark_runs WHERE run_id = (SELECT arg_max(run_id, started_at) FROM benchmark_runs);
