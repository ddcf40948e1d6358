"""Serve the MLPerf fixtures the way GitHub does: API (head commit, recursive tree) and raw files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.fakeserver import FIXTURES, FakeServer

MLPERF = FIXTURES / "mlperf"
ROUNDS = {  # round -> (commit recorded in tests/fixtures/README.md, synthetic tree listing)
    "training/v4.0": "62f111b7690f163b269f32e4f93dcaaa13717c9c",
    "training/v5.1": "4da2d1cd71eb30c855dad12712480ae5ac90dd89",
    "inference/v4.1": "a2f5d66d17e8f75c02fd74dfe810ecca6a046696",
}
RENAMED = {"inference/v4.1/closed/GigaComputing/summary.csv":
           "inference_v4.1_closed_GigaComputing_summary_8of26rows.csv"}


def repo(round_key: str) -> str:
    suite, version = round_key.split("/")
    return f"mlcommons/{suite}_results_{version}"


def tree(round_key: str) -> dict:
    return json.loads((MLPERF / f"github_tree_{round_key.replace('/', '_')}.synthetic.json").read_text())


def fixture_for(round_key: str, path: str) -> Path | None:
    name = RENAMED.get(f"{round_key}/{path}") or f"{round_key.replace('/', '_')}_{path.replace('/', '_')}"
    candidate = MLPERF / name
    return candidate if candidate.exists() else None


def serve_mlperf(server: FakeServer, rounds: dict[str, str] = ROUNDS) -> list[str]:
    """Routes for every round; returns the raw paths served (the files a collect downloads)."""
    served = []
    for round_key, commit in rounds.items():
        name = repo(round_key)
        server.add(f"/repos/{name}/commits/HEAD", {"sha": commit, "commit": {"message": "synthetic"}})
        server.add(f"/repos/{name}/git/trees/{commit}?recursive=1", tree(round_key))
        for entry in tree(round_key)["tree"]:
            path = fixture_for(round_key, entry["path"]) if entry["type"] == "blob" else None
            if path:
                target = f"/raw/{name}/{commit}/{entry['path']}"
                server.add_file(target, path, content_type="text/plain; charset=utf-8")
                served.append(target)
    return served


def mlperf_settings(server: FakeServer) -> dict:
    return {"mlperf_api_url": server.url, "mlperf_raw_url": server.url + "/raw",
            "mlperf_rounds": ",".join(ROUNDS)}
