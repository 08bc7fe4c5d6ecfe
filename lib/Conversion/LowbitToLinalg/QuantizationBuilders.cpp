//===- QuantizationBuilders.cpp - quantized element types in linalg -------===//
//
// Implementation of the builders shared by the quantization lowerings.
//
//===----------------------------------------------------------------------===//

#include "QuantizationBuilders.h"
#include "LoweringFailure.h"
#include "StructuredBuilders.h"

#include "dialects/Lowbit/IR/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;

namespace lowbit {

//===----------------------------------------------------------------------===//
// QuantParams
//===----------------------------------------------------------------------===//

FailureOr<QuantParams> QuantParams::get(quant::QuantizedType type,
                                        ArrayRef<int64_t> shape) {
  QuantParams params;
  params.type = type;
  MLIRContext *ctx = type.getContext();
  int64_t rank = shape.size();
  params.blocks.assign(rank, 0);
  SmallVector<AffineExpr> exprs;
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    params.scales = {uniform.getScale()};
    params.zeroPoints = {uniform.getZeroPoint()};
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    int64_t axis = perAxis.getQuantizedDimension();
    if (axis >= rank)
      return failure();
    llvm::append_range(params.scales, perAxis.getScales());
    llvm::append_range(params.zeroPoints, perAxis.getZeroPoints());
    params.tableShape = {static_cast<int64_t>(params.scales.size())};
    params.blocks[axis] = 1;
    exprs.push_back(getAffineDimExpr(axis, ctx));
  } else if (auto subChannel =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    DenseElementsAttr scales = subChannel.getScales();
    ArrayRef<int64_t> scaleShape = scales.getType().getShape();
    if (static_cast<int64_t>(scaleShape.size()) != rank)
      return failure();
    for (APFloat value : scales.getValues<APFloat>())
      params.scales.push_back(value.convertToDouble());
    // The zero points are stored in the storage width: read them with its
    // signedness (u4 10 is stored as the i4 bits of -6).
    for (APInt value : subChannel.getZeroPoints().getValues<APInt>())
      params.zeroPoints.push_back(
          type.isSigned() ? value.getSExtValue()
                          : static_cast<int64_t>(value.getZExtValue()));
    // Only the dimensions with several blocks index the tables, so that a
    // [K, N] weight grouped along K gets a [K / g, N] table.
    for (int64_t d = 0; d < rank; ++d) {
      if (scaleShape[d] == 1)
        continue;
      if (shape[d] % scaleShape[d] != 0)
        return failure();
      int64_t block = shape[d] / scaleShape[d];
      params.blocks[d] = block;
      params.tableShape.push_back(scaleShape[d]);
      AffineExpr dim = getAffineDimExpr(d, ctx);
      exprs.push_back(block == 1 ? dim : dim.floorDiv(block));
    }
  } else {
    return failure();
  }
  params.tableMap = AffineMap::get(rank, 0, exprs, ctx);
  return params;
}

bool QuantParams::variesAlong(int64_t dim) const { return blocks[dim] != 0; }

bool QuantParams::hasZeroPoints() const {
  return llvm::any_of(zeroPoints, [](int64_t zp) { return zp != 0; });
}

int64_t QuantParams::getTableOffset(ArrayRef<int64_t> index) const {
  int64_t offset = 0, tableDim = 0;
  for (auto [d, block] : llvm::enumerate(blocks)) {
    if (block == 0)
      continue;
    offset = offset * tableShape[tableDim++] + index[d] / block;
  }
  return offset;
}

double QuantParams::getScale(ArrayRef<int64_t> index) const {
  return scales[getTableOffset(index)];
}

int64_t QuantParams::getZeroPoint(ArrayRef<int64_t> index) const {
  return zeroPoints[getTableOffset(index)];
}

Value QuantParams::createScaleTable(OpBuilder &b, Location loc,
                                    Type floatType) const {
  auto tableType = RankedTensorType::get(tableShape, floatType);
  SmallVector<Attribute> values;
  for (double scale : scales)
    values.push_back(b.getFloatAttr(floatType, scale));
  return arith::ConstantOp::create(b, loc, tableType,
                                   DenseElementsAttr::get(tableType, values));
}

Value QuantParams::createZeroPointTable(OpBuilder &b, Location loc,
                                        Type elementType) const {
  auto tableType = RankedTensorType::get(tableShape, elementType);
  SmallVector<Attribute> values;
  for (int64_t zp : zeroPoints)
    values.push_back(
        isa<FloatType>(elementType)
            ? Attribute(b.getFloatAttr(elementType, static_cast<double>(zp)))
            : Attribute(b.getIntegerAttr(elementType, zp)));
  return arith::ConstantOp::create(b, loc, tableType,
                                   DenseElementsAttr::get(tableType, values));
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

IntegerType getStorageType(quant::QuantizedType type) {
  return IntegerType::get(type.getContext(),
                          type.getStorageTypeIntegralWidth());
}

Value extendCode(OpBuilder &b, Location loc, Value code, bool isSigned,
                 Type to) {
  if (code.getType() == to)
    return code;
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, to, code);
  return arith::ExtUIOp::create(b, loc, to, code);
}

Value codeToFloat(OpBuilder &b, Location loc, Value code, bool isSigned,
                  Type floatType) {
  if (isSigned)
    return arith::SIToFPOp::create(b, loc, floatType, code);
  return arith::UIToFPOp::create(b, loc, floatType, code);
}

Value roundToStorage(OpBuilder &b, Location loc, Value scaled, Value zeroPoint,
                     quant::QuantizedType type) {
  Value rounded = math::RoundEvenOp::create(b, loc, scaled);
  // Wide storage ranges are not exact in f32: clamp in f64.
  Type clampType = scaled.getType();
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
    return arith::FPToSIOp::create(b, loc, getStorageType(type), clamped);
  return arith::FPToUIOp::create(b, loc, getStorageType(type), clamped);
}

Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value scale,
                     Value zeroPoint, quant::QuantizedType type) {
  return roundToStorage(b, loc, arith::DivFOp::create(b, loc, x, scale),
                        zeroPoint, type);
}

Value dequantizeScalar(OpBuilder &b, Location loc, Value q, Value scale,
                       Value zeroPoint, quant::QuantizedType type) {
  Value value = codeToFloat(b, loc, q, type.isSigned(), scale.getType());
  return arith::MulFOp::create(
      b, loc, arith::SubFOp::create(b, loc, value, zeroPoint), scale);
}

//===----------------------------------------------------------------------===//
// Codebooks
//===----------------------------------------------------------------------===//

/// The 16 NormalFloat4 levels of QLoRA (bitsandbytes' table), ascending;
/// the same values as lowbit::quantization::kNF4Table.
constexpr double kNF4Levels[16] = {-1.0,
                                   -0.6961928009986877,
                                   -0.5250730514526367,
                                   -0.39491748809814453,
                                   -0.28444138169288635,
                                   -0.18477343022823334,
                                   -0.09105003625154495,
                                   0.0,
                                   0.07958029955625534,
                                   0.16093020141124725,
                                   0.24611230194568634,
                                   0.33791524171829224,
                                   0.44070982933044434,
                                   0.5626170039176941,
                                   0.7229568362236023,
                                   1.0};

LogicalResult checkCodebook(ConversionPatternRewriter &rewriter, Operation *op,
                            Codebook codebook, const QuantParams &params) {
  quant::QuantizedType type = params.getType();
  unsigned width = type.getStorageTypeIntegralWidth();
  if (type.isSigned())
    return failLowering(rewriter, op, "codebook codes need unsigned storage");
  if (codebook == Codebook::nf4 && width < 4)
    return failLowering(rewriter, op, "nf4 codes need at least 4-bit storage");
  if (codebook == Codebook::fp8_e4m3fn && width != 8)
    return failLowering(rewriter, op, "fp8_e4m3fn codes need 8-bit storage");
  if (params.hasZeroPoints())
    return failLowering(rewriter, op,
                        "codebook values are scaled, not shifted: the zero "
                        "points must be 0");
  return success();
}

Value createCodebookTable(OpBuilder &b, Location loc, Codebook codebook,
                          Type floatType) {
  SmallVector<double> values;
  if (codebook == Codebook::nf4) {
    values.assign(std::begin(kNF4Levels), std::end(kNF4Levels));
  } else {
    for (unsigned code = 0; code < 256; ++code)
      values.push_back(
          APFloat(APFloat::Float8E4M3FN(), APInt(8, code)).convertToDouble());
  }
  return createDenseVector(b, loc, floatType, values);
}

Value decodeCodebook(OpBuilder &b, Location loc, Value table, Value code) {
  Value index = arith::IndexCastUIOp::create(
      b, loc, b.getIndexType(),
      extendCode(b, loc, code, false, b.getI32Type()));
  return tensor::ExtractOp::create(b, loc, table, ValueRange{index});
}

/// NF4: the number of midpoints between adjacent levels that lie strictly
/// below `x` (NaN compares false everywhere and would give 0, so it is sent
/// to the zero level 7 explicitly).
static Value encodeNF4(OpBuilder &b, Location loc, Value x, Type storageType) {
  Type floatType = x.getType();
  Value code = createIntConstant(b, loc, b.getI32Type(), 0);
  for (int i = 0; i < 15; ++i) {
    // bitsandbytes' thresholds: double midpoints rounded to float.
    double midpoint =
        static_cast<float>((kNF4Levels[i] + kNF4Levels[i + 1]) / 2.0);
    Value above =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                              createConstant(b, loc, floatType, midpoint));
    code = arith::AddIOp::create(
        b, loc, code, arith::ExtUIOp::create(b, loc, b.getI32Type(), above));
  }
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  code = arith::SelectOp::create(
      b, loc, isNaN, createIntConstant(b, loc, b.getI32Type(), 7), code);
  return arith::TruncIOp::create(b, loc, storageType, code);
}

/// fp8 e4m3fn (bias 7, 3 mantissa bits, no infinities, S.1111.111 NaN),
/// round to nearest even, saturating: from the f32 bits of |x| for normal
/// results (rounding 20 mantissa bits away carries into the exponent), and
/// as a multiple of 2^-9 for subnormal ones.
static Value encodeE4M3FN(OpBuilder &b, Location loc, Value x,
                          Type storageType) {
  Type i32 = b.getI32Type();
  Value f32 = x;
  if (!x.getType().isF32())
    f32 = createCast(b, loc, x, b.getF32Type(), false, false);
  auto i32c = [&](int64_t v) { return createIntConstant(b, loc, i32, v); };
  auto f32c = [&](double v) {
    return createConstant(b, loc, b.getF32Type(), v);
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, f32);
  Value sign = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, i32c(24)), i32c(0x80));
  // |x| clamped to the largest finite value 448.
  Value magnitude = arith::MinNumFOp::create(
      b, loc, math::AbsFOp::create(b, loc, f32), f32c(448.0));
  Value magnitudeBits = arith::BitcastOp::create(b, loc, i32, magnitude);
  Value odd = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, magnitudeBits, i32c(20)), i32c(1));
  Value rounded = arith::AddIOp::create(
      b, loc, magnitudeBits, arith::AddIOp::create(b, loc, i32c(0x7FFFF), odd));
  // f32 exponent bias 127 against 7: subtract (127 - 7) << 3.
  Value normal = arith::SubIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, rounded, i32c(20)),
      i32c(120 << 3));
  Value subnormal = arith::FPToSIOp::create(
      b, loc, i32,
      math::RoundEvenOp::create(
          b, loc, arith::MulFOp::create(b, loc, magnitude, f32c(512.0))));
  Value isSubnormal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            magnitude, f32c(1.0 / 64.0));
  Value code = arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
  Value isNaN =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, f32, f32);
  code = arith::SelectOp::create(b, loc, isNaN, i32c(0x7F), code);
  code = arith::OrIOp::create(b, loc, code, sign);
  return arith::TruncIOp::create(b, loc, storageType, code);
}

Value encodeCodebook(OpBuilder &b, Location loc, Codebook codebook,
                     Value normalized, Type storageType) {
  if (codebook == Codebook::nf4)
    return encodeNF4(b, loc, normalized, storageType);
  return encodeE4M3FN(b, loc, normalized, storageType);
}

//===----------------------------------------------------------------------===//
// Constant codes and int4 packing
//===----------------------------------------------------------------------===//

/// The lowbit.constant behind `value`, looking through quant.scast.
static ElementsAttr getConstantAttr(Value value) {
  if (auto cast = value.getDefiningOp<quant::StorageCastOp>())
    value = cast.getInput();
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return nullptr;
  return attr;
}

bool isResourceConstant(Value value) {
  return isa_and_nonnull<DenseResourceElementsAttr>(getConstantAttr(value));
}

std::optional<SmallVector<int64_t>>
readConstantCodes(Value value, quant::QuantizedType type) {
  ElementsAttr attr = getConstantAttr(value);
  if (!attr)
    return std::nullopt;
  unsigned width = type.getStorageTypeIntegralWidth();
  bool isSigned = type.isSigned();
  auto fromBits = [&](uint64_t bits) -> int64_t {
    APInt raw(width, bits, /*isSigned=*/false, /*implicitTrunc=*/true);
    return isSigned ? raw.getSExtValue()
                    : static_cast<int64_t>(raw.getZExtValue());
  };
  SmallVector<int64_t> codes;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      codes.push_back(fromBits(v.getZExtValue()));
    return codes;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource || width > 32)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  // Sub-byte codes are stored one per byte, like the tensors they become.
  size_t size = width <= 8 ? 1 : width <= 16 ? 2 : 4;
  ArrayRef<char> bytes = blob->getData();
  size_t count = attr.getNumElements();
  if (bytes.size() != count * size)
    return std::nullopt;
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits = 0;
    std::memcpy(&bits, bytes.data() + i * size, size);
    codes.push_back(fromBits(bits));
  }
  return codes;
}

static int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t value : values)
    result *= value;
  return result;
}

Value createCodesConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> codes,
                          ArrayRef<int64_t> shape, IntegerType storageType,
                          bool asResource) {
  auto type = RankedTensorType::get(shape, storageType);
  unsigned width = storageType.getWidth();
  ElementsAttr attr;
  if (asResource && (width == 8 || width == 16 || width == 32)) {
    size_t size = width / 8;
    SmallVector<char> bytes(codes.size() * size);
    for (auto [i, code] : llvm::enumerate(codes)) {
      uint32_t bits = static_cast<uint32_t>(code);
      std::memcpy(bytes.data() + i * size, &bits, size);
    }
    attr = makeResourceElements(type, "codes", bytes);
  } else {
    SmallVector<APInt> values;
    for (int64_t code : codes)
      values.push_back(APInt(width, static_cast<uint64_t>(code),
                             /*isSigned=*/true, /*implicitTrunc=*/true));
    attr = DenseElementsAttr::get(type, values);
  }
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

Value createPackedInt4Constant(OpBuilder &b, Location loc,
                               ArrayRef<int64_t> codes, ArrayRef<int64_t> shape,
                               int64_t runBegin, int64_t runEnd,
                               bool asResource) {
  int64_t outer = product(shape.take_front(runBegin));
  int64_t run = product(shape.slice(runBegin, runEnd - runBegin));
  int64_t inner = product(shape.drop_front(runEnd));
  int64_t packedRun = (run + 1) / 2;
  SmallVector<int64_t> packedShape(shape.take_front(runBegin));
  packedShape.push_back(packedRun);
  llvm::append_range(packedShape, shape.drop_front(runEnd));
  SmallVector<char> bytes(outer * packedRun * inner, 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < run; ++r)
      for (int64_t i = 0; i < inner; ++i) {
        uint8_t nibble = codes[(o * run + r) * inner + i] & 0xF;
        char &byte = bytes[(o * packedRun + r / 2) * inner + i];
        byte = static_cast<char>(static_cast<uint8_t>(byte) |
                                 (r % 2 == 0 ? nibble : nibble << 4));
      }
  auto type = RankedTensorType::get(packedShape, b.getI8Type());
  ElementsAttr attr;
  if (asResource)
    attr = makeResourceElements(type, "packed_int4", bytes);
  else
    attr = DenseElementsAttr::get(
        type, ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(bytes.data()),
                               bytes.size()));
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

/// The run's linearized index `sum(e_i * stride_i)` over `logicalMap`'s
/// results [runBegin, runEnd).
static AffineExpr linearizeRun(AffineMap logicalMap, ArrayRef<int64_t> shape,
                               int64_t runBegin, int64_t runEnd) {
  AffineExpr linear = getAffineConstantExpr(0, logicalMap.getContext());
  for (int64_t d = runBegin; d < runEnd; ++d)
    linear = linear * shape[d] + logicalMap.getResult(d);
  return linear;
}

AffineMap getPackedInt4Map(AffineMap logicalMap, ArrayRef<int64_t> shape,
                           int64_t runBegin, int64_t runEnd) {
  SmallVector<AffineExpr> exprs(logicalMap.getResults().take_front(runBegin));
  exprs.push_back(
      linearizeRun(logicalMap, shape, runBegin, runEnd).floorDiv(2));
  llvm::append_range(exprs, logicalMap.getResults().drop_front(runEnd));
  return AffineMap::get(logicalMap.getNumDims(), 0, exprs,
                        logicalMap.getContext());
}

/// `expr` (sums and constant multiples of dims) on the linalg.index values.
static Value evaluateIndexExpr(OpBuilder &b, Location loc, AffineExpr expr) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return linalg::IndexOp::create(b, loc, dim.getPosition());
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return arith::ConstantIndexOp::create(b, loc, constant.getValue());
  auto binary = cast<AffineBinaryOpExpr>(expr);
  Value lhs = evaluateIndexExpr(b, loc, binary.getLHS());
  Value rhs = evaluateIndexExpr(b, loc, binary.getRHS());
  if (binary.getKind() == AffineExprKind::Add)
    return arith::AddIOp::create(b, loc, lhs, rhs);
  assert(binary.getKind() == AffineExprKind::Mul && "unexpected index expr");
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value unpackInt4Code(OpBuilder &b, Location loc, Value byte,
                     AffineMap logicalMap, ArrayRef<int64_t> shape,
                     int64_t runBegin, int64_t runEnd, bool isSigned) {
  Type i8 = b.getI8Type();
  AffineExpr linear =
      simplifyAffineExpr(linearizeRun(logicalMap, shape, runBegin, runEnd),
                         logicalMap.getNumDims(), 0);
  Value index = evaluateIndexExpr(b, loc, linear);
  Value parity = arith::AndIOp::create(
      b, loc, index, arith::ConstantIndexOp::create(b, loc, 1));
  // 0 for the low nibble, 4 for the high one.
  Value shift = arith::MulIOp::create(
      b, loc, arith::IndexCastUIOp::create(b, loc, i8, parity),
      createIntConstant(b, loc, i8, 4));
  if (isSigned) {
    // Move the nibble to the top, then shift it back arithmetically.
    Value four = createIntConstant(b, loc, i8, 4);
    Value top = arith::ShLIOp::create(
        b, loc, byte, arith::SubIOp::create(b, loc, four, shift));
    return arith::ShRSIOp::create(b, loc, top, four);
  }
  return arith::AndIOp::create(b, loc,
                               arith::ShRUIOp::create(b, loc, byte, shift),
                               createIntConstant(b, loc, i8, 0xF));
}

} // namespace lowbit
