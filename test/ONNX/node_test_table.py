"""Reads and writes node-tests.txt, the table of ONNX backend node tests.

Each row is `<test folder> <op> <status>`, where status is `pass` (the test
runs in `make check`) or `skip: <reason>`. Lines starting with '#' are
comments. scripts/onnx-node-tests.py --update rewrites the statuses; the lit
format in node_test_format.py runs the `pass` rows.

Plain Python with no dependencies, so both lit and the script can import it.
"""

import os

TABLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-tests.txt")
DATA_DIR = "/usr/share/libonnx-testdata/data/node"

HEADER = """\
# ONNX backend node tests (libonnx-testdata, {data_dir}).
# One row per test folder: <test> <op> <status>
#   pass           runs in `make check` (test/ONNX, one lit test per row)
#   skip: reason   not run; `fails: ...` reasons are written by
#                  scripts/onnx-node-tests.py --update from the first error
#                  line, other reasons are kept across updates.
# Regenerate: scripts/onnx-node-tests.py --update (also docs/SupportedOps.md).
"""

FAILS_PREFIX = "skip: fails:"


class Row:
    """One test folder, the op it tests and its status."""

    def __init__(self, name, op, status):
        self.name = name
        self.op = op
        self.status = status

    @property
    def is_pass(self):
        return self.status == "pass"

    @property
    def is_hand_written_skip(self):
        """A skip reason a person wrote (kept by --update), not a failure."""
        return self.status.startswith("skip:") and not self.status.startswith(FAILS_PREFIX)


def read_table(path=TABLE_PATH):
    """Returns the rows of the table in file order ([] if it is missing)."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) != 3 or not (parts[2] == "pass" or parts[2].startswith("skip:")):
                raise ValueError(
                    "%s:%d: expected '<test> <op> pass|skip: <reason>', got %r" % (path, number, line)
                )
            rows.append(Row(*parts))
    return rows


def write_table(rows, path=TABLE_PATH, data_dir=DATA_DIR):
    """Writes `rows` sorted by test name, columns aligned, atomically."""
    rows = sorted(rows, key=lambda row: row.name)
    name_width = max((len(row.name) for row in rows), default=0)
    op_width = max((len(row.op) for row in rows), default=0)
    lines = [HEADER.format(data_dir=data_dir)]
    for row in rows:
        lines.append("%-*s %-*s %s\n" % (name_width, row.name, op_width, row.op, row.status))
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as f:
        f.write("".join(lines))
    os.replace(temp, path)
