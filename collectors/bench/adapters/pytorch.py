"""PyTorch adapter: eager mode, explicit ops (same graph as every other adapter), NCHW layout.

CUDA work is asynchronous, so every step ends with torch.cuda.synchronize() on a CUDA device.
"""

from __future__ import annotations

import re

FRAMEWORK = "pytorch"
PACKAGES = ("torch",)
IMPORT = "torch"
MODES = ("eager",)

torch = None
F = None


def setup(threads: int, device: str) -> dict:
    global torch, F
    import torch as _torch
    import torch.nn.functional as _F

    torch, F = _torch, _F
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(max(1, min(threads, 4)))
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"torch {torch.__version__} sees no CUDA device (build CUDA: "
                           f"{torch.version.cuda})")
    blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else None
    return {"version": torch.__version__, "device": device, "cuda": torch.version.cuda,
            "blas": blas.group(1) if blas else None, "mkldnn": torch.backends.mkldnn.is_available(),
            "threads": torch.get_num_threads(), "gpu": gpu}


def _sync(device: str):
    if device == "cuda":
        return torch.cuda.synchronize
    return lambda: None


def _rand(device: str, *shape: int, grad: bool = False):
    gen = torch.Generator().manual_seed(0)
    t = (torch.randn(*shape, generator=gen) * 0.1).to(device)
    return t.requires_grad_(grad)


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for PyTorch")
    step, sync = builder(case["params"], device), _sync(device)

    def run():
        step()
        sync()

    return run


def _matmul(p: dict, device: str):
    a, b = _rand(device, p["n"], p["n"]), _rand(device, p["n"], p["n"])
    return lambda: a @ b


def _conv_forward(p: dict, device: str):
    x = _rand(device, p["batch"], p["in_ch"], p["size"], p["size"])
    w = _rand(device, p["out_ch"], p["in_ch"], p["kernel"], p["kernel"])

    def step():
        with torch.no_grad():
            return F.conv2d(x, w, padding=p["kernel"] // 2)

    return step


def _conv_train(p: dict, device: str):
    x = _rand(device, p["batch"], p["in_ch"], p["size"], p["size"], grad=True)
    w = _rand(device, p["out_ch"], p["in_ch"], p["kernel"], p["kernel"], grad=True)
    grad = _rand(device, p["batch"], p["out_ch"], p["size"], p["size"])

    def step():
        out = F.conv2d(x, w, padding=p["kernel"] // 2)
        return torch.autograd.grad(out, (x, w), grad)

    return step


def _mlp_train(p: dict, device: str):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(device, p["batch"], sizes[0])
    labels = (torch.arange(p["batch"]) % sizes[-1]).to(device)
    params = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        params += [_rand(device, a, b, grad=True), torch.zeros(b, device=device, requires_grad=True)]
    opt = torch.optim.SGD(params, lr=0.01)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = torch.relu(h)
        loss = F.cross_entropy(h, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def _transformer_train(p: dict, device: str):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(device, b, s, d)
    wq, wk, wv, wo = (_rand(device, d, d, grad=True) for _ in range(4))
    w1, w2 = _rand(device, d, f, grad=True), _rand(device, f, d, grad=True)
    g1, g2 = (torch.ones(d, device=device, requires_grad=True) for _ in range(2))
    b1, b2 = (torch.zeros(d, device=device, requires_grad=True) for _ in range(2))
    params = (wq, wk, wv, wo, w1, w2, g1, b1, g2, b2)

    def heads(t):
        return t.reshape(b, s, h, dh).transpose(1, 2)

    def step():
        hn = F.layer_norm(x, (d,), g1, b1)
        q, k, v = heads(hn @ wq), heads(hn @ wk), heads(hn @ wv)
        probs = torch.softmax((q @ k.transpose(-1, -2)) / dh**0.5, dim=-1)
        a = (probs @ v).transpose(1, 2).reshape(b, s, d)
        x1 = x + a @ wo
        y = x1 + torch.relu(F.layer_norm(x1, (d,), g2, b2) @ w1) @ w2
        loss = (y * y).mean()
        return torch.autograd.grad(loss, params)

    return step


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
