//===- TensorComparison.cpp - Outputs against expected tensors ------------===//

#include "TensorComparison.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

using namespace lowbit;

/// Widens an IEEE half-precision value.
static double halfToDouble(uint16_t bits) {
  int sign = bits >> 15;
  int exponent = (bits >> 10) & 0x1f;
  int mantissa = bits & 0x3ff;
  double value;
  if (exponent == 0)
    value = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -value : value;
}

template <typename T> static T loadValue(const uint8_t *data, int64_t index) {
  T value;
  std::memcpy(&value, data + index * sizeof(T), sizeof(T));
  return value;
}

/// Element `index` of `tensor` as a double. 64-bit integers beyond 2^53 lose
/// precision here; equal values are caught exactly before this is needed.
static double loadAsDouble(const TensorData &tensor, int64_t index) {
  const uint8_t *data = tensor.data.data();
  switch (tensor.dtype) {
  case LOWBIT_DTYPE_FLOAT32:
    return loadValue<float>(data, index);
  case LOWBIT_DTYPE_FLOAT64:
    return loadValue<double>(data, index);
  case LOWBIT_DTYPE_FLOAT16:
    return halfToDouble(loadValue<uint16_t>(data, index));
  case LOWBIT_DTYPE_INT8:
    return loadValue<int8_t>(data, index);
  case LOWBIT_DTYPE_UINT8:
  case LOWBIT_DTYPE_BOOL:
    return loadValue<uint8_t>(data, index);
  case LOWBIT_DTYPE_INT16:
    return loadValue<int16_t>(data, index);
  case LOWBIT_DTYPE_UINT16:
    return loadValue<uint16_t>(data, index);
  case LOWBIT_DTYPE_INT32:
    return loadValue<int32_t>(data, index);
  case LOWBIT_DTYPE_UINT32:
    return loadValue<uint32_t>(data, index);
  case LOWBIT_DTYPE_INT64:
    return static_cast<double>(loadValue<int64_t>(data, index));
  case LOWBIT_DTYPE_UINT64:
    return static_cast<double>(loadValue<uint64_t>(data, index));
  }
  return NAN;
}

static bool isFloatType(lowbit_dtype dtype) {
  return dtype == LOWBIT_DTYPE_FLOAT32 || dtype == LOWBIT_DTYPE_FLOAT64 ||
         dtype == LOWBIT_DTYPE_FLOAT16;
}

llvm::Expected<TensorComparison>
lowbit::compareTensors(const TensorData &actual, const TensorData &expected,
                       const Tolerance &tolerance) {
  if (actual.dtype != expected.dtype || actual.shape != expected.shape)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "expected " + expected.getTypeString() +
                                       ", the model produced " +
                                       actual.getTypeString());

  TensorComparison result;
  result.shape = actual.shape;
  result.numElements = actual.getNumElements();
  size_t elementSize = getDTypeSize(actual.dtype);
  bool isFloat = isFloatType(actual.dtype);
  double dot = 0, actualNorm = 0, expectedNorm = 0;
  double worstExcess = -1;
  for (int64_t i = 0; i < result.numElements; ++i) {
    // Identical bytes match exactly (this also keeps large 64-bit integers
    // exact); for floats, -0 vs 0 and NaN payloads go the slow way.
    bool sameBytes =
        std::memcmp(actual.data.data() + i * elementSize,
                    expected.data.data() + i * elementSize, elementSize) == 0;
    double a = loadAsDouble(actual, i);
    double e = loadAsDouble(expected, i);
    if (std::isfinite(a) && std::isfinite(e)) {
      dot += a * e;
      actualNorm += a * a;
      expectedNorm += e * e;
    }
    if (sameBytes && !(isFloat && std::isnan(a)))
      continue;
    double excess;
    double absError;
    if (std::isnan(a) || std::isnan(e) || std::isinf(a) || std::isinf(e)) {
      // NaN matches NaN and an infinity matches itself, as in NumPy.
      bool match = (std::isnan(a) && std::isnan(e)) || a == e;
      if (match)
        continue;
      absError = INFINITY;
      excess = INFINITY;
      result.maxRelError = INFINITY;
    } else {
      absError = std::fabs(a - e);
      excess = absError - (tolerance.atol + tolerance.rtol * std::fabs(e));
    }
    result.maxAbsError = std::max(result.maxAbsError, absError);
    if (e != 0 && std::isfinite(absError))
      result.maxRelError =
          std::max(result.maxRelError, absError / std::fabs(e));
    if (excess > 0) {
      ++result.numMismatches;
      if (excess > worstExcess) {
        worstExcess = excess;
        result.worstIndex = i;
        result.worstActual = a;
        result.worstExpected = e;
      }
    }
  }
  if (actualNorm > 0 && expectedNorm > 0)
    result.cosineSimilarity =
        dot / (std::sqrt(actualNorm) * std::sqrt(expectedNorm));
  else if (actualNorm != expectedNorm)
    result.cosineSimilarity = 0; // One is all zeros, the other is not.
  return result;
}

std::string TensorComparison::format(const Tolerance &tolerance) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("max_abs_err=%.3g max_rel_err=%.3g cosine=%.6f",
                     maxAbsError, maxRelError, cosineSimilarity);
  if (isWithinTolerance()) {
    os << " ok";
    return text;
  }
  // Coordinates of the worst element, innermost dimension last.
  llvm::SmallVector<int64_t> coordinates(shape.size());
  int64_t rest = worstIndex;
  for (size_t d = shape.size(); d-- > 0;) {
    coordinates[d] = shape[d] ? rest % shape[d] : 0;
    rest = shape[d] ? rest / shape[d] : 0;
  }
  os << " MISMATCH: " << numMismatches << " of " << numElements
     << llvm::format(" elements outside rtol=%g atol=%g; worst at ",
                     tolerance.rtol, tolerance.atol)
     << formatShape(coordinates)
     << llvm::format(": got %.9g, expected %.9g", worstActual, worstExpected);
  return text;
}
