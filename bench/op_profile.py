#!/usr/bin/python3
"""Per-op time of a CPU artifact built with lowbit-cpu-pipeline{profile=true}.

Usage: op_profile.py COMPILE_STDERR RUN_STDERR [TOP]

COMPILE_STDERR holds the `lowbit-profile ID OP LOOPS [BODY]` lines that the
lowbit-cpu-profile-ops pass prints; RUN_STDERR the `lowbit-profile-time ID MS
CALLS` lines the artifact prints at exit. Prints milliseconds per run by op
kind, then the TOP slowest ops. Times are wall clock between ticks on the
calling thread, so an op includes the join of its parallel loop.
"""
import sys, collections
mp = {}; 
for l in open(sys.argv[1]):
    if l.startswith("lowbit-profile "):
        _, i, rest = l.rstrip().split(" ", 2); mp[int(i)] = rest
t = {}; calls=1
for l in open(sys.argv[2]):
    if l.startswith("lowbit-profile-time"):
        _, i, ms, n = l.split(); t[int(i)] = float(ms); calls = int(n)
tot = sum(t.values())
print(f"total per run {tot/calls:.2f} ms over {calls} runs")
agg = collections.defaultdict(float)
for i, ms in t.items():
    d = mp[i]; k = d.split(" loops")[0].split(" tensor<")[0]
    if "generic" in d and "[" in d: k += " " + d[d.index("["):]
    if " after " in d: k += " after " + d.split(" after ")[1].split(" ")[0]
    agg[k] += ms/calls
for k, v in sorted(agg.items(), key=lambda x: -x[1])[:25]: print(f"{v:8.3f} {k}")
print("--- top ops")
for i, ms in sorted(t.items(), key=lambda x: -x[1])[:int(sys.argv[3]) if len(sys.argv)>3 else 30]:
    print(f"{ms/calls:8.3f} {i:4d} {mp[i]}")
