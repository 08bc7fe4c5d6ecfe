//===- Stats.h - The versioned calibration statistics file ------*- C++ -*-===//
//
// Calibration writes what it observed about every tensor to a JSON stats
// file; quantization passes read it back. The file is versioned, written
// atomically (temporary file, then rename) and deterministically (sorted
// keys, floats in the shortest form that reads back to the same float), and
// stats of several calibration shards merge into one.
//
// Format version 1:
//
//   {
//     "calibration_sha256": "<hex>",
//     "format": "lowbit-stats",
//     "format_version": 1,
//     "model_sha256": "<hex>",
//     "sample_count": 64,
//     "tensors": {
//       "<name>": {
//         "channel_abs_max": [0.5, ...],      // absent when not collected
//         "channel_axis": 1,                  // absent when -1
//         "channel_count": [4115, ...],       // optional, see below
//         "channel_sum": [812.25, ...],
//         "channel_sum_low": [1.5e-14, ...],
//         "count": 12345,                     // finite values
//         "histogram": {                      // absent when not collected
//           "bin_width_log2": -9, "counts": [3, 0, 7, ...],
//           "first_bin": -1024, "num_bins": 2048, "zero_count": 0
//         },
//         "max": 3.25, "min": -4,             // null when count is 0
//         "non_finite_count": 0
//       }
//     }
//   }
//
// The per-channel sums are optional on read (files written before they
// existed have none; bias correction then has no means to work with):
// `channel_count`, `channel_sum` and `channel_sum_low` come together, with
// `channel_axis`, one entry per channel. `channel_count` counts the finite
// values of each channel (they add up to `count`); `channel_sum +
// channel_sum_low` is exactly the sum of those values as `ExactSum` holds
// it, `channel_sum` being that sum rounded to the nearest double (the mean
// of channel c is channel_sum[c] / channel_count[c]) and `channel_sum_low`
// the remainder, so that merging files stays exact.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANTIZATION_STATS_H
#define LOWBIT_QUANTIZATION_STATS_H

#include "lowbit/Quantization/Observers.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {
namespace quantization {

/// An exact sum of float values. Each value is rounded to a multiple of
/// 2^-48 (values of magnitude 2^-24 and above are taken exactly; smaller
/// ones lose their bits below 2^-48) and the multiples are added as
/// integers, so a sum does not depend on the order of the values nor on how
/// they were split into partial sums: merging sums is exact and
/// associative. The magnitude stays below 2^57; an addition that would
/// leave that range fails and changes nothing.
class ExactSum {
public:
  static constexpr int kFractionBits = 48;

  /// Adds a finite value; false when the sum would leave the range.
  bool add(float value);
  /// Adds another sum; false when the sum would leave the range.
  bool add(const ExactSum &other);

  /// The sum rounded to the nearest double, and the remainder: both exact
  /// doubles whose sum is the exact sum.
  double getHigh() const;
  double getLow() const;
  /// The sum of `high` and `low` (e.g. as read back from a stats file);
  /// none when they are not finite multiples of 2^-48 or the sum is out of
  /// range.
  static std::optional<ExactSum> fromParts(double high, double low);

  bool operator==(const ExactSum &other) const { return units == other.units; }

private:
  /// The sum in units of 2^-kFractionBits, |units| < 2^105.
  __int128 units = 0;
};

/// What calibration observed about one tensor.
struct TensorStatistics {
  std::string name;
  /// Number of finite values observed.
  uint64_t count = 0;
  /// Number of NaN and infinite values observed (not in min/max/histogram).
  uint64_t nonFiniteCount = 0;
  /// Exact extremes of the finite values (+inf/-inf while count is 0).
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  /// Empty when histograms were not collected.
  Histogram histogram;
  /// The axis `channelAbsMax` runs along, or -1 when not collected.
  int64_t channelAxis = -1;
  std::vector<float> channelAbsMax;
  /// Per channel along `channelAxis`: the number of finite values and their
  /// exact sum (the channel means). Both empty when not collected, or when
  /// they cannot cover every observed value (a sum left ExactSum's range, or
  /// values were merged in from statistics without sums); else both have
  /// one entry per channel.
  std::vector<uint64_t> channelCount;
  std::vector<ExactSum> channelSum;

  /// Observes one tensor value: count, min/max and the histogram (when
  /// `withHistogram`; pass the same choice on every call, since a stats file
  /// requires the histogram to hold exactly `count` values), plus the
  /// per-channel absmax and sums along `channelAxis` when that is set (then
  /// `shape` must describe `values`). On error nothing changes.
  llvm::Error add(llvm::ArrayRef<float> values,
                  llvm::ArrayRef<int64_t> shape = {},
                  bool withHistogram = true);

  /// Adds another observation of the same tensor. Errors when the channel
  /// axes or channel counts differ. Channel sums are kept when both sides
  /// have them (or one side observed nothing at all).
  llvm::Error merge(const TensorStatistics &other);

  /// True when per-channel sums are available.
  bool hasChannelMeans() const { return !channelSum.empty(); }
  /// The mean of each channel's finite values (0 for a channel without
  /// any); empty when the sums are not available.
  std::vector<double> getChannelMeans() const;

  bool operator==(const TensorStatistics &other) const;
};

/// The contents of a stats file.
struct StatsFile {
  static constexpr int kFormatVersion = 1;

  int formatVersion = kFormatVersion;
  /// SHA-256 (hex) of the model the statistics were collected on.
  std::string modelSha256;
  /// Number of calibration samples run.
  uint64_t sampleCount = 0;
  /// SHA-256 (hex) of the calibration set.
  std::string calibrationSha256;
  std::map<std::string, TensorStatistics> tensors;
  /// The file this was read from (not serialized); names it in errors.
  std::string path;

  /// Equality of the serialized contents (`path` is ignored).
  bool operator==(const StatsFile &other) const;
};

/// Reads a stats file. Errors name the file and what is wrong: unreadable,
/// not JSON, wrong format or version (saying which version was found and
/// which this build reads), a missing or mistyped field (naming the tensor
/// and field), an inconsistent histogram.
llvm::Expected<StatsFile> readStatsFile(llvm::StringRef path);

/// Parses stats file text; `path` is used for error messages and recorded in
/// the result.
llvm::Expected<StatsFile> parseStatsFile(llvm::StringRef text,
                                         llvm::StringRef path);

/// The deterministic JSON text of a stats file (see the format above).
std::string printStatsFile(const StatsFile &stats);

/// Writes a stats file atomically: to a temporary file next to `path`, then
/// renamed over it, so a reader never sees a partial file.
llvm::Error writeStatsFile(const StatsFile &stats, llvm::StringRef path);

/// Merges stats collected on shards of a calibration set: sample counts add
/// and tensors merge by name (counts add, extremes widen, histograms merge
/// exactly, channel absmax by max, channel counts and sums add exactly).
/// All inputs must come from the same model (else "stats file 'b.json' was
/// collected on model <sha> but 'a.json' on <sha>", files named by their
/// `path`). The calibration hash is kept when
/// all inputs agree, and is otherwise the SHA-256 of the sorted input hashes
/// joined by newlines, so the merge does not depend on input order.
llvm::Expected<StatsFile> mergeStats(llvm::ArrayRef<StatsFile> files);

} // namespace quantization
} // namespace lowbit

#endif // LOWBIT_QUANTIZATION_STATS_H
