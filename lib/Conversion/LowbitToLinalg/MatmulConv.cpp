//===- MatmulConv.cpp - lower lowbit matmul, gemm and convolutions --------===//
//
// Contractions map onto named linalg ops where one fits (matmul,
// batch_matmul, NCHW convolutions, depthwise and grouped convolutions), and
// onto a linalg.generic with the same loop structure otherwise, so that every
// result stays tileable. Bias initializes the accumulator.
//
//===----------------------------------------------------------------------===//

#include "ContractionBuilders.h"
#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Float or integer elements only: quantized operands reach these ops only
/// through dequantize.
bool hasPlainElements(Operation *op) {
  auto plain = [](Type type) { return elementTypeOf(type).isIntOrFloat(); };
  return llvm::all_of(op->getOperandTypes(), plain) &&
         llvm::all_of(op->getResultTypes(), plain);
}

/// Fails with the reason unless `op` has static shapes and plain elements.
LogicalResult checkSupported(Operation *op,
                             ConversionPatternRewriter &rewriter) {
  if (!areStaticTensors(op->getOperandTypes()) ||
      !areStaticTensors(op->getResultTypes()))
    return failLowering(rewriter, op, "needs statically shaped tensors");
  if (!hasPlainElements(op))
    return failLowering(rewriter, op,
                        "quantized operands are not supported yet; "
                        "dequantize them first (lowbit.dequantize)");
  return success();
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t result = 1;
  for (int64_t extent : shape)
    result *= extent;
  return result;
}

Value createZeroFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       Type elementType) {
  return createFilled(b, loc, shape, createConstant(b, loc, elementType, 0.0));
}

//===----------------------------------------------------------------------===//
// MatMul / Gemm
//===----------------------------------------------------------------------===//

/// `a[..., M, K] x b[..., K, N]` with numpy batch broadcasting, as
/// linalg.matmul, linalg.batch_matmul or a linalg.generic.
Value buildBatchedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         Type elementType) {
  ArrayRef<int64_t> aShape = cast<RankedTensorType>(lhs.getType()).getShape();
  ArrayRef<int64_t> bShape = cast<RankedTensorType>(rhs.getType()).getShape();
  ArrayRef<int64_t> batchA = aShape.drop_back(2), batchB = bShape.drop_back(2);
  int64_t m = aShape[aShape.size() - 2], k = aShape.back(), n = bShape.back();
  SmallVector<int64_t> batch;
  OpTrait::util::getBroadcastedShape(batchA, batchB, batch);
  SmallVector<int64_t> resultShape(batch);
  resultShape.append({m, n});

  // B is one matrix: fold A's batch into its rows.
  if (product(batchB) == 1) {
    int64_t rows = product(batchA) * m;
    Value a2 = reshapeTensor(b, loc, lhs, {rows, k});
    Value b2 = reshapeTensor(b, loc, rhs, {k, n});
    Value init = createZeroFilled(b, loc, {rows, n}, elementType);
    Value product2 =
        linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                 ValueRange{a2, b2}, ValueRange{init})
            .getResult(0);
    return reshapeTensor(b, loc, product2, resultShape);
  }
  // Same batch on both sides: one batch dimension.
  if (llvm::equal(batchA, batch) && llvm::equal(batchB, batch)) {
    int64_t count = product(batch);
    Value a3 = reshapeTensor(b, loc, lhs, {count, m, k});
    Value b3 = reshapeTensor(b, loc, rhs, {count, k, n});
    Value init = createZeroFilled(b, loc, {count, m, n}, elementType);
    Value product3 =
        linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                      ValueRange{a3, b3}, ValueRange{init})
            .getResult(0);
    return reshapeTensor(b, loc, product3, resultShape);
  }
  // Broadcast batches: (batch..., m, n, k) loops.
  ContractionLoops loops =
      getBatchedMatmulLoops(b.getContext(), aShape, bShape);
  Value init = createZeroFilled(b, loc, resultShape, elementType);
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                   ValueRange{lhs, rhs}, ValueRange{init},
                                   loops.maps, loops.iterators,
                                   yieldMultiplyAccumulate)
      .getResult(0);
}

struct MatMulLowering final : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkSupported(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsShape = cast<RankedTensorType>(lhs.getType()).getShape();
    auto rhsShape = cast<RankedTensorType>(rhs.getType()).getShape();
    // numpy promotion of 1-D operands; the result type already lacks the
    // promoted dimensions, so the final reshape drops them.
    if (lhsShape.size() == 1)
      lhs = reshapeTensor(rewriter, loc, lhs, {1, lhsShape[0]});
    if (rhsShape.size() == 1)
      rhs = reshapeTensor(rewriter, loc, rhs, {rhsShape[0], 1});
    Value product = buildBatchedMatmul(rewriter, loc, lhs, rhs,
                                       resultType.getElementType());
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, product, resultType.getShape()));
    return success();
  }
};

struct GemmLowering final : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkSupported(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type elementType = resultType.getElementType();
    auto transpose = [&](Value value) -> Value {
      auto type = cast<RankedTensorType>(value.getType());
      Value init =
          createEmpty(rewriter, loc, {type.getDimSize(1), type.getDimSize(0)},
                      type.getElementType());
      return linalg::TransposeOp::create(rewriter, loc, value, init,
                                         ArrayRef<int64_t>{1, 0})
          .getResult()[0];
    };
    Value a = op.getTransA() ? transpose(adaptor.getA()) : adaptor.getA();
    Value b = op.getTransB() ? transpose(adaptor.getB()) : adaptor.getB();
    Value init =
        createZeroFilled(rewriter, loc, resultType.getShape(), elementType);
    Value product =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{resultType},
                                 ValueRange{a, b}, ValueRange{init})
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    if (alpha == 1.0 && !c) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> inputs{product};
    if (c)
      inputs.push_back(c);
    Value result = buildBroadcastElementwise(
        rewriter, loc, resultType, inputs,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          Value acc = args[0];
          if (alpha != 1.0)
            acc = createMul(
                nested, nestedLoc, acc,
                createConstant(nested, nestedLoc, elementType, alpha));
          if (args.size() < 2)
            return acc;
          Value bias = args[1];
          if (beta != 1.0)
            bias =
                createMul(nested, nestedLoc, bias,
                          createConstant(nested, nestedLoc, elementType, beta));
          return createAdd(nested, nestedLoc, acc, bias);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// The accumulator of a convolution: the bias broadcast along channels, or
/// zeros.
Value createConvInit(OpBuilder &b, Location loc, RankedTensorType resultType,
                     Value bias) {
  if (!bias)
    return createZeroFilled(b, loc, resultType.getShape(),
                            resultType.getElementType());
  MLIRContext *ctx = b.getContext();
  AffineMap channelMap =
      AffineMap::get(resultType.getRank(), 0, {getAffineDimExpr(1, ctx)}, ctx);
  return buildParallelGeneric(
      b, loc, resultType, ValueRange{bias}, {channelMap},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// A grouped N-d convolution as a linalg.generic over
/// (n, g, f, o..., c, k...) (see getGroupedConvLoops), accumulating into
/// `init` [N, G, Fg, O...].
Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                              Value weight, Value init,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations,
                              AffineMap weightMap) {
  ContractionLoops loops =
      getGroupedConvLoops(b.getContext(), strides, dilations, weightMap);
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                   ValueRange{input, weight}, ValueRange{init},
                                   loops.maps, loops.iterators,
                                   yieldMultiplyAccumulate)
      .getResult(0);
}

DenseIntElementsAttr getI64VectorAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}

/// A stride-`strides` convolution of the padded input `input` [N, C, S...]
/// with weight [F, C/group, K...] into `init` [N, F, O...].
Value buildConv(OpBuilder &b, Location loc, Value input, Value weight,
                Value init, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, int64_t group) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t rank = inputType.getRank(), spatial = rank - 2;
  int64_t channels = inputType.getDimSize(1);
  int64_t filters = weightType.getDimSize(0);
  DenseIntElementsAttr stridesAttr = getI64VectorAttr(b, strides);
  DenseIntElementsAttr dilationsAttr = getI64VectorAttr(b, dilations);
  SmallVector<Type, 1> resultTypes{initType};
  SmallVector<Value, 1> outputs{init};
  if (group == 1) {
    SmallVector<Value, 2> inputs{input, weight};
    if (rank == 3)
      return linalg::Conv1DNcwFcwOp::create(b, loc, resultTypes, inputs,
                                            outputs, stridesAttr, dilationsAttr)
          .getResult(0);
    if (rank == 4)
      return linalg::Conv2DNchwFchwOp::create(b, loc, resultTypes, inputs,
                                              outputs, stridesAttr,
                                              dilationsAttr)
          .getResult(0);
    if (rank == 5)
      return linalg::Conv3DNcdhwFcdhwOp::create(b, loc, resultTypes, inputs,
                                                outputs, stridesAttr,
                                                dilationsAttr)
          .getResult(0);
  }
  if (group == channels && filters == channels && (rank == 3 || rank == 4)) {
    // Depthwise: drop the unit input-channel dimension of the weight.
    SmallVector<int64_t> depthwiseShape{channels};
    llvm::append_range(depthwiseShape, weightType.getShape().drop_front(2));
    Value depthwiseWeight = reshapeTensor(b, loc, weight, depthwiseShape);
    SmallVector<Value, 2> inputs{input, depthwiseWeight};
    if (rank == 3)
      return linalg::DepthwiseConv1DNcwCwOp::create(b, loc, resultTypes, inputs,
                                                    outputs, stridesAttr,
                                                    dilationsAttr)
          .getResult(0);
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, resultTypes, inputs, outputs, stridesAttr, dilationsAttr)
        .getResult(0);
  }
  // Grouped: [N, G, C/G, ...] x [G, F/G, C/G, ...] -> [N, G, F/G, ...].
  Value groupedInput = splitChannels(b, loc, input, group, 1);
  Value groupedWeight = splitChannels(b, loc, weight, group, 0);
  Value groupedInit = splitChannels(b, loc, init, group, 1);
  Value result;
  if (rank == 4)
    result = linalg::Conv2DNgchwGfchwOp::create(
                 b, loc, TypeRange{groupedInit.getType()},
                 ValueRange{groupedInput, groupedWeight},
                 ValueRange{groupedInit}, stridesAttr, dilationsAttr)
                 .getResult(0);
  else
    result = buildGroupedConvGeneric(
        b, loc, groupedInput, groupedWeight, groupedInit, strides, dilations,
        getForwardWeightMap(b.getContext(), spatial));
  return reshapeTensor(b, loc, result, initType.getShape());
}

struct ConvLowering final : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkSupported(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value input = padSpatialDims(
        rewriter, loc, adaptor.getInput(), op.getPads(),
        createConstant(rewriter, loc, resultType.getElementType(), 0));
    Value init = createConvInit(rewriter, loc, resultType, adaptor.getBias());
    rewriter.replaceOp(op, buildConv(rewriter, loc, input, adaptor.getWeight(),
                                     init, op.getStrides(), op.getDilations(),
                                     op.getGroup()));
    return success();
  }
};

/// ConvTranspose whose kernel equals its stride (batch 1, no padding,
/// dilation or groups), the usual learned 2x upsampling: every output pixel
/// takes exactly one kernel tap, so it is one matmul and a depth-to-space
/// shuffle:
///   t[(f, a, b), (i, j)] = bias[f] + sum_c w[c, f, a, b] x[c, i, j]
///   out[f, i*s + a, j*t + b] = t[(f, a, b), (i, j)]
/// The general lowering below would convolve a 75% zero input instead.
/// (CPU performance work; kept apart from the general lowering.)
Value buildPatchConvTranspose(OpBuilder &b, Location loc, Value input,
                              Value weight, Value bias,
                              RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  Type elementType = resultType.getElementType();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t channels = inputType.getDimSize(1);
  int64_t features = weightType.getDimSize(1);
  int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  int64_t rows = features * kh * kw, pixels = height * width;

  // lhs [F*kh*kw, C]: the weight with its channel dimension last.
  Value transposedInit =
      tensor::EmptyOp::create(b, loc, {features, kh, kw, channels}, elementType);
  Value transposed =
      linalg::TransposeOp::create(b, loc, weight, transposedInit,
                                  ArrayRef<int64_t>{1, 2, 3, 0})
          .getResult()[0];
  Value lhs = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, channels}, elementType), transposed,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  // rhs [C, H*W]: the input (batch 1).
  Value rhs = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({channels, pixels}, elementType), input,
      SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
  // Accumulator [F, kh, kw, H*W]: the bias along F, or zeros.
  Value acc;
  if (bias) {
    auto accType =
        RankedTensorType::get({features, kh, kw, pixels}, elementType);
    acc = buildParallelGeneric(
        b, loc, accType, ValueRange{bias},
        {AffineMap::get(4, 0, {getAffineDimExpr(0, ctx)}, ctx)},
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  } else {
    acc = createZeroFilled(b, loc, {features, kh, kw, pixels}, elementType);
  }
  acc = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, pixels}, elementType), acc,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
  Value product =
      linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, ValueRange{acc})
          .getResult(0);
  Value patches = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({features, kh, kw, height, width}, elementType),
      product, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
  // Depth to space: out [1, F, H, kh, W, kw] from patches [F, kh, kw, H, W].
  auto outType = RankedTensorType::get({1, features, height, kh, width, kw},
                                       elementType);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value shuffled = buildParallelGeneric(
      b, loc, outType, ValueRange{patches},
      {AffineMap::get(6, 0, {d(1), d(3), d(5), d(2), d(4)}, ctx)},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, shuffled,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
}

/// ConvTranspose as a stride-1 convolution of the zero-inserted, padded
/// input with the spatially flipped kernel:
///   out[o] = sum_k z[o + k*d] * w[K-1-k],  z[i*s + lo] = x[i],
/// with lo = d*(K-1) - pad_begin (negative lo and hi crop).
struct ConvTransposeLowering final : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkSupported(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type elementType = resultType.getElementType();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto weightType = cast<RankedTensorType>(weight.getType());
    int64_t rank = inputType.getRank(), spatial = rank - 2;
    int64_t group = op.getGroup();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    ArrayRef<int64_t> pads = op.getPads();
    Value zero = createConstant(rewriter, loc, elementType, 0);

    bool isPatchUpsampling =
        group == 1 && isa<FloatType>(elementType) && spatial == 2 &&
        inputType.getDimSize(0) == 1 && resultType.hasStaticShape() &&
        inputType.hasStaticShape() && weightType.hasStaticShape() &&
        llvm::all_of(pads, [](int64_t pad) { return pad == 0; }) &&
        llvm::all_of(dilations, [](int64_t d) { return d == 1; });
    for (int64_t i = 0; i < spatial && isPatchUpsampling; ++i)
      isPatchUpsampling =
          strides[i] == weightType.getDimSize(2 + i) &&
          resultType.getDimSize(2 + i) ==
              inputType.getDimSize(2 + i) * strides[i];
    if (isPatchUpsampling) {
      rewriter.replaceOp(op,
                         buildPatchConvTranspose(rewriter, loc, input, weight,
                                                 adaptor.getBias(), resultType));
      return success();
    }

    // Zero insertion between input elements.
    SmallVector<int64_t> dilatedShape(inputType.getShape().take_front(2));
    for (int64_t i = 0; i < spatial; ++i)
      dilatedShape.push_back((inputType.getDimSize(2 + i) - 1) * strides[i] +
                             1);
    Value dilated = input;
    if (llvm::any_of(strides, [](int64_t s) { return s > 1; })) {
      Value zeros = createFilled(rewriter, loc, dilatedShape, zero);
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, steps(2, rewriter.getIndexAttr(1));
      for (int64_t extent : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(extent));
      for (int64_t stride : strides)
        steps.push_back(rewriter.getIndexAttr(stride));
      dilated = tensor::InsertSliceOp::create(rewriter, loc, input, zeros,
                                              offsets, sizes, steps);
    }
    // Pad (or crop) so that a stride-1 pass yields the result extents.
    SmallVector<int64_t> low{0, 0}, high{0, 0};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t reach = dilations[i] * (weightType.getDimSize(2 + i) - 1);
      int64_t lo = reach - pads[i];
      low.push_back(lo);
      high.push_back(resultType.getDimSize(2 + i) + reach -
                     dilatedShape[2 + i] - lo);
    }
    Value padded = padOrCrop(rewriter, loc, dilated, low, high, zero);
    Value init = createConvInit(rewriter, loc, resultType, adaptor.getBias());
    SmallVector<int64_t> ones(spatial, 1);

    // The forward-convolution weight [G*Fg, Cg, K...] with flipped kernels:
    // flipped[g, f, c, k] = weight[g, c, f, K-1-k], one parallel generic.
    int64_t cg = weightType.getDimSize(0) / group;
    int64_t fg = weightType.getDimSize(1);
    SmallVector<int64_t> kernel(weightType.getShape().drop_front(2));
    SmallVector<int64_t> flippedShape{group, fg, cg};
    llvm::append_range(flippedShape, kernel);
    SmallVector<AffineExpr> exprs{getAffineDimExpr(0, ctx),
                                  getAffineDimExpr(2, ctx),
                                  getAffineDimExpr(1, ctx)};
    for (int64_t i = 0; i < spatial; ++i)
      exprs.push_back(getAffineConstantExpr(kernel[i] - 1, ctx) -
                      getAffineDimExpr(3 + i, ctx));
    Value flipped = buildParallelGeneric(
        rewriter, loc, RankedTensorType::get(flippedShape, elementType),
        ValueRange{splitChannels(rewriter, loc, weight, group, 0)},
        {AffineMap::get(rank + 1, 0, exprs, ctx)},
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    SmallVector<int64_t> forwardShape{group * fg, cg};
    llvm::append_range(forwardShape, kernel);
    Value forward = reshapeTensor(rewriter, loc, flipped, forwardShape);
    Value result =
        buildConv(rewriter, loc, padded, forward, init, ones, dilations, group);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Loop structure shared with the quantized contractions
//===----------------------------------------------------------------------===//

ContractionLoops lowbit::getBatchedMatmulLoops(MLIRContext *ctx,
                                               ArrayRef<int64_t> lhsShape,
                                               ArrayRef<int64_t> rhsShape) {
  ArrayRef<int64_t> batchA = lhsShape.drop_back(2),
                    batchB = rhsShape.drop_back(2);
  SmallVector<int64_t> batch;
  OpTrait::util::getBroadcastedShape(batchA, batchB, batch);
  int64_t batchRank = batch.size(), numLoops = batchRank + 3;
  auto operandMap = [&](ArrayRef<int64_t> operandBatch, AffineExpr row,
                        AffineExpr col) {
    AffineMap batchMap = getBroadcastMap(ctx, operandBatch, batch);
    SmallVector<AffineExpr> exprs(batchMap.getResults());
    exprs.append({row, col});
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  AffineExpr dm = getAffineDimExpr(batchRank, ctx),
             dn = getAffineDimExpr(batchRank + 1, ctx),
             dk = getAffineDimExpr(batchRank + 2, ctx);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < batchRank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  outExprs.append({dm, dn});
  ContractionLoops loops;
  loops.maps = {operandMap(batchA, dm, dk), operandMap(batchB, dk, dn),
                AffineMap::get(numLoops, 0, outExprs, ctx)};
  loops.iterators.assign(numLoops - 1, utils::IteratorType::parallel);
  loops.iterators.push_back(utils::IteratorType::reduction);
  loops.resultShape = batch;
  loops.resultShape.append(
      {lhsShape[lhsShape.size() - 2], rhsShape[rhsShape.size() - 1]});
  return loops;
}

ContractionLoops lowbit::getGroupedConvLoops(MLIRContext *ctx,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations,
                                             AffineMap weightMap) {
  int64_t spatial = strides.size();
  int64_t numLoops = 4 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  AffineExpr n = dim(0), g = dim(1), f = dim(2), c = dim(3 + spatial);
  SmallVector<AffineExpr> inputExprs{n, g, c}, outputExprs{n, g, f};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(3 + i), k = dim(4 + spatial + i);
    inputExprs.push_back(o * strides[i] + k * dilations[i]);
    outputExprs.push_back(o);
  }
  ContractionLoops loops;
  loops.maps = {AffineMap::get(numLoops, 0, inputExprs, ctx), weightMap,
                AffineMap::get(numLoops, 0, outputExprs, ctx)};
  loops.iterators.assign(3 + spatial, utils::IteratorType::parallel);
  loops.iterators.append(1 + spatial, utils::IteratorType::reduction);
  return loops;
}

AffineMap lowbit::getForwardWeightMap(MLIRContext *ctx, int64_t spatial) {
  int64_t numLoops = 4 + 2 * spatial;
  SmallVector<AffineExpr> exprs{getAffineDimExpr(1, ctx),
                                getAffineDimExpr(2, ctx),
                                getAffineDimExpr(3 + spatial, ctx)};
  for (int64_t i = 0; i < spatial; ++i)
    exprs.push_back(getAffineDimExpr(4 + spatial + i, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

Value lowbit::splitChannels(OpBuilder &b, Location loc, Value value,
                            int64_t groups, int64_t channelDim) {
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  SmallVector<int64_t> split(shape.take_front(channelDim));
  split.append({groups, shape[channelDim] / groups});
  split.append(shape.begin() + channelDim + 1, shape.end());
  return reshapeTensor(b, loc, value, split);
}

Value lowbit::padSpatialDims(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> pads, Value padValue) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  int64_t spatial = pads.size() / 2;
  SmallVector<int64_t> low{0, 0}, high{0, 0};
  llvm::append_range(low, pads.take_front(spatial));
  llvm::append_range(high, pads.drop_front(spatial));
  return padOrCrop(b, loc, input, low, high, padValue);
}

void lowbit::yieldMultiplyAccumulate(OpBuilder &b, Location loc,
                                     ValueRange args) {
  Value product = createMul(b, loc, args[0], args[1]);
  linalg::YieldOp::create(b, loc, createAdd(b, loc, args[2], product));
}

void lowbit::populateLowbitMatmulConvToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns
      .add<MatMulLowering, GemmLowering, ConvLowering, ConvTransposeLowering>(
          typeConverter, patterns.getContext());
}
