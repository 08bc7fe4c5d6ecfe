"""Writes a tiny ONNX model, y = Relu(a + b), and data for it.

Usage: make-add-model.py OUTDIR. Creates add.onnx, a.npy, b.npy, y.npy, and
three ONNX backend test folders: good/ (correct references), bad/ (a wrong
output_0.pb) and missing-input/ (input_1.pb left out).
"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["a", "b"], ["sum"]),
            helper.make_node("Relu", ["sum"], ["y"]),
        ],
        "add_relu",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "add.onnx"))

    a = np.array([[-1.5, 0.25, 2], [3, -4, 0.5]], dtype=np.float32)
    b = np.array([1, -1, 0.5], dtype=np.float32)
    y = np.maximum(a + b, 0).astype(np.float32)
    np.save(os.path.join(out, "a.npy"), a)
    np.save(os.path.join(out, "b.npy"), b)
    np.save(os.path.join(out, "y.npy"), y)

    def write_case(name, tensors, outputs):
        case = os.path.join(out, name)
        data = os.path.join(case, "test_data_set_0")
        os.makedirs(data, exist_ok=True)
        shutil.copy(os.path.join(out, "add.onnx"), os.path.join(case, "model.onnx"))
        for i, (tensor_name, value) in enumerate(tensors):
            with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
                f.write(numpy_helper.from_array(value, tensor_name).SerializeToString())
        for i, value in enumerate(outputs):
            # Reference names may be empty: quant-run binds by position.
            with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
                f.write(numpy_helper.from_array(value, "").SerializeToString())

    write_case("good", [("a", a), ("b", b)], [y])
    write_case("bad", [("a", a), ("b", b)], [y + np.float32(0.5)])
    write_case("missing-input", [("a", a)], [y])


if __name__ == "__main__":
    main()
