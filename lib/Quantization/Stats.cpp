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
// TensorStatistics
//===----------------------------------------------------------------------===//

llvm::Error TensorStatistics::add(llvm::ArrayRef<float> values,
                                  llvm::ArrayRef<int64_t> shape,
                                  bool withHistogram) {
  // Validate the channel layout first so that a failed add changes nothing.
  if (channelAxis >= 0) {
    std::vector<float> updated = channelAbsMax;
    if (llvm::Error error =
            accumulateChannelAbsMax(updated, values, shape, channelAxis))
      return makeError("tensor '" + name + "': " + toString(std::move(error)));
    channelAbsMax = std::move(updated);
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

llvm::Error TensorStatistics::merge(const TensorStatistics &other) {
  if (other.channelAxis >= 0) {
    if (channelAxis >= 0 && channelAxis != other.channelAxis)
      return makeError(llvm::formatv("tensor '{0}': per-channel absmax was "
                                     "collected along axis {1} and along "
                                     "axis {2}",
                                     name, channelAxis, other.channelAxis)
                           .str());
    std::vector<float> merged = channelAbsMax;
    if (llvm::Error error = mergeChannelAbsMax(merged, other.channelAbsMax))
      return makeError("tensor '" + name + "': " + toString(std::move(error)));
    channelAxis = other.channelAxis;
    channelAbsMax = std::move(merged);
  }
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
         channelAbsMax == other.channelAbsMax;
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

static llvm::Expected<TensorStatistics>
readTensor(const StatsReader &reader, llvm::StringRef name,
           const llvm::json::Value &value) {
  std::string where = ("tensor '" + name + "'").str();
  const llvm::json::Object *object = value.getAsObject();
  if (!object)
    return reader.fail(where + " must be an object");
  if (llvm::Error error =
          reader.checkKeys(*object,
                           {"channel_abs_max", "channel_axis", "count",
                            "histogram", "max", "min", "non_finite_count"},
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
  } else if (object->get("channel_abs_max")) {
    return reader.fail(where + ": channel_abs_max needs a channel_axis");
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
