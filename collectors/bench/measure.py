"""Timing and its statistics: warm-up, repeats until a time budget, median, IQR and CV.

Standard library only (it also runs inside each framework's isolated environment).

`run(step, ...)` calls `step()` (which must finish its work before returning: adapters block on
JAX arrays, synchronise CUDA, and so on) first for a warm-up period, then repeatedly until the time
budget is spent and at least `min_repeats` samples exist. A step much shorter than
`min_sample_s` is called `number` times per sample (like timeit's autorange) and the sample is the
mean per call, so the clock's resolution and the loop's overhead stay negligible.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

HIGH_CV = 0.10  # a coefficient of variation above this marks the result as noisy


@dataclass(frozen=True)
class Stats:
    """Summary of timing samples (seconds)."""

    n: int
    median: float
    q1: float
    q3: float
    iqr: float
    mean: float
    stdev: float
    cv: float
    min: float
    max: float
    noisy: bool


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default method)."""
    if not sorted_values:
        raise ValueError("no samples")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(samples: list[float], high_cv: float = HIGH_CV) -> Stats:
    """Median, quartiles, IQR, mean, standard deviation and CV of the samples."""
    values = sorted(samples)
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values) if len(values) > 1 else 0.0
    cv = stdev / mean if mean > 0 else 0.0
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return Stats(n=len(values), median=quantile(values, 0.5), q1=q1, q3=q3, iqr=q3 - q1,
                 mean=mean, stdev=stdev, cv=cv, min=values[0], max=values[-1], noisy=cv > high_cv)


@dataclass
class Measurement:
    samples: list[float]
    number: int  # calls per sample
    warmup_calls: int


def run(step: Callable[[], object], *, budget_s: float = 2.0, warmup_s: float = 0.3,
        min_repeats: int = 5, max_repeats: int = 2000, min_sample_s: float = 0.005,
        clock: Callable[[], float] = time.perf_counter) -> Measurement:
    """Warm up, then sample `step` until `budget_s` is spent (and at least `min_repeats` times)."""
    warmup_calls, single = _warm_up(step, warmup_s, clock)
    number = max(1, math.ceil(min_sample_s / single)) if single > 0 else 1
    samples: list[float] = []
    started = clock()
    while len(samples) < max_repeats and (len(samples) < min_repeats
                                          or clock() - started < budget_s):
        t0 = clock()
        for _ in range(number):
            step()
        samples.append((clock() - t0) / number)
    return Measurement(samples, number, warmup_calls)


def _warm_up(step: Callable[[], object], warmup_s: float, clock: Callable[[], float]
             ) -> tuple[int, float]:
    """At least two calls (the first one compiles, allocates, fills caches); returns the
    number of calls and the fastest single call."""
    calls, fastest = 0, math.inf
    started = clock()
    while calls < 2 or clock() - started < warmup_s:
        t0 = clock()
        step()
        fastest = min(fastest, clock() - t0)
        calls += 1
    return calls, fastest
