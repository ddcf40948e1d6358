"""NumPy reference adapter: the baseline every framework is compared with.

Plain NumPy on the CPU, backward passes written out by hand, the same shapes and operations as
the framework adapters (convolution by im2col, explicit softmax attention). One adapter file per
framework: FRAMEWORK (registry id), PACKAGES (pip names that select it), IMPORT (module timed by
import_time), MODES, setup(threads, device) -> build facts, make(case, mode, device) -> step.
"""

from __future__ import annotations

FRAMEWORK = "numpy"
PACKAGES = ("numpy",)
IMPORT = "numpy"
MODES = ("eager",)

np = None


def setup(threads: int, device: str) -> dict:
    global np
    import numpy

    np = numpy
    # NumPy has no GPU: in a --device cuda run it stays the CPU baseline (its rows say cpu)
    return {"version": numpy.__version__, "device": "cpu", "cuda": None, "blas": _blas()}


def _blas() -> str | None:
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # NumPy < 1.26 has no dict mode
        return None


def _rand(*shape: int):
    return (np.random.default_rng(0).standard_normal(shape) * 0.1).astype(np.float32)


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for NumPy")
    return builder(case["params"])


def _matmul(p: dict):
    a, b = _rand(p["n"], p["n"]), _rand(p["n"], p["n"])
    return lambda: a @ b


def _windows(x, k: int):
    pad = k // 2
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))  # N,C,H,W,k,k


def _conv(x, w):
    cols = _windows(x, w.shape[-1])
    return np.tensordot(cols, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2), cols


def _conv_backward(grad, cols, w, x_shape):
    k, pad = w.shape[-1], w.shape[-1] // 2
    dw = np.tensordot(grad, cols, axes=([0, 2, 3], [0, 2, 3]))
    n, c, h, wd = x_shape
    dx = np.zeros((c, n, h + 2 * pad, wd + 2 * pad), dtype=grad.dtype)
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + h, j:j + wd] += np.tensordot(w[:, :, i, j], grad, axes=([0], [1]))
    return dx[:, :, pad:pad + h, pad:pad + wd].transpose(1, 0, 2, 3), dw


def _conv_forward(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    return lambda: _conv(x, w)


def _conv_train(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    grad = _rand(p["batch"], p["out_ch"], p["size"], p["size"])

    def step():
        _, cols = _conv(x, w)
        return _conv_backward(grad, cols, w, x.shape)

    return step


def _mlp_train(p: dict):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(p["batch"], sizes[0])
    labels = np.arange(p["batch"]) % sizes[-1]
    params = [(_rand(a, b), np.zeros(b, np.float32)) for a, b in zip(sizes, sizes[1:], strict=False)]
    lr = np.float32(0.01)

    def step():
        acts = [x]
        for i, (w, b) in enumerate(params):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0) if i < len(params) - 1 else z)
        logits = acts[-1] - acts[-1].max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        grad = probs
        grad[np.arange(len(labels)), labels] -= 1
        grad /= len(labels)
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            dw, db = acts[i].T @ grad, grad.sum(axis=0)
            if i:
                grad = (grad @ w.T) * (acts[i] > 0)
            w -= lr * dw
            b -= lr * db

    return step


def _layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    inv = 1.0 / np.sqrt(x.var(-1, keepdims=True) + eps)
    xhat = (x - mu) * inv
    return xhat * gamma + beta, (xhat, inv)


def _layer_norm_backward(dy, cache, gamma):
    xhat, inv = cache
    dxhat = dy * gamma
    dx = inv * (dxhat - dxhat.mean(-1, keepdims=True) - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    return dx, (dy * xhat).sum((0, 1)), dy.sum((0, 1))


def _transformer_train(p: dict):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(b, s, d)
    wq, wk, wv, wo = (_rand(d, d) for _ in range(4))
    w1, w2 = _rand(d, f), _rand(f, d)
    g1, b1, g2, b2 = (np.ones(d, np.float32), np.zeros(d, np.float32),
                      np.ones(d, np.float32), np.zeros(d, np.float32))
    scale = np.float32(1.0 / np.sqrt(dh))

    def heads(t):
        return t.reshape(b, s, h, dh).transpose(0, 2, 1, 3)

    def merge(t):
        return t.transpose(0, 2, 1, 3).reshape(b, s, d)

    def step():
        hn, c1 = _layer_norm(x, g1, b1)
        q, k, v = heads(hn @ wq), heads(hn @ wk), heads(hn @ wv)
        scores = (q @ k.transpose(0, 1, 3, 2)) * scale
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        a = merge(probs @ v)
        x1 = x + a @ wo
        h2, c2 = _layer_norm(x1, g2, b2)
        ff = np.maximum(h2 @ w1, 0)
        y = x1 + ff @ w2
        dy = 2.0 * y / y.size
        dw2 = np.tensordot(ff, dy, axes=([0, 1], [0, 1]))
        dff = (dy @ w2.T) * (ff > 0)
        dw1 = np.tensordot(h2, dff, axes=([0, 1], [0, 1]))
        dx1_ln, _, _ = _layer_norm_backward(dff @ w1.T, c2, g2)
        dx1 = dy + dx1_ln
        dwo = np.tensordot(a, dx1, axes=([0, 1], [0, 1]))
        da = heads(dx1 @ wo.T)
        dprobs = da @ v.transpose(0, 1, 3, 2)
        dv = probs.transpose(0, 1, 3, 2) @ da
        dscores = probs * (dprobs - (dprobs * probs).sum(-1, keepdims=True)) * scale
        dq, dk = dscores @ k, dscores.transpose(0, 1, 3, 2) @ q
        dq, dk, dv = merge(dq), merge(dk), merge(dv)
        grads = [np.tensordot(hn, t, axes=([0, 1], [0, 1])) for t in (dq, dk, dv)]
        dhn = dq @ wq.T + dk @ wk.T + dv @ wv.T
        _layer_norm_backward(dhn, c1, g1)
        return grads, dw1, dw2, dwo

    return step


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
