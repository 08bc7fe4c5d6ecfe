"""Writes ONNX backend test folders for a model whose Reshape takes its
shape from a graph input: y = Reshape(x + b, shape).

Usage: make-bound-input-model.py OUTDIR. The graph inputs are, in order,
shape, x and b, and the input .pb files carry no names, so quant-run must
match them to the model by graph order. Creates bound/ (two data sets that
agree on the shape) and bound-disagree/ (the second data set gives another
shape, which the compiled model cannot take).
"""

import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def main():
    out = sys.argv[1]
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["x", "b"], ["sum"]),
            helper.make_node("Reshape", ["sum", "shape"], ["y"]),
        ],
        "bound_reshape",
        [
            helper.make_tensor_value_info("shape", TensorProto.INT64, [2]),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", "n"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)

    def write_case(name, data_sets):
        case = os.path.join(out, name)
        os.makedirs(case, exist_ok=True)
        onnx.save(model, os.path.join(case, "model.onnx"))
        for index, (shape, x, b) in enumerate(data_sets):
            data = os.path.join(case, "test_data_set_%d" % index)
            os.makedirs(data, exist_ok=True)
            for i, value in enumerate([shape, x, b]):
                with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
                    f.write(numpy_helper.from_array(value, "").SerializeToString())
            y = (x + b).reshape(shape).astype(np.float32)
            with open(os.path.join(data, "output_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(y, "").SerializeToString())

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([1, -1, 0.5], dtype=np.float32)
    shape = np.array([3, 2], dtype=np.int64)
    write_case("bound", [(shape, x, b), (shape, x * 2, b)])
    write_case("bound-disagree", [(shape, x, b), (np.array([6, 1], dtype=np.int64), x, b)])


if __name__ == "__main__":
    main()
