//===- QuantizationBuilders.h - quantized element types in linalg -*- C++
//-*-===//
//
// What the quantize/dequantize and the quantized contraction lowerings share:
// the scales and zero points of a `!quant` type as compile-time values or
// small constant tables, scalar quantize/dequantize with ONNX rounding,
// codebook (NF4, fp8 e4m3fn) tables, constant weight codes read at compile
// time, and the packed int4 layout (two codes per byte).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZATIONBUILDERS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZATIONBUILDERS_H

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>

namespace lowbit {

//===----------------------------------------------------------------------===//
// Scales and zero points
//===----------------------------------------------------------------------===//

/// The scales and zero points of a uniform `!quant` type on a tensor of a
/// given shape: one pair per tensor, or a table indexed per axis
/// (`d_axis`) or per sub-channel block (`d floordiv block` along every
/// dimension that has more than one block).
class QuantParams {
public:
  /// Fails for quantized types other than the uniform ones.
  static mlir::FailureOr<QuantParams> get(mlir::quant::QuantizedType type,
                                          llvm::ArrayRef<int64_t> shape);

  mlir::quant::QuantizedType getType() const { return type; }
  bool isPerTensor() const { return tableShape.empty(); }
  /// The shape of the tables (empty per tensor).
  llvm::ArrayRef<int64_t> getTableShape() const { return tableShape; }
  /// Tensor dimensions -> table indices.
  mlir::AffineMap getTableMap() const { return tableMap; }
  /// Whether the parameters change along tensor dimension `dim`.
  bool variesAlong(int64_t dim) const;
  /// Whether some zero point is not 0.
  bool hasZeroPoints() const;

  /// The parameters of the element at `index` (a tensor index).
  double getScale(llvm::ArrayRef<int64_t> index) const;
  int64_t getZeroPoint(llvm::ArrayRef<int64_t> index) const;
  /// The per-tensor parameters (requires isPerTensor()).
  double getScale() const { return scales.front(); }
  int64_t getZeroPoint() const { return zeroPoints.front(); }

  /// The tables as constants: scales in `floatType`, zero points in
  /// `elementType` (float or integer). Require !isPerTensor().
  mlir::Value createScaleTable(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Type floatType) const;
  mlir::Value createZeroPointTable(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Type elementType) const;

private:
  int64_t getTableOffset(llvm::ArrayRef<int64_t> index) const;

  mlir::quant::QuantizedType type;
  llvm::SmallVector<int64_t> tableShape;
  mlir::AffineMap tableMap;
  /// Per tensor dimension: its block size, or 0 when it does not index the
  /// tables.
  llvm::SmallVector<int64_t> blocks;
  /// Row-major over tableShape (one entry per tensor).
  llvm::SmallVector<double> scales;
  llvm::SmallVector<int64_t> zeroPoints;
};

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// The signless storage type of `type` (i8 for u8 and i8).
mlir::IntegerType getStorageType(mlir::quant::QuantizedType type);

/// A stored code as an integer of the wider signless type `to`, extended by
/// the storage's signedness.
mlir::Value extendCode(mlir::OpBuilder &b, mlir::Location loc, mlir::Value code,
                       bool isSigned, mlir::Type to);

/// A stored code as a float of `floatType`.
mlir::Value codeToFloat(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value code, bool isSigned, mlir::Type floatType);

/// clamp(round_half_to_even(scaled) + zeroPoint, qmin, qmax) converted to
/// the signless storage type; `scaled` is the value already divided by the
/// scale (or multiplied by a requantization multiplier), `zeroPoint` a float
/// of its type.
mlir::Value roundToStorage(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value scaled, mlir::Value zeroPoint,
                           mlir::quant::QuantizedType type);

/// ONNX QuantizeLinear of one float: roundToStorage(x / scale, zeroPoint).
mlir::Value quantizeScalar(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, mlir::Value scale,
                           mlir::Value zeroPoint,
                           mlir::quant::QuantizedType type);

/// ONNX DequantizeLinear of one code: (q - zeroPoint) * scale in the float
/// type of `scale`.
mlir::Value dequantizeScalar(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value q, mlir::Value scale,
                             mlir::Value zeroPoint,
                             mlir::quant::QuantizedType type);

//===----------------------------------------------------------------------===//
// Codebooks
//===----------------------------------------------------------------------===//

/// Fails through failLowering unless `type` can hold `codebook`'s codes
/// (unsigned storage of at least 4 bits for NF4, of 8 bits for fp8) with
/// zero points all 0.
mlir::LogicalResult checkCodebook(mlir::ConversionPatternRewriter &rewriter,
                                  mlir::Operation *op, Codebook codebook,
                                  const QuantParams &params);

/// The decode table of `codebook` as a 1-D constant of `floatType`: the 16
/// NF4 levels, or the 256 values of the fp8 e4m3fn bit patterns (NaN for
/// 0x7F and 0xFF).
mlir::Value createCodebookTable(mlir::OpBuilder &b, mlir::Location loc,
                                Codebook codebook, mlir::Type floatType);

/// table[code] for an unsigned stored code (inside a linalg body).
mlir::Value decodeCodebook(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value table, mlir::Value code);

/// The code of the table entry nearest to `normalized` (a value already
/// divided by its scale), in `storageType`: for NF4 the number of midpoints
/// strictly below it (exact midpoints go down, NaN gives the zero level 7);
/// for fp8 e4m3fn round to nearest even, saturating at +-448, NaN to 0x7F.
mlir::Value encodeCodebook(mlir::OpBuilder &b, mlir::Location loc,
                           Codebook codebook, mlir::Value normalized,
                           mlir::Type storageType);

//===----------------------------------------------------------------------===//
// Constant codes and int4 packing
//===----------------------------------------------------------------------===//

/// The codes of a constant quantized tensor (a lowbit.constant, possibly
/// through quant.scast), row-major, as integers in the storage range; none
/// when `value` is not a constant whose data can be read.
std::optional<llvm::SmallVector<int64_t>>
readConstantCodes(mlir::Value value, mlir::quant::QuantizedType type);

/// Whether `value` (an original, unconverted operand) is a
/// dense_resource constant, possibly through quant.scast.
bool isResourceConstant(mlir::Value value);

/// A constant of `shape` holding `codes` in `storageType`: a dense_resource
/// blob (one element per byte for 8 bits and less) when `asResource` and the
/// storage is 8, 16 or 32 bits wide, else a dense constant.
mlir::Value createCodesConstant(mlir::OpBuilder &b, mlir::Location loc,
                                llvm::ArrayRef<int64_t> codes,
                                llvm::ArrayRef<int64_t> shape,
                                mlir::IntegerType storageType, bool asResource);

/// Codes of a tensor of `shape` packed two per byte along the contiguous
/// dimensions [runBegin, runEnd) (linearized): the result has shape
/// [shape[:runBegin], ceil(run / 2), shape[runEnd:]] and i8 elements;
/// element 2j of a run is the low nibble of byte j, 2j+1 the high nibble.
/// A dense_resource blob when `asResource`, else a dense constant.
mlir::Value createPackedInt4Constant(mlir::OpBuilder &b, mlir::Location loc,
                                     llvm::ArrayRef<int64_t> codes,
                                     llvm::ArrayRef<int64_t> shape,
                                     int64_t runBegin, int64_t runEnd,
                                     bool asResource);

/// The map reading the packed tensor above, from `logicalMap` (loops ->
/// indices of the unpacked tensor of `shape`): the run's indices are
/// linearized and divided by 2.
mlir::AffineMap getPackedInt4Map(mlir::AffineMap logicalMap,
                                 llvm::ArrayRef<int64_t> shape,
                                 int64_t runBegin, int64_t runEnd);

/// Inside a generic with `logicalMap` as above: the code of the current
/// element from its packed byte, sign- or zero-extended to i8. The nibble is
/// chosen by the parity of the run's linearized index (linalg.index).
mlir::Value unpackInt4Code(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value byte, mlir::AffineMap logicalMap,
                           llvm::ArrayRef<int64_t> shape, int64_t runBegin,
                           int64_t runEnd, bool isSigned);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZATIONBUILDERS_H
