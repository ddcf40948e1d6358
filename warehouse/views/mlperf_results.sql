CREATE OR REPLACE VIEW main.mlperf_results AS
SELECT r.suite, r.round, r.division, r.submitter, r.system, s.system_name, r.benchmark, r.scenario,
       r.score, r.unit, r.score_source, r.runs_counted, r.runs_failed, r.runs_required,
       r.scaling_factor, r.score_note, r.framework, r.framework_version, r.engine,
       r.attributed_from, r.framework_evidence, r.sysjson_framework, r.implementation,
       s.framework_text AS system_framework, r.summary_framework, s.accelerator,
       s.nodes * s.accelerators_per_node AS accelerators, r.path, r.commit,
       'https://github.com/mlcommons/' || r.suite || '_results_' || r.round || '/tree/' || r.commit
           || '/' || r.path AS source_url
FROM core.mlperf_results r
LEFT JOIN core.mlperf_systems s USING (suite, round, submitter, system)
QUALIFY row_number() OVER (PARTITION BY r.suite, r.round, r.submitter, r.system, r.benchmark, r.scenario
                           ORDER BY (r.score_source = 'result_logs') DESC) = 1;

COMMENT ON VIEW main.mlperf_results IS 'One row per MLPerf submission result (round, submitter, system, benchmark, scenario) with the framework it ran on and the evidence for it. Training scores are computed from the MLLOG result logs (olympic average of the runs'' times to train, as MLCommons scores them); rows with no logs come from the submitters'' summary files. Source: the mlcommons/<suite>_results_<round> repositories on GitHub.';
COMMENT ON COLUMN main.mlperf_results.suite IS 'training or inference.';
COMMENT ON COLUMN main.mlperf_results.round IS 'MLPerf round, e.g. v4.0.';
COMMENT ON COLUMN main.mlperf_results.division IS 'closed or open (network for inference where used).';
COMMENT ON COLUMN main.mlperf_results.submitter IS 'Submitting organisation as its folder is named (inference: division/submitter).';
COMMENT ON COLUMN main.mlperf_results.system IS 'System folder / system description file name.';
COMMENT ON COLUMN main.mlperf_results.system_name IS 'system_name from the system description.';
COMMENT ON COLUMN main.mlperf_results.benchmark IS 'Benchmark (training) or model (inference).';
COMMENT ON COLUMN main.mlperf_results.scenario IS 'Inference scenario (Offline, Server, SingleStream, ...); - for training.';
COMMENT ON COLUMN main.mlperf_results.score IS 'Training: minutes to train (lower is better). Inference: the result in unit (higher is better for throughput).';
COMMENT ON COLUMN main.mlperf_results.unit IS 'minutes, Samples/s, Queries/s, ...';
COMMENT ON COLUMN main.mlperf_results.score_source IS 'result_logs (computed from the MLLOG logs) or summary (the submitter''s summary file).';
COMMENT ON COLUMN main.mlperf_results.runs_counted IS 'Converged runs (training from logs).';
COMMENT ON COLUMN main.mlperf_results.runs_failed IS 'Runs without a successful run_stop (dropped as slowest).';
COMMENT ON COLUMN main.mlperf_results.runs_required IS 'Runs the rules require for the benchmark; NULL where dltrends does not know.';
COMMENT ON COLUMN main.mlperf_results.scaling_factor IS 'Review committee''s scaling.json factor applied to the score (1 when none).';
COMMENT ON COLUMN main.mlperf_results.score_note IS 'Why a score is missing or incomplete.';
COMMENT ON COLUMN main.mlperf_results.framework IS 'Registry id of the framework the result ran on; NULL when the evidence names none (see framework_evidence).';
COMMENT ON COLUMN main.mlperf_results.framework_version IS 'Framework version when the evidence or the software stack states one (JAX for maxtext/flax from other_software_stack).';
COMMENT ON COLUMN main.mlperf_results.engine IS 'Engine or library named besides the framework: NeMo, DGL, Megatron (on PyTorch), MaxText (on JAX), HugeCTR, TensorRT (engines, not tracked frameworks).';
COMMENT ON COLUMN main.mlperf_results.attributed_from IS 'Which evidence decided: sysjson (the log''s own), implementation (folder name), system_json, summary; unmapped when none named exactly one framework.';
COMMENT ON COLUMN main.mlperf_results.framework_evidence IS 'The raw text the attribution read (or, when unmapped, the first text there was).';
COMMENT ON COLUMN main.mlperf_results.sysjson_framework IS 'framework from the result log''s :::SYSJSON line.';
COMMENT ON COLUMN main.mlperf_results.implementation IS 'implementations/<folder> chosen for the system; NULL when the submitter''s folders do not decide.';
COMMENT ON COLUMN main.mlperf_results.system_framework IS 'The system description''s free-text framework field.';
COMMENT ON COLUMN main.mlperf_results.summary_framework IS 'The summary file''s framework column.';
COMMENT ON COLUMN main.mlperf_results.accelerator IS 'Accelerator model.';
COMMENT ON COLUMN main.mlperf_results.accelerators IS 'Accelerators in the system (nodes x accelerators per node).';
COMMENT ON COLUMN main.mlperf_results.path IS 'Folder or file in the round''s repository.';
COMMENT ON COLUMN main.mlperf_results.commit IS 'Commit of the round repository that was read.';
COMMENT ON COLUMN main.mlperf_results.source_url IS 'Link to the files on GitHub at that commit.';
