#!/usr/bin/python3
"""Read rendered text lines with a compiled PaddleOCR recognizer artifact.

Usage: ocr_demo.py ARTIFACT_DIR KEYS_FILE

Drives the artifact through its C API (lowbit_runtime.h) with ctypes: one
model instance, one run per line, CTC-decoded. Prints each line's rendered
text, recognized text and latency; exits non-zero if any line is misread.
"""
import ctypes
import statistics
import sys
import time

import numpy as np

import ocr_lines


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_bytes", ctypes.c_size_t)]


class Model:
    def __init__(self, artifact):
        lib = ctypes.CDLL(f"{artifact}/libmodel.so")
        lib.lowbit_model_create.restype = ctypes.c_void_p
        lib.lowbit_model_last_error.restype = ctypes.c_char_p
        lib.lowbit_model_last_error.argtypes = [ctypes.c_void_p]
        for fn in ("input", "output"):
            f = getattr(lib, f"lowbit_model_{fn}_info")
            f.restype = ctypes.POINTER(TensorInfo)
            f.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.lowbit_model_set_input.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                               ctypes.c_void_p, ctypes.c_size_t]
        lib.lowbit_model_run.argtypes = [ctypes.c_void_p]
        lib.lowbit_model_get_output.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
            ctypes.POINTER(ctypes.c_size_t)]
        lib.lowbit_model_destroy.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.handle = lib.lowbit_model_create()
        if not self.handle:
            raise RuntimeError("lowbit_model_create failed")
        self.input = lib.lowbit_model_input_info(self.handle, 0).contents
        self.output = lib.lowbit_model_output_info(self.handle, 0).contents
        self.out_shape = [self.output.shape[i] for i in range(self.output.rank)]

    def check(self, status):
        if status != 0:
            raise RuntimeError(self.lib.lowbit_model_last_error(self.handle).decode())

    def run(self, x):
        x = np.ascontiguousarray(x, dtype=np.float32)
        self.check(self.lib.lowbit_model_set_input(
            self.handle, self.input.name, x.ctypes.data, x.nbytes))
        self.check(self.lib.lowbit_model_run(self.handle))
        data, size = ctypes.c_void_p(), ctypes.c_size_t()
        self.check(self.lib.lowbit_model_get_output(
            self.handle, self.output.name, ctypes.byref(data), ctypes.byref(size)))
        buf = (ctypes.c_char * size.value).from_address(data.value)
        return np.frombuffer(buf, dtype=np.float32).reshape(self.out_shape).copy()

    def __del__(self):
        if getattr(self, "handle", None):
            self.lib.lowbit_model_destroy(self.handle)


def main():
    artifact, keys_file = sys.argv[1], sys.argv[2]
    keys = ocr_lines.load_keys(keys_file)
    model = Model(artifact)
    wrong = 0
    print(f"{'rendered':32} {'recognized':32} {'latency':>10}")
    for text in ocr_lines.DEMO_LINES:
        x = ocr_lines.to_input(ocr_lines.render(text))
        model.run(x)  # warm-up
        times = []
        for _ in range(5):
            start = time.perf_counter()
            probs = model.run(x)
            times.append((time.perf_counter() - start) * 1e3)
        recognized = ocr_lines.ctc_decode(probs, keys)
        mark = "" if recognized == text else "   <-- MISREAD"
        wrong += recognized != text
        print(f"{text:32} {recognized:32} {statistics.median(times):7.2f} ms{mark}")
    print(f"{len(ocr_lines.DEMO_LINES) - wrong}/{len(ocr_lines.DEMO_LINES)} lines read correctly")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
