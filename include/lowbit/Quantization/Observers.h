//===- Observers.h - Calibration histograms and range choice ----*- C++ -*-===//
//
// What calibration records about a tensor and how a quantization range is
// chosen from it: a streaming, mergeable histogram; range choosers (min-max,
// percentile, MSE-optimal clipping, TensorRT-style entropy); and per-channel
// absmax accumulation for SmoothQuant-style smoothing.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANTIZATION_OBSERVERS_H
#define LOWBIT_QUANTIZATION_OBSERVERS_H

#include "lowbit/Quantization/Numerics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace lowbit {
namespace quantization {

struct TensorStatistics;

/// A streaming histogram of float values whose bins are aligned to a
/// power-of-two width.
///
/// Bin k (a "global" bin index, any int64) covers [k * w, (k + 1) * w) with
/// w = 2^getBinWidthLog2(). Only the occupied span of bins is stored, at most
/// `getNumBins()` of them: `getCounts()[i]` is global bin
/// `getFirstBin() + i`, and the first and last stored bins hold the exact
/// minimum and maximum. Zero is always a bin edge, so folding to |x|
/// (`getAbsCounts`) is exact.
///
/// When new values do not fit, the width doubles until they do: two adjacent
/// bins merge into one with no approximation (the re-binning of PyTorch's
/// HistogramObserver and TensorRT, made exact). The width is always the
/// smallest power of two for which the data fit (and at least absmax / 2^40,
/// which only matters for constant data), so the histogram is a function of
/// the multiset of values alone: adding in any order, in any batches, or
/// merging partial histograms gives an identical result.
/// Compared with a fixed symmetric [-R, R] layout this keeps at least half of
/// the bins in use for one-sided data such as ReLU outputs.
///
/// NaN and infinities are not binned; they are counted by
/// `getNonFiniteCount`. Exact zeros are binned and also counted by
/// `getZeroCount`, because entropy calibration must ignore them (see
/// chooseEntropyRange).
class Histogram {
public:
  static constexpr unsigned kDefaultNumBins = 2048;

  /// An empty histogram of at most `numBins` bins (at least 2).
  explicit Histogram(unsigned numBins = kDefaultNumBins);

  /// Adds values, widening the bins if they do not fit.
  void add(llvm::ArrayRef<float> values);

  /// Adds the values of `other`. When both have the same capacity the result
  /// equals the histogram of both inputs' values added to one histogram.
  /// The result keeps this histogram's capacity; bins of an `other` with a
  /// smaller capacity may be wider than this one would choose, and are kept
  /// (they cannot be split).
  void merge(const Histogram &other);

  /// Rebuilds a histogram from its serialized parts (see the accessors),
  /// checking that they are consistent: counts not longer than numBins,
  /// first and last counts non-zero and on the bins of min and max.
  static llvm::Expected<Histogram>
  fromParts(unsigned numBins, int binWidthLog2, int64_t firstBin,
            std::vector<uint64_t> counts, float min, float max,
            uint64_t zeroCount, uint64_t nonFiniteCount);

  /// True when no finite value was added.
  bool empty() const { return counts.empty(); }
  /// The bin capacity.
  unsigned getNumBins() const { return numBins; }
  /// Number of finite values added.
  uint64_t getCount() const { return count; }
  /// Number of values exactly +0 or -0 (included in getCount).
  uint64_t getZeroCount() const { return zeroCount; }
  /// Number of NaN and infinite values seen (and skipped).
  uint64_t getNonFiniteCount() const { return nonFiniteCount; }
  /// The exact smallest and largest finite values (+inf/-inf when empty).
  float getMin() const { return min; }
  float getMax() const { return max; }
  /// log2 of the bin width; meaningless when empty.
  int getBinWidthLog2() const { return binWidthLog2; }
  /// The bin width 2^getBinWidthLog2().
  double getBinWidth() const;
  /// Global index of the first stored bin.
  int64_t getFirstBin() const { return firstBin; }
  /// The stored bin counts, first to last occupied bin.
  llvm::ArrayRef<uint64_t> getCounts() const { return counts; }
  /// The lower edge of stored bin `i` (may be past the end: the upper edge
  /// of the last bin is getLowerEdge(getCounts().size())).
  double getLowerEdge(size_t i) const;
  /// Counts of |x|: entry k covers |x| in [k * w, (k + 1) * w).
  std::vector<uint64_t> getAbsCounts() const;

  bool operator==(const Histogram &other) const;
  bool operator!=(const Histogram &other) const { return !(*this == other); }

private:
  /// Re-bins to the narrowest width (at least 2^minWidthLog2 and the
  /// current width) at which [newMin, newMax] fits, and moves the stored
  /// window to exactly the bins of newMin and newMax.
  void fitRange(float newMin, float newMax, int minWidthLog2);

  unsigned numBins;
  int binWidthLog2 = 0;
  int64_t firstBin = 0;
  std::vector<uint64_t> counts;
  uint64_t count = 0;
  uint64_t zeroCount = 0;
  uint64_t nonFiniteCount = 0;
  float min;
  float max;
};

/// How a calibration range is chosen from a tensor's statistics.
enum class RangeMethod { MinMax, Percentile, Mse, Entropy };

/// The recipe's observer settings for activations.
struct ObserverConfig {
  // Percentile 99.99 measured best on PaddleOCR rec and meets cls (see
  // docs/Quantization.md); min-max is too sensitive to rare outliers.
  RangeMethod activations = RangeMethod::Percentile;
  /// For RangeMethod::Percentile, in (0, 100].
  double percentile = 99.99;
};

/// The recipe spelling of a method: "minmax", "percentile", "mse",
/// "entropy".
llvm::StringRef getRangeMethodName(RangeMethod method);

/// Parses a recipe spelling (see getRangeMethodName); "kl" is accepted for
/// "entropy" and "min_max" for "minmax".
std::optional<RangeMethod> parseRangeMethod(llvm::StringRef name);

/// The exact [min, max] of the observed values ((0, 0) when none).
std::pair<float, float> chooseMinMaxRange(const TensorStatistics &stats);

/// Clips the tails at a percentile (e.g. 99.99), interpolating linearly
/// inside the bin that holds it. Symmetric: the percentile of |x|, giving
/// [-t, t]. Asymmetric: (100 - percentile) / 2 percent cut from each tail,
/// as ONNX Runtime's PercentileCalibrater does. The result never exceeds the
/// observed [min, max]. Falls back to min-max without a histogram.
std::pair<float, float> choosePercentileRange(const TensorStatistics &stats,
                                              double percentile,
                                              bool symmetric);

/// The clipping range that minimizes the expected squared error of
/// quantizing to `format`, counting both rounding error inside the range and
/// clipping error outside it. Values are assumed uniformly spread inside
/// each bin (within [min, max]); the error of each bin is integrated in
/// closed form against the actual code grid, zero point included.
/// Symmetric formats search every |x| bin edge as threshold; asymmetric ones
/// shrink [min, max] greedily one bin from either end, as PyTorch's
/// HistogramObserver does. Falls back to min-max without a histogram.
std::pair<float, float> chooseMseRange(const TensorStatistics &stats,
                                       const IntegerFormat &format);

/// TensorRT's entropy calibration: over the |x| histogram, choose the
/// threshold i * w (i from 2^(bits-1) levels to the last bin) minimizing
/// KL(P || Q), where P is the clipped distribution with outliers folded
/// into its last bin and Q is P merged into 2^(bits-1) levels and expanded
/// back over P's non-empty bins; both smoothed with eps = 1e-4 as ONNX
/// Runtime does. Exact zeros are left out: every threshold represents them
/// exactly, and the spike they form in ReLU outputs would otherwise pull the
/// threshold far down (to 1.5 sigma for a rectified Gaussian). Returns
/// [-t, t] intersected with [min, max]. Falls back to min-max without a
/// histogram.
std::pair<float, float> chooseEntropyRange(const TensorStatistics &stats,
                                           unsigned bits = 8);

/// Chooses an activation range by `config.activations` for `format`. Errors
/// when the method needs a histogram and `stats` has none (the message
/// names the tensor).
llvm::Expected<std::pair<float, float>>
chooseRange(const TensorStatistics &stats, const ObserverConfig &config,
            const IntegerFormat &format);

/// Accumulates the per-channel absmax of a row-major tensor of `shape`
/// along `axis` into `absMax` (merged by max; an empty `absMax` is sized to
/// the channel count). NaNs are skipped. Errors when the axis is out of
/// range, the data do not match the shape, or `absMax` has another length.
llvm::Error accumulateChannelAbsMax(std::vector<float> &absMax,
                                    llvm::ArrayRef<float> data,
                                    llvm::ArrayRef<int64_t> shape,
                                    int64_t axis);

/// Merges per-channel absmax vectors by elementwise max. Errors when both
/// are non-empty and their lengths differ.
llvm::Error mergeChannelAbsMax(std::vector<float> &into,
                               llvm::ArrayRef<float> other);

} // namespace quantization
} // namespace lowbit

#endif // LOWBIT_QUANTIZATION_OBSERVERS_H
