//===- NormalizationOps.cpp - ONNX softmax and normalization ops ----------===//
//
// Softmax/LogSoftmax (2-D coercion before opset 13), BatchNormalization in
// inference form (folded into convolutions later by lowbit-fold-batch-norm,
// never here) and in training form (batch statistics from reductions),
// LayerNormalization and InstanceNormalization.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

/// Before opset 13 Softmax flattens the input to 2-D at `axis` and
/// normalizes each row; from 13 on it normalizes along `axis` alone.
LogicalResult importSoftmax(NodeImporter &node, bool log, bool coerce) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank == 0)
    return node.emitError() << "input must have rank >= 1";
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", coerce ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  Value input = node.getInput(0);
  // Rows over the trailing axis alone need no reshape.
  if (!coerce || *axis == rank - 1) {
    node.setResult(0, node.create<lowbit::SoftmaxOp>(type, input, *axis, log));
    return success();
  }
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> flat = {getElementCount(shape.take_front(*axis)),
                               getElementCount(shape.drop_front(*axis))};
  Value rows = createReshape(node, input, flat);
  Value normalized =
      node.create<lowbit::SoftmaxOp>(rows.getType(), rows, 1, log);
  node.setResult(0, createReshape(node, normalized, shape));
  return success();
}

/// Training-mode BatchNormalization (opset 14+), as ONNX's reference: the
/// batch statistics over every axis but 1 (population variance) normalize
/// the input, and the running statistics move toward them by `momentum`.
LogicalResult importBatchNormTraining(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  Type elementType = type.getElementType();
  for (unsigned i = 3; i < 5; ++i)
    if (node.getInputType(i).getElementType() != elementType)
      return node.emitUnsupported("running statistics of another element "
                                  "type than the input");
  int64_t rank = type.getRank();
  int64_t channels = type.getDimSize(1);
  SmallVector<int64_t> axes, reducedShape(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    if (d != 1)
      axes.push_back(d);
  reducedShape[1] = channels;
  auto reducedType = getTensorType(reducedShape, elementType);
  auto statType = getTensorType({channels}, elementType);

  Value x = node.getInput(0);
  Value mean = node.create<lowbit::ReduceMeanOp>(reducedType, x, axes, true);
  Value centered = node.create<lowbit::SubOp>(type, x, mean);
  Value squared = node.create<lowbit::MulOp>(type, centered, centered);
  Value variance =
      node.create<lowbit::ReduceMeanOp>(reducedType, squared, axes, true);
  Value savedMean = createReshape(node, mean, {channels});
  Value savedVar = createReshape(node, variance, {channels});
  node.setResult(0, node.create<lowbit::BatchNormOp>(
                        type, x, node.getInput(1), node.getInput(2), savedMean,
                        savedVar,
                        APFloat(node.getFloatAttr("epsilon", 1e-5f))));

  float momentum = node.getFloatAttr("momentum", 0.9f);
  auto update = [&](Value running, Value batch) -> Value {
    Value kept = node.create<lowbit::MulOp>(
        statType, running, createScalar(node, elementType, momentum));
    Value added = node.create<lowbit::MulOp>(
        statType, batch, createScalar(node, elementType, 1.0f - momentum));
    return node.create<lowbit::AddOp>(statType, kept, added);
  };
  if (node.hasOutput(1))
    node.setResult(1, update(node.getInput(3), savedMean));
  if (node.hasOutput(2))
    node.setResult(2, update(node.getInput(4), savedVar));
  return success();
}

LogicalResult importBatchNorm(NodeImporter &node) {
  if (node.getOpset() < 9 && !node.getIntAttr("spatial", 1))
    return node.emitUnsupported("per-activation statistics (spatial = 0)");
  bool training = node.getIntAttr("training_mode", 0);
  if (training && node.getOpset() < 14)
    return node.emitUnsupported("training mode before opset 14");
  if (!training)
    for (unsigned i = 1; i < node.getNumOutputs(); ++i)
      if (node.hasOutput(i))
        return node.emitUnsupported("the running statistics outputs exist "
                                    "only in training mode");
  RankedTensorType type = node.getInputType(0);
  if (type.getRank() < 2)
    return node.emitError() << "input must have rank >= 2";
  for (unsigned i = 1; i < 5; ++i) {
    RankedTensorType param = node.getInputType(i);
    if (param.getRank() != 1 || param.getDimSize(0) != type.getDimSize(1))
      return node.emitError() << "parameter " << i << " must be 1-D with "
                              << type.getDimSize(1) << " elements";
  }
  if (training)
    return importBatchNormTraining(node);
  node.setResult(0, node.create<lowbit::BatchNormOp>(
                        type, node.getInput(0), node.getInput(1),
                        node.getInput(2), node.getInput(3), node.getInput(4),
                        APFloat(node.getFloatAttr("epsilon", 1e-5f))));
  return success();
}

/// Mean and 1 / sqrt(variance + epsilon) of `x` over `axes`, keeping them.
std::pair<Value, Value> buildMoments(NodeImporter &node, Value x,
                                     ArrayRef<int64_t> axes, float epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> reducedShape(type.getShape());
  for (int64_t axis : axes)
    reducedShape[axis] = 1;
  auto reducedType = getTensorType(reducedShape, type.getElementType());
  Value mean = node.create<lowbit::ReduceMeanOp>(reducedType, x, axes, true);
  Value centered = node.create<lowbit::SubOp>(type, x, mean);
  Value squared = node.create<lowbit::MulOp>(type, centered, centered);
  Value variance =
      node.create<lowbit::ReduceMeanOp>(reducedType, squared, axes, true);
  Value shifted = node.create<lowbit::AddOp>(
      reducedType, variance,
      createScalar(node, type.getElementType(), epsilon));
  Value invStdDev = node.create<lowbit::ReciprocalOp>(
      reducedType, node.create<lowbit::SqrtOp>(reducedType, shifted));
  return {mean, invStdDev};
}

LogicalResult importLayerNorm(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  float epsilon = node.getFloatAttr("epsilon", 1e-5f);
  Value bias = node.hasInput(2) ? node.getInput(2) : Value();
  node.setResult(0, node.create<lowbit::LayerNormOp>(
                        type, node.getInput(0), node.getInput(1), bias, *axis,
                        APFloat(epsilon)));
  if (node.hasOutput(1) || node.hasOutput(2)) {
    SmallVector<int64_t> axes;
    for (int64_t d = *axis; d < rank; ++d)
      axes.push_back(d);
    auto [mean, invStdDev] = buildMoments(node, node.getInput(0), axes, epsilon);
    // The statistics have the stash type (float unless told otherwise).
    Type stash = convertElementType(
        node.getContext(),
        static_cast<int32_t>(node.getIntAttr("stash_type", 1)));
    auto toStash = [&](Value v) -> Value {
      auto vType = cast<RankedTensorType>(v.getType());
      if (!stash || vType.getElementType() == stash)
        return v;
      return node.create<lowbit::CastOp>(
          getTensorType(vType.getShape(), stash), v);
    };
    node.setResult(1, toStash(mean));
    node.setResult(2, toStash(invStdDev));
  }
  return success();
}

/// (x - mean) / sqrt(var + epsilon) * scale + bias with statistics per
/// instance and channel.
LogicalResult importInstanceNorm(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  if (rank < 3)
    return node.emitError() << "input must have rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Value x = node.getInput(0);
  auto [mean, invStdDev] =
      buildMoments(node, x, axes, node.getFloatAttr("epsilon", 1e-5f));
  Value centered = node.create<lowbit::SubOp>(type, x, mean);
  Value normalized = node.create<lowbit::MulOp>(type, centered, invStdDev);
  // Per-channel parameters broadcast as C x 1 x ... x 1.
  SmallVector<int64_t> paramShape(rank - 1, 1);
  paramShape[0] = type.getDimSize(1);
  Value scale = createReshape(node, node.getInput(1), paramShape);
  Value bias = createReshape(node, node.getInput(2), paramShape);
  Value scaled = node.create<lowbit::MulOp>(type, normalized, scale);
  node.setResult(0, node.create<lowbit::AddOp>(type, scaled, bias));
  return success();
}

/// MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over `axes`.
LogicalResult importMVN(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  SmallVector<int64_t> axes =
      node.getIntsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  FailureOr<SmallVector<int64_t>> normalized =
      normalizeAxes(node, axes, type.getRank());
  if (failed(normalized))
    return failure();
  Value x = node.getInput(0);
  SmallVector<int64_t> reducedShape(type.getShape());
  for (int64_t axis : *normalized)
    reducedShape[axis] = 1;
  auto reducedType = getTensorType(reducedShape, type.getElementType());
  Value mean = node.create<lowbit::ReduceMeanOp>(reducedType, x, *normalized,
                                                 true);
  Value centered = node.create<lowbit::SubOp>(type, x, mean);
  Value variance = node.create<lowbit::ReduceMeanOp>(
      reducedType, node.create<lowbit::MulOp>(type, centered, centered),
      *normalized, true);
  Value denominator = node.create<lowbit::AddOp>(
      reducedType, node.create<lowbit::SqrtOp>(reducedType, variance),
      createScalar(node, type.getElementType(), 1e-9));
  node.setResult(0, node.create<lowbit::DivOp>(type, centered, denominator));
  return success();
}

/// Hardmax: 1 where the (first) maximum along `axis` is, else 0; an
/// arg_max compared with an iota.
LogicalResult importHardmax(NodeImporter &node, bool coerce) {
  RankedTensorType type = node.getInputType(0);
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", coerce ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  Value x = node.getInput(0);
  ArrayRef<int64_t> shape = type.getShape();
  if (coerce && *axis != rank - 1) {
    x = createReshape(node, x,
                      {getElementCount(shape.take_front(*axis)),
                       getElementCount(shape.drop_front(*axis))});
    axis = 1;
  }
  auto xType = cast<RankedTensorType>(x.getType());
  Type i64 = IntegerType::get(node.getContext(), 64);
  SmallVector<int64_t> keptShape(xType.getShape());
  keptShape[*axis] = 1;
  Value index = node.create<lowbit::ArgMaxOp>(getTensorType(keptShape, i64),
                                              x, *axis, true, false);
  SmallVector<int64_t> iotaShape(xType.getRank(), 1);
  int64_t extent = xType.getDimSize(*axis);
  iotaShape[*axis] = extent;
  SmallVector<int64_t> iota;
  for (int64_t i = 0; i < extent; ++i)
    iota.push_back(i);
  Value iotaValue = node.create<lowbit::ConstantOp>(
      HostTensor::fromInts(getTensorType(iotaShape, i64), iota)
          .toElementsAttr("hardmax_iota"));
  Value hit = node.create<lowbit::EqualOp>(
      getTensorType(xType.getShape(), IntegerType::get(node.getContext(), 1)),
      iotaValue, index);
  Value result = node.create<lowbit::CastOp>(xType, hit);
  node.setResult(0, createReshape(node, result, shape));
  return success();
}

} // namespace

void populateNormalizationHandlers(OpRegistry &registry) {
  for (bool log : {false, true}) {
    StringRef name = log ? "LogSoftmax" : "Softmax";
    registry.onOp(name, 1, [log](NodeImporter &node) {
      return importSoftmax(node, log, /*coerce=*/true);
    });
    registry.onOp(name, 13, [log](NodeImporter &node) {
      return importSoftmax(node, log, /*coerce=*/false);
    });
  }
  registry.onOp("BatchNormalization", 1, importBatchNorm);
  registry.onOp("LayerNormalization", 17, importLayerNorm);
  registry.onOp("InstanceNormalization", 1, importInstanceNorm);
  registry.onOp("MeanVarianceNormalization", 9, importMVN);
  registry.onOp("Hardmax", 1, [](NodeImporter &node) {
    return importHardmax(node, /*coerce=*/true);
  });
  registry.onOp("Hardmax", 13, [](NodeImporter &node) {
    return importHardmax(node, /*coerce=*/false);
  });
}

} // namespace onnx_import
} // namespace lowbit
