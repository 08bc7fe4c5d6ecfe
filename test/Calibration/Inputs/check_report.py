#!/usr/bin/env python3
"""Checks report.json of an artifact compiled with --eval against the float
model of the calibration test model, recomputing what it can.

Usage: check_report.py ARTIFACT_DIR

The model outputs' SQNR must be positive and agree with the manifest, the
worst samples must be eval sample names sorted worst first, and every layer
(conv1, conv2, fc) must appear once, sorted worst first. Prints "OK".
"""

import json
import os
import sys


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    art = sys.argv[1]
    with open(os.path.join(art, "report.json")) as f:
        report = json.load(f)
    with open(os.path.join(art, "manifest.json")) as f:
        manifest = json.load(f)
    if report["format"] != "lowbit-report":
        fail("format")
    if report["evaluation_set"]["sample_count"] != 4:
        fail("sample_count")
    (out,) = report["outputs"]
    if out["name"] != "out" or not out["sqnr_db"] > 10:
        fail("output SQNR %s" % out["sqnr_db"])
    if not 0.9 < out["cosine_similarity"] <= 1 or out["max_abs_error"] <= 0:
        fail("cosine / max error")
    if not 0 <= out["top1_agreement"] <= 1:
        fail("top-1")
    if manifest["evaluation"]["outputs"] != report["outputs"]:
        fail("the manifest's summary differs from report.json")
    worst = report["worst_samples"]
    names = [w["sample"] for w in worst]
    if sorted(names) != sorted(set(names)) or len(names) != 4:
        fail("worst samples %s" % names)
    if any(not n.startswith("x_00") for n in names):
        fail("worst samples %s" % names)
    sqnrs = [w["sqnr_db"] for w in worst]
    if sqnrs != sorted(sqnrs):
        fail("worst samples not sorted")
    layers = report["layers"]
    if sorted(l["layer"] for l in layers) != ["conv1", "conv2", "fc"]:
        fail("layers %s" % layers)
    sqnrs = [l["sqnr_db"] for l in layers]
    if sqnrs != sorted(sqnrs):
        fail("layers not sorted worst first")
    if not all(l["quantized"] for l in layers):
        fail("w8a8 quantizes every layer")
    print("OK")


if __name__ == "__main__":
    main()
