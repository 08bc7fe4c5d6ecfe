#!/usr/bin/python3
"""Read rendered text lines with a compiled PaddleOCR recognizer artifact.

Usage: ocr_demo.py KEYS_FILE ARTIFACT_DIR[=LABEL] ...

Drives each artifact through its C API (lowbit_runtime.h) with ctypes: one
model instance, one run per line, CTC-decoded. Prints the rendered text and
every artifact's reading and latency side by side, then each artifact's size
and mean latency; exits non-zero if the first (reference) artifact misreads
a line.
"""
import ctypes
import os
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


def artifact_size(artifact):
    """Bytes of the shipped code and weights (libmodel.so)."""
    return os.path.getsize(os.path.join(artifact, "libmodel.so"))


def read_lines(model, keys):
    """(recognized text, median latency in ms) for every demo line."""
    results = []
    for text in ocr_lines.DEMO_LINES:
        x = ocr_lines.to_input(ocr_lines.render(text))
        model.run(x)  # warm-up
        times = []
        for _ in range(5):
            start = time.perf_counter()
            probs = model.run(x)
            times.append((time.perf_counter() - start) * 1e3)
        # The line's margins may decode as spaces; evaluate.py strips them too.
        text = ocr_lines.ctc_decode(probs, keys).strip()
        results.append((text, statistics.median(times)))
    return results


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: ocr_demo.py KEYS_FILE ARTIFACT_DIR[=LABEL] ...")
    keys = ocr_lines.load_keys(sys.argv[1])
    columns = []
    for spec in sys.argv[2:]:
        artifact, _, label = spec.partition("=")
        columns.append((label or os.path.basename(artifact.rstrip("/")), artifact,
                        read_lines(Model(artifact), keys)))

    header = f"{'rendered':28}" + "".join(f" {label:28} {'ms':>6}" for label, _, _ in columns)
    print(header)
    wrong = [0] * len(columns)
    for i, text in enumerate(ocr_lines.DEMO_LINES):
        row = f"{text:28}"
        for c, (_, _, results) in enumerate(columns):
            recognized, ms = results[i]
            wrong[c] += recognized != text
            mark = "*" if recognized != text else " "
            row += f" {recognized:27}{mark} {ms:6.2f}"
        print(row)
    print("(* = misread)")
    for c, (label, artifact, results) in enumerate(columns):
        total = sum(ms for _, ms in results)
        print(f"{label}: {len(results) - wrong[c]}/{len(results)} lines read correctly, "
              f"libmodel.so {artifact_size(artifact) / 1e6:.2f} MB, "
              f"{total / len(results):.2f} ms per line")
    return 1 if wrong[0] else 0


if __name__ == "__main__":
    sys.exit(main())
