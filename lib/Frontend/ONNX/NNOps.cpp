//===- NNOps.cpp - ONNX matmul, gemm, convolution, pooling and losses -----===//
//
// auto_pad, ceil_mode, output_padding and output_shape are resolved here
// into the explicit pads and result extents the lowbit ops take. LRN and the
// losses (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss) are composed
// from existing ops: a channel-window avg_pool, gather_elements and
// reductions.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;

namespace lowbit {
namespace onnx_import {

FailureOr<SmallVector<int64_t>> getMatMulShape(NodeImporter &node,
                                               ArrayRef<int64_t> a,
                                               ArrayRef<int64_t> b) {
  if (a.empty() || b.empty())
    return node.emitError() << "operands must have rank >= 1";
  int64_t k1 = a.back();
  int64_t k2 = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (k1 != k2)
    return node.emitError() << "contraction dimensions differ: " << k1
                            << " vs " << k2;
  SmallVector<int64_t> batchA(a.drop_back(std::min<size_t>(a.size(), 2)));
  SmallVector<int64_t> batchB(b.drop_back(std::min<size_t>(b.size(), 2)));
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(node, {batchA, batchB});
  if (failed(shape))
    return failure();
  if (a.size() >= 2)
    shape->push_back(a[a.size() - 2]);
  if (b.size() >= 2)
    shape->push_back(b.back());
  return shape;
}

namespace {

LogicalResult importMatMul(NodeImporter &node) {
  RankedTensorType lhsType = node.getInputType(0);
  RankedTensorType rhsType = node.getInputType(1);
  FailureOr<SmallVector<int64_t>> shape =
      getMatMulShape(node, lhsType.getShape(), rhsType.getShape());
  if (failed(shape))
    return failure();
  node.setResult(0, node.create<lowbit::MatMulOp>(
                        getTensorType(*shape, lhsType.getElementType()),
                        node.getInput(0), node.getInput(1)));
  return success();
}

LogicalResult importGemm(NodeImporter &node) {
  RankedTensorType aType = node.getInputType(0), bType = node.getInputType(1);
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return node.emitError() << "A and B must be 2-D";
  bool transA = node.getIntAttr("transA", 0);
  bool transB = node.getIntAttr("transB", 0);
  int64_t m = aType.getDimSize(transA ? 1 : 0);
  int64_t k1 = aType.getDimSize(transA ? 0 : 1);
  int64_t k2 = bType.getDimSize(transB ? 1 : 0);
  int64_t n = bType.getDimSize(transB ? 0 : 1);
  if (k1 != k2)
    return node.emitError() << "contraction dimensions differ: " << k1
                            << " vs " << k2;
  Value c = node.hasInput(2) ? node.getInput(2) : Value();
  node.setResult(0, node.create<lowbit::GemmOp>(
                        getTensorType({m, n}, aType.getElementType()),
                        node.getInput(0), node.getInput(1), c,
                        APFloat(node.getFloatAttr("alpha", 1.0f)),
                        APFloat(node.getFloatAttr("beta", 1.0f)), transA,
                        transB));
  return success();
}

//===----------------------------------------------------------------------===//
// Windows: shared by Conv and the pools
//===----------------------------------------------------------------------===//

/// The explicit geometry of a sliding-window op.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads, outputExtents;
};

/// Reads kernel/strides/dilations/pads/auto_pad/ceil_mode and computes the
/// explicit pads and the output extents (ONNX 1.12 shape inference rules).
FailureOr<Window> resolveWindow(NodeImporter &node, ArrayRef<int64_t> inputs,
                                ArrayRef<int64_t> kernel, bool allowCeil) {
  size_t spatial = inputs.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = node.getIntsAttr("strides").value_or(
      SmallVector<int64_t>(spatial, 1));
  w.dilations = node.getIntsAttr("dilations").value_or(
      SmallVector<int64_t>(spatial, 1));
  w.pads =
      node.getIntsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  if (w.pads.empty())
    w.pads.assign(2 * spatial, 0);
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    return node.emitError() << "kernel_shape, strides, dilations and pads "
                               "need one entry per spatial dimension ("
                            << spatial << ")";
  std::string autoPad = node.getStringAttr("auto_pad", "NOTSET");
  bool ceilMode = allowCeil && node.getIntAttr("ceil_mode", 0);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = inputs[i], stride = w.strides[i];
    if (stride < 1 || w.dilations[i] < 1 || w.kernel[i] < 1)
      return node.emitError() << "strides, dilations and kernel extents must "
                                 "be positive";
    int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t out;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out = (in + stride - 1) / stride;
      int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
      int64_t small = total / 2;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : total - small;
      w.pads[i + spatial] = total - w.pads[i];
    } else if (autoPad == "VALID") {
      w.pads[i] = w.pads[i + spatial] = 0;
      out = in >= extent ? (in - extent) / stride + 1 : 0;
    } else if (autoPad == "NOTSET" || autoPad.empty()) {
      int64_t padded = in + w.pads[i] + w.pads[i + spatial];
      if (padded < extent)
        return node.emitError() << "the window (extent " << extent
                                << ") is larger than padded input dimension "
                                << i << " (" << padded << ")";
      int64_t steps = padded - extent;
      out = (ceilMode ? (steps + stride - 1) / stride : steps / stride) + 1;
    } else {
      return node.emitError() << "unknown auto_pad '" << autoPad << "'";
    }
    w.outputExtents.push_back(out);
  }
  return w;
}

} // namespace

FailureOr<ConvGeometry> resolveConvGeometry(NodeImporter &node,
                                            RankedTensorType inputType,
                                            RankedTensorType weightType) {
  int64_t rank = inputType.getRank();
  if (rank < 3 || weightType.getRank() != rank)
    return node.emitError() << "input and weight need the same rank >= 3";
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (auto attr = node.getIntsAttr("kernel_shape"); attr && !attr->empty())
    kernel = *attr;
  FailureOr<Window> w = resolveWindow(
      node, inputType.getShape().drop_front(2), kernel, /*allowCeil=*/false);
  if (failed(w))
    return failure();
  int64_t group = node.getIntAttr("group", 1);
  if (group < 1 || inputType.getDimSize(1) % group != 0 ||
      inputType.getDimSize(1) / group != weightType.getDimSize(1))
    return node.emitError() << "weight " << weightType
                            << " does not match input " << inputType
                            << " with group " << group;
  ConvGeometry geometry;
  geometry.strides = w->strides;
  geometry.dilations = w->dilations;
  geometry.pads = w->pads;
  geometry.group = group;
  geometry.resultShape = {inputType.getDimSize(0), weightType.getDimSize(0)};
  llvm::append_range(geometry.resultShape, w->outputExtents);
  return geometry;
}

namespace {

LogicalResult importConv(NodeImporter &node) {
  RankedTensorType inputType = node.getInputType(0);
  FailureOr<ConvGeometry> geometry =
      resolveConvGeometry(node, inputType, node.getInputType(1));
  if (failed(geometry))
    return failure();
  Value bias = node.hasInput(2) ? node.getInput(2) : Value();
  node.setResult(0, node.create<lowbit::ConvOp>(
                        getTensorType(geometry->resultShape,
                                      inputType.getElementType()),
                        node.getInput(0), node.getInput(1), bias,
                        geometry->strides, geometry->dilations,
                        geometry->pads, geometry->group));
  return success();
}

/// ConvTranspose: the result extent comes from output_shape, auto_pad or
/// pads; pads are normalized so that `pads` begin is the crop at the start
/// of the full transposed convolution and `pads` end what remains of its end.
LogicalResult importConvTranspose(NodeImporter &node) {
  RankedTensorType inputType = node.getInputType(0);
  RankedTensorType weightType = node.getInputType(1);
  int64_t rank = inputType.getRank();
  size_t spatial = rank - 2;
  if (rank < 3 || weightType.getRank() != rank)
    return node.emitError() << "input and weight need the same rank >= 3";
  int64_t group = node.getIntAttr("group", 1);
  if (group < 1 || weightType.getDimSize(0) != inputType.getDimSize(1))
    return node.emitError() << "weight dimension 0 must equal the input "
                               "channels";
  SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
  if (auto attr = node.getIntsAttr("kernel_shape"); attr && !attr->empty())
    kernel = *attr;
  auto orOnes = [&](StringRef name, int64_t fill, size_t count) {
    SmallVector<int64_t> values =
        node.getIntsAttr(name).value_or(SmallVector<int64_t>());
    if (values.empty())
      values.assign(count, fill);
    return values;
  };
  SmallVector<int64_t> strides = orOnes("strides", 1, spatial);
  SmallVector<int64_t> dilations = orOnes("dilations", 1, spatial);
  SmallVector<int64_t> outputPadding = orOnes("output_padding", 0, spatial);
  SmallVector<int64_t> pads = orOnes("pads", 0, 2 * spatial);
  SmallVector<int64_t> outputShape =
      node.getIntsAttr("output_shape").value_or(SmallVector<int64_t>());
  if (outputShape.size() == static_cast<size_t>(rank))
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial || outputPadding.size() != spatial ||
      pads.size() != 2 * spatial ||
      (!outputShape.empty() && outputShape.size() != spatial))
    return node.emitError() << "attributes need one entry per spatial "
                               "dimension ("
                            << spatial << ")";
  std::string autoPad = node.getStringAttr("auto_pad", "NOTSET");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "NOTSET" && autoPad != "VALID" && !autoPad.empty())
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";

  SmallVector<int64_t> shape = {inputType.getDimSize(0),
                                weightType.getDimSize(1) * group};
  SmallVector<int64_t> resolvedPads(2 * spatial, 0);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = inputType.getDimSize(i + 2);
    int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t full = strides[i] * (in - 1) + outputPadding[i] + extent;
    int64_t begin, out;
    if (!outputShape.empty() || same) {
      out = outputShape.empty() ? in * strides[i] : outputShape[i];
      // A result longer than the full transposed convolution is extended
      // at the end (those positions only receive the bias).
      int64_t total = std::max<int64_t>(0, full - out);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (autoPad == "VALID") {
      begin = 0;
      out = full;
    } else {
      begin = pads[i];
      out = full - pads[i] - pads[i + spatial];
    }
    if (begin < 0 || out < 0)
      return node.emitUnsupported("the output extends before the start of "
                                  "the transposed convolution");
    resolvedPads[i] = begin;
    // output_padding extends the end past the computed values; what is left
    // beyond the result is cropped, never negative.
    resolvedPads[i + spatial] =
        std::max<int64_t>(0, full - outputPadding[i] - begin - out);
    shape.push_back(out);
  }
  Value bias = node.hasInput(2) ? node.getInput(2) : Value();
  node.setResult(0, node.create<lowbit::ConvTransposeOp>(
                        getTensorType(shape, inputType.getElementType()),
                        node.getInput(0), node.getInput(1), bias, strides,
                        dilations, resolvedPads, group));
  return success();
}

LogicalResult importPool(NodeImporter &node, bool isMax) {
  RankedTensorType inputType = node.getInputType(0);
  if (inputType.getRank() < 3)
    return node.emitError() << "input must have rank >= 3";
  int64_t storageOrder = node.getIntAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return node.emitError() << "storage_order must be 0 or 1";
  std::optional<SmallVector<int64_t>> kernel = node.getIntsAttr("kernel_shape");
  if (!kernel)
    return node.emitError() << "needs the kernel_shape attribute";
  if (!isMax && node.hasAttr("dilations")) {
    SmallVector<int64_t> dilations = *node.getIntsAttr("dilations");
    if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
      return node.emitUnsupported("dilated average pooling");
  }
  FailureOr<Window> w =
      resolveWindow(node, inputType.getShape().drop_front(2), *kernel,
                    /*allowCeil=*/node.getOpset() >= 10);
  if (failed(w))
    return failure();
  SmallVector<int64_t> shape(inputType.getShape().take_front(2));
  llvm::append_range(shape, w->outputExtents);
  auto resultType = getTensorType(shape, inputType.getElementType());
  Value input = node.getInput(0);
  if (isMax && node.hasOutput(1)) {
    auto indicesType =
        getTensorType(shape, IntegerType::get(node.getContext(), 64));
    auto op = node.create<lowbit::MaxPoolWithIndicesOp>(
        TypeRange{resultType, indicesType}, input, w->kernel, w->strides,
        w->dilations, w->pads, storageOrder);
    node.setResult(0, op.getOutput());
    node.setResult(1, op.getIndices());
  } else if (isMax) {
    node.setResult(0, node.create<lowbit::MaxPoolOp>(resultType, input,
                                                     w->kernel, w->strides,
                                                     w->dilations, w->pads));
  } else {
    bool countIncludePad = node.getIntAttr("count_include_pad", 0);
    node.setResult(0, node.create<lowbit::AvgPoolOp>(resultType, input,
                                                     w->kernel, w->strides,
                                                     w->pads, countIncludePad));
  }
  return success();
}

/// GlobalAveragePool / GlobalMaxPool: a keepdims reduction over the spatial
/// dimensions.
template <typename ReduceOpTy>
LogicalResult importGlobalPool(NodeImporter &node) {
  RankedTensorType inputType = node.getInputType(0);
  if (inputType.getRank() < 2)
    return node.emitError() << "input must have rank >= 2";
  SmallVector<int64_t> axes, shape(inputType.getShape().take_front(2));
  for (int64_t d = 2; d < inputType.getRank(); ++d) {
    axes.push_back(d);
    shape.push_back(1);
  }
  node.setResult(0, node.create<ReduceOpTy>(
                        getTensorType(shape, inputType.getElementType()),
                        node.getInput(0), axes, /*keepdims=*/true));
  return success();
}

/// LRN: x / (bias + alpha / size * sum of x^2 over a channel window)^beta.
/// The window sum is an avg_pool (counting the padding) over the channels
/// of x^2 viewed as N x 1 x C x (spatial), times size.
LogicalResult importLRN(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  if (type.getRank() < 3)
    return node.emitError() << "input must have rank >= 3";
  int64_t size = node.getIntAttr("size", 0);
  if (size < 1)
    return node.emitError() << "size must be positive";
  Type elementType = type.getElementType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t channels = shape[1];
  SmallVector<int64_t> viewShape = {shape[0], 1, channels,
                                    getElementCount(shape.drop_front(2))};
  Value x = node.getInput(0);
  Value squared = node.create<lowbit::MulOp>(type, x, x);
  Value view = createReshape(node, squared, viewShape);
  SmallVector<int64_t> pads = {(size - 1) / 2, 0, size / 2, 0};
  Value mean = node.create<lowbit::AvgPoolOp>(
      getTensorType(viewShape, elementType), view,
      SmallVector<int64_t>{size, 1}, SmallVector<int64_t>{1, 1}, pads,
      /*count_include_pad=*/true);
  Value windowMean = createReshape(node, mean, shape);
  // alpha / size * sum = alpha * mean.
  Value scaled = node.create<lowbit::MulOp>(
      type, windowMean,
      createScalar(node, elementType, node.getFloatAttr("alpha", 1e-4f)));
  Value base = node.create<lowbit::AddOp>(
      type, scaled,
      createScalar(node, elementType, node.getFloatAttr("bias", 1.0f)));
  Value denominator = node.create<lowbit::PowOp>(
      type, base,
      createScalar(node, elementType, node.getFloatAttr("beta", 0.75f)));
  node.setResult(0, node.create<lowbit::DivOp>(type, x, denominator));
  return success();
}

/// Negative log likelihood of `logProb` (N x C x d...) at `target`
/// (N x d...), weighted by `weight[target]` when given; targets equal to
/// `ignoreIndex` weigh 0. `reduction` is none, sum or mean (the weighted
/// mean: divided by the sum of the weights that apply).
FailureOr<Value> buildNLLLoss(NodeImporter &node, Value logProb, Value target,
                              Value weight, StringRef reduction,
                              std::optional<int64_t> ignoreIndex) {
  auto inputType = cast<RankedTensorType>(logProb.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  if (inputType.getRank() < 2 ||
      targetType.getRank() != inputType.getRank() - 1)
    return node.emitError() << "input must be N x C x d... and target N x d...";
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return node.emitError() << "reduction must be none, sum or mean, got \""
                            << reduction << "\"";
  MLIRContext *ctx = node.getContext();
  Type elementType = inputType.getElementType();
  Type indexType = targetType.getElementType();
  ArrayRef<int64_t> shape = targetType.getShape();
  auto lossType = getTensorType(shape, elementType);

  Value mask;
  if (ignoreIndex) {
    auto boolType = getTensorType(shape, IntegerType::get(ctx, 1));
    mask = node.create<lowbit::NotOp>(
        boolType, node.create<lowbit::EqualOp>(
                      boolType, target,
                      createScalar(node, indexType, *ignoreIndex)));
    // Ignored targets may be out of range: read class 0 instead.
    target = node.create<lowbit::WhereOp>(targetType, mask, target,
                                          createScalar(node, indexType, 0));
  }
  SmallVector<int64_t> unitShape(shape);
  unitShape.insert(unitShape.begin() + 1, 1);
  Value picked = node.create<lowbit::GatherElementsOp>(
      getTensorType(unitShape, elementType), logProb,
      createReshape(node, target, unitShape), 1);
  Value loss = node.create<lowbit::NegOp>(lossType,
                                          createReshape(node, picked, shape));

  Value weights;
  if (weight)
    weights = node.create<lowbit::GatherOp>(lossType, weight, target, 0);
  if (mask)
    weights = weights ? Value(node.create<lowbit::WhereOp>(
                            lossType, mask, weights,
                            createScalar(node, elementType, 0.0)))
                      : Value(node.create<lowbit::CastOp>(lossType, mask));
  if (weights)
    loss = node.create<lowbit::MulOp>(lossType, loss, weights);
  if (reduction == "none")
    return loss;

  SmallVector<int64_t> all;
  for (int64_t d = 0; d < targetType.getRank(); ++d)
    all.push_back(d);
  auto scalarType = getTensorType({}, elementType);
  if (reduction == "mean" && !weights)
    return Value(node.create<lowbit::ReduceMeanOp>(scalarType, loss, all,
                                                   false));
  Value sum = node.create<lowbit::ReduceSumOp>(scalarType, loss, all, false);
  if (reduction == "sum")
    return sum;
  Value total =
      node.create<lowbit::ReduceSumOp>(scalarType, weights, all, false);
  return Value(node.create<lowbit::DivOp>(scalarType, sum, total));
}

std::optional<int64_t> getIgnoreIndex(NodeImporter &node) {
  if (!node.hasAttr("ignore_index"))
    return std::nullopt;
  return node.getIntAttr("ignore_index", 0);
}

LogicalResult importNLLLoss(NodeImporter &node) {
  Value weight = node.hasInput(2) ? node.getInput(2) : Value();
  FailureOr<Value> loss = buildNLLLoss(
      node, node.getInput(0), node.getInput(1), weight,
      node.getStringAttr("reduction", "mean"), getIgnoreIndex(node));
  if (failed(loss))
    return failure();
  node.setResult(0, *loss);
  return success();
}

/// SoftmaxCrossEntropyLoss: the NLL loss of log_softmax over the classes
/// (dimension 1), which is also the optional second output.
LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &node) {
  RankedTensorType type = node.getInputType(0);
  if (type.getRank() < 2)
    return node.emitError() << "scores must have rank >= 2";
  Value logProb = node.create<lowbit::SoftmaxOp>(type, node.getInput(0), 1,
                                                 /*log=*/true);
  Value weight = node.hasInput(2) ? node.getInput(2) : Value();
  FailureOr<Value> loss =
      buildNLLLoss(node, logProb, node.getInput(1), weight,
                   node.getStringAttr("reduction", "mean"),
                   getIgnoreIndex(node));
  if (failed(loss))
    return failure();
  node.setResult(0, *loss);
  if (node.hasOutput(1))
    node.setResult(1, logProb);
  return success();
}

/// One Einsum operand while it is being rewritten: its value and one label
/// per dimension (ellipsis dimensions get labels 1..E, right-aligned).
struct EinsumTerm {
  Value value;
  std::string labels;
};

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Transposes `term` so that its labels read `order`.
void permuteTerm(NodeImporter &node, EinsumTerm &term, StringRef order) {
  if (term.labels == order)
    return;
  RankedTensorType type = typeOf(term.value);
  SmallVector<int64_t> perm, shape;
  for (char label : order) {
    int64_t d = term.labels.find(label);
    perm.push_back(d);
    shape.push_back(type.getDimSize(d));
  }
  term.value = node.create<lowbit::TransposeOp>(
      getTensorType(shape, type.getElementType()), term.value, perm);
  term.labels = order.str();
}

/// Takes the diagonal of the first label that appears twice in `term`.
void takeDiagonal(NodeImporter &node, EinsumTerm &term, char label) {
  std::string order;
  for (char c : term.labels)
    if (c != label)
      order.push_back(c);
  order.push_back(label);
  RankedTensorType type = typeOf(term.value);
  SmallVector<int64_t> perm, shape;
  int64_t first = term.labels.find(label);
  int64_t second = term.labels.find(label, first + 1);
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != first && d != second)
      perm.push_back(d);
  perm.append({first, second});
  for (int64_t d : perm)
    shape.push_back(type.getDimSize(d));
  Value value = node.create<lowbit::TransposeOp>(
      getTensorType(shape, type.getElementType()), term.value, perm);
  // out[..., i] = value[..., i, indices[..., i, 0]] with indices = i.
  int64_t n = shape.back();
  SmallVector<int64_t> indexShape(shape);
  indexShape.back() = 1;
  SmallVector<int64_t> iota;
  for (int64_t i = 0, e = getElementCount(indexShape); i < e; ++i)
    iota.push_back(i % n);
  Value indices = node.create<lowbit::ConstantOp>(
      HostTensor::fromInts(
          getTensorType(indexShape, IntegerType::get(node.getContext(), 64)),
          iota)
          .toElementsAttr("einsum_diagonal"));
  Value diagonal = node.create<lowbit::GatherElementsOp>(
      getTensorType(indexShape, type.getElementType()), value, indices,
      indexShape.size() - 1);
  term.value = createReshape(node, diagonal, ArrayRef(indexShape).drop_back());
  term.labels = order;
}

/// Sums out the labels of `term` that `keep` does not contain.
void sumOut(NodeImporter &node, EinsumTerm &term, StringRef keep) {
  RankedTensorType type = typeOf(term.value);
  SmallVector<int64_t> axes, shape;
  std::string labels;
  for (auto [d, label] : llvm::enumerate(term.labels)) {
    if (keep.contains(label)) {
      labels.push_back(label);
      shape.push_back(type.getDimSize(d));
    } else {
      axes.push_back(d);
    }
  }
  if (axes.empty())
    return;
  term.value = node.create<lowbit::ReduceSumOp>(
      getTensorType(shape, type.getElementType()), term.value, axes, false);
  term.labels = labels;
}

/// Einsum with one or two operands: diagonals, then sums over labels used
/// once, then a transpose or a batched matmul
/// ([batch, free A, contracted] x [batch, contracted, free B]).
LogicalResult importEinsum(NodeImporter &node) {
  std::string equation;
  for (char c : node.getStringAttr("equation", ""))
    if (c != ' ')
      equation.push_back(c);
  size_t arrow = equation.find("->");
  StringRef inputsPart = StringRef(equation).substr(0, arrow);
  SmallVector<StringRef> specs;
  inputsPart.split(specs, ',');
  if (specs.size() != node.getNumInputs() || specs.size() > 2)
    return node.emitUnsupported("equations with more than two operands");

  // Expand ellipses into right-aligned labels 1..E.
  int64_t ellipsisRank = 0;
  SmallVector<int64_t> ranks;
  for (auto [i, spec] : llvm::enumerate(specs)) {
    int64_t rank = node.getInputType(i).getRank();
    ranks.push_back(rank);
    if (spec.contains("..."))
      ellipsisRank = std::max<int64_t>(ellipsisRank, rank - (spec.size() - 3));
  }
  auto expand = [&](StringRef spec, int64_t rank) {
    std::string labels;
    size_t dots = spec.find("...");
    if (dots == StringRef::npos)
      return spec.str();
    int64_t own = rank - (spec.size() - 3);
    labels = spec.substr(0, dots).str();
    for (int64_t k = ellipsisRank - own; k < ellipsisRank; ++k)
      labels.push_back(static_cast<char>(1 + k));
    labels += spec.substr(dots + 3).str();
    return labels;
  };
  SmallVector<EinsumTerm> terms;
  for (auto [i, spec] : llvm::enumerate(specs)) {
    std::string labels = expand(spec, ranks[i]);
    if (static_cast<int64_t>(labels.size()) != ranks[i])
      return node.emitError() << "operand " << i << " has rank " << ranks[i]
                              << " but '" << spec << "' labels";
    terms.push_back({node.getInput(i), labels});
  }
  std::string output;
  if (arrow != std::string::npos) {
    StringRef spec = StringRef(equation).substr(arrow + 2);
    // An output ellipsis stands for all E ellipsis dimensions.
    output = expand(spec, ellipsisRank + spec.size() - 3);
  } else {
    // Implicit output: ellipsis, then the labels used once, sorted.
    for (int64_t k = 0; k < ellipsisRank; ++k)
      output.push_back(static_cast<char>(1 + k));
    std::string all;
    for (EinsumTerm &term : terms)
      all += term.labels;
    std::string once;
    for (char c : all)
      if (c > ' ' && llvm::count(all, c) == 1)
        once.push_back(c);
    llvm::sort(once);
    output += once;
  }

  for (EinsumTerm &term : terms)
    for (size_t i = 0; i < term.labels.size(); ++i)
      if (llvm::count(term.labels, term.labels[i]) > 1) {
        takeDiagonal(node, term, term.labels[i]);
        i = -1;
      }
  for (auto [i, term] : llvm::enumerate(terms)) {
    std::string keep = output;
    if (terms.size() == 2)
      keep += terms[1 - i].labels;
    sumOut(node, term, keep);
  }

  if (terms.size() == 1) {
    if (terms[0].labels.size() != output.size())
      return node.emitUnsupported("output labels missing from the operand");
    permuteTerm(node, terms[0], output);
    node.setResult(0, terms[0].value);
    return success();
  }

  EinsumTerm &a = terms[0], &b = terms[1];
  std::string batch, freeA, freeB, contracted;
  for (char c : a.labels) {
    bool inB = StringRef(b.labels).contains(c);
    bool inOut = StringRef(output).contains(c);
    (inB ? (inOut ? batch : contracted) : freeA).push_back(c);
  }
  for (char c : b.labels)
    if (!StringRef(a.labels).contains(c))
      freeB.push_back(c);
  RankedTensorType aType = typeOf(a.value), bType = typeOf(b.value);
  auto extent = [&](char c) {
    size_t d = a.labels.find(c);
    if (d != std::string::npos)
      return aType.getDimSize(d);
    return bType.getDimSize(b.labels.find(c));
  };
  for (char c : batch + contracted)
    if (aType.getDimSize(a.labels.find(c)) != bType.getDimSize(b.labels.find(c)))
      return node.emitUnsupported("broadcasting between operands");
  auto product = [&](StringRef labels) {
    int64_t p = 1;
    for (char c : labels)
      p *= extent(c);
    return p;
  };
  permuteTerm(node, a, batch + freeA + contracted);
  permuteTerm(node, b, batch + contracted + freeB);
  SmallVector<int64_t> batchShape;
  for (char c : batch)
    batchShape.push_back(extent(c));
  int64_t m = product(freeA), k = product(contracted), n = product(freeB);
  auto with = [&](std::initializer_list<int64_t> tail) {
    SmallVector<int64_t> shape(batchShape);
    shape.append(tail);
    return shape;
  };
  Value lhs = createReshape(node, a.value, with({m, k}));
  Value rhs = createReshape(node, b.value, with({k, n}));
  Type elementType = aType.getElementType();
  Value product2 = node.create<lowbit::MatMulOp>(
      getTensorType(with({m, n}), elementType), lhs, rhs);
  EinsumTerm result{Value(), batch + freeA + freeB};
  SmallVector<int64_t> shape;
  for (char c : result.labels)
    shape.push_back(extent(c));
  result.value = createReshape(node, product2, shape);
  if (result.labels.size() != output.size())
    return node.emitUnsupported("output labels missing from the operands");
  permuteTerm(node, result, output);
  node.setResult(0, result.value);
  return success();
}

} // namespace

void populateNNHandlers(OpRegistry &registry) {
  registry.onOp("MatMul", 1, importMatMul);
  registry.onOp("Gemm", 1, importGemm);
  registry.onOp("Conv", 1, importConv);
  registry.onOp("ConvTranspose", 1, importConvTranspose);
  registry.onOp("MaxPool", 1,
                [](NodeImporter &node) { return importPool(node, true); });
  registry.onOp("AveragePool", 1,
                [](NodeImporter &node) { return importPool(node, false); });
  registry.onOp("GlobalAveragePool", 1,
                importGlobalPool<lowbit::ReduceMeanOp>);
  registry.onOp("GlobalMaxPool", 1, importGlobalPool<lowbit::ReduceMaxOp>);
  registry.onOp("Einsum", 12, importEinsum);
  registry.onOp("LRN", 1, importLRN);
  registry.onOp("NegativeLogLikelihoodLoss", 12, importNLLLoss);
  registry.onOp("SoftmaxCrossEntropyLoss", 12, importSoftmaxCrossEntropyLoss);
}

} // namespace onnx_import
} // namespace lowbit
