"""PaddlePaddle adapter: dynamic graph (eager) mode, NCHW layout.

Threads come from OMP_NUM_THREADS / MKL_NUM_THREADS, which the runner sets; on a GPU each step
ends with paddle.device.synchronize().
"""

from __future__ import annotations

FRAMEWORK = "paddlepaddle"
PACKAGES = ("paddlepaddle", "paddlepaddle-gpu")
IMPORT = "paddle"
MODES = ("dynamic",)

paddle = None
F = None


def setup(threads: int, device: str) -> dict:
    global paddle, F
    import paddle as _paddle
    import paddle.nn.functional as _F

    paddle, F = _paddle, _F
    if device == "cuda" and not paddle.is_compiled_with_cuda():
        raise RuntimeError(f"paddlepaddle {paddle.__version__} is a CPU build")
    paddle.set_device("gpu:0" if device == "cuda" else "cpu")
    version = paddle.version
    return {"version": paddle.__version__, "device": device,
            "cuda": version.cuda() if paddle.is_compiled_with_cuda() else None,
            "blas": "MKL" if str(getattr(version, "with_mkl", "")).upper() == "ON" else "OpenBLAS",
            "threads": threads}


def _sync(device: str):
    if device == "cuda":
        return paddle.device.synchronize
    return lambda: None


def _rand(*shape: int, grad: bool = False):
    paddle.seed(0)
    t = paddle.randn(list(shape), dtype="float32") * 0.1
    t.stop_gradient = not grad
    return t


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for PaddlePaddle")
    step, sync = builder(case["params"]), _sync(device)

    def run():
        step()
        sync()

    return run


def _matmul(p: dict):
    a, b = _rand(p["n"], p["n"]), _rand(p["n"], p["n"])
    return lambda: paddle.matmul(a, b)


def _conv_forward(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])

    def step():
        with paddle.no_grad():
            return F.conv2d(x, w, padding=p["kernel"] // 2)

    return step


def _conv_train(p: dict):
    x = _rand(p["batch"], p["in_ch"], p["size"], p["size"], grad=True)
    w = _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"], grad=True)
    grad = _rand(p["batch"], p["out_ch"], p["size"], p["size"])
    return lambda: paddle.grad([F.conv2d(x, w, padding=p["kernel"] // 2)], [x, w], [grad])


def _parameter(value):
    param = paddle.create_parameter(value.shape, "float32",
                                    default_initializer=paddle.nn.initializer.Assign(value))
    return param


def _mlp_train(p: dict):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(p["batch"], sizes[0])
    labels = paddle.arange(p["batch"], dtype="int64") % sizes[-1]
    params = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        params += [_parameter(_rand(a, b)), _parameter(paddle.zeros([b], dtype="float32"))]
    opt = paddle.optimizer.SGD(learning_rate=0.01, parameters=params)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = paddle.matmul(h, params[i]) + params[i + 1]
            if i < len(params) - 2:
                h = F.relu(h)
        loss = F.cross_entropy(h, labels)
        loss.backward()
        opt.step()
        opt.clear_grad()

    return step


def _transformer_train(p: dict):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(b, s, d)
    wq, wk, wv, wo = (_rand(d, d, grad=True) for _ in range(4))
    w1, w2 = _rand(d, f, grad=True), _rand(f, d, grad=True)
    g1, g2 = (_ones(d) for _ in range(2))
    b1, b2 = (_zeros(d) for _ in range(2))
    params = [wq, wk, wv, wo, w1, w2, g1, b1, g2, b2]

    def heads(t):
        return t.reshape([b, s, h, dh]).transpose([0, 2, 1, 3])

    def step():
        hn = F.layer_norm(x, d, g1, b1, 1e-5)
        q, k, v = heads(hn @ wq), heads(hn @ wk), heads(hn @ wv)
        probs = F.softmax(paddle.matmul(q, k, transpose_y=True) / dh**0.5, axis=-1)
        a = (probs @ v).transpose([0, 2, 1, 3]).reshape([b, s, d])
        x1 = x + a @ wo
        y = x1 + F.relu(F.layer_norm(x1, d, g2, b2, 1e-5) @ w1) @ w2
        return paddle.grad([(y * y).mean()], params)

    return step


def _ones(d: int):
    t = paddle.ones([d], dtype="float32")
    t.stop_gradient = False
    return t


def _zeros(d: int):
    t = paddle.zeros([d], dtype="float32")
    t.stop_gradient = False
    return t


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
