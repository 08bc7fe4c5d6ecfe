//===- Normalization.cpp - lower lowbit softmax and normalizations --------===//
//
// softmax subtracts the maximum before exponentiating; layer_norm computes
// the mean and then the biased variance of the centered values (two passes,
// as ONNX's reference), in f32 at least. Each statistic is one reducing
// linalg.generic; the final normalization is one parallel generic.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

#include <numeric>

using namespace mlir;
using namespace lowbit;

namespace {

/// Fails with the reason unless `op` has static shapes and float elements.
LogicalResult checkStaticFloat(Operation *op,
                               ConversionPatternRewriter &rewriter) {
  if (failed(checkStaticShapes(op, rewriter)))
    return failure();
  auto isFloatTensor = [](Type type) {
    return isa<FloatType>(elementTypeOf(type));
  };
  if (!llvm::all_of(op->getOperandTypes(), isFloatTensor) ||
      !llvm::all_of(op->getResultTypes(), isFloatTensor))
    return failLowering(rewriter, op, "needs float elements");
  return success();
}

struct SoftmaxLowering final : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Type elementType = type.getElementType();
    Value x = adaptor.getInput();

    Value max = buildReduction(
        rewriter, loc, x, {axis},
        createLowest(rewriter, loc, elementType, false), {},
        [](OpBuilder &b, Location l, Value e, ValueRange, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, acc, e);
        });
    Value sum = buildReduction(
        rewriter, loc, x, {axis}, createConstant(rewriter, loc, elementType, 0),
        {max},
        [](OpBuilder &b, Location l, Value e, ValueRange extras,
           Value acc) -> Value {
          Value shifted = arith::SubFOp::create(b, l, e, extras[0]);
          return arith::AddFOp::create(b, l, acc,
                                       math::ExpOp::create(b, l, shifted));
        });
    AffineMap kept = getKeptDimsMap(rewriter.getContext(), rank, {axis});
    bool log = op.getLog();
    Value result = buildParallelGeneric(
        rewriter, loc, type, {x, max, sum},
        {rewriter.getMultiDimIdentityMap(rank), kept, kept},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          if (log)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, args[2]));
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering final : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t d = axis; d < rank; ++d) {
      axes.push_back(d);
      count *= type.getDimSize(d);
    }
    Type elementType = type.getElementType();
    // Statistics in f32 at least (ONNX stash_type = 1).
    Type statType = elementType.getIntOrFloatBitWidth() < 32
                        ? Type(rewriter.getF32Type())
                        : elementType;
    auto widen = [statType](OpBuilder &b, Location l, Value v) {
      return createCast(b, l, v, statType, false, false);
    };
    Value zero = createConstant(rewriter, loc, statType, 0.0);
    Value x = adaptor.getInput();
    Value sum = buildReduction(
        rewriter, loc, x, axes, zero, {},
        [&](OpBuilder &b, Location l, Value e, ValueRange, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, widen(b, l, e));
        });
    double n = static_cast<double>(count);
    Value squares = buildReduction(
        rewriter, loc, x, axes, zero, {sum},
        [&](OpBuilder &b, Location l, Value e, ValueRange extras,
            Value acc) -> Value {
          Value mean = arith::DivFOp::create(b, l, extras[0],
                                             createConstant(b, l, statType, n));
          Value d = arith::SubFOp::create(b, l, widen(b, l, e), mean);
          return arith::AddFOp::create(b, l, acc,
                                       arith::MulFOp::create(b, l, d, d));
        });

    AffineMap kept = getKeptDimsMap(ctx, rank, axes);
    SmallVector<Value> inputs{x, sum, squares, adaptor.getScale()};
    SmallVector<AffineMap> maps{
        rewriter.getMultiDimIdentityMap(rank), kept, kept,
        getBroadcastMap(
            ctx,
            cast<RankedTensorType>(adaptor.getScale().getType()).getShape(),
            type.getShape())};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(getBroadcastMap(
          ctx, cast<RankedTensorType>(bias.getType()).getShape(),
          type.getShape()));
    }
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildParallelGeneric(
        rewriter, loc, type, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value count = createConstant(b, l, statType, n);
          Value mean = arith::DivFOp::create(b, l, args[1], count);
          Value variance = arith::DivFOp::create(b, l, args[2], count);
          Value stddev = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, variance,
                                    createConstant(b, l, statType, epsilon)));
          Value normalized = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, widen(b, l, args[0]), mean),
              stddev);
          Value y =
              arith::MulFOp::create(b, l, normalized, widen(b, l, args[3]));
          if (args.size() > 4)
            y = arith::AddFOp::create(b, l, y, widen(b, l, args[4]));
          return createCast(b, l, y, elementType, false, false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormLowering final : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticFloat(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = type.getRank();
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = buildParallelGeneric(
        rewriter, loc, type,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
         adaptor.getMean(), adaptor.getVariance()},
        {rewriter.getMultiDimIdentityMap(rank), channel, channel, channel,
         channel},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value eps = createConstant(b, l, args[0].getType(), epsilon);
          Value stddev = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, args[4], eps));
          Value centered = arith::SubFOp::create(b, l, args[0], args[3]);
          Value normalized = arith::DivFOp::create(b, l, centered, stddev);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, normalized, args[1]), args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowbit::populateLowbitNormalizationToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering, LayerNormLowering, BatchNormLowering>(
      typeConverter, patterns.getContext());
}
