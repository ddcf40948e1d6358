"""MLPerf: the MLLOG parser on the real result logs, olympic scoring, framework attribution on the
real system descriptions, and a collect against GitHub's API and raw host served by the fake server."""

from __future__ import annotations

import json

import pytest

from collectors.mlperf import extract_log, select
from dltrends.registry import load_registry
from dltrends.settings import default_registry_path
from jobs.collect.run import collect
from tests.support.db import query
from tests.support.fakeserver import status
from tests.support.mlperf import MLPERF, ROUNDS, mlperf_settings, serve_mlperf
from tests.support.settings import make_settings
from warehouse import mlperf_attribution as attribution
from warehouse.transforms.mlperf import olympic_score, parse_log, run_row

BERT = MLPERF / "training_v4.0_NVIDIA_results_eos_n8_ngc23.04_pytorch_bert_result_0.txt"
RESNET = MLPERF / "training_v4.0_NVIDIA_results_eos_n316_ngc24.04_mxnet_resnet_result_0.txt"


@pytest.fixture(scope="module")
def aliases() -> dict[str, list[str]]:
    """The shipped registry's aliases, as the warehouse holds them."""
    registry = load_registry(default_registry_path())
    return {fid: [fid, *fw.aliases] for fid, fw in registry.frameworks.items()}


def _run(path, system: str, benchmark: str) -> dict:
    result = {"submitter": "NVIDIA", "system": system, "benchmark": benchmark}
    return run_row("v4.0", result, {"file": "result_0.txt", "lines": extract_log(path.read_text())})


def test_time_to_train_from_the_two_real_mllog_files():
    bert = _run(BERT, "eos_n8_ngc23.04_pytorch", "bert")
    assert bert["run_start"].value // 1_000_000 == 1683423448955
    assert bert["run_stop"].value // 1_000_000 == 1683423505070
    assert bert["minutes"] == pytest.approx(56_115 / 60_000) and round(bert["minutes"], 2) == 0.94
    assert (bert["run_status"], bert["division"], bert["platform"]) == (
        "success", "closed", "8xNVIDIA DGX H100")
    assert bert["sysjson_framework"] == "PyTorch NVIDIA Release 23.04"
    resnet = _run(RESNET, "eos_n316_ngc24.04_mxnet", "resnet")
    assert resnet["minutes"] == pytest.approx(13_944 / 60_000) and round(resnet["minutes"], 2) == 0.23
    assert resnet["sysjson_framework"] == "MxNet NVIDIA Release 24.04"
    assert resnet["run_start"].isoformat() == "2024-04-27T20:53:32.601000+00:00"


def test_extract_keeps_one_sysjson_and_the_scored_events_only():
    kept = extract_log(RESNET.read_text()).splitlines()
    assert kept[0].startswith(":::SYSJSON") and sum(k.startswith(":::SYSJSON") for k in kept) == 1
    keys = [json.loads(k.removeprefix(":::MLLOG"))["key"] for k in kept[1:]]
    assert {"run_start", "run_stop", "submission_benchmark", "submission_platform"} <= set(keys)
    assert "eval_accuracy" not in keys and len(kept) < 12
    assert parse_log("\n".join(kept))["events"]["submission_benchmark"]["value"] == "resnet"


def test_a_run_without_a_successful_stop_has_no_time():
    text = BERT.read_text().replace('"status": "success"', '"status": "aborted"')
    row = run_row("v4.0", {"submitter": "N", "system": "s", "benchmark": "bert"},
                  {"file": "result_1.txt", "lines": extract_log(text)})
    assert row["minutes"] is None and row["run_status"] == "aborted"


def test_olympic_score_drops_fastest_and_slowest():
    assert olympic_score([10, 11, 12, 13, 50], 0, "resnet") == (12.0, None)
    # a non-converged run was already the slowest: only the fastest is dropped
    assert olympic_score([10.0, 11.0, 12.0, 13.0], 1, "resnet") == (12.0, None)
    unet = [float(m) for m in range(1, 41)]  # 40 runs: 4 fastest and 4 slowest dropped
    assert olympic_score(unet, 0, "unet3d") == (sum(range(5, 37)) / 32, None)
    score, why = olympic_score([10.0, 11.0, 12.0], 2, "bert")
    assert score is None and "2 runs did not converge" in why
    score, why = olympic_score([0.94], 0, "bert")
    assert score is None and "too few" in why


@pytest.mark.parametrize(("fixture", "framework", "version", "engine"), [
    ("training_v4.0_NVIDIA_systems_eos_n8_ngc24.04_pytorch.json", "pytorch", None, None),
    ("training_v4.0_NVIDIA_systems_eos_ngc24.04_mxnet.json", "mxnet", None, None),
    ("training_v4.0_Google_systems_cloud-tpu-v5p-1024-maxtext.json", "jax",
     "0.4.26.dev20240228+e079bb993", "MaxText"),
    ("training_v4.0_Intel-HabanaLabs_systems_HLS-Gaudi2-PT.json", "pytorch", "2.2.0", None),
    ("training_v5.1_AMD_systems_MI355X_EPYC_9575F_pytorch.json", "pytorch",
     "2.8.0.dev20251001+rocm7.0.0.git64359f59", None),
    ("inference_v4.1_closed_Google_systems_tpu_v6_x4_flax.json", "jax", "0.4.30", None),
])
def test_attribution_of_the_real_system_descriptions(aliases, fixture, framework, version, engine):
    system = json.loads((MLPERF / fixture).read_text())
    found = attribution.attribute([("system_json", system["framework"])], aliases,
                                  system.get("other_software_stack"))
    assert (found["framework"], found["framework_version"], found["engine"]) == (framework, version, engine)
    assert found["attributed_from"] == "system_json" and found["framework_evidence"] == system["framework"]


def test_a_text_naming_several_frameworks_or_only_an_engine_stays_unmapped(aliases):
    several = attribution.attribute([("summary", "NVIDIA PyTorch/MxNet/DGL")], aliases)
    assert several == {"framework": None, "attributed_from": "unmapped", "engine": "DGL",
                       "framework_evidence": "NVIDIA PyTorch/MxNet/DGL", "framework_version": None}
    engine = attribution.attribute([("summary", "TensorRT 10.2.0, CUDA 12.4")], aliases)
    assert (engine["framework"], engine["engine"], engine["attributed_from"]) == (
        None, "TensorRT", "unmapped")


def test_evidence_order_log_then_folder_then_system_json(aliases):
    system_text = "MXNet, PyTorch, Merlin HugeCTR, DGL NVIDIA Release 24.04"
    by_log = attribution.attribute([("sysjson", "MxNet NVIDIA Release 24.04"),
                                    ("implementation", "pytorch"), ("system_json", system_text)], aliases)
    assert (by_log["framework"], by_log["attributed_from"]) == ("mxnet", "sysjson")
    by_folder = attribution.attribute([("sysjson", None), ("implementation", "nemo"),
                                       ("system_json", system_text)], aliases)
    assert (by_folder["framework"], by_folder["engine"], by_folder["attributed_from"]) == (
        "pytorch", "NeMo", "implementation")
    hugectr = attribution.attribute([("implementation", "hugectr"), ("system_json", system_text)], aliases)
    assert (hugectr["framework"], hugectr["engine"]) == (None, "HugeCTR, DGL")


def test_the_implementation_folder_of_a_system():
    folders = {"pytorch": [], "mxnet": [], "hugectr": []}
    assert attribution.choose_implementation("eos_ngc24.04_mxnet", folders) == "mxnet"
    assert attribution.choose_implementation("eos_n8_ngc24.04_pytorch", folders) == "pytorch"
    assert attribution.choose_implementation("dgx_h100", folders) is None
    assert attribution.choose_implementation("tpu-v5p-1024", {"tpu-v5p": ["maxtext"]}) == "tpu-v5p"


def test_select_takes_only_the_files_it_parses():
    paths = [e["path"] for e in json.loads(
        (MLPERF / "github_tree_training_v4.0.synthetic.json").read_text())["tree"] if e["type"] == "blob"]
    wanted = select("training", paths)
    assert sorted(wanted["files"]) == sorted([
        "NVIDIA/systems/eos_n8_ngc24.04_pytorch.json", "NVIDIA/systems/eos_ngc24.04_mxnet.json",
        "Google/systems/cloud-tpu-v5p-1024-maxtext.json", "Intel-HabanaLabs/systems/HLS-Gaudi2-PT.json",
        "NVIDIA/results/eos_n8_ngc23.04_pytorch/bert/result_0.txt",
        "NVIDIA/results/eos_n316_ngc24.04_mxnet/resnet/result_0.txt",
        "NVIDIA/results/eos_ngc24.04_mxnet/unet3d/scaling.json"])
    assert wanted["implementations"][("NVIDIA", "gpt3", "nemo")] == []


def _collect(tmp_path, server):
    cfg = make_settings(tmp_path, server, **mlperf_settings(server))
    return cfg, collect(cfg, load_registry(cfg.registry), ["mlperf"])


def test_collect_mlperf_rounds_end_to_end(tmp_path, server):
    raw = serve_mlperf(server)
    cfg, result = _collect(tmp_path, server)
    [source] = result.sources
    assert (source.status, source.counts.items_ok, source.counts.items_failed) == ("ok", 3, 0)
    # per round: the head commit and one recursive tree from the API, then only the parsed files
    assert server.count() == 2 * len(ROUNDS) + len(raw)
    assert all(server.count(target) == 1 for target in raw)
    rows = query(cfg.db, "SELECT round, submitter, system, benchmark, scenario, round(score, 4), unit, "
                 "score_source, runs_counted, framework, framework_version, engine, attributed_from, "
                 "framework_evidence FROM mlperf_results ORDER BY ALL")
    assert ("v4.0", "NVIDIA", "eos_n8_ngc23.04_pytorch", "bert", "-", None, "minutes", "result_logs", 1,
            "pytorch", None, None, "sysjson", "PyTorch NVIDIA Release 23.04") in rows
    assert ("v5.1", "Quanta_Cloud_Technology", "D75T-7U", "llama2_70b_lora", "-", 21.6307, "minutes",
            "summary", None, "pytorch", None, None, "summary", "PyTorch") in rows
    assert ("v5.1", "Quanta_Cloud_Technology", "D74H-7U", "rgat", "-", 7.9356, "minutes", "summary", None,
            None, None, "DGL", "unmapped", "NVIDIA PyTorch/MxNet/DGL") in rows
    inference = [r for r in rows if r[0] == "v4.1"]
    assert len(inference) == 8 and {r[9] for r in inference} == {None}
    assert {r[11] for r in inference} == {"TensorRT"}
    note = query(cfg.db, "SELECT score_note, runs_required FROM mlperf_results WHERE benchmark = 'bert'")
    assert note == [("1 converged run(s): too few to drop 1 fastest and slowest; "
                     "1 of the 10 runs the rules require", 10)]
    runs = query(cfg.db, "SELECT benchmark, round(minutes, 2) FROM core.mlperf_runs ORDER BY 1")
    assert runs == [("bert", 0.94), ("resnet", 0.23)]
    systems = query(cfg.db, "SELECT count(*) FROM core.mlperf_systems")
    assert systems == [(6,)]


def test_second_collect_of_unchanged_rounds_asks_only_for_the_head_commits(tmp_path, server):
    serve_mlperf(server)
    cfg, _ = _collect(tmp_path, server)
    before = query(cfg.db, "SELECT * FROM mlperf_results ORDER BY ALL")
    server.reset_log()
    _, again = _collect(tmp_path, server)
    [source] = again.sources
    assert (source.counts.items_unchanged, source.counts.rows_written) == (3, 0)
    assert server.count() == len(ROUNDS)
    assert query(cfg.db, "SELECT * FROM mlperf_results ORDER BY ALL") == before


def test_a_file_that_fails_is_named_and_its_round_fetched_again(tmp_path, server):
    serve_mlperf(server)
    target = ("/raw/mlcommons/training_results_v4.0/62f111b7690f163b269f32e4f93dcaaa13717c9c/"
              "NVIDIA/results/eos_n316_ngc24.04_mxnet/resnet/result_0.txt")
    server.fail(target, *[status(404)] * 1)
    cfg, result = _collect(tmp_path, server)
    [source] = result.sources
    assert source.status == "partial" and "resnet/result_0.txt: HTTP 404" in source.error
    assert query(cfg.db, "SELECT count(*) FROM mlperf_results WHERE benchmark = 'resnet'") == [(0,)]
    _, again = _collect(tmp_path, server)  # no cursor was kept: the round is read again, whole
    assert again.sources[0].status == "ok"
    assert query(cfg.db, "SELECT framework FROM mlperf_results WHERE benchmark = 'resnet'") == [("mxnet",)]


def test_a_missing_round_repository_fails_that_round_only(tmp_path, server):
    serve_mlperf(server)
    cfg = make_settings(tmp_path, server, **(mlperf_settings(server) | {
        "mlperf_rounds": "training/v4.0,training/v9.9"}))
    result = collect(cfg, load_registry(cfg.registry), ["mlperf"])
    [source] = result.sources
    assert (source.status, source.counts.items_ok, source.counts.items_failed) == ("partial", 1, 1)
    assert "training/v9.9: no repository for training/v9.9 (HTTP 404)" in source.error


def test_head_commit_via_the_default_branch_when_head_is_not_resolved(tmp_path, server):
    serve_mlperf(server, {"training/v5.1": ROUNDS["training/v5.1"]})
    name = "/repos/mlcommons/training_results_v5.1"
    server.add(f"{name}/commits/HEAD", {"message": "No commit found for SHA: HEAD"}, status=422)
    server.add(name, {"full_name": "mlcommons/training_results_v5.1", "default_branch": "main"})
    server.add(f"{name}/commits/main", {"sha": ROUNDS["training/v5.1"]})
    cfg = make_settings(tmp_path, server, **(mlperf_settings(server) | {"mlperf_rounds": "training/v5.1"}))
    result = collect(cfg, load_registry(cfg.registry), ["mlperf"])
    assert result.sources[0].status == "ok"
    assert server.count(f"{name}/commits/main") == 1
    assert query(cfg.db, "SELECT count(*) FROM mlperf_results WHERE round = 'v5.1'") == [(5,)]
