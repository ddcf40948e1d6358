"""The benchmark suite, defined once: every framework adapter runs these exact cases.

Standard library only: this module is also loaded by the worker inside each framework's isolated
environment, where dltrends itself is not installed.

A case is a plain dict (it crosses the process boundary as JSON):

- ``benchmark``: the workload (matmul, conv2d_forward, conv2d_train, mlp_train_step,
  transformer_train, import_time);
- ``params``: its shapes, identical for every framework;
- ``dtype``, ``metric`` ("time" per iteration or per import) and ``unit`` ("s");
- ``flops``: floating-point operations of one iteration, counted from the shapes (multiply-adds
  of the matrix products and convolutions, times 2; a backward pass counts twice its forward),
  the same number for every framework, so GFLOP/s compare across frameworks;
- ``key``: a stable text id of benchmark + params, used as the result's key.

Layouts follow each framework's native convention (NCHW for PyTorch, NHWC for TensorFlow's CPU
kernels); the logical shapes, dtypes and operation counts do not change.
"""

from __future__ import annotations

DTYPE = "float32"


def _case(benchmark: str, params: dict, flops: int | None, metric: str = "time") -> dict:
    return {
        "benchmark": benchmark,
        "params": params,
        "dtype": DTYPE if benchmark != "import_time" else None,
        "metric": metric,
        "unit": "s",
        "flops": flops,
        "key": case_key(benchmark, params),
    }


def case_key(benchmark: str, params: dict) -> str:
    """`matmul[n=1024]`: stable and readable, sorted parameters."""
    inner = ",".join(f"{k}={params[k]}" for k in sorted(params))
    return f"{benchmark}[{inner}]" if inner else benchmark


def matmul(n: int) -> dict:
    return _case("matmul", {"n": n}, 2 * n**3)


def conv2d_flops(batch: int, in_ch: int, out_ch: int, size: int, kernel: int) -> int:
    """A same-padded, stride-1 convolution: one multiply-add per output element per tap."""
    return 2 * batch * out_ch * size * size * in_ch * kernel * kernel


CONV = {"batch": 8, "in_ch": 32, "out_ch": 64, "size": 56, "kernel": 3}
MLP = {"batch": 64, "layers": "784-512-512-10"}
TRANSFORMER = {"batch": 8, "seq": 128, "d_model": 256, "heads": 4, "ffn": 1024}


def mlp_sizes(params: dict) -> list[int]:
    return [int(x) for x in str(params["layers"]).split("-")]


def mlp_forward_flops(params: dict) -> int:
    sizes = mlp_sizes(params)
    return sum(2 * params["batch"] * a * b for a, b in zip(sizes, sizes[1:], strict=False))


def transformer_forward_flops(p: dict) -> int:
    """Projections (Q, K, V, output), attention scores and weighted sum, the two FFN layers."""
    tokens = p["batch"] * p["seq"]
    d = p["d_model"]
    projections = 4 * 2 * tokens * d * d
    attention = 2 * 2 * p["batch"] * p["seq"] * p["seq"] * d
    ffn = 2 * 2 * tokens * d * p["ffn"]
    return projections + attention + ffn


def default_suite() -> list[dict]:
    """matmul at three sizes, conv2d forward and forward+backward, an MLP training step,
    a transformer encoder block forward+backward, and import time."""
    return [
        matmul(256),
        matmul(1024),
        matmul(2048),
        _case("conv2d_forward", dict(CONV), conv2d_flops(**CONV)),
        _case("conv2d_train", dict(CONV), 3 * conv2d_flops(**CONV)),
        _case("mlp_train_step", dict(MLP), 3 * mlp_forward_flops(MLP)),
        _case("transformer_train", dict(TRANSFORMER), 3 * transformer_forward_flops(TRANSFORMER)),
        _case("import_time", {}, None),
    ]


def quick_suite() -> list[dict]:
    """Small shapes for a smoke test (seconds per framework): same workloads, less work."""
    conv = {"batch": 2, "in_ch": 8, "out_ch": 16, "size": 16, "kernel": 3}
    mlp = {"batch": 16, "layers": "64-32-10"}
    block = {"batch": 2, "seq": 16, "d_model": 32, "heads": 2, "ffn": 64}
    return [
        matmul(64),
        _case("conv2d_forward", conv, conv2d_flops(**conv)),
        _case("conv2d_train", conv, 3 * conv2d_flops(**conv)),
        _case("mlp_train_step", mlp, 3 * mlp_forward_flops(mlp)),
        _case("transformer_train", block, 3 * transformer_forward_flops(block)),
        _case("import_time", {}, None),
    ]


SUITES = {"default": default_suite, "quick": quick_suite}


def suite(name: str) -> list[dict]:
    """The named suite's cases; KeyError names the known suites."""
    if name not in SUITES:
        raise KeyError(f"unknown suite {name!r}; known: {', '.join(SUITES)}")
    return SUITES[name]()


