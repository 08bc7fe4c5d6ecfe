//===- Reduction.cpp - lower lowbit reductions and arg_max to linalg ------===//
//
// Each reduction is one reducing linalg.generic (two for log-sum-exp, which
// subtracts the maximum first); keepdims reinserts unit dimensions with
// tensor.expand_shape. arg_max carries the value and the index together.
//
//===----------------------------------------------------------------------===//

#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

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
  LogSumExp
};

Value createAbs(OpBuilder &b, Location loc, Value x, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return math::AbsFOp::create(b, loc, x);
  if (isUnsigned)
    return x;
  return math::AbsIOp::create(b, loc, x);
}

template <typename OpTy, ReduceKind kind>
struct ReduceLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!areStaticTensors(op->getOperandTypes()) ||
        !areStaticTensors(op->getResultTypes()))
      return rewriter.notifyMatchFailure(op, "needs static tensors");
    Type original = elementTypeOf(op.getInput().getType());
    if (!original.isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "needs float or integer elements");
    bool needsFloat = kind == ReduceKind::L2 || kind == ReduceKind::LogSumExp;
    if (needsFloat && !isa<FloatType>(original))
      return rewriter.notifyMatchFailure(op, "needs float elements");
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Value input = adaptor.getInput();
    ArrayRef<int64_t> axes = op.getAxes();
    // ONNX: no axes with noop_with_empty_axes leaves the input unchanged.
    if (axes.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    bool isUnsigned = isUnsignedElement(original);
    Type elementType = resultType.getElementType();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= inputType.getDimSize(axis);

    Value reduced;
    auto reduce = [&](Value init, ValueRange extras,
                      ReductionBodyBuilder body) {
      return buildReduction(rewriter, loc, input, axes, init, extras, body);
    };
    auto zero = [&] { return createConstant(rewriter, loc, elementType, 0); };
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
    case ReduceKind::SumSquare:
    case ReduceKind::L1:
    case ReduceKind::L2:
      reduced =
          reduce(zero(), {},
                 [&](OpBuilder &b, Location l, Value x, ValueRange, Value acc) {
                   if (kind == ReduceKind::SumSquare || kind == ReduceKind::L2)
                     x = createMul(b, l, x, x);
                   else if (kind == ReduceKind::L1)
                     x = createAbs(b, l, x, isUnsigned);
                   return createAdd(b, l, acc, x);
                 });
      break;
    case ReduceKind::Prod:
      reduced = reduce(createConstant(rewriter, loc, elementType, 1), {},
                       [](OpBuilder &b, Location l, Value x, ValueRange,
                          Value acc) { return createMul(b, l, acc, x); });
      break;
    case ReduceKind::Max:
    case ReduceKind::LogSumExp:
      reduced =
          reduce(createLowest(rewriter, loc, elementType, isUnsigned), {},
                 [&](OpBuilder &b, Location l, Value x, ValueRange, Value acc) {
                   return createMax(b, l, acc, x, isUnsigned);
                 });
      break;
    case ReduceKind::Min:
      reduced =
          reduce(createHighest(rewriter, loc, elementType, isUnsigned), {},
                 [&](OpBuilder &b, Location l, Value x, ValueRange, Value acc) {
                   return createMin(b, l, acc, x, isUnsigned);
                 });
      break;
    }

    auto reducedType = cast<RankedTensorType>(reduced.getType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(reducedType.getRank());
    if (kind == ReduceKind::Mean) {
      reduced = buildParallelGeneric(
          rewriter, loc, reducedType, {reduced}, {identity},
          [&](OpBuilder &b, Location l, ValueRange args) {
            return createDiv(
                b, l, args[0],
                createConstant(b, l, elementType, static_cast<double>(count)),
                isUnsigned);
          });
    } else if (kind == ReduceKind::L2) {
      reduced = buildParallelGeneric(
          rewriter, loc, reducedType, {reduced}, {identity},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return math::SqrtOp::create(b, l, args[0]);
          });
    } else if (kind == ReduceKind::LogSumExp) {
      // log(sum(exp(x))) = m + log(sum(exp(x - m))), m = max(x) when finite.
      Value max = reduced;
      Value shift = buildParallelGeneric(
          rewriter, loc, reducedType, {max}, {identity},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value m = args[0];
            Value infinite = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, math::AbsFOp::create(b, l, m),
                createHighest(b, l, m.getType(), false));
            return arith::SelectOp::create(
                b, l, infinite, createConstant(b, l, m.getType(), 0), m);
          });
      Value sum = reduce(zero(), {shift},
                         [](OpBuilder &b, Location l, Value x,
                            ValueRange extras, Value acc) -> Value {
                           Value e = math::ExpOp::create(
                               b, l, arith::SubFOp::create(b, l, x, extras[0]));
                           return arith::AddFOp::create(b, l, acc, e);
                         });
      reduced = buildParallelGeneric(
          rewriter, loc, reducedType, {shift, sum}, {identity, identity},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::AddFOp::create(b, l, args[0],
                                         math::LogOp::create(b, l, args[1]));
          });
    }
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, reduced, resultType.getShape()));
    return success();
  }
};

struct ArgMaxLowering final : OpConversionPattern<ArgMaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ArgMaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!areStaticTensors(op->getOperandTypes()) ||
        !areStaticTensors(op->getResultTypes()))
      return rewriter.notifyMatchFailure(op, "needs static tensors");
    Type original = elementTypeOf(op.getInput().getType());
    if (!original.isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "needs float or integer elements");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    bool isUnsigned = isUnsignedElement(original);
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type indexType = resultType.getElementType();
    Type elementType = inputType.getElementType();

    SmallVector<int64_t> keptShape;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (d != axis)
        keptShape.push_back(inputType.getDimSize(d));
    }
    Value values =
        createFilled(rewriter, loc, keptShape,
                     createLowest(rewriter, loc, elementType, isUnsigned));
    Value indices =
        createFilled(rewriter, loc, keptShape,
                     createIntConstant(rewriter, loc, indexType, 0));
    AffineMap kept = getKeptDimsMap(ctx, rank, {axis});
    bool last = op.getSelectLastIndex();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{input}, ValueRange{values, indices},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), kept,
                               kept},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, l, indexType, linalg::IndexOp::create(b, l, axis));
          Value take =
              createCompare(b, l, last ? CompareKind::Ge : CompareKind::Gt, x,
                            best, isUnsigned);
          if (isa<FloatType>(elementType)) {
            // numpy: the first NaN is the maximum.
            Value xNaN =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value bestNumber = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, best, best);
            take = arith::OrIOp::create(
                b, l, take, arith::AndIOp::create(b, l, xNaN, bestNumber));
          }
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  arith::SelectOp::create(b, l, take, x, best),
                  arith::SelectOp::create(b, l, take, index, bestIndex)});
        });
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, generic.getResult(1),
                                         resultType.getShape()));
    return success();
  }
};

} // namespace

void lowbit::populateLowbitReductionToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>,
               ReduceLowering<ReduceSumSquareOp, ReduceKind::SumSquare>,
               ReduceLowering<ReduceL1Op, ReduceKind::L1>,
               ReduceLowering<ReduceL2Op, ReduceKind::L2>,
               ReduceLowering<ReduceLogSumExpOp, ReduceKind::LogSumExp>,
               ArgMaxLowering>(typeConverter, ctx);
}
