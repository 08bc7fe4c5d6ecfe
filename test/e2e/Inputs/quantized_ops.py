#!/usr/bin/env python3
"""Writes small lowbit-dialect graphs of quantized ops and their reference
outputs, for quantized-ops.test:

  quantized_ops.py OUTDIR

For every case CASE it writes OUTDIR/CASE.mlir (a hand-written lowbit module
whose weights, scales and zero points come from a seeded generator), the
inputs OUTDIR/CASE.NAME.npy and the expected outputs OUTDIR/CASE.NAME.out.npy.

The references are plain numpy implementations of the ONNX formulas
(QLinearMatMul / QLinearConv / MatMulInteger / DequantizeLinear, QLoRA's NF4
table, OCP fp8 e4m3fn, per-token dynamic quantization), not of the lowering:
products of zero-point-shifted integers summed in int64, dequantized weights
multiplied in float, requantization as round-half-to-even of
float32(acc) * float32(sa * sb / sy) (ONNX Runtime's kernels), the fused
activation applied to the real value before rounding. Quantized tensors cross
the artifact boundary as their storage bytes, so uint8 data is passed as
its int8 bit pattern.

Run with /usr/bin/python3 (lit: %python): it needs numpy.
"""
import os
import sys

import numpy as np

OUT = sys.argv[1]
rng = np.random.default_rng(20261124)

NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
    0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=np.float32)


def f32(x):
    return np.float32(x)


def fmt(x):
    """A float32 as text that parses back to the same float32."""
    return repr(float(np.float32(x)))


def per_tensor(storage, scale, zp):
    return "!quant.uniform<%s:f32, %s:%d>" % (storage, fmt(scale), zp)


def per_axis(storage, axis, scales, zps):
    items = ", ".join("%s:%d" % (fmt(s), z) for s, z in zip(scales, zps))
    return "!quant.uniform<%s:f32:%d, {%s}>" % (storage, axis, items)


def sub_channel(storage, blocks, scales, zps):
    """Blocks as {dim: size}; scales/zps of the scale tensor's 2-D shape."""
    rows = ", ".join(
        "{" + ", ".join("%s:%d" % (fmt(s), z) for s, z in zip(sr, zr)) + "}"
        for sr, zr in zip(scales, zps))
    spec = ", ".join("%d:%d" % (d, b) for d, b in sorted(blocks.items()))
    return "!quant.uniform<%s:f32:{%s}, {%s}>" % (storage, spec, rows)


def tensor(shape, element):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), element)


def literal(array):
    """A nested dense literal: integers as is, floats exactly."""
    if array.ndim == 0:
        value = array.item()
        return fmt(value) if isinstance(value, float) else str(int(value))
    return "[" + ", ".join(literal(row) for row in array) + "]"


class Module:
    """Collects one lowbit module: inputs, blobs, ops, outputs."""

    def __init__(self, name):
        self.name = name
        self.args = []
        self.body = []
        self.results = []
        self.blobs = {}
        self.inputs = {}
        self.expected = {}

    def input(self, name, array, storage_type=None):
        """A graph input; integer storage goes through quant.scast."""
        mlir_type = tensor(array.shape, {np.dtype(np.float32): "f32",
                                         np.dtype(np.int8): "i8"}[array.dtype])
        self.args.append("%%%s: %s {lowbit.name = \"%s\"}" % (name, mlir_type,
                                                               name))
        self.inputs[name] = array
        if storage_type is None:
            return "%" + name
        quant = tensor(array.shape, storage_type)
        self.body.append("%%%s_q = quant.scast %%%s : %s to %s" %
                         (name, name, mlir_type, quant))
        return "%%%s_q" % name

    def blob(self, name, array, element):
        """A dense_resource weight of `element` type (may be !quant)."""
        data = np.ascontiguousarray(array).tobytes()
        self.blobs[name] = "0x01000000" + data.hex().upper()
        self.body.append("%%%s = lowbit.constant dense_resource<%s> : %s" %
                         (name, name, tensor(array.shape, element)))
        return "%" + name

    def constant(self, name, array, element, quant=None):
        """A dense weight literal, cast to `quant` when given."""
        storage = tensor(array.shape, element)
        self.body.append("%%%s = lowbit.constant dense<%s> : %s" %
                         (name, literal(np.asarray(array)), storage))
        if quant is None:
            return "%" + name
        self.body.append("%%%s_q = quant.scast %%%s : %s to %s" %
                         (name, name, storage, tensor(array.shape, quant)))
        return "%%%s_q" % name

    def op(self, text):
        self.body.append(text)

    def output(self, name, value, mlir_type, reference, quant_type=None):
        """Returns `value`, through quant.scast when it is quantized."""
        if quant_type is not None:
            self.body.append("%%%s_s = quant.scast %s : %s to %s" %
                             (name, value, quant_type, mlir_type))
            value = "%%%s_s" % name
        self.results.append((name, value, mlir_type))
        self.expected[name] = reference

    def write(self):
        lines = ["func.func @main(%s) -> (%s) {" % (
            ", ".join(self.args),
            ", ".join("%s {lowbit.name = \"%s\"}" % (t, n)
                      for n, _, t in self.results))]
        lines += ["  " + line for line in self.body]
        lines.append("  return %s : %s" % (
            ", ".join(v for _, v, _ in self.results),
            ", ".join(t for _, _, t in self.results)))
        lines.append("}")
        if self.blobs:
            lines.append("{-#\n  dialect_resources: {\n    builtin: {")
            lines.append(",\n".join("      %s: \"%s\"" % item
                                    for item in self.blobs.items()))
            lines.append("    }\n  }\n#-}")
        with open(os.path.join(OUT, self.name + ".mlir"), "w") as f:
            f.write("\n".join(lines) + "\n")
        for name, array in self.inputs.items():
            np.save(os.path.join(OUT, "%s.%s.npy" % (self.name, name)), array)
        for name, array in self.expected.items():
            np.save(os.path.join(OUT, "%s.%s.out.npy" % (self.name, name)),
                    array)


#===----------------------------------------------------------------------===#
# References
#===----------------------------------------------------------------------===#

def requantize(acc, multiplier, zp, qmin, qmax, lo=None, hi=None):
    """round_half_even(float32(acc) * multiplier) + zp, saturated; the
    activation bounds (in units of the result scale) clamp the real value
    before rounding."""
    value = acc.astype(np.float32) * multiplier
    if lo is not None:
        value = np.maximum(value, lo)
    if hi is not None:
        value = np.minimum(value, hi)
    return np.clip(np.rint(value) + zp, qmin, qmax)


def as_storage(q, signed):
    """Quantized codes as the int8 bytes the artifact exchanges."""
    return q.astype(np.int8 if signed else np.uint8).view(np.int8)


def conv2d_int(x, w, strides, pads, dilations, group, pad_value,
               dtype=np.int64):
    """NCHW convolution: sum over c, kh, kw of x * w in int64 (or `dtype`),
    the input padded with `pad_value` (already zero-point shifted inputs
    pad with 0)."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x.astype(dtype), ((0, 0), (0, 0), (pads[0], pads[2]),
                                  (pads[1], pads[3])),
                constant_values=pad_value)
    span_h, span_w = dilations[0] * (kh - 1) + 1, dilations[1] * (kw - 1) + 1
    oh = (h + pads[0] + pads[2] - span_h) // strides[0] + 1
    ow = (wd + pads[1] + pads[3] - span_w) // strides[1] + 1
    out = np.zeros((n, f, oh, ow), dtype=dtype)
    fg = f // group
    for o in range(f):
        g = o // fg
        for i in range(oh):
            for j in range(ow):
                top, left = i * strides[0], j * strides[1]
                patch = xp[:, g * cg:(g + 1) * cg,
                           top:top + span_h:dilations[0],
                           left:left + span_w:dilations[1]]
                out[:, o, i, j] = np.sum(patch * w[o].astype(dtype),
                                         axis=(1, 2, 3))
    return out


def e4m3fn_to_float(code):
    """OCP fp8 e4m3fn: sign, 4 exponent bits (bias 7), 3 mantissa bits."""
    code = int(code)
    sign = -1.0 if code & 0x80 else 1.0
    exponent = (code >> 3) & 0xF
    mantissa = code & 0x7
    if exponent == 0xF and mantissa == 0x7:
        return np.nan
    if exponent == 0:
        return sign * mantissa * 2.0 ** -9
    return sign * (1 + mantissa / 8.0) * 2.0 ** (exponent - 7)


def float_to_e4m3fn(x):
    """The nearest e4m3fn code (ties to the even code), saturating at
    +-448: a search over every finite code."""
    finite = [c for c in range(256) if (c & 0x7F) != 0x7F]
    values = np.array([e4m3fn_to_float(c) for c in finite])
    x = float(np.clip(x, -448.0, 448.0))
    distance = np.abs(values - x)
    best = [c for c, d in zip(finite, distance) if d == distance.min()]
    sign = 0x80 if np.signbit(x) else 0
    best = [c for c in best if (c & 0x80) == sign] or best
    return min(best, key=lambda c: (c & 1, c))


#===----------------------------------------------------------------------===#
# Cases
#===----------------------------------------------------------------------===#

def int8_matmul():
    """i8 x per-channel i8 with i32 bias: requantized + relu, float, i32."""
    m = Module("int8_matmul")
    sa, za = f32(0.05), -3
    a = rng.integers(-128, 128, (2, 3, 64)).astype(np.int8)
    w = rng.integers(-127, 128, (64, 24)).astype(np.int8)
    sw = rng.uniform(0.004, 0.02, 24).astype(np.float32)
    bias = rng.integers(-2000, 2000, 24).astype(np.int32)
    sy, zy = f32(0.08), -10
    a_type = per_tensor("i8", sa, za)
    w_type = per_axis("i8", 1, sw, [0] * 24)
    y_type = per_tensor("i8", sy, zy)
    qa = m.input("a", a, a_type)
    qw = m.blob("w", w, w_type)
    qb = m.constant("bias", bias, "i32")
    in_types = "(%s, %s, tensor<24xi32>)" % (tensor(a.shape, a_type),
                                             tensor(w.shape, w_type))
    m.op("%%y = lowbit.quantized_matmul %s, %s, %s {activation = "
         "#lowbit.activation<relu>} : %s -> %s" %
         (qa, qw, qb, in_types, tensor((2, 3, 24), y_type)))
    m.op("%%yf = lowbit.quantized_matmul %s, %s, %s : %s -> %s" %
         (qa, qw, qb, in_types, tensor((2, 3, 24), "f32")))
    m.op("%%yi = lowbit.quantized_matmul %s, %s, %s : %s -> %s" %
         (qa, qw, qb, in_types, tensor((2, 3, 24), "i32")))

    acc = (a.astype(np.int64) - za) @ w.astype(np.int64) + bias
    multiplier = (sa * sw) / sy
    y = requantize(acc, multiplier.astype(np.float32), zy, -128, 127, lo=0.0)
    m.output("y", "%y", tensor((2, 3, 24), "i8"), as_storage(y, True),
             tensor((2, 3, 24), y_type))
    m.output("yf", "%yf", tensor((2, 3, 24), "f32"),
             acc.astype(np.float32) * (sa * sw).astype(np.float32))
    m.output("yi", "%yi", tensor((2, 3, 24), "i32"), acc.astype(np.int32))
    m.write()


def int4_integer_matmul():
    """int8 activations x constant per-channel u4 weights with zero points
    (packed, an odd K of 33) -> requantized int8; a 1-D lhs with weights
    [1, K, N] -> raw i32."""
    m = Module("int4_integer_matmul")
    sa, za = f32(0.05), 7
    a = rng.integers(-128, 128, (5, 33)).astype(np.int8)
    w = rng.integers(0, 16, (33, 6)).astype(np.int8)
    sw = rng.uniform(0.01, 0.05, 6).astype(np.float32)
    zw = rng.integers(0, 16, 6)
    sy, zy = f32(0.1), 3
    a_type = per_tensor("i8", sa, za)
    w_type = per_axis("u4", 1, sw, zw)
    y_type = per_tensor("i8", sy, zy)
    qa = m.input("a", a, a_type)
    qw = m.constant("w", w, "i4", w_type)
    m.op("%%y = lowbit.quantized_matmul %s, %s : (%s, %s) -> %s" %
         (qa, qw, tensor(a.shape, a_type), tensor(w.shape, w_type),
          tensor((5, 6), y_type)))
    acc = (a.astype(np.int64) - za) @ (w.astype(np.int64) - zw)
    y = requantize(acc, ((sa * sw) / sy).astype(np.float32), zy, -128, 127)
    m.output("y", "%y", tensor((5, 6), "i8"), as_storage(y, True),
             tensor((5, 6), y_type))

    v = rng.integers(-128, 128, (33,)).astype(np.int8)
    w3 = rng.integers(-127, 128, (1, 33, 6)).astype(np.int8)
    w3_type = per_axis("i8", 2, sw, [0] * 6)
    qv = m.input("v", v, a_type)
    qw3 = m.constant("w3", w3, "i8", w3_type)
    m.op("%%yv = lowbit.quantized_matmul %s, %s : (%s, %s) -> "
         "tensor<1x6xi32>" % (qv, qw3, tensor(v.shape, a_type),
                              tensor(w3.shape, w3_type)))
    m.output("yv", "%yv", "tensor<1x6xi32>",
             ((v.astype(np.int64) - za) @ w3[0]).astype(np.int32)[None])
    m.write()


def u8_conv():
    """u8 x per-channel i8 3x3 pad 1 + bias -> float; grouped with a
    weight zero point -> requantized u8."""
    m = Module("u8_conv")
    sx, zx = f32(0.02), 131
    x = rng.integers(0, 256, (1, 4, 9, 9)).astype(np.uint8)
    w = rng.integers(-127, 128, (6, 4, 3, 3)).astype(np.int8)
    sw = rng.uniform(0.002, 0.01, 6).astype(np.float32)
    bias = rng.integers(-3000, 3000, 6).astype(np.int32)
    x_type = per_tensor("u8", sx, zx)
    w_type = per_axis("i8", 0, sw, [0] * 6)
    qx = m.input("x", x.view(np.int8), x_type)
    qw = m.blob("w", w, w_type)
    qb = m.constant("bias", bias, "i32")
    m.op("%%y = lowbit.quantized_conv %s, %s, %s {strides = array<i64: 1, 1>, "
         "dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : "
         "(%s, %s, tensor<6xi32>) -> tensor<1x6x9x9xf32>" %
         (qx, qw, qb, tensor(x.shape, x_type), tensor(w.shape, w_type)))
    acc = conv2d_int(x.astype(np.int64) - zx, w, (1, 1), (1, 1, 1, 1),
                     (1, 1), 1, 0) + bias.reshape(1, 6, 1, 1)
    y = acc.astype(np.float32) * (sx * sw).reshape(1, 6, 1, 1)
    m.output("y", "%y", "tensor<1x6x9x9xf32>", y)

    # Grouped (2 groups), stride 2, dilation 2, weight zero point 3.
    w2 = rng.integers(-100, 100, (4, 2, 3, 3)).astype(np.int8)
    sw2, zw2 = f32(0.006), 3
    sy, zy = f32(0.05), 100
    w2_type = per_tensor("i8", sw2, zw2)
    y2_type = per_tensor("u8", sy, zy)
    qw2 = m.constant("w2", w2, "i8", w2_type)
    m.op("%%y2 = lowbit.quantized_conv %s, %s {strides = array<i64: 2, 2>, "
         "dilations = array<i64: 2, 2>, pads = array<i64: 2, 1, 2, 1>, "
         "group = 2 : i64} : (%s, %s) -> %s" %
         (qx, qw2, tensor(x.shape, x_type), tensor(w2.shape, w2_type),
          tensor((1, 4, 5, 4), y2_type)))
    acc2 = conv2d_int(x.astype(np.int64) - zx, w2.astype(np.int64) - zw2,
                      (2, 2), (2, 1, 2, 1), (2, 2), 2, 0)
    y2 = requantize(acc2, f32(f32(sx * sw2) / sy), zy, 0, 255)
    m.output("y2", "%y2", tensor((1, 4, 5, 4), "i8"), as_storage(y2, False),
             tensor((1, 4, 5, 4), y2_type))
    m.write()


def depthwise_conv():
    """i8 depthwise 3x3 stride 2 pad 1, per-channel weights, bias, clip to
    [0, 6] -> requantized u8."""
    m = Module("depthwise_conv")
    sx, zx = f32(0.03), 5
    x = rng.integers(-128, 128, (1, 8, 10, 10)).astype(np.int8)
    w = rng.integers(-127, 128, (8, 1, 3, 3)).astype(np.int8)
    sw = rng.uniform(0.005, 0.03, 8).astype(np.float32)
    bias = rng.integers(-500, 500, 8).astype(np.int32)
    sy, zy = f32(0.025), 0
    x_type = per_tensor("i8", sx, zx)
    w_type = per_axis("i8", 0, sw, [0] * 8)
    y_type = per_tensor("u8", sy, zy)
    qx = m.input("x", x, x_type)
    qw = m.blob("w", w, w_type)
    qb = m.constant("bias", bias, "i32")
    m.op("%%y = lowbit.quantized_conv %s, %s, %s {strides = array<i64: 2, 2>, "
         "dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, "
         "group = 8 : i64, activation = #lowbit.activation<clip>, "
         "clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (%s, %s, "
         "tensor<8xi32>) -> %s" %
         (qx, qw, qb, tensor(x.shape, x_type), tensor(w.shape, w_type),
          tensor((1, 8, 5, 5), y_type)))
    acc = conv2d_int(x.astype(np.int64) - zx, w, (2, 2), (1, 1, 1, 1), (1, 1),
                     8, 0) + bias.reshape(1, 8, 1, 1)
    multiplier = ((sx * sw) / sy).astype(np.float32).reshape(1, 8, 1, 1)
    y = requantize(acc, multiplier, zy, 0, 255, lo=f32(0.0) / sy,
                   hi=f32(f32(6.0) / sy))
    m.output("y", "%y", tensor((1, 8, 5, 5), "i8"), as_storage(y, False),
             tensor((1, 8, 5, 5), y_type))
    m.write()


def int4_weight_only():
    """f32 x i4 weights in 3 groups of 32 along K, per-group zero points,
    f32 bias, relu."""
    m = Module("int4_weight_only")
    x = rng.standard_normal((5, 96)).astype(np.float32)
    w = rng.integers(-8, 8, (96, 20)).astype(np.int8)
    scales = rng.uniform(0.01, 0.1, (3, 20)).astype(np.float32)
    zps = rng.integers(-2, 3, (3, 20))
    bias = rng.standard_normal(20).astype(np.float32)
    w_type = sub_channel("i4", {0: 32, 1: 1}, scales, zps)
    qx = m.input("x", x)
    qw = m.constant("w", w, "i4", w_type)
    qb = m.constant("bias", bias, "f32")
    m.op("%%y = lowbit.quantized_matmul %s, %s, %s {activation = "
         "#lowbit.activation<relu>} : (tensor<5x96xf32>, %s, tensor<20xf32>) "
         "-> tensor<5x20xf32>" % (qx, qw, qb, tensor(w.shape, w_type)))
    groups = np.arange(96) // 32
    dequantized = ((w.astype(np.float32) - zps[groups].astype(np.float32)) *
                   scales[groups])
    y = np.maximum(x.astype(np.float64) @ dequantized.astype(np.float64) +
                   bias, 0).astype(np.float32)
    m.output("y", "%y", "tensor<5x20xf32>", y)
    m.write()


def int4_conv():
    """f32 x constant per-channel i4 weights, packed along (c, kh, kw):
    a 3x3 convolution and a depthwise one (9 codes per channel, an odd
    run), + bias."""
    m = Module("int4_conv")
    x = rng.standard_normal((1, 4, 6, 6)).astype(np.float32)
    qx = m.input("x", x)
    for name, shape, group in (("y", (3, 4, 3, 3), 1), ("yd", (4, 1, 3, 3), 4)):
        w = rng.integers(-8, 8, shape).astype(np.int8)
        sw = rng.uniform(0.02, 0.2, shape[0]).astype(np.float32)
        bias = rng.standard_normal(shape[0]).astype(np.float32)
        w_type = per_axis("i4", 0, sw, [0] * shape[0])
        qw = m.constant("w" + name, w, "i4", w_type)
        qb = m.constant("b" + name, bias, "f32")
        out_shape = (1, shape[0], 6, 6)
        m.op("%%%s = lowbit.quantized_conv %s, %s, %s {strides = array<i64: "
             "1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, "
             "1>, group = %d : i64} : (tensor<1x4x6x6xf32>, %s, tensor<%dxf32>)"
             " -> %s" % (name, qx, qw, qb, group, tensor(w.shape, w_type),
                         shape[0], tensor(out_shape, "f32")))
        dequantized = w.astype(np.float64) * sw.reshape(-1, 1, 1, 1)
        y = conv2d_int(x.astype(np.float64), dequantized, (1, 1), (1, 1, 1, 1),
                       (1, 1), group, 0.0, np.float64)
        m.output(name, "%" + name, tensor(out_shape, "f32"),
                 (y + bias.reshape(1, -1, 1, 1)).astype(np.float32))
    m.write()


def codebooks():
    """NF4 codes (groups of 32 along K) and fp8 e4m3fn codes (per channel)
    as weight-only matmuls."""
    m = Module("codebooks")
    x = rng.standard_normal((3, 64)).astype(np.float32)
    qx = m.input("x", x)
    codes = rng.integers(0, 16, (64, 16)).astype(np.uint8)
    absmax = rng.uniform(0.05, 0.5, (2, 16)).astype(np.float32)
    nf4_type = sub_channel("u4", {0: 32, 1: 1}, absmax, np.zeros((2, 16)))
    qw = m.constant("w", codes.astype(np.int8), "i4", nf4_type)
    m.op("%%y = lowbit.quantized_matmul %s, %s {weight_codebook = "
         "#lowbit.codebook<nf4>} : (tensor<3x64xf32>, %s) -> tensor<3x16xf32>"
         % (qx, qw, tensor(codes.shape, nf4_type)))
    dequantized = NF4[codes] * absmax[np.arange(64) // 32]
    m.output("y", "%y", "tensor<3x16xf32>",
             (x.astype(np.float64) @ dequantized).astype(np.float32))

    fp8 = rng.integers(0, 256, (64, 16)).astype(np.uint8)
    fp8[(fp8 & 0x7F) == 0x7F] = 0x3C  # no NaN codes
    sw = rng.uniform(0.01, 0.1, 16).astype(np.float32)
    fp8_type = per_axis("u8", 1, sw, [0] * 16)
    qw8 = m.blob("w8", fp8, fp8_type)
    m.op("%%y8 = lowbit.quantized_matmul %s, %s {weight_codebook = "
         "#lowbit.codebook<fp8_e4m3fn>} : (tensor<3x64xf32>, %s) -> "
         "tensor<3x16xf32>" % (qx, qw8, tensor(fp8.shape, fp8_type)))
    decoded = np.vectorize(e4m3fn_to_float)(fp8).astype(np.float32) * sw
    m.output("y8", "%y8", "tensor<3x16xf32>",
             (x.astype(np.float64) @ decoded).astype(np.float32))

    # quantize with a codebook: fp8 codes (out of range, subnormal, exact
    # ties, negative zero), and an NF4 round trip.
    v = np.concatenate([
        rng.standard_normal(40) * 50, [500, -1e6, 448, 464, 465, -0.0],
        [2.0 ** -9 * 2.5, 2.0 ** -7 * 1.5, 1.0625, 1.1875, -3.25, 0.0],
        rng.standard_normal(12) * 0.01]).astype(np.float32)
    qv = m.input("v", v)
    fp8_scalar = per_tensor("u8", 1.0, 0)
    m.op("%%q8 = lowbit.quantize %s {codebook = #lowbit.codebook<fp8_e4m3fn>} "
         ": (tensor<64xf32>) -> %s" % (qv, tensor((64,), fp8_scalar)))
    m.output("q8", "%q8", "tensor<64xi8>",
             np.array([float_to_e4m3fn(e) for e in v],
                      dtype=np.uint8).view(np.int8),
             tensor((64,), fp8_scalar))
    nf4_scalar = per_tensor("u4", 0.5, 0)
    m.op("%%q4 = lowbit.quantize %s {codebook = #lowbit.codebook<nf4>} : "
         "(tensor<64xf32>) -> %s" % (qv, tensor((64,), nf4_scalar)))
    m.op("%%d4 = lowbit.dequantize %%q4 {codebook = #lowbit.codebook<nf4>} : "
         "(%s) -> tensor<64xf32>" % tensor((64,), nf4_scalar))
    midpoints = ((NF4[:-1].astype(np.float64) + NF4[1:]) / 2).astype(
        np.float32)
    nf4_codes = np.sum((v / f32(0.5))[:, None] > midpoints[None, :], axis=1)
    m.output("d4", "%d4", "tensor<64xf32>", NF4[nf4_codes] * f32(0.5))
    m.write()


def dynamic_matmul():
    """Per-token dynamic int8 activations x per-channel i8 weights + f32
    bias; and x per-tensor u8 weights with a zero point."""
    m = Module("dynamic_matmul")
    x = (rng.standard_normal((2, 4, 48)) * 3).astype(np.float32)
    x[1, 2, :] = 0  # an all-zero token: scale 1
    w = rng.integers(-127, 128, (48, 10)).astype(np.int8)
    sw = rng.uniform(0.005, 0.02, 10).astype(np.float32)
    bias = rng.standard_normal(10).astype(np.float32)
    w_type = per_axis("i8", 1, sw, [0] * 10)
    qx = m.input("x", x)
    qw = m.blob("w", w, w_type)
    qb = m.constant("bias", bias, "f32")
    m.op("%%y = lowbit.quantized_matmul %s, %s, %s {dynamic_activations} : "
         "(tensor<2x4x48xf32>, %s, tensor<10xf32>) -> tensor<2x4x10xf32>" %
         (qx, qw, qb, tensor(w.shape, w_type)))

    absmax = np.max(np.abs(x), axis=-1, keepdims=True)
    scale = np.where(absmax == 0, f32(1), absmax / f32(127)).astype(np.float32)
    q = np.clip(np.rint(x / scale), -127, 127).astype(np.int64)
    acc = q @ w.astype(np.int64)
    y = acc.astype(np.float32) * scale * sw + bias
    m.output("y", "%y", "tensor<2x4x10xf32>", y)

    w2 = rng.integers(0, 256, (48, 10)).astype(np.uint8)
    sw2, zw2 = f32(0.01), 7
    w2_type = per_tensor("u8", sw2, zw2)
    qw2 = m.blob("w2", w2, w2_type)
    m.op("%%y2 = lowbit.quantized_matmul %s, %s {dynamic_activations} : "
         "(tensor<2x4x48xf32>, %s) -> tensor<2x4x10xf32>" %
         (qx, qw2, tensor(w2.shape, w2_type)))
    acc2 = q @ (w2.astype(np.int64) - zw2)
    m.output("y2", "%y2", "tensor<2x4x10xf32>",
             acc2.astype(np.float32) * scale * sw2)
    m.write()


int8_matmul()
int4_integer_matmul()
u8_conv()
depthwise_conv()
int4_weight_only()
int4_conv()
codebooks()
dynamic_matmul()
