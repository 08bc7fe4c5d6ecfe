//===- LowbitOps.cpp - lowbit op verifiers and folders ---------------------===//

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace lowbit;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Normalizes a possibly negative axis; returns failure when out of range.
static FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis,
                                        int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << rank;
  return axis < 0 ? axis + rank : axis;
}

/// True when `attr` is a splat whose every element equals `value`.
static bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type elementType = splat.getElementType();
  if (isa<FloatType>(elementType))
    return splat.getSplatValue<APFloat>().convertToDouble() == value;
  if (isa<IntegerType>(elementType))
    return splat.getSplatValue<APInt>().getSExtValue() == value;
  return false;
}

/// Returns the expressed (float) type of a quantized element type.
static Type expressedType(Type elementType) {
  if (auto q = dyn_cast<quant::QuantizedType>(elementType))
    return q.getExpressedType();
  return elementType;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  inferredReturnTypes.push_back(adaptor.getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (getLhs().getType() == getType() && isSplatOf(adaptor.getRhs(), 0.0))
    return getLhs();
  return {};
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (getLhs().getType() == getType() && isSplatOf(adaptor.getRhs(), 1.0))
    return getLhs();
  return {};
}

/// Shifts are defined on integers only.
static LogicalResult verifyShift(Operation *op, Type elementType) {
  if (!isa<IntegerType>(elementType) || elementType.isInteger(1))
    return op->emitOpError("needs integer elements, got ") << elementType;
  return success();
}

LogicalResult ShiftLeftOp::verify() {
  return verifyShift(*this, getType().getElementType());
}

LogicalResult ShiftRightOp::verify() {
  return verifyShift(*this, getType().getElementType());
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult ClipOp::verify() {
  Type elementType = getType().getElementType();
  for (auto bound : {getMinAttr(), getMaxAttr()})
    if (bound && bound.getType() != elementType)
      return emitOpError("bound type ")
             << bound.getType() << " does not match element type "
             << elementType;
  return success();
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  if (!getMinAttr() && !getMaxAttr())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// MatMulOp / GemmOp
//===----------------------------------------------------------------------===//

/// numpy matmul shapes: 1-D promotion, broadcast batch dimensions.
static LogicalResult verifyMatMulShapes(Operation *op, ArrayRef<int64_t> a,
                                        ArrayRef<int64_t> b,
                                        ArrayRef<int64_t> result) {
  if (a.empty() || b.empty())
    return op->emitOpError("operands must have rank >= 1");
  int64_t k1 = a.back();
  int64_t k2 = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return op->emitOpError("contraction dimensions differ: ")
           << k1 << " vs " << k2;
  // Expected result: broadcast(batch(a), batch(b)) + [M] + [N].
  SmallVector<int64_t> batchA(a.begin(), a.end() - std::min<size_t>(a.size(), 2));
  SmallVector<int64_t> batchB(b.begin(), b.end() - std::min<size_t>(b.size(), 2));
  SmallVector<int64_t> expected;
  if (!OpTrait::util::getBroadcastedShape(batchA, batchB, expected))
    return op->emitOpError("batch dimensions do not broadcast");
  if (a.size() >= 2)
    expected.push_back(a[a.size() - 2]);
  if (b.size() >= 2)
    expected.push_back(b.back());
  if (failed(verifyCompatibleShape(result, expected)))
    return op->emitOpError("result shape does not match operands");
  return success();
}

LogicalResult MatMulOp::verify() {
  return verifyMatMulShapes(*this, tensorType(getLhs()).getShape(),
                            tensorType(getRhs()).getShape(),
                            getType().getShape());
}

LogicalResult GemmOp::verify() {
  RankedTensorType a = tensorType(getA()), b = tensorType(getB());
  if (a.getRank() != 2 || b.getRank() != 2 || getType().getRank() != 2)
    return emitOpError("operands and result must be 2-D");
  int64_t m = a.getDimSize(getTransA() ? 1 : 0);
  int64_t k1 = a.getDimSize(getTransA() ? 0 : 1);
  int64_t k2 = b.getDimSize(getTransB() ? 1 : 0);
  int64_t n = b.getDimSize(getTransB() ? 0 : 1);
  if (failed(verifyCompatibleShape({k1}, {k2})))
    return emitOpError("contraction dimensions differ: ") << k1 << " vs " << k2;
  if (failed(verifyCompatibleShape(getType().getShape(), {m, n})))
    return emitOpError("result shape does not match operands");
  if (getC()) {
    SmallVector<int64_t> broadcast;
    if (!OpTrait::util::getBroadcastedShape(getType().getShape(),
                                            tensorType(getC()).getShape(),
                                            broadcast) ||
        failed(verifyCompatibleShape(broadcast, getType().getShape())))
      return emitOpError("C does not broadcast to the result");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the per-spatial-dimension attribute arrays of a window op.
static LogicalResult verifyWindowAttrs(Operation *op, int64_t spatialRank,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pads) {
  if (static_cast<int64_t>(strides.size()) != spatialRank ||
      static_cast<int64_t>(dilations.size()) != spatialRank)
    return op->emitOpError("strides and dilations need ")
           << spatialRank << " entries";
  if (static_cast<int64_t>(pads.size()) != 2 * spatialRank)
    return op->emitOpError("pads need ") << 2 * spatialRank << " entries";
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError("strides and dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be non-negative");
  return success();
}

/// Shared checks of conv and conv_transpose: ranks, attributes, groups, bias.
static LogicalResult verifyConvCommon(Operation *op, RankedTensorType input,
                                      RankedTensorType weight, Value bias,
                                      RankedTensorType result,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads, int64_t group,
                                      int64_t outChannels) {
  int64_t rank = input.getRank();
  if (rank < 3 || weight.getRank() != rank || result.getRank() != rank)
    return op->emitOpError("input, weight and result need the same rank >= 3");
  if (failed(verifyWindowAttrs(op, rank - 2, strides, dilations, pads)))
    return failure();
  if (group < 1 || input.getDimSize(1) % group != 0)
    return op->emitOpError("group ") << group << " does not divide the "
                                     << input.getDimSize(1) << " input channels";
  if (result.getDimSize(1) != outChannels)
    return op->emitOpError("result has ")
           << result.getDimSize(1) << " channels, weight gives " << outChannels;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != outChannels)
      return op->emitOpError("bias must be 1-D with ")
             << outChannels << " elements";
  }
  return success();
}

/// Forward convolution: channels per group and the result's spatial extents.
static LogicalResult verifyConvShapes(Operation *op, RankedTensorType input,
                                      RankedTensorType weight, Value bias,
                                      RankedTensorType result,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads, int64_t group) {
  if (failed(verifyConvCommon(op, input, weight, bias, result, strides,
                              dilations, pads, group, weight.getDimSize(0))))
    return failure();
  if (input.getDimSize(1) / group != weight.getDimSize(1))
    return op->emitOpError("weight has ")
           << weight.getDimSize(1) << " input channels per group, expected "
           << input.getDimSize(1) / group;
  int64_t spatial = input.getRank() - 2;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2), k = weight.getDimSize(i + 2);
    int64_t padded = in + pads[i] + pads[i + spatial];
    int64_t extent = (k - 1) * dilations[i] + 1;
    int64_t expected = (padded - extent) / strides[i] + 1;
    if (padded < extent || result.getDimSize(i + 2) != expected)
      return op->emitOpError("spatial dimension ")
             << i << " of the result should be " << expected;
  }
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConvShapes(*this, tensorType(getInput()),
                          tensorType(getWeight()), getBias(), getType(),
                          getStrides(), getDilations(), getPads(), getGroup());
}

LogicalResult ConvTransposeOp::verify() {
  RankedTensorType input = tensorType(getInput()), weight = tensorType(getWeight());
  if (weight.getDimSize(0) != input.getDimSize(1))
    return emitOpError("weight dimension 0 must equal the input channels");
  return verifyConvCommon(*this, input, weight, getBias(), getType(),
                          getStrides(), getDilations(), getPads(), getGroup(),
                          weight.getDimSize(1) * getGroup());
}

/// Pooling: NC + spatial, result extents covered by the window positions.
static LogicalResult verifyPool(Operation *op, RankedTensorType input,
                                RankedTensorType result,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads) {
  int64_t rank = input.getRank();
  if (rank < 3 || result.getRank() != rank)
    return op->emitOpError("input and result need the same rank >= 3");
  if (static_cast<int64_t>(kernel.size()) != rank - 2)
    return op->emitOpError("kernel_shape needs ") << rank - 2 << " entries";
  if (failed(verifyWindowAttrs(op, rank - 2, strides, dilations, pads)))
    return failure();
  if (result.getDimSize(0) != input.getDimSize(0) ||
      result.getDimSize(1) != input.getDimSize(1))
    return op->emitOpError("batch and channel dimensions must be preserved");
  return success();
}

LogicalResult MaxPoolOp::verify() {
  return verifyPool(*this, tensorType(getInput()), getType(), getKernelShape(),
                    getStrides(), getDilations(), getPads());
}

LogicalResult MaxPoolWithIndicesOp::verify() {
  if (failed(verifyPool(*this, tensorType(getInput()), getOutput().getType(),
                        getKernelShape(), getStrides(), getDilations(),
                        getPads())))
    return failure();
  if (getIndices().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("indices must have the output's shape");
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 (row-major) or 1 (column-major)");
  return success();
}

LogicalResult AvgPoolOp::verify() {
  SmallVector<int64_t> ones(getKernelShape().size(), 1);
  return verifyPool(*this, tensorType(getInput()), getType(), getKernelShape(),
                    getStrides(), ones, getPads());
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(*this, getAxis(), getType().getRank());
}

LogicalResult LayerNormOp::verify() {
  if (failed(normalizeAxis(*this, getAxis(), getType().getRank())))
    return failure();
  if (getType() != getInput().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult BatchNormOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (input.getRank() < 2 || getType() != input)
    return emitOpError("input must have rank >= 2 and match the result");
  int64_t channels = input.getDimSize(1);
  for (Value param : {getScale(), getBias(), getMean(), getVariance()}) {
    RankedTensorType t = tensorType(param);
    if (t.getRank() != 1 || t.getDimSize(0) != channels)
      return emitOpError("parameters must be 1-D with ")
             << channels << " elements";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Axes must be sorted, unique and in range; the result shape must match.
static LogicalResult verifyReduction(Operation *op, RankedTensorType input,
                                     RankedTensorType result,
                                     ArrayRef<int64_t> axes, bool keepdims) {
  int64_t rank = input.getRank();
  for (auto [i, axis] : llvm::enumerate(axes))
    if (axis < 0 || axis >= rank || (i > 0 && axes[i - 1] >= axis))
      return op->emitOpError("axes must be sorted, unique and in [0, ")
             << rank << ")";
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      expected.push_back(input.getDimSize(d));
    else if (keepdims)
      expected.push_back(1);
  }
  if (failed(verifyCompatibleShape(result.getShape(), expected)))
    return op->emitOpError("result shape does not match the reduction");
  return success();
}

#define LOWBIT_REDUCE_VERIFIER(OP)                                             \
  LogicalResult OP::verify() {                                                 \
    return verifyReduction(*this, tensorType(getInput()), getType(),           \
                           getAxes(), getKeepdims());                          \
  }
LOWBIT_REDUCE_VERIFIER(ReduceSumOp)
LOWBIT_REDUCE_VERIFIER(ReduceMeanOp)
LOWBIT_REDUCE_VERIFIER(ReduceMaxOp)
LOWBIT_REDUCE_VERIFIER(ReduceMinOp)
LOWBIT_REDUCE_VERIFIER(ReduceProdOp)
LOWBIT_REDUCE_VERIFIER(ReduceSumSquareOp)
LOWBIT_REDUCE_VERIFIER(ReduceL1Op)
LOWBIT_REDUCE_VERIFIER(ReduceL2Op)
LOWBIT_REDUCE_VERIFIER(ReduceLogSumExpOp)
#undef LOWBIT_REDUCE_VERIFIER

LogicalResult ArgMaxOp::verify() {
  RankedTensorType input = tensorType(getInput());
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  return verifyReduction(*this, input, getType(), {*axis}, getKeepdims());
}

LogicalResult CumSumOp::verify() {
  return normalizeAxis(*this, getAxis(), getType().getRank());
}

LogicalResult TopKOp::verify() {
  RankedTensorType input = tensorType(getInput());
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  RankedTensorType values = getValues().getType();
  if (values.getShape() != getIndices().getType().getShape())
    return emitOpError("values and indices must have the same shape");
  if (values.getElementType() != input.getElementType())
    return emitOpError("values must have the input's element type");
  if (values.getRank() != input.getRank())
    return emitOpError("results must have the input's rank");
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (d == *axis) {
      if (values.getDimSize(d) > input.getDimSize(d))
        return emitOpError("k = ") << values.getDimSize(d)
                                   << " exceeds the axis extent "
                                   << input.getDimSize(d);
      continue;
    }
    if (values.getDimSize(d) != input.getDimSize(d))
      return emitOpError("result dimension ") << d << " does not match";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (input.hasStaticShape() && getType().hasStaticShape() &&
      input.getNumElements() != getType().getNumElements())
    return emitOpError("element count changes from ")
           << input.getNumElements() << " to " << getType().getNumElements();
  if (input.getElementType() != getType().getElementType())
    return emitOpError("element type must be preserved");
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

LogicalResult TransposeOp::verify() {
  RankedTensorType input = tensorType(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitOpError("perm needs ") << input.getRank() << " entries";
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    expected.push_back(input.getDimSize(p));
  }
  if (failed(verifyCompatibleShape(getType().getShape(), expected)) ||
      input.getElementType() != getType().getElementType())
    return emitOpError("result type does not match the permuted input");
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    // transpose(transpose(x, p1), p2)[i] = x[p1[p2[i]]].
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(producer.getPerm()[p]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  int64_t rank = getType().getRank();
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), rank);
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (Value input : getInputs()) {
    RankedTensorType t = tensorType(input);
    if (t.getRank() != rank || t.getElementType() != getType().getElementType())
      return emitOpError("inputs must match the result's rank and element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t.getDimSize(d) != getType().getDimSize(d))
        return emitOpError("input dimension ") << d << " does not match";
    total += t.getDimSize(*axis);
  }
  if (getType().getDimSize(*axis) != total)
    return emitOpError("result extent along the axis must be ") << total;
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

LogicalResult SliceOp::verify() {
  RankedTensorType input = tensorType(getInput());
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(getStarts().size()) != rank ||
      static_cast<int64_t>(getSteps().size()) != rank)
    return emitOpError("starts and steps need ") << rank << " entries";
  if (getType().getRank() != rank)
    return emitOpError("result rank must equal input rank");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t start = getStarts()[d], step = getSteps()[d];
    int64_t size = getType().getDimSize(d), extent = input.getDimSize(d);
    if (step == 0)
      return emitOpError("step must be non-zero");
    if (size == 0)
      continue;
    int64_t last = start + (size - 1) * step;
    if (start < 0 || start >= extent || last < 0 || last >= extent)
      return emitOpError("dimension ") << d << " reads out of bounds";
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

LogicalResult GatherOp::verify() {
  RankedTensorType input = tensorType(getInput());
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> expected(input.getShape().take_front(*axis));
  llvm::append_range(expected, tensorType(getIndices()).getShape());
  llvm::append_range(expected, input.getShape().drop_front(*axis + 1));
  if (failed(verifyCompatibleShape(getType().getShape(), expected)))
    return emitOpError("result shape does not match data and indices");
  return success();
}

/// Reductions the scatter ops combine duplicate updates with.
static LogicalResult verifyScatterReduction(Operation *op,
                                            StringRef reduction) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return op->emitOpError("reduction must be none, add, mul, max or min, "
                           "got \"")
           << reduction << "\"";
  return success();
}

/// Indices of the element ops have the input's rank and fit inside it
/// everywhere but along `axis`.
static LogicalResult verifyElementIndices(Operation *op, RankedTensorType input,
                                          RankedTensorType indices,
                                          int64_t axis) {
  if (indices.getRank() != input.getRank())
    return op->emitOpError("indices must have the input's rank");
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > input.getDimSize(d))
      return op->emitOpError("indices dimension ")
             << d << " exceeds the input's";
  return success();
}

LogicalResult GatherElementsOp::verify() {
  RankedTensorType input = tensorType(getInput());
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  RankedTensorType indices = tensorType(getIndices());
  if (failed(verifyElementIndices(*this, input, indices, *axis)))
    return failure();
  if (getType().getShape() != indices.getShape() ||
      getType().getElementType() != input.getElementType())
    return emitOpError("result must have the indices' shape and the input's "
                       "element type");
  return success();
}

/// The shape GatherND produces, or failure with an error on `op`.
static FailureOr<SmallVector<int64_t>>
gatherNDShape(Operation *op, RankedTensorType input, RankedTensorType indices,
              int64_t batchDims) {
  if (indices.getRank() < 1)
    return op->emitOpError("indices must have rank >= 1");
  int64_t depth = indices.getShape().back();
  if (batchDims < 0 || batchDims >= indices.getRank() ||
      batchDims > input.getRank())
    return op->emitOpError("batch_dims ") << batchDims << " is out of range";
  if (ShapedType::isDynamic(depth) || batchDims + depth > input.getRank())
    return op->emitOpError("index tuples of length ")
           << depth << " do not fit the input's rank";
  for (int64_t d = 0; d < batchDims; ++d)
    if (indices.getDimSize(d) != input.getDimSize(d))
      return op->emitOpError("batch dimension ") << d << " differs";
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, input.getShape().drop_front(batchDims + depth));
  return shape;
}

LogicalResult GatherNDOp::verify() {
  FailureOr<SmallVector<int64_t>> expected =
      gatherNDShape(*this, tensorType(getInput()), tensorType(getIndices()),
                    getBatchDims());
  if (failed(expected))
    return failure();
  if (failed(verifyCompatibleShape(getType().getShape(), *expected)) ||
      getType().getElementType() != tensorType(getInput()).getElementType())
    return emitOpError("result type does not match input and indices");
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  RankedTensorType input = tensorType(getInput());
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis) || failed(verifyScatterReduction(*this, getReduction())))
    return failure();
  RankedTensorType indices = tensorType(getIndices());
  if (failed(verifyElementIndices(*this, input, indices, *axis)))
    return failure();
  if (tensorType(getUpdates()) !=
      RankedTensorType::get(indices.getShape(), input.getElementType()))
    return emitOpError("updates must have the indices' shape and the input's "
                       "element type");
  if (getType() != input)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyScatterReduction(*this, getReduction())))
    return failure();
  RankedTensorType input = tensorType(getInput());
  FailureOr<SmallVector<int64_t>> updatesShape =
      gatherNDShape(*this, input, tensorType(getIndices()), 0);
  if (failed(updatesShape))
    return failure();
  if (tensorType(getUpdates()) !=
      RankedTensorType::get(*updatesShape, input.getElementType()))
    return emitOpError("updates must have type ")
           << RankedTensorType::get(*updatesShape, input.getElementType());
  if (getType() != input)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult ExpandOp::verify() {
  SmallVector<int64_t> broadcast;
  if (!OpTrait::util::getBroadcastedShape(tensorType(getInput()).getShape(),
                                          getType().getShape(), broadcast) ||
      failed(verifyCompatibleShape(broadcast, getType().getShape())))
    return emitOpError("input does not broadcast to the result shape");
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult TileOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (static_cast<int64_t>(getRepeats().size()) != input.getRank())
    return emitOpError("repeats need ") << input.getRank() << " entries";
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (getType().getDimSize(d) != input.getDimSize(d) * getRepeats()[d])
      return emitOpError("result dimension ") << d << " does not match";
  return success();
}

LogicalResult PadOp::verify() {
  RankedTensorType input = tensorType(getInput());
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(getPads().size()) != 2 * rank)
    return emitOpError("pads need ") << 2 * rank << " entries";
  if (getMode() != "constant" && getMode() != "reflect" && getMode() != "edge")
    return emitOpError("mode must be constant, reflect or edge");
  for (int64_t d = 0; d < rank; ++d)
    if (getType().getDimSize(d) !=
        input.getDimSize(d) + getPads()[d] + getPads()[d + rank])
      return emitOpError("result dimension ") << d << " does not match pads";
  if (getValueAttr() && getValueAttr().getType() != input.getElementType())
    return emitOpError("pad value type must match the element type");
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}

LogicalResult ResizeOp::verify() {
  RankedTensorType input = tensorType(getInput());
  if (static_cast<int64_t>(getScales().size()) != input.getRank() ||
      getType().getRank() != input.getRank())
    return emitOpError("scales and result need one entry per dimension");
  if (getMode() != "nearest" && getMode() != "linear" && getMode() != "cubic")
    return emitOpError("mode must be nearest, linear or cubic");
  static constexpr StringLiteral transforms[] = {
      "half_pixel",          "pytorch_half_pixel", "align_corners",
      "asymmetric",          "tf_crop_and_resize", "half_pixel_symmetric",
      "tf_half_pixel_for_nn"};
  if (!llvm::is_contained(transforms, getCoordinateTransformationMode()))
    return emitOpError("unknown coordinate_transformation_mode");
  if (std::optional<ArrayRef<float>> roi = getRoi()) {
    if (static_cast<int64_t>(roi->size()) != 2 * input.getRank())
      return emitOpError("roi needs 2 * rank (")
             << 2 * input.getRank() << ") entries, got " << roi->size();
  } else if (getCoordinateTransformationMode() == "tf_crop_and_resize") {
    return emitOpError("tf_crop_and_resize needs a roi");
  }
  static constexpr StringLiteral nearestModes[] = {
      "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(nearestModes, getNearestMode()))
    return emitOpError("unknown nearest_mode");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// The quantized side's expressed type must be the float side's type; a
/// per-axis quantized dimension must exist.
static LogicalResult verifyQuantPair(Operation *op, RankedTensorType floatSide,
                                     RankedTensorType quantSide) {
  auto q = cast<quant::QuantizedType>(quantSide.getElementType());
  if (expressedType(q) != floatSide.getElementType())
    return op->emitOpError("expressed type ")
           << q.getExpressedType() << " does not match float type "
           << floatSide.getElementType();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(q)) {
    int32_t axis = perAxis.getQuantizedDimension();
    int64_t numScales = perAxis.getScales().size();
    if (axis >= quantSide.getRank())
      return op->emitOpError("quantized dimension ")
             << axis << " is out of range for rank " << quantSide.getRank();
    if (quantSide.getDimSize(axis) != numScales)
      return op->emitOpError("quantized dimension ")
             << axis << " has " << quantSide.getDimSize(axis)
             << " elements but there are " << numScales << " scales";
  }
  return success();
}

/// A codebook replaces the affine map, so storage is an unsigned index.
static LogicalResult verifyCodebook(Operation *op, std::optional<Codebook> codebook,
                                    RankedTensorType quantSide) {
  if (!codebook)
    return success();
  auto q = cast<quant::QuantizedType>(quantSide.getElementType());
  if (q.isSigned())
    return op->emitOpError("codebook ")
           << stringifyCodebook(*codebook) << " needs unsigned storage";
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (failed(verifyCodebook(*this, getCodebook(), getType())))
    return failure();
  return verifyQuantPair(*this, tensorType(getInput()), getType());
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyCodebook(*this, getCodebook(), tensorType(getInput()))))
    return failure();
  return verifyQuantPair(*this, getType(), tensorType(getInput()));
}

LogicalResult RequantizeOp::verify() {
  Type from = expressedType(tensorType(getInput()).getElementType());
  Type to = expressedType(getType().getElementType());
  if (from != to)
    return emitOpError("expressed types differ: ") << from << " vs " << to;
  return success();
}

OpFoldResult RequantizeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Quantized contractions
//===----------------------------------------------------------------------===//

/// Element-type rules shared by quantized_matmul and quantized_conv (see the
/// table in their description). `outAxis` / `reductionAxis` are the weight
/// dimensions holding output channels and the reduction.
template <typename OpTy>
static LogicalResult verifyQuantizedContraction(OpTy op, Type lhsElement,
                                                RankedTensorType weight,
                                                int64_t outAxis,
                                                int64_t reductionAxis) {
  Type resultElement = op.getType().getElementType();
  auto rhs = cast<quant::QuantizedType>(weight.getElementType());
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
           quant::UniformQuantizedSubChannelType>(rhs))
    return op.emitOpError("weights need a uniform quantized type, got ") << rhs;
  Type expressed = rhs.getExpressedType();

  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(rhs))
    if (perAxis.getQuantizedDimension() != outAxis)
      return op.emitOpError("weights must be quantized along their output "
                            "channel dimension ")
             << outAxis << ", not " << perAxis.getQuantizedDimension();
  if (auto subChannel = dyn_cast<quant::UniformQuantizedSubChannelType>(rhs))
    for (auto [dim, block] : llvm::zip(subChannel.getQuantizedDimensions(),
                                       subChannel.getBlockSizes()))
      if (dim != outAxis && dim != reductionAxis && block != 1 &&
          block != weight.getDimSize(dim))
        return op.emitOpError("weight blocks may only split the output "
                              "channel and reduction dimensions");

  if (op.getWeightCodebook()) {
    if (rhs.isSigned())
      return op.emitOpError("codebook weights need unsigned storage");
    if (!isa<FloatType>(lhsElement))
      return op.emitOpError("codebook weights are weight-only: the "
                            "activations must be float");
  }

  Type biasElement;
  if (Value bias = op.getBias())
    biasElement = tensorType(bias).getElementType();

  if (auto lhs = dyn_cast<quant::QuantizedType>(lhsElement)) {
    // Integer kernel.
    if (!isa<quant::UniformQuantizedType>(lhs))
      return op.emitOpError("quantized activations must be per tensor");
    if (lhs.getExpressedType() != expressed)
      return op.emitOpError("activations and weights express different types");
    if (op.getDynamicActivations())
      return op.emitOpError("dynamic_activations needs float activations");
    if (biasElement && !biasElement.isInteger(32))
      return op.emitOpError("the bias of an integer kernel must be i32");
    if (auto result = dyn_cast<quant::QuantizedType>(resultElement)) {
      if (!isa<quant::UniformQuantizedType>(result) ||
          result.getExpressedType() != expressed)
        return op.emitOpError("a quantized result must be per tensor and "
                              "express ")
               << expressed;
    } else if (resultElement.isInteger(32)) {
      if (op.getActivation() != FusedActivation::none)
        return op.emitOpError("a raw i32 accumulator takes no activation");
    } else if (resultElement != expressed) {
      return op.emitOpError("result must be quantized, i32 or ") << expressed;
    }
  } else {
    // Weight-only or dynamic: float in, float out.
    if (lhsElement != expressed || resultElement != expressed)
      return op.emitOpError("float activations and result must be ")
             << expressed << ", the weights' expressed type";
    if (biasElement && biasElement != expressed)
      return op.emitOpError("the bias of a float kernel must be ") << expressed;
  }

  bool isClip = op.getActivation() == FusedActivation::clip;
  bool hasBounds = op.getClipMinAttr() || op.getClipMaxAttr();
  if (isClip != hasBounds)
    return op.emitOpError(isClip ? "clip needs clip_min or clip_max"
                                 : "clip bounds need activation clip");
  return success();
}

LogicalResult QuantizedMatMulOp::verify() {
  RankedTensorType lhs = tensorType(getLhs()), rhs = tensorType(getRhs());
  if (failed(verifyMatMulShapes(*this, lhs.getShape(), rhs.getShape(),
                                getType().getShape())))
    return failure();
  int64_t rank = rhs.getRank();
  if (rank < 2)
    return emitOpError("weights must have rank >= 2");
  if (Value bias = getBias()) {
    RankedTensorType biasType = tensorType(bias);
    if (biasType.getRank() != 1 ||
        biasType.getDimSize(0) != rhs.getDimSize(rank - 1))
      return emitOpError("bias must be 1-D with ")
             << rhs.getDimSize(rank - 1) << " elements";
  }
  return verifyQuantizedContraction(*this, lhs.getElementType(), rhs,
                                    rank - 1, rank - 2);
}

LogicalResult QuantizedConvOp::verify() {
  RankedTensorType input = tensorType(getInput()),
                   weight = tensorType(getWeight());
  if (failed(verifyConvShapes(*this, input, weight, getBias(), getType(),
                              getStrides(), getDilations(), getPads(),
                              getGroup())))
    return failure();
  return verifyQuantizedContraction(*this, input.getElementType(), weight,
                                    /*outAxis=*/0, /*reductionAxis=*/1);
}

#define GET_OP_CLASSES
#include "dialects/Lowbit/IR/LowbitOps.cpp.inc"
