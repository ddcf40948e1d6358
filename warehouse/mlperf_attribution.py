"""Which framework an MLPerf result ran on, with the evidence kept.

The evidence is read in this order, and the first that names exactly one tracked framework wins:

1. ``sysjson``: the result log's own `:::SYSJSON` "framework" (NVIDIA's logs carry one, e.g.
   "PyTorch NVIDIA Release 23.04");
2. ``implementation``: the submitter's folder `<submitter>/benchmarks/<benchmark>/implementations/
   <folder>` used for the system (folders are named pytorch, mxnet, maxtext, nemo, hugectr, ...;
   a folder named after a system is looked into: its sub-folder names);
3. ``system_json``: the system description's free-text "framework", which often lists several
   frameworks for one system ("MXNet, PyTorch, Merlin HugeCTR, DGL") and then decides nothing;
4. ``summary``: a summary file's framework column (the same text, for rows with no logs).

Names map to registry ids through each framework's `aliases` (so "maxtext" and "flax" are JAX).
Engines are recorded apart: NeMo, Megatron, DGL and DeepSpeed run on PyTorch and so attribute
to it; HugeCTR, TensorRT, OpenVINO and the like are engines, not tracked frameworks. What names no
framework stays NULL (`attributed_from` = unmapped) with its raw text in `framework_evidence`.
"""

from __future__ import annotations

import json
import re

import duckdb
import pandas as pd

from warehouse.store import upsert

# engine name (lower case) -> (display name, the framework it runs on, or None)
ENGINES = {
    "nemo": ("NeMo", "pytorch"), "megatron": ("Megatron", "pytorch"),
    "megatron-lm": ("Megatron", "pytorch"), "megatron_lm": ("Megatron", "pytorch"),
    "dgl": ("DGL", "pytorch"), "deepspeed": ("DeepSpeed", "pytorch"),
    "hugectr": ("HugeCTR", None), "tensorrt": ("TensorRT", None), "tensorrt-llm": ("TensorRT-LLM", None),
    "trt": ("TensorRT", None), "openvino": ("OpenVINO", None), "vllm": ("vLLM", "pytorch"),
    "paxml": ("Pax", "jax"), "pax": ("Pax", "jax"), "maxtext": ("MaxText", "jax"),
}
VERSION = r"v?(\d+(?:\.\d+)+(?:[\w.+-]*\w)?)"


def normalise(text: str) -> str:
    """Lower case, separators as single spaces: 'PyTorch/MxNet/DGL' -> ' pytorch mxnet dgl '."""
    return " " + re.sub(r"[\s/,;:()_]+", " ", text.lower()).strip() + " "


def mentions(text: str, aliases: dict[str, list[str]]) -> tuple[set[str], list[str]]:
    """Frameworks (registry ids) and engines named in the text."""
    norm = normalise(text)
    frameworks = {fid for fid, names in aliases.items()
                  if any(f" {normalise(n).strip()} " in norm for n in names if n.strip())}
    engines = [name for key, (name, _) in ENGINES.items() if f" {key} " in norm]
    for key, (_, host) in ENGINES.items():
        if host and f" {key} " in norm:
            frameworks.add(host)
    return frameworks, list(dict.fromkeys(engines))


def choose_implementation(system: str, implementations: dict[str, list[str]]) -> str | None:
    """The implementation folder of a system: the only one, or the one whose name is a token of
    the system's name (eos_ngc24.04_mxnet -> mxnet); None when that does not decide."""
    if len(implementations) == 1:
        return next(iter(implementations))
    tokens = set(normalise(system).split())
    matches = [name for name in implementations if name.lower() in tokens]
    return matches[0] if len(matches) == 1 else None


def attribute(evidence: list[tuple[str, str | None]], aliases: dict[str, list[str]],
              software_stack: object = None) -> dict:
    """The first evidence (level, text) naming exactly one framework decides; engines are kept."""
    engines: list[str] = []
    for level, text in evidence:
        if not text:
            continue
        frameworks, found = mentions(text, aliases)
        engines += [e for e in found if e not in engines]
        if len(frameworks) == 1:
            framework = next(iter(frameworks))
            return {"framework": framework, "attributed_from": level, "framework_evidence": text,
                    "engine": ", ".join(engines) or None,
                    "framework_version": version_of(framework, text, aliases, software_stack)}
    raw = next((t for _, t in evidence if t), None)
    return {"framework": None, "attributed_from": "unmapped", "framework_evidence": raw,
            "engine": ", ".join(engines) or None, "framework_version": None}


def version_of(framework: str, text: str, aliases: dict[str, list[str]], stack: object) -> str | None:
    """'PyTorch 2.2.0' -> 2.2.0; for JAX via maxtext/flax the version in the software stack."""
    others = sorted(set(aliases.get(framework, [])) - {framework}, key=len, reverse=True)
    names = [framework, *others]  # the id first: "flax==0.8.5, jax[tpu]==0.4.30" is JAX 0.4.30
    for name in names:
        match = re.search(rf"\b{re.escape(name)}\b(?:\[[^\]]*\])?\s*(?:==|\s)\s*{VERSION}", text, re.I)
        if match:
            return match.group(1)
    items = stack.items() if isinstance(stack, dict) else [("", stack)] if isinstance(stack, str) else []
    for key, value in items:
        for name in names:
            if key.strip().lower() == name.lower() and isinstance(value, str):
                found = re.search(VERSION, value)
                if found:
                    return found.group(1)
            if isinstance(value, str):
                found = re.search(rf"\b{re.escape(name)}(?:\[[^\]]*\])?=={VERSION}", value, re.I)
                if found:
                    return found.group(1)
    return None


def registry_aliases(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("SELECT framework, aliases FROM core.frameworks").fetchall()
    return {fid: [fid, *(names or [])] for fid, names in rows}


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute the attribution columns of every core.mlperf_results row; returns rows changed."""
    aliases = registry_aliases(con)
    cursor = con.execute(
        """
        SELECT r.suite, r.round, r.submitter, r.system, r.benchmark, r.scenario, r.score_source,
               r.sysjson_framework, r.implementation, r.implementation_children, r.summary_framework,
               s.framework_text, s.software_stack
        FROM core.mlperf_results r
        LEFT JOIN core.mlperf_systems s USING (suite, round, submitter, system)
        """
    )
    names = [d[0] for d in cursor.description]
    records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]  # None stays None
    rows = []
    for r in records:
        impl = r["implementation"]
        children = list(r["implementation_children"] or [])
        if impl and not mentions(impl, aliases)[0] and children:
            impl = f"{impl} ({', '.join(children)})"  # a folder named after a system: look inside
        stack = json.loads(r["software_stack"]) if isinstance(r["software_stack"], str) else None
        result = attribute([("sysjson", r["sysjson_framework"]), ("implementation", impl),
                            ("system_json", r["framework_text"]), ("summary", r["summary_framework"])],
                           aliases, stack)
        rows.append({k: r[k] for k in ("suite", "round", "submitter", "system", "benchmark",
                                       "scenario", "score_source")} | result)
    if not rows:
        return 0
    return upsert(con, "core.mlperf_results", pd.DataFrame(rows))
