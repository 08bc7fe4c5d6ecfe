//===- Observers.cpp - Calibration histograms and range choice ------------===//
//
// The power-of-two aligned histogram and the range choosers built on it.
// See Observers.h for the layout and the exactness argument.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Observers.h"
#include "lowbit/Quantization/Stats.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

using namespace lowbit;
using namespace lowbit::quantization;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

/// Global index of the bin of width 2^widthLog2 that holds `x`. Scaling a
/// float by a power of two in double is exact, so the floor is exact too and
/// floor(k / 2) is the bin at twice the width: widening never moves a value.
static int64_t binOf(float x, int widthLog2) {
  // Callers keep indices below 2^41; the clamp only guards against UB.
  constexpr double kLimit = 0x1p62;
  return static_cast<int64_t>(
      std::clamp(std::floor(std::ldexp(static_cast<double>(x), -widthLog2)),
                 -kLimit, kLimit));
}

/// The bin of `bin` after widening by 2^shift (floor division).
static int64_t widenBin(int64_t bin, int shift) {
  return bin >> std::min(shift, 63);
}

/// The narrowest bin width allowed for data of magnitude `absmax`: bins
/// indices stay below 2^41 so they fit int64 with room to spare. It only
/// matters for (near-)constant data, where any width would fit.
static int minWidthLog2For(float absmax) {
  int exponent = absmax > 0.0f ? std::ilogb(absmax) + 1 : -149;
  return exponent - 40;
}

Histogram::Histogram(unsigned numBins)
    : numBins(std::max(numBins, 2u)),
      min(std::numeric_limits<float>::infinity()),
      max(-std::numeric_limits<float>::infinity()) {}

double Histogram::getBinWidth() const { return std::ldexp(1.0, binWidthLog2); }

double Histogram::getLowerEdge(size_t i) const {
  return std::ldexp(static_cast<double>(firstBin + static_cast<int64_t>(i)),
                    binWidthLog2);
}

void Histogram::fitRange(float newMin, float newMax, int minWidthLog2) {
  float absmax = std::max(std::fabs(newMin), std::fabs(newMax));
  int widthLog2 = std::max(minWidthLog2, minWidthLog2For(absmax));
  if (!counts.empty())
    widthLog2 = std::max(widthLog2, binWidthLog2);
  // Any width with 2^w <= (max - min) / numBins is too narrow; start just
  // below that bound so the loop runs a couple of times at most.
  double span = static_cast<double>(newMax) - static_cast<double>(newMin);
  if (span > 0.0)
    widthLog2 = std::max(widthLog2, std::ilogb(span / numBins) - 1);
  while (binOf(newMax, widthLog2) - binOf(newMin, widthLog2) + 1 >
         static_cast<int64_t>(numBins))
    ++widthLog2;

  int64_t newFirst = binOf(newMin, widthLog2);
  int64_t newLast = binOf(newMax, widthLog2);
  std::vector<uint64_t> newCounts(newLast - newFirst + 1, 0);
  int shift = widthLog2 - binWidthLog2;
  for (auto [i, c] : llvm::enumerate(counts)) {
    if (c == 0)
      continue;
    int64_t bin = widenBin(firstBin + static_cast<int64_t>(i), shift);
    newCounts[bin - newFirst] += c;
  }
  binWidthLog2 = widthLog2;
  firstBin = newFirst;
  counts = std::move(newCounts);
}

void Histogram::add(llvm::ArrayRef<float> values) {
  float batchMin = std::numeric_limits<float>::infinity();
  float batchMax = -std::numeric_limits<float>::infinity();
  uint64_t finite = 0;
  for (float x : values) {
    if (!std::isfinite(x)) {
      ++nonFiniteCount;
      continue;
    }
    zeroCount += x == 0.0f;
    batchMin = std::min(batchMin, x);
    batchMax = std::max(batchMax, x);
    ++finite;
  }
  if (finite == 0)
    return;
  float newMin = std::min(min, batchMin);
  float newMax = std::max(max, batchMax);
  float absmax = std::max(std::fabs(newMin), std::fabs(newMax));
  // The width test comes first: it keeps binOf's indices small.
  if (counts.empty() || minWidthLog2For(absmax) > binWidthLog2 ||
      binOf(newMin, binWidthLog2) < firstBin ||
      binOf(newMax, binWidthLog2) >= firstBin + int64_t(counts.size()))
    fitRange(newMin, newMax, std::numeric_limits<int>::min());
  min = newMin;
  max = newMax;
  double inverseWidth = std::ldexp(1.0, -binWidthLog2);
  for (float x : values) {
    if (!std::isfinite(x))
      continue;
    int64_t bin =
        static_cast<int64_t>(std::floor(static_cast<double>(x) * inverseWidth));
    ++counts[bin - firstBin];
  }
  count += finite;
}

void Histogram::merge(const Histogram &other) {
  nonFiniteCount += other.nonFiniteCount;
  zeroCount += other.zeroCount;
  if (other.counts.empty())
    return;
  float newMin = std::min(min, other.min);
  float newMax = std::max(max, other.max);
  // A coarser `other` cannot be split again, so its width is a floor.
  fitRange(newMin, newMax, other.binWidthLog2);
  min = newMin;
  max = newMax;
  int shift = binWidthLog2 - other.binWidthLog2;
  for (auto [i, c] : llvm::enumerate(other.counts)) {
    if (c == 0)
      continue;
    int64_t bin = widenBin(other.firstBin + static_cast<int64_t>(i), shift);
    counts[bin - firstBin] += c;
  }
  count += other.count;
}

llvm::Expected<Histogram>
Histogram::fromParts(unsigned numBins, int binWidthLog2, int64_t firstBin,
                     std::vector<uint64_t> counts, float min, float max,
                     uint64_t zeroCount, uint64_t nonFiniteCount) {
  if (numBins < 2)
    return makeError(llvm::formatv("histogram has {0} bins; at least 2 are "
                                   "needed",
                                   numBins)
                         .str());
  Histogram histogram(numBins);
  histogram.nonFiniteCount = nonFiniteCount;
  if (counts.empty())
    return histogram;
  if (counts.size() > numBins)
    return makeError(llvm::formatv("histogram stores {0} bins but has only "
                                   "{1}",
                                   counts.size(), numBins)
                         .str());
  if (binWidthLog2 < -200 || binWidthLog2 > 200)
    return makeError(llvm::formatv("histogram bin width 2^{0} is out of "
                                   "range",
                                   binWidthLog2)
                         .str());
  if (!std::isfinite(min) || !std::isfinite(max) || min > max)
    return makeError("histogram has counts but no finite [min, max]");
  if (binWidthLog2 < minWidthLog2For(std::max(std::fabs(min), std::fabs(max))))
    return makeError(llvm::formatv("histogram bin width 2^{0} is too narrow "
                                   "for values up to {1}",
                                   binWidthLog2,
                                   std::max(std::fabs(min), std::fabs(max)))
                         .str());
  if (counts.front() == 0 || counts.back() == 0)
    return makeError("histogram counts must start and end with an occupied "
                     "bin");
  int64_t lastBin = firstBin + static_cast<int64_t>(counts.size()) - 1;
  if (binOf(min, binWidthLog2) != firstBin ||
      binOf(max, binWidthLog2) != lastBin)
    return makeError(llvm::formatv("histogram bins [{0}, {1}] of width 2^{2} "
                                   "do not hold min {3} and max {4}",
                                   firstBin, lastBin, binWidthLog2, min, max)
                         .str());
  histogram.binWidthLog2 = binWidthLog2;
  histogram.firstBin = firstBin;
  histogram.count = 0;
  for (uint64_t c : counts)
    histogram.count += c;
  // Zeros fall in global bin 0.
  uint64_t binZero = firstBin <= 0 && lastBin >= 0
                         ? counts[static_cast<size_t>(-firstBin)]
                         : 0;
  if (zeroCount > binZero)
    return makeError(llvm::formatv("histogram counts {0} zeros but its bin "
                                   "at 0 holds {1} values",
                                   zeroCount, binZero)
                         .str());
  histogram.zeroCount = zeroCount;
  histogram.counts = std::move(counts);
  histogram.min = min;
  histogram.max = max;
  return histogram;
}

std::vector<uint64_t> Histogram::getAbsCounts() const {
  if (counts.empty())
    return {};
  int64_t lastBin = firstBin + static_cast<int64_t>(counts.size()) - 1;
  // Bin k < 0 covers [k w, (k + 1) w), whose mirror is bin -k - 1.
  int64_t size = std::max(lastBin + 1, -firstBin);
  std::vector<uint64_t> absCounts(size, 0);
  for (auto [i, c] : llvm::enumerate(counts)) {
    int64_t bin = firstBin + static_cast<int64_t>(i);
    absCounts[bin >= 0 ? bin : -bin - 1] += c;
  }
  return absCounts;
}

bool Histogram::operator==(const Histogram &other) const {
  if (numBins != other.numBins || count != other.count ||
      zeroCount != other.zeroCount || nonFiniteCount != other.nonFiniteCount ||
      counts != other.counts)
    return false;
  if (counts.empty())
    return true;
  return binWidthLog2 == other.binWidthLog2 && firstBin == other.firstBin &&
         min == other.min && max == other.max;
}

//===----------------------------------------------------------------------===//
// Range choosers
//===----------------------------------------------------------------------===//

llvm::StringRef quantization::getRangeMethodName(RangeMethod method) {
  switch (method) {
  case RangeMethod::MinMax:
    return "minmax";
  case RangeMethod::Percentile:
    return "percentile";
  case RangeMethod::Mse:
    return "mse";
  case RangeMethod::Entropy:
    return "entropy";
  }
  llvm_unreachable("unknown range method");
}

std::optional<RangeMethod>
quantization::parseRangeMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<RangeMethod>>(name)
      .Cases({"minmax", "min_max"}, RangeMethod::MinMax)
      .Case("percentile", RangeMethod::Percentile)
      .Case("mse", RangeMethod::Mse)
      .Cases({"entropy", "kl"}, RangeMethod::Entropy)
      .Default(std::nullopt);
}

std::pair<float, float>
quantization::chooseMinMaxRange(const TensorStatistics &stats) {
  if (stats.count == 0 || stats.min > stats.max)
    return {0.0f, 0.0f};
  return {stats.min, stats.max};
}

/// Intersects [lo, hi] with the observed range.
static std::pair<float, float> clampToObserved(const TensorStatistics &stats,
                                               double lo, double hi) {
  auto [min, max] = chooseMinMaxRange(stats);
  float clampedLo = static_cast<float>(std::clamp<double>(lo, min, max));
  float clampedHi = static_cast<float>(std::clamp<double>(hi, min, max));
  return {std::min(clampedLo, clampedHi), std::max(clampedLo, clampedHi)};
}

/// The value below which `fraction` of the histogram's mass lies, assuming
/// values spread uniformly inside each bin. `edgeOf(i)` is bin i's lower
/// edge.
template <typename EdgeFn>
static double quantileOf(llvm::ArrayRef<uint64_t> counts, uint64_t total,
                         double fraction, EdgeFn edgeOf) {
  double target = fraction * static_cast<double>(total);
  double cumulative = 0.0;
  for (auto [i, c] : llvm::enumerate(counts)) {
    if (c == 0)
      continue;
    if (cumulative + static_cast<double>(c) >= target) {
      double inside = (target - cumulative) / static_cast<double>(c);
      return edgeOf(i) +
             std::clamp(inside, 0.0, 1.0) * (edgeOf(i + 1) - edgeOf(i));
    }
    cumulative += static_cast<double>(c);
  }
  return edgeOf(counts.size());
}

std::pair<float, float>
quantization::choosePercentileRange(const TensorStatistics &stats,
                                    double percentile, bool symmetric) {
  const Histogram &histogram = stats.histogram;
  if (histogram.empty() || stats.count == 0 || percentile >= 100.0)
    return chooseMinMaxRange(stats);
  uint64_t total = histogram.getCount();
  double fraction = std::max(percentile, 0.0) / 100.0;
  if (symmetric) {
    double width = histogram.getBinWidth();
    double threshold =
        quantileOf(histogram.getAbsCounts(), total, fraction,
                   [&](size_t i) { return static_cast<double>(i) * width; });
    return clampToObserved(stats, -threshold, threshold);
  }
  double tail = (1.0 - fraction) / 2.0;
  auto edgeOf = [&](size_t i) { return histogram.getLowerEdge(i); };
  double lo = quantileOf(histogram.getCounts(), total, tail, edgeOf);
  double hi = quantileOf(histogram.getCounts(), total, 1.0 - tail, edgeOf);
  return clampToObserved(stats, lo, hi);
}

namespace {
/// Expected squared quantization error of a histogram against a code grid,
/// integrated in closed form per bin.
class GridError {
public:
  explicit GridError(const TensorStatistics &stats) {
    // The bin intervals, with the first and last only occupied up to min
    // and max; precomputed because the searches evaluate thousands of grids.
    const Histogram &histogram = stats.histogram;
    for (auto [i, c] : llvm::enumerate(histogram.getCounts())) {
      if (c == 0)
        continue;
      double a =
          std::max(histogram.getLowerEdge(i), static_cast<double>(stats.min));
      double b = std::min(histogram.getLowerEdge(i + 1),
                          static_cast<double>(stats.max));
      bins.push_back({a, b, static_cast<double>(c),
                      b > a ? static_cast<double>(c) / (b - a) : 0.0});
    }
  }

  /// Total squared error (summed over values) of quantizing with the grid
  /// {k * scale : low <= k * scale <= high}, saturating outside it.
  double evaluate(double scale, double low, double high) const {
    double inverseScale = 1.0 / scale;
    double scaleCubed = scale * scale * scale;
    double total = 0.0;
    for (const Bin &bin : bins) {
      if (bin.density == 0.0) { // All of the bin's values are one point.
        double q =
            std::clamp(scale * std::nearbyint(bin.a * inverseScale), low, high);
        total += bin.count * (bin.a - q) * (bin.a - q);
        continue;
      }
      double integral = 0.0;
      // Below the grid every value saturates to `low`, above it to `high`.
      if (bin.a < low) {
        double end = std::min(bin.b, low);
        integral += (cube(end - low) - cube(bin.a - low)) / 3.0;
      }
      if (bin.b > high) {
        double start = std::max(bin.a, high);
        integral += (cube(bin.b - high) - cube(start - high)) / 3.0;
      }
      double start = std::max(bin.a, low);
      double end = std::min(bin.b, high);
      if (end > start)
        integral += scaleCubed * (periodicIntegral(end * inverseScale) -
                                  periodicIntegral(start * inverseScale));
      total += bin.density * integral;
    }
    return total;
  }

private:
  struct Bin {
    double a, b, count, density;
  };

  static double cube(double x) { return x * x * x; }

  /// Integral of (y - round(y))^2 over [0, u].
  static double periodicIntegral(double u) {
    double whole = std::floor(u);
    double f = u - whole;
    double part =
        f <= 0.5 ? f * f * f / 3.0 : 1.0 / 24.0 + (cube(f - 1.0) + 0.125) / 3.0;
    return whole / 12.0 + part;
  }

  std::vector<Bin> bins;
};
} // namespace

std::pair<float, float>
quantization::chooseMseRange(const TensorStatistics &stats,
                             const IntegerFormat &format) {
  const Histogram &histogram = stats.histogram;
  if (histogram.empty() || stats.count == 0 || stats.min == stats.max)
    return chooseMinMaxRange(stats);
  GridError grid(stats);
  IntegerRange range = format.getRange();
  auto errorOf = [&](float lo, float hi, bool symmetric) {
    AffineParams params = chooseAffineParams(
        lo, hi, format.bits, format.isSigned, symmetric, format.narrow);
    double scale = params.scale;
    return grid.evaluate(scale, (range.min - params.zeroPoint) * scale,
                         (range.max - params.zeroPoint) * scale);
  };

  if (format.symmetric) {
    float absmax = std::max(std::fabs(stats.min), std::fabs(stats.max));
    size_t numAbsBins = histogram.getAbsCounts().size();
    double width = histogram.getBinWidth();
    float best = absmax;
    double bestError = errorOf(-absmax, absmax, true);
    for (size_t k = 1; k <= numAbsBins; ++k) {
      float threshold = static_cast<float>(static_cast<double>(k) * width);
      if (threshold >= absmax)
        break;
      double error = errorOf(-threshold, threshold, true);
      if (error < bestError) {
        bestError = error;
        best = threshold;
      }
    }
    return clampToObserved(stats, -best, best);
  }

  // Greedy shrinking from both ends, keeping the best range seen.
  size_t numBins = histogram.getCounts().size();
  auto lowOf = [&](size_t first) {
    return std::max(static_cast<float>(histogram.getLowerEdge(first)),
                    stats.min);
  };
  auto highOf = [&](size_t last) {
    return std::min(static_cast<float>(histogram.getLowerEdge(last + 1)),
                    stats.max);
  };
  size_t first = 0, last = numBins - 1;
  std::pair<float, float> best = {stats.min, stats.max};
  double bestError = errorOf(stats.min, stats.max, false);
  while (first < last) {
    double shrinkLow = errorOf(lowOf(first + 1), highOf(last), false);
    double shrinkHigh = errorOf(lowOf(first), highOf(last - 1), false);
    if (shrinkLow <= shrinkHigh)
      ++first;
    else
      --last;
    double error = std::min(shrinkLow, shrinkHigh);
    if (error < bestError) {
      bestError = error;
      best = {lowOf(first), highOf(last)};
    }
  }
  return best;
}

/// ONNX Runtime's smooth_distribution: moves eps of mass onto empty bins,
/// taken evenly from the others, so that KL divergence stays finite.
static void smoothDistribution(std::vector<double> &p) {
  constexpr double kEps = 1e-4;
  size_t zeros = llvm::count(p, 0.0);
  size_t nonZeros = p.size() - zeros;
  if (nonZeros == 0)
    return;
  double eps1 = kEps * static_cast<double>(zeros) / nonZeros;
  for (double &v : p) {
    v = v == 0.0 ? kEps : v - eps1;
    // Fractional Q entries can dip below eps1; keep them positive.
    if (v <= 0.0)
      v = kEps;
  }
}

static double klDivergence(const std::vector<double> &p,
                           const std::vector<double> &q) {
  double sumP = std::accumulate(p.begin(), p.end(), 0.0);
  double sumQ = std::accumulate(q.begin(), q.end(), 0.0);
  double divergence = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / sumP;
    double qi = q[i] / sumQ;
    if (pi > 0.0)
      divergence += pi * std::log(pi / qi);
  }
  return divergence;
}

std::pair<float, float>
quantization::chooseEntropyRange(const TensorStatistics &stats, unsigned bits) {
  const Histogram &histogram = stats.histogram;
  if (histogram.empty() || stats.count == 0 || bits < 2 || bits > 16)
    return chooseMinMaxRange(stats);
  float absmax = std::max(std::fabs(stats.min), std::fabs(stats.max));
  std::vector<uint64_t> absCounts = histogram.getAbsCounts();
  absCounts[0] -= histogram.getZeroCount();
  if (histogram.getZeroCount() == histogram.getCount())
    return chooseMinMaxRange(stats);
  size_t numBins = absCounts.size();
  size_t levels = size_t(1) << (bits - 1);
  if (numBins <= levels)
    return chooseMinMaxRange(stats);

  size_t bestBins = numBins;
  double bestDivergence = std::numeric_limits<double>::infinity();
  std::vector<double> p, q;
  for (size_t i = levels; i <= numBins; ++i) {
    p.assign(absCounts.begin(), absCounts.begin() + i);
    double outliers = 0.0;
    for (size_t j = i; j < numBins; ++j)
      outliers += static_cast<double>(absCounts[j]);
    p.back() += outliers;

    // Merge the unclipped bins into `levels` groups (the last takes the
    // remainder) and spread each group back over its non-empty bins.
    q.assign(i, 0.0);
    size_t merged = i / levels;
    for (size_t level = 0; level < levels; ++level) {
      size_t start = level * merged;
      size_t stop = level + 1 == levels ? i : start + merged;
      double sum = 0.0;
      size_t nonEmpty = 0;
      for (size_t j = start; j < stop; ++j) {
        sum += static_cast<double>(absCounts[j]);
        nonEmpty += p[j] != 0.0;
      }
      if (nonEmpty == 0)
        continue;
      for (size_t j = start; j < stop; ++j)
        if (p[j] != 0.0)
          q[j] = sum / static_cast<double>(nonEmpty);
    }
    if (llvm::all_of(p, [](double v) { return v == 0.0; }))
      continue;
    smoothDistribution(p);
    smoothDistribution(q);
    double divergence = klDivergence(p, q);
    if (divergence < bestDivergence) {
      bestDivergence = divergence;
      bestBins = i;
    }
  }
  double threshold =
      std::min(static_cast<double>(bestBins) * histogram.getBinWidth(),
               static_cast<double>(absmax));
  return clampToObserved(stats, -threshold, threshold);
}

llvm::Expected<std::pair<float, float>>
quantization::chooseRange(const TensorStatistics &stats,
                          const ObserverConfig &config,
                          const IntegerFormat &format) {
  if (config.activations == RangeMethod::MinMax || stats.count == 0)
    return chooseMinMaxRange(stats);
  if (stats.histogram.empty())
    return makeError(llvm::formatv("tensor '{0}' has no histogram; the {1} "
                                   "observer needs one (collect statistics "
                                   "with histograms)",
                                   stats.name,
                                   getRangeMethodName(config.activations))
                         .str());
  switch (config.activations) {
  case RangeMethod::MinMax:
    break;
  case RangeMethod::Percentile:
    return choosePercentileRange(stats, config.percentile, format.symmetric);
  case RangeMethod::Mse:
    return chooseMseRange(stats, format);
  case RangeMethod::Entropy: {
    // One-sided data quantized asymmetrically spends every code on [0, t].
    unsigned bits = format.bits;
    if (!format.symmetric && stats.min >= 0.0f)
      ++bits;
    return chooseEntropyRange(stats, bits);
  }
  }
  return chooseMinMaxRange(stats);
}

//===----------------------------------------------------------------------===//
// Per-channel absmax
//===----------------------------------------------------------------------===//

llvm::Error quantization::accumulateChannelAbsMax(std::vector<float> &absMax,
                                                  llvm::ArrayRef<float> data,
                                                  llvm::ArrayRef<int64_t> shape,
                                                  int64_t axis) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < 0 || axis >= rank)
    return makeError(llvm::formatv("channel axis {0} is out of range for a "
                                   "rank-{1} tensor",
                                   axis, rank)
                         .str());
  int64_t numElements = 1;
  for (int64_t dim : shape)
    numElements *= dim;
  if (numElements != static_cast<int64_t>(data.size()))
    return makeError(llvm::formatv("tensor has {0} elements but its shape "
                                   "holds {1}",
                                   data.size(), numElements)
                         .str());
  int64_t channels = shape[axis];
  if (absMax.empty())
    absMax.assign(channels, 0.0f);
  if (static_cast<int64_t>(absMax.size()) != channels)
    return makeError(llvm::formatv("tensor has {0} channels along axis {1} "
                                   "but {2} were observed before",
                                   channels, axis, absMax.size())
                         .str());
  int64_t stride = 1;
  for (int64_t i = axis + 1; i < rank; ++i)
    stride *= shape[i];
  if (channels == 0)
    return llvm::Error::success();
  for (auto [i, x] : llvm::enumerate(data)) {
    if (!std::isfinite(x))
      continue;
    float &entry = absMax[(static_cast<int64_t>(i) / stride) % channels];
    entry = std::max(entry, std::fabs(x));
  }
  return llvm::Error::success();
}

llvm::Error quantization::mergeChannelAbsMax(std::vector<float> &into,
                                             llvm::ArrayRef<float> other) {
  if (other.empty())
    return llvm::Error::success();
  if (into.empty()) {
    into.assign(other.begin(), other.end());
    return llvm::Error::success();
  }
  if (into.size() != other.size())
    return makeError(llvm::formatv("cannot merge per-channel absmax of {0} "
                                   "and {1} channels",
                                   into.size(), other.size())
                         .str());
  for (size_t i = 0; i < into.size(); ++i)
    into[i] = std::max(into[i], other[i]);
  return llvm::Error::success();
}
