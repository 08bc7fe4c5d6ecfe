//===- StructuredBuilders.cpp - build linalg on static tensors ------------===//
//
// Implementation of the builders shared by the lowbit-to-linalg patterns.
//
//===----------------------------------------------------------------------===//

#include "StructuredBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <limits>
#include <numeric>

using namespace mlir;

namespace lowbit {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

bool areStaticTensors(TypeRange types) {
  return llvm::all_of(types, [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.hasStaticShape();
  });
}

bool isUnsignedElement(Type elementType) {
  if (auto quantized = dyn_cast<quant::QuantizedType>(elementType))
    return !quantized.isSigned();
  if (auto integer = dyn_cast<IntegerType>(elementType))
    return integer.isUnsigned() || integer.getWidth() == 1;
  return false;
}

int64_t normalizeAxis(uint64_t axis, int64_t rank) {
  int64_t value = static_cast<int64_t>(axis);
  return value < 0 ? value + rank : value;
}

Type elementTypeOf(Type tensorType) {
  return cast<ShapedType>(tensorType).getElementType();
}

IntegerType getBoolStorageType(MLIRContext *ctx) {
  return IntegerType::get(ctx, 8);
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value createConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(floatType, value));
  return createIntConstant(b, loc, type, static_cast<int64_t>(value));
}

Value createIntConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, value);
  unsigned width = type.getIntOrFloatBitWidth();
  APInt bits(width, static_cast<uint64_t>(value), /*isSigned=*/true,
             /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, bits));
}

Value createConstantFromAttr(OpBuilder &b, Location loc, TypedAttr attr,
                             Type type) {
  if (auto integer = dyn_cast<IntegerAttr>(attr)) {
    // Bools and unsigned integers widen with zeros (true is 1, not -1).
    const APInt &raw = integer.getValue();
    bool zeroExtend = isUnsignedElement(integer.getType());
    if (isa<FloatType>(type))
      return createConstant(b, loc, type,
                            zeroExtend
                                ? static_cast<double>(raw.getZExtValue())
                                : static_cast<double>(raw.getSExtValue()));
    unsigned width = type.getIntOrFloatBitWidth();
    APInt value = zeroExtend ? raw.zextOrTrunc(width) : raw.sextOrTrunc(width);
    return arith::ConstantOp::create(b, loc, type,
                                     b.getIntegerAttr(type, value));
  }
  return createConstant(b, loc, type, cast<FloatAttr>(attr).getValueAsDouble());
}

Value createLowest(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt bits = isUnsigned || width == 1 ? APInt::getMinValue(width)
                                        : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, bits));
}

Value createHighest(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, type,
        b.getFloatAttr(floatType,
                       APFloat::getInf(floatType.getFloatSemantics())));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt bits = isUnsigned || width == 1 ? APInt::getMaxValue(width)
                                        : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, bits));
}

Value createAdd(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value createSub(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::SubFOp::create(b, loc, x, y);
  return arith::SubIOp::create(b, loc, x, y);
}

Value createMul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value createDiv(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::DivFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, x, y);
  return arith::DivSIOp::create(b, loc, x, y);
}

Value createMax(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value createMin(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value createCompare(OpBuilder &b, Location loc, CompareKind kind, Value x,
                    Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType())) {
    arith::CmpFPredicate predicate;
    switch (kind) {
    case CompareKind::Eq:
      predicate = arith::CmpFPredicate::OEQ;
      break;
    case CompareKind::Ne:
      predicate = arith::CmpFPredicate::UNE;
      break;
    case CompareKind::Lt:
      predicate = arith::CmpFPredicate::OLT;
      break;
    case CompareKind::Le:
      predicate = arith::CmpFPredicate::OLE;
      break;
    case CompareKind::Gt:
      predicate = arith::CmpFPredicate::OGT;
      break;
    case CompareKind::Ge:
      predicate = arith::CmpFPredicate::OGE;
      break;
    }
    return arith::CmpFOp::create(b, loc, predicate, x, y);
  }
  arith::CmpIPredicate predicate;
  switch (kind) {
  case CompareKind::Eq:
    predicate = arith::CmpIPredicate::eq;
    break;
  case CompareKind::Ne:
    predicate = arith::CmpIPredicate::ne;
    break;
  case CompareKind::Lt:
    predicate =
        isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case CompareKind::Le:
    predicate =
        isUnsigned ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case CompareKind::Gt:
    predicate =
        isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case CompareKind::Ge:
    predicate =
        isUnsigned ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return arith::CmpIOp::create(b, loc, predicate, x, y);
}

Value createCast(OpBuilder &b, Location loc, Value x, Type to,
                 bool fromUnsigned, bool toUnsigned) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    if (fromFloat.getWidth() > toFloat.getWidth())
      return arith::TruncFOp::create(b, loc, to, x);
    // Same width, different formats (f16 / bf16): go through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (fromFloat) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   createConstant(b, loc, from, 0.0));
    if (toUnsigned)
      return arith::FPToUIOp::create(b, loc, to, x);
    return arith::FPToSIOp::create(b, loc, to, x);
  }
  bool fromBool = from.isInteger(1);
  if (toFloat) {
    if (fromUnsigned || fromBool)
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 createIntConstant(b, loc, from, 0));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth) {
    if (fromUnsigned || fromBool)
      return arith::ExtUIOp::create(b, loc, to, x);
    return arith::ExtSIOp::create(b, loc, to, x);
  }
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, x);
  return x;
}

Value createBoolFromStorage(OpBuilder &b, Location loc, Value stored) {
  if (stored.getType().isInteger(1))
    return stored;
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, stored,
                               createIntConstant(b, loc, stored.getType(), 0));
}

Value createBoolStorage(OpBuilder &b, Location loc, Value flag) {
  return arith::ExtUIOp::create(b, loc, getBoolStorageType(b.getContext()),
                                flag);
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value scalar) {
  Value empty = createEmpty(b, loc, shape, scalar.getType());
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

AffineMap getBroadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                          ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size();
  int64_t offset = rank - static_cast<int64_t>(operandShape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, extent] : llvm::enumerate(operandShape)) {
    int64_t dim = offset + static_cast<int64_t>(i);
    if (extent == 1 && resultShape[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap getKeptDimsMap(MLIRContext *ctx, int64_t rank,
                         ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value buildParallelGeneric(OpBuilder &b, Location loc,
                           RankedTensorType resultType, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps,
                           ScalarBodyBuilder body) {
  int64_t rank = resultType.getRank();
  Value init =
      createEmpty(b, loc, resultType.getShape(), resultType.getElementType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value buildBroadcastElementwise(OpBuilder &b, Location loc,
                                RankedTensorType resultType, ValueRange inputs,
                                ScalarBodyBuilder body) {
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(getBroadcastMap(
        b.getContext(), cast<RankedTensorType>(input.getType()).getShape(),
        resultType.getShape()));
  return buildParallelGeneric(b, loc, resultType, inputs, maps, body);
}

Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, Value init, ValueRange extras,
                     ReductionBodyBuilder body) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> keptShape;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      keptShape.push_back(inputType.getDimSize(d));
  }
  Value filled = createFilled(b, loc, keptShape, init);
  AffineMap kept = getKeptDimsMap(b.getContext(), rank, axes);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<Value> inputs{input};
  for (Value extra : extras) {
    maps.push_back(kept);
    inputs.push_back(extra);
  }
  maps.push_back(kept);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, inputs, ValueRange{filled}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.front(),
                            args.drop_front().drop_back(), args.back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> shape) {
  auto inputType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> source = inputType.getShape();
  if (source == shape)
    return input;
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                           ArrayRef<ReassociationIndices>{});
  if (source.empty())
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         ArrayRef<ReassociationIndices>{});
  if (shape.size() < source.size())
    if (auto reassociation = getReassociationIndicesForCollapse(source, shape))
      return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                             *reassociation);
  if (shape.size() > source.size())
    if (auto reassociation = getReassociationIndicesForCollapse(shape, source))
      return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                           *reassociation);
  // No single reassociation: flatten, then expand.
  int64_t count = inputType.getNumElements();
  Value flat = input;
  if (source.size() != 1) {
    ReassociationIndices all(source.size());
    std::iota(all.begin(), all.end(), 0);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({count}, inputType.getElementType()),
        input, ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1)
    return flat;
  ReassociationIndices all(shape.size());
  std::iota(all.begin(), all.end(), 0);
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value padOrCrop(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  bool crops = llvm::any_of(low, [](int64_t p) { return p < 0; }) ||
               llvm::any_of(high, [](int64_t p) { return p < 0; });
  bool pads = llvm::any_of(low, [](int64_t p) { return p > 0; }) ||
              llvm::any_of(high, [](int64_t p) { return p > 0; });
  Value result = input;
  if (crops) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(b.getIndexAttr(std::max<int64_t>(-low[d], 0)));
      sizes.push_back(b.getIndexAttr(inputType.getDimSize(d) +
                                     std::min<int64_t>(low[d], 0) +
                                     std::min<int64_t>(high[d], 0)));
      strides.push_back(b.getIndexAttr(1));
    }
    result =
        tensor::ExtractSliceOp::create(b, loc, result, offsets, sizes, strides);
  }
  if (!pads)
    return result;
  auto croppedType = cast<RankedTensorType>(result.getType());
  SmallVector<OpFoldResult> lowPads, highPads;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t l = std::max<int64_t>(low[d], 0), h = std::max<int64_t>(high[d], 0);
    lowPads.push_back(b.getIndexAttr(l));
    highPads.push_back(b.getIndexAttr(h));
    shape.push_back(croppedType.getDimSize(d) + l + h);
  }
  auto paddedType = RankedTensorType::get(shape, inputType.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, result, lowPads, highPads,
                               padValue);
}

Value createDenseVector(OpBuilder &b, Location loc, Type elementType,
                        ArrayRef<double> values) {
  auto type =
      RankedTensorType::get({static_cast<int64_t>(values.size())}, elementType);
  SmallVector<Attribute> attrs;
  for (double value : values) {
    if (isa<FloatType>(elementType))
      attrs.push_back(b.getFloatAttr(elementType, value));
    else
      attrs.push_back(
          b.getIntegerAttr(elementType, static_cast<int64_t>(value)));
  }
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, attrs));
}

Value createDenseIndexVector(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return arith::ConstantOp::create(
      b, loc, type, DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
}

} // namespace lowbit
