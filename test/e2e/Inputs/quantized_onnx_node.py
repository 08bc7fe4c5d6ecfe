#!/usr/bin/env python3
"""Writes lowbit modules equivalent to ONNX backend node tests of quantized
ops, with the tests' own inputs and expected outputs (written by ONNX, not
by us), for quantized-onnx-node.test:

  quantized_onnx_node.py ONNX_NODE_DIR OUTDIR

For each CASE: OUTDIR/CASE.mlir (the op as lowbit.quantized_matmul /
quantized_conv; scales and zero points, which ONNX passes as inputs, become
the `!quant` types), OUTDIR/CASE.NAME.npy for the remaining inputs and
OUTDIR/CASE.out.npy for output_0.pb. Quantized tensors cross the artifact
boundary as their storage bytes, so uint8 data is passed as its int8 bit
pattern. `_const` cases bake the weights into the module as constants.

Run with /usr/bin/python3 (lit: %python): it needs onnx and numpy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

NODE, OUT = sys.argv[1], sys.argv[2]


def load(test):
    """The inputs and output of test_data_set_0, by ONNX name."""
    model = onnx.load(os.path.join(NODE, test, "model.onnx"))
    names = [i.name for i in model.graph.input] + \
        [o.name for o in model.graph.output]
    data = {}
    for index, name in enumerate(names):
        kind = "input_%d" % index if index < len(model.graph.input) else \
            "output_%d" % (index - len(model.graph.input))
        path = os.path.join(NODE, test, "test_data_set_0", kind + ".pb")
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        data[name] = numpy_helper.to_array(tensor)
    node = model.graph.node[0]
    attrs = {a.name: onnx.helper.get_attribute_value(a)
             for a in node.attribute}
    return data, attrs


def scalar(array):
    return np.asarray(array).reshape(-1)[0]


def quant_type(array, scale, zero_point):
    storage = "u8" if array.dtype == np.uint8 else "i8"
    return "!quant.uniform<%s:f32, %s:%d>" % (
        storage, repr(float(np.float32(scale))), int(zero_point))


def tensor(shape, element):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), element)


def literal(array):
    if array.ndim == 0:
        return str(int(array))
    return "[" + ", ".join(literal(row) for row in array) + "]"


def write(case, op, lhs, lhs_type, rhs, rhs_type, result_type, result_shape,
          expected, attrs="", const_rhs=False):
    """One module: %lhs (and %rhs unless constant) as int8 storage inputs."""
    args = ['%%lhs: %s {lowbit.name = "lhs"}' % tensor(lhs.shape, "i8")]
    body = ["%%lhs_q = quant.scast %%lhs : %s to %s" %
            (tensor(lhs.shape, "i8"), tensor(lhs.shape, lhs_type))]
    if const_rhs:
        body.append("%%rhs = lowbit.constant dense<%s> : %s" %
                    (literal(rhs.view(np.int8)), tensor(rhs.shape, "i8")))
    else:
        args.append('%%rhs: %s {lowbit.name = "rhs"}' %
                    tensor(rhs.shape, "i8"))
    body.append("%%rhs_q = quant.scast %%rhs : %s to %s" %
                (tensor(rhs.shape, "i8"), tensor(rhs.shape, rhs_type)))
    storage = "i32" if result_type == "i32" else "i8"
    body.append("%%y = lowbit.%s %%lhs_q, %%rhs_q%s : (%s, %s) -> %s" %
                (op, attrs, tensor(lhs.shape, lhs_type),
                 tensor(rhs.shape, rhs_type),
                 tensor(result_shape, result_type)))
    result = "%y"
    if storage != "i32":
        body.append("%%y_s = quant.scast %%y : %s to %s" %
                    (tensor(result_shape, result_type),
                     tensor(result_shape, storage)))
        result = "%y_s"
    text = ["func.func @main(%s) -> (%s {lowbit.name = \"y\"}) {" %
            (", ".join(args), tensor(result_shape, storage))]
    text += ["  " + line for line in body]
    text += ["  return %s : %s" % (result, tensor(result_shape, storage)), "}"]
    with open(os.path.join(OUT, case + ".mlir"), "w") as f:
        f.write("\n".join(text) + "\n")
    np.save(os.path.join(OUT, case + ".lhs.npy"), lhs.view(np.int8))
    if not const_rhs:
        np.save(os.path.join(OUT, case + ".rhs.npy"), rhs.view(np.int8))
    if expected.dtype == np.uint8:
        expected = expected.view(np.int8)
    np.save(os.path.join(OUT, case + ".out.npy"), expected)


def qlinear_matmul(test, case, const_rhs=False):
    d, _ = load(test)
    a_type = quant_type(d["a"], scalar(d["a_scale"]), scalar(d["a_zero_point"]))
    b_type = quant_type(d["b"], scalar(d["b_scale"]), scalar(d["b_zero_point"]))
    y_type = quant_type(d["y"], scalar(d["y_scale"]), scalar(d["y_zero_point"]))
    write(case, "quantized_matmul", d["a"], a_type, d["b"], b_type, y_type,
          d["y"].shape, d["y"], const_rhs=const_rhs)


def qlinear_conv(test, case):
    d, attrs = load(test)
    x_type = quant_type(d["x"], scalar(d["x_scale"]), scalar(d["x_zero_point"]))
    w_type = quant_type(d["w"], scalar(d["w_scale"]), scalar(d["w_zero_point"]))
    y_type = quant_type(d["y"], scalar(d["y_scale"]), scalar(d["y_zero_point"]))
    write(case, "quantized_conv", d["x"], x_type, d["w"], w_type, y_type,
          d["y"].shape, d["y"], conv_attrs(attrs, d["w"].ndim - 2))


def conv_attrs(attrs, spatial):
    def ints(values):
        return ", ".join(str(v) for v in values)
    return (" {strides = array<i64: %s>, dilations = array<i64: %s>, "
            "pads = array<i64: %s>}" % (
                ints(attrs.get("strides") or [1] * spatial),
                ints(attrs.get("dilations") or [1] * spatial),
                ints(attrs.get("pads") or [0] * (2 * spatial))))


def matmul_integer(test, case):
    d, _ = load(test)
    a_type = quant_type(d["A"], 1.0, scalar(d["a_zero_point"]))
    b_type = quant_type(d["B"], 1.0, scalar(d["b_zero_point"]))
    write(case, "quantized_matmul", d["A"], a_type, d["B"], b_type, "i32",
          d["Y"].shape, d["Y"])


def conv_integer(test, case):
    d, attrs = load(test)
    x_type = quant_type(d["x"], 1.0, scalar(d["x_zero_point"]))
    w_type = quant_type(d["w"], 1.0, 0)
    write(case, "quantized_conv", d["x"], x_type, d["w"], w_type, "i32",
          d["y"].shape, d["y"], conv_attrs(attrs, d["w"].ndim - 2))


qlinear_matmul("test_qlinearmatmul_2D", "qlinearmatmul_2d")
qlinear_matmul("test_qlinearmatmul_2D", "qlinearmatmul_2d_const",
               const_rhs=True)
qlinear_matmul("test_qlinearmatmul_3D", "qlinearmatmul_3d")
qlinear_conv("test_qlinearconv", "qlinearconv")
matmul_integer("test_matmulinteger", "matmulinteger")
conv_integer("test_convinteger_with_padding", "convinteger_with_padding")
conv_integer("test_convinteger_without_padding", "convinteger_without_padding")
