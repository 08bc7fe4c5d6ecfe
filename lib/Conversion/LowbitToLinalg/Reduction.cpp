//===- Reduction.cpp - lower lowbit reductions and arg_max to linalg ------===//
//
// Each reduction is one reducing linalg.generic (two for log-sum-exp, which
// subtracts the maximum first); keepdims reinserts unit dimensions with
// tensor.expand_shape. arg_max carries the value and the index together.
// cumsum and top_k compare every element with the others along their axis.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
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
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getInput().getType());
    if (failed(checkIntOrFloatElements(op, original, rewriter)))
      return failure();
    bool needsFloat = kind == ReduceKind::L2 || kind == ReduceKind::LogSumExp;
    if (needsFloat && !isa<FloatType>(original))
      return failLowering(rewriter, op, "needs float elements");
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
      // Bools are stored as bytes; their highest value is 1, not 255.
      reduced = reduce(
          original.isInteger(1)
              ? createIntConstant(rewriter, loc, elementType, 1)
              : createHighest(rewriter, loc, elementType, isUnsigned),
          {}, [&](OpBuilder &b, Location l, Value x, ValueRange, Value acc) {
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
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getInput().getType());
    if (failed(checkIntOrFloatElements(op, original, rewriter)))
      return failure();
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

/// The map of a rank-`rank` operand read in a (rank + 1)-loop space with
/// dimension `axis` replaced by the extra loop `rank`.
AffineMap getAxisReplacedMap(MLIRContext *ctx, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
  return AffineMap::get(rank + 1, 0, exprs, ctx);
}

/// The map of the first `rank` loops of a (rank + 1)-loop space.
AffineMap getLeadingMap(MLIRContext *ctx, int64_t rank) {
  return AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank);
}

SmallVector<utils::IteratorType> parallelThenReduction(int64_t rank) {
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  return iterators;
}

/// cumsum: out[i] accumulates in[j] over the j the flags select, as one
/// generic reducing over a second copy of the axis (quadratic in its
/// extent, which keeps it a single structured op).
struct CumSumLowering final : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!areStaticTensors(op->getOperandTypes()))
      return failLowering(rewriter, op, "needs statically shaped tensors");
    Type original = elementTypeOf(op.getType());
    if (!original.isIntOrFloat() || original.isInteger(1))
      return failLowering(rewriter, op, "needs float or integer elements");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value init = createFilled(
        rewriter, loc, type.getShape(),
        createConstant(rewriter, loc, type.getElementType(), 0.0));
    arith::CmpIPredicate predicate =
        op.getReverse()
            ? (op.getExclusive() ? arith::CmpIPredicate::sgt
                                 : arith::CmpIPredicate::sge)
            : (op.getExclusive() ? arith::CmpIPredicate::slt
                                 : arith::CmpIPredicate::sle);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input}, ValueRange{init},
        SmallVector<AffineMap>{getAxisReplacedMap(ctx, rank, axis),
                               getLeadingMap(ctx, rank)},
        parallelThenReduction(rank),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value source = linalg::IndexOp::create(b, l, rank);
          Value target = linalg::IndexOp::create(b, l, axis);
          Value take = arith::CmpIOp::create(b, l, predicate, source, target);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(
                  b, l, take, createAdd(b, l, args[1], args[0]), args[1])});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// top_k in two generics: the rank of every element along the axis (how
/// many elements precede it in the sorted order, ties broken by index),
/// then, for each output slot r < k, the element whose rank is r.
struct TopKLowering final : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getInput().getType());
    if (!original.isIntOrFloat() || original.isInteger(1))
      return failLowering(rewriter, op, "needs float or integer elements");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    bool isUnsigned = isUnsignedElement(original);
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Type i64 = rewriter.getI64Type();
    CompareKind better = op.getLargest() ? CompareKind::Gt : CompareKind::Lt;
    AffineMap other = getAxisReplacedMap(ctx, rank, axis);
    AffineMap leading = getLeadingMap(ctx, rank);

    Value zeros = createFilled(rewriter, loc, type.getShape(),
                               createIntConstant(rewriter, loc, i64, 0));
    auto ranks = linalg::GenericOp::create(
        rewriter, loc, TypeRange{zeros.getType()}, ValueRange{input, input},
        ValueRange{zeros}, SmallVector<AffineMap>{leading, other, leading},
        parallelThenReduction(rank),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value self = args[0], rival = args[1];
          Value selfIndex = linalg::IndexOp::create(b, l, axis);
          Value rivalIndex = linalg::IndexOp::create(b, l, rank);
          Value before = arith::OrIOp::create(
              b, l, createCompare(b, l, better, rival, self, isUnsigned),
              arith::AndIOp::create(
                  b, l,
                  createCompare(b, l, CompareKind::Eq, rival, self,
                                isUnsigned),
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                        rivalIndex, selfIndex)));
          Value count = arith::AddIOp::create(
              b, l, args[2], arith::ExtUIOp::create(b, l, i64, before));
          linalg::YieldOp::create(b, l, ValueRange{count});
        });

    auto valuesType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getValues().getType()));
    Value values = createFilled(
        rewriter, loc, valuesType.getShape(),
        createConstant(rewriter, loc, valuesType.getElementType(), 0.0));
    Value indices = createFilled(rewriter, loc, valuesType.getShape(),
                                 createIntConstant(rewriter, loc, i64, 0));
    auto select = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{ranks.getResult(0), input}, ValueRange{values, indices},
        SmallVector<AffineMap>{other, other, leading, leading},
        parallelThenReduction(rank),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value slot = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value source = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            args[0], slot);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, args[1], args[2]),
                         arith::SelectOp::create(b, l, hit, source, args[3])});
        });
    rewriter.replaceOp(op, select.getResults());
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
               ArgMaxLowering, CumSumLowering, TopKLowering>(typeConverter,
                                                             ctx);
}
