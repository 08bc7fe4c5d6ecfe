#!/usr/bin/env python3
"""Writes the tiny quantized ONNX models the importer's quantization tests use.

Usage: make_quant_model.py NAME OUTPUT.onnx

Pre-quantized graphs as exporters and ONNX Runtime's quantizer write them:
QuantizeLinear / DequantizeLinear pairs, QLinear* ops, *Integer ops,
DynamicQuantizeLinear and com.microsoft MatMulNBits. Built with onnx.helper
at test time so that the tests carry no binary files; deterministic.
"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, initializers=(), opset=13, microsoft=False):
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(initializers))
    imports = [helper.make_opsetid("", opset)]
    if microsoft:
        imports.append(helper.make_opsetid("com.microsoft", 1))
    m = helper.make_model(graph, opset_imports=imports)
    m.ir_version = 8
    return m


def value(name, dims, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, dims)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


U8, I8, I32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32


def qdq_per_tensor():
    """x -> Q(uint8) -> DQ -> y, parameters in initializers."""
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], name="quant"),
        helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"], name="dequant"),
    ]
    return model(nodes, [value("x", [2, 4])], [value("y", [2, 4])],
                 [const("s", np.float32(0.5)), const("zp", np.uint8(128))])


def quantize_per_axis():
    """int8 per-axis QuantizeLinear with a negative axis (Constant node params)."""
    nodes = [
        helper.make_node("Constant", [], ["s"], name="scales",
                         value=const("s", np.array([0.1, 0.2, 0.4], np.float32))),
        helper.make_node("Constant", [], ["zp"], name="zero_points",
                         value=const("zp", np.array([-1, 0, 3], np.int8))),
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], name="quant", axis=-1),
    ]
    return model(nodes, [value("x", [2, 3])], [value("y", [2, 3], I8)])


def quantize_no_zero_point():
    """Opset 10 QuantizeLinear without a zero point: uint8, zero point 0."""
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="quant")]
    return model(nodes, [value("x", [4])], [value("y", [4], U8)],
                 [const("s", np.float32(0.25))], opset=10)


def dequantize_weight_conv():
    """A per-channel int8 weight (axis 0) dequantized into a float Conv."""
    w = np.arange(-8, 10, dtype=np.int8).reshape(2, 1, 3, 3)
    nodes = [
        helper.make_node("DequantizeLinear", ["w", "ws", "wzp"], ["wf"], name="dq_w", axis=0),
        helper.make_node("Conv", ["x", "wf"], ["y"], name="conv", pads=[1, 1, 1, 1]),
    ]
    return model(nodes, [value("x", [1, 1, 4, 4])], [value("y", [1, 2, 4, 4])],
                 [const("w", w), const("ws", np.array([0.5, 0.25], np.float32)),
                  const("wzp", np.array([0, 0], np.int8))])


def quantize_runtime_scale():
    """A scale computed from the input (max |x| / 127): plain arithmetic."""
    nodes = [
        helper.make_node("Abs", ["x"], ["a"], name="abs"),
        helper.make_node("ReduceMax", ["a"], ["m"], name="max", keepdims=0),
        helper.make_node("Div", ["m", "c127"], ["s"], name="scale"),
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], name="quant"),
        helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"], name="dequant"),
    ]
    return model(nodes, [value("x", [2, 4])], [value("y", [2, 4])],
                 [const("c127", np.float32(127)), const("zp", np.int8(0))])


def qlinear_matmul():
    """QLinearMatMul: a per tensor, b per column (int8), y uint8."""
    b = np.arange(-6, 6, dtype=np.int8).reshape(4, 3)
    nodes = [helper.make_node(
        "QLinearMatMul", ["a", "as", "azp", "b", "bs", "bzp", "ys", "yzp"], ["y"], name="qmm")]
    return model(nodes, [value("a", [2, 4], U8)], [value("y", [2, 3], U8)],
                 [const("as", np.float32(0.02)), const("azp", np.uint8(128)), const("b", b),
                  const("bs", np.array([0.01, 0.02, 0.03], np.float32)),
                  const("bzp", np.array([0, 0, 0], np.int8)),
                  const("ys", np.float32(0.05)), const("yzp", np.uint8(100))], opset=10)


def qlinear_conv():
    """QLinearConv: grouped, SAME_UPPER, per-channel int8 weights, int32 bias."""
    w = np.arange(-9, 9, dtype=np.int8).reshape(2, 1, 3, 3)
    nodes = [helper.make_node(
        "QLinearConv", ["x", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp", "bias"], ["y"],
        name="qconv", group=2, auto_pad="SAME_UPPER", strides=[2, 2])]
    return model(nodes, [value("x", [1, 2, 5, 5], U8)], [value("y", [1, 2, 3, 3], U8)],
                 [const("xs", np.float32(0.1)), const("xzp", np.uint8(10)), const("w", w),
                  const("ws", np.array([0.5, 0.25], np.float32)),
                  const("wzp", np.array([0, 0], np.int8)),
                  const("ys", np.float32(0.2)), const("yzp", np.uint8(3)),
                  const("bias", np.array([7, -7], np.int32))], opset=10)


def matmul_integer():
    """MatMulInteger with constant zero points: scalar for A, per column for B."""
    nodes = [helper.make_node("MatMulInteger", ["a", "b", "azp", "bzp"], ["y"], name="mmi")]
    return model(nodes, [value("a", [2, 4], U8), value("b", [4, 3], U8)], [value("y", [2, 3], I32)],
                 [const("azp", np.uint8(12)), const("bzp", np.array([1, 2, 3], np.uint8))],
                 opset=10)


def matmul_integer_dynamic():
    """DynamicQuantizeLinear feeding MatMulInteger: a run-time zero point."""
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"], name="dql"),
        helper.make_node("MatMulInteger", ["xq", "w", "xzp"], ["y"], name="mmi"),
    ]
    w = np.arange(12, dtype=np.int8).reshape(4, 3) - 6
    return model(nodes, [value("x", [2, 4])], [value("y", [2, 3], I32)],
                 [const("w", w)], opset=11)


def conv_integer():
    """ConvInteger with pads and a constant scalar x zero point."""
    nodes = [helper.make_node("ConvInteger", ["x", "w", "xzp"], ["y"], name="convi",
                              pads=[1, 1, 1, 1])]
    return model(nodes, [value("x", [1, 1, 3, 3], U8), value("w", [1, 1, 2, 2], U8)],
                 [value("y", [1, 1, 4, 4], I32)], [const("xzp", np.uint8(1))], opset=10)


def dynamic_quantize_linear():
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "ys", "yzp"], name="dql")]
    return model(nodes, [value("x", [2, 3])],
                 [value("y", [2, 3], U8), value("ys", []), value("yzp", [], U8)], opset=11)


def matmul_nbits(bits=4, g_idx=False):
    """com.microsoft MatMulNBits: K = 32, N = 3, block_size 16, packed zero
    points and a bias. Codes q[n, k] = (n + k) % 16, zero point of block b
    of row n = (n + 2 * b) % 16."""
    k, n, block = 32, 3, 16
    blocks = k // block
    q = (np.arange(n)[:, None] + np.arange(k)[None, :]) % 16
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8).reshape(n, blocks, block // 2)
    zps = (np.arange(n)[:, None] + 2 * np.arange(blocks)[None, :]) % 16
    zp_packed = (zps[:, 0::2] | (zps[:, 1::2] << 4)).astype(np.uint8)
    scales = (np.arange(n * blocks, dtype=np.float32) + 1) / 8
    inputs = ["a", "B", "scales", "zp", "g_idx" if g_idx else "", "bias"]
    nodes = [helper.make_node("MatMulNBits", inputs, ["y"], name="mmnb", domain="com.microsoft",
                              K=k, N=n, bits=bits, block_size=block, accuracy_level=4)]
    inits = [const("B", packed), const("scales", scales), const("zp", zp_packed),
             const("bias", np.array([1.0, -1.0, 0.5], np.float32))]
    if g_idx:
        inits.append(const("g_idx", (np.arange(k) // block).astype(np.int32)))
    return model(nodes, [value("a", [2, k])], [value("y", [2, n])], inits, opset=13, microsoft=True)


def matmul_nbits_bits8():
    return matmul_nbits(bits=8)


def matmul_nbits_g_idx():
    return matmul_nbits(g_idx=True)


def qlinear_conv_runtime_weight_scale():
    """QLinearConv whose per-channel weight scales are computed at run time."""
    nodes = [
        helper.make_node("Abs", ["s"], ["ws"], name="weight_scales"),
        helper.make_node("QLinearConv", ["x", "xs", "xzp", "w", "ws", "wzp", "ys", "yzp"], ["y"],
                         name="qconv"),
    ]
    return model(nodes, [value("x", [1, 1, 3, 3], U8), value("s", [2])],
                 [value("y", [1, 2, 3, 3], U8)],
                 [const("xs", np.float32(0.1)), const("xzp", np.uint8(0)),
                  const("w", np.ones((2, 1, 1, 1), np.int8)),
                  const("wzp", np.array([0, 0], np.int8)),
                  const("ys", np.float32(0.1)), const("yzp", np.uint8(0))], opset=10)


def qlinear_matmul_per_row():
    """QLinearMatMul with a per-row a_scale, which the integer kernel lacks."""
    nodes = [helper.make_node(
        "QLinearMatMul", ["a", "as", "azp", "b", "bs", "bzp", "ys", "yzp"], ["y"], name="qmm")]
    return model(nodes, [value("a", [2, 4], U8), value("b", [4, 3], U8)], [value("y", [2, 3], U8)],
                 [const("as", np.array([0.1, 0.2], np.float32)),
                  const("azp", np.array([0, 0], np.uint8)),
                  const("bs", np.float32(0.1)), const("bzp", np.uint8(0)),
                  const("ys", np.float32(0.1)), const("yzp", np.uint8(0))], opset=10)


def main():
    name, out = sys.argv[1], sys.argv[2]
    m = globals()[name]()
    with open(out, "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
