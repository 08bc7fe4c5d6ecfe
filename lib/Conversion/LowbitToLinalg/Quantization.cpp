//===- Quantization.cpp - lower quantize, dequantize, requantize, scast --===//
//
// Exactly ONNX QuantizeLinear / DequantizeLinear:
//   q = clamp(round_half_to_even(x / scale) + zp, qmin, qmax)
//   x = (q - zp) * scale
// with the scales and zero points of the `!quant` element type: per tensor,
// per axis (tables indexed by the axis) or sub-channel (tables indexed by
// index floordiv block size). Upstream's --lower-quant-ops truncates instead
// of rounding, so it is not used. requantize is dequantize then quantize,
// which is what the ONNX QDQ pair it replaces computes. With a codebook the
// code indexes a value table instead: x = table[q] * scale, and quantize
// picks the nearest table entry of x / scale. quant.scast only reinterprets
// storage, and storage is what quantized tensors become: it disappears.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "QuantizationBuilders.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

/// A QuantParams as generic inputs: its tables (scales, zero points in
/// float) and their maps over the tensor's own dimensions, or nothing per
/// tensor.
struct ParamInputs {
  QuantParams params;
  SmallVector<Value, 2> tables;

  ParamInputs(OpBuilder &b, Location loc, const QuantParams &params,
              Type floatType)
      : params(params) {
    if (params.isPerTensor())
      return;
    tables = {params.createScaleTable(b, loc, floatType),
              params.createZeroPointTable(b, loc, floatType)};
  }

  /// The (scale, zero point) floats of the current element; `args` are this
  /// object's table arguments in the generic body.
  std::pair<Value, Value> getScalars(OpBuilder &b, Location loc, Type floatType,
                                     ValueRange args) const {
    if (tables.empty())
      return {createConstant(b, loc, floatType, params.getScale()),
              createConstant(b, loc, floatType,
                             static_cast<double>(params.getZeroPoint()))};
    return {args[0], args[1]};
  }
};

/// The codebook of a quantize or dequantize (requantize has none).
template <typename OpTy> std::optional<Codebook> getCodebookOf(OpTy op) {
  if constexpr (std::is_same_v<OpTy, RequantizeOp>)
    return std::nullopt;
  else
    return op.getCodebook();
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
    std::optional<Codebook> codebook = getCodebookOf(op);

    std::optional<ParamInputs> inParams, outParams;
    for (auto [quantType, tensorType, inputs] :
         {std::make_tuple(inQuant, originalIn, &inParams),
          std::make_tuple(outQuant, originalOut, &outParams)}) {
      if (!quantType)
        continue;
      FailureOr<QuantParams> params =
          QuantParams::get(quantType, tensorType.getShape());
      if (failed(params))
        return failLowering(rewriter, op, "unsupported quantized type");
      if (codebook && failed(checkCodebook(rewriter, op, *codebook, *params)))
        return failure();
      inputs->emplace(rewriter, loc, *params, floatType);
    }
    // Decoding reads the table; encoding compares against its midpoints.
    Value table;
    if (codebook && inParams)
      table = createCodebookTable(rewriter, loc, *codebook, floatType);

    int64_t rank = originalIn.getRank();
    SmallVector<Value> inputs{adaptor.getInput()};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    for (const std::optional<ParamInputs> &params : {inParams, outParams}) {
      if (!params)
        continue;
      llvm::append_range(inputs, params->tables);
      maps.append(params->tables.size(), params->params.getTableMap());
    }
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value value = args[0];
          ValueRange rest = args.drop_front();
          if (inParams) {
            auto [scale, zp] = inParams->getScalars(b, l, floatType, rest);
            rest = rest.drop_front(inParams->tables.size());
            quant::QuantizedType type = inParams->params.getType();
            value = table ? arith::MulFOp::create(
                                b, l, decodeCodebook(b, l, table, value), scale)
                          : dequantizeScalar(b, l, value, scale, zp, type);
          }
          if (outParams) {
            auto [scale, zp] = outParams->getScalars(b, l, floatType, rest);
            quant::QuantizedType type = outParams->params.getType();
            value =
                codebook
                    ? encodeCodebook(b, l, *codebook,
                                     arith::DivFOp::create(b, l, value, scale),
                                     getStorageType(type))
                    : quantizeScalar(b, l, value, scale, zp, type);
          }
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// quant.scast between a quantized type and its storage type: both sides
/// convert to the same storage tensor.
struct StorageCastLowering final : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (!resultType || adaptor.getInput().getType() != resultType)
      return failLowering(rewriter, op,
                          "the storage type does not match the quantized "
                          "type's storage");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

} // namespace

void lowbit::populateLowbitQuantizationToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<QuantLowering<QuantizeOp>, QuantLowering<DequantizeOp>,
               QuantLowering<RequantizeOp>, StorageCastLowering>(
      typeConverter, patterns.getContext());
}
