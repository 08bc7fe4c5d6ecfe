//===- Quantization.cpp - lower lowbit quantize, dequantize, requantize ---===//
//
// Exactly ONNX QuantizeLinear / DequantizeLinear:
//   q = clamp(round_half_to_even(x / scale) + zp, qmin, qmax)
//   x = (q - zp) * scale
// with the scales and zero points of the `!quant` element type: per tensor,
// per axis (tables indexed by the axis) or sub-channel (tables indexed by
// index floordiv block size). Upstream's --lower-quant-ops truncates instead
// of rounding, so it is not used. requantize is dequantize then quantize,
// which is what the ONNX QDQ pair it replaces computes.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// Scales and zero points of one quantized type, as generic inputs (tables)
/// or as compile-time scalars (per tensor).
class QuantParams {
public:
  /// Fails for quantized types other than the uniform ones.
  static FailureOr<QuantParams> get(OpBuilder &b, Location loc,
                                    quant::QuantizedType type,
                                    RankedTensorType tensorType,
                                    Type floatType);

  /// Tables to append to the generic's inputs, and their maps.
  ArrayRef<Value> getTables() const { return tables; }
  ArrayRef<AffineMap> getMaps() const { return maps; }

  /// The (scale, zero point) floats of the current element; `args` are this
  /// object's table arguments in the generic body.
  std::pair<Value, Value> getScalars(OpBuilder &b, Location loc,
                                     ValueRange args) const {
    if (tables.empty())
      return {
          createConstant(b, loc, floatType, scale),
          createConstant(b, loc, floatType, static_cast<double>(zeroPoint))};
    return {args[0], args[1]};
  }

  quant::QuantizedType getType() const { return type; }

private:
  quant::QuantizedType type;
  Type floatType;
  double scale = 1.0;
  int64_t zeroPoint = 0;
  SmallVector<Value, 2> tables;
  SmallVector<AffineMap, 2> maps;
};

FailureOr<QuantParams> QuantParams::get(OpBuilder &b, Location loc,
                                        quant::QuantizedType type,
                                        RankedTensorType tensorType,
                                        Type floatType) {
  QuantParams params;
  params.type = type;
  params.floatType = floatType;
  MLIRContext *ctx = b.getContext();
  int64_t rank = tensorType.getRank();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    params.scale = uniform.getScale();
    params.zeroPoint = uniform.getZeroPoint();
    return params;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    SmallVector<double> zeroPoints;
    for (int64_t zp : perAxis.getZeroPoints())
      zeroPoints.push_back(static_cast<double>(zp));
    params.tables = {createDenseVector(b, loc, floatType, perAxis.getScales()),
                     createDenseVector(b, loc, floatType, zeroPoints)};
    AffineMap map = AffineMap::get(
        rank, 0, {getAffineDimExpr(perAxis.getQuantizedDimension(), ctx)}, ctx);
    params.maps = {map, map};
    return params;
  }
  if (auto subChannel = dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    DenseElementsAttr scales = subChannel.getScales();
    DenseElementsAttr zeroPoints = subChannel.getZeroPoints();
    auto tableType =
        RankedTensorType::get(scales.getType().getShape(), floatType);
    SmallVector<Attribute> scaleValues, zeroPointValues;
    for (APFloat value : scales.getValues<APFloat>())
      scaleValues.push_back(b.getFloatAttr(floatType, value.convertToDouble()));
    for (APInt value : zeroPoints.getValues<APInt>())
      zeroPointValues.push_back(
          b.getFloatAttr(floatType, static_cast<double>(value.getSExtValue())));
    params.tables = {
        arith::ConstantOp::create(
            b, loc, tableType, DenseElementsAttr::get(tableType, scaleValues)),
        arith::ConstantOp::create(
            b, loc, tableType,
            DenseElementsAttr::get(tableType, zeroPointValues))};
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t block = 0;
      for (auto [dim, size] : subChannel.getBlockSizeInfo())
        if (dim == d)
          block = size;
      if (block > 0)
        exprs.push_back(getAffineDimExpr(d, ctx).floorDiv(block));
      else
        exprs.push_back(getAffineConstantExpr(0, ctx));
    }
    AffineMap map = AffineMap::get(rank, 0, exprs, ctx);
    params.maps = {map, map};
    return params;
  }
  return failure();
}

/// round_half_to_even(x / scale) + zp, clamped to the storage range and
/// converted to the signless storage type.
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value scale,
                     Value zeroPoint, quant::QuantizedType type) {
  Type storage =
      IntegerType::get(b.getContext(), type.getStorageTypeIntegralWidth());
  Value rounded = math::RoundEvenOp::create(
      b, loc, arith::DivFOp::create(b, loc, x, scale));
  // Wide storage ranges are not exact in f32: clamp in f64.
  Type clampType = x.getType();
  if (type.getStorageTypeIntegralWidth() > 16 &&
      clampType.getIntOrFloatBitWidth() < 64) {
    clampType = b.getF64Type();
    rounded = arith::ExtFOp::create(b, loc, clampType, rounded);
    zeroPoint = arith::ExtFOp::create(b, loc, clampType, zeroPoint);
  }
  Value shifted = arith::AddFOp::create(b, loc, rounded, zeroPoint);
  Value lo = createConstant(b, loc, clampType,
                            static_cast<double>(type.getStorageTypeMin()));
  Value hi = createConstant(b, loc, clampType,
                            static_cast<double>(type.getStorageTypeMax()));
  // maxnumf/minnumf send NaN to the range instead of to poison.
  Value clamped = arith::MinNumFOp::create(
      b, loc, arith::MaxNumFOp::create(b, loc, shifted, lo), hi);
  if (type.isSigned())
    return arith::FPToSIOp::create(b, loc, storage, clamped);
  return arith::FPToUIOp::create(b, loc, storage, clamped);
}

/// (q - zp) * scale in the float type of `scale`.
Value dequantizeScalar(OpBuilder &b, Location loc, Value q, Value scale,
                       Value zeroPoint, quant::QuantizedType type) {
  Type floatType = scale.getType();
  Value value = type.isSigned()
                    ? Value(arith::SIToFPOp::create(b, loc, floatType, q))
                    : Value(arith::UIToFPOp::create(b, loc, floatType, q));
  return arith::MulFOp::create(
      b, loc, arith::SubFOp::create(b, loc, value, zeroPoint), scale);
}

/// Lowers quantize (float -> quant), dequantize (quant -> float) and
/// requantize (quant -> quant) through one parallel generic each.
template <typename OpTy>
struct QuantLowering final : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto originalIn = cast<RankedTensorType>(op.getInput().getType());
    auto originalOut = cast<RankedTensorType>(op.getType());
    auto inQuant = dyn_cast<quant::QuantizedType>(originalIn.getElementType());
    auto outQuant =
        dyn_cast<quant::QuantizedType>(originalOut.getElementType());
    Type floatType =
        inQuant ? inQuant.getExpressedType() : originalIn.getElementType();
    if (!isa<FloatType>(floatType))
      return failLowering(rewriter, op, "needs a float expressed type");

    std::optional<QuantParams> inParams, outParams;
    if (inQuant) {
      auto params =
          QuantParams::get(rewriter, loc, inQuant, originalIn, floatType);
      if (failed(params))
        return failLowering(rewriter, op, "unsupported quantized type");
      inParams = *params;
    }
    if (outQuant) {
      auto params =
          QuantParams::get(rewriter, loc, outQuant, originalOut, floatType);
      if (failed(params))
        return failLowering(rewriter, op, "unsupported quantized type");
      outParams = *params;
    }
    SmallVector<Value> inputs{adaptor.getInput()};
    SmallVector<AffineMap> maps{
        rewriter.getMultiDimIdentityMap(originalIn.getRank())};
    for (const std::optional<QuantParams> &params : {inParams, outParams}) {
      if (!params)
        continue;
      llvm::append_range(inputs, params->getTables());
      llvm::append_range(maps, params->getMaps());
    }
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value value = args[0];
          ValueRange rest = args.drop_front();
          if (inParams) {
            auto [scale, zp] = inParams->getScalars(b, l, rest);
            rest = rest.drop_front(inParams->getTables().size());
            value =
                dequantizeScalar(b, l, value, scale, zp, inParams->getType());
          }
          if (outParams) {
            auto [scale, zp] = outParams->getScalars(b, l, rest);
            value =
                quantizeScalar(b, l, value, scale, zp, outParams->getType());
          }
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowbit::populateLowbitQuantizationToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<QuantLowering<QuantizeOp>, QuantLowering<DequantizeOp>,
               QuantLowering<RequantizeOp>>(typeConverter,
                                            patterns.getContext());
}
