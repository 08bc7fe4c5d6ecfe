#!/usr/bin/env python3
"""Writes the tiny ONNX models the importer tests use.

Usage: make_onnx_model.py NAME OUTPUT.onnx

Models are built with onnx.helper at test time so that the tests carry no
binary files; every model is deterministic.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, initializers=(), opset=13, name="test"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def tensor_input(name, dims, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, dims)


def conv_bn_relu():
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "conv.weight")
    b = numpy_helper.from_array(np.zeros(8, np.float32), "conv.bias")
    bn = [numpy_helper.from_array(v.astype(np.float32), n) for v, n in [
        (np.ones(8), "bn.scale"), (np.zeros(8), "bn.bias"),
        (np.full(8, 0.5), "bn.mean"), (np.full(8, 2.0), "bn.var")]]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv1",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                         ["n"], name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["y"], name="relu1"),
    ]
    return model(nodes, [tensor_input("x", [1, 3, 32, 32])],
                 [tensor_input("y", [1, 8, 16, 16])], [w, b] + bn)


def constants():
    # An initializer in float_data, one in int64_data, one in raw_data, and
    # Constant nodes with value / value_float / value_ints.
    typed = helper.make_tensor("typed", TensorProto.FLOAT, [2], [1.5, -2.0])
    ints = helper.make_tensor("ints", TensorProto.INT64, [2], [3, 4])
    raw = numpy_helper.from_array(np.arange(32, dtype=np.float32).reshape(8, 4), "raw")
    big = numpy_helper.from_array(np.arange(64, dtype=np.float32).reshape(8, 8), "big")
    nodes = [
        helper.make_node("Constant", [], ["cvalue"], name="const_value",
                         value=numpy_helper.from_array(np.arange(24, dtype=np.float32).reshape(3, 8), "v")),
        helper.make_node("Constant", [], ["cfloat"], name="const_float", value_float=0.25),
        helper.make_node("Constant", [], ["cints"], name="const_ints", value_ints=[4, 8]),
        helper.make_node("Add", ["x", "typed"], ["a"], name="add_typed"),
        helper.make_node("Mul", ["a", "cfloat"], ["b"], name="mul_float"),
        helper.make_node("Reshape", ["raw", "cints"], ["r"], name="reshape_raw"),
        helper.make_node("MatMul", ["r", "big"], ["m"], name="matmul_big"),
        helper.make_node("Concat", ["cvalue", "m"], ["c"], name="concat", axis=0),
        helper.make_node("Cast", ["ints"], ["f"], name="cast_ints", to=TensorProto.FLOAT),
    ]
    return model(nodes, [tensor_input("x", [2])],
                 [tensor_input("b", [2]), tensor_input("c", [7, 8]), tensor_input("f", [2])],
                 [typed, ints, raw, big])


def shape_folding():
    # Reshape x: [N, C, H, W] -> [N, C*H*W] through Shape -> Gather ->
    # Unsqueeze -> Concat, as exporters emit it.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Constant", [], ["i0"], name="idx0", value=helper.make_tensor("i0", TensorProto.INT64, [], [0])),
        helper.make_node("Gather", ["s", "i0"], ["n"], name="gather_n", axis=0),
        helper.make_node("Constant", [], ["ax"], name="axes", value_ints=[0]),
        helper.make_node("Unsqueeze", ["n", "ax"], ["n1"], name="unsqueeze_n"),
        helper.make_node("Constant", [], ["m1"], name="minus_one", value_ints=[-1]),
        helper.make_node("Concat", ["n1", "m1"], ["target"], name="concat_shape", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="flatten"),
    ]
    return model(nodes, [tensor_input("x", ["batch", 3, 4, 5])], [tensor_input("y", ["batch", 60])])


def bound_inputs():
    # The Reshape's shape is a graph input reaching it through two Casts the
    # importer folds on the host once the input is bound; bias is data.
    nodes = [
        helper.make_node("Cast", ["shape"], ["shape_f"], name="to_float", to=TensorProto.FLOAT),
        helper.make_node("Cast", ["shape_f"], ["shape_i"], name="to_int", to=TensorProto.INT64),
        helper.make_node("Reshape", ["x", "shape_i"], ["r"], name="reshape"),
        helper.make_node("Add", ["r", "bias"], ["y"], name="add_bias"),
    ]
    return model(nodes, [tensor_input("x", [2, 3, 4]), tensor_input("shape", [2], TensorProto.INT64),
                         tensor_input("bias", [1])],
                 [tensor_input("y", ["a", "b"])])


def symbolic():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [tensor_input("x", ["batch", 3, "height", "width"])],
                 [tensor_input("y", ["batch", 3, "height", "width"])])


def unsupported_op():
    nodes = [helper.make_node("Det", ["x"], ["d"], name="det_node")]
    return model(nodes, [tensor_input("x", [3, 3])], [tensor_input("d", [])])


def custom_domain():
    nodes = [helper.make_node("Foo", ["x"], ["y"], name="custom_node", domain="com.example")]
    m = model(nodes, [tensor_input("x", [4])], [tensor_input("y", [4])])
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    return m


def opset_too_new():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model(nodes, [tensor_input("x", [4])], [tensor_input("y", [4])], opset=99)


def opset_variants():
    # Softmax before 13 coerces to 2-D; Clip before 11 has attributes; Slice
    # before 10 has attributes; MaxPool with ceil_mode and AveragePool with
    # SAME_UPPER; Upsample with scales.
    nodes = [
        helper.make_node("Softmax", ["x"], ["sm"], name="softmax_axis1", axis=1),
        helper.make_node("Clip", ["sm"], ["cl"], name="clip_attrs", min=0.0, max=6.0),
        helper.make_node("Slice", ["cl"], ["sl"], name="slice_attrs", starts=[1, -100], ends=[1000, -1],
                         axes=[2, 3]),
        helper.make_node("MaxPool", ["x"], ["mp"], name="maxpool_same", kernel_shape=[3, 3],
                         strides=[2, 2], auto_pad="SAME_UPPER"),
        helper.make_node("AveragePool", ["x"], ["ap"], name="avgpool", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Upsample", ["x", "scales"], ["up"], name="upsample", mode="nearest"),
    ]
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")
    return model(nodes, [tensor_input("x", [1, 2, 5, 6])],
                 [tensor_input("sl", [1, 2, 4, 5]), tensor_input("mp", [1, 2, 3, 3]),
                  tensor_input("ap", [1, 2, 2, 3]), tensor_input("up", [1, 2, 10, 12])],
                 [scales], opset=9)


def opset13_variants():
    nodes = [
        helper.make_node("Softmax", ["x"], ["sm"], name="softmax_axis1", axis=1),
        helper.make_node("Clip", ["sm", "lo", "hi"], ["cl"], name="clip_inputs"),
        helper.make_node("Slice", ["cl", "starts", "ends", "axes", "steps"], ["sl"], name="slice_inputs"),
        helper.make_node("ReduceSum", ["sl", "axes"], ["rs"], name="reduce_sum", keepdims=0),
        helper.make_node("ReduceMean", ["sl"], ["rm"], name="reduce_mean", axes=[-1, 1]),
        helper.make_node("Resize", ["x", "", "rscales"], ["rz"], name="resize", mode="linear"),
        # tf_crop_and_resize: roi and extrapolation_value become attributes.
        helper.make_node("Resize", ["x", "roi", "cscales"], ["cr"], name="crop_resize", mode="linear",
                         coordinate_transformation_mode="tf_crop_and_resize",
                         extrapolation_value=1.5),
        helper.make_node("Squeeze", ["rm", "sq"], ["sq_out"], name="squeeze"),
    ]
    inits = [
        numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
        numpy_helper.from_array(np.array(6.0, np.float32), "hi"),
        numpy_helper.from_array(np.array([-1, 4], np.int64), "starts"),
        numpy_helper.from_array(np.array([-100, 0], np.int64), "ends"),
        numpy_helper.from_array(np.array([2, -1], np.int64), "axes"),
        numpy_helper.from_array(np.array([-2, -3], np.int64), "steps"),
        numpy_helper.from_array(np.array([1, 1, 0.5, 2], np.float32), "rscales"),
        numpy_helper.from_array(np.array([3], np.int64), "sq"),
        numpy_helper.from_array(np.array([0, 0, 0.25, 0, 1, 1, 0.75, 0.5], np.float32), "roi"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "cscales"),
    ]
    return model(nodes, [tensor_input("x", [1, 2, 5, 6])],
                 [tensor_input("rs", [1, 2]), tensor_input("sq_out", [1, 1, 3]),
                  tensor_input("rz", [1, 2, 2, 12]), tensor_input("cr", [1, 2, 10, 12])], inits)


def losses():
    """SoftmaxCrossEntropyLoss with weights and ignore_index, composed."""
    nodes = [
        helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t", "w"], ["loss", "logp"],
                         name="sce", ignore_index=-1),
    ]
    return model(nodes, [tensor_input("x", [2, 3, 4]), tensor_input("t", [2, 4], TensorProto.INT64),
                         tensor_input("w", [3])],
                 [tensor_input("loss", []), tensor_input("logp", [2, 3, 4])])


def external_data(path, location, make_file=True):
    """A MatMul whose weight lives in external data at `location`."""
    w = numpy_helper.from_array(np.arange(16, dtype=np.float32).reshape(4, 4), "w")
    data = w.raw_data
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in [("location", location), ("offset", "8"), ("length", str(len(data)))]:
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    if make_file:
        with open(os.path.join(os.path.dirname(os.path.abspath(path)), "weights.bin"), "wb") as f:
            f.write(b"\0" * 8 + data)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul")]
    return model(nodes, [tensor_input("x", [2, 4])], [tensor_input("y", [2, 4])], [w])


def main():
    name, out = sys.argv[1], sys.argv[2]
    if name.startswith("external_"):
        locations = {"external_ok": "weights.bin", "external_dotdot": "../weights.bin",
                     "external_absolute": "/etc/passwd", "external_symlink": "link.bin"}
        m = external_data(out, locations[name], make_file=name == "external_ok")
    else:
        m = globals()[name]()
    with open(out, "wb") as f:
        f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
