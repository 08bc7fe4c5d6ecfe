//===- Pooling.cpp - lower lowbit max_pool and avg_pool to linalg ---------===//
//
// Window position i of output o reads input o * stride - pad_begin +
// i * dilation. The input is padded with the identity of the reduction (so
// skipped positions cannot win) far enough for the result extents, which
// already include ONNX ceil_mode. Average pooling divides by a divisor known
// at compile time per output position: the in-bounds count, or the count
// inside the explicit pads with count_include_pad. max_pool_with_indices
// carries the maximum and its flat input index through one reduction.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

enum class PoolKind { Max, Sum };

/// The input padded with `padValue` so that every window of the result is
/// in the tensor: `pad_begin` in front, and behind whatever the last window
/// reaches (cropping what no window reads).
Value padForWindows(OpBuilder &b, Location loc, Value input,
                    RankedTensorType resultType, ArrayRef<int64_t> kernel,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                    ArrayRef<int64_t> pads, Value padValue) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t spatial = kernel.size();
  SmallVector<int64_t> low{0, 0}, high{0, 0};
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t needed = (resultType.getDimSize(2 + i) - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    low.push_back(pads[i]);
    high.push_back(needed - inputType.getDimSize(2 + i) - pads[i]);
  }
  return padOrCrop(b, loc, input, low, high, padValue);
}

/// The indexing of a pooling linalg.generic over (n, c, o..., k...): the
/// maps of the input (n, c, o * stride + k * dilation...), the window (k...)
/// and the output (n, c, o...), and the iterators (reducing over k...).
struct PoolingIndexing {
  SmallVector<AffineMap> maps;
  SmallVector<utils::IteratorType> iterators;
};

PoolingIndexing getPoolingIndexing(MLIRContext *ctx, ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations) {
  int64_t spatial = strides.size(), loops = 2 + 2 * spatial;
  SmallVector<AffineExpr> inputExprs{getAffineDimExpr(0, ctx),
                                     getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outputExprs(inputExprs);
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = getAffineDimExpr(2 + i, ctx);
    AffineExpr k = getAffineDimExpr(2 + spatial + i, ctx);
    inputExprs.push_back(o * strides[i] + k * dilations[i]);
    windowExprs.push_back(k);
    outputExprs.push_back(o);
  }
  PoolingIndexing indexing{{AffineMap::get(loops, 0, inputExprs, ctx),
                            AffineMap::get(loops, 0, windowExprs, ctx),
                            AffineMap::get(loops, 0, outputExprs, ctx)},
                           SmallVector<utils::IteratorType>(
                               2 + spatial, utils::IteratorType::parallel)};
  indexing.iterators.append(spatial, utils::IteratorType::reduction);
  return indexing;
}

/// A pooling reduction as a linalg.generic over (n, c, o..., k...).
Value buildPoolingGeneric(OpBuilder &b, Location loc, Value input, Value init,
                          ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations, PoolKind kind,
                          bool isUnsigned) {
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  Value window = createEmpty(b, loc, kernel, elementType);
  PoolingIndexing indexing =
      getPoolingIndexing(b.getContext(), strides, dilations);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input, window},
             ValueRange{init}, indexing.maps, indexing.iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value result =
                   kind == PoolKind::Max
                       ? createMax(nested, nestedLoc, args[2], args[0],
                                   isUnsigned)
                       : createAdd(nested, nestedLoc, args[2], args[0]);
               linalg::YieldOp::create(nested, nestedLoc, result);
             })
      .getResult(0);
}

/// Pools the padded `input` into `init`, with a named op where one fits.
Value buildPooling(OpBuilder &b, Location loc, Value input, Value init,
                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> dilations, PoolKind kind,
                   bool isUnsigned) {
  int64_t spatial = kernel.size();
  Type elementType = cast<RankedTensorType>(init.getType()).getElementType();
  if ((spatial == 1 || spatial == 2) && !isUnsigned) {
    auto i64Vector = [&](ArrayRef<int64_t> values) {
      return DenseIntElementsAttr::get(
          RankedTensorType::get({spatial}, b.getI64Type()), values);
    };
    Value window = createEmpty(b, loc, kernel, elementType);
    SmallVector<Type, 1> types{init.getType()};
    SmallVector<Value, 2> inputs{input, window};
    SmallVector<Value, 1> outputs{init};
    Attribute s = i64Vector(strides), d = i64Vector(dilations);
    if (spatial == 2 && kind == PoolKind::Max)
      return linalg::PoolingNchwMaxOp::create(b, loc, types, inputs, outputs, s,
                                              d)
          .getResult(0);
    if (spatial == 2)
      return linalg::PoolingNchwSumOp::create(b, loc, types, inputs, outputs, s,
                                              d)
          .getResult(0);
    if (kind == PoolKind::Max)
      return linalg::PoolingNcwMaxOp::create(b, loc, types, inputs, outputs, s,
                                             d)
          .getResult(0);
    return linalg::PoolingNcwSumOp::create(b, loc, types, inputs, outputs, s, d)
        .getResult(0);
  }
  return buildPoolingGeneric(b, loc, input, init, kernel, strides, dilations,
                             kind, isUnsigned);
}

struct MaxPoolLowering final : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getType());
    if (failed(checkIntOrFloatElements(op, original, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    bool isUnsigned = isUnsignedElement(original);
    Value lowest =
        createLowest(rewriter, loc, resultType.getElementType(), isUnsigned);
    Value padded = padForWindows(rewriter, loc, adaptor.getInput(), resultType,
                                 op.getKernelShape(), op.getStrides(),
                                 op.getDilations(), op.getPads(), lowest);
    Value init = createFilled(rewriter, loc, resultType.getShape(), lowest);
    rewriter.replaceOp(op, buildPooling(rewriter, loc, padded, init,
                                        op.getKernelShape(), op.getStrides(),
                                        op.getDilations(), PoolKind::Max,
                                        isUnsigned));
    return success();
  }
};

/// Max pooling with ONNX MaxPool's `Indices`: one reducing linalg.generic
/// over (n, c, o..., k...) with two outputs, the maximum and its flat index
/// in the unpadded input. Window positions outside the input are skipped
/// explicitly (not just outvalued by the padding), so an input of only
/// lowest values still reports an in-bounds index; the first position in
/// window order wins ties, and the first NaN wins like max_pool's NaN.
struct MaxPoolWithIndicesLowering final
    : OpConversionPattern<MaxPoolWithIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getOutput().getType());
    if (failed(checkIntOrFloatElements(op, original, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    const TypeConverter *converter = getTypeConverter();
    auto resultType = cast<RankedTensorType>(
        converter->convertType(op.getOutput().getType()));
    auto indicesType = cast<RankedTensorType>(
        converter->convertType(op.getIndices().getType()));
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides();
    ArrayRef<int64_t> dilations = op.getDilations(), pads = op.getPads();
    int64_t spatial = kernel.size();
    bool isUnsigned = isUnsignedElement(original);
    Type elementType = resultType.getElementType();
    Type indexType = indicesType.getElementType();

    Value lowest = createLowest(rewriter, loc, elementType, isUnsigned);
    Value padded = padForWindows(rewriter, loc, adaptor.getInput(), resultType,
                                 kernel, strides, dilations, pads, lowest);
    Value values = createFilled(rewriter, loc, resultType.getShape(), lowest);
    Value indices =
        createFilled(rewriter, loc, indicesType.getShape(),
                     createIntConstant(rewriter, loc, indexType, -1));
    Value window = createEmpty(rewriter, loc, kernel, elementType);

    // The indices output is indexed like the values output.
    PoolingIndexing indexing = getPoolingIndexing(ctx, strides, dilations);
    SmallVector<AffineMap> maps(indexing.maps);
    maps.push_back(indexing.maps.back());

    // The flat index linearizes (n, c, spatial...) with the last two spatial
    // dimensions swapped for storage_order = 1 (column-major).
    SmallVector<int64_t> order;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      order.push_back(d);
    if (op.getStorageOrder() == 1 && spatial >= 2)
      std::swap(order[order.size() - 1], order[order.size() - 2]);

    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{padded, window}, ValueRange{values, indices}, maps,
        indexing.iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[2], bestIndex = args[3];
          auto constant = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, l, v);
          };
          SmallVector<Value> coords{linalg::IndexOp::create(b, l, 0),
                                    linalg::IndexOp::create(b, l, 1)};
          Value inBounds = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int64_t i = 0; i < spatial; ++i) {
            Value o = linalg::IndexOp::create(b, l, 2 + i);
            Value k = linalg::IndexOp::create(b, l, 2 + spatial + i);
            Value position = arith::SubIOp::create(
                b, l,
                arith::AddIOp::create(
                    b, l, arith::MulIOp::create(b, l, o, constant(strides[i])),
                    arith::MulIOp::create(b, l, k, constant(dilations[i]))),
                constant(pads[i]));
            Value above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                                position, constant(0));
            Value below =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, position,
                                      constant(inputType.getDimSize(2 + i)));
            inBounds = arith::AndIOp::create(
                b, l, inBounds, arith::AndIOp::create(b, l, above, below));
            coords.push_back(position);
          }
          Value flat = constant(0);
          for (int64_t d : order)
            flat = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, flat,
                                      constant(inputType.getDimSize(d))),
                coords[d]);
          flat = arith::IndexCastOp::create(b, l, indexType, flat);

          Value none =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, bestIndex,
                                    createIntConstant(b, l, indexType, 0));
          Value better =
              createCompare(b, l, CompareKind::Gt, x, best, isUnsigned);
          if (isa<FloatType>(elementType)) {
            Value xNaN =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value bestNumber = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, best, best);
            better = arith::OrIOp::create(
                b, l, better, arith::AndIOp::create(b, l, xNaN, bestNumber));
          }
          Value take = arith::AndIOp::create(
              b, l, inBounds, arith::OrIOp::create(b, l, none, better));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, best),
                         arith::SelectOp::create(b, l, take, flat, bestIndex)});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct AvgPoolLowering final : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    if (!isa<FloatType>(elementTypeOf(op.getType())))
      return failLowering(rewriter, op, "needs float elements");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elementType = resultType.getElementType();
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides();
    ArrayRef<int64_t> pads = op.getPads();
    int64_t spatial = kernel.size();
    SmallVector<int64_t> ones(spatial, 1);
    Value zero = createConstant(rewriter, loc, elementType, 0.0);
    Value padded = padForWindows(rewriter, loc, adaptor.getInput(), resultType,
                                 kernel, strides, ones, pads, zero);
    Value init = createFilled(rewriter, loc, resultType.getShape(), zero);
    Value sum = buildPooling(rewriter, loc, padded, init, kernel, strides, ones,
                             PoolKind::Sum, false);

    // Per spatial dimension, how many window positions are counted; the
    // divisor of a window is their product.
    SmallVector<SmallVector<double>> counts;
    bool uniform = true;
    double uniformCount = 1;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t extent = inputType.getDimSize(2 + i);
      int64_t lo = op.getCountIncludePad() ? -pads[i] : 0;
      int64_t hi =
          op.getCountIncludePad() ? extent + pads[spatial + i] : extent;
      SmallVector<double> perOutput;
      for (int64_t o = 0; o < resultType.getDimSize(2 + i); ++o) {
        int64_t first = o * strides[i] - pads[i];
        int64_t begin = std::max(first, lo);
        int64_t end = std::min(first + kernel[i], hi);
        perOutput.push_back(
            static_cast<double>(std::max<int64_t>(end - begin, 0)));
        uniform &= perOutput.back() == static_cast<double>(kernel[i]);
      }
      uniformCount *= kernel[i];
      counts.push_back(std::move(perOutput));
    }
    SmallVector<Value> inputs{sum};
    SmallVector<AffineMap> maps{
        rewriter.getMultiDimIdentityMap(resultType.getRank())};
    if (!uniform) {
      for (int64_t i = 0; i < spatial; ++i) {
        inputs.push_back(
            createDenseVector(rewriter, loc, elementType, counts[i]));
        maps.push_back(AffineMap::get(resultType.getRank(), 0,
                                      {getAffineDimExpr(2 + i, ctx)}, ctx));
      }
    }
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, inputs, maps,
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) -> Value {
          Value divisor;
          if (uniform) {
            divisor = createConstant(b, nestedLoc, elementType, uniformCount);
          } else {
            divisor = args[1];
            for (Value count : args.drop_front(2))
              divisor = arith::MulFOp::create(b, nestedLoc, divisor, count);
          }
          return arith::DivFOp::create(b, nestedLoc, args[0], divisor);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowbit::populateLowbitPoolingToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<MaxPoolLowering, MaxPoolWithIndicesLowering, AvgPoolLowering>(
      typeConverter, patterns.getContext());
}
