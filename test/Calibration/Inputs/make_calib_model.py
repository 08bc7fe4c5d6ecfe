#!/usr/bin/env python3
"""Writes the small model and the sample folders the calibration tests use.

Usage: make_calib_model.py OUTDIR

OUTDIR/net.onnx      x[1,3,16,16] -> conv1+relu -> conv2(stride 2)+relu ->
                     reshape [1,512] -> matmul fc -> add -> out[1,10]
OUTDIR/other.onnx    the same graph with other weights
OUTDIR/calib/        8 samples, x_000.npy ...
OUTDIR/calib_a/, calib_b/   the same 8 samples split 5 + 3 (for merging)
OUTDIR/eval/         4 other samples
OUTDIR/eval_x.npy, eval_out.npy   one eval sample and numpy's float output
OUTDIR/formats/      one sample each as .npy, .npz, .pb and a folder of .pb
OUTDIR/empty/        no samples (a README only)
OUTDIR/bad_shape/, bad_dtype/   a good sample and a bad one

Everything is built at test time with a fixed seed: the tests carry no
binary files and every run writes the same bytes.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weights(seed):
    rng = np.random.default_rng(seed)
    return {
        "conv1.weight": (rng.standard_normal((8, 3, 3, 3)) * 0.4).astype(np.float32),
        "conv1.bias": (rng.standard_normal(8) * 0.1).astype(np.float32),
        "conv2.weight": (rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32),
        "conv2.bias": (rng.standard_normal(8) * 0.1).astype(np.float32),
        "fc.weight": (rng.standard_normal((512, 10)) * 0.05).astype(np.float32),
        "fc.bias": (rng.standard_normal(10) * 0.1).astype(np.float32),
    }


def make_model(w):
    inits = [numpy_helper.from_array(v, k) for k, v in w.items()]
    inits.append(numpy_helper.from_array(np.array([1, 512], np.int64), "shape"))
    nodes = [
        helper.make_node("Conv", ["x", "conv1.weight", "conv1.bias"], ["c1"],
                         name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2.weight", "conv2.bias"], ["c2"],
                         name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("Reshape", ["r2", "shape"], ["flat"], name="flatten"),
        helper.make_node("MatMul", ["flat", "fc.weight"], ["m"], name="fc"),
        helper.make_node("Add", ["m", "fc.bias"], ["out"], name="fc_bias"),
    ]
    graph = helper.make_graph(
        nodes, "calib_net",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 10])],
        inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def conv2d(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, f, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    return out + b.reshape(1, f, 1, 1)


def reference(w, x):
    x = x.astype(np.float64)
    r1 = np.maximum(conv2d(x, w["conv1.weight"], w["conv1.bias"], 1, 1), 0)
    r2 = np.maximum(conv2d(r1, w["conv2.weight"], w["conv2.bias"], 2, 1), 0)
    return (r2.reshape(1, 512) @ w["fc.weight"] + w["fc.bias"]).astype(np.float32)


def sample(rng):
    return rng.standard_normal((1, 3, 16, 16)).astype(np.float32)


def save_folder(path, samples):
    os.makedirs(path, exist_ok=True)
    for i, x in samples:
        np.save(os.path.join(path, "x_%03d.npy" % i), x)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    w = weights(0)
    onnx.save(make_model(w), os.path.join(out, "net.onnx"))
    onnx.save(make_model(weights(1)), os.path.join(out, "other.onnx"))

    rng = np.random.default_rng(42)
    calib = [(i, sample(rng)) for i in range(8)]
    save_folder(os.path.join(out, "calib"), calib)
    save_folder(os.path.join(out, "calib_a"), calib[:5])
    save_folder(os.path.join(out, "calib_b"), calib[5:])
    evals = [(i, sample(rng)) for i in range(4)]
    save_folder(os.path.join(out, "eval"), evals)
    np.save(os.path.join(out, "eval_x.npy"), evals[0][1])
    np.save(os.path.join(out, "eval_out.npy"), reference(w, evals[0][1]))

    formats = os.path.join(out, "formats")
    os.makedirs(os.path.join(formats, "d_folder"), exist_ok=True)
    np.save(os.path.join(formats, "a.npy"), calib[0][1])
    np.savez(os.path.join(formats, "b.npz"), x=calib[1][1])
    with open(os.path.join(formats, "c.pb"), "wb") as f:
        f.write(numpy_helper.from_array(calib[2][1], "x").SerializeToString())
    with open(os.path.join(formats, "d_folder", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(calib[3][1], "x").SerializeToString())
    with open(os.path.join(formats, "notes.txt"), "w") as f:
        f.write("not a sample\n")

    empty = os.path.join(out, "empty")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "README"), "w") as f:
        f.write("no samples here\n")

    save_folder(os.path.join(out, "bad_shape"), calib[:1])
    np.save(os.path.join(out, "bad_shape", "x_001.npy"),
            np.zeros((1, 3, 8, 8), np.float32))
    save_folder(os.path.join(out, "bad_dtype"), calib[:1])
    np.save(os.path.join(out, "bad_dtype", "x_001.npy"),
            np.zeros((1, 3, 16, 16), np.float64))


if __name__ == "__main__":
    main()
