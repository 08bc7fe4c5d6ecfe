//===- LowbitToLinalg.h - lower lowbit to linalg on tensors -----*- C++ -*-===//
//
// Patterns lowering the lowbit graph dialect to linalg, tensor, arith and math
// on tensors, split by op family, plus the type converter they share.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace lowbit {

/// Converts unsigned integer element types and `!quant` element types to
/// signless integers of the same (storage) width, inside tensors too, and
/// tensors of i1 to tensors of i8 holding 0 or 1 (bool storage: no i1 tensor
/// ever reaches bufferization). Every other type is kept.
class LowbitToLinalgTypeConverter : public mlir::TypeConverter {
public:
  LowbitToLinalgTypeConverter();
};

/// Elementwise ops: arithmetic, comparisons, logic, activations, where, cast.
void populateLowbitElementwiseToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// matmul, gemm, conv and conv_transpose.
void populateLowbitMatmulConvToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// max_pool, max_pool_with_indices and avg_pool.
void populateLowbitPoolingToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// softmax, layer_norm and batch_norm.
void populateLowbitNormalizationToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// The reduce_* ops, arg_max, cumsum and top_k.
void populateLowbitReductionToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// constant, reshape, transpose, concat, slice, gather, gather_elements,
/// gather_nd, scatter_elements, scatter_nd, expand, tile, pad.
void populateLowbitDataMovementToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// resize (nearest, linear, cubic).
void populateLowbitResizeToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// quantize, dequantize and requantize (ONNX QuantizeLinear semantics).
void populateLowbitQuantizationToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

/// All of the above.
void populateLowbitToLinalgPatterns(const mlir::TypeConverter &typeConverter,
                                    mlir::RewritePatternSet &patterns);

} // namespace lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_LOWBITTOLINALG_H
