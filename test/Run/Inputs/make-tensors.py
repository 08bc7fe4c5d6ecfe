"""Writes the tensor files quant-run's tests feed it, with NumPy and onnx.

Usage: make-tensors.py OUTDIR. Every file is made by the libraries users
would make it with, so the tests check quant-run against real writers.
"""

import os
import sys

import numpy as np
from numpy.lib import format as npy_format
from onnx import helper, numpy_helper, TensorProto


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([10, 20, 30], dtype=np.float32)
    np.save(path("x.npy"), x)
    np.save(path("b.npy"), b)
    np.save(path("x_plus_1.npy"), x + 1)
    np.save(path("x_plus_b.npy"), x + b)
    np.save(path("wrong.npy"), x + 2)
    np.save(path("x_int32.npy"), x.astype(np.int32))
    np.save(path("x_3x2.npy"), x.reshape(3, 2))
    np.save(path("x_fortran.npy"), np.asfortranarray(x))
    np.save(path("x_fail.npy"), np.full((2, 3), -999, np.float32))
    np.savez(path("inputs.npz"), x=x, b=b)
    np.savez_compressed(path("inputs_deflated.npz"), x=x, b=b)
    np.savez(path("x_only.npz"), x=x)
    # Versions 2.0 and 3.0 of the header, which np.save picks only for huge
    # or non-ASCII headers.
    for version in [(2, 0), (3, 0)]:
        with open(path("x_v%d.npy" % version[0]), "wb") as f:
            npy_format.write_array(f, x, version=version)
    with open(path("x.npy"), "rb") as f:
        data = f.read()
    with open(path("truncated.npy"), "wb") as f:
        f.write(data[:-5])
    with open(path("garbage.npy"), "wb") as f:
        f.write(b"this is not an array")

    # TensorProto files: raw_data (numpy_helper) and typed float_data.
    with open(path("x.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    typed = helper.make_tensor("x", TensorProto.FLOAT, [2, 3],
                               x.flatten().tolist())
    with open(path("x_typed.pb"), "wb") as f:
        f.write(typed.SerializeToString())
    with open(path("x_plus_1.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x + 1, "y").SerializeToString())


if __name__ == "__main__":
    main()
