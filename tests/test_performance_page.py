"""The Performance page on the recorded benchmark run and the MLPerf fixtures, and its empty states."""

from __future__ import annotations

from dltrends.registry import load_registry
from jobs.collect.run import collect
from tests.support.dashboard import open_app
from tests.support.settings import make_settings

PAGE = "app_pages/performance.py"


def test_performance_panels_show_the_recorded_data(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "en", PAGE, fw="jax", mlbench="llama2_70b_lora")
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader] == [
        "Suite across frameworks (latest measured version each) relative to NumPy",
        "One framework across its versions", "Steps between versions",
        "Fingerprint and environments of the latest run",
        "MLPerf: share of submission results by framework", "MLPerf: best time to train per round",
        "MLPerf results with no framework"]
    captions = [c.value for c in at.caption]
    assert "jax: versions measured on this machine: 0.8.3, 0.9.2, 0.10.2." in captions
    suite = at.dataframe[0].value
    assert set(suite["framework"]) == {"jax", "mxnet", "onnxruntime", "paddlepaddle", "pytorch",
                                       "tensorflow"}
    assert set(suite.loc[suite["framework"] == "jax", "version"]) == {"0.10.2"}  # the latest only
    assert set(suite.loc[suite["framework"] == "tensorflow", "mode"]) == {"eager", "graph", "-"}
    fingerprint = at.dataframe[2].value
    assert len(fingerprint) == 9 and set(fingerprint["status"]) == {"ok"}
    best = at.dataframe[3].value
    assert best[["round", "framework", "best_minutes"]].values.tolist() == [
        ["v5.1", "pytorch", 21.6307171586]]
    unmapped = at.dataframe[4].value
    assert {"TensorRT", "DGL"} <= set(unmapped["engine"])
    assert at.query_params["fw"] == "jax" and at.query_params["mlsuite"] == "training"


def test_the_filters_change_the_panels(collected_warehouse, monkeypatch):
    at = open_app(collected_warehouse, monkeypatch, "zh", PAGE, fw="tensorflow", mlsuite="inference")
    assert not at.exception
    assert "tensorflow：本机已测版本：2.21.0。" in [c.value for c in at.caption]
    # one version only: no steps can exist, and the page says so instead of an empty panel
    assert "tensorflow 已测版本之间没有超过实测噪声的阶跃。" in [c.value for c in at.caption]
    at.selectbox(key="_w_fw").set_value("pytorch").run()
    assert at.query_params["fw"] == "pytorch"


def test_empty_panels_name_the_commands(tmp_path, server, monkeypatch):
    reg = tmp_path / "reg.toml"
    reg.write_text('[frameworks.ghost]\nname = "Ghost"\npypi = ["nothing-here"]\n')
    cfg = make_settings(tmp_path, server, registry=reg)
    collect(cfg, load_registry(reg), ["pypi"])
    at = open_app(cfg.db, monkeypatch, "en", PAGE)
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any("dltrends bench run --spec torch==2.13.0" in i for i in infos)
    assert any("dltrends collect --source mlperf" in i for i in infos)
