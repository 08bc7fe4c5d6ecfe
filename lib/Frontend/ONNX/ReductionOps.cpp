//===- ReductionOps.cpp - ONNX Reduce* and ArgMax/ArgMin ------------------===//
//
// Axes move from an attribute to an input at opset 13 for ReduceSum and 18
// for the others; axes are normalized (non-negative, sorted, unique) and an
// empty list means all axes, or nothing with noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include <cmath>

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  SumSquare,
  L1,
  L2,
  LogSumExp,
  LogSum
};

/// Reduces a host tensor (Sum, Mean, Max, Min, Prod only) with keepdims
/// semantics; the caller reshapes for keepdims = 0.
std::optional<HostTensor> foldReduce(const HostTensor &input,
                                     ArrayRef<int64_t> axes, ReduceKind kind,
                                     ArrayRef<int64_t> keptShape) {
  if (kind != ReduceKind::Sum && kind != ReduceKind::Mean &&
      kind != ReduceKind::Max && kind != ReduceKind::Min &&
      kind != ReduceKind::Prod)
    return std::nullopt;
  ArrayRef<int64_t> shape = input.getShape();
  int64_t rank = shape.size();
  int64_t outCount = getElementCount(keptShape);
  double init = kind == ReduceKind::Prod  ? 1.0
                : kind == ReduceKind::Max ? -INFINITY
                : kind == ReduceKind::Min ? INFINITY
                                          : 0.0;
  SmallVector<double> acc(outCount, init);
  int64_t count = input.getNumElements();
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t rest = linear, out = 0, outStride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t i = rest % shape[d];
      rest /= shape[d];
      if (!llvm::is_contained(axes, d)) {
        out += i * outStride;
        outStride *= keptShape[d];
      }
    }
    double v = input.getDouble(linear);
    switch (kind) {
    case ReduceKind::Prod:
      acc[out] *= v;
      break;
    case ReduceKind::Max:
      acc[out] = std::max(acc[out], v);
      break;
    case ReduceKind::Min:
      acc[out] = std::min(acc[out], v);
      break;
    default:
      acc[out] += v;
      break;
    }
  }
  if (kind == ReduceKind::Mean && outCount) {
    double n = static_cast<double>(count) / outCount;
    for (double &v : acc)
      v /= n;
  }
  return HostTensor::fromDoubles(
      getTensorType(keptShape, input.getElementType()), acc);
}

template <typename OpTy>
Value buildReduce(NodeImporter &node, Type type, Value input,
                  ArrayRef<int64_t> axes, bool keepdims) {
  return node.create<OpTy>(type, input, axes, keepdims);
}

LogicalResult importReduce(NodeImporter &node, ReduceKind kind,
                           bool axesFromInput) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  bool keepdims = node.getIntAttr("keepdims", 1);
  SmallVector<int64_t> axes;
  if (axesFromInput) {
    if (node.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> ints = node.getConstantInts(1, "axes");
      if (failed(ints))
        return failure();
      axes = *ints;
    }
  } else if (auto attr = node.getIntsAttr("axes")) {
    axes = *attr;
  }
  if (axes.empty()) {
    if (axesFromInput && node.getIntAttr("noop_with_empty_axes", 0)) {
      forwardInput(node, 0, 0);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(node, axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> keptShape(type.getShape()), shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(*normalized, d))
      keptShape[d] = 1;
    if (keepdims || !llvm::is_contained(*normalized, d))
      shape.push_back(keptShape[d]);
  }
  auto resultType = getTensorType(shape, type.getElementType());

  if (const HostTensor *constant = node.getConstantInput(0);
      constant && isFoldableSize(type.getShape())) {
    if (std::optional<HostTensor> folded =
            foldReduce(*constant, *normalized, kind, keptShape)) {
      node.setConstantResult(0, folded->withShape(shape));
      return success();
    }
  }

  Value input = node.getInput(0);
  Value result;
  switch (kind) {
  case ReduceKind::Sum:
    result = buildReduce<lowbit::ReduceSumOp>(node, resultType, input,
                                              *normalized, keepdims);
    break;
  case ReduceKind::Mean:
    result = buildReduce<lowbit::ReduceMeanOp>(node, resultType, input,
                                               *normalized, keepdims);
    break;
  case ReduceKind::Max:
    result = buildReduce<lowbit::ReduceMaxOp>(node, resultType, input,
                                              *normalized, keepdims);
    break;
  case ReduceKind::Min:
    result = buildReduce<lowbit::ReduceMinOp>(node, resultType, input,
                                              *normalized, keepdims);
    break;
  case ReduceKind::Prod:
    result = buildReduce<lowbit::ReduceProdOp>(node, resultType, input,
                                               *normalized, keepdims);
    break;
  case ReduceKind::SumSquare:
    result = buildReduce<lowbit::ReduceSumSquareOp>(node, resultType, input,
                                                    *normalized, keepdims);
    break;
  case ReduceKind::L1:
    result = buildReduce<lowbit::ReduceL1Op>(node, resultType, input,
                                             *normalized, keepdims);
    break;
  case ReduceKind::L2:
    result = buildReduce<lowbit::ReduceL2Op>(node, resultType, input,
                                             *normalized, keepdims);
    break;
  case ReduceKind::LogSumExp:
    result = buildReduce<lowbit::ReduceLogSumExpOp>(node, resultType, input,
                                                    *normalized, keepdims);
    break;
  case ReduceKind::LogSum:
    result = node.create<lowbit::LogOp>(
        resultType, buildReduce<lowbit::ReduceSumOp>(node, resultType, input,
                                                     *normalized, keepdims));
    break;
  }
  node.setResult(0, result);
  return success();
}

/// ArgMax, and ArgMin as the ArgMax of the negation (ties still resolve to
/// the first, or with select_last_index the last, index).
LogicalResult importArg(NodeImporter &node, bool isMin) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  bool keepdims = node.getIntAttr("keepdims", 1);
  bool last = node.getIntAttr("select_last_index", 0);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (d != *axis)
      shape.push_back(type.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  Value input = node.getInput(0);
  if (isMin) {
    if (type.getElementType().isUnsignedInteger() ||
        type.getElementType().isInteger(1))
      return node.emitUnsupported("ArgMin of unsigned or boolean data");
    input = node.create<lowbit::NegOp>(type, input);
  }
  node.setResult(0, node.create<lowbit::ArgMaxOp>(
                        getTensorType(shape, IntegerType::get(
                                                 node.getContext(), 64)),
                        input, *axis, keepdims, last));
  return success();
}

/// CumSum: the axis is a scalar input that must be known at import.
LogicalResult importCumSum(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> axisValue = node.getConstantInts(1, "axis");
  if (failed(axisValue))
    return failure();
  if (axisValue->size() != 1)
    return node.emitError() << "axis must hold one value";
  RankedTensorType type = node.getInputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, (*axisValue)[0], type.getRank());
  if (failed(axis))
    return failure();
  node.setResult(0, node.create<lowbit::CumSumOp>(
                        type, node.getInput(0), *axis,
                        node.getIntAttr("exclusive", 0) != 0,
                        node.getIntAttr("reverse", 0) != 0));
  return success();
}

/// TopK: `k` is an attribute before opset 10 and an input after; results are
/// always sorted (unsorted output may be in any order, so sorted is valid).
LogicalResult importTopK(NodeImporter &node, bool kFromInput) {
  int64_t k;
  if (kFromInput) {
    FailureOr<SmallVector<int64_t>> kValue = node.getConstantInts(1, "K");
    if (failed(kValue))
      return failure();
    if (kValue->size() != 1)
      return node.emitError() << "K must hold one value";
    k = (*kValue)[0];
  } else {
    k = node.getIntAttr("k", -1);
  }
  RankedTensorType type = node.getInputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  if (k < 0 || k > type.getDimSize(*axis))
    return node.emitError() << "k = " << k << " is out of range for extent "
                            << type.getDimSize(*axis);
  SmallVector<int64_t> shape(type.getShape());
  shape[*axis] = k;
  auto topK = node.create<lowbit::TopKOp>(
      getTensorType(shape, type.getElementType()),
      getTensorType(shape, IntegerType::get(node.getContext(), 64)),
      node.getInput(0), *axis, node.getIntAttr("largest", 1) != 0);
  node.setResult(0, topK.getValues());
  node.setResult(1, topK.getIndices());
  return success();
}

} // namespace

void populateReductionHandlers(OpRegistry &registry) {
  struct Entry {
    const char *name;
    ReduceKind kind;
    int64_t axesInputSince;
  };
  static const Entry entries[] = {
      {"ReduceSum", ReduceKind::Sum, 13},
      {"ReduceMean", ReduceKind::Mean, 18},
      {"ReduceMax", ReduceKind::Max, 18},
      {"ReduceMin", ReduceKind::Min, 18},
      {"ReduceProd", ReduceKind::Prod, 18},
      {"ReduceSumSquare", ReduceKind::SumSquare, 18},
      {"ReduceL1", ReduceKind::L1, 18},
      {"ReduceL2", ReduceKind::L2, 18},
      {"ReduceLogSumExp", ReduceKind::LogSumExp, 18},
      {"ReduceLogSum", ReduceKind::LogSum, 18},
  };
  for (const Entry &entry : entries) {
    ReduceKind kind = entry.kind;
    registry.onOp(entry.name, 1, [kind](NodeImporter &node) {
      return importReduce(node, kind, /*axesFromInput=*/false);
    });
    registry.onOp(entry.name, entry.axesInputSince, [kind](NodeImporter &node) {
      return importReduce(node, kind, /*axesFromInput=*/true);
    });
  }
  registry.onOp("ArgMax", 1,
                [](NodeImporter &node) { return importArg(node, false); });
  registry.onOp("ArgMin", 1,
                [](NodeImporter &node) { return importArg(node, true); });
  registry.onOp("CumSum", 11, importCumSum);
  registry.onOp("TopK", 1, [](NodeImporter &node) {
    return importTopK(node, /*kFromInput=*/false);
  });
  registry.onOp("TopK", 10, [](NodeImporter &node) {
    return importTopK(node, /*kFromInput=*/true);
  });
}

} // namespace onnx_import
} // namespace lowbit
