#!/usr/bin/python3
"""Quantized quality of the PaddleOCR models: every scheme x observer, one table.

Usage: bench/quality/ocr_quality.py --data DIR --out OUT
           [--models rec,cls,det] [--configs CFG,...] [--compiler PATH]
           [--float MODEL=ARTIFACT ...] [--limit N] [--threads N]

DIR is examples/ocr/dataset.py's output (DIR/calib/<m>, DIR/eval/<m>). For each
model this script

  1. calibrates once on DIR/calib/<m> (quant-compile --save-stats
     OUT/<m>-stats.json; skipped when the file exists) and times it;
  2. compiles the float artifact (or takes --float m=DIR) and one artifact per
     configuration, timing each compile (`--stats` reuses the calibration, so
     the time is the compile alone); a configuration is SCHEME or
     SCHEME:OBSERVER (w8a8:mse, w8a8:percentile:99.99, w4a16-g128 ...);
  3. runs examples/ocr/evaluate.py on DIR/eval/<m> with the float artifact as
     the reference (OUT/<m>-eval.json, all artifacts interleaved per input);
  4. writes OUT/<m>-table.md and OUT/summary.json: accuracy, agreement with
     float (rec: identical lines; cls: same class), det F1 and its delta to
     float, libmodel.so size, median ms/input, compile seconds, and how many
     layers fell back from groups to per-channel weights.

Runs are sequential; on a shared machine the latencies and compile times are
only as stable as the machine's load (reported in summary.json).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASSETS = os.path.join(ROOT, "third_party", "models", "ocr", "assets")
MODELS = {
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", "x=1,3,48,320"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "x=1,3,48,192"),
    "det": ("ch_PP-OCRv4_det_infer.onnx", "x=1,3,640,640"),
}
DEFAULT_CONFIGS = ("w8a8:minmax,w8a8:percentile:99.99,w8a8:mse,w8a8:entropy,"
                   "w4a16-g128,w4a16-g32")
# Schemes whose activations are quantized statically need the statistics.
STATIC = ("w8a8", "w4a8", "ternary", "fp8")


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd, log):
    """Runs cmd; returns (wall seconds, CPU seconds of user + system). On a
    shared machine the CPU time is the steadier of the two."""
    start, cpu = time.perf_counter(), cpu_seconds()
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"ocr_quality.py: failed ({proc.returncode}), see {log}: {' '.join(cmd)}")
    return seconds, cpu_seconds() - cpu


def parse_config(config):
    scheme, _, observer = config.partition(":")
    return scheme, observer or None


def artifact_name(model, scheme, observer):
    name = f"{model}-{scheme}"
    if observer:
        name += "-" + observer.replace(":", "")
    return name


def per_channel_fallbacks(artifact):
    with open(os.path.join(artifact, "manifest.json")) as f:
        layers = (json.load(f).get("quantization") or {}).get("layers", [])
    return sum("+per_channel" in str(layer.get("scheme", "")) for layer in layers)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--models", default="rec,cls,det")
    p.add_argument("--configs", default=DEFAULT_CONFIGS)
    p.add_argument("--compiler", default=os.path.join(ROOT, "build", "bin", "quant-compile"))
    p.add_argument("--float", action="append", default=[], metavar="MODEL=ARTIFACT",
                   help="use this float artifact instead of compiling one")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--skip-existing", action="store_true",
                   help="reuse artifacts already in OUT (and their recorded compile times)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    floats = dict(f.split("=", 1) for f in args.float)
    configs = [parse_config(c) for c in args.configs.split(",") if c]
    summary = {"data": os.path.abspath(args.data), "compiler": args.compiler,
               "load_before": os.getloadavg(), "models": {}}
    for model in args.models.split(","):
        onnx, shape = MODELS[model]
        onnx = os.path.join(ASSETS, onnx)
        base = [args.compiler, onnx, "--input-shape", shape]
        stats = os.path.join(args.out, f"{model}-stats.json")
        info = {"calibration_s": None, "calibration_cpu_s": None, "artifacts": []}
        if not os.path.isfile(stats):
            print(f"[{model}] calibrating", flush=True)
            info["calibration_s"], info["calibration_cpu_s"] = run(
                base + ["--calib", os.path.join(args.data, "calib", model), "--save-stats", stats],
                os.path.join(args.out, f"{model}-calib.log"))
        rows = []  # (name, scheme, observer, path, compile seconds)
        if model in floats:
            rows.append((f"{model}-float", "float", None, floats[model], None))
        todo = ([] if model in floats else [("float", None)]) + configs
        for scheme, observer in todo:
            name = artifact_name(model, scheme, observer)
            path = os.path.join(args.out, name)
            timing = os.path.join(args.out, f"{name}.compile_s")
            if args.skip_existing and os.path.isfile(os.path.join(path, "libmodel.so")):
                with open(timing) as f:
                    seconds = tuple(float(v) for v in f.read().split())
            else:
                cmd = base + ["-o", path]
                if scheme != "float":
                    cmd += ["--scheme", scheme]
                if scheme.startswith(STATIC):
                    cmd += ["--stats", stats, "--observer", observer or "minmax"]
                print(f"[{model}] compiling {name}", flush=True)
                seconds = run(cmd, os.path.join(args.out, f"{name}.log"))
                with open(timing, "w") as f:
                    f.write("%.3f %.3f\n" % seconds)
            rows.append((name, scheme, observer, path, seconds))
        eval_json = os.path.join(args.out, f"{model}-eval.json")
        cmd = [sys.executable, os.path.join(ROOT, "examples", "ocr", "evaluate.py"),
               "--model", model, "--data", os.path.join(args.data, "eval", model),
               "--json", eval_json, "--threads", str(args.threads)]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        for row in rows:
            cmd += ["--artifact", row[3]]
        print(f"[{model}] evaluating {len(rows)} artifacts", flush=True)
        run(cmd, os.path.join(args.out, f"{model}-eval.log"))
        with open(eval_json) as f:
            results = json.load(f)["results"]
        lines = [f"| artifact | scheme | observer | "
                 + ("F1 | dF1 vs float | F1 vs float boxes" if model == "det"
                    else "accuracy | agreement with float")
                 + " | libmodel.so (MB) | ms/input | compile s (wall / CPU) | per-channel fallbacks |",
                 "|---|---|---|" + ("---:|" * (3 if model == "det" else 2)) + "---:|---:|---:|---:|"]
        for (name, scheme, observer, path, seconds), r in zip(rows, results):
            entry = {"name": name, "scheme": scheme, "observer": observer,
                     "compile_s": seconds[0] if seconds else None,
                     "compile_cpu_s": seconds[1] if seconds and len(seconds) > 1 else None,
                     "libmodel_bytes": r["libmodel_bytes"],
                     "ms_per_input": r["latency_ms_median"],
                     "per_channel_fallbacks": per_channel_fallbacks(path)}
            for key in ("accuracy", "agree_with_ref", "exact_accuracy", "cer", "f1",
                        "f1_delta_vs_ref", "f1_vs_ref_boxes", "precision", "recall",
                        "cosine_vs_ref_mean", "cosine_vs_ref_min"):
                if key in r:
                    entry[key] = r[key]
            info["artifacts"].append(entry)
            quality = (f"{100 * r['f1']:.2f}% | {100 * r['f1_delta_vs_ref']:+.2f} | "
                       f"{100 * r['f1_vs_ref_boxes']:.2f}%" if model == "det" else
                       f"{100 * r['accuracy']:.2f}% | {100 * r['agree_with_ref']:.2f}%")
            lines.append(f"| {name} | {scheme} | {observer or '-'} | {quality} | "
                         f"{r['libmodel_bytes'] / 1e6:.2f} | {r['latency_ms_median']:.2f} | "
                         f"{'-' if not seconds else ' / '.join(f'{v:.1f}' for v in seconds)} | "
                         f"{entry['per_channel_fallbacks']} |")
        with open(os.path.join(args.out, f"{model}-table.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)
        summary["models"][model] = info
    summary["load_after"] = os.getloadavg()
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
