//===- DataMovement.cpp - lower lowbit data movement ops ------------------===//
//
// Constants, reshapes, transposes, concatenation, slices, gathers,
// broadcasts, tiling and padding. Static shapes let every op become tensor
// reshapes and slices or a linalg op; only gathers and reflect/edge padding
// read through tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

RankedTensorType convertedType(const TypeConverter *converter, Value value) {
  return cast<RankedTensorType>(converter->convertType(value.getType()));
}

struct ConstantLowering final : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    if (!type)
      return failLowering(rewriter, op, "needs a ranked tensor");
    ElementsAttr value = op.getValue();
    TypedAttr converted;
    if (value.getType() == type)
      converted = value;
    else if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value);
             dense && dense.getElementType().isInteger(1))
      converted = dense.mapValues(type.getElementType(), [&](const APInt &v) {
        return v.zext(type.getElementTypeBitWidth());
      });
    else if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value))
      converted = dense.bitcast(type.getElementType());
    else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
      converted = DenseResourceElementsAttr::get(type, resource.getRawHandle());
    if (!converted)
      return failLowering(rewriter, op, "unsupported constant attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type, converted);
    return success();
  }
};

struct ReshapeLowering final : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeLowering final : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    Value init = createEmpty(rewriter, op.getLoc(), type.getShape(),
                             type.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

struct ConcatLowering final : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    int64_t rank = type.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value result =
        createEmpty(rewriter, loc, type.getShape(), type.getElementType());
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      if (inputType.getNumElements() == 0) {
        offset += inputType.getDimSize(axis);
        continue;
      }
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t extent : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(extent));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering final : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, type.getShape(),
                                         type.getElementType()));
      return success();
    }
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        offsets.push_back(rewriter.getIndexAttr(starts[d]));
        sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
        strides.push_back(rewriter.getIndexAttr(steps[d]));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), offsets, sizes, strides);
      return success();
    }
    // Negative steps: out[i] = in[start + i * step] as an affine read.
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < type.getRank(); ++d)
      exprs.push_back(getAffineDimExpr(d, ctx) * steps[d] + starts[d]);
    Value result = buildParallelGeneric(
        rewriter, loc, type, {adaptor.getInput()},
        {AffineMap::get(type.getRank(), 0, exprs, ctx)},
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Wraps a negative index and clamps it into [0, extent) so that a bad index
/// never reads outside the tensor.
Value normalizeIndex(OpBuilder &b, Location loc, Value index, int64_t extent) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, extent);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, index, size), index);
  Value last =
      arith::ConstantIndexOp::create(b, loc, std::max<int64_t>(extent - 1, 0));
  return arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, wrapped, zero), last);
}

struct GatherLowering final : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    int64_t indexRank =
        cast<RankedTensorType>(adaptor.getIndices().getType()).getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap indexMap = AffineMap::get(type.getRank(), 0, indexExprs, ctx);
    int64_t extent = inputType.getDimSize(axis);
    Value result = buildParallelGeneric(
        rewriter, loc, type, {adaptor.getIndices()}, {indexMap},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value index =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(normalizeIndex(b, l, index, extent));
          for (int64_t d = axis + 1; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d - 1 + indexRank));
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// output[p] = input[p with p[axis] replaced by indices[p]].
struct GatherElementsLowering final : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    int64_t extent = inputType.getDimSize(axis);
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), type, {adaptor.getIndices()},
        {rewriter.getMultiDimIdentityMap(rank)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(
                d == axis
                    ? normalizeIndex(b, l,
                                     arith::IndexCastOp::create(
                                         b, l, b.getIndexType(), args[0]),
                                     extent)
                    : Value(linalg::IndexOp::create(b, l, d)));
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Reads the index tuple at `prefix` (the leading indices coordinates) and
/// returns it normalized against input dimensions `first..`.
SmallVector<Value> readIndexTuple(OpBuilder &b, Location loc, Value indices,
                                  ValueRange prefix,
                                  ArrayRef<int64_t> inputShape,
                                  int64_t first) {
  int64_t depth = cast<RankedTensorType>(indices.getType()).getShape().back();
  SmallVector<Value> tuple;
  for (int64_t j = 0; j < depth; ++j) {
    SmallVector<Value> at(prefix);
    at.push_back(arith::ConstantIndexOp::create(b, loc, j));
    Value raw = tensor::ExtractOp::create(b, loc, indices, at);
    tuple.push_back(normalizeIndex(
        b, loc, arith::IndexCastOp::create(b, loc, b.getIndexType(), raw),
        inputShape[first + j]));
  }
  return tuple;
}

/// Each output element reads its index tuple from `indices`, then the input.
struct GatherNDLowering final : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t batchDims = op.getBatchDims();
    int64_t prefixRank = indicesType.getRank() - 1;
    int64_t depth = indicesType.getShape().back();
    Value result = buildParallelGeneric(
        rewriter, op.getLoc(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> prefix;
          for (int64_t d = 0; d < prefixRank; ++d)
            prefix.push_back(linalg::IndexOp::create(b, l, d));
          SmallVector<Value> coords(prefix.begin(), prefix.begin() + batchDims);
          llvm::append_range(coords,
                             readIndexTuple(b, l, indices, prefix,
                                            inputType.getShape(), batchDims));
          for (int64_t d = batchDims + depth; d < inputType.getRank(); ++d)
            coords.push_back(linalg::IndexOp::create(
                b, l, prefixRank + d - batchDims - depth));
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `acc` combined with `update` by a scatter reduction.
Value combineScatter(OpBuilder &b, Location loc, StringRef reduction,
                     Value acc, Value update, bool isUnsigned) {
  if (reduction == "add")
    return createAdd(b, loc, acc, update);
  if (reduction == "mul")
    return createMul(b, loc, acc, update);
  if (reduction == "max")
    return createMax(b, loc, acc, update, isUnsigned);
  if (reduction == "min")
    return createMin(b, loc, acc, update, isUnsigned);
  return update;
}

/// A scatter as one generic: the output's dimensions are parallel, the
/// updates' are a reduction in row-major order (which gives ONNX's
/// sequential semantics for duplicates); `matches` says whether the update
/// at the reduction coordinates lands on the output element.
Value buildScatter(
    OpBuilder &b, Location loc, Value input, Value updates,
    ArrayRef<AffineMap> updateMaps, int64_t updateLoopRank,
    StringRef reduction, bool isUnsigned,
    llvm::function_ref<Value(OpBuilder &, Location)> matches) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(updateLoopRank, utils::IteratorType::reduction);
  SmallVector<AffineMap> maps(updateMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank + updateLoopRank, ctx)
                     .getMajorSubMap(rank));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{inputType}, ValueRange{updates}, ValueRange{input},
      maps, iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value combined =
            combineScatter(nb, l, reduction, args[1], args[0], isUnsigned);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, matches(nb, l),
                                               combined, args[1])});
      });
  return generic.getResult(0);
}

/// i1 that is true when every pair of index values is equal.
Value allEqual(OpBuilder &b, Location loc, ArrayRef<Value> lhs,
               ArrayRef<Value> rhs) {
  Value all = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [x, y] : llvm::zip_equal(lhs, rhs))
    all = arith::AndIOp::create(
        b, loc, all,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y));
  return all;
}

struct ScatterElementsLowering final : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<AffineExpr> updateExprs;
    for (int64_t d = 0; d < rank; ++d)
      updateExprs.push_back(getAffineDimExpr(rank + d, ctx));
    AffineMap updateMap = AffineMap::get(2 * rank, 0, updateExprs, ctx);
    Value result = buildScatter(
        rewriter, op.getLoc(), input, adaptor.getUpdates(), {updateMap}, rank,
        op.getReduction(), isUnsignedElement(elementTypeOf(op.getType())),
        [&](OpBuilder &b, Location l) {
          SmallVector<Value> out, target;
          for (int64_t d = 0; d < rank; ++d) {
            out.push_back(linalg::IndexOp::create(b, l, d));
            SmallVector<Value> at;
            if (d != axis) {
              target.push_back(linalg::IndexOp::create(b, l, rank + d));
              continue;
            }
            for (int64_t e = 0; e < rank; ++e)
              at.push_back(linalg::IndexOp::create(b, l, rank + e));
            Value raw = tensor::ExtractOp::create(b, l, indices, at);
            target.push_back(normalizeIndex(
                b, l, arith::IndexCastOp::create(b, l, b.getIndexType(), raw),
                inputType.getDimSize(axis)));
          }
          return allEqual(b, l, out, target);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering final : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    int64_t rank = inputType.getRank();
    int64_t prefixRank = indicesType.getRank() - 1;
    int64_t depth = indicesType.getShape().back();
    // updates[tuple..., tail...]: the tuple loops follow the output's, the
    // tail is the output's trailing dimensions.
    SmallVector<AffineExpr> updateExprs;
    for (int64_t d = 0; d < prefixRank; ++d)
      updateExprs.push_back(getAffineDimExpr(rank + d, ctx));
    for (int64_t d = depth; d < rank; ++d)
      updateExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap updateMap =
        AffineMap::get(rank + prefixRank, 0, updateExprs, ctx);
    Value result = buildScatter(
        rewriter, op.getLoc(), input, adaptor.getUpdates(), {updateMap},
        prefixRank, op.getReduction(),
        isUnsignedElement(elementTypeOf(op.getType())),
        [&](OpBuilder &b, Location l) {
          SmallVector<Value> prefix, out;
          for (int64_t d = 0; d < prefixRank; ++d)
            prefix.push_back(linalg::IndexOp::create(b, l, rank + d));
          for (int64_t d = 0; d < depth; ++d)
            out.push_back(linalg::IndexOp::create(b, l, d));
          return allEqual(b, l, out,
                          readIndexTuple(b, l, indices, prefix,
                                         inputType.getShape(), 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandLowering final : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    rewriter.replaceOp(
        op,
        buildBroadcastElementwise(
            rewriter, op.getLoc(), type, {adaptor.getInput()},
            [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    return success();
  }
};

/// tile(x, r) = collapse(broadcast(x) to [r0, D0, r1, D1, ...]).
struct TileLowering final : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<int64_t> interleaved, added;
    SmallVector<ReassociationIndices> reassociation;
    for (auto [d, repeat] : llvm::enumerate(op.getRepeats())) {
      int64_t i = static_cast<int64_t>(d);
      added.push_back(2 * i);
      interleaved.append({repeat, inputType.getDimSize(i)});
      reassociation.push_back({2 * i, 2 * i + 1});
    }
    Value init = createEmpty(rewriter, loc, interleaved, type.getElementType());
    Value broadcast = linalg::BroadcastOp::create(
                          rewriter, loc, adaptor.getInput(), init, added)
                          .getResult()[0];
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, type, broadcast,
                                                         reassociation);
    return success();
  }
};

struct PadLowering final : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Type original = elementTypeOf(op.getType());
    if (failed(checkIntOrFloatElements(op, original, rewriter)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = convertedType(getTypeConverter(), op.getResult());
    Type elementType = type.getElementType();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    ArrayRef<int64_t> low = pads.take_front(rank), high = pads.drop_front(rank);

    if (op.getMode() == "constant") {
      Value padValue = op.getValueAttr()
                           ? createConstantFromAttr(
                                 rewriter, loc, op.getValueAttr(), elementType)
                           : createConstant(rewriter, loc, elementType, 0);
      rewriter.replaceOp(op,
                         padOrCrop(rewriter, loc, input, low, high, padValue));
      return success();
    }
    if (type.getNumElements() == 0 || inputType.getNumElements() == 0) {
      if (type.getNumElements() != 0)
        return failLowering(rewriter, op, "cannot reflect an empty input");
      rewriter.replaceOp(
          op, createEmpty(rewriter, loc, type.getShape(), elementType));
      return success();
    }
    // reflect / edge: out[i] = in[f(i - pad_begin)] per dimension.
    bool reflect = op.getMode() == "reflect";
    Value result = buildParallelGeneric(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            int64_t extent = inputType.getDimSize(d);
            if (low[d] == 0 && high[d] == 0) {
              coords.push_back(i);
              continue;
            }
            auto constant = [&](int64_t v) -> Value {
              return arith::ConstantIndexOp::create(b, l, v);
            };
            Value j = arith::SubIOp::create(b, l, i, constant(low[d]));
            if (!reflect || extent == 1) {
              j = arith::MaxSIOp::create(b, l, j, constant(0));
              coords.push_back(
                  arith::MinSIOp::create(b, l, j, constant(extent - 1)));
              continue;
            }
            // Reflection is periodic with period 2 * (extent - 1).
            int64_t period = 2 * (extent - 1);
            Value m = arith::RemSIOp::create(b, l, j, constant(period));
            Value negative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, m, constant(0));
            m = arith::SelectOp::create(
                b, l, negative,
                arith::AddIOp::create(b, l, m, constant(period)), m);
            Value beyond = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sge, m, constant(extent));
            coords.push_back(arith::SelectOp::create(
                b, l, beyond, arith::SubIOp::create(b, l, constant(period), m),
                m));
          }
          return tensor::ExtractOp::create(b, l, input, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowbit::populateLowbitDataMovementToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLowering, TransposeLowering,
               ConcatLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering, ExpandLowering,
               TileLowering, PadLowering>(typeConverter, patterns.getContext());
}
