"""Apache MXNet adapter (retired framework; 1.x): imperative NDArray with autograd, NCHW layout.

MXNet's engine runs every operator asynchronously, on the CPU too, so each step ends with
mx.nd.waitall(). MXNet 1.x needs numpy<1.24 (pins.toml). Threads come from OMP_NUM_THREADS,
which the runner sets.
"""

from __future__ import annotations

FRAMEWORK = "mxnet"
PACKAGES = ("mxnet", "mxnet-mkl", "mxnet-cu112", "mxnet-cu110", "mxnet-cu102", "mxnet-cu101")
IMPORT = "mxnet"
MODES = ("imperative",)

mx = None
_ctx = None


def setup(threads: int, device: str) -> dict:
    global mx, _ctx
    import mxnet as _mx

    mx = _mx
    features = mx.runtime.Features()
    if device == "cuda" and (not features.is_enabled("CUDA") or mx.context.num_gpus() == 0):
        raise RuntimeError(f"mxnet {mx.__version__} has no usable CUDA device")
    _ctx = mx.gpu(0) if device == "cuda" else mx.cpu()
    blas = next((name.removeprefix("BLAS_").lower() for name in ("BLAS_MKL", "BLAS_OPEN", "BLAS_ATLAS",
                                                                 "BLAS_APPLE") if features.is_enabled(name)),
                None)
    return {"version": mx.__version__, "device": device,
            "cuda": features.is_enabled("CUDA") or None, "blas": blas,
            "mkldnn": features.is_enabled("MKLDNN"), "threads": threads}


def _rand(*shape: int):
    mx.random.seed(0)
    return mx.nd.random.normal(0, 0.1, shape=shape, ctx=_ctx)


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for MXNet")
    step = builder(case["params"])

    def run():
        step()
        mx.nd.waitall()

    return run


def _matmul(p: dict):
    a, b = _rand(p["n"], p["n"]), _rand(p["n"], p["n"])
    return lambda: mx.nd.dot(a, b)


def _conv(x, w, p: dict):
    k = p["kernel"]
    return mx.nd.Convolution(x, w, kernel=(k, k), pad=(k // 2, k // 2), num_filter=p["out_ch"],
                             no_bias=True)


def _conv_forward(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    return lambda: _conv(x, w, p)


def _conv_train(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])
    grad = _rand(p["batch"], p["out_ch"], p["size"], p["size"])
    x.attach_grad()
    w.attach_grad()

    def step():
        with mx.autograd.record():
            out = _conv(x, w, p)
        out.backward(grad)

    return step


def _mlp_train(p: dict):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(p["batch"], sizes[0])
    labels = mx.nd.arange(p["batch"], ctx=_ctx) % sizes[-1]
    params = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        params += [_rand(a, b), mx.nd.zeros(b, ctx=_ctx)]
    for param in params:
        param.attach_grad()

    def step():
        with mx.autograd.record():
            h = x
            for i in range(0, len(params), 2):
                h = mx.nd.broadcast_add(mx.nd.dot(h, params[i]), params[i + 1])
                if i < len(params) - 2:
                    h = mx.nd.relu(h)
            loss = -mx.nd.pick(mx.nd.log_softmax(h), labels).mean()
        loss.backward()
        for param in params:
            mx.nd.sgd_update(param, param.grad, lr=0.01, out=param)

    return step


def _transformer_train(p: dict):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(b, s, d)
    wq, wk, wv, wo = (_rand(d, d) for _ in range(4))
    w1, w2 = _rand(d, f), _rand(f, d)
    g1, g2 = mx.nd.ones(d, ctx=_ctx), mx.nd.ones(d, ctx=_ctx)
    b1, b2 = mx.nd.zeros(d, ctx=_ctx), mx.nd.zeros(d, ctx=_ctx)
    params = (wq, wk, wv, wo, w1, w2, g1, b1, g2, b2)
    for param in params:
        param.attach_grad()

    def heads(t):
        return t.reshape((b, s, h, dh)).transpose((0, 2, 1, 3)).reshape((b * h, s, dh))

    def step():
        with mx.autograd.record():
            hn = mx.nd.LayerNorm(x, g1, b1, axis=-1, eps=1e-5)
            q, k, v = heads(mx.nd.dot(hn, wq)), heads(mx.nd.dot(hn, wk)), heads(mx.nd.dot(hn, wv))
            probs = mx.nd.softmax(mx.nd.batch_dot(q, k, transpose_b=True) / dh**0.5, axis=-1)
            a = mx.nd.batch_dot(probs, v).reshape((b, h, s, dh)).transpose((0, 2, 1, 3)).reshape((b, s, d))
            x1 = x + mx.nd.dot(a, wo)
            hidden = mx.nd.relu(mx.nd.dot(mx.nd.LayerNorm(x1, g2, b2, axis=-1, eps=1e-5), w1))
            y = x1 + mx.nd.dot(hidden, w2)
            loss = (y * y).mean()
        loss.backward()

    return step


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
