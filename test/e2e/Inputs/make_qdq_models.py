#!/usr/bin/env python3
"""Writes pre-quantized ONNX models and their inputs into DIR, for checking
our artifacts against ONNX Runtime.

Usage: make_qdq_models.py DIR

  matmul_nbits.onnx        com.microsoft MatMulNBits, 4-bit, block 32, packed
                           zero points and a bias; input a (4 x 64)
  matmul_nbits_3d.onnx     MatMulNBits without zero points (default 8) on a
                           3-D input a3 (2 x 3 x 128), block 16
  qdq_convnet.onnx         ONNX Runtime QDQ format (what quantize_static
                           writes): uint8 activations, per-channel int8
                           weights (DequantizeLinear axis 0 for Conv, axis 1
                           for MatMul), int32 biases, around
                           Conv -> Relu -> Conv -> Reshape -> MatMul;
                           input x (1 x 3 x 8 x 8)

The inputs are DIR/a.npy, DIR/a3.npy and DIR/x.npy. Activation scales come
from a float run of the same net on x, as a calibrator would choose them.
Run with /usr/bin/python3 (lit: %python): it needs onnx and numpy.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, path):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


#===------------------------------------------------------------------------===#
# MatMulNBits
#===------------------------------------------------------------------------===#

def pack_nibbles(codes):
    """Packs [..., 2m] 4-bit codes two per byte, the first in the low nibble."""
    codes = codes.astype(np.uint8)
    return (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)


def matmul_nbits(path, rng, a_shape, k, n, block, zero_points, bias):
    blocks = k // block
    codes = rng.integers(0, 16, size=(n, k))
    packed = pack_nibbles(codes).reshape(n, blocks, block // 2)
    scales = rng.uniform(0.005, 0.05, size=(n, blocks)).astype(np.float32)
    inputs = ["a", "B", "scales"]
    inits = [const("B", packed), const("scales", scales)]
    if zero_points:
        zps = rng.integers(0, 16, size=(n, blocks))
        if blocks % 2:
            zps = np.concatenate([zps, np.zeros((n, 1), zps.dtype)], axis=1)
        inputs.append("zero_points")
        inits.append(const("zero_points", pack_nibbles(zps)))
    if bias:
        # bias is input 5, after zero_points (3) and g_idx (4).
        inputs += ["", "bias"] if zero_points else ["", "", "bias"]
        inits.append(const("bias", rng.standard_normal(n).astype(np.float32)))
    node = helper.make_node("MatMulNBits", inputs, ["y"], name="matmul_nbits",
                            domain="com.microsoft", K=k, N=n, bits=4, block_size=block)
    out_shape = list(a_shape[:-1]) + [n]
    graph = helper.make_graph(
        [node], "matmul_nbits",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, list(a_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], inits)
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                 helper.make_opsetid("com.microsoft", 1)]),
         path)


#===------------------------------------------------------------------------===#
# QDQ conv net
#===------------------------------------------------------------------------===#

def conv2d(x, w, b, pad):
    """NCHW / FCHW, stride 1, float64."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    return out + b[None, :, None, None]


def activation_params(values):
    """uint8 scale and zero point covering [min(values, 0), max(values, 0)]."""
    lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    scale = np.float32((hi - lo) / 255.0)
    zero_point = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
    return scale, zero_point


def quantize_weights(w, axis):
    """Symmetric per-channel int8 along `axis`: codes and scales."""
    reduce = tuple(d for d in range(w.ndim) if d != axis)
    scales = (np.abs(w).max(axis=reduce) / 127.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    codes = np.clip(np.round(w / scales.reshape(shape)), -127, 127).astype(np.int8)
    return codes, scales


def qdq_convnet(path, x):
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float32)
    b1 = (rng.standard_normal(8) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((4, 8, 3, 3)) * 0.2).astype(np.float32)
    b2 = (rng.standard_normal(4) * 0.1).astype(np.float32)
    w3 = (rng.standard_normal((4 * 8 * 8, 10)) * 0.05).astype(np.float32)

    # Calibrate on x with the float net.
    c1 = np.maximum(conv2d(x.astype(np.float64), w1, b1, 1), 0)
    c2 = conv2d(c1, w2, b2, 1)
    y = c2.reshape(1, -1) @ w3
    sx, zx = activation_params(x)
    s1, z1 = activation_params(c1)
    s2, z2 = activation_params(c2)
    sy, zy = activation_params(y)

    q1, ws1 = quantize_weights(w1, 0)
    q2, ws2 = quantize_weights(w2, 0)
    q3, ws3 = quantize_weights(w3, 1)
    # int32 biases in units of input scale x weight scale, as quantize_static.
    bs1 = (sx * ws1).astype(np.float32)
    bs2 = (s1 * ws2).astype(np.float32)
    qb1 = np.round(b1 / bs1).astype(np.int32)
    qb2 = np.round(b2 / bs2).astype(np.int32)

    inits = [
        const("x_scale", sx), const("x_zp", zx), const("r1_scale", s1), const("r1_zp", z1),
        const("c2_scale", s2), const("c2_zp", z2), const("y_scale", sy), const("y_zp", zy),
        const("w1_q", q1), const("w1_scale", ws1), const("w1_zp", np.zeros(8, np.int8)),
        const("w2_q", q2), const("w2_scale", ws2), const("w2_zp", np.zeros(4, np.int8)),
        const("w3_q", q3), const("w3_scale", ws3), const("w3_zp", np.zeros(10, np.int8)),
        const("b1_q", qb1), const("b1_scale", bs1), const("b1_zp", np.zeros(8, np.int32)),
        const("b2_q", qb2), const("b2_scale", bs2), const("b2_zp", np.zeros(4, np.int32)),
        const("flat_shape", np.array([1, -1], np.int64)),
    ]

    def qdq(name, value, scale, zp):
        return [helper.make_node("QuantizeLinear", [value, scale, zp], [name + "_q"],
                                 name=name + "_quantize"),
                helper.make_node("DequantizeLinear", [name + "_q", scale, zp], [name + "_dq"],
                                 name=name + "_dequantize")]

    def dq(name, axis):
        return helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"],
                                [name], name=name + "_dequantize", axis=axis)

    nodes = (
        qdq("x", "x", "x_scale", "x_zp")
        + [dq("w1", 0), dq("b1", 0),
           helper.make_node("Conv", ["x_dq", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
           helper.make_node("Relu", ["c1"], ["r1"], name="relu1")]
        + qdq("r1", "r1", "r1_scale", "r1_zp")
        + [dq("w2", 0), dq("b2", 0),
           helper.make_node("Conv", ["r1_dq", "w2", "b2"], ["c2"], name="conv2",
                            pads=[1, 1, 1, 1])]
        + qdq("c2", "c2", "c2_scale", "c2_zp")
        + [helper.make_node("Reshape", ["c2_dq", "flat_shape"], ["flat"], name="flatten")]
        + qdq("flat", "flat", "c2_scale", "c2_zp")
        + [dq("w3", 1),
           helper.make_node("MatMul", ["flat_dq", "w3"], ["mm"], name="matmul")]
        + qdq("mm", "mm", "y_scale", "y_zp")
    )
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(
        nodes, "qdq_convnet",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return sy


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 64)).astype(np.float32)
    a3 = rng.standard_normal((2, 3, 128)).astype(np.float32)
    x = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
    np.save(os.path.join(out, "a.npy"), a)
    np.save(os.path.join(out, "a3.npy"), a3)
    np.save(os.path.join(out, "x.npy"), x)
    matmul_nbits(os.path.join(out, "matmul_nbits.onnx"), rng, a.shape, 64, 16, 32,
                 zero_points=True, bias=True)
    matmul_nbits(os.path.join(out, "matmul_nbits_3d.onnx"), rng, a3.shape, 128, 8, 16,
                 zero_points=False, bias=False)
    y_scale = qdq_convnet(os.path.join(out, "qdq_convnet.onnx"), x)
    # One output quantization step: the tolerance the QDQ comparison uses.
    with open(os.path.join(out, "qdq_convnet.step"), "w") as f:
        f.write("%.9g\n" % y_scale)


if __name__ == "__main__":
    main()
