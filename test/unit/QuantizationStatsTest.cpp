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
  // Per-channel sums (conv1.output has none: -FLT_MAX / 3 is out of range).
  std::vector<float> input = samples(2 * 4 * 25, 7);
  input[0] = 0.1f;
  input[1] = 1e-45f;
  input[2] = 3e15f;
  input[3] = NAN;
  file.tensors["conv2:input"] =
      tensorOf("conv2:input", input, {2, 4, 25}, /*channelAxis=*/1);
  EXPECT_TRUE(file.tensors["conv2:input"].hasChannelMeans());
  EXPECT_FALSE(file.tensors["conv1.output"].hasChannelMeans());
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

TEST(QuantizationStats, ExactSum) {
  // Values are taken on a 2^-48 grid and added as integers: the sum does
  // not depend on order or grouping (doubles would lose 1e-7 next to 1e8).
  ExactSum forward, backward, alone;
  for (float value : {1e8f, 1e-7f, -1e8f})
    ASSERT_TRUE(forward.add(value));
  for (float value : {-1e8f, 1e-7f, 1e8f})
    ASSERT_TRUE(backward.add(value));
  ASSERT_TRUE(alone.add(1e-7f));
  EXPECT_EQ(forward, alone);
  EXPECT_EQ(backward, alone);
  EXPECT_EQ(alone.getHigh() + alone.getLow(),
            std::nearbyint(std::ldexp(static_cast<double>(1e-7f), 48)) / std::ldexp(1.0, 48));

  // High is the nearest double, low the exact rest.
  ExactSum big;
  ASSERT_TRUE(big.add(1e16f));
  ASSERT_TRUE(big.add(0.75f));
  EXPECT_EQ(big.getHigh(), static_cast<double>(1e16f));
  EXPECT_EQ(big.getLow(), 0.75);
  std::optional<ExactSum> parts = ExactSum::fromParts(static_cast<double>(1e16f), 0.75);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(*parts, big);

  // Below 2^-48 values vanish; at 2^57 the sum is out of range and an
  // addition fails without changing it.
  ExactSum tiny;
  ASSERT_TRUE(tiny.add(1e-45f));
  EXPECT_EQ(tiny, ExactSum());
  ExactSum full;
  ASSERT_TRUE(full.add(0x1p56f));
  ASSERT_TRUE(full.add(0x1p55f));
  EXPECT_FALSE(full.add(0x1p55f));
  EXPECT_EQ(full.getHigh(), 0x1p56 + 0x1p55);
  EXPECT_FALSE(ExactSum().add(0x1p57f));
  EXPECT_FALSE(ExactSum().add(INFINITY));
  EXPECT_FALSE(ExactSum::fromParts(0.1, 0.0).has_value());
  EXPECT_FALSE(ExactSum::fromParts(0x1p57, 0.0).has_value());
  EXPECT_FALSE(ExactSum::fromParts(NAN, 0.0).has_value());
}

TEST(QuantizationStats, ChannelSumsMergeExactly) {
  // NCHW shards along N: merged statistics equal those of the whole.
  std::vector<float> a = samples(2 * 3 * 50, 11), b = samples(3 * 3 * 50, 12),
                     c = samples(1 * 3 * 50, 13);
  a[5] = NAN;
  a[60] = 1e-30f;
  b[7] = 1e7f;
  std::vector<float> all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());
  TensorStatistics sa = tensorOf("x", a, {2, 3, 50}, 1);
  TensorStatistics sb = tensorOf("x", b, {3, 3, 50}, 1);
  TensorStatistics sc = tensorOf("x", c, {1, 3, 50}, 1);
  TensorStatistics whole = tensorOf("x", all, {6, 3, 50}, 1);
  ASSERT_TRUE(whole.hasChannelMeans());
  EXPECT_EQ(whole.channelCount, (std::vector<uint64_t>{299, 300, 300}));

  auto merged = [](TensorStatistics first, const TensorStatistics &second) {
    llvm::Error error = first.merge(second);
    EXPECT_FALSE(bool(error));
    llvm::consumeError(std::move(error));
    return first;
  };
  TensorStatistics left = merged(merged(sa, sb), sc);
  TensorStatistics right = merged(sa, merged(sb, sc));
  TensorStatistics reversed = merged(merged(sc, sb), sa);
  EXPECT_EQ(left, whole);
  EXPECT_EQ(right, whole);
  EXPECT_EQ(reversed, whole);
  EXPECT_EQ(left.channelSum, whole.channelSum);

  // The means are those of the finite values of each channel.
  std::vector<double> means = whole.getChannelMeans();
  ASSERT_EQ(means.size(), 3u);
  for (int64_t channel = 0; channel < 3; ++channel) {
    double sum = 0;
    int64_t n = 0;
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 50; ++j) {
        float value = all[(i * 3 + channel) * 50 + j];
        if (std::isfinite(value)) {
          sum += value;
          ++n;
        }
      }
    EXPECT_NEAR(means[channel], sum / n, 1e-9 * (1 + std::fabs(sum / n)));
  }

  // Through files too: the merge of written shards equals the whole.
  StatsFile fa, fb, fc;
  fa.modelSha256 = fb.modelSha256 = fc.modelSha256 = "m";
  fa.tensors["x"] = sa;
  fb.tensors["x"] = sb;
  fc.tensors["x"] = sc;
  std::vector<StatsFile> reread;
  for (const StatsFile &file : {fa, fb, fc}) {
    auto parsed = parseStatsFile(printStatsFile(file), "f.json");
    ASSERT_TRUE(bool(parsed)) << errorOf(parsed.takeError());
    reread.push_back(std::move(*parsed));
  }
  auto mergedFiles = mergeStats(reread);
  ASSERT_TRUE(bool(mergedFiles)) << errorOf(mergedFiles.takeError());
  EXPECT_EQ(mergedFiles->tensors.at("x"), whole);

  // Statistics that observed values without sums (an older file) drop
  // them; statistics that observed nothing do not.
  TensorStatistics old = sb;
  old.channelCount.clear();
  old.channelSum.clear();
  EXPECT_FALSE(merged(sa, old).hasChannelMeans());
  EXPECT_FALSE(merged(old, sa).hasChannelMeans());
  TensorStatistics empty;
  empty.name = "x";
  EXPECT_EQ(merged(sa, empty), sa);
  EXPECT_EQ(merged(empty, sa).channelSum, sa.channelSum);
  // ...and adding to them does not start sums over part of the values.
  llvm::Error error = old.add(c, {1, 3, 50});
  ASSERT_FALSE(bool(error));
  EXPECT_FALSE(old.hasChannelMeans());
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

  // Per-channel sums: exact doubles and their remainders.
  file.tensors["y"] =
      tensorOf("y", {0.5f, 1.5f, -2.0f, 4.0f}, {2, 2}, /*channelAxis=*/1);
  text = printStatsFile(file);
  EXPECT_NE(text.find("\"channel_axis\": 1,\n      \"channel_count\": [2, "
                      "2],\n      \"channel_sum\": [-1.5, 5.5],\n      "
                      "\"channel_sum_low\": [0, 0],\n      \"count\": 4,"),
            std::string::npos)
      << text;
  EXPECT_EQ(file.tensors["y"].getChannelMeans(),
            (std::vector<double>{-0.75, 2.75}));
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
  std::string channels = R"("tensors": {"x": {"count": 3,
      "non_finite_count": 0, "min": 1, "max": 2, "channel_axis": 0,
      "channel_abs_max": [2, 1], )";
  EXPECT_EQ(parse(header + channels + R"("channel_count": [2, 1],
      "channel_sum": [3, 1], "channel_sum_low": [0, 0]}}})"),
            "ok");
  EXPECT_EQ(parse(header + channels + R"("channel_sum": [3, 1]}}})"),
            "stats file 's.json': tensor 'x': channel_count, channel_sum and "
            "channel_sum_low come together");
  EXPECT_EQ(parse(header + channels + R"("channel_count": [2, 2],
      "channel_sum": [3, 1], "channel_sum_low": [0, 0]}}})"),
            "stats file 's.json': tensor 'x': channel_count adds up to 4 but "
            "count is 3");
  EXPECT_EQ(parse(header + channels + R"("channel_count": [2, 1],
      "channel_sum": [3], "channel_sum_low": [0]}}})"),
            "stats file 's.json': tensor 'x'.channel_sum has 1 entries but "
            "channel_abs_max has 2");
  EXPECT_EQ(parse(header + channels + R"("channel_count": [2, 1],
      "channel_sum": [0.1, 1], "channel_sum_low": [0, 0]}}})"),
            "stats file 's.json': tensor 'x': channel_sum and channel_sum_low "
            "entries must be finite multiples of 2^-48 whose sum is below "
            "2^57");
  EXPECT_EQ(parse(header + R"("tensors": {"x": {"count": 0,
      "non_finite_count": 0, "min": null, "max": null,
      "channel_sum": [], "channel_sum_low": [], "channel_count": []}}})"),
            "stats file 's.json': tensor 'x': channel_count needs a "
            "channel_axis");
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
