"""JAX adapter: each step is one jax.jit-compiled function; results are blocked until ready.

JAX dispatches asynchronously, so without block_until_ready a step would time only the dispatch.
Threads: XLA's CPU backend has no flag for "N threads"; with threads=1 the worker disables Eigen's
thread pool (XLA_FLAGS), otherwise XLA uses every core and the build facts say so.
"""

from __future__ import annotations

import os

FRAMEWORK = "jax"
PACKAGES = ("jax", "jaxlib")
IMPORT = "jax"
MODES = ("jit",)

jax = None
jnp = None


def setup(threads: int, device: str) -> dict:
    global jax, jnp
    if threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                                   " intra_op_parallelism_threads=1").strip()
    if device == "cpu":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax as _jax
    import jax.numpy as _jnp

    jax, jnp = _jax, _jnp
    backend = jax.default_backend()
    if device == "cuda" and backend != "gpu":
        raise RuntimeError(f"jax {jax.__version__} has no GPU backend (default backend: {backend})")
    import jaxlib

    return {"version": jax.__version__, "jaxlib": getattr(jaxlib, "__version__", None),
            "device": device, "backend": backend, "devices": [str(d) for d in jax.devices()],
            "cuda": _cuda_version() if backend == "gpu" else None, "blas": "XLA (Eigen)",
            "threads": 1 if threads == 1 else "all cores (XLA default)",
            "xla_flags": os.environ.get("XLA_FLAGS")}


def _cuda_version():
    try:
        from jax._src.lib import cuda_versions

        return cuda_versions.cuda_runtime_get_version() if cuda_versions else None
    except Exception:
        return None


def _block(tree) -> None:
    if hasattr(jax, "block_until_ready"):
        jax.block_until_ready(tree)
    else:
        jax.tree_util.tree_map(lambda a: a.block_until_ready(), tree)


def _rand(*shape: int):
    return jax.random.normal(jax.random.PRNGKey(0), shape, dtype=jnp.float32) * 0.1


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for JAX")
    target = jax.devices("gpu" if device == "cuda" else "cpu")[0]
    with jax.default_device(target):
        return builder(case["params"])


def _runner(fn, args):
    jitted = jax.jit(fn)
    return lambda: _block(jitted(*args))


def _matmul(p: dict):
    return _runner(lambda a, b: a @ b, (_rand(p["n"], p["n"]), _rand(p["n"], p["n"])))


def _conv(x, w, k: int):
    pad = k // 2
    return jax.lax.conv_general_dilated(x, w, (1, 1), ((pad, pad), (pad, pad)),
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))


def _conv_forward(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    return _runner(lambda x, w: _conv(x, w, p["kernel"]), (x, w))


def _conv_train(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    grad = _rand(p["batch"], p["out_ch"], p["size"], p["size"])

    def step(x, w, grad):
        _, vjp = jax.vjp(lambda x, w: _conv(x, w, p["kernel"]), x, w)
        return vjp(grad)

    return _runner(step, (x, w, grad))


def _mlp_train(p: dict):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(p["batch"], sizes[0])
    labels = jnp.arange(p["batch"]) % sizes[-1]
    params = [(_rand(a, b), jnp.zeros(b, jnp.float32)) for a, b in zip(sizes, sizes[1:], strict=False)]

    def loss_fn(params, x, labels):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))

    @jax.jit
    def update(params, x, labels):
        grads = jax.grad(loss_fn)(params, x, labels)
        return jax.tree_util.tree_map(lambda w, g: w - 0.01 * g, params, grads)

    state = {"params": params}

    def step():
        state["params"] = update(state["params"], x, labels)
        _block(state["params"])

    return step


def _layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + 1e-5) * gamma + beta


def _transformer_train(p: dict):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(b, s, d)
    params = {"wq": _rand(d, d), "wk": _rand(d, d), "wv": _rand(d, d), "wo": _rand(d, d),
              "w1": _rand(d, f), "w2": _rand(f, d), "g1": jnp.ones(d), "b1": jnp.zeros(d),
              "g2": jnp.ones(d), "b2": jnp.zeros(d)}

    def heads(t):
        return t.reshape(b, s, h, dh).transpose(0, 2, 1, 3)

    def loss_fn(w, x):
        hn = _layer_norm(x, w["g1"], w["b1"])
        q, k, v = heads(hn @ w["wq"]), heads(hn @ w["wk"]), heads(hn @ w["wv"])
        probs = jax.nn.softmax((q @ k.transpose(0, 1, 3, 2)) / dh**0.5, axis=-1)
        a = (probs @ v).transpose(0, 2, 1, 3).reshape(b, s, d)
        x1 = x + a @ w["wo"]
        y = x1 + jax.nn.relu(_layer_norm(x1, w["g2"], w["b2"]) @ w["w1"]) @ w["w2"]
        return jnp.mean(y * y)

    return _runner(jax.grad(loss_fn), (params, x))


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
