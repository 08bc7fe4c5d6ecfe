//===- ContractionBuilders.h - loop structure of matmuls and convs -*- C++
//-*-===//
//
// The loop nests the float and the quantized contraction lowerings share:
// numpy-batched matmuls over (batch..., m, n, k) and grouped N-d
// convolutions over (n, g, f, o..., c, k...), as indexing maps and iterator
// types, so that a lowering only supplies its operands and its body.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_CONTRACTIONBUILDERS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_CONTRACTIONBUILDERS_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace lowbit {

/// Indexing maps (inputs then the result) and iterator types of one
/// contraction generic, and the shape of its result.
struct ContractionLoops {
  llvm::SmallVector<mlir::AffineMap> maps;
  llvm::SmallVector<mlir::utils::IteratorType> iterators;
  llvm::SmallVector<int64_t> resultShape;
};

/// `lhs[..., M, K] x rhs[..., K, N]` with numpy batch broadcasting over
/// (batch..., m, n, k): maps for lhs, rhs and the [batch..., M, N] result.
ContractionLoops getBatchedMatmulLoops(mlir::MLIRContext *ctx,
                                       llvm::ArrayRef<int64_t> lhsShape,
                                       llvm::ArrayRef<int64_t> rhsShape);

/// A grouped N-d convolution over (n, g, f, o..., c, k...): input
/// [N, G, Cg, S...] read at o * stride + k * dilation, the weight through
/// `weightMap`, result [N, G, Fg, O...] (result shape left empty).
ContractionLoops getGroupedConvLoops(mlir::MLIRContext *ctx,
                                     llvm::ArrayRef<int64_t> strides,
                                     llvm::ArrayRef<int64_t> dilations,
                                     mlir::AffineMap weightMap);

/// The weight map of a forward convolution: weight [G, Fg, Cg, K...] read at
/// (g, f, c, k...) of the loops above.
mlir::AffineMap getForwardWeightMap(mlir::MLIRContext *ctx, int64_t spatial);

/// Splits dimension `channelDim` of `value` into [groups, size / groups].
mlir::Value splitChannels(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, int64_t groups,
                          int64_t channelDim);

/// Pads the spatial dimensions of an [N, C, S...] input by the ONNX `pads`
/// (begins, then ends) with `padValue`; returns `input` when all are 0.
mlir::Value padSpatialDims(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> pads,
                           mlir::Value padValue);

/// Body of a contraction generic: `acc + lhs * rhs` over (lhs, rhs, acc).
void yieldMultiplyAccumulate(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange args);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_CONTRACTIONBUILDERS_H
