CREATE OR REPLACE VIEW main.benchmark_results AS
SELECT b.run_id, r.started_at, r.machine_id, b.spec, b.framework, e.package, b.version,
       b.benchmark, b.case_key, b.params, b.mode, b.device, b.dtype, b.metric, b.unit,
       b.median, b.iqr, b.q1, b.q3, b.n, b.mean, b.stdev, b.cv, b.noisy, b.min, b.max,
       b.calls_per_sample, b.flops, b.flops / b.median / 1e9 AS gflops, b.status, b.error,
       b.samples, r.threads
FROM core.bench_results b
JOIN core.bench_envs e USING (run_id, spec)
JOIN core.bench_runs r USING (run_id);

COMMENT ON VIEW main.benchmark_results IS 'One row per benchmark case per execution mode per spec per run (HUD-like: framework, version, benchmark, parameters, device, dtype, metric, median, IQR, n, raw samples). Failures are rows too, with their status and error. Source: dltrends bench.';
COMMENT ON COLUMN main.benchmark_results.run_id IS 'UUID of the benchmark run (joins benchmark_runs).';
COMMENT ON COLUMN main.benchmark_results.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN main.benchmark_results.machine_id IS 'Hash of the machine''s hardware and OS facts.';
COMMENT ON COLUMN main.benchmark_results.spec IS 'The spec as given to --spec.';
COMMENT ON COLUMN main.benchmark_results.framework IS 'Registry id (numpy for the NumPy reference).';
COMMENT ON COLUMN main.benchmark_results.package IS 'PyPI package that was installed.';
COMMENT ON COLUMN main.benchmark_results.version IS 'Framework version as the framework reports it.';
COMMENT ON COLUMN main.benchmark_results.benchmark IS 'matmul, conv2d_forward, conv2d_train (forward+backward), mlp_train_step, transformer_train (encoder block forward+backward) or import_time.';
COMMENT ON COLUMN main.benchmark_results.case_key IS 'Benchmark and parameters, e.g. matmul[n=1024]: the same text for every framework.';
COMMENT ON COLUMN main.benchmark_results.params IS 'Shapes of the case (JSON), identical for every framework.';
COMMENT ON COLUMN main.benchmark_results.mode IS 'Execution mode: eager, graph (tf.function), jit (jax.jit), imperative, dynamic, session; - when none applies.';
COMMENT ON COLUMN main.benchmark_results.device IS 'cpu or cuda.';
COMMENT ON COLUMN main.benchmark_results.dtype IS 'Data type of the tensors (float32); NULL for import_time.';
COMMENT ON COLUMN main.benchmark_results.metric IS 'time: seconds per iteration (per import for import_time).';
COMMENT ON COLUMN main.benchmark_results.unit IS 'Unit of median, iqr and samples: s.';
COMMENT ON COLUMN main.benchmark_results.median IS 'Median of the samples; NULL unless status is ok.';
COMMENT ON COLUMN main.benchmark_results.iqr IS 'Interquartile range (q3 - q1) of the samples: the noise.';
COMMENT ON COLUMN main.benchmark_results.q1 IS 'First quartile of the samples.';
COMMENT ON COLUMN main.benchmark_results.q3 IS 'Third quartile of the samples.';
COMMENT ON COLUMN main.benchmark_results.n IS 'Number of samples (after the warm-up).';
COMMENT ON COLUMN main.benchmark_results.mean IS 'Mean of the samples.';
COMMENT ON COLUMN main.benchmark_results.stdev IS 'Sample standard deviation.';
COMMENT ON COLUMN main.benchmark_results.cv IS 'Coefficient of variation (stdev / mean).';
COMMENT ON COLUMN main.benchmark_results.noisy IS 'True when cv exceeds 0.10: treat the median with care.';
COMMENT ON COLUMN main.benchmark_results.min IS 'Fastest sample.';
COMMENT ON COLUMN main.benchmark_results.max IS 'Slowest sample.';
COMMENT ON COLUMN main.benchmark_results.calls_per_sample IS 'Calls averaged into one sample (short steps are batched so the clock''s resolution does not matter).';
COMMENT ON COLUMN main.benchmark_results.flops IS 'Floating-point operations of one iteration, counted from the shapes (the same for every framework); NULL for import_time.';
COMMENT ON COLUMN main.benchmark_results.gflops IS 'flops / median / 1e9: achieved GFLOP/s.';
COMMENT ON COLUMN main.benchmark_results.status IS 'ok; unsupported (the framework cannot run the case, e.g. ONNX Runtime training); error, crashed or timeout (the case failed); or the spec''s failure (not_installable, install_failed, import_failed, bad_spec).';
COMMENT ON COLUMN main.benchmark_results.error IS 'What went wrong (the traceback''s last lines, the exit signal, the installer''s words); NULL when ok.';
COMMENT ON COLUMN main.benchmark_results.samples IS 'Every timing sample in seconds, in the order taken.';
COMMENT ON COLUMN main.benchmark_results.threads IS 'Threads the framework was pinned to.';
