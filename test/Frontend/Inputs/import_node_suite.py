"""Imports every ONNX backend node test with quant-translate and groups the
failures by reason.

Usage: import_node_suite.py QUANT_TRANSLATE

The node suite feeds many shape operands (Reshape shape, Slice starts, Resize
scales) as graph inputs; LowBit needs them known at import time, so a case
failing for that reason is retried with those inputs bound to their
test_data_set_0 values as initializers (written under /tmp/ns/bound).
"""
import subprocess, glob, os, re, sys, collections
from concurrent.futures import ThreadPoolExecutor
import onnx
tool = sys.argv[1]
cases = sorted(glob.glob('/usr/share/libonnx-testdata/data/node/*/model.onnx'))
def imp(m):
    r = subprocess.run([tool, '--import-onnx', m, '-o', '/dev/null'], capture_output=True, text=True)
    return r.returncode, r.stderr
def bind(m, skip_first):
    """Turns graph inputs into initializers from test_data_set_0 (the node
    suite feeds shape operands as inputs; LowBit needs them known)."""
    model = onnx.load(m)
    d = os.path.join(os.path.dirname(m), 'test_data_set_0')
    inits = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in inits]
    keep = []
    for k, i in enumerate(inputs):
        p = os.path.join(d, 'input_%d.pb' % k)
        if (skip_first and k == 0) or not os.path.exists(p):
            keep.append(i); continue
        t = onnx.TensorProto(); t.ParseFromString(open(p, 'rb').read()); t.name = i.name
        model.graph.initializer.append(t)
    out = '/tmp/ns/bound/%s/model.onnx' % os.path.basename(os.path.dirname(m))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    onnx.save(model, out)
    return out
def run(m):
    rc, e = imp(m)
    if rc != 0 and 'must be known at import time' in e:
        for skip in (True, False):
            rc2, e2 = imp(bind(m, skip))
            if rc2 == 0 or 'must be known at import time' not in e2:
                return m, rc2, e2, True
        return m, rc2, e2, True
    return m, rc, e, False
res = list(ThreadPoolExecutor(2).map(run, cases))
ok = [m for m, rc, e, b in res if rc == 0]
print('imported', len(ok), 'of', len(res), '(of which', sum(1 for m, rc, e, b in res if rc == 0 and b), 'after binding shape-operand inputs to their test data)')
groups = collections.defaultdict(list)
for m, rc, e, b in res:
    if rc == 0: continue
    line = e.strip().splitlines()[0] if e.strip() else 'CRASH rc=%d' % rc
    line = re.sub(r"^.*?error: ", "", line)
    key = re.sub(r"node '[^']*'", "node", line)
    key = re.sub(r"'[^']*'", "'X'", key)
    key = re.sub(r"\d+", "N", key)[:150]
    groups[key].append(os.path.basename(os.path.dirname(m)))
for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1])):
    print(len(v), k, '|', ' '.join(v[:5]))
