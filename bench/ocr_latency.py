#!/usr/bin/python3
"""Float latency of the PaddleOCR models: LowBit artifact vs ONNX Runtime.

Usage: ocr_latency.py BUILD_DIR [--runs N] [--rounds R] [--threads T]

Compiles rec, cls and det (timing each compile), then for R rounds runs the
LowBit artifact and ORT alternately, N timed runs each after a warm-up, on
identical inputs and thread counts. Prints medians over all timed runs and
the ratio LowBit / ORT (below 1 means LowBit is faster).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "examples", "ocr"))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e", "Inputs"))
import make_ocr_inputs  # noqa: E402
from ocr_demo import Model  # noqa: E402

MODELS = {
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", "x=1,3,48,320"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "x=1,3,48,192"),
    "det": ("ch_PP-OCRv4_det_infer.onnx", "x=1,3,640,640"),
}


def lowbit_times(model, x, runs):
    model.run(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.run(x)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def ort_median(onnx_path, npy, runs, threads):
    out = subprocess.run(
        ["node", os.path.join(ROOT, "scripts", "ort-run.js"), onnx_path,
         "--input", f"x={npy}", "--bench", str(runs), "--threads", str(threads)],
        check=True, capture_output=True, text=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    assets = os.path.join(ROOT, "third_party", "models", "ocr", "assets")
    work = tempfile.mkdtemp(prefix="lowbit-bench-")
    make_ocr_inputs.write_inputs(work)

    print(f"{'model':6} {'compile s':>10} {'LowBit ms':>10} {'ORT ms':>10} {'ratio':>7}")
    for name, (onnx, shape) in MODELS.items():
        onnx_path = os.path.join(assets, onnx)
        artifact = os.path.join(work, name)
        start = time.perf_counter()
        subprocess.run([os.path.join(args.build, "bin", "quant-compile"), onnx_path,
                        "--target=cpu", f"--input-shape={shape}", "-o", artifact],
                       check=True)
        compile_s = time.perf_counter() - start
        model = Model(artifact)
        model.lib.lowbit_model_set_num_threads(model.handle, args.threads)
        npy = os.path.join(work, f"{name}.npy")
        x = np.load(npy)
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours += lowbit_times(model, x, args.runs)
            theirs.append(ort_median(onnx_path, npy, args.runs, args.threads))
        lb, ort = statistics.median(ours), statistics.median(theirs)
        print(f"{name:6} {compile_s:10.2f} {lb:10.2f} {ort:10.2f} {lb / ort:7.2f}")


if __name__ == "__main__":
    main()
