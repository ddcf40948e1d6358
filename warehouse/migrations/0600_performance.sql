-- Performance: local benchmark runs (dltrends bench) and MLPerf results (source mlperf).

-- One row per `dltrends bench run`: when, with what, on which machine (the fingerprint).
CREATE TABLE core.bench_runs (
    run_id                VARCHAR PRIMARY KEY,   -- UUID of the run
    started_at            TIMESTAMPTZ NOT NULL,
    dltrends_version      VARCHAR,
    suite                 VARCHAR NOT NULL,
    device                VARCHAR NOT NULL,
    threads               INTEGER,
    budget_s              DOUBLE,
    case_timeout_s        DOUBLE,
    installer             VARCHAR,
    machine_id            VARCHAR NOT NULL,      -- hash of the hardware and OS facts
    host_id               VARCHAR,               -- hash of the host name (never the name)
    cpu_model             VARCHAR,
    cpu_cores_logical     INTEGER,
    cpu_cores_physical    INTEGER,
    memory_bytes          BIGINT,
    gpus                  VARCHAR[],
    gpu_driver            VARCHAR,
    os                    VARCHAR,
    machine               VARCHAR,
    python_version        VARCHAR,
    python_implementation VARCHAR,
    blas_env              JSON                   -- OPENBLAS_*, OMP_*, MKL_*, ... as found
);

-- One row per spec of a run: its environment and the framework build it ran.
CREATE TABLE core.bench_envs (
    run_id        VARCHAR NOT NULL,
    spec          VARCHAR NOT NULL,
    adapter       VARCHAR,
    framework     VARCHAR,
    package       VARCHAR,
    requirement   VARCHAR,
    version       VARCHAR,
    status        VARCHAR NOT NULL,   -- ok, bad_spec, not_installable, install_failed, import_failed
    error         VARCHAR,
    env_key       VARCHAR,
    env_cached    BOOLEAN,
    installer     VARCHAR,
    install_s     DOUBLE,
    env_bytes     BIGINT,
    requirements  VARCHAR[],
    constraints   VARCHAR[],
    packages      JSON,
    build         JSON,
    build_device  VARCHAR,
    build_cuda    VARCHAR,
    build_blas    VARCHAR,
    PRIMARY KEY (run_id, spec)
);

-- One row per benchmark case (and execution mode) per spec per run.
CREATE TABLE core.bench_results (
    run_id        VARCHAR NOT NULL,
    spec          VARCHAR NOT NULL,
    case_key      VARCHAR NOT NULL,   -- benchmark + parameters, e.g. matmul[n=1024]
    mode          VARCHAR NOT NULL,   -- eager, graph, jit, ... ('-' when no mode applies)
    benchmark     VARCHAR NOT NULL,
    params        JSON,
    framework     VARCHAR,
    version       VARCHAR,
    device        VARCHAR,
    dtype         VARCHAR,
    metric        VARCHAR,
    unit          VARCHAR,
    flops         BIGINT,
    status        VARCHAR NOT NULL,   -- ok, unsupported, error, crashed, timeout, or the spec's failure
    error         VARCHAR,
    n             INTEGER,
    calls_per_sample INTEGER,
    median        DOUBLE,
    q1            DOUBLE,
    q3            DOUBLE,
    iqr           DOUBLE,
    mean          DOUBLE,
    stdev         DOUBLE,
    cv            DOUBLE,
    noisy         BOOLEAN,
    min           DOUBLE,
    max           DOUBLE,
    samples       DOUBLE[],
    PRIMARY KEY (run_id, spec, case_key, mode)
);

-- Steps found over framework versions (derived from core.bench_results after each load).
CREATE TABLE core.bench_steps (
    machine_id    VARCHAR NOT NULL,
    framework     VARCHAR NOT NULL,
    package       VARCHAR NOT NULL,
    case_key      VARCHAR NOT NULL,
    mode          VARCHAR NOT NULL,
    device        VARCHAR NOT NULL,
    to_version    VARCHAR NOT NULL,
    benchmark     VARCHAR NOT NULL,
    from_version  VARCHAR NOT NULL,
    before_median DOUBLE NOT NULL,
    after_median  DOUBLE NOT NULL,
    change        DOUBLE NOT NULL,   -- after / before - 1
    noise         DOUBLE NOT NULL,   -- relative noise the change had to exceed
    kind          VARCHAR NOT NULL,  -- regression (slower) or improvement (faster)
    versions      INTEGER NOT NULL,  -- versions in the series
    PRIMARY KEY (machine_id, framework, package, case_key, mode, device, to_version)
);

-- MLPerf system descriptions (<submitter>/systems/<system>.json).
CREATE TABLE core.mlperf_systems (
    suite          VARCHAR NOT NULL,   -- training or inference
    round          VARCHAR NOT NULL,   -- v4.0, ...
    submitter      VARCHAR NOT NULL,
    system         VARCHAR NOT NULL,   -- file name without .json
    division       VARCHAR,
    system_name    VARCHAR,
    framework_text VARCHAR,            -- the free-text "framework" field as written
    framework_name VARCHAR,
    software_stack JSON,               -- other_software_stack: an object or a string
    accelerator    VARCHAR,
    accelerators_per_node INTEGER,
    nodes          INTEGER,
    host_processor VARCHAR,
    status         VARCHAR,
    path           VARCHAR NOT NULL,
    commit         VARCHAR,
    PRIMARY KEY (suite, round, submitter, system)
);

-- Each training run's time to train, from its MLLOG result log.
CREATE TABLE core.mlperf_runs (
    round          VARCHAR NOT NULL,
    submitter      VARCHAR NOT NULL,
    system         VARCHAR NOT NULL,
    benchmark      VARCHAR NOT NULL,
    run_file       VARCHAR NOT NULL,   -- result_N.txt
    run_start      TIMESTAMPTZ,
    run_stop       TIMESTAMPTZ,
    minutes        DOUBLE,             -- (run_stop - run_start) in minutes; NULL when not converged
    run_status     VARCHAR,            -- run_stop status ("success", "aborted") or missing
    division       VARCHAR,
    platform       VARCHAR,            -- submission_platform
    sysjson_framework VARCHAR,         -- :::SYSJSON "framework" of the log, when it has one
    PRIMARY KEY (round, submitter, system, benchmark, run_file)
);

-- One row per scored submission result: training from run logs or summaries, inference from summaries.
CREATE TABLE core.mlperf_results (
    suite            VARCHAR NOT NULL,
    round            VARCHAR NOT NULL,
    submitter        VARCHAR NOT NULL,
    system           VARCHAR NOT NULL,
    benchmark        VARCHAR NOT NULL,
    scenario         VARCHAR NOT NULL,  -- inference scenario; '-' for training
    score_source     VARCHAR NOT NULL,  -- result_logs or summary
    division         VARCHAR,
    score            DOUBLE,            -- minutes to train, or the inference result
    unit             VARCHAR,
    runs_counted     INTEGER,
    runs_failed      INTEGER,
    runs_required    INTEGER,
    scaling_factor   DOUBLE,
    score_note       VARCHAR,
    sysjson_framework VARCHAR,          -- evidence 1: the result log's own SYSJSON framework
    implementation   VARCHAR,           -- evidence 2: implementations/<folder> chosen for the system
    implementation_children VARCHAR[],
    summary_framework VARCHAR,          -- the summary file's framework text
    path             VARCHAR NOT NULL,
    commit           VARCHAR,
    -- attribution (derived from the evidence, the system JSON and the registry aliases)
    framework        VARCHAR,
    framework_version VARCHAR,
    engine           VARCHAR,
    attributed_from  VARCHAR,           -- sysjson, implementation, system_json, summary, or unmapped
    framework_evidence VARCHAR,         -- the raw text the attribution read
    PRIMARY KEY (suite, round, submitter, system, benchmark, scenario, score_source)
);
