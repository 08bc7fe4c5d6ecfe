//===- HostTensor.cpp - tensors known at import time ----------------------===//

#include "HostTensor.h"

#include "dialects/Lowbit/IR/ConstantData.h"

#include "mlir/Dialect/Traits.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace lowbit {
namespace onnx_import {

unsigned getHostElementSize(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned width = intType.getWidth();
    if (width == 1)
      return 1;
    if (width == 8 || width == 16 || width == 32 || width == 64)
      return width / 8;
    return 0;
  }
  if (type.isF16() || type.isBF16())
    return 2;
  if (type.isF32())
    return 4;
  if (type.isF64())
    return 8;
  return 0;
}

HostTensor::HostTensor(RankedTensorType type, std::vector<char> bytes)
    : type(type),
      data(std::make_shared<const std::vector<char>>(std::move(bytes))) {
  assert(static_cast<int64_t>(data->size()) ==
             type.getNumElements() * getHostElementSize(type.getElementType()) &&
         "byte count does not match the type");
}

/// Reads element `i` of `bytes` (elements of `type`) as an integer.
static int64_t readInt(Type type, const char *bytes, int64_t i) {
  auto intType = cast<IntegerType>(type);
  unsigned width = intType.getWidth();
  bool isUnsigned = intType.isUnsigned();
  const char *p = bytes + i * getHostElementSize(type);
  switch (width) {
  case 1:
    return *p != 0;
  case 8:
    return isUnsigned ? int64_t(uint8_t(*p)) : int64_t(int8_t(*p));
  case 16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return isUnsigned ? int64_t(v) : int64_t(int16_t(v));
  }
  case 32: {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return isUnsigned ? int64_t(v) : int64_t(int32_t(v));
  }
  default: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  }
}

/// Reads element `i` of `bytes` (elements of float `type`) as a double.
static double readFloat(Type type, const char *bytes, int64_t i) {
  const char *p = bytes + i * getHostElementSize(type);
  if (type.isF32()) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (type.isF64()) {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  uint16_t bits;
  std::memcpy(&bits, p, 2);
  APFloat value(type.isF16() ? APFloat::IEEEhalf() : APFloat::BFloat(),
                APInt(16, bits));
  return value.convertToDouble();
}

/// Writes `value` as element `i` of float `type`, rounding to nearest even.
static void writeFloat(Type type, char *bytes, int64_t i, double value) {
  char *p = bytes + i * getHostElementSize(type);
  if (type.isF32()) {
    float v = static_cast<float>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  if (type.isF64()) {
    std::memcpy(p, &value, 8);
    return;
  }
  APFloat converted(value);
  bool losesInfo;
  converted.convert(type.isF16() ? APFloat::IEEEhalf() : APFloat::BFloat(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
  uint16_t bits = converted.bitcastToAPInt().getZExtValue();
  std::memcpy(p, &bits, 2);
}

/// Writes `value` as element `i` of integer `type`, wrapping to its width.
static void writeInt(Type type, char *bytes, int64_t i, int64_t value) {
  unsigned size = getHostElementSize(type);
  char *p = bytes + i * size;
  if (cast<IntegerType>(type).getWidth() == 1)
    value = value != 0;
  // Little-endian: the low `size` bytes are the truncated value.
  uint64_t bits = static_cast<uint64_t>(value);
  for (unsigned b = 0; b < size; ++b)
    p[b] = static_cast<char>((bits >> (8 * b)) & 0xff);
}

int64_t HostTensor::getInt(int64_t i) const {
  Type elementType = getElementType();
  if (isa<FloatType>(elementType)) {
    double v = readFloat(elementType, data->data(), i);
    return std::isfinite(v) ? static_cast<int64_t>(v) : 0;
  }
  return readInt(elementType, data->data(), i);
}

double HostTensor::getDouble(int64_t i) const {
  Type elementType = getElementType();
  if (isa<FloatType>(elementType))
    return readFloat(elementType, data->data(), i);
  return static_cast<double>(readInt(elementType, data->data(), i));
}

SmallVector<int64_t> HostTensor::getInts() const {
  SmallVector<int64_t> values;
  values.reserve(getNumElements());
  for (int64_t i = 0, e = getNumElements(); i < e; ++i)
    values.push_back(getInt(i));
  return values;
}

SmallVector<double> HostTensor::getDoubles() const {
  SmallVector<double> values;
  values.reserve(getNumElements());
  for (int64_t i = 0, e = getNumElements(); i < e; ++i)
    values.push_back(getDouble(i));
  return values;
}

bool HostTensor::isSplat() const {
  size_t size = getHostElementSize(getElementType());
  const std::vector<char> &bytes = *data;
  for (size_t offset = size; offset < bytes.size(); offset += size)
    if (std::memcmp(bytes.data(), bytes.data() + offset, size) != 0)
      return false;
  return true;
}

HostTensor HostTensor::withShape(ArrayRef<int64_t> shape) const {
  HostTensor result;
  result.type = RankedTensorType::get(shape, getElementType());
  assert(result.type.getNumElements() == getNumElements() &&
         "reshape changes the element count");
  result.data = data;
  return result;
}

HostTensor HostTensor::fromInts(RankedTensorType type,
                                ArrayRef<int64_t> values) {
  Type elementType = type.getElementType();
  std::vector<char> bytes(values.size() * getHostElementSize(elementType));
  for (auto [i, v] : llvm::enumerate(values)) {
    if (isa<FloatType>(elementType))
      writeFloat(elementType, bytes.data(), i, static_cast<double>(v));
    else
      writeInt(elementType, bytes.data(), i, v);
  }
  return HostTensor(type, std::move(bytes));
}

HostTensor HostTensor::fromDoubles(RankedTensorType type,
                                   ArrayRef<double> values) {
  Type elementType = type.getElementType();
  std::vector<char> bytes(values.size() * getHostElementSize(elementType));
  for (auto [i, v] : llvm::enumerate(values)) {
    if (isa<FloatType>(elementType)) {
      writeFloat(elementType, bytes.data(), i, v);
    } else if (cast<IntegerType>(elementType).getWidth() == 1) {
      writeInt(elementType, bytes.data(), i, v != 0.0);
    } else {
      // ONNX Cast truncates toward zero; out-of-range values are undefined
      // there, so any deterministic answer will do.
      int64_t truncated = std::isfinite(v) && std::fabs(v) < 9.2e18
                              ? static_cast<int64_t>(v)
                              : 0;
      writeInt(elementType, bytes.data(), i, truncated);
    }
  }
  return HostTensor(type, std::move(bytes));
}

/// Blob names must be plain identifiers in the printed IR.
static std::string sanitizeBlobName(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  if (result.empty() || llvm::isDigit(result.front()))
    result.insert(result.begin(), '_');
  return result;
}

ElementsAttr HostTensor::toElementsAttr(StringRef name) const {
  constexpr int64_t kInlineLimit = 16;
  Type elementType = getElementType();
  if (elementType.isInteger(1)) {
    SmallVector<bool> values;
    for (int64_t i = 0, e = getNumElements(); i < e; ++i)
      values.push_back(getInt(i) != 0);
    return DenseElementsAttr::get(type, values);
  }
  ArrayRef<char> bytes = getBytes();
  if (getNumElements() <= kInlineLimit)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  if (isSplat())
    return DenseElementsAttr::getFromRawBuffer(
        type, bytes.take_front(getHostElementSize(elementType)));
  return makeResourceElements(type, sanitizeBlobName(name), bytes);
}

//===----------------------------------------------------------------------===//
// Index arithmetic
//===----------------------------------------------------------------------===//

/// Row-major strides of `shape`.
static SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Strides for reading an operand of shape `shape` broadcast to `result`:
/// dimensions of extent 1 (and missing leading ones) get stride 0.
static SmallVector<int64_t> getBroadcastStrides(ArrayRef<int64_t> shape,
                                                ArrayRef<int64_t> result) {
  SmallVector<int64_t> own = getStrides(shape);
  SmallVector<int64_t> strides(result.size(), 0);
  size_t offset = result.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    strides[d + offset] = shape[d] == 1 ? 0 : own[d];
  return strides;
}

/// Calls `fn(linearIndex, offsets)` for every element of `shape`, where
/// offsets[k] = sum over d of index[d] * strides[k][d].
static void
forEachIndex(ArrayRef<int64_t> shape, ArrayRef<SmallVector<int64_t>> strides,
             llvm::function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent;
  if (count == 0)
    return;
  size_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0), offsets(strides.size(), 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    fn(linear, offsets);
    // Odometer increment, updating the offsets incrementally.
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      ++index[d];
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] += strides[k][d];
      if (index[d] < shape[d])
        break;
      for (size_t k = 0; k < strides.size(); ++k)
        offsets[k] -= strides[k][d] * index[d];
      index[d] = 0;
    }
  }
}

/// Copies elements of `input` to a new tensor of `resultShape`, element i
/// read at offset `inputOffset` computed by `forEachIndex` with `strides`
/// plus `base`.
static HostTensor gatherElements(const HostTensor &input,
                                 ArrayRef<int64_t> resultShape,
                                 ArrayRef<int64_t> strides, int64_t base) {
  Type elementType = input.getElementType();
  size_t size = getHostElementSize(elementType);
  auto resultType = RankedTensorType::get(resultShape, elementType);
  std::vector<char> bytes(resultType.getNumElements() * size);
  const char *src = input.getBytes().data();
  SmallVector<int64_t> ownStrides(strides);
  forEachIndex(resultShape, {ownStrides},
               [&](int64_t linear, ArrayRef<int64_t> offsets) {
                 std::memcpy(bytes.data() + linear * size,
                             src + (base + offsets[0]) * size, size);
               });
  return HostTensor(resultType, std::move(bytes));
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

HostTensor evalBinary(const HostTensor &lhs, const HostTensor &rhs,
                      RankedTensorType resultType,
                      llvm::function_ref<double(double, double)> floatFn,
                      llvm::function_ref<int64_t(int64_t, int64_t)> intFn) {
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<SmallVector<int64_t>> strides = {
      getBroadcastStrides(lhs.getShape(), shape),
      getBroadcastStrides(rhs.getShape(), shape)};
  // Operands decide how to compute (comparisons of floats give i1).
  bool operandsFloat = lhs.isFloat() || rhs.isFloat();
  int64_t count = resultType.getNumElements();
  if (operandsFloat) {
    SmallVector<double> values(count);
    forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> offsets) {
      values[i] = floatFn(lhs.getDouble(offsets[0]), rhs.getDouble(offsets[1]));
    });
    return HostTensor::fromDoubles(resultType, values);
  }
  SmallVector<int64_t> values(count);
  forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> offsets) {
    values[i] = intFn(lhs.getInt(offsets[0]), rhs.getInt(offsets[1]));
  });
  return HostTensor::fromInts(resultType, values);
}

HostTensor evalUnary(const HostTensor &input, RankedTensorType resultType,
                     llvm::function_ref<double(double)> floatFn,
                     llvm::function_ref<int64_t(int64_t)> intFn) {
  int64_t count = input.getNumElements();
  if (input.isFloat()) {
    SmallVector<double> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = floatFn(input.getDouble(i));
    return HostTensor::fromDoubles(resultType, values);
  }
  SmallVector<int64_t> values(count);
  for (int64_t i = 0; i < count; ++i)
    values[i] = intFn(input.getInt(i));
  return HostTensor::fromInts(resultType, values);
}

HostTensor evalWhere(const HostTensor &condition, const HostTensor &lhs,
                     const HostTensor &rhs, RankedTensorType resultType) {
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<SmallVector<int64_t>> strides = {
      getBroadcastStrides(condition.getShape(), shape),
      getBroadcastStrides(lhs.getShape(), shape),
      getBroadcastStrides(rhs.getShape(), shape)};
  size_t size = getHostElementSize(resultType.getElementType());
  std::vector<char> bytes(resultType.getNumElements() * size);
  forEachIndex(shape, strides, [&](int64_t i, ArrayRef<int64_t> offsets) {
    const HostTensor &picked = condition.getInt(offsets[0]) ? lhs : rhs;
    int64_t offset = condition.getInt(offsets[0]) ? offsets[1] : offsets[2];
    std::memcpy(bytes.data() + i * size,
                picked.getBytes().data() + offset * size, size);
  });
  return HostTensor(resultType, std::move(bytes));
}

HostTensor evalCast(const HostTensor &input, Type elementType) {
  auto resultType = RankedTensorType::get(input.getShape(), elementType);
  if (input.isFloat())
    return HostTensor::fromDoubles(resultType, input.getDoubles());
  return HostTensor::fromInts(resultType, input.getInts());
}

HostTensor evalBroadcastTo(const HostTensor &input, ArrayRef<int64_t> shape) {
  return gatherElements(input, shape,
                        getBroadcastStrides(input.getShape(), shape), 0);
}

HostTensor evalTranspose(const HostTensor &input, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> own = getStrides(input.getShape());
  SmallVector<int64_t> shape, strides;
  for (int64_t p : perm) {
    shape.push_back(input.getShape()[p]);
    strides.push_back(own[p]);
  }
  return gatherElements(input, shape, strides, 0);
}

HostTensor evalConcat(ArrayRef<const HostTensor *> inputs, int64_t axis) {
  SmallVector<int64_t> shape(inputs.front()->getShape());
  shape[axis] = 0;
  for (const HostTensor *input : inputs)
    shape[axis] += input->getShape()[axis];
  Type elementType = inputs.front()->getElementType();
  size_t size = getHostElementSize(elementType);
  auto resultType = RankedTensorType::get(shape, elementType);
  // Each input contributes `outer` runs of its inner block.
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  std::vector<char> bytes;
  bytes.reserve(resultType.getNumElements() * size);
  for (int64_t o = 0; o < outer; ++o) {
    for (const HostTensor *input : inputs) {
      int64_t block = input->getNumElements() / std::max<int64_t>(outer, 1);
      const char *src = input->getBytes().data() + o * block * size;
      bytes.insert(bytes.end(), src, src + block * size);
    }
  }
  return HostTensor(resultType, std::move(bytes));
}

HostTensor evalSlice(const HostTensor &input, ArrayRef<int64_t> starts,
                     ArrayRef<int64_t> steps, ArrayRef<int64_t> resultShape) {
  SmallVector<int64_t> own = getStrides(input.getShape());
  SmallVector<int64_t> strides;
  int64_t base = 0;
  for (size_t d = 0; d < own.size(); ++d) {
    base += starts[d] * own[d];
    strides.push_back(steps[d] * own[d]);
  }
  // An empty result reads nothing, so its (possibly out of range) start
  // must not matter.
  int64_t count = 1;
  for (int64_t extent : resultShape)
    count *= extent;
  return gatherElements(input, resultShape, strides, count == 0 ? 0 : base);
}

HostTensor evalGather(const HostTensor &input, const HostTensor &indices,
                      int64_t axis) {
  ArrayRef<int64_t> inShape = input.getShape();
  SmallVector<int64_t> shape(inShape.take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, inShape.drop_front(axis + 1));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= inShape[d];
  for (size_t d = axis + 1; d < inShape.size(); ++d)
    inner *= inShape[d];
  Type elementType = input.getElementType();
  size_t size = getHostElementSize(elementType);
  auto resultType = RankedTensorType::get(shape, elementType);
  std::vector<char> bytes;
  bytes.reserve(resultType.getNumElements() * size);
  const char *src = input.getBytes().data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0, e = indices.getNumElements(); k < e; ++k) {
      int64_t row = (o * inShape[axis] + indices.getInt(k)) * inner;
      bytes.insert(bytes.end(), src + row * size, src + (row + inner) * size);
    }
  }
  return HostTensor(resultType, std::move(bytes));
}

HostTensor evalPad(const HostTensor &input, ArrayRef<int64_t> pads,
                   double padValue) {
  ArrayRef<int64_t> inShape = input.getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inShape[d] + pads[d] + pads[d + rank]);
  Type elementType = input.getElementType();
  auto resultType = RankedTensorType::get(shape, elementType);
  size_t size = getHostElementSize(elementType);
  HostTensor fill =
      HostTensor::fromDoubles(RankedTensorType::get({}, elementType), padValue);
  std::vector<char> bytes(resultType.getNumElements() * size);
  SmallVector<int64_t> own = getStrides(inShape);
  for (int64_t linear = 0, e = resultType.getNumElements(); linear < e;
       ++linear) {
    // Map each result position back into the input; outside reads the fill.
    int64_t rest = linear, offset = 0;
    bool inside = true;
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t i = rest % shape[d] - pads[d];
      rest /= shape[d];
      inside &= i >= 0 && i < inShape[d];
      offset += i * own[d];
    }
    const char *src = inside ? input.getBytes().data() + offset * size
                             : fill.getBytes().data();
    std::memcpy(bytes.data() + linear * size, src, size);
  }
  return HostTensor(resultType, std::move(bytes));
}

HostTensor evalTile(const HostTensor &input, ArrayRef<int64_t> repeats) {
  ArrayRef<int64_t> inShape = input.getShape();
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < inShape.size(); ++d)
    shape.push_back(inShape[d] * repeats[d]);
  auto resultType = RankedTensorType::get(shape, input.getElementType());
  size_t size = getHostElementSize(input.getElementType());
  std::vector<char> bytes(resultType.getNumElements() * size);
  SmallVector<int64_t> own = getStrides(inShape);
  int64_t rank = inShape.size();
  for (int64_t linear = 0, e = resultType.getNumElements(); linear < e;
       ++linear) {
    int64_t rest = linear, offset = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += (rest % shape[d]) % inShape[d] * own[d];
      rest /= shape[d];
    }
    std::memcpy(bytes.data() + linear * size,
                input.getBytes().data() + offset * size, size);
  }
  return HostTensor(resultType, std::move(bytes));
}

} // namespace onnx_import
} // namespace lowbit
