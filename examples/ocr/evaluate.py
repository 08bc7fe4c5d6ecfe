#!/usr/bin/python3
"""Task quality of compiled PaddleOCR artifacts on held-out data (dataset.py).

Usage: evaluate.py --model {rec,cls,det} --data DIR/eval/<model>
                   --artifact A [--artifact B ...] [--ort MODEL.onnx]
                   [--ort-batch N] [--json OUT] [--keys KEYS] [--threads N] [--limit N]

Runs every input of the data directory through each artifact's C API (ctypes,
ocr_demo.Model) and, with --ort, through ONNX Runtime (node + ort-run.js, all
inputs as one batch so node starts once). The FIRST artifact is the reference
(the float model): every other row says how far it is from it.

  rec  CTC greedy decode (ppocr_keys_v1.txt), leading/trailing spaces
       stripped (the line's margins read as spaces). Accuracy and character
       error rate ignore spaces, as PaddleOCR's RecMetric does by default (the
       Chinese recognizer often drops the space in "3 x 4" or "USD 7.37");
       exact-match accuracy counts them. Agreement with the reference is the
       share of identical lines, spaces included; lists up to 10 lines that
       differ from the reference.
  cls  top-1 accuracy against the 0/180 label, agreement with the reference.
  det  DB post-processing (probability > 0.3, connected components, mean box
       score >= 0.6, unclip ratio 1.5 on axis-aligned boxes), greedy matching
       at IoU >= 0.5: precision, recall, F1 against the ground truth, F1
       difference to the reference and F1 of the boxes against the reference's.

Every row also has the output's cosine similarity to the reference (mean and
minimum over the inputs), the median latency per input (one timed run each,
after a warm-up; ORT rows run batched and have none) and the artifact's size
on disk. --json writes all of it machine-readably.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import ocr_lines  # noqa: E402
from ocr_demo import Model  # noqa: E402

DEFAULT_KEYS = os.path.join(ROOT, "third_party", "models", "ocr", "assets", "ppocr_keys_v1.txt")
ORT_RUN = os.path.join(ROOT, "scripts", "ort-run.js")
CLS_LABELS = [0, 180]
DB_THRESH, DB_BOX_THRESH, DB_UNCLIP, DB_MIN_SIZE = 0.3, 0.6, 1.5, 3
MATCH_IOU = 0.5
MAX_LISTED = 10


class EvalError(Exception):
    """A problem with the user's input: printed as one line, no traceback."""


# ---------------------------------------------------------------- data ----

def load_dataset(model, data, limit):
    if not os.path.isdir(data):
        raise EvalError(f"data directory '{data}' does not exist "
                        f"(make it with examples/ocr/dataset.py OUT_DIR; use OUT_DIR/eval/{model})")
    index = os.path.join(data, "boxes.json" if model == "det" else "labels.txt")
    if not os.path.isfile(index):
        raise EvalError(f"'{data}' has no {os.path.basename(index)}: "
                        f"not a {model} evaluation directory (expected OUT_DIR/eval/{model})")
    samples = []
    if model == "det":
        with open(index) as f:
            for page in json.load(f)["pages"]:
                samples.append((page["file"], [tuple(b) for b in page["boxes"]]))
    else:
        with open(index, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                name, sep, label = line.partition("\t")
                if not sep:
                    raise EvalError(f"{index}:{n}: expected 'file<TAB>label'")
                if model == "cls" and label not in ("0", "180"):
                    raise EvalError(f"{index}:{n}: cls label '{label[:40]}' is not 0 or 180 "
                                    "(is this a cls evaluation directory?)")
                samples.append((name, label if model == "rec" else int(label)))
    if limit:
        samples = samples[:limit]
    if not samples:
        raise EvalError(f"'{data}' lists no samples")
    for name, _ in samples:
        if not os.path.isfile(os.path.join(data, name)):
            raise EvalError(f"'{data}' lists {name}, which does not exist")
    return samples


def load_input(data, name):
    return np.load(os.path.join(data, name))


# ------------------------------------------------------------- metrics ----

def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def components(mask):
    """Connected components (8-connected) of a 2-D bool mask, by union-find
    over horizontal runs. Returns a list of (row, start, end) run lists."""
    parent = []

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs, prev = [], []
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    for y in range(mask.shape[0]):
        starts = np.flatnonzero(edges[y] == 1)
        ends = np.flatnonzero(edges[y] == -1)  # exclusive
        cur, k = [], 0
        for s, e in zip(starts.tolist(), ends.tolist()):
            idx = len(runs)
            runs.append((y, s, e))
            parent.append(idx)
            # previous-row runs [ps, pe) touching columns s-1 .. e (8-connected)
            while k < len(prev) and prev[k][2] < s:
                k += 1
            j = k
            while j < len(prev) and prev[j][1] <= e:
                ra, rb = find(prev[j][0]), find(idx)
                if ra != rb:
                    parent[rb] = ra
                j += 1
            cur.append((idx, s, e))
        prev = cur
    groups = {}
    for idx, run in enumerate(runs):
        groups.setdefault(find(idx), []).append(run)
    return list(groups.values())


def db_boxes(prob):
    """PaddleOCR's DBPostProcess on axis-aligned boxes: threshold the map,
    one box per component, keep boxes whose mean probability is >= 0.6,
    expand by area * 1.5 / perimeter on every side."""
    prob = np.asarray(prob, dtype=np.float32).reshape(prob.shape[-2:])
    h, w = prob.shape
    boxes = []
    for runs in components(prob > DB_THRESH):
        ys = [r[0] for r in runs]
        x0, x1 = min(r[1] for r in runs), max(r[2] for r in runs)
        y0, y1 = min(ys), max(ys) + 1
        bw, bh = x1 - x0, y1 - y0
        if min(bw, bh) < DB_MIN_SIZE:
            continue
        if float(prob[y0:y1, x0:x1].mean()) < DB_BOX_THRESH:
            continue
        d = bw * bh * DB_UNCLIP / (2 * (bw + bh))
        box = (max(0.0, x0 - d), max(0.0, y0 - d), min(float(w), x1 + d), min(float(h), y1 + d))
        if min(box[2] - box[0], box[3] - box[1]) < DB_MIN_SIZE + 2:
            continue
        boxes.append(box)
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def match(pred, truth):
    """Greedy one-to-one matching by decreasing IoU; returns the match count."""
    pairs = sorted(((iou(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(truth)),
                   reverse=True)
    used_p, used_t, hits = set(), set(), 0
    for v, i, j in pairs:
        if v < MATCH_IOU:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            hits += 1
    return hits


def prf(hits, n_pred, n_truth):
    p = hits / n_pred if n_pred else 0.0
    r = hits / n_truth if n_truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cosine(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    den = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / den) if den else float(np.array_equal(a, b))


# ------------------------------------------------------------- runners ----

class ArtifactRunner:
    def __init__(self, path, threads):
        if not os.path.isdir(path):
            raise EvalError(f"artifact directory '{path}' does not exist")
        if not os.path.isfile(os.path.join(path, "libmodel.so")):
            raise EvalError(f"'{path}' has no libmodel.so: not an artifact directory "
                            "(make one with quant-compile MODEL.onnx -o DIR)")
        try:
            self.model = Model(os.path.abspath(path))
        except (OSError, RuntimeError) as e:
            raise EvalError(f"cannot load artifact '{path}': {e}")
        info = self.model.input
        if info.dtype != 1 or self.model.output.dtype != 1:
            raise EvalError(f"artifact '{path}': evaluate.py drives float32 inputs/outputs only")
        self.in_shape = [info.shape[i] for i in range(info.rank)]
        if threads:
            lib = self.model.lib
            lib.lowbit_model_set_num_threads.argtypes = [ctypes.c_void_p, ctypes.c_int]
            self.model.check(lib.lowbit_model_set_num_threads(self.model.handle, threads))
        self.path = path
        self.size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)
                        if os.path.isfile(os.path.join(path, f)))
        self.lib_size = os.path.getsize(os.path.join(path, "libmodel.so"))
        self.warm = False

    def run(self, x):
        if list(x.shape) != self.in_shape:
            raise EvalError(f"artifact '{self.path}' takes input shape {self.in_shape}, "
                            f"the data has {list(x.shape)}: compile it for the data's shape")
        if not self.warm:
            self.model.run(x)
            self.warm = True
        start = time.perf_counter()
        out = self.model.run(x)
        return out, (time.perf_counter() - start) * 1e3


def run_ort(onnx_path, data, samples, threads, batch_size=0):
    """Inputs as batches through ort-run.js (one batch, so one node start, by
    default; det pages take about 100 MB of ORT memory each). Returns the
    per-sample outputs and the seconds spent in node."""
    if not os.path.isfile(onnx_path):
        raise EvalError(f"ONNX model '{onnx_path}' does not exist")
    try:
        import onnx
        graph = onnx.load(onnx_path, load_external_data=False).graph
        initializers = {t.name for t in graph.initializer}
        in_name = [i.name for i in graph.input if i.name not in initializers][0]
        out_name = graph.output[0].name
    except Exception as e:  # noqa: BLE001 - any parse failure is the user's file
        raise EvalError(f"cannot read '{onnx_path}' as an ONNX model: {e}")
    step = batch_size if batch_size > 0 else len(samples)
    outputs, seconds = [], 0.0
    for first in range(0, len(samples), step):
        chunk = samples[first:first + step]
        with tempfile.TemporaryDirectory(prefix="lowbit-eval-ort-") as tmp:
            batch = np.concatenate([load_input(data, name) for name, _ in chunk], axis=0)
            np.save(os.path.join(tmp, "batch.npy"), batch)
            del batch
            cmd = ["node", ORT_RUN, onnx_path, "--input", f"{in_name}={tmp}/batch.npy",
                   "--output-dir", os.path.join(tmp, "out"), "--threads", str(threads or 2)]
            start = time.perf_counter()
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True)
            except FileNotFoundError:
                raise EvalError("--ort needs node on PATH (and third_party/ort, "
                                "from scripts/install-deps.sh)")
            seconds += time.perf_counter() - start
            if proc.returncode != 0:
                raise EvalError(f"ONNX Runtime failed: {proc.stderr.strip()[-500:]}")
            out = np.load(os.path.join(tmp, "out", out_name + ".npy"))
        if out.shape[0] != len(chunk):
            raise EvalError(f"ONNX Runtime returned {out.shape[0]} outputs for {len(chunk)} inputs")
        outputs += [out[i:i + 1] for i in range(len(chunk))]
    return outputs, seconds


# ------------------------------------------------------------ evaluate ----

class Row:
    """Accumulates one artifact's (or ORT's) results."""

    def __init__(self, name, kind, runner=None):
        self.name, self.kind, self.runner = name, kind, runner
        self.latencies, self.cosines, self.preds = [], [], []


def nospace(text):
    return text.replace(" ", "")


def decode(model, out, keys):
    if model == "rec":
        return ocr_lines.ctc_decode(out, keys).strip()
    if model == "cls":
        return CLS_LABELS[int(np.asarray(out).reshape(-1).argmax())]
    return db_boxes(out)


def summarize(model, rows, samples):
    truth = [label for _, label in samples]
    ref = rows[0]
    results = []
    for row in rows:
        r = {"name": row.name, "kind": row.kind}
        if row.runner:
            r.update(path=os.path.abspath(row.runner.path), size_bytes=row.runner.size,
                     libmodel_bytes=row.runner.lib_size,
                     latency_ms_median=statistics.median(row.latencies),
                     latency_ms_mean=statistics.fmean(row.latencies))
        else:
            r.update(path=None, size_bytes=None, latency_ms_median=None,
                     batched_seconds=row.batched_seconds)
        if row is not ref:
            r["cosine_vs_ref_mean"] = statistics.fmean(row.cosines)
            r["cosine_vs_ref_min"] = min(row.cosines)
        n = len(samples)
        if model in ("rec", "cls"):
            same = (lambda a, b: nospace(a) == nospace(b)) if model == "rec" else \
                (lambda a, b: a == b)
            correct = sum(same(p, t) for p, t in zip(row.preds, truth))
            agree = sum(p == q for p, q in zip(row.preds, ref.preds))
            r.update(samples=n, correct=correct, accuracy=correct / n,
                     agree_with_ref=agree / n)
        if model == "rec":
            exact = sum(p == t for p, t in zip(row.preds, truth))
            errs = sum(edit_distance(nospace(p), nospace(t)) for p, t in zip(row.preds, truth))
            ref_errs = sum(edit_distance(p, q) for p, q in zip(row.preds, ref.preds))
            r.update(exact=exact, exact_accuracy=exact / n,
                     cer=errs / max(1, sum(len(nospace(t)) for t in truth)),
                     cer_vs_ref=ref_errs / max(1, sum(len(q) for q in ref.preds)))
            r["differs_from_ref"] = [
                {"file": name, "truth": t, "reference": q, "prediction": p}
                for (name, _), t, q, p in zip(samples, truth, ref.preds, row.preds) if p != q]
            r["misread"] = [{"file": name, "truth": t, "prediction": p}
                            for (name, _), t, p in zip(samples, truth, row.preds)
                            if nospace(p) != nospace(t)]
        if model == "cls":
            r["predictions"] = list(row.preds)
            r["differs_from_ref"] = [
                {"file": name, "truth": t, "reference": q, "prediction": p}
                for (name, _), t, q, p in zip(samples, truth, ref.preds, row.preds) if p != q]
        if model == "det":
            hits = sum(match(p, t) for p, t in zip(row.preds, truth))
            n_pred = sum(len(p) for p in row.preds)
            n_truth = sum(len(t) for t in truth)
            p, rc, f1 = prf(hits, n_pred, n_truth)
            ref_hits = sum(match(p_, q) for p_, q in zip(row.preds, ref.preds))
            _, _, f1_ref = prf(ref_hits, n_pred, sum(len(q) for q in ref.preds))
            r.update(pages=n, boxes_true=n_truth, boxes_pred=n_pred, matched=hits,
                     precision=p, recall=rc, f1=f1, f1_vs_ref_boxes=f1_ref)
        results.append(r)
    if model == "det":
        for r in results:
            r["f1_delta_vs_ref"] = r["f1"] - results[0]["f1"]
    return results


def fmt(v, spec, width):
    return ("-" if v is None else format(v, spec)).rjust(width)


def print_table(model, results, samples):
    n = len(samples)
    ref = results[0]["name"]
    name_w = max(10, *(len(r["name"]) for r in results))
    print(f"{model}: {n} {'pages' if model == 'det' else 'inputs'}, reference = {ref}")
    head = f"{'artifact':{name_w}} "
    if model == "rec":
        head += f"{'acc %':>7} {'exact %':>8} {'CER %':>7} {'agree %':>8} "
    elif model == "cls":
        head += f"{'acc %':>7} {'agree %':>8} "
    else:
        head += f"{'P %':>6} {'R %':>6} {'F1 %':>6} {'dF1':>6} {'F1ref%':>7} "
    head += f"{'cos mean':>9} {'cos min':>9} {'ms/input':>9} {'MB':>7}"
    print(head)
    print("-" * len(head))
    for r in results:
        line = f"{r['name']:{name_w}} "
        pct = lambda k, w=7: fmt(None if r.get(k) is None else 100 * r[k], ".2f", w)  # noqa: E731
        if model == "rec":
            line += (f"{pct('accuracy')} {pct('exact_accuracy', 8)} {pct('cer')} "
                     f"{pct('agree_with_ref', 8)} ")
        elif model == "cls":
            line += f"{pct('accuracy')} {pct('agree_with_ref', 8)} "
        else:
            line += (f"{pct('precision', 6)} {pct('recall', 6)} {pct('f1', 6)} "
                     f"{fmt(100 * r['f1_delta_vs_ref'], '+.2f', 6)} {pct('f1_vs_ref_boxes')} ")
        line += (f"{fmt(r.get('cosine_vs_ref_mean'), '.6f', 9)} "
                 f"{fmt(r.get('cosine_vs_ref_min'), '.6f', 9)} "
                 f"{fmt(r['latency_ms_median'], '.2f', 9)} "
                 f"{fmt(None if r['size_bytes'] is None else r['size_bytes'] / 1e6, '.2f', 7)}")
        print(line)
    for r in results:
        if r["kind"] == "ort":
            print(f"({r['name']}: batched, {r['batched_seconds']:.1f} s in node in all; "
                  "cos: output cosine similarity to the reference)")
    if model == "rec":
        for r in results[1:]:
            diffs = r["differs_from_ref"]
            if diffs:
                print(f"\n{r['name']}: {len(diffs)} line(s) read differently from {ref}"
                      f"{' (first %d)' % MAX_LISTED if len(diffs) > MAX_LISTED else ''}:")
                print(f"  {'file':16} {'truth':28} {ref[:28]:28} {r['name'][:28]}")
                for d in diffs[:MAX_LISTED]:
                    print(f"  {d['file']:16} {d['truth']:28} {d['reference']:28} {d['prediction']}")
        misread = results[0]["misread"]
        if misread:
            print(f"\n{ref} misreads {len(misread)} line(s)"
                  f"{' (first %d)' % MAX_LISTED if len(misread) > MAX_LISTED else ''}:")
            for d in misread[:MAX_LISTED]:
                print(f"  {d['file']:16} {d['truth']:28} -> {d['prediction']}")
    if model == "cls":
        wrong = [name for (name, label), p in zip(samples, results[0]["predictions"]) if p != label]
        if wrong:
            print(f"\n{ref} misclassifies {len(wrong)} input(s): {', '.join(wrong[:MAX_LISTED])}"
                  f"{' ...' if len(wrong) > MAX_LISTED else ''}")
        for r in results[1:]:
            if r["differs_from_ref"]:
                files = ", ".join(d["file"] for d in r["differs_from_ref"][:MAX_LISTED])
                print(f"\n{r['name']}: {len(r['differs_from_ref'])} input(s) classified "
                      f"differently from {ref}: {files}")


def row_names(paths):
    names = [os.path.basename(os.path.normpath(p)) or p for p in paths]
    return [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names, 1)]


def evaluate(args):
    samples = load_dataset(args.model, args.data, args.limit)
    keys = None
    if args.model == "rec":
        if not os.path.isfile(args.keys):
            raise EvalError(f"dictionary '{args.keys}' does not exist (--keys)")
        keys = ocr_lines.load_keys(args.keys)
    rows = [Row(name, "artifact", ArtifactRunner(path, args.threads))
            for name, path in zip(row_names(args.artifact), args.artifact)]
    ort_outputs = None
    if args.ort:
        ort_outputs, seconds = run_ort(args.ort, args.data, samples, args.threads,
                                       args.ort_batch)
        ort_row = Row("onnxruntime", "ort")
        ort_row.batched_seconds = seconds
        rows.append(ort_row)
    start = time.perf_counter()
    for i, (name, _) in enumerate(samples):
        x = load_input(args.data, name)
        ref_out = None
        for row in rows:
            if row.runner:
                out, ms = row.runner.run(x)
                row.latencies.append(ms)
            else:
                out = ort_outputs[i]
            if ref_out is None:
                ref_out = out
            elif out.shape != ref_out.shape:
                raise EvalError(f"{row.name} outputs shape {list(out.shape)}, the reference "
                                f"{rows[0].name} {list(ref_out.shape)}: not the same model")
            else:
                row.cosines.append(cosine(out, ref_out))
            row.preds.append(decode(args.model, out, keys))
    results = summarize(args.model, rows, samples)
    print_table(args.model, results, samples)
    report = {"model": args.model, "data": os.path.abspath(args.data),
              "samples": len(samples), "reference": results[0]["name"],
              "threads": args.threads, "ort_threads": (args.threads or 2) if args.ort else None,
              "seconds": time.perf_counter() - start,
              "results": results}
    manifest = os.path.join(args.data, "..", "..", "MANIFEST.json")
    if os.path.isfile(manifest):
        with open(manifest) as f:
            m = json.load(f)
        report["dataset"] = {"generator": m.get("generator"), "seed": m.get("seed")}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return report


def main():
    parser = argparse.ArgumentParser(
        description="Task quality of compiled PaddleOCR artifacts on held-out data.")
    parser.add_argument("--model", required=True, choices=["rec", "cls", "det"])
    parser.add_argument("--data", required=True, help="DIR/eval/<model> from dataset.py")
    parser.add_argument("--artifact", action="append", default=[],
                        help="artifact directory; repeat, the first is the reference")
    parser.add_argument("--ort", help="also run this ONNX model through ONNX Runtime")
    parser.add_argument("--ort-batch", type=int, default=0,
                        help="inputs per ONNX Runtime run (0: all in one, node starts once)")
    parser.add_argument("--json", help="write all numbers to this file")
    parser.add_argument("--keys", default=DEFAULT_KEYS, help="rec dictionary")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per artifact (0: the runtime's default)")
    parser.add_argument("--limit", type=int, default=0, help="evaluate the first N inputs only")
    args = parser.parse_args()
    if not args.artifact and not args.ort:
        parser.error("give at least one --artifact (or --ort)")
    try:
        evaluate(args)
    except EvalError as e:
        print(f"evaluate.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
