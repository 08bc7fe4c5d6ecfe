//===- Passes.td - LowBit dialect conversions --------------*- tablegen -*-===//
//
// Conversions between LowBit's dialects and upstream MLIR dialects.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLowbitToLinalgPass
    : Pass<"convert-lowbit-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower every lowbit op to linalg, tensor, arith and math";
  let description = [{
    Full conversion of the `lowbit` graph dialect to computations on tensors:
    named linalg ops where they fit (matmul, batch_matmul, NCHW convolutions
    and pooling, transpose), `linalg.generic` elsewhere, and `tensor` ops for
    data movement. Semantics are exactly ONNX's, including broadcasting,
    pooling windows that skip out-of-bounds positions and QuantizeLinear's
    round-half-to-even.

    Unsigned integer and `!quant.uniform` element types become signless
    integers of the same width everywhere, function signatures included;
    signedness is read from the original types and selects the unsigned arith
    ops (division, remainder, comparisons, min/max, conversions).

    Bool (`i1`) tensors become `i8` tensors holding 0 or 1, function
    signatures and constants included, so that no `i1` ever lives in memory
    (where vectorized accesses would pack it into bits while scalar accesses
    and the artifact ABI use one byte per element). Linalg bodies still
    compute on `i1`: they read a stored bool as `x != 0` and store one with
    `arith.extui`.

    An op that cannot be lowered (dynamic shapes, quantized operands outside
    quantize/dequantize/requantize, integer elements where only floats are
    supported) gets an error naming the op, its element types and the reason.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect",
  ];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
