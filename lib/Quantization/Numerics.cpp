//===- Numerics.cpp - Quantization arithmetic shared by every pass --------===//
//
// Rounding, affine quantization, scale choice, blocked weight quantization,
// int4 packing, NF4, FP8 E4M3FN and ternary codes. See Numerics.h for the
// conventions; comments here explain only the non-obvious arithmetic.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Numerics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>

using namespace lowbit;
using namespace lowbit::quantization;

//===----------------------------------------------------------------------===//
// Rounding and affine quantization
//===----------------------------------------------------------------------===//

float quantization::roundHalfToEven(float x) {
  if (!std::isfinite(x))
    return x;
  // Every float of magnitude >= 2^23 is already an integer, and below that
  // x - floor(x) is exact, so the tie test needs no tolerance.
  float lower = std::floor(x);
  float fraction = x - lower;
  float result;
  if (fraction > 0.5f)
    result = lower + 1.0f;
  else if (fraction < 0.5f)
    result = lower;
  else
    result = std::fmod(lower, 2.0f) == 0.0f ? lower : lower + 1.0f;
  // Keep the sign of zero: -0.4 and -0.5 round to -0, like nearbyint.
  return result == 0.0f ? std::copysign(0.0f, x) : result;
}

IntegerRange quantization::storageRange(unsigned bits, bool isSigned,
                                        bool narrow) {
  assert(bits >= 2 && bits <= 16 && "storage types are 2 to 16 bits wide");
  IntegerRange range;
  if (isSigned) {
    range.min = -(int32_t(1) << (bits - 1));
    range.max = (int32_t(1) << (bits - 1)) - 1;
  } else {
    range.min = 0;
    range.max = (int32_t(1) << bits) - 1;
  }
  if (narrow)
    ++range.min;
  return range;
}

int32_t quantization::quantizeAffine(float x, float scale, int32_t zeroPoint,
                                     int32_t qmin, int32_t qmax) {
  assert(scale > 0.0f && std::isfinite(scale) && "scale must be positive");
  assert(qmin <= qmax && "empty code range");
  float rounded = roundHalfToEven(x / scale);
  if (std::isnan(rounded))
    return std::clamp(zeroPoint, qmin, qmax);
  // Clamp in double: a float of magnitude > 2^31 has no int32 conversion.
  double shifted = static_cast<double>(rounded) + zeroPoint;
  if (shifted <= qmin)
    return qmin;
  if (shifted >= qmax)
    return qmax;
  return static_cast<int32_t>(shifted);
}

float quantization::dequantizeAffine(int32_t q, float scale,
                                     int32_t zeroPoint) {
  return static_cast<float>(static_cast<int64_t>(q) - zeroPoint) * scale;
}

/// Replaces NaN by 0 and infinities by the largest finite floats.
static float sanitizeBound(float value) {
  if (std::isnan(value))
    return 0.0f;
  return std::clamp(value, -std::numeric_limits<float>::max(),
                    std::numeric_limits<float>::max());
}

AffineParams quantization::chooseAffineParams(float min, float max,
                                              unsigned bits, bool isSigned,
                                              bool symmetric, bool narrow) {
  IntegerRange range = storageRange(bits, isSigned, narrow);
  float rmin = std::min(sanitizeBound(min), 0.0f);
  float rmax = std::max(sanitizeBound(max), 0.0f);
  if (rmin > rmax) // Only possible for swapped bounds; treat as unordered.
    std::swap(rmin, rmax);

  constexpr float kLargest = std::numeric_limits<float>::max();
  if (symmetric) {
    int32_t zeroPoint = static_cast<int32_t>(
        roundHalfToEven(0.5f * static_cast<float>(range.min + range.max)));
    int32_t positiveSteps =
        std::min(range.max - zeroPoint, zeroPoint - range.min);
    float absmax = std::max(-rmin, rmax);
    float scale = absmax / static_cast<float>(positiveSteps);
    if (!(scale >= std::numeric_limits<float>::min()))
      return {1.0f, zeroPoint};
    return {std::min(scale, kLargest), zeroPoint};
  }

  // The float32 arithmetic mirrors ONNX Runtime's compute_scale_zp.
  float span = rmax - rmin;
  if (std::isinf(span))
    span = kLargest;
  float scale = span / static_cast<float>(range.max - range.min);
  if (!(scale >= std::numeric_limits<float>::min()))
    return {1.0f, std::clamp<int32_t>(0, range.min, range.max)};
  float zeroPoint =
      roundHalfToEven(static_cast<float>(range.min) - rmin / scale);
  zeroPoint = std::clamp(zeroPoint, static_cast<float>(range.min),
                         static_cast<float>(range.max));
  return {scale, static_cast<int32_t>(zeroPoint)};
}

AffineParams quantization::chooseAffineParams(float min, float max,
                                              const IntegerFormat &format) {
  return chooseAffineParams(min, max, format.bits, format.isSigned,
                            format.symmetric, format.narrow);
}

//===----------------------------------------------------------------------===//
// Blocked weight quantization
//===----------------------------------------------------------------------===//

namespace {
/// Which scale-table entry each element of a row-major tensor uses.
struct BlockLayout {
  int64_t axis = -1;
  int64_t groupAxis = -1;
  int64_t groupSize = 0;
  int64_t numChannels = 1;
  int64_t numGroups = 1;
  int64_t channelStride = 1;
  int64_t groupAxisStride = 1;
  int64_t groupAxisSize = 1;
  std::vector<int64_t> blockSizes;

  /// Index into the [channel][group] table of flat element `index`.
  int64_t getBlock(int64_t index) const {
    int64_t channel = axis < 0 ? 0 : (index / channelStride) % numChannels;
    int64_t group =
        groupSize <= 0
            ? 0
            : ((index / groupAxisStride) % groupAxisSize) / groupSize;
    return channel * numGroups + group;
  }
};
} // namespace

static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (i)
      text += ", ";
    text += std::to_string(dim);
  }
  return text + "]";
}

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static llvm::Expected<BlockLayout>
resolveBlockLayout(size_t numElements, llvm::ArrayRef<int64_t> shape,
                   int64_t axis, int64_t groupSize, int64_t groupAxis) {
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t expected = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return makeError("weight shape " + formatShape(shape) +
                       " has a negative dimension");
    expected *= dim;
  }
  if (static_cast<int64_t>(numElements) != expected)
    return makeError(llvm::formatv("weight data has {0} elements but shape "
                                   "{1} holds {2}",
                                   numElements, formatShape(shape), expected)
                         .str());
  if (axis < -1 || axis >= rank)
    return makeError(llvm::formatv("channel axis {0} is out of range for "
                                   "weight shape {1}",
                                   axis, formatShape(shape))
                         .str());
  if (groupSize < 0)
    return makeError(
        llvm::formatv("group size {0} is negative", groupSize).str());

  BlockLayout layout;
  layout.axis = axis;
  layout.groupSize = groupSize;
  if (groupSize > 0) {
    if (groupAxis == -1) {
      if (axis == -1)
        groupAxis = rank - 1;
      else
        groupAxis = axis == 0 ? 1 : 0;
    }
    if (groupAxis < 0 || groupAxis >= rank)
      return makeError(llvm::formatv("group axis {0} is out of range for "
                                     "weight shape {1}",
                                     groupAxis, formatShape(shape))
                           .str());
    if (groupAxis == axis)
      return makeError(llvm::formatv("group axis {0} is the channel axis; "
                                     "groups must run along the reduction "
                                     "axis",
                                     groupAxis)
                           .str());
    if (shape[groupAxis] % groupSize != 0)
      return makeError(
          llvm::formatv("group size {0} does not divide dimension {1} (size "
                        "{2}) of weight shape {3}",
                        groupSize, groupAxis, shape[groupAxis],
                        formatShape(shape))
              .str());
    layout.groupAxis = groupAxis;
  }

  std::vector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  layout.blockSizes.assign(shape.begin(), shape.end());
  if (axis >= 0) {
    layout.numChannels = shape[axis];
    layout.channelStride = strides[axis];
    layout.blockSizes[axis] = 1;
  }
  if (layout.groupAxis >= 0) {
    layout.groupAxisSize = shape[layout.groupAxis];
    layout.groupAxisStride = strides[layout.groupAxis];
    layout.numGroups = layout.groupAxisSize / groupSize;
    layout.blockSizes[layout.groupAxis] = groupSize;
  }
  return layout;
}

static QuantizedWeights makeResult(const BlockLayout &layout,
                                   size_t numElements, bool isSigned) {
  QuantizedWeights result;
  result.codes.resize(numElements);
  result.numChannels = layout.numChannels;
  result.numGroups = layout.numGroups;
  result.axis = layout.axis;
  result.groupAxis = layout.groupAxis;
  result.blockSizes = layout.blockSizes;
  result.isSigned = isSigned;
  result.scales.resize(layout.numChannels * layout.numGroups);
  return result;
}

llvm::Expected<QuantizedWeights>
quantization::quantizeWeights(llvm::ArrayRef<float> data,
                              llvm::ArrayRef<int64_t> shape,
                              const WeightQuantOptions &options) {
  const IntegerFormat &format = options.format;
  if (format.bits < 2 || format.bits > 8)
    return makeError(llvm::formatv("cannot quantize weights to {0} bits: "
                                   "weight codes are 2 to 8 bits wide",
                                   format.bits)
                         .str());
  auto layout = resolveBlockLayout(data.size(), shape, options.axis,
                                   options.groupSize, options.groupAxis);
  if (!layout)
    return layout.takeError();

  QuantizedWeights result = makeResult(*layout, data.size(), format.isSigned);
  size_t numBlocks = result.scales.size();
  std::vector<float> mins(numBlocks, std::numeric_limits<float>::infinity());
  std::vector<float> maxs(numBlocks, -std::numeric_limits<float>::infinity());
  for (auto [i, value] : llvm::enumerate(data)) {
    if (std::isnan(value))
      continue;
    int64_t block = layout->getBlock(i);
    mins[block] = std::min(mins[block], value);
    maxs[block] = std::max(maxs[block], value);
  }

  result.zeroPoints.resize(numBlocks);
  for (size_t block = 0; block < numBlocks; ++block) {
    // An all-NaN (or empty) block has no range; 0 gives the degenerate one.
    float lo = mins[block] <= maxs[block] ? mins[block] : 0.0f;
    float hi = mins[block] <= maxs[block] ? maxs[block] : 0.0f;
    AffineParams params = chooseAffineParams(lo, hi, format);
    result.scales[block] = params.scale;
    result.zeroPoints[block] = params.zeroPoint;
  }

  IntegerRange range = format.getRange();
  for (auto [i, value] : llvm::enumerate(data)) {
    int64_t block = layout->getBlock(i);
    int32_t code =
        quantizeAffine(value, result.scales[block], result.zeroPoints[block],
                       range.min, range.max);
    // Unsigned 8-bit codes keep their bit pattern (see getCode).
    result.codes[i] = static_cast<int8_t>(static_cast<uint8_t>(code));
  }
  return result;
}

std::vector<float>
quantization::dequantizeWeights(const QuantizedWeights &weights,
                                llvm::ArrayRef<int64_t> shape) {
  auto layout = resolveBlockLayout(
      weights.codes.size(), shape, weights.axis,
      weights.groupAxis < 0 ? 0 : weights.blockSizes[weights.groupAxis],
      weights.groupAxis);
  assert(layout && "shape does not match the quantized weights");
  if (!layout) {
    llvm::consumeError(layout.takeError());
    return {};
  }
  std::vector<float> values(weights.codes.size());
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t block = layout->getBlock(i);
    values[i] = dequantizeAffine(weights.getCode(i), weights.scales[block],
                                 weights.zeroPoints[block]);
  }
  return values;
}

//===----------------------------------------------------------------------===//
// int4 packing
//===----------------------------------------------------------------------===//

std::vector<uint8_t> quantization::packInt4(llvm::ArrayRef<int8_t> codes) {
  std::vector<uint8_t> packed((codes.size() + 1) / 2, 0);
  for (auto [i, code] : llvm::enumerate(codes)) {
    uint8_t nibble = static_cast<uint8_t>(code) & 0x0F;
    packed[i / 2] |= (i % 2 == 0) ? nibble : static_cast<uint8_t>(nibble << 4);
  }
  return packed;
}

std::vector<int8_t> quantization::unpackInt4(llvm::ArrayRef<uint8_t> packed,
                                             size_t count, bool isSigned) {
  assert(packed.size() >= (count + 1) / 2 && "not enough packed bytes");
  std::vector<int8_t> codes(count);
  for (size_t i = 0; i < count; ++i) {
    uint8_t nibble =
        (i % 2 == 0) ? (packed[i / 2] & 0x0F) : (packed[i / 2] >> 4);
    int value = nibble;
    if (isSigned && nibble >= 8)
      value -= 16;
    codes[i] = static_cast<int8_t>(value);
  }
  return codes;
}

//===----------------------------------------------------------------------===//
// NF4
//===----------------------------------------------------------------------===//

const std::array<float, 16> quantization::kNF4Table = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

/// The decision thresholds between adjacent NF4 levels, as the float
/// literals of bitsandbytes' dQuantizeNF4 tree. They are the decimal
/// midpoints of the table, rounded once to float by the compiler; deriving
/// them at run time (decimal -> double -> float) rounds twice and differs in
/// the last bit for three of them, which would move ties.
static constexpr float kNF4Thresholds[15] = {
    -0.8480964004993439f,   -0.6106329262256622f,  -0.4599952697753906f,
    -0.33967943489551544f,  -0.23460740596055984f, -0.13791173323988914f,
    -0.045525018125772476f, 0.03979014977812767f,  0.1202552504837513f,
    0.2035212516784668f,    0.2920137718319893f,   0.3893125355243683f,
    0.5016634166240692f,    0.6427869200706482f,   0.8614784181118011f};

uint8_t quantization::quantizeNF4Value(float normalized) {
  if (std::isnan(normalized))
    return 7;
  // The code is the number of thresholds strictly below the value, which
  // sends exact thresholds down as bitsandbytes' `x > threshold` tree does.
  uint8_t code = 0;
  for (float threshold : kNF4Thresholds)
    code += normalized > threshold ? 1 : 0;
  return code;
}

llvm::Expected<QuantizedWeights>
quantization::quantizeNF4(llvm::ArrayRef<float> data,
                          llvm::ArrayRef<int64_t> shape, int64_t axis,
                          int64_t groupSize, int64_t groupAxis) {
  if (groupSize <= 0)
    return makeError(
        llvm::formatv("NF4 needs a positive group size, got {0}", groupSize)
            .str());
  auto layout =
      resolveBlockLayout(data.size(), shape, axis, groupSize, groupAxis);
  if (!layout)
    return layout.takeError();

  QuantizedWeights result =
      makeResult(*layout, data.size(), /*isSigned=*/false);
  for (auto [i, value] : llvm::enumerate(data)) {
    if (std::isnan(value))
      continue;
    float &absmax = result.scales[layout->getBlock(i)];
    absmax = std::max(absmax, std::fabs(value));
  }
  std::vector<float> inverse(result.scales.size(), 0.0f);
  for (auto [block, absmax] : llvm::enumerate(result.scales))
    if (absmax > 0.0f)
      inverse[block] = 1.0f / absmax;
  for (auto [i, value] : llvm::enumerate(data)) {
    int64_t block = layout->getBlock(i);
    result.codes[i] =
        static_cast<int8_t>(quantizeNF4Value(value * inverse[block]));
  }
  return result;
}

std::vector<float> quantization::dequantizeNF4(const QuantizedWeights &weights,
                                               llvm::ArrayRef<int64_t> shape) {
  auto layout = resolveBlockLayout(
      weights.codes.size(), shape, weights.axis,
      weights.groupAxis < 0 ? 0 : weights.blockSizes[weights.groupAxis],
      weights.groupAxis);
  assert(layout && "shape does not match the quantized weights");
  if (!layout) {
    llvm::consumeError(layout.takeError());
    return {};
  }
  std::vector<float> values(weights.codes.size());
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = kNF4Table[weights.codes[i] & 0x0F] *
                weights.scales[layout->getBlock(i)];
  return values;
}

//===----------------------------------------------------------------------===//
// FP8 E4M3FN
//===----------------------------------------------------------------------===//

uint8_t quantization::floatToE4M3FN(float x, bool saturate) {
  uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
  if (std::isnan(x))
    return sign | 0x7F;
  float magnitude = std::fabs(x);
  if (std::isinf(magnitude))
    return sign | (saturate ? 0x7E : 0x7F);

  // Subnormals are multiples of 2^-9; rounding to 8 * 2^-9 = 2^-6 yields
  // code 0x08, the smallest normal, so no special case is needed.
  constexpr float kMinNormal = 0x1p-6f;
  uint32_t code;
  if (magnitude < kMinNormal) {
    code = static_cast<uint32_t>(roundHalfToEven(std::ldexp(magnitude, 9)));
  } else {
    int exponent; // magnitude = fraction * 2^exponent, fraction in [0.5, 1).
    float fraction = std::frexp(magnitude, &exponent);
    int unbiased = exponent - 1;
    // mantissa * 8 in [8, 16); both scalings by powers of two are exact.
    uint32_t mantissa =
        static_cast<uint32_t>(roundHalfToEven(std::ldexp(fraction, 4)));
    if (mantissa == 16) { // Rounded up into the next binade.
      mantissa = 8;
      ++unbiased;
    }
    int biased = unbiased + 7;
    if (biased > 15)
      code = 0x7F + 1; // Any value above the format; handled below.
    else
      code = (static_cast<uint32_t>(biased) << 3) | (mantissa - 8);
  }
  if (code > 0x7E)
    return sign | (saturate ? 0x7E : 0x7F);
  return sign | static_cast<uint8_t>(code);
}

float quantization::e4m3fnToFloat(uint8_t code) {
  bool negative = code & 0x80;
  int exponent = (code >> 3) & 0x0F;
  int mantissa = code & 0x07;
  float magnitude;
  if (exponent == 15 && mantissa == 7)
    magnitude = std::numeric_limits<float>::quiet_NaN();
  else if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -9);
  else
    magnitude = std::ldexp(static_cast<float>(8 + mantissa), exponent - 10);
  return negative ? -magnitude : magnitude;
}

float quantization::chooseFP8Scale(float absmax) {
  float scale = std::fabs(absmax) / kE4M3FNMax;
  if (!(scale >= std::numeric_limits<float>::min()) || std::isinf(scale))
    return 1.0f;
  return scale;
}

std::vector<uint8_t> quantization::quantizeFP8(llvm::ArrayRef<float> data,
                                               float scale, bool saturate) {
  assert(scale > 0.0f && std::isfinite(scale) && "scale must be positive");
  std::vector<uint8_t> codes(data.size());
  for (auto [i, value] : llvm::enumerate(data))
    codes[i] = floatToE4M3FN(value / scale, saturate);
  return codes;
}

//===----------------------------------------------------------------------===//
// Ternary
//===----------------------------------------------------------------------===//

float quantization::ternaryScale(llvm::ArrayRef<float> weights) {
  double sum = 0.0;
  size_t count = 0;
  for (float w : weights) {
    if (std::isnan(w))
      continue;
    sum += std::fabs(static_cast<double>(w));
    ++count;
  }
  if (count == 0)
    return kTernaryMinScale;
  float mean = static_cast<float>(sum / static_cast<double>(count));
  if (std::isinf(mean))
    mean = std::numeric_limits<float>::max();
  return std::max(mean, kTernaryMinScale);
}

std::vector<int8_t> quantization::quantizeTernary(llvm::ArrayRef<float> weights,
                                                  float scale) {
  std::vector<int8_t> codes(weights.size());
  for (auto [i, w] : llvm::enumerate(weights))
    codes[i] = static_cast<int8_t>(quantizeAffine(w, scale, 0, -1, 1));
  return codes;
}
