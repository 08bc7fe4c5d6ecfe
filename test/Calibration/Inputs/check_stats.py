#!/usr/bin/env python3
"""Checks a stats file written by quant-compile --calib.

Usage: check_stats.py STATS.json MODEL.onnx SAMPLES [--merged A.json B.json]
       [--equal-tensors FULL.json]

Checks the format, the model hash, the sample count, that every layer of the
calibration test model has ":input" and ":output" statistics with min <= max,
a histogram whose counts add up, and per-channel absmax along the channel
axis for inputs. With --merged, also that counts add and extremes combine.
With --equal-tensors, that the tensor statistics equal another file's.
Prints "OK" on success.
"""

import hashlib
import json
import sys

LAYERS = {"conv1": (1, 3), "conv2": (1, 8), "fc": (1, 512)}


def load(path):
    with open(path) as f:
        return json.load(f)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    path, model, samples = args[0], args[1], int(args[2])
    stats = load(path)
    if stats["format"] != "lowbit-stats" or stats["format_version"] != 1:
        fail("format")
    with open(model, "rb") as f:
        if stats["model_sha256"] != hashlib.sha256(f.read()).hexdigest():
            fail("model_sha256")
    if stats["sample_count"] != samples:
        fail("sample_count %d != %d" % (stats["sample_count"], samples))
    if len(stats["calibration_sha256"]) != 64:
        fail("calibration_sha256")
    tensors = stats["tensors"]
    expected = sorted(l + ":" + k for l in LAYERS for k in ("input", "output"))
    if sorted(tensors) != expected:
        fail("keys %s != %s" % (sorted(tensors), expected))
    for key, t in tensors.items():
        if not t["min"] <= t["max"]:
            fail(key + ": min > max")
        if t["count"] <= 0 or t["non_finite_count"] != 0:
            fail(key + ": count")
        h = t["histogram"]
        if sum(h["counts"]) != t["count"]:
            fail(key + ": histogram counts do not add up to count")
        layer, kind = key.split(":")
        if kind == "input":
            axis, channels = LAYERS[layer]
            if t["channel_axis"] != axis or len(t["channel_abs_max"]) != channels:
                fail(key + ": per-channel absmax")
            if abs(max(t["channel_abs_max"]) - max(-t["min"], t["max"])) > 1e-6:
                fail(key + ": channel absmax disagrees with min/max")
        elif "channel_abs_max" in t:
            fail(key + ": outputs have no per-channel statistics")
    # conv2 and fc read ReLU outputs.
    if tensors["conv2:input"]["min"] < 0 or tensors["fc:input"]["min"] < 0:
        fail("ReLU outputs are negative")

    if "--merged" in args:
        i = args.index("--merged")
        a, b = load(args[i + 1]), load(args[i + 2])
        if stats["sample_count"] != a["sample_count"] + b["sample_count"]:
            fail("merged sample_count")
        for key, t in tensors.items():
            ta, tb = a["tensors"][key], b["tensors"][key]
            if t["count"] != ta["count"] + tb["count"]:
                fail(key + ": merged count")
            if t["min"] != min(ta["min"], tb["min"]) or t["max"] != max(ta["max"], tb["max"]):
                fail(key + ": merged min/max")
    if "--equal-tensors" in args:
        other = load(args[args.index("--equal-tensors") + 1])
        if other["tensors"] != tensors:
            fail("tensor statistics differ from " + args[args.index("--equal-tensors") + 1])
    print("OK")


if __name__ == "__main__":
    main()
