//===- HandlerSupport.cpp - pieces shared by the op handlers --------------===//

#include "HandlerSupport.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace lowbit {
namespace onnx_import {

FailureOr<SmallVector<int64_t>>
broadcastShapes(NodeImporter &node, ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> shape : shapes)
    rank = std::max(rank, shape.size());
  SmallVector<int64_t> result(rank, 1);
  for (ArrayRef<int64_t> shape : shapes) {
    size_t offset = rank - shape.size();
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t &out = result[d + offset];
      if (shape[d] == out || shape[d] == 1)
        continue;
      if (out != 1) {
        InFlightDiagnostic diag = node.emitError();
        diag << "operand shapes do not broadcast:";
        for (ArrayRef<int64_t> s : shapes) {
          diag << " [";
          llvm::interleaveComma(s, diag);
          diag << "]";
        }
        return diag;
      }
      out = shape[d];
    }
  }
  return result;
}

FailureOr<int64_t> normalizeAxis(NodeImporter &node, int64_t axis,
                                 int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank)
    return node.emitError() << what << " " << axis
                            << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> normalizeAxes(NodeImporter &node,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(node, axis, rank);
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return node.emitError() << "axes repeat a dimension";
  return result;
}

Value createReshape(NodeImporter &node, Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return node.create<lowbit::ReshapeOp>(
      getTensorType(shape, type.getElementType()), value);
}

TypedAttr getScalarAttr(Type elementType, double value) {
  if (auto floatType = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(floatType, value);
  return IntegerAttr::get(elementType, static_cast<int64_t>(value));
}

Value createScalar(NodeImporter &node, Type elementType, double value) {
  auto type = getTensorType({}, elementType);
  return node.create<lowbit::ConstantOp>(
      type, DenseElementsAttr::get(type, getScalarAttr(elementType, value)));
}

int64_t getElementCount(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  return count;
}

void forwardInput(NodeImporter &node, unsigned output, unsigned input) {
  if (const HostTensor *constant = node.getConstantInput(input))
    node.setConstantResult(output, *constant);
  else
    node.setResult(output, node.getInput(input));
}

} // namespace onnx_import
} // namespace lowbit
