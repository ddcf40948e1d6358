"""The health score and the framework advisor: every component, its weight and its evidence shown.

Both take one row of facts per framework (a DataFrame indexed by framework id) built from the
public views by the caller. A fact that is missing (NaN/None) leaves its component out and the
remaining weights are renormalised; the result says which components had data. Nothing is guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

LIFECYCLE = {"active": 1.0, "maintenance": 0.4, "archived": 0.1, "retired": 0.0}

HEALTH_WEIGHTS = {
    "lifecycle": 0.25, "release_recency": 0.20, "cadence_trend": 0.15,
    "close_time_trend": 0.15, "bus_factor": 0.15, "advisories": 0.10,
}
ADVISOR_WEIGHTS = {
    "adoption": 0.25, "momentum": 0.15, "community": 0.15, "performance": 0.10,
    "stability": 0.10, "outlook": 0.15, "deployment": 0.10,
}


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at `good` or better, 0 at `bad` or worse, linear between (works in either direction)."""
    if good == bad:
        return 1.0 if value == good else 0.0
    t = (value - good) / (bad - good)
    return float(min(1.0, max(0.0, 1.0 - t)))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# Health components: fact -> 0..1, with the rule shown to users next to the score.
HEALTH_RULES = {
    "lifecycle": ("status", lambda s: LIFECYCLE.get(s), "active 1, maintenance 0.4, archived 0.1, retired 0"),
    "release_recency": ("days_since_release", lambda d: _ramp(d, 90, 730),
                        "1 if the last final release is at most 90 days old, 0 at 2 years"),
    "cadence_trend": ("cadence_ratio", lambda r: _ramp(r, 1.0, 3.0),
                      "median gap of the last 4 minor releases / the 4 before: 1 if not slower, 0 at 3x"),
    "close_time_trend": ("close_time_ratio", lambda r: _ramp(r, 1.0, 3.0),
                         "median days to close an issue, last 6 months / the 6 before: 0 at 3x slower"),
    "bus_factor": ("bus_factor", lambda b: _ramp(b, 5, 1) * 0.8 + 0.2 if b >= 1 else 0.0,
                   "fewest authors making half the commits: 1 author 0.2, 5 or more 1"),
    "advisories": ("open_vulnerabilities", lambda n: _ramp(n, 0, 3),
                   "known vulnerabilities on the latest release: none 1, three or more 0"),
}


@dataclass
class Score:
    """A weighted score with every component: name -> (raw value, 0..1 score, weight used)."""

    total: float | None
    components: dict[str, tuple[object, float | None, float]] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        """Share of the configured weight that had data."""
        return sum(w for _, s, w in self.components.values() if s is not None)


def health(facts: pd.Series, weights: dict[str, float] | None = None) -> Score:
    """The health score (0..100) of one framework from its facts row."""
    weights = weights or HEALTH_WEIGHTS
    parts = {}
    for name, weight in weights.items():
        column, rule, _ = HEALTH_RULES[name]
        raw = facts.get(column)
        parts[name] = (raw, None if _missing(raw) else rule(raw), weight)
    return Score(_weighted(parts), parts)


def _weighted(parts: dict[str, tuple[object, float | None, float]]) -> float | None:
    known = [(s, w) for _, s, w in parts.values() if s is not None and w > 0]
    total_weight = sum(w for _, w in known)
    if not total_weight:
        return None
    return round(100 * sum(s * w for s, w in known) / total_weight, 1)


TARGETS = ("server", "desktop", "mobile", "edge", "browser", "embedded")
CRITERIA_RULES = {
    "adoption": "adoption index (weighted shares of downloads, stars, authors, Hub models), "
                "scaled from the lowest (0) to the highest (1) framework",
    "momentum": "90-day growth of each signal, each scaled lowest 0 to highest 1, averaged over "
                "the signals a framework has",
    "community": "mean of: issue close time trend (health rule), bus factor (health rule), "
                 "active authors scaled lowest 0 to highest 1",
    "performance": "speed-up over NumPy on this machine's benchmark suite (geometric mean), "
                   "scaled on a log scale lowest 0 to highest 1",
    "stability": "mean of: breaking changes per release scaled fewest 1 to most 0, and the release "
                 "cadence trend (health rule)",
    "outlook": "lifecycle status: active 1, maintenance 0.4, archived 0.1, retired 0",
    "deployment": "share of the required targets the curated list names (all six targets when "
                  "none is required)",
}


@dataclass
class Advice:
    framework: str
    score: float | None
    rank: int | None
    criteria: dict[str, tuple[object, float | None, float]]
    risks: list[str]
    coverage: float
    missing_targets: list[str] = field(default_factory=list)
    unranked: str | None = None  # why it has no rank: "targets" or "evidence"

    def points(self) -> dict[str, float | None]:
        """Points each criterion adds to the score (None without data): its score times its
        weight, the weights of the criteria with data summing to 100 (before a switching bonus)."""
        known = sum(w for _, s, w in self.criteria.values() if s is not None) or 1
        return {name: None if score is None else 100 * score * weight / known
                for name, (_, score, weight) in self.criteria.items()}


MIN_COVERAGE = 0.5


def advise(facts: pd.DataFrame, weights: dict[str, float] | None = None,
           targets: list[str] | None = None, current: str | None = None,
           switching_bonus: float = 0.1, required: bool = False,
           min_coverage: float = MIN_COVERAGE) -> list[Advice]:
    """Rank frameworks by the weighted criteria; `current` gets `switching_bonus` (0..1 of the
    total) for the cost of switching away from it. Criteria scores are relative to the best
    framework in `facts`, so the ranking compares like with like. A framework whose criteria
    with data carry less than `min_coverage` of the weight is not ranked (a score from one or
    two criteria would outrank better-known frameworks); with `required`, neither is one whose
    curated deployment list lacks one of `targets` (an uncurated one is ranked and flagged).
    Unranked frameworks come last with their partial score and the reason."""
    weights = {k: v for k, v in (weights or ADVISOR_WEIGHTS).items() if v > 0}
    targets = targets or []
    criteria = _criteria(facts, targets)
    results = []
    for fid in facts.index:
        parts = {name: (criteria[name][1].get(fid), criteria[name][0].get(fid), w)
                 for name, w in weights.items()}
        parts = {k: (raw, None if _missing(s) else float(s), w) for k, (raw, s, w) in parts.items()}
        total = _weighted(parts)
        if total is not None and fid == current:
            total = round(min(100.0, total + 100 * switching_bonus), 1)
        coverage = sum(w for _, s, w in parts.values() if s is not None) / (sum(weights.values()) or 1)
        missing = _missing_targets(facts.loc[fid].get("deployment"), targets)
        flags = risks(facts.loc[fid], targets)
        results.append(Advice(fid, total, None, parts, flags, round(coverage, 2), missing))
    for advice in results:
        if required and advice.missing_targets:
            advice.unranked = "targets"
        elif advice.score is None or advice.coverage < min_coverage:
            advice.unranked = "evidence"
    ranked = sorted((a for a in results if a.unranked is None), key=lambda a: -a.score)
    for i, advice in enumerate(ranked, start=1):
        advice.rank = i
    rest = sorted((a for a in results if a.unranked), key=lambda a: (a.unranked, -(a.score or 0)))
    return ranked + rest


def _criteria(facts: pd.DataFrame, targets: list[str]) -> dict[str, tuple[dict, dict]]:
    """criterion -> (framework -> 0..1 score, framework -> raw evidence)."""
    def col(name: str) -> pd.Series:
        if name not in facts:
            return pd.Series(float("nan"), index=facts.index)
        return pd.to_numeric(facts[name], errors="coerce").astype(float)

    if "adoption_index" in facts:
        adoption = col("adoption_index")
    else:  # facts without an index: downloads and Hub shares added
        adoption = col("download_share").fillna(0) + col("hub_model_share").fillna(0)
        adoption[col("download_share").isna() & col("hub_model_share").isna()] = float("nan")
    growth_columns = [c for c in MOMENTUM_GROWTH if c in facts]
    momentum = _mean_of([_relative(col(c)) for c in growth_columns], facts.index)
    community = _mean_of([_rule(facts, "close_time_trend"), _rule(facts, "bus_factor"),
                          _relative(col("active_authors"))], facts.index)
    stability = _mean_of([_relative(col("breaking_per_release"), higher_is_better=False),
                          _rule(facts, "cadence_trend")], facts.index)
    speed = col("speed_vs_numpy")
    deployment = pd.Series({fid: _deployment(facts.loc[fid].get("deployment"), targets)
                            for fid in facts.index}, dtype=float)
    status = facts["status"] if "status" in facts else pd.Series(None, index=facts.index)
    return {
        "adoption": (_relative(adoption), adoption.to_dict()),
        "momentum": (momentum, _evidence(facts, growth_columns)),
        "community": (community, _evidence(facts, ["close_time_ratio", "bus_factor", "active_authors"])),
        "performance": (_relative(np.log(speed.where(speed > 0))), speed.to_dict()),
        "stability": (stability, _evidence(facts, ["breaking_per_release", "cadence_ratio"])),
        "outlook": (status.map(LIFECYCLE).dropna().to_dict(), status.to_dict()),
        "deployment": (deployment.dropna().to_dict(),
                       facts["deployment"].to_dict() if "deployment" in facts else {}),
    }


MOMENTUM_GROWTH = ("growth_90d", "stars_growth_90d", "authors_growth_90d", "hub_models_growth_90d")


def _relative(values: pd.Series, higher_is_better: bool = True) -> dict:
    """Scaled so the lowest framework is 0 and the highest 1 (all 1 when they are equal)."""
    s = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan)
    if s.dropna().empty:
        return {}
    lo, hi = s.min(), s.max()
    scaled = (s - lo) / (hi - lo) if hi > lo else s * 0 + 1
    return (scaled if higher_is_better else 1 - scaled).dropna().to_dict()


def _rule(facts: pd.DataFrame, component: str) -> dict:
    """A health rule applied to every framework that has its fact."""
    column, rule, _ = HEALTH_RULES[component]
    if column not in facts:
        return {}
    return {fid: rule(v) for fid, v in facts[column].items() if not _missing(v)}


def _mean_of(parts: list[dict], index: pd.Index) -> dict:
    out = {}
    for fid in index:
        values = [p[fid] for p in parts if fid in p and not _missing(p[fid])]
        if values:
            out[fid] = float(np.mean(values))
    return out


def _evidence(facts: pd.DataFrame, columns: list[str]) -> dict:
    """framework -> {fact: value} of the facts a criterion read (missing ones as None)."""
    present = [c for c in columns if c in facts]
    return {fid: {c: (None if _missing(facts.loc[fid, c]) else facts.loc[fid, c]) for c in present}
            for fid in facts.index}


def _deployment(supported: object, targets: list[str]) -> float:
    if not isinstance(supported, list | tuple | np.ndarray) or not len(supported):
        return float("nan")  # not curated: unknown, not zero
    wanted = targets or list(TARGETS)
    return sum(t in supported for t in wanted) / len(wanted)


def _missing_targets(supported: object, targets: list[str]) -> list[str]:
    if not targets or not isinstance(supported, list | tuple | np.ndarray) or not len(supported):
        return []
    return [t for t in targets if t not in supported]


def risks(facts: pd.Series, targets: list[str] | None = None) -> list[str]:
    """Risk flags (keys for the UI strings), each backed by the fact that raised it."""
    flags = []
    status = facts.get("status")
    if status in ("retired", "archived"):
        flags.append("retired")
    elif status == "maintenance":
        flags.append("maintenance")
    growth = facts.get("growth_90d")
    if not _missing(growth) and growth < -0.1:
        flags.append("slowing")
    bus = facts.get("bus_factor")
    if not _missing(bus) and bus <= 1:
        flags.append("single_maintainer")
    advisories = facts.get("open_vulnerabilities")
    if not _missing(advisories) and advisories > 0:
        flags.append("advisories")
    days = facts.get("days_since_release")
    if not _missing(days) and days > 365:
        flags.append("stale_releases")
    if _missing_targets(facts.get("deployment"), targets or []):
        flags.append("missing_target")
    return flags
