#!/usr/bin/env python3
"""Runs an artifact with quant-run --expected, with a tolerance derived from
the reference output's range.

Usage: run_close.py QUANT_RUN ARTIFACT INPUT.npy EXPECTED.npy FRACTION

The absolute tolerance is FRACTION * (max - min) of the expected output
(rtol 0): a quantized model is close to float when every element is within
a small fraction of the output's dynamic range. Prints quant-run's output
and the tolerance; exits with quant-run's status.
"""

import subprocess
import sys

import numpy as np


def main():
    quant_run, artifact, x, expected, fraction = sys.argv[1:6]
    ref = np.load(expected)
    atol = float(fraction) * float(ref.max() - ref.min())
    print("atol %.6g (%s of the output range)" % (atol, fraction))
    sys.stdout.flush()
    result = subprocess.run([quant_run, artifact, "--input", "x=" + x,
                             "--expected", "out=" + expected,
                             "--rtol", "0", "--atol", "%.9g" % atol])
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
