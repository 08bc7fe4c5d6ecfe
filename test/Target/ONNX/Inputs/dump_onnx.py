#!/usr/bin/python3
"""Print an ONNX model's opset, nodes and small initializers, one per line,
after checking it with onnx.checker (tests FileCheck the listing)."""
import sys

import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
print("opset", ",".join(f"{o.domain or 'ai.onnx'}:{o.version}" for o in model.opset_import))
graph = model.graph
for value in graph.input:
    print("input", value.name, onnx.TensorProto.DataType.Name(value.type.tensor_type.elem_type))
for init in graph.initializer:
    array = numpy_helper.to_array(init)
    shown = array.tolist() if array.size <= 8 else f"<{array.size} values>"
    print("initializer", init.name, array.dtype, list(array.shape), shown)
for node in graph.node:
    attrs = " ".join(f"{a.name}={onnx.helper.get_attribute_value(a)}" for a in node.attribute)
    print("node", node.op_type, list(node.input), "->", list(node.output), attrs)
for value in graph.output:
    print("output", value.name, onnx.TensorProto.DataType.Name(value.type.tensor_type.elem_type))
