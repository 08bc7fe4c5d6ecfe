//===- QuantizeFolding.h - fold Q/DQ into quantized ops ---------*- C++ -*-===//
//
// The rewrite patterns lowbit-quantize applies greedily to turn a graph of
// float ops between `quantize` / `dequantize` pairs (its own insertions or
// an imported ONNX QDQ model) into quantized kernels:
//
//   conv/matmul/gemm(dequantize(a), dequantize(w)) -> quantized_conv/matmul
//   + bias add, + relu/clip, quantize(...)         -> fused epilogue
//   quantize(dequantize(x))                        -> x or requantize(x)
//   reshape/transpose/slice/concat(dequantize(x))  -> dequantize(...(x))
//
// Every rewrite is exact: the folded graph computes what the Q/DQ graph
// computes under the ONNX QDQ integer contract.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEFOLDING_H
#define LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEFOLDING_H

#include "mlir/IR/PatternMatch.h"

namespace lowbit {

/// Adds the Q/DQ folding patterns to `patterns`.
void populateQuantizeFoldingPatterns(mlir::RewritePatternSet &patterns);

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEFOLDING_H
