#!/usr/bin/python3
"""Per-op time of a CPU artifact compiled with `quant-compile --profile`.

Usage: op_profile.py COMPILE_STDERR RUN_STDERR [TOP]

COMPILE_STDERR holds the `lowbit-profile ID OP LOOPS [BODY]` lines that the
lowbit-cpu-profile-ops pass prints; RUN_STDERR the `lowbit-profile-time ID MS
CALLS` lines the artifact prints at exit. Prints milliseconds per run by op
kind, then the TOP slowest ops. Times are wall clock between ticks on the
calling thread, so an op includes the join of its parallel loop.
"""
import collections
import sys


def read_ops(path):
    """ID -> description of each timed op."""
    ops = {}
    with open(path) as f:
        for line in f:
            if line.startswith("lowbit-profile "):
                _, op_id, description = line.rstrip().split(" ", 2)
                ops[int(op_id)] = description
    return ops


def read_times(path):
    """ID -> total milliseconds, and the number of runs."""
    times, calls = {}, 1
    with open(path) as f:
        for line in f:
            if line.startswith("lowbit-profile-time"):
                _, op_id, ms, count = line.split()
                times[int(op_id)] = float(ms)
                calls = int(count)
    return times, calls


def kind(description):
    """Groups ops by name, elementwise body, and the op they are fused after."""
    name = description.split(" loops")[0].split(" tensor<")[0]
    if "generic" in description and "[" in description:
        name += " " + description[description.index("["):]
    if " after " in description:
        name += " after " + description.split(" after ")[1].split(" ")[0]
    return name


def main():
    ops = read_ops(sys.argv[1])
    times, calls = read_times(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    print(f"total per run {sum(times.values()) / calls:.2f} ms over {calls} runs")
    by_kind = collections.defaultdict(float)
    for op_id, ms in times.items():
        by_kind[kind(ops[op_id])] += ms / calls
    for name, ms in sorted(by_kind.items(), key=lambda item: -item[1])[:25]:
        print(f"{ms:8.3f} {name}")
    print("--- top ops")
    for op_id, ms in sorted(times.items(), key=lambda item: -item[1])[:top]:
        print(f"{ms / calls:8.3f} {op_id:4d} {ops[op_id]}")


if __name__ == "__main__":
    main()
