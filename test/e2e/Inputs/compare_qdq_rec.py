#!/usr/bin/python3
"""Compares PaddleOCR rec outputs of ONNX Runtime on our QDQ export with our
artifact's, input by input.

Usage: compare_qdq_rec.py QDQ.onnx ORT_DIR OURS_DIR KEYS [--min-argmax F]

ORT_DIR and OURS_DIR hold one folder per input (same names), each with the
model's one output as .npy ([1, T, C] softmax). KEYS is ppocr_keys_v1.txt.

Prints, per input, the max abs difference, the argmax positions that differ
and both CTC-greedy texts (blank = index 0), then the totals, and fails when

  * fewer than --min-argmax (0.99) of the (input, position) argmaxes agree,
  * or, where the argmaxes agree, a probability differs by more than B.

B is what one quantization step can do at the output: the softmax reads
logits z = x W + b where x is the last quantized tensor (step s). If every
element of x moves by one step, every logit moves by at most
delta = s * max_j sum_i |W_ij|, so every probability by a factor within
exp(+-2 delta), hence by at most 1 - exp(-2 delta). (Given the same x, ORT
and our kernel differ by float rounding only, ~1e-4.) The two runs do not
see the same x: where ORT's float convolutions round a value lying within
a float ulp of a rounding tie the other way, one int8 differs by a step and
the difference propagates and grows through ~45 requantized layers, so a
position whose top two classes are close can flip. Those flips are what the
argmax criterion bounds; B bounds everything else.
"""
import argparse
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def output_bound(path):
    """delta and 1 - exp(-2 delta) for the model's final quantized MatMul."""
    model = onnx.load(path)
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    inits = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    node = producer[graph.output[0].name]
    while node.op_type in ("Softmax", "Add", "Identity"):
        node = producer[node.input[0]]
    if node.op_type != "MatMul":
        sys.exit(f"compare_qdq_rec.py: the output is not a MatMul's (got {node.op_type})")
    dq_x, dq_w = producer[node.input[0]], producer[node.input[1]]
    if dq_x.op_type != "DequantizeLinear" or dq_w.op_type != "DequantizeLinear":
        sys.exit("compare_qdq_rec.py: the final MatMul is not quantized")
    step = float(inits[dq_x.input[1]])
    codes = inits[dq_w.input[0]].astype(np.float64)
    zero = inits[dq_w.input[2]].astype(np.float64) if len(dq_w.input) > 2 else 0.0
    weights = (codes - zero) * inits[dq_w.input[1]].astype(np.float64)
    delta = step * float(np.abs(weights).sum(axis=0).max())
    return step, delta, 1.0 - math.exp(-2.0 * delta)


def ctc_text(probs, chars):
    out, prev = [], 0
    for c in probs.argmax(-1).ravel():
        if c != prev and c != 0:
            out.append(chars[c])
        prev = c
    return "".join(out)


def load_one(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".npy"))
    if len(files) != 1:
        sys.exit(f"compare_qdq_rec.py: expected one .npy in {folder}, got {files}")
    return np.load(os.path.join(folder, files[0]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("ort_dir")
    parser.add_argument("ours_dir")
    parser.add_argument("keys")
    parser.add_argument("--min-argmax", type=float, default=0.99)
    args = parser.parse_args()

    with open(args.keys, encoding="utf-8") as f:
        chars = [""] + [line.rstrip("\n") for line in f] + [" "]
    step, delta, bound = output_bound(args.model)
    print(f"last quantized tensor step {step:.6g}: logits move <= {delta:.4f}, "
          f"probabilities <= B = {bound:.4f}")

    names = sorted(os.listdir(args.ort_dir))
    if not names or names != sorted(os.listdir(args.ours_dir)):
        sys.exit("compare_qdq_rec.py: the two folders hold different inputs")
    positions = flipped = same_text = 0
    max_diff = max_agreeing = 0.0
    for name in names:
        ort = load_one(os.path.join(args.ort_dir, name))[0]
        ours = load_one(os.path.join(args.ours_dir, name))[0]
        if ort.shape != ours.shape:
            sys.exit(f"compare_qdq_rec.py: {name}: shapes {ort.shape} and {ours.shape}")
        diff = np.abs(ort.astype(np.float64) - ours).max(axis=-1)
        agree = ort.argmax(-1) == ours.argmax(-1)
        text_ort, text_ours = ctc_text(ort, chars), ctc_text(ours, chars)
        positions += agree.size
        flipped += int((~agree).sum())
        same_text += text_ort == text_ours
        max_diff = max(max_diff, float(diff.max()))
        if agree.any():
            max_agreeing = max(max_agreeing, float(diff[agree].max()))
        print(f"{name}: max abs diff {diff.max():.4g}, argmax differs at "
              f"{int((~agree).sum())}/{agree.size}, ort {text_ort!r}, ours {text_ours!r}")

    agreement = 1.0 - flipped / positions
    print(f"argmax agreement {agreement:.4f} ({positions - flipped}/{positions}), "
          f"texts identical {same_text}/{len(names)}, max abs diff {max_diff:.4g}, "
          f"where the argmax agrees {max_agreeing:.4g}")
    ok = True
    if agreement < args.min_argmax:
        print(f"FAIL: argmax agreement {agreement:.4f} < {args.min_argmax}")
        ok = False
    if max_agreeing > bound:
        print(f"FAIL: max abs diff {max_agreeing:.4g} > B = {bound:.4f} where the argmax agrees")
        ok = False
    print("ok" if ok else "mismatch")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
