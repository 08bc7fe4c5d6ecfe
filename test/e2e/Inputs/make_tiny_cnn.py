#!/usr/bin/env python3
"""Writes DIR/tiny_cnn.onnx (Conv 3x3 pad 1 + Relu + MatMul + Sigmoid, with a
symbolic batch) and DIR/x.npy, DIR/out.npy computed with plain numpy loops.

Run with /usr/bin/python3 (lit: %python): it needs onnx and numpy."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out_dir = sys.argv[1]
rng = np.random.default_rng(1)
W = (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(np.float32)
B = rng.standard_normal(8).astype(np.float32)
M = rng.standard_normal((16, 10)).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"]),
    helper.make_node("MatMul", ["r", "M"], ["y"]),
    helper.make_node("Sigmoid", ["y"], ["out"]),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 12, 16])],
    [helper.make_tensor_value_info("out", TensorProto.FLOAT,
                                   ["N", 8, 12, 10])],
    [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B"),
     numpy_helper.from_array(M, "M")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out_dir + "/tiny_cnn.onnx")

x = rng.standard_normal((1, 3, 12, 16)).astype(np.float32)
xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
conv = np.zeros((1, 8, 12, 16))
for f in range(8):
    for i in range(12):
        for j in range(16):
            conv[0, f, i, j] = np.sum(xp[0, :, i:i + 3, j:j + 3] * W[f]) + B[f]
y = np.maximum(conv, 0) @ M
np.save(out_dir + "/x.npy", x)
np.save(out_dir + "/out.npy", (1 / (1 + np.exp(-y))).astype(np.float32))
