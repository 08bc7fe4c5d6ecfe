#!/usr/bin/python3
"""Runs every ONNX backend node test through quant-run --onnx-test.

  scripts/onnx-node-tests.py [--build build] [-j 2] [--timeout 120]
                             [--filter REGEX] [--update] [-v]

Prints one line per failing case and the total pass count, and exits
non-zero when a case the table marks `pass` fails. With --update it
rewrites test/ONNX/node-tests.txt (a passing case becomes `pass`; a failing
one keeps a hand-written skip reason, gets the type reason found in its model,
or `skip: fails: <first error line>`) and regenerates docs/SupportedOps.md.
Needs /usr/bin/python3 (Debian's, with onnx) for the type inspection.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "test", "ONNX"))
from node_test_table import DATA_DIR, FAILS_PREFIX, TABLE_PATH, Row, read_table, write_table  # noqa: E402

SUPPORTED_OPS_PATH = os.path.join(ROOT, "docs", "SupportedOps.md")

# TensorProto.DataType codes the artifact C API cannot carry.
UNSUPPORTED_ELEMENT_TYPES = {
    8: "needs string tensors",
    14: "complex64 unsupported",
    15: "complex128 unsupported",
    16: "bfloat16 unsupported",
}


def describe_model(test_dir):
    """Returns (op, type_reason) for a test's model.onnx.

    op is what the test exercises: the node's op for single-node models,
    otherwise the first op that is not Constant (expanded tests are assigned
    their base test's op by the caller). type_reason names a value type the
    runtime cannot hold, or None.
    """
    import onnx

    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    nodes = [n for n in model.graph.node if n.op_type != "Constant"] or list(model.graph.node)
    op = "?"
    if nodes:
        node = nodes[0]
        op = node.op_type if node.domain in ("", "ai.onnx") else "%s.%s" % (node.domain, node.op_type)

    reason = None
    domains = {n.domain for n in model.graph.node if n.domain not in ("", "ai.onnx")}
    if domains:
        reason = "domain %s unsupported" % ", ".join(sorted(domains))
    for value in list(model.graph.input) + list(model.graph.output):
        kind = value.type.WhichOneof("value")
        if kind == "sequence_type":
            reason = reason or "needs sequence types"
        elif kind == "optional_type":
            reason = reason or "needs optional types"
        elif kind == "map_type":
            reason = reason or "needs map types"
        elif kind == "sparse_tensor_type":
            reason = reason or "needs sparse tensors"
        elif kind == "tensor_type":
            element_type = value.type.tensor_type.elem_type
            if element_type in UNSUPPORTED_ELEMENT_TYPES:
                reason = reason or UNSUPPORTED_ELEMENT_TYPES[element_type]
    return op, reason


def first_error_line(stdout, stderr, exit_code):
    """The line that best says why a case failed, for the table."""
    if "outputs differ from the reference" in stderr:
        # The per-output line says what differs.
        for line in stdout.splitlines():
            if "MISMATCH" in line:
                return ("wrong result: " + line.strip())[:200]
    for line in stderr.splitlines():
        line = line.strip()
        if line:
            line = re.sub(r"^quant-run: error: ", "", line)
            # Temporary paths differ between runs; keep the table stable.
            line = re.sub(r"/\S*/(quant-run|onnx-node-tests)-[^/\s]*", "<tmp>", line)
            line = line.replace(DATA_DIR + "/", "")
            return line[:200]
    if exit_code < 0:
        return "crashed (%s)" % signal.Signals(-exit_code).name
    return "exit status %d" % exit_code


def run_case(quant_run, data_dir, name, timeout, temp_root):
    """Runs one case; returns (name, passed, reason, seconds)."""
    test_dir = os.path.join(data_dir, name)
    temp_dir = tempfile.mkdtemp(prefix=name + "-", dir=temp_root)
    env = dict(os.environ, TMPDIR=temp_dir)
    start = time.monotonic()
    try:
        process = subprocess.run(
            [quant_run, "--onnx-test", test_dir],
            capture_output=True, text=True, errors="replace", timeout=timeout, env=env,
        )
    except subprocess.TimeoutExpired:
        return name, False, "timeout after %ds" % timeout, time.monotonic() - start
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    seconds = time.monotonic() - start
    if process.returncode == 0:
        return name, True, None, seconds
    return name, False, first_error_line(process.stdout, process.stderr, process.returncode), seconds


def write_supported_ops(rows, path):
    """docs/SupportedOps.md: per op, node tests passing out of the total."""
    by_op = collections.OrderedDict()
    for row in sorted(rows, key=lambda row: (row.op.lower(), row.name)):
        by_op.setdefault(row.op, []).append(row)
    total_pass = sum(row.is_pass for row in rows)
    lines = [
        "# Supported ONNX operators\n",
        "\n",
        "Generated by `scripts/onnx-node-tests.py --update` from\n",
        "`test/ONNX/node-tests.txt`; do not edit. A node test passes when\n",
        "`quant-run --onnx-test` compiles its model for the CPU and every output\n",
        "matches the ONNX reference (rtol 1e-3, atol 1e-7).\n",
        "\n",
        "**%d of %d node tests pass**, covering %d of %d operators fully.\n"
        % (total_pass, len(rows),
           sum(all(r.is_pass for r in op_rows) for op_rows in by_op.values()), len(by_op)),
        "\n",
        "| Operator | Passing | Total | Why the others do not pass |\n",
        "|---|---:|---:|---|\n",
    ]
    for op, op_rows in by_op.items():
        passing = sum(row.is_pass for row in op_rows)
        reasons = collections.Counter(
            row.status[len("skip:"):].strip() for row in op_rows if not row.is_pass
        )
        notes = "; ".join(
            (reason if count == 1 else "%s (%d)" % (reason, count)).replace("|", "\\|")
            for reason, count in reasons.most_common(3)
        )
        if len(reasons) > 3:
            notes += "; ..."
        lines.append("| %s | %d | %d | %s |\n" % (op, passing, len(op_rows), notes))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write("".join(lines))
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory (default: build)")
    parser.add_argument("--quant-run", help="quant-run executable (default: BUILD/bin/quant-run)")
    parser.add_argument("--data", default=DATA_DIR, help="node test folders (default: %(default)s)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per case (default: %(default)s)")
    parser.add_argument("--filter", help="only cases whose name matches this regex")
    parser.add_argument("--update", action="store_true", help="rewrite node-tests.txt and docs/SupportedOps.md")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = parser.parse_args()

    quant_run = args.quant_run or os.path.join(args.build, "bin", "quant-run")
    if not os.access(quant_run, os.X_OK):
        sys.exit("error: %s is not built (ninja -C %s quant-run)" % (quant_run, args.build))
    if not os.path.isdir(args.data):
        sys.exit("error: %s does not exist (apt-get install libonnx-testdata)" % args.data)
    if args.update and args.filter:
        sys.exit("error: --update needs every case; drop --filter")

    names = sorted(n for n in os.listdir(args.data) if os.path.isfile(os.path.join(args.data, n, "model.onnx")))
    if args.filter:
        names = [n for n in names if re.search(args.filter, n)]

    temp_root = tempfile.mkdtemp(prefix="onnx-node-tests-")
    results = {}
    start = time.monotonic()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_case, quant_run, args.data, n, args.timeout, temp_root) for n in names]
            for future in concurrent.futures.as_completed(futures):
                name, passed, reason, seconds = future.result()
                results[name] = (passed, reason)
                if args.verbose or not passed:
                    print("%s %s (%.1fs)%s" % ("PASS" if passed else "FAIL", name, seconds,
                                               "" if passed else ": " + reason), flush=True)
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)

    passed = sum(ok for ok, _ in results.values())
    print("%d of %d ONNX node tests pass (%.0fs)" % (passed, len(names), time.monotonic() - start))
    old = {row.name: row for row in read_table(TABLE_PATH)}
    regressions = sorted(n for n in names if n in old and old[n].is_pass and not results[n][0])
    for name in regressions:
        print("REGRESSION %s (pass in the table): %s" % (name, results[name][1]))

    if args.update:
        described = {name: describe_model(os.path.join(args.data, name)) for name in names}
        rows = []
        for name in names:
            op, type_reason = described[name]
            base = name[: -len("_expanded")] if name.endswith("_expanded") else None
            if base in described:
                op = described[base][0]
            ok, reason = results[name]
            if ok:
                status = "pass"
            elif name in old and old[name].is_hand_written_skip:
                status = old[name].status
            elif type_reason:
                status = "skip: " + type_reason
            else:
                status = "%s %s" % (FAILS_PREFIX, reason)
            rows.append(Row(name, op, status))
        write_table(rows, TABLE_PATH, args.data)
        write_supported_ops(rows, SUPPORTED_OPS_PATH)
        print("updated %s and %s" % (os.path.relpath(TABLE_PATH, ROOT), os.path.relpath(SUPPORTED_OPS_PATH, ROOT)))
    # Cases the table does not enable are expected to fail; only a `pass`
    # row that fails is an error.
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
