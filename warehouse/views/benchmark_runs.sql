CREATE OR REPLACE VIEW main.benchmark_runs AS
SELECT e.run_id, r.started_at, e.spec, e.framework, e.package, e.version, e.status, e.error,
       e.adapter, e.requirement, e.requirements, e.constraints, e.env_key, e.env_cached,
       e.installer, e.install_s, e.env_bytes, e.build_device, e.build_cuda, e.build_blas, e.build,
       e.packages, r.suite, r.device, r.threads, r.budget_s, r.dltrends_version, r.machine_id,
       r.host_id, r.cpu_model, r.cpu_cores_logical, r.cpu_cores_physical, r.memory_bytes, r.gpus,
       r.gpu_driver, r.os, r.machine, r.python_version, r.python_implementation, r.blas_env
FROM core.bench_envs e
JOIN core.bench_runs r USING (run_id);

COMMENT ON VIEW main.benchmark_runs IS 'One row per spec (framework release) per `dltrends bench run`: its environment, the framework build it ran, and the run''s hardware and environment fingerprint. Source: dltrends bench on the machine that ran it.';
COMMENT ON COLUMN main.benchmark_runs.run_id IS 'UUID of the benchmark run (shared by its specs).';
COMMENT ON COLUMN main.benchmark_runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN main.benchmark_runs.spec IS 'The spec as given to --spec, e.g. torch==2.13.0.';
COMMENT ON COLUMN main.benchmark_runs.framework IS 'Registry id of the framework (numpy for the NumPy reference).';
COMMENT ON COLUMN main.benchmark_runs.package IS 'PyPI package installed for the spec (normalised name).';
COMMENT ON COLUMN main.benchmark_runs.version IS 'Framework version as the framework reports it (torch 2.13.0+cpu); the resolved version when it did not import.';
COMMENT ON COLUMN main.benchmark_runs.status IS 'ok, bad_spec (no adapter or not a requirement), not_installable (no release for this Python/platform), install_failed, import_failed.';
COMMENT ON COLUMN main.benchmark_runs.error IS 'Why the spec failed, in the installer''s or the framework''s own words; NULL when ok.';
COMMENT ON COLUMN main.benchmark_runs.adapter IS 'Adapter file that ran it (collectors/bench/adapters/<adapter>.py).';
COMMENT ON COLUMN main.benchmark_runs.requirement IS 'The spec''s PEP 508 requirement.';
COMMENT ON COLUMN main.benchmark_runs.requirements IS 'What was installed into the environment (the pinned spec and adapter extras).';
COMMENT ON COLUMN main.benchmark_runs.constraints IS 'Pins applied from pins.toml (e.g. numpy<1.24 for MXNet 1.x).';
COMMENT ON COLUMN main.benchmark_runs.env_key IS 'Hash identifying the cached environment.';
COMMENT ON COLUMN main.benchmark_runs.env_cached IS 'True when the environment came from the cache (install_s is then its original install time).';
COMMENT ON COLUMN main.benchmark_runs.installer IS 'uv or pip.';
COMMENT ON COLUMN main.benchmark_runs.install_s IS 'Seconds the environment took to create and install.';
COMMENT ON COLUMN main.benchmark_runs.env_bytes IS 'Size of the environment on disk (bytes).';
COMMENT ON COLUMN main.benchmark_runs.build_device IS 'Device the build ran on: cpu or cuda.';
COMMENT ON COLUMN main.benchmark_runs.build_cuda IS 'CUDA version (or provider) of the framework build; NULL for a CPU build.';
COMMENT ON COLUMN main.benchmark_runs.build_blas IS 'BLAS or math library the build uses (mkl, OpenBLAS, Eigen + oneDNN, XLA, MLAS).';
COMMENT ON COLUMN main.benchmark_runs.build IS 'Everything the adapter reported of the build (JSON): threads, MKL-DNN, devices, thread variables seen.';
COMMENT ON COLUMN main.benchmark_runs.packages IS 'Every package in the environment with its version (JSON).';
COMMENT ON COLUMN main.benchmark_runs.suite IS 'Benchmark suite: default or quick.';
COMMENT ON COLUMN main.benchmark_runs.device IS 'Device asked for: cpu or cuda.';
COMMENT ON COLUMN main.benchmark_runs.threads IS 'Threads every framework was pinned to.';
COMMENT ON COLUMN main.benchmark_runs.budget_s IS 'Seconds of timed repeats per case.';
COMMENT ON COLUMN main.benchmark_runs.dltrends_version IS 'dltrends version that ran.';
COMMENT ON COLUMN main.benchmark_runs.machine_id IS 'Hash of the hardware and OS facts: compare results only within one machine_id.';
COMMENT ON COLUMN main.benchmark_runs.host_id IS 'Hash of the host name (the name itself is not stored).';
COMMENT ON COLUMN main.benchmark_runs.cpu_model IS 'CPU model name.';
COMMENT ON COLUMN main.benchmark_runs.cpu_cores_logical IS 'Logical CPUs.';
COMMENT ON COLUMN main.benchmark_runs.cpu_cores_physical IS 'Physical cores (Linux); NULL where unknown.';
COMMENT ON COLUMN main.benchmark_runs.memory_bytes IS 'Physical memory (bytes).';
COMMENT ON COLUMN main.benchmark_runs.gpus IS 'GPUs from nvidia-smi, with their memory; empty without one.';
COMMENT ON COLUMN main.benchmark_runs.gpu_driver IS 'NVIDIA driver version; NULL without a GPU.';
COMMENT ON COLUMN main.benchmark_runs.os IS 'Operating system and kernel.';
COMMENT ON COLUMN main.benchmark_runs.machine IS 'CPU architecture (x86_64, arm64, ...).';
COMMENT ON COLUMN main.benchmark_runs.python_version IS 'Python version of every environment.';
COMMENT ON COLUMN main.benchmark_runs.python_implementation IS 'CPython, PyPy, ...';
COMMENT ON COLUMN main.benchmark_runs.blas_env IS 'Variables that change BLAS and threading behaviour as set when the run started (OPENBLAS_CORETYPE, OMP_*, MKL_*, ...), JSON.';
