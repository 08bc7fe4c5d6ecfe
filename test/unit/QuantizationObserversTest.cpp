//===- QuantizationObserversTest.cpp - Histograms and range choosers ------===//
//
// The histogram's exactness (merge and batching give identical results) and
// each range chooser on distributions whose answer is known.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Observers.h"
#include "lowbit/Quantization/Stats.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace lowbit::quantization;

namespace {

std::vector<float> normalSamples(size_t count, float stddev, unsigned seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> normal(0.0f, stddev);
  std::vector<float> values(count);
  for (float &value : values)
    value = normal(random);
  return values;
}

std::vector<float> uniformSamples(size_t count, float lo, float hi,
                                  unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(random);
  return values;
}

/// A standard normal with a few large outliers: the case clipping is for.
std::vector<float> heavyTailedSamples() {
  std::vector<float> values = normalSamples(200000, 1.0f, 11);
  for (int i = 0; i < 20; ++i)
    values.push_back((i % 2 ? -1.0f : 1.0f) * (30.0f + 1.5f * i));
  return values;
}

/// Laplace(0, 1): the heavy-tailed shape of typical weights and
/// activations, for which optimal 8-bit clipping is about 9.9 (Banner et
/// al., ACIQ) while the maximum of a million samples is about 14.
std::vector<float> laplaceSamples(size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::exponential_distribution<float> exponential(1.0f);
  std::bernoulli_distribution negative(0.5);
  std::vector<float> values(count);
  for (float &value : values)
    value = negative(random) ? -exponential(random) : exponential(random);
  return values;
}

TensorStatistics statsOf(llvm::ArrayRef<float> values) {
  TensorStatistics stats;
  stats.name = "t";
  llvm::Error error = stats.add(values);
  EXPECT_FALSE(bool(error));
  llvm::consumeError(std::move(error));
  return stats;
}

IntegerFormat int8(bool symmetric) {
  return IntegerFormat{8, true, symmetric, symmetric};
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

TEST(QuantizationObservers, HistogramInvariants) {
  std::vector<float> values = normalSamples(10000, 2.0f, 1);
  Histogram histogram;
  histogram.add(values);
  EXPECT_EQ(histogram.getCount(), values.size());
  EXPECT_EQ(histogram.getMin(),
            *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(histogram.getMax(),
            *std::max_element(values.begin(), values.end()));
  llvm::ArrayRef<uint64_t> counts = histogram.getCounts();
  ASSERT_FALSE(counts.empty());
  EXPECT_LE(counts.size(), histogram.getNumBins());
  // The narrowest power-of-two width: half of it would not fit.
  EXPECT_GT(2 * counts.size(), histogram.getNumBins() - 2);
  EXPECT_GT(counts.front(), 0u);
  EXPECT_GT(counts.back(), 0u);
  EXPECT_LE(histogram.getLowerEdge(0), histogram.getMin());
  EXPECT_GT(histogram.getLowerEdge(1), histogram.getMin());
  EXPECT_LE(histogram.getLowerEdge(counts.size() - 1), histogram.getMax());
  EXPECT_GT(histogram.getLowerEdge(counts.size()), histogram.getMax());
  uint64_t total = 0;
  for (uint64_t c : counts)
    total += c;
  EXPECT_EQ(total, values.size());
  uint64_t absTotal = 0;
  for (uint64_t c : histogram.getAbsCounts())
    absTotal += c;
  EXPECT_EQ(absTotal, values.size());
}

TEST(QuantizationObservers, HistogramMergeEqualsConcatenation) {
  std::vector<float> a = normalSamples(5000, 1.0f, 2);
  std::vector<float> b = uniformSamples(7000, -3.0f, 40.0f, 3);
  std::vector<float> c = {1e-3f, -2e-3f};
  std::vector<float> all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());

  Histogram whole;
  whole.add(all);

  Histogram left, right, tiny;
  left.add(a);
  right.add(b);
  tiny.add(c);
  Histogram merged = left;
  merged.merge(right);
  merged.merge(tiny);
  EXPECT_EQ(merged, whole);

  // Merging the other way round, and into a histogram of tiny values first
  // (forcing repeated widening), gives the same bins.
  Histogram reversed = tiny;
  reversed.merge(right);
  reversed.merge(left);
  EXPECT_EQ(reversed, whole);

  Histogram batched;
  for (size_t i = 0; i < all.size(); i += 999)
    batched.add(llvm::ArrayRef<float>(all).slice(
        i, std::min<size_t>(999, all.size() - i)));
  EXPECT_EQ(batched, whole);

  Histogram empty;
  empty.merge(whole);
  EXPECT_EQ(empty, whole);
  Histogram unchanged = whole;
  unchanged.merge(Histogram());
  EXPECT_EQ(unchanged, whole);
}

TEST(QuantizationObservers, HistogramOneSidedDataUsesMostBins) {
  // ReLU-like data: bins are not wasted on the empty negative side.
  std::vector<float> values = uniformSamples(10000, 0.0f, 6.0f, 4);
  Histogram histogram;
  histogram.add(values);
  EXPECT_GE(histogram.getFirstBin(), 0);
  EXPECT_GT(histogram.getCounts().size(), histogram.getNumBins() / 2);
}

TEST(QuantizationObservers, HistogramConstantAndNonFinite) {
  Histogram histogram(64);
  histogram.add({5.0f, 5.0f, NAN, INFINITY, 5.0f});
  EXPECT_EQ(histogram.getZeroCount(), 0u);
  EXPECT_EQ(histogram.getCount(), 3u);
  EXPECT_EQ(histogram.getNonFiniteCount(), 2u);
  EXPECT_EQ(histogram.getCounts().size(), 1u);
  EXPECT_EQ(histogram.getMin(), 5.0f);
  histogram.add({-3.0f, 0.0f, -0.0f});
  EXPECT_EQ(histogram.getCount(), 6u);
  EXPECT_EQ(histogram.getZeroCount(), 2u);
  EXPECT_LE(histogram.getCounts().size(), 64u);
  EXPECT_EQ(histogram.getCounts().front(), 1u);
  EXPECT_EQ(histogram.getCounts().back(), 3u);

  // Widening from constant tiny values to huge ones in one step.
  Histogram tinyThenHuge;
  tinyThenHuge.add({1e-30f, 1e-30f});
  tinyThenHuge.add({3e38f, -1.0f});
  EXPECT_EQ(tinyThenHuge.getCount(), 4u);
  EXPECT_LE(tinyThenHuge.getCounts().size(), tinyThenHuge.getNumBins());
  EXPECT_EQ(tinyThenHuge.getCounts().back(), 1u);
  Histogram oneShot;
  oneShot.add({1e-30f, 3e38f, -1.0f, 1e-30f});
  EXPECT_EQ(tinyThenHuge, oneShot);

  Histogram onlyNaN;
  onlyNaN.add({NAN});
  EXPECT_TRUE(onlyNaN.empty());
  EXPECT_EQ(onlyNaN.getNonFiniteCount(), 1u);
}

TEST(QuantizationObservers, HistogramFromParts) {
  Histogram histogram(128);
  histogram.add(normalSamples(1000, 1.0f, 5));
  auto rebuilt = Histogram::fromParts(
      histogram.getNumBins(), histogram.getBinWidthLog2(),
      histogram.getFirstBin(), histogram.getCounts().vec(), histogram.getMin(),
      histogram.getMax(), histogram.getZeroCount(),
      histogram.getNonFiniteCount());
  ASSERT_TRUE(bool(rebuilt)) << llvm::toString(rebuilt.takeError());
  EXPECT_EQ(*rebuilt, histogram);

  auto shifted = Histogram::fromParts(
      histogram.getNumBins(), histogram.getBinWidthLog2(),
      histogram.getFirstBin() + 1, histogram.getCounts().vec(),
      histogram.getMin(), histogram.getMax(), 0, 0);
  EXPECT_FALSE(bool(shifted));
  llvm::consumeError(shifted.takeError());
}

//===----------------------------------------------------------------------===//
// Range choosers
//===----------------------------------------------------------------------===//

TEST(QuantizationObservers, MinMaxIsExact) {
  std::vector<float> values = uniformSamples(10000, -1.5f, 2.5f, 6);
  TensorStatistics stats = statsOf(values);
  auto [lo, hi] = chooseMinMaxRange(stats);
  EXPECT_EQ(lo, *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(hi, *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(chooseMinMaxRange(TensorStatistics()),
            (std::pair<float, float>(0.0f, 0.0f)));
}

TEST(QuantizationObservers, PercentileOfGaussian) {
  TensorStatistics stats = statsOf(normalSamples(1000000, 1.0f, 7));
  // P(|x| <= 3.8906) = 0.9999 for a standard normal.
  auto [lo, hi] = choosePercentileRange(stats, 99.99, /*symmetric=*/true);
  EXPECT_NEAR(hi, 3.8906, 0.1);
  EXPECT_EQ(lo, -hi);
  // Both tails cut by 0.005%: the 0.99995 quantile, the same 3.8906.
  auto [tailLo, tailHi] = choosePercentileRange(stats, 99.99, false);
  EXPECT_NEAR(tailLo, -3.8906, 0.15);
  EXPECT_NEAR(tailHi, 3.8906, 0.15);
  // 99% two-sided: 2.5758.
  auto [lo99, hi99] = choosePercentileRange(stats, 99.0, true);
  EXPECT_NEAR(hi99, 2.5758, 0.02);
  EXPECT_EQ(lo99, -hi99);
  // 100 is min-max.
  EXPECT_EQ(choosePercentileRange(stats, 100.0, true),
            chooseMinMaxRange(stats));
}

TEST(QuantizationObservers, PercentileStaysInsideObservedRange) {
  TensorStatistics stats = statsOf(uniformSamples(100000, 0.0f, 1.0f, 8));
  auto [lo, hi] = choosePercentileRange(stats, 99.0, /*symmetric=*/true);
  EXPECT_GE(lo, stats.min);
  EXPECT_NEAR(hi, 0.99, 0.01);
  auto [tailLo, tailHi] = choosePercentileRange(stats, 98.0, false);
  EXPECT_NEAR(tailLo, 0.01, 0.01);
  EXPECT_NEAR(tailHi, 0.99, 0.01);
}

TEST(QuantizationObservers, MseClipsHeavyTails) {
  TensorStatistics stats = statsOf(laplaceSamples(1000000, 12));
  float absmax = std::max(-stats.min, stats.max);
  ASSERT_GT(absmax, 11.0f);
  auto [lo, hi] = chooseMseRange(stats, int8(true));
  EXPECT_EQ(lo, -hi);
  EXPECT_LT(hi, 0.9f * absmax);
  EXPECT_NEAR(hi, 9.9f, 1.5f);
  // Fewer levels clip harder (ACIQ: about 5.0 at 4 bits).
  auto [lo4, hi4] = chooseMseRange(stats, IntegerFormat{4, true, true, true});
  EXPECT_NEAR(hi4, 5.0f, 1.0f);
  EXPECT_EQ(lo4, -hi4);

  auto [asymLo, asymHi] = chooseMseRange(stats, int8(false));
  EXPECT_LT(asymHi - asymLo, 0.9f * (stats.max - stats.min));
  EXPECT_LT(asymLo, -5.0f);
  EXPECT_GT(asymHi, 5.0f);

  // A few huge outliers are worth keeping at 8 bits: clipping them would
  // cost more than the rounding error it saves.
  TensorStatistics outliers = statsOf(heavyTailedSamples());
  auto [outLo, outHi] = chooseMseRange(outliers, int8(true));
  EXPECT_GT(outHi, 30.0f);
  EXPECT_EQ(outLo, -outHi);
}

TEST(QuantizationObservers, MseKeepsUniformRange) {
  TensorStatistics stats = statsOf(uniformSamples(200000, -1.0f, 1.0f, 9));
  auto [lo, hi] = chooseMseRange(stats, int8(true));
  EXPECT_GT(hi, 0.97f);
  EXPECT_LE(hi, stats.max > -stats.min ? stats.max : -stats.min);
  auto [asymLo, asymHi] = chooseMseRange(stats, int8(false));
  EXPECT_LT(asymLo, -0.97f);
  EXPECT_GT(asymHi, 0.97f);
}

TEST(QuantizationObservers, EntropyClipsHeavyTails) {
  TensorStatistics stats = statsOf(heavyTailedSamples());
  float absmax = std::max(-stats.min, stats.max);
  auto [lo, hi] = chooseEntropyRange(stats, 8);
  EXPECT_LT(hi, absmax / 2);
  EXPECT_GT(hi, 3.0f);
  EXPECT_EQ(lo, -hi);

  TensorStatistics laplace = statsOf(laplaceSamples(1000000, 13));
  float laplaceAbsmax = std::max(-laplace.min, laplace.max);
  auto [laplaceLo, laplaceHi] = chooseEntropyRange(laplace, 8);
  EXPECT_LT(laplaceHi, 0.9f * laplaceAbsmax);
  EXPECT_GT(laplaceHi, 3.0f);
  EXPECT_EQ(laplaceLo, -laplaceHi);
}

TEST(QuantizationObservers, EntropyIgnoresExactZeros) {
  // A rectified Gaussian: half the values are exactly 0. Counted in the
  // KL distributions, that spike drags the threshold to about 1.5.
  std::vector<float> values = normalSamples(1000000, 1.0f, 14);
  for (float &value : values)
    value = std::max(value, 0.0f);
  TensorStatistics stats = statsOf(values);
  EXPECT_GT(stats.histogram.getZeroCount(), 400000u);
  auto [lo, hi] = chooseEntropyRange(stats, 8);
  EXPECT_EQ(lo, 0.0f);
  EXPECT_GT(hi, 3.0f);

  TensorStatistics zeros = statsOf(std::vector<float>(100, 0.0f));
  EXPECT_EQ(chooseEntropyRange(zeros, 8), (std::pair<float, float>(0, 0)));
}

TEST(QuantizationObservers, EntropyKeepsUniformRange) {
  TensorStatistics stats = statsOf(uniformSamples(200000, -1.0f, 1.0f, 10));
  auto [lo, hi] = chooseEntropyRange(stats, 8);
  EXPECT_GT(hi, 0.9f);
  EXPECT_LT(lo, -0.9f);
}

TEST(QuantizationObservers, ChooseRangeDispatches) {
  TensorStatistics stats = statsOf(heavyTailedSamples());
  ObserverConfig config;
  config.activations = RangeMethod::MinMax;
  auto minmax = chooseRange(stats, config, int8(true));
  ASSERT_TRUE(bool(minmax));
  EXPECT_EQ(*minmax, chooseMinMaxRange(stats));

  config.activations = RangeMethod::Percentile;
  config.percentile = 99.9;
  auto percentile = chooseRange(stats, config, int8(true));
  ASSERT_TRUE(bool(percentile));
  EXPECT_EQ(*percentile, choosePercentileRange(stats, 99.9, true));

  config.activations = RangeMethod::Mse;
  auto mse = chooseRange(stats, config, int8(false));
  ASSERT_TRUE(bool(mse));
  EXPECT_EQ(*mse, chooseMseRange(stats, int8(false)));

  TensorStatistics noHistogram;
  noHistogram.name = "conv1.output";
  ASSERT_FALSE(
      bool(noHistogram.add({1.0f, 2.0f}, {}, /*withHistogram=*/false)));
  config.activations = RangeMethod::Entropy;
  auto missing = chooseRange(noHistogram, config, int8(true));
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "tensor 'conv1.output' has no histogram; the entropy observer "
            "needs one (collect statistics with histograms)");
}

TEST(QuantizationObservers, RangeMethodNames) {
  for (RangeMethod method : {RangeMethod::MinMax, RangeMethod::Percentile,
                             RangeMethod::Mse, RangeMethod::Entropy})
    EXPECT_EQ(parseRangeMethod(getRangeMethodName(method)), method);
  EXPECT_EQ(parseRangeMethod("kl"), RangeMethod::Entropy);
  EXPECT_EQ(parseRangeMethod("max"), std::nullopt);
}

//===----------------------------------------------------------------------===//
// Per-channel absmax
//===----------------------------------------------------------------------===//

TEST(QuantizationObservers, ChannelAbsMax) {
  // [2, 3, 2] along axis 1.
  const std::vector<float> data = {1, -7, 2, 0, -3, 4, 5, 1, NAN, -6, 0.5, 2};
  std::vector<float> absMax;
  ASSERT_FALSE(bool(accumulateChannelAbsMax(absMax, data, {2, 3, 2}, 1)));
  EXPECT_EQ(absMax, (std::vector<float>{7, 6, 4}));
  ASSERT_FALSE(
      bool(accumulateChannelAbsMax(absMax, {9, 0, 0, 0, 0, 0}, {1, 3, 2}, 1)));
  EXPECT_EQ(absMax, (std::vector<float>{9, 6, 4}));
  ASSERT_FALSE(bool(mergeChannelAbsMax(absMax, {1, 10, 1})));
  EXPECT_EQ(absMax, (std::vector<float>{9, 10, 4}));

  llvm::Error mismatch = accumulateChannelAbsMax(absMax, {1, 2}, {1, 2}, 1);
  EXPECT_EQ(llvm::toString(std::move(mismatch)),
            "tensor has 2 channels along axis 1 but 3 were observed before");
  llvm::Error badAxis = accumulateChannelAbsMax(absMax, {1, 2}, {1, 2}, 2);
  EXPECT_EQ(llvm::toString(std::move(badAxis)),
            "channel axis 2 is out of range for a rank-2 tensor");
  llvm::Error badMerge = mergeChannelAbsMax(absMax, {1, 2});
  EXPECT_EQ(llvm::toString(std::move(badMerge)),
            "cannot merge per-channel absmax of 3 and 2 channels");
}

} // namespace
