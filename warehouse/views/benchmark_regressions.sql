CREATE OR REPLACE VIEW main.benchmark_regressions AS
SELECT s.machine_id, s.framework, f.name AS framework_name, s.package, s.benchmark, s.case_key,
       s.mode, s.device, s.from_version, s.to_version, s.before_median, s.after_median, s.change,
       s.noise, s.kind, s.versions
FROM core.bench_steps s
LEFT JOIN core.frameworks f USING (framework);

COMMENT ON VIEW main.benchmark_regressions IS 'Steps in benchmark time between framework versions on one machine, found by step detection (asv-style): one row per step larger than the measured noise and 5 %. Derived from benchmark_results after every bench run or import.';
COMMENT ON COLUMN main.benchmark_regressions.machine_id IS 'Machine the series was measured on (steps never mix machines).';
COMMENT ON COLUMN main.benchmark_regressions.framework IS 'Registry id.';
COMMENT ON COLUMN main.benchmark_regressions.framework_name IS 'Display name from the registry.';
COMMENT ON COLUMN main.benchmark_regressions.package IS 'PyPI package (tensorflow-cpu and tensorflow are separate series).';
COMMENT ON COLUMN main.benchmark_regressions.benchmark IS 'Benchmark name.';
COMMENT ON COLUMN main.benchmark_regressions.case_key IS 'Benchmark and parameters.';
COMMENT ON COLUMN main.benchmark_regressions.mode IS 'Execution mode.';
COMMENT ON COLUMN main.benchmark_regressions.device IS 'cpu or cuda.';
COMMENT ON COLUMN main.benchmark_regressions.from_version IS 'Last version before the step (PEP 440 order).';
COMMENT ON COLUMN main.benchmark_regressions.to_version IS 'First version after the step.';
COMMENT ON COLUMN main.benchmark_regressions.before_median IS 'Level (median seconds) of the versions before the step.';
COMMENT ON COLUMN main.benchmark_regressions.after_median IS 'Level (median seconds) from to_version on.';
COMMENT ON COLUMN main.benchmark_regressions.change IS 'after_median / before_median - 1 (0.25 = 25 % slower).';
COMMENT ON COLUMN main.benchmark_regressions.noise IS 'Largest relative IQR of the versions around the step: the noise the change exceeded.';
COMMENT ON COLUMN main.benchmark_regressions.kind IS 'regression (slower) or improvement (faster).';
COMMENT ON COLUMN main.benchmark_regressions.versions IS 'Versions in the series.';
