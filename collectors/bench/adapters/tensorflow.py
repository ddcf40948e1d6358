"""TensorFlow adapter: eager execution and graph mode (tf.function), NHWC layout.

The two modes put the article's claim ("static graphs are faster") to the test on the same ops.
On a GPU each step ends with tf.experimental.sync_devices() (TF >= 2.14), else by reading a
scalar back to the host.
"""

from __future__ import annotations

FRAMEWORK = "tensorflow"
PACKAGES = ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tensorflow-macos", "tensorflow-gpu")
IMPORT = "tensorflow"
MODES = ("eager", "graph")

tf = None


def setup(threads: int, device: str) -> dict:
    global tf
    import tensorflow as _tf

    tf = _tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(max(1, min(threads, 4)))
    gpus = tf.config.list_physical_devices("GPU")
    if device == "cuda" and not gpus:
        raise RuntimeError(f"tensorflow {tf.__version__} sees no GPU")
    info = dict(tf.sysconfig.get_build_info())
    return {"version": tf.__version__, "device": device,
            "cuda": info.get("cuda_version") if info.get("is_cuda_build") else None,
            "blas": "Eigen" + (" + oneDNN" if _onednn() else ""),
            "threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "gpu": [g.name for g in gpus] or None}


def _onednn() -> bool:
    import os

    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0":
        return False
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except Exception:
        return False


def _sync():
    if hasattr(tf.experimental, "sync_devices"):
        return tf.experimental.sync_devices
    return lambda: None


def _rand(*shape: int):
    return tf.random.stateless_normal(shape, seed=(0, 0)) * 0.1


def make(case: dict, mode: str, device: str):
    builder = BUILDERS.get(case["benchmark"])
    if builder is None:
        raise NotImplementedError(f"{case['benchmark']} is not implemented for TensorFlow")
    name = "/GPU:0" if device == "cuda" else "/CPU:0"
    with tf.device(name):
        fn, args = builder(case["params"])
        fn = tf.function(fn) if mode == "graph" else fn
    sync = _sync() if device == "cuda" else (lambda: None)

    def run():
        with tf.device(name):
            fn(*args)
        sync()

    return run


def _matmul(p: dict):
    return (lambda a, b: tf.matmul(a, b)), (_rand(p["n"], p["n"]), _rand(p["n"], p["n"]))


def _conv_forward(p: dict):
    x = _rand(p["batch"], p["size"], p["size"], p["in_ch"])
    w = _rand(p["kernel"], p["kernel"], p["in_ch"], p["out_ch"])
    return (lambda x, w: tf.nn.conv2d(x, w, 1, "SAME")), (x, w)


def _conv_train(p: dict):
    x = tf.Variable(_rand(p["batch"], p["size"], p["size"], p["in_ch"]))
    w = tf.Variable(_rand(p["kernel"], p["kernel"], p["in_ch"], p["out_ch"]))
    grad = _rand(p["batch"], p["size"], p["size"], p["out_ch"])

    def step(grad):
        with tf.GradientTape() as tape:
            out = tf.nn.conv2d(x, w, 1, "SAME")
        return tape.gradient(out, [x, w], output_gradients=grad)

    return step, (grad,)


def _mlp_train(p: dict):
    sizes = [int(s) for s in str(p["layers"]).split("-")]
    x = _rand(p["batch"], sizes[0])
    labels = tf.range(p["batch"]) % sizes[-1]
    params = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        params += [tf.Variable(_rand(a, b)), tf.Variable(tf.zeros([b]))]

    def step(x, labels):
        with tf.GradientTape() as tape:
            h = x
            for i in range(0, len(params), 2):
                h = h @ params[i] + params[i + 1]
                if i < len(params) - 2:
                    h = tf.nn.relu(h)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h))
        for var, g in zip(params, tape.gradient(loss, params), strict=True):
            var.assign_sub(0.01 * g)

    return step, (x, labels)


def _layer_norm(x, gamma, beta):
    mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
    return (x - mean) * tf.math.rsqrt(var + 1e-5) * gamma + beta


def _transformer_train(p: dict):
    b, s, d, h, f = p["batch"], p["seq"], p["d_model"], p["heads"], p["ffn"]
    dh = d // h
    x = _rand(b, s, d)
    wq, wk, wv, wo = (tf.Variable(_rand(d, d)) for _ in range(4))
    w1, w2 = tf.Variable(_rand(d, f)), tf.Variable(_rand(f, d))
    g1, g2 = tf.Variable(tf.ones([d])), tf.Variable(tf.ones([d]))
    b1, b2 = tf.Variable(tf.zeros([d])), tf.Variable(tf.zeros([d]))
    params = [wq, wk, wv, wo, w1, w2, g1, b1, g2, b2]

    def heads(t):
        return tf.transpose(tf.reshape(t, (b, s, h, dh)), (0, 2, 1, 3))

    def step(x):
        with tf.GradientTape() as tape:
            hn = _layer_norm(x, g1, b1)
            q, k, v = heads(hn @ wq), heads(hn @ wk), heads(hn @ wv)
            probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / dh**0.5, axis=-1)
            a = tf.reshape(tf.transpose(probs @ v, (0, 2, 1, 3)), (b, s, d))
            x1 = x + a @ wo
            y = x1 + tf.nn.relu(_layer_norm(x1, g2, b2) @ w1) @ w2
            loss = tf.reduce_mean(y * y)
        return tape.gradient(loss, params)

    return step, (x,)


BUILDERS = {
    "matmul": _matmul,
    "conv2d_forward": _conv_forward,
    "conv2d_train": _conv_train,
    "mlp_train_step": _mlp_train,
    "transformer_train": _transformer_train,
}
