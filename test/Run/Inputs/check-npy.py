"""Checks a file quant-run wrote: check-npy.py FILE EXPECTED_EXPRESSION.

FILE is .npy or .pb; the expression is evaluated with numpy as `np`, e.g.
`np.arange(6, dtype=np.float32).reshape(2, 3) + 1`. Prints OK or raises.
"""

import sys

import numpy as np
from onnx import numpy_helper, TensorProto


def main():
    path, expression = sys.argv[1], sys.argv[2]
    if path.endswith(".pb"):
        tensor = TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        actual = numpy_helper.to_array(tensor)
    else:
        actual = np.load(path)
    expected = eval(expression, {"np": np})
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert np.array_equal(actual, expected), (actual, expected)
    print("OK", path)


if __name__ == "__main__":
    main()
