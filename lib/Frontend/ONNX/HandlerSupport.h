//===- HandlerSupport.h - pieces shared by the op handlers ------*- C++ -*-===//
//
// Shape arithmetic and small IR builders every op family needs: ONNX
// broadcasting, axis normalization, reshapes and scalar constants.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_FRONTEND_ONNX_HANDLERSUPPORT_H
#define LOWBIT_LIB_FRONTEND_ONNX_HANDLERSUPPORT_H

#include "GraphImporter.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

namespace lowbit {
namespace onnx_import {

/// Constants larger than this stay in the graph instead of being folded on
/// the host (folding would copy them for little gain).
constexpr int64_t kMaxHostFoldElements = int64_t(1) << 22;

/// True when a result of `shape` is small enough to fold on the host.
inline bool isFoldableSize(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  return count <= kMaxHostFoldElements;
}

inline mlir::RankedTensorType getTensorType(llvm::ArrayRef<int64_t> shape,
                                            mlir::Type elementType) {
  return mlir::RankedTensorType::get(shape, elementType);
}

/// ONNX multidirectional broadcast of `shapes`; emits an error on `node`
/// when they do not broadcast.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(NodeImporter &node,
                llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// Maps `axis` in [-rank, rank) to [0, rank); emits an error naming `what`
/// when out of range.
mlir::FailureOr<int64_t> normalizeAxis(NodeImporter &node, int64_t axis,
                                       int64_t rank,
                                       llvm::StringRef what = "axis");

/// Normalizes every axis and sorts them; duplicates are an error.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, llvm::ArrayRef<int64_t> axes, int64_t rank);

/// `value` reshaped to `shape` (no op when it already has that shape).
mlir::Value createReshape(NodeImporter &node, mlir::Value value,
                          llvm::ArrayRef<int64_t> shape);

/// A scalar (rank-0) constant of `elementType`.
mlir::Value createScalar(NodeImporter &node, mlir::Type elementType,
                         double value);

/// A scalar attribute of `elementType` (FloatAttr or IntegerAttr).
mlir::TypedAttr getScalarAttr(mlir::Type elementType, double value);

/// Product of the extents of `shape`.
int64_t getElementCount(llvm::ArrayRef<int64_t> shape);

/// Defines output `i` as `input`'s value, keeping a known constant known.
void forwardInput(NodeImporter &node, unsigned output, unsigned input);

//===----------------------------------------------------------------------===//
// Shared by the float and quantized contractions (NNOps.cpp)
//===----------------------------------------------------------------------===//

/// The result shape of ONNX MatMul on operands of shapes `a` and `b` (numpy
/// promotion of 1-D operands, broadcast batch dimensions); emits an error on
/// `node` when they do not fit.
mlir::FailureOr<llvm::SmallVector<int64_t>>
getMatMulShape(NodeImporter &node, llvm::ArrayRef<int64_t> a,
               llvm::ArrayRef<int64_t> b);

/// The explicit geometry of a Conv-like node (Conv, ConvInteger,
/// QLinearConv): kernel_shape, strides, dilations, pads and auto_pad
/// resolved, group checked against the operands.
struct ConvGeometry {
  llvm::SmallVector<int64_t> strides, dilations, pads, resultShape;
  int64_t group = 1;
};

/// Reads the Conv attributes of `node` for `input` (N x C x spatial) and
/// `weight` (F x C/group x kernel); emits an error when they do not fit.
mlir::FailureOr<ConvGeometry> resolveConvGeometry(
    NodeImporter &node, mlir::RankedTensorType input,
    mlir::RankedTensorType weight);

} // namespace onnx_import
} // namespace lowbit

#endif // LOWBIT_LIB_FRONTEND_ONNX_HANDLERSUPPORT_H
