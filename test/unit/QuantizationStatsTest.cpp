//===- QuantizationStatsTest.cpp - The calibration stats file -------------===//
//
// Round trips are exact (floats, histograms), output is deterministic, and
// errors name the file and the problem.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Stats.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <random>

using namespace lowbit::quantization;

namespace {

/// A fresh directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::error_code error =
        llvm::sys::fs::createUniqueDirectory("lowbit-stats-test", path);
    EXPECT_FALSE(error) << error.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }

  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> result(path);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }

  std::vector<std::string> list() const {
    std::vector<std::string> names;
    std::error_code error;
    for (llvm::sys::fs::directory_iterator it(path, error), end;
         it != end && !error; it.increment(error))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    llvm::sort(names);
    return names;
  }

  llvm::SmallString<128> path;
};

std::vector<float> samples(size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> normal(0.5f, 3.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = normal(random);
  return values;
}

TensorStatistics tensorOf(llvm::StringRef name, llvm::ArrayRef<float> values,
                          llvm::ArrayRef<int64_t> shape = {},
                          int64_t channelAxis = -1) {
  TensorStatistics stats;
  stats.name = name.str();
  stats.channelAxis = channelAxis;
  llvm::Error error = stats.add(values, shape);
  EXPECT_FALSE(bool(error));
  llvm::consumeError(std::move(error));
  return stats;
}

StatsFile sampleFile() {
  StatsFile file;
  file.modelSha256 = "aaaa";
  file.calibrationSha256 = "cccc";
  file.sampleCount = 16;
  std::vector<float> values = samples(3 * 1000, 1);
  // Floats that need care to round-trip.
  values[0] = 0.1f;
  values[1] = -FLT_MAX / 3;
  values[2] = 1e-45f;
  values[3] = 0.0f;
  values[4] = -0.0f;
  file.tensors["conv1.output"] =
      tensorOf("conv1.output", values, {1, 3, 1000}, /*channelAxis=*/1);
  TensorStatistics minmaxOnly;
  minmaxOnly.name = "input";
  llvm::Error error = minmaxOnly.add({0.3f, -2.75f, 1.0f / 3}, {},
                                     /*withHistogram=*/false);
  EXPECT_FALSE(bool(error));
  llvm::consumeError(std::move(error));
  file.tensors["input"] = minmaxOnly;
  file.tensors["nan"] = tensorOf("nan", {NAN, INFINITY});
  file.tensors["empty"] = tensorOf("empty", {});
  return file;
}

std::string errorOf(llvm::Error error) {
  return llvm::toString(std::move(error));
}

TEST(QuantizationStats, WriteReadRoundTripIsExact) {
  TempDir dir;
  StatsFile original = sampleFile();
  std::string path = dir.file("stats.json");
  ASSERT_FALSE(bool(writeStatsFile(original, path)));
  // Written atomically: no temporary file is left behind.
  EXPECT_EQ(dir.list(), std::vector<std::string>{"stats.json"});

  auto read = readStatsFile(path);
  ASSERT_TRUE(bool(read)) << errorOf(read.takeError());
  EXPECT_EQ(read->path, path);
  EXPECT_EQ(*read, original);
  const TensorStatistics &conv = read->tensors.at("conv1.output");
  EXPECT_EQ(conv.channelAxis, 1);
  EXPECT_EQ(conv.channelAbsMax.size(), 3u);
  EXPECT_EQ(conv.min, -FLT_MAX / 3);
  EXPECT_TRUE(read->tensors.at("input").histogram.empty());
  EXPECT_EQ(read->tensors.at("nan").nonFiniteCount, 2u);
  EXPECT_EQ(conv.histogram.getZeroCount(), 2u);

  // Deterministic: the same statistics print the same bytes.
  EXPECT_EQ(printStatsFile(*read), printStatsFile(original));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer));
  EXPECT_EQ((*buffer)->getBuffer(), printStatsFile(original));
}

TEST(QuantizationStats, PrintedForm) {
  StatsFile file;
  file.modelSha256 = "abc";
  file.calibrationSha256 = "def";
  file.sampleCount = 2;
  file.tensors["x"] = tensorOf("x", {0.1f, -0.5f, 2.0f});
  std::string text = printStatsFile(file);
  // Sorted keys, shortest round-tripping floats.
  EXPECT_NE(text.find("\"calibration_sha256\": \"def\",\n  \"format\": "
                      "\"lowbit-stats\",\n  \"format_version\": 1,"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"max\": 2,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"min\": -0.5,"), std::string::npos) << text;
  EXPECT_EQ(text.find("0.10000000"), std::string::npos) << text;
}

TEST(QuantizationStats, Errors) {
  TempDir dir;
  auto parse = [](llvm::StringRef text) {
    auto result = parseStatsFile(text, "s.json");
    return result ? std::string("ok") : errorOf(result.takeError());
  };
  EXPECT_EQ(parse(R"({"format": "lowbit-stats", "format_version": 2})"),
            "stats file 's.json': format version 2 is not supported; this "
            "build reads version 1");
  EXPECT_EQ(parse(R"({"format": "other", "format_version": 1})"),
            "stats file 's.json': format is 'other', expected 'lowbit-stats'");
  EXPECT_EQ(parse("{"),
            "stats file 's.json': invalid JSON: [1:1, byte=1]: Expected "
            "object key");
  std::string header = R"({"format": "lowbit-stats", "format_version": 1,
      "model_sha256": "m", "calibration_sha256": "c", "sample_count": 1, )";
  EXPECT_EQ(parse(header + R"("tensors": {"x": {"count": 1}}})"),
            "stats file 's.json': tensor 'x': missing field "
            "'non_finite_count'");
  EXPECT_EQ(parse(header + R"("tensors": {"x": {"count": 2,
      "non_finite_count": 0, "min": 1, "max": 2,
      "histogram": {"bin_width_log2": 0, "first_bin": 1, "num_bins": 8,
                    "counts": [1], "zero_count": 0}}}})"),
            "stats file 's.json': tensor 'x'.histogram: histogram holds 1 "
            "values but count is 2");
  EXPECT_EQ(parse(header + R"("tensors": {}, "extra": 1})"),
            "stats file 's.json': top level: unknown field 'extra'");
  EXPECT_EQ(parse(header + R"("tensors": {}})"), "ok");

  auto missing = readStatsFile(dir.file("missing.json"));
  ASSERT_FALSE(bool(missing));
  EXPECT_NE(
      errorOf(missing.takeError())
          .find("cannot read stats file '" + dir.file("missing.json") + "'"),
      std::string::npos);
}

TEST(QuantizationStats, MergeAddsSamplesAndMergesTensors) {
  std::vector<float> a = samples(4000, 2), b = samples(3000, 3);
  std::vector<float> all = a;
  all.insert(all.end(), b.begin(), b.end());

  StatsFile first, second;
  first.path = "a.json";
  second.path = "b.json";
  first.modelSha256 = second.modelSha256 = "model";
  first.calibrationSha256 = "shard0";
  second.calibrationSha256 = "shard1";
  first.sampleCount = 10;
  second.sampleCount = 5;
  first.tensors["t"] = tensorOf("t", a, {4, 1000}, 0);
  second.tensors["t"] = tensorOf("t", b, {3, 1000}, 0);
  second.tensors["only_b"] = tensorOf("only_b", {1.0f});

  // Channel counts differ (4 vs 3): merging them is an error.
  auto mismatchedChannels = mergeStats({first, second});
  ASSERT_FALSE(bool(mismatchedChannels));
  EXPECT_EQ(errorOf(mismatchedChannels.takeError()),
            "cannot merge stats file 'b.json': tensor 't': cannot merge "
            "per-channel absmax of 4 and 3 channels");

  first.tensors["t"] = tensorOf("t", a, {4, 1000}, -1);
  second.tensors["t"] = tensorOf("t", b, {3, 1000}, -1);
  auto merged = mergeStats({first, second});
  ASSERT_TRUE(bool(merged)) << errorOf(merged.takeError());
  EXPECT_EQ(merged->sampleCount, 15u);
  EXPECT_EQ(merged->modelSha256, "model");
  EXPECT_EQ(merged->tensors.size(), 2u);
  EXPECT_EQ(merged->tensors.at("t"), tensorOf("t", all));
  // Shards of different calibration sets: a hash of both, order-independent.
  EXPECT_EQ(merged->calibrationSha256.size(), 64u);
  auto swapped = mergeStats({second, first});
  ASSERT_TRUE(bool(swapped));
  EXPECT_EQ(*swapped, *merged);

  second.calibrationSha256 = "shard0";
  auto sameSet = mergeStats({first, second});
  ASSERT_TRUE(bool(sameSet));
  EXPECT_EQ(sameSet->calibrationSha256, "shard0");
}

TEST(QuantizationStats, MergeRejectsOtherModels) {
  StatsFile first, second;
  first.path = "a.json";
  first.modelSha256 = "1111";
  second.path = "b.json";
  second.modelSha256 = "2222";
  auto merged = mergeStats({first, second});
  ASSERT_FALSE(bool(merged));
  EXPECT_EQ(errorOf(merged.takeError()),
            "stats file 'b.json' was collected on model 2222 but 'a.json' on "
            "1111");
  auto none = mergeStats({});
  ASSERT_FALSE(bool(none));
  EXPECT_EQ(errorOf(none.takeError()), "no stats files to merge");
}

TEST(QuantizationStats, MergeReadFilesRoundTrip) {
  TempDir dir;
  StatsFile file = sampleFile();
  ASSERT_FALSE(bool(writeStatsFile(file, dir.file("a.json"))));
  ASSERT_FALSE(bool(writeStatsFile(file, dir.file("b.json"))));
  auto a = readStatsFile(dir.file("a.json"));
  auto b = readStatsFile(dir.file("b.json"));
  ASSERT_TRUE(a && b);
  auto merged = mergeStats({*a, *b});
  ASSERT_TRUE(bool(merged)) << errorOf(merged.takeError());
  EXPECT_EQ(merged->sampleCount, 32u);
  EXPECT_EQ(merged->tensors.at("conv1.output").count,
            2 * file.tensors.at("conv1.output").count);
  ASSERT_FALSE(bool(writeStatsFile(*merged, dir.file("merged.json"))));
  auto reread = readStatsFile(dir.file("merged.json"));
  ASSERT_TRUE(bool(reread)) << errorOf(reread.takeError());
  EXPECT_EQ(*reread, *merged);
}

} // namespace
