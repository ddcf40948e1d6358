"""ONNX Runtime adapter: inference only (matmul, conv2d forward); training cases are "unsupported".

Each case is a one-node ONNX graph built with the `onnx` helper (installed beside onnxruntime, see
pins.toml) and run by an InferenceSession with its intra-op threads pinned; the CUDA device uses
the CUDAExecutionProvider. Session.run returns host arrays, so every step is synchronous.
"""

from __future__ import annotations

FRAMEWORK = "onnxruntime"
PACKAGES = ("onnxruntime", "onnxruntime-gpu")
IMPORT = "onnxruntime"
MODES = ("session",)

ort = None
_threads = 1


def setup(threads: int, device: str) -> dict:
    global ort, _threads
    import onnxruntime as _ort

    ort, _threads = _ort, threads
    providers = ort.get_available_providers()
    if device == "cuda" and "CUDAExecutionProvider" not in providers:
        raise RuntimeError(f"onnxruntime {ort.__version__} has no CUDAExecutionProvider "
                           f"(providers: {', '.join(providers)})")
    return {"version": ort.__version__, "device": device, "providers": providers,
            "cuda": "CUDAExecutionProvider" in providers or None, "blas": "MLAS",
            "threads": threads}


def _session(node, inputs, output: tuple[str, list[int]], device: str):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [node], "dltrends",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, list(arr.shape)) for name, arr in inputs],
        [helper.make_tensor_value_info(output[0], TensorProto.FLOAT, output[1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = min(model.ir_version, 8)  # readable by older runtimes too
    onnx.checker.check_model(model)
    options = ort.SessionOptions()
    options.intra_op_num_threads = _threads
    options.inter_op_num_threads = 1
    providers = ["CUDAExecutionProvider"] if device == "cuda" else ["CPUExecutionProvider"]
    session = ort.InferenceSession(model.SerializeToString(), options, providers=providers)
    feed = dict(inputs)
    return lambda: session.run(None, feed)


def _rand(*shape: int):
    import numpy as np

    return (np.random.default_rng(0).standard_normal(shape) * 0.1).astype(np.float32)


def make(case: dict, mode: str, device: str):
    from onnx import helper

    p = case["params"]
    if case["benchmark"] == "matmul":
        inputs = [("a", _rand(p["n"], p["n"])), ("b", _rand(p["n"], p["n"]))]
        return _session(helper.make_node("MatMul", ["a", "b"], ["y"]), inputs,
                        ("y", [p["n"], p["n"]]), device)
    if case["benchmark"] == "conv2d_forward":
        pad = p["kernel"] // 2
        inputs = [("x", _rand(p["batch"], p["in_ch"], p["size"], p["size"])),
                  ("w", _rand(p["out_ch"], p["in_ch"], p["kernel"], p["kernel"]))]
        node = helper.make_node("Conv", ["x", "w"], ["y"], pads=[pad] * 4, strides=[1, 1])
        return _session(node, inputs, ("y", [p["batch"], p["out_ch"], p["size"], p["size"]]), device)
    raise NotImplementedError("ONNX Runtime is an inference engine: no backward pass or optimizer")
