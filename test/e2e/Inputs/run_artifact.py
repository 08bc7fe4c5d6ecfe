#!/usr/bin/env python3
"""Runs a LowBit CPU artifact through its C API (ctypes) and checks outputs.

  run_artifact.py OUTDIR --input NAME=FILE ... --expected NAME=FILE ...
      [--rtol R] [--atol A] [--threads N] [--repeat N]

FILE is .npy or an ONNX TensorProto .pb. Prints one line per output and
exits non-zero on a mismatch or an API error. Needs numpy (and onnx for .pb):
run it with /usr/bin/python3 (lit: %python).
"""
import argparse
import ctypes
import sys
import time

import numpy as np

DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
          11: np.float64, 12: np.uint32, 13: np.uint64}


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_bytes", ctypes.c_size_t)]


def load(path):
    if path.endswith(".npy"):
        return np.load(path)
    import onnx
    from onnx import numpy_helper
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def pairs(values):
    result = {}
    for value in values or []:
        name, _, path = value.partition("=")
        result[name] = path
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--input", action="append")
    parser.add_argument("--expected", action="append")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    lib = ctypes.CDLL(args.outdir + "/libmodel.so")
    lib.lowbit_model_create.restype = ctypes.c_void_p
    lib.lowbit_model_last_error.restype = ctypes.c_char_p
    lib.lowbit_model_last_error.argtypes = [ctypes.c_void_p]
    for fn in ("input", "output"):
        f = getattr(lib, "lowbit_model_%s_info" % fn)
        f.restype = ctypes.POINTER(TensorInfo)
        f.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.lowbit_model_set_input.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                           ctypes.c_void_p, ctypes.c_size_t]
    lib.lowbit_model_get_output.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
    for name in ("num_inputs", "num_outputs", "run"):
        getattr(lib, "lowbit_model_" + name).argtypes = [ctypes.c_void_p]
    lib.lowbit_model_set_num_threads.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.lowbit_model_destroy.argtypes = [ctypes.c_void_p]

    if lib.lowbit_abi_version() != 1:
        sys.exit("ABI version mismatch")
    model = lib.lowbit_model_create()
    if not model:
        sys.exit("lowbit_model_create failed")

    def check(status, what):
        if status != 0:
            sys.exit("%s: %s" % (what, lib.lowbit_model_last_error(model)
                                 .decode()))

    check(lib.lowbit_model_set_num_threads(model, args.threads), "threads")
    inputs = pairs(args.input)
    for i in range(lib.lowbit_model_num_inputs(model)):
        info = lib.lowbit_model_input_info(model, i).contents
        name = info.name.decode()
        shape = [info.shape[d] for d in range(info.rank)]
        if name not in inputs:
            sys.exit("no --input for '%s'" % name)
        data = np.ascontiguousarray(load(inputs[name]), DTYPES[info.dtype])
        if list(data.shape) != shape:
            sys.exit("input '%s': shape %s, artifact wants %s" %
                     (name, list(data.shape), shape))
        check(lib.lowbit_model_set_input(model, info.name,
                                         data.ctypes.data, data.nbytes),
              "set_input " + name)

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        check(lib.lowbit_model_run(model), "run")
        times.append(time.perf_counter() - start)
    if args.repeat > 1:
        print("latency: min %.3f ms, median %.3f ms over %d runs" %
              (min(times) * 1e3, sorted(times)[len(times) // 2] * 1e3,
               args.repeat))

    expected = pairs(args.expected)
    ok = True
    for i in range(lib.lowbit_model_num_outputs(model)):
        info = lib.lowbit_model_output_info(model, i).contents
        name = info.name.decode()
        shape = [info.shape[d] for d in range(info.rank)]
        data = ctypes.c_void_p()
        size = ctypes.c_size_t()
        check(lib.lowbit_model_get_output(model, info.name,
                                          ctypes.byref(data),
                                          ctypes.byref(size)), "get_output")
        buf = (ctypes.c_char * size.value).from_address(data.value)
        got = np.frombuffer(bytes(buf), DTYPES[info.dtype]).reshape(shape)
        if name not in expected:
            print("output %s: %s %s (not checked)" % (name, got.dtype, shape))
            continue
        want = load(expected[name])
        if list(want.shape) != shape:
            print("output %s: MISMATCH shape %s, expected %s" %
                  (name, shape, list(want.shape)))
            ok = False
            continue
        err = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)),
                     initial=0.0)
        good = np.allclose(got, want, rtol=args.rtol, atol=args.atol)
        print("output %s: %s max abs error %.3g" %
              (name, "OK" if good else "MISMATCH", err))
        ok = ok and good
    lib.lowbit_model_destroy(model)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
