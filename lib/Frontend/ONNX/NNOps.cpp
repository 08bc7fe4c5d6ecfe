//===- NNOps.cpp - ONNX matmul, gemm, convolution and pooling -------------===//
//
// auto_pad, ceil_mode, output_padding and output_shape are resolved here
// into the explicit pads and result extents the lowbit ops take.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

LogicalResult importMatMul(NodeImporter &node) {
  RankedTensorType lhsType = node.getInputType(0);
  RankedTensorType rhsType = node.getInputType(1);
  ArrayRef<int64_t> a = lhsType.getShape(), b = rhsType.getShape();
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

LogicalResult importConv(NodeImporter &node) {
  RankedTensorType inputType = node.getInputType(0);
  RankedTensorType weightType = node.getInputType(1);
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
  SmallVector<int64_t> shape = {inputType.getDimSize(0),
                                weightType.getDimSize(0)};
  llvm::append_range(shape, w->outputExtents);
  Value bias = node.hasInput(2) ? node.getInput(2) : Value();
  node.setResult(0, node.create<lowbit::ConvOp>(
                        getTensorType(shape, inputType.getElementType()),
                        node.getInput(0), node.getInput(1), bias, w->strides,
                        w->dilations, w->pads, group));
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
  if (isMax && node.hasOutput(1))
    return node.emitUnsupported("the Indices output of MaxPool is not "
                                "supported");
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
  if (isMax) {
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
}

} // namespace onnx_import
} // namespace lowbit
