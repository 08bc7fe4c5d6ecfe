//===- HostTensor.h - tensors known at import time --------------*- C++ -*-===//
//
// The importer evaluates shape subgraphs (Shape -> Gather -> Concat ->
// Reshape) on the host so that every shape operand the lowbit dialect takes
// as an attribute is known. A HostTensor is such a value: an MLIR tensor type
// plus its little-endian element bytes, shared so that passing a weight
// through Identity or Reshape costs no copy.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_FRONTEND_ONNX_HOSTTENSOR_H
#define LOWBIT_LIB_FRONTEND_ONNX_HOSTTENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <vector>

namespace lowbit {
namespace onnx_import {

/// Bytes one element of `type` occupies in a HostTensor (i1 takes a byte).
/// Returns 0 for element types a HostTensor cannot hold.
unsigned getHostElementSize(mlir::Type type);

/// A constant tensor held on the host.
class HostTensor {
public:
  HostTensor() = default;
  HostTensor(mlir::RankedTensorType type, std::vector<char> bytes);

  mlir::RankedTensorType getType() const { return type; }
  mlir::Type getElementType() const { return type.getElementType(); }
  llvm::ArrayRef<int64_t> getShape() const { return type.getShape(); }
  int64_t getRank() const { return type.getRank(); }
  int64_t getNumElements() const { return type.getNumElements(); }
  llvm::ArrayRef<char> getBytes() const { return *data; }
  bool isFloat() const { return llvm::isa<mlir::FloatType>(getElementType()); }

  /// Element `i` as an integer: floats truncate toward zero, unsigned types
  /// zero-extend, signless types sign-extend (ONNX integers are signed).
  int64_t getInt(int64_t i) const;
  /// Element `i` as a double.
  double getDouble(int64_t i) const;
  llvm::SmallVector<int64_t> getInts() const;
  llvm::SmallVector<double> getDoubles() const;

  /// True when every element has the same bytes.
  bool isSplat() const;

  /// The same bytes under another shape with the same element count.
  HostTensor withShape(llvm::ArrayRef<int64_t> shape) const;

  /// A tensor of `type` whose elements are `values` converted to its element
  /// type (truncating toward zero for integers, non-zero tests for i1).
  static HostTensor fromInts(mlir::RankedTensorType type,
                             llvm::ArrayRef<int64_t> values);
  static HostTensor fromDoubles(mlir::RankedTensorType type,
                                llvm::ArrayRef<double> values);

  /// The attribute of a `lowbit.constant` holding this tensor: plain `dense`
  /// for splats, booleans and tiny tensors (readable), `dense_resource`
  /// under a blob named after `name` otherwise.
  mlir::ElementsAttr toElementsAttr(llvm::StringRef name) const;

private:
  mlir::RankedTensorType type;
  std::shared_ptr<const std::vector<char>> data;
};

//===----------------------------------------------------------------------===//
// Host evaluation of the ops that compute shapes
//===----------------------------------------------------------------------===//

/// Elementwise binary op with ONNX multidirectional broadcasting; the result
/// has `resultType` (its element type decides whether `floatFn` or `intFn`
/// computes). Comparisons pass an i1 result type and return 0/1.
HostTensor evalBinary(const HostTensor &lhs, const HostTensor &rhs,
                      mlir::RankedTensorType resultType,
                      llvm::function_ref<double(double, double)> floatFn,
                      llvm::function_ref<int64_t(int64_t, int64_t)> intFn);

/// Elementwise unary op keeping the shape; the result element type is
/// `resultType`'s.
HostTensor evalUnary(const HostTensor &input, mlir::RankedTensorType resultType,
                     llvm::function_ref<double(double)> floatFn,
                     llvm::function_ref<int64_t(int64_t)> intFn);

/// `condition ? lhs : rhs`, broadcasting all three to `resultType`.
HostTensor evalWhere(const HostTensor &condition, const HostTensor &lhs,
                     const HostTensor &rhs, mlir::RankedTensorType resultType);

/// Converts the element type (ONNX Cast semantics).
HostTensor evalCast(const HostTensor &input, mlir::Type elementType);

/// Broadcasts `input` to `shape` (which must be a broadcast of its shape).
HostTensor evalBroadcastTo(const HostTensor &input,
                           llvm::ArrayRef<int64_t> shape);

/// Result dimension i is input dimension perm[i].
HostTensor evalTranspose(const HostTensor &input, llvm::ArrayRef<int64_t> perm);

/// Concatenates along `axis` (non-negative).
HostTensor evalConcat(llvm::ArrayRef<const HostTensor *> inputs, int64_t axis);

/// out[i] = in[starts + i * steps] with the extents of `resultShape`.
HostTensor evalSlice(const HostTensor &input, llvm::ArrayRef<int64_t> starts,
                     llvm::ArrayRef<int64_t> steps,
                     llvm::ArrayRef<int64_t> resultShape);

/// ONNX Gather along `axis` (non-negative); indices are already normalized
/// to be non-negative and in range.
HostTensor evalGather(const HostTensor &input, const HostTensor &indices,
                      int64_t axis);

/// Pads with `padValue` (constant mode only); pads are all begins then all
/// ends and may be negative (cropping).
HostTensor evalPad(const HostTensor &input, llvm::ArrayRef<int64_t> pads,
                   double padValue);

/// Repeats the input `repeats[d]` times along each dimension d.
HostTensor evalTile(const HostTensor &input, llvm::ArrayRef<int64_t> repeats);

} // namespace onnx_import
} // namespace lowbit

#endif // LOWBIT_LIB_FRONTEND_ONNX_HOSTTENSOR_H
