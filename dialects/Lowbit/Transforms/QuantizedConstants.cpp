//===- QuantizedConstants.cpp - quantized weights as IR -------------------===//

#include "dialects/Lowbit/Transforms/QuantizedConstants.h"

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;

namespace lowbit {

static unsigned getFlags(bool isSigned) {
  return isSigned ? quant::QuantizationFlags::Signed : 0;
}

/// Row-major coordinates of `index` in `shape`.
static SmallVector<int64_t> delinearize(int64_t index,
                                        ArrayRef<int64_t> shape) {
  SmallVector<int64_t> coords(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    coords[d] = index % shape[d];
    index /= shape[d];
  }
  return coords;
}

static int64_t linearize(ArrayRef<int64_t> coords, ArrayRef<int64_t> shape) {
  int64_t index = 0;
  for (auto [coord, size] : llvm::zip_equal(coords, shape))
    index = index * size + coord;
  return index;
}

quant::UniformQuantizedType
getPerTensorQuantType(function_ref<InFlightDiagnostic()> emitError,
                      const StorageSpec &storage, Type expressedType,
                      double scale, int64_t zeroPoint) {
  MLIRContext *ctx = expressedType.getContext();
  return quant::UniformQuantizedType::getChecked(
      emitError, getFlags(storage.isSigned),
      IntegerType::get(ctx, storage.bits), expressedType, scale, zeroPoint,
      storage.range.min, storage.range.max);
}

quant::QuantizedType
getWeightQuantType(function_ref<InFlightDiagnostic()> emitError,
                   const quantization::QuantizedWeights &weights,
                   ArrayRef<int64_t> shape, const StorageSpec &storage,
                   Type expressedType) {
  MLIRContext *ctx = expressedType.getContext();
  Type storageType = IntegerType::get(ctx, storage.bits);
  unsigned flags = getFlags(storage.isSigned);
  auto scaleOf = [&](size_t i) {
    float scale = weights.scales[i];
    return scale > 0.0f ? static_cast<double>(scale) : 1.0;
  };
  auto zeroPointOf = [&](size_t i) -> int64_t {
    return weights.zeroPoints.empty() ? 0 : weights.zeroPoints[i];
  };

  if (weights.groupAxis < 0) {
    if (weights.axis < 0)
      return quant::UniformQuantizedType::getChecked(
          emitError, flags, storageType, expressedType, scaleOf(0),
          zeroPointOf(0), storage.range.min, storage.range.max);
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    for (size_t i = 0, e = weights.scales.size(); i < e; ++i) {
      scales.push_back(scaleOf(i));
      zeroPoints.push_back(zeroPointOf(i));
    }
    return quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, storageType, expressedType, scales, zeroPoints,
        static_cast<int32_t>(weights.axis), storage.range.min,
        storage.range.max);
  }

  // Sub-channel: full-rank tables, [channel][group] placed at their axes.
  int64_t rank = shape.size();
  SmallVector<int64_t> tableShape(rank, 1);
  if (weights.axis >= 0)
    tableShape[weights.axis] = weights.numChannels;
  tableShape[weights.groupAxis] = weights.numGroups;
  int64_t tableSize = weights.numChannels * weights.numGroups;
  auto floatType = cast<FloatType>(expressedType);
  SmallVector<APFloat> scales(tableSize, APFloat(0.0));
  SmallVector<APInt> zeroPoints(tableSize, APInt(storage.bits, 0));
  for (int64_t c = 0; c < weights.numChannels; ++c) {
    for (int64_t g = 0; g < weights.numGroups; ++g) {
      SmallVector<int64_t> coords(rank, 0);
      if (weights.axis >= 0)
        coords[weights.axis] = c;
      coords[weights.groupAxis] = g;
      int64_t at = linearize(coords, tableShape);
      size_t from = c * weights.numGroups + g;
      APFloat scale(scaleOf(from));
      bool lost;
      scale.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
      scales[at] = scale;
      int64_t zeroPoint = zeroPointOf(from);
      zeroPoints[at] =
          APInt(storage.bits, zeroPoint, /*isSigned=*/zeroPoint < 0);
    }
  }
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blocks;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == weights.axis || d == weights.groupAxis) {
      dims.push_back(d);
      blocks.push_back(weights.blockSizes[d]);
    }
  }
  auto scaleAttr = DenseElementsAttr::get(
      RankedTensorType::get(tableShape, expressedType), scales);
  auto zeroPointAttr = DenseElementsAttr::get(
      RankedTensorType::get(tableShape, storageType), zeroPoints);
  return quant::UniformQuantizedSubChannelType::getChecked(
      emitError, flags, storageType, expressedType, scaleAttr, zeroPointAttr,
      dims, blocks, storage.range.min, storage.range.max);
}

std::string sanitizeResourceName(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  if (result.empty() || llvm::isDigit(result.front()))
    result.insert(result.begin(), '_');
  return result;
}

Value createIntegerConstant(OpBuilder &b, Location loc, RankedTensorType type,
                            ArrayRef<int64_t> values, StringRef name) {
  unsigned width = type.getElementTypeBitWidth();
  constexpr size_t kInlineLimit = 16;
  ElementsAttr attr;
  if (values.size() <= kInlineLimit || llvm::all_equal(values)) {
    if (values.size() > kInlineLimit)
      values = values.take_front(1);
    SmallVector<APInt> ints;
    for (int64_t v : values)
      ints.push_back(APInt(width, static_cast<uint64_t>(v), /*isSigned=*/v < 0,
                           /*implicitTrunc=*/true));
    attr = DenseElementsAttr::get(type, ints);
  } else {
    size_t size = width <= 8 ? 1 : width <= 16 ? 2 : width <= 32 ? 4 : 8;
    SmallVector<char> bytes(values.size() * size);
    for (size_t i = 0; i < values.size(); ++i) {
      // Little-endian: the low `size` bytes of the two's complement value.
      uint64_t bits = static_cast<uint64_t>(values[i]);
      for (size_t k = 0; k < size; ++k)
        bytes[i * size + k] = static_cast<char>((bits >> (8 * k)) & 0xFF);
    }
    attr = makeResourceElements(type, sanitizeResourceName(name), bytes);
  }
  return ConstantOp::create(b, loc, attr);
}

Value createQuantizedConstant(OpBuilder &b, Location loc, RankedTensorType type,
                              ArrayRef<int64_t> codes, StringRef name) {
  auto quantType = cast<quant::QuantizedType>(type.getElementType());
  auto storageType = type.clone(IntegerType::get(
      b.getContext(), quantType.getStorageTypeIntegralWidth()));
  Value storage = createIntegerConstant(b, loc, storageType, codes, name);
  return quant::StorageCastOp::create(b, loc, type, storage);
}

std::optional<SmallVector<int64_t>> readQuantizedConstant(Value value) {
  auto cast = value.getDefiningOp<quant::StorageCastOp>();
  if (!cast)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return std::nullopt;
  auto quantType = dyn_cast<quant::QuantizedType>(type.getElementType());
  ElementsAttr attr;
  if (!quantType || !matchPattern(cast.getInput(), m_Constant(&attr)))
    return std::nullopt;
  unsigned width = quantType.getStorageTypeIntegralWidth();
  bool isSigned = quantType.isSigned();
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
  if (!resource || width > 64)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  size_t size = width <= 8 ? 1 : width <= 16 ? 2 : width <= 32 ? 4 : 8;
  ArrayRef<char> bytes = blob->getData();
  size_t count = attr.getNumElements();
  if (bytes.size() != count * size)
    return std::nullopt;
  for (size_t i = 0; i < count; ++i) {
    uint64_t bits = 0;
    for (size_t k = 0; k < size; ++k)
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i * size + k]))
              << (8 * k);
    codes.push_back(fromBits(bits));
  }
  return codes;
}

std::pair<double, int64_t> getElementParams(quant::QuantizedType type,
                                            ArrayRef<int64_t> shape,
                                            int64_t index) {
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type))
    return {uniform.getScale(), uniform.getZeroPoint()};
  SmallVector<int64_t> coords = delinearize(index, shape);
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    int64_t c = coords[perAxis.getQuantizedDimension()];
    return {perAxis.getScales()[c], perAxis.getZeroPoints()[c]};
  }
  auto subChannel = cast<quant::UniformQuantizedSubChannelType>(type);
  DenseElementsAttr scales = subChannel.getScales();
  ArrayRef<int64_t> tableShape = scales.getType().getShape();
  SmallVector<int64_t> tableCoords;
  for (auto [d, coord] : llvm::enumerate(coords))
    tableCoords.push_back(coord / (shape[d] / tableShape[d]));
  int64_t at = linearize(tableCoords, tableShape);
  // Zero points are stored at the storage width: 10 in u4 reads -6 signed.
  APInt zeroPoint =
      *(subChannel.getZeroPoints().getValues<APInt>().begin() + at);
  return {(*(scales.getValues<APFloat>().begin() + at)).convertToDouble(),
          type.isSigned() ? zeroPoint.getSExtValue()
                          : static_cast<int64_t>(zeroPoint.getZExtValue())};
}

quant::QuantizedType transpose2DQuantType(quant::QuantizedType type) {
  if (isa<quant::UniformQuantizedType>(type))
    return type;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    return quant::UniformQuantizedPerAxisType::get(
        perAxis.getFlags(), perAxis.getStorageType(),
        perAxis.getExpressedType(), perAxis.getScales(),
        perAxis.getZeroPoints(), 1 - perAxis.getQuantizedDimension(),
        perAxis.getStorageTypeMin(), perAxis.getStorageTypeMax());
  auto subChannel = cast<quant::UniformQuantizedSubChannelType>(type);
  auto transposeTable = [](DenseElementsAttr table) {
    ArrayRef<int64_t> shape = table.getType().getShape();
    SmallVector<Attribute> values(table.getValues<Attribute>());
    SmallVector<Attribute> transposed(values.size());
    for (int64_t i = 0; i < shape[0]; ++i)
      for (int64_t j = 0; j < shape[1]; ++j)
        transposed[j * shape[0] + i] = values[i * shape[1] + j];
    return DenseElementsAttr::get(table.getType().clone({shape[1], shape[0]}),
                                  transposed);
  };
  SmallVector<std::pair<int32_t, int64_t>> info = subChannel.getBlockSizeInfo();
  for (auto &[dim, block] : info)
    dim = 1 - dim;
  llvm::sort(info);
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blocks;
  for (auto [dim, block] : info) {
    dims.push_back(dim);
    blocks.push_back(block);
  }
  return quant::UniformQuantizedSubChannelType::get(
      subChannel.getFlags(), subChannel.getStorageType(),
      subChannel.getExpressedType(), transposeTable(subChannel.getScales()),
      transposeTable(subChannel.getZeroPoints()), dims, blocks,
      subChannel.getStorageTypeMin(), subChannel.getStorageTypeMax());
}

} // namespace lowbit
