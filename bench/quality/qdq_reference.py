#!/usr/bin/python3
"""An ONNX QDQ model with exactly an artifact's w8a8 parameters, for ONNX Runtime.

Usage: bench/quality/qdq_reference.py MODEL.onnx ARTIFACT OUT.onnx

Reads the activation scale / zero point of every quantized layer from
ARTIFACT/manifest.json and rebuilds the same quantization in ONNX: a
BatchNormalization that follows a layer's Conv is folded into it first (as
lowbit-fold-batch-norm does, the layer then carries the BN's name), weights
are rounded to int8 [-127, 127] per output channel (absmax / 127) and the bias
to int32 at scale s_act * s_w (clamped, as the compiler does), both stored as
the float values of their codes, and the layer's input gets QuantizeLinear ->
DequantizeLinear with the manifest's parameters (the model keeps its opset). Running the result through
ONNX Runtime (examples/ocr/evaluate.py --ort OUT.onnx) is an independent
check of the compiler's integer numerics: it should agree with the artifact
far better than either agrees with the float model. Conv layers (with a
following BatchNormalization) and MatMul layers with a constant [K, N] weight
(per-column scales, no bias folding) are handled; anything else is left float
with a warning.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    model_path, artifact, out_path = sys.argv[1:]
    import json
    with open(f"{artifact}/manifest.json") as f:
        layers = json.load(f)["quantization"]["layers"]
    model = onnx.load(model_path)
    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    by_name = {n.name: n for n in graph.node}
    producer = {o: n for n in graph.node for o in n.output}
    new_inits, new_nodes_before, removed = [], {}, set()

    def add_init(name, array):
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    for layer in layers:
        name, act = layer["name"], layer["activations"]
        node = by_name.get(name)
        if node is None:
            print(f"warning: no node {name}", file=sys.stderr)
            continue
        bn = None
        if node.op_type == "BatchNormalization":
            bn, node = node, producer[node.input[0]]
        if not isinstance(act, dict) or node.op_type not in ("Conv", "MatMul"):
            print(f"warning: {name} ({node.op_type}) left float", file=sys.stderr)
            continue
        if node.op_type == "MatMul":
            # Weight [K, N]: one scale per column N; no bias operand.
            w = consts[node.input[1]].astype(np.float32)
            sw = (np.abs(w).max(axis=0) / np.float32(127)).astype(np.float32)
            sw[sw == 0] = 1
            wq = np.clip(np.rint(w / sw), -127, 127)
            p = name.replace(".", "_")
            add_init(p + "_wd", (wq * sw).astype(np.float32))
            add_init(p + "_as", np.array(act["scale"], np.float32))
            add_init(p + "_az", np.array(act["zero_point"], np.int8))
            new_nodes_before.setdefault(node.name, []).extend([
                helper.make_node("QuantizeLinear", [node.input[0], p + "_as", p + "_az"],
                                 [p + "_xq"]),
                helper.make_node("DequantizeLinear", [p + "_xq", p + "_as", p + "_az"],
                                 [p + "_xd"]),
            ])
            node.input[0], node.input[1] = p + "_xd", p + "_wd"
            continue
        w = consts[node.input[1]].astype(np.float64)
        b = (consts[node.input[2]].astype(np.float64) if len(node.input) > 2 and node.input[2]
             else np.zeros(w.shape[0]))
        if bn is not None:
            gamma, beta, mean, var = (consts[i].astype(np.float64) for i in bn.input[1:])
            eps = next((a.f for a in bn.attribute if a.name == "epsilon"), 1e-5)
            s = gamma / np.sqrt(var + eps)
            w = w * s[:, None, None, None]
            b = (b - mean) * s + beta
            removed.add(bn.name)
            node.output[0] = bn.output[0]
        w32 = w.astype(np.float32)
        absmax = np.abs(w32).reshape(w32.shape[0], -1).max(axis=1)
        sw = (absmax / np.float32(127)).astype(np.float32)
        sw[sw == 0] = 1
        wq = np.clip(np.rint(w32 / sw[:, None, None, None]), -127, 127).astype(np.int8)
        sa, za = np.float32(act["scale"]), np.int8(act["zero_point"])
        sb = (sa * sw).astype(np.float32)
        with np.errstate(all="ignore"):  # near-zero weight scales: clamp as the compiler does
            bq = np.nan_to_num(np.rint(b.astype(np.float32) / sb), nan=0.0)
        bq = np.clip(bq.astype(np.float64), -2.0**31, 2.0**31 - 1).astype(np.int32)
        p = name.replace(".", "_")
        # Weights and bias enter already dequantized (float values of the
        # integer codes), so the model keeps its opset: per-axis
        # DequantizeLinear would need opset 13.
        add_init(p + "_wd", (wq.astype(np.float32) * sw[:, None, None, None]).astype(np.float32))
        add_init(p + "_bd", (bq.astype(np.float64) * sb).astype(np.float32))
        add_init(p + "_as", np.array(sa, np.float32))
        add_init(p + "_az", np.array(za, np.int8))
        x = node.input[0]
        new_nodes_before.setdefault(node.name, []).extend([
            helper.make_node("QuantizeLinear", [x, p + "_as", p + "_az"], [p + "_xq"]),
            helper.make_node("DequantizeLinear", [p + "_xq", p + "_as", p + "_az"], [p + "_xd"]),
        ])
        del node.input[:]
        node.input.extend([p + "_xd", p + "_wd", p + "_bd"])

    nodes = []
    for node in graph.node:
        if node.name in removed:
            continue
        nodes.extend(new_nodes_before.get(node.name, []))
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(new_inits)
    # QuantizeLinear needs opset 10, and ONNX Runtime's QDQ rewrites insert
    # opset-11 ops; from opset 9 only Slice and Clip changed on the way
    # (their attributes became inputs).
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and opset.version < 11:
            opset.version = 11
            for node in graph.node:
                keys = {"Slice": ("starts", "ends", "axes"), "Clip": ("min", "max")}
                if node.op_type not in keys or not node.attribute:
                    continue
                attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
                del node.attribute[:]
                for key in keys[node.op_type]:
                    init = f"{node.output[0]}_{key}"
                    if key not in attrs:
                        node.input.append("")
                        continue
                    value = (np.array(attrs[key], np.int64) if node.op_type == "Slice"
                             else np.array(attrs[key], np.float32))
                    graph.initializer.append(numpy_helper.from_array(value, init))
                    node.input.append(init)
                while node.input and not node.input[-1]:
                    del node.input[-1]
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    main()
