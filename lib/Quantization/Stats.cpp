//===- Stats.cpp - The versioned calibration statistics file --------------===//
//
// Reading, writing and merging stats files. The writer emits keys in sorted
// order and floats in their shortest round-tripping form so that the same
// statistics always give the same bytes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Stats.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace lowbit;
using namespace lowbit::quantization;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// ExactSum
//===----------------------------------------------------------------------===//

/// |units| stays below 2^105: the rounded double and its remainder then
/// hold the sum exactly (the remainder is below 2^51 units).
static constexpr __int128 kExactSumLimit = static_cast<__int128>(1) << 105;

static bool inExactSumRange(__int128 units) {
  return units < kExactSumLimit && units > -kExactSumLimit;
}

bool ExactSum::add(float value) {
  double scaled = std::nearbyint(
      std::ldexp(static_cast<double>(value), kFractionBits));
  if (!(std::fabs(scaled) < 0x1p105))
    return false;
  __int128 sum = units + static_cast<__int128>(scaled);
  if (!inExactSumRange(sum))
    return false;
  units = sum;
  return true;
}

bool ExactSum::add(const ExactSum &other) {
  __int128 sum = units + other.units;
  if (!inExactSumRange(sum))
    return false;
  units = sum;
  return true;
}

/// `units` rounded to the nearest double (ties to even): the high 53 bits
/// and the low 52 bits are exact doubles, and their sum rounds once.
static double roundUnits(__int128 units) {
  __int128 high = units >> 52; // floor, |high| < 2^53
  __int128 low = units - (high << 52);
  return std::ldexp(static_cast<double>(static_cast<int64_t>(high)), 52) +
         static_cast<double>(static_cast<int64_t>(low));
}

double ExactSum::getHigh() const {
  return std::ldexp(roundUnits(units), -kFractionBits);
}

double ExactSum::getLow() const {
  __int128 rest = units - static_cast<__int128>(roundUnits(units));
  return std::ldexp(static_cast<double>(static_cast<int64_t>(rest)),
                    -kFractionBits);
}

std::optional<ExactSum> ExactSum::fromParts(double high, double low) {
  __int128 parts[2];
  double given[2] = {high, low};
  for (int i = 0; i < 2; ++i) {
    double scaled = std::ldexp(given[i], kFractionBits);
    if (!std::isfinite(scaled) || scaled != std::trunc(scaled) ||
        !(std::fabs(scaled) < 0x1p106))
      return std::nullopt;
    parts[i] = static_cast<__int128>(scaled);
  }
  ExactSum sum;
  sum.units = parts[0] + parts[1];
  if (!inExactSumRange(sum.units))
    return std::nullopt;
  return sum;
}

//===----------------------------------------------------------------------===//
// TensorStatistics
//===----------------------------------------------------------------------===//

/// Adds the finite values of a row-major tensor of `shape` (already checked
/// against `values` and `axis` by accumulateChannelAbsMax) to per-channel
/// counts and sums along `axis`; empty vectors are sized to the channel
/// count. Returns false when a sum leaves ExactSum's range.
static llvm::Expected<bool>
accumulateChannelSums(std::vector<uint64_t> &counts,
                      std::vector<ExactSum> &sums,
                      llvm::ArrayRef<float> values,
                      llvm::ArrayRef<int64_t> shape, int64_t axis) {
  int64_t channels = shape[axis];
  if (counts.empty() && sums.empty()) {
    counts.assign(channels, 0);
    sums.assign(channels, ExactSum());
  }
  if (static_cast<int64_t>(counts.size()) != channels ||
      static_cast<int64_t>(sums.size()) != channels)
    return makeError(llvm::formatv("tensor has {0} channels along axis {1} "
                                   "but {2} channel sums were observed "
                                   "before",
                                   channels, axis, sums.size())
                         .str());
  int64_t inner = 1;
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  if (channels == 0 || inner == 0)
    return true;
  int64_t outer = static_cast<int64_t>(values.size()) / (channels * inner);
  const float *data = values.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      ExactSum &sum = sums[c];
      for (int64_t i = 0; i < inner; ++i, ++data) {
        if (!std::isfinite(*data))
          continue;
        if (!sum.add(*data))
          return false;
        ++counts[c];
      }
    }
  }
  return true;
}

llvm::Error TensorStatistics::add(llvm::ArrayRef<float> values,
                                  llvm::ArrayRef<int64_t> shape,
                                  bool withHistogram) {
  // Validate the channel layout first so that a failed add changes nothing.
  if (channelAxis >= 0) {
    std::vector<float> updated = channelAbsMax;
    if (llvm::Error error =
            accumulateChannelAbsMax(updated, values, shape, channelAxis))
      return makeError("tensor '" + name + "': " + toString(std::move(error)));
    // Sums cover every value or none: statistics that observed values
    // without them (read from an older file) do not start them.
    bool observedNothing = count == 0 && nonFiniteCount == 0;
    std::vector<uint64_t> counts;
    std::vector<ExactSum> sums;
    if (hasChannelMeans() || observedNothing) {
      counts = channelCount;
      sums = channelSum;
      llvm::Expected<bool> inRange =
          accumulateChannelSums(counts, sums, values, shape, channelAxis);
      if (!inRange)
        return makeError("tensor '" + name +
                         "': " + toString(inRange.takeError()));
      if (!*inRange) {
        counts.clear();
        sums.clear();
      }
    }
    channelAbsMax = std::move(updated);
    channelCount = std::move(counts);
    channelSum = std::move(sums);
  }
  for (float x : values) {
    if (!std::isfinite(x)) {
      ++nonFiniteCount;
      continue;
    }
    ++count;
    min = std::min(min, x);
    max = std::max(max, x);
  }
  if (withHistogram)
    histogram.add(values);
  return llvm::Error::success();
}

/// The per-channel counts and sums of `a` merged with `b`'s: kept when both
/// have them, or one of them observed nothing at all (its sums would be
/// zeros); else empty, since they would no longer cover every value.
static llvm::Error mergeChannelSums(const TensorStatistics &a,
                                    const TensorStatistics &b,
                                    std::vector<uint64_t> &counts,
                                    std::vector<ExactSum> &sums) {
  auto observedNothing = [](const TensorStatistics &t) {
    return t.count == 0 && t.nonFiniteCount == 0;
  };
  counts.clear();
  sums.clear();
  if (!a.hasChannelMeans() || !b.hasChannelMeans()) {
    const TensorStatistics *only = a.hasChannelMeans()   ? &a
                                   : b.hasChannelMeans() ? &b
                                                         : nullptr;
    if (only && observedNothing(only == &a ? b : a)) {
      counts = only->channelCount;
      sums = only->channelSum;
    }
    return llvm::Error::success();
  }
  if (a.channelSum.size() != b.channelSum.size())
    return makeError(llvm::formatv("tensor '{0}': cannot merge per-channel "
                                   "sums of {1} and {2} channels",
                                   a.name, a.channelSum.size(),
                                   b.channelSum.size())
                         .str());
  counts = a.channelCount;
  sums = a.channelSum;
  for (size_t c = 0; c < sums.size(); ++c) {
    counts[c] += b.channelCount[c];
    if (!sums[c].add(b.channelSum[c])) {
      counts.clear();
      sums.clear();
      break;
    }
  }
  return llvm::Error::success();
}

std::vector<double> TensorStatistics::getChannelMeans() const {
  std::vector<double> means;
  if (!hasChannelMeans())
    return means;
  means.reserve(channelSum.size());
  for (auto [sum, n] : llvm::zip_equal(channelSum, channelCount))
    means.push_back(n == 0 ? 0.0
                           : (sum.getHigh() + sum.getLow()) /
                                 static_cast<double>(n));
  return means;
}

llvm::Error TensorStatistics::merge(const TensorStatistics &other) {
  // Everything that can fail first, so that a failed merge changes nothing.
  std::vector<float> absMax = channelAbsMax;
  if (other.channelAxis >= 0) {
    if (channelAxis >= 0 && channelAxis != other.channelAxis)
      return makeError(llvm::formatv("tensor '{0}': per-channel absmax was "
                                     "collected along axis {1} and along "
                                     "axis {2}",
                                     name, channelAxis, other.channelAxis)
                           .str());
    if (llvm::Error error = mergeChannelAbsMax(absMax, other.channelAbsMax))
      return makeError("tensor '" + name + "': " + toString(std::move(error)));
  }
  std::vector<uint64_t> counts;
  std::vector<ExactSum> sums;
  if (llvm::Error error = mergeChannelSums(*this, other, counts, sums))
    return error;
  if (other.channelAxis >= 0)
    channelAxis = other.channelAxis;
  channelAbsMax = std::move(absMax);
  channelCount = std::move(counts);
  channelSum = std::move(sums);
  count += other.count;
  nonFiniteCount += other.nonFiniteCount;
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  histogram.merge(other.histogram);
  return llvm::Error::success();
}

bool TensorStatistics::operator==(const TensorStatistics &other) const {
  return name == other.name && count == other.count &&
         nonFiniteCount == other.nonFiniteCount && min == other.min &&
         max == other.max && histogram == other.histogram &&
         channelAxis == other.channelAxis &&
         channelAbsMax == other.channelAbsMax &&
         channelCount == other.channelCount && channelSum == other.channelSum;
}

bool StatsFile::operator==(const StatsFile &other) const {
  return formatVersion == other.formatVersion &&
         modelSha256 == other.modelSha256 && sampleCount == other.sampleCount &&
         calibrationSha256 == other.calibrationSha256 &&
         tensors == other.tensors;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// The shortest decimal that reads back as exactly `value`, both through
/// strtof and through strtod followed by a float conversion (which is what
/// a JSON reader that parses doubles does).
static std::string formatFloat(float value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision,
                  static_cast<double>(value));
    if (std::strtof(buffer, nullptr) == value &&
        static_cast<float>(std::strtod(buffer, nullptr)) == value)
      break;
  }
  return buffer;
}

/// The shortest decimal that reads back as exactly `value` through strtod.
static std::string formatDouble(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  return buffer;
}

/// A finite float, or null.
static void writeFloat(llvm::json::OStream &json, float value) {
  if (!std::isfinite(value)) {
    json.value(nullptr);
    return;
  }
  json.rawValue(formatFloat(value));
}

static void writeUInt(llvm::json::OStream &json, uint64_t value) {
  json.rawValue(std::to_string(value));
}

/// Long numeric arrays go on one line: a histogram is thousands of numbers.
template <typename T, typename Fn>
static void writeInlineArray(llvm::json::OStream &json,
                             llvm::ArrayRef<T> values, Fn format) {
  json.rawValue([&](llvm::raw_ostream &os) {
    os << "[";
    for (auto [i, value] : llvm::enumerate(values)) {
      if (i)
        os << ", ";
      os << format(value);
    }
    os << "]";
  });
}

static void writeTensor(llvm::json::OStream &json,
                        const TensorStatistics &tensor) {
  // Keys in sorted order.
  json.object([&] {
    if (tensor.channelAxis >= 0) {
      json.attributeBegin("channel_abs_max");
      writeInlineArray(json, llvm::ArrayRef<float>(tensor.channelAbsMax),
                       formatFloat);
      json.attributeEnd();
      json.attribute("channel_axis", tensor.channelAxis);
      if (tensor.hasChannelMeans()) {
        json.attributeBegin("channel_count");
        writeInlineArray(json, llvm::ArrayRef<uint64_t>(tensor.channelCount),
                         [](uint64_t c) { return std::to_string(c); });
        json.attributeEnd();
        std::vector<double> high, low;
        for (const ExactSum &sum : tensor.channelSum) {
          high.push_back(sum.getHigh());
          low.push_back(sum.getLow());
        }
        json.attributeBegin("channel_sum");
        writeInlineArray(json, llvm::ArrayRef<double>(high), formatDouble);
        json.attributeEnd();
        json.attributeBegin("channel_sum_low");
        writeInlineArray(json, llvm::ArrayRef<double>(low), formatDouble);
        json.attributeEnd();
      }
    }
    json.attributeBegin("count");
    writeUInt(json, tensor.count);
    json.attributeEnd();
    const Histogram &histogram = tensor.histogram;
    // An all-NaN tensor still has a (binless) histogram worth keeping.
    if (!histogram.empty() || histogram.getNonFiniteCount() > 0) {
      json.attributeObject("histogram", [&] {
        json.attribute("bin_width_log2",
                       static_cast<int64_t>(histogram.getBinWidthLog2()));
        json.attributeBegin("counts");
        writeInlineArray(json, histogram.getCounts(),
                         [](uint64_t c) { return std::to_string(c); });
        json.attributeEnd();
        json.attribute("first_bin", histogram.getFirstBin());
        json.attribute("num_bins",
                       static_cast<int64_t>(histogram.getNumBins()));
        json.attributeBegin("zero_count");
        writeUInt(json, histogram.getZeroCount());
        json.attributeEnd();
      });
    }
    json.attributeBegin("max");
    writeFloat(json, tensor.max);
    json.attributeEnd();
    json.attributeBegin("min");
    writeFloat(json, tensor.min);
    json.attributeEnd();
    json.attributeBegin("non_finite_count");
    writeUInt(json, tensor.nonFiniteCount);
    json.attributeEnd();
  });
}

std::string quantization::printStatsFile(const StatsFile &stats) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("calibration_sha256", stats.calibrationSha256);
    json.attribute("format", "lowbit-stats");
    json.attribute("format_version", static_cast<int64_t>(stats.formatVersion));
    json.attribute("model_sha256", stats.modelSha256);
    json.attributeBegin("sample_count");
    writeUInt(json, stats.sampleCount);
    json.attributeEnd();
    json.attributeObject("tensors", [&] {
      // std::map iterates in sorted key order.
      for (const auto &[name, tensor] : stats.tensors) {
        json.attributeBegin(name);
        writeTensor(json, tensor);
        json.attributeEnd();
      }
    });
  });
  os << "\n";
  return text;
}

llvm::Error quantization::writeStatsFile(const StatsFile &stats,
                                         llvm::StringRef path) {
  std::string text = printStatsFile(stats);
  if (llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
        os << text;
        return llvm::Error::success();
      }))
    return makeError("cannot write stats file '" + path +
                     "': " + toString(std::move(error)));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
/// Typed field access whose errors say which file, tensor and field.
class StatsReader {
public:
  explicit StatsReader(llvm::StringRef path) : path(path) {}

  llvm::Error fail(const llvm::Twine &what) const {
    return makeError("stats file '" + path + "': " + what);
  }

  /// Errors on keys outside `known`, so a typo or a newer writer is caught.
  llvm::Error checkKeys(const llvm::json::Object &object,
                        llvm::ArrayRef<llvm::StringRef> known,
                        const llvm::Twine &where) const {
    for (const auto &entry : object) {
      llvm::StringRef key = entry.first;
      if (!llvm::is_contained(known, key))
        return fail(where + ": unknown field '" + key + "'");
    }
    return llvm::Error::success();
  }

  const llvm::json::Value *require(const llvm::json::Object &object,
                                   llvm::StringRef key,
                                   const llvm::Twine &where,
                                   llvm::Error &error) const {
    const llvm::json::Value *value = object.get(key);
    if (!value)
      error = fail(where + ": missing field '" + key + "'");
    return value;
  }

  llvm::Expected<std::string> getString(const llvm::json::Object &object,
                                        llvm::StringRef key,
                                        const llvm::Twine &where) const {
    llvm::Error error = llvm::Error::success();
    const llvm::json::Value *value = require(object, key, where, error);
    if (!value)
      return std::move(error);
    llvm::consumeError(std::move(error));
    if (auto text = value->getAsString())
      return text->str();
    return fail(where + ": field '" + key + "' must be a string");
  }

  llvm::Expected<uint64_t> getUInt(const llvm::json::Value &value,
                                   const llvm::Twine &what) const {
    if (auto number = value.getAsUINT64())
      return *number;
    return fail(what + " must be a non-negative integer");
  }

  llvm::Expected<int64_t> getInt(const llvm::json::Value &value,
                                 const llvm::Twine &what) const {
    if (auto number = value.getAsInteger())
      return *number;
    return fail(what + " must be an integer");
  }

  /// A float written by formatFloat, or null for `ifNull`.
  llvm::Expected<float> getFloat(const llvm::json::Value &value,
                                 const llvm::Twine &what, float ifNull) const {
    if (value.getAsNull())
      return ifNull;
    if (auto number = value.getAsNumber())
      return static_cast<float>(*number);
    return fail(what + " must be a number or null");
  }

  llvm::StringRef path;
};
} // namespace

static llvm::Expected<Histogram> readHistogram(const StatsReader &reader,
                                               const llvm::json::Object &object,
                                               const TensorStatistics &tensor,
                                               const std::string &where) {
  if (llvm::Error error = reader.checkKeys(
          object,
          {"bin_width_log2", "counts", "first_bin", "num_bins", "zero_count"},
          where))
    return std::move(error);
  int64_t fields[4];
  const char *names[4] = {"bin_width_log2", "first_bin", "num_bins",
                          "zero_count"};
  for (int i = 0; i < 4; ++i) {
    const llvm::json::Value *value = object.get(names[i]);
    if (!value)
      return reader.fail(where + ": missing field '" + names[i] + "'");
    auto number = reader.getInt(*value, where + "." + names[i]);
    if (!number)
      return number.takeError();
    fields[i] = *number;
  }
  const llvm::json::Array *array =
      object.get("counts") ? object.get("counts")->getAsArray() : nullptr;
  if (!array)
    return reader.fail(where + ": field 'counts' must be an array");
  std::vector<uint64_t> counts;
  counts.reserve(array->size());
  for (const llvm::json::Value &value : *array) {
    auto c = reader.getUInt(value, where + ".counts entries");
    if (!c)
      return c.takeError();
    counts.push_back(*c);
  }
  if (fields[3] < 0)
    return reader.fail(where + ".zero_count must not be negative");
  if (fields[2] < 2 || fields[2] > (int64_t(1) << 24))
    return reader.fail(where + ".num_bins " + llvm::Twine(fields[2]) +
                       " is out of range");
  if (fields[0] < -200 || fields[0] > 200)
    return reader.fail(where + ".bin_width_log2 " + llvm::Twine(fields[0]) +
                       " is out of range");
  uint64_t total = 0;
  for (uint64_t c : counts)
    total += c;
  if (total != tensor.count)
    return reader.fail(llvm::formatv("{0}: histogram holds {1} values but "
                                     "count is {2}",
                                     where, total, tensor.count)
                           .str());
  auto histogram = Histogram::fromParts(
      static_cast<unsigned>(fields[2]), static_cast<int>(fields[0]), fields[1],
      std::move(counts), tensor.min, tensor.max,
      static_cast<uint64_t>(fields[3]), tensor.nonFiniteCount);
  if (!histogram)
    return reader.fail(where + ": " + toString(histogram.takeError()));
  return histogram;
}

/// The optional channel_count / channel_sum / channel_sum_low arrays of a
/// tensor whose count and channel_abs_max were read.
static llvm::Error readChannelSums(const StatsReader &reader,
                                   const llvm::json::Object &object,
                                   TensorStatistics &tensor,
                                   const std::string &where) {
  const char *keys[3] = {"channel_count", "channel_sum", "channel_sum_low"};
  const llvm::json::Array *arrays[3];
  int present = 0;
  for (int i = 0; i < 3; ++i) {
    const llvm::json::Value *value = object.get(keys[i]);
    arrays[i] = value ? value->getAsArray() : nullptr;
    if (value && !arrays[i])
      return reader.fail(where + "." + keys[i] + " must be an array");
    present += value != nullptr;
  }
  if (present == 0)
    return llvm::Error::success();
  if (present != 3)
    return reader.fail(where + ": channel_count, channel_sum and "
                               "channel_sum_low come together");
  size_t channels = tensor.channelAbsMax.size();
  for (int i = 0; i < 3; ++i)
    if (arrays[i]->size() != channels)
      return reader.fail(llvm::formatv("{0}.{1} has {2} entries but "
                                       "channel_abs_max has {3}",
                                       where, keys[i], arrays[i]->size(),
                                       channels)
                             .str());
  uint64_t total = 0;
  for (size_t c = 0; c < channels; ++c) {
    auto n = reader.getUInt((*arrays[0])[c], where + ".channel_count entries");
    if (!n)
      return n.takeError();
    std::optional<double> high = (*arrays[1])[c].getAsNumber();
    std::optional<double> low = (*arrays[2])[c].getAsNumber();
    std::optional<ExactSum> sum;
    if (high && low)
      sum = ExactSum::fromParts(*high, *low);
    if (!sum)
      return reader.fail(where + ": channel_sum and channel_sum_low entries "
                                 "must be finite multiples of 2^-48 whose "
                                 "sum is below 2^57");
    total += *n;
    tensor.channelCount.push_back(*n);
    tensor.channelSum.push_back(*sum);
  }
  if (total != tensor.count)
    return reader.fail(llvm::formatv("{0}: channel_count adds up to {1} but "
                                     "count is {2}",
                                     where, total, tensor.count)
                           .str());
  return llvm::Error::success();
}

static llvm::Expected<TensorStatistics>
readTensor(const StatsReader &reader, llvm::StringRef name,
           const llvm::json::Value &value) {
  std::string where = ("tensor '" + name + "'").str();
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return reader.fail(where + " must be an object");
  if (llvm::Error error =
          reader.checkKeys(*object,
                           {"channel_abs_max", "channel_axis",
                            "channel_count", "channel_sum", "channel_sum_low",
                            "count", "histogram", "max", "min",
                            "non_finite_count"},
                           where))
    return std::move(error);

  TensorStatistics tensor;
  tensor.name = name.str();
  for (llvm::StringRef key : {"count", "non_finite_count", "min", "max"})
    if (!object->get(key))
      return reader.fail(where + ": missing field '" + key + "'");
  auto count = reader.getUInt(*object->get("count"), where + ".count");
  if (!count)
    return count.takeError();
  tensor.count = *count;
  auto nonFinite = reader.getUInt(*object->get("non_finite_count"),
                                  where + ".non_finite_count");
  if (!nonFinite)
    return nonFinite.takeError();
  tensor.nonFiniteCount = *nonFinite;
  auto min = reader.getFloat(*object->get("min"), where + ".min",
                             std::numeric_limits<float>::infinity());
  if (!min)
    return min.takeError();
  auto max = reader.getFloat(*object->get("max"), where + ".max",
                             -std::numeric_limits<float>::infinity());
  if (!max)
    return max.takeError();
  tensor.min = *min;
  tensor.max = *max;
  if ((tensor.count > 0) != (tensor.min <= tensor.max))
    return reader.fail(where + ": min and max must be numbers with min <= max "
                               "exactly when count is non-zero");

  if (const llvm::json::Value *axis = object->get("channel_axis")) {
    auto number = reader.getInt(*axis, where + ".channel_axis");
    if (!number)
      return number.takeError();
    if (*number < 0)
      return reader.fail(where + ".channel_axis must not be negative");
    tensor.channelAxis = *number;
    const llvm::json::Value *values = object->get("channel_abs_max");
    const llvm::json::Array *array = values ? values->getAsArray() : nullptr;
    if (!array)
      return reader.fail(where + ": channel_axis needs a channel_abs_max "
                                 "array");
    for (const llvm::json::Value &entry : *array) {
      auto absMax = reader.getFloat(entry, where + ".channel_abs_max entries",
                                    std::numeric_limits<float>::quiet_NaN());
      if (!absMax)
        return absMax.takeError();
      if (!(*absMax >= 0.0f))
        return reader.fail(where + ".channel_abs_max entries must be "
                                   "non-negative numbers");
      tensor.channelAbsMax.push_back(*absMax);
    }
    if (llvm::Error error = readChannelSums(reader, *object, tensor, where))
      return std::move(error);
  } else {
    for (llvm::StringRef key : {"channel_abs_max", "channel_count",
                                "channel_sum", "channel_sum_low"})
      if (object->get(key))
        return reader.fail(where + ": " + key + " needs a channel_axis");
  }

  if (const llvm::json::Value *histogram = object->get("histogram")) {
    const llvm::json::Object *histogramObject = histogram->getAsObject();
    if (!histogramObject)
      return reader.fail(where + ".histogram must be an object");
    auto parsed =
        readHistogram(reader, *histogramObject, tensor, where + ".histogram");
    if (!parsed)
      return parsed.takeError();
    tensor.histogram = std::move(*parsed);
  }
  return tensor;
}

llvm::Expected<StatsFile> quantization::parseStatsFile(llvm::StringRef text,
                                                       llvm::StringRef path) {
  StatsReader reader(path);
  llvm::Expected<llvm::json::Value> root = llvm::json::parse(text);
  if (!root)
    return reader.fail("invalid JSON: " + toString(root.takeError()));
  const llvm::json::Object *object = root->getAsObject();
  if (!object)
    return reader.fail("expected a JSON object at the top level");

  // Format and version first: a file of another version may differ anywhere.
  auto format = reader.getString(*object, "format", "top level");
  if (!format)
    return format.takeError();
  if (*format != "lowbit-stats")
    return reader.fail("format is '" + *format + "', expected 'lowbit-stats'");
  const llvm::json::Value *version = object->get("format_version");
  if (!version)
    return reader.fail("missing field 'format_version'");
  std::optional<int64_t> versionNumber = version->getAsInteger();
  if (!versionNumber)
    return reader.fail("format_version must be an integer");
  if (*versionNumber != StatsFile::kFormatVersion)
    return reader.fail(llvm::formatv("format version {0} is not supported; "
                                     "this build reads version {1}",
                                     *versionNumber, StatsFile::kFormatVersion)
                           .str());
  if (llvm::Error error =
          reader.checkKeys(*object,
                           {"calibration_sha256", "format", "format_version",
                            "model_sha256", "sample_count", "tensors"},
                           "top level"))
    return std::move(error);

  StatsFile stats;
  stats.path = path.str();
  stats.formatVersion = static_cast<int>(*versionNumber);
  auto model = reader.getString(*object, "model_sha256", "top level");
  if (!model)
    return model.takeError();
  stats.modelSha256 = *model;
  auto calibration =
      reader.getString(*object, "calibration_sha256", "top level");
  if (!calibration)
    return calibration.takeError();
  stats.calibrationSha256 = *calibration;
  const llvm::json::Value *samples = object->get("sample_count");
  if (!samples)
    return reader.fail("missing field 'sample_count'");
  auto sampleCount = reader.getUInt(*samples, "sample_count");
  if (!sampleCount)
    return sampleCount.takeError();
  stats.sampleCount = *sampleCount;

  const llvm::json::Value *tensors = object->get("tensors");
  const llvm::json::Object *tensorObject =
      tensors ? tensors->getAsObject() : nullptr;
  if (!tensorObject)
    return reader.fail("field 'tensors' must be an object");
  for (const auto &[name, value] : *tensorObject) {
    auto tensor = readTensor(reader, name, value);
    if (!tensor)
      return tensor.takeError();
    stats.tensors.emplace(name.str(), std::move(*tensor));
  }
  return stats;
}

llvm::Expected<StatsFile> quantization::readStatsFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read stats file '" + path +
                     "': " + buffer.getError().message());
  return parseStatsFile((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Merging
//===----------------------------------------------------------------------===//

static llvm::StringRef displayName(const StatsFile &file) {
  return file.path.empty() ? llvm::StringRef("<unnamed>")
                           : llvm::StringRef(file.path);
}

llvm::Expected<StatsFile>
quantization::mergeStats(llvm::ArrayRef<StatsFile> files) {
  if (files.empty())
    return makeError("no stats files to merge");
  const StatsFile &first = files.front();
  for (const StatsFile &file : files.drop_front())
    if (file.modelSha256 != first.modelSha256)
      return makeError(llvm::formatv("stats file '{0}' was collected on model "
                                     "{1} but '{2}' on {3}",
                                     displayName(file), file.modelSha256,
                                     displayName(first), first.modelSha256)
                           .str());

  StatsFile merged;
  merged.formatVersion = StatsFile::kFormatVersion;
  merged.modelSha256 = first.modelSha256;
  for (const StatsFile &file : files) {
    merged.sampleCount += file.sampleCount;
    for (const auto &[name, tensor] : file.tensors) {
      auto [it, inserted] = merged.tensors.emplace(name, tensor);
      if (inserted)
        continue;
      if (llvm::Error error = it->second.merge(tensor))
        return makeError("cannot merge stats file '" + displayName(file) +
                         "': " + toString(std::move(error)));
    }
  }

  std::vector<std::string> hashes;
  for (const StatsFile &file : files)
    hashes.push_back(file.calibrationSha256);
  llvm::sort(hashes);
  if (hashes.front() == hashes.back()) {
    merged.calibrationSha256 = hashes.front();
  } else {
    std::string joined = llvm::join(hashes, "\n");
    merged.calibrationSha256 =
        llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(joined)),
                    /*LowerCase=*/true);
  }
  return merged;
}
