//===- TensorComparison.h - Outputs against expected tensors ----*- C++ -*-===//
//
// Compares a model's output with an expected tensor the way the ONNX backend
// tests do (numpy.testing.assert_allclose: |actual - expected| <= atol +
// rtol * |expected|, NaN equal to NaN) and summarizes the differences.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_TENSORCOMPARISON_H
#define LOWBIT_TOOLS_QUANTRUN_TENSORCOMPARISON_H

#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/Support/Error.h"

#include <string>

namespace lowbit {

/// Element-wise tolerance.
struct Tolerance {
  double rtol;
  double atol;
};

/// Summary of an element-wise comparison.
struct TensorComparison {
  int64_t numElements = 0;
  /// Elements outside the tolerance.
  int64_t numMismatches = 0;
  double maxAbsError = 0;
  /// Largest |actual - expected| / |expected| over elements whose expected
  /// value is not zero (atol covers the zeros).
  double maxRelError = 0;
  /// Cosine similarity of the two tensors as vectors (1 when both are zero).
  double cosineSimilarity = 1;
  /// The element furthest outside the tolerance, when there is one.
  int64_t worstIndex = -1;
  double worstActual = 0;
  double worstExpected = 0;
  /// Shape of the compared tensors, to print `worstIndex` as coordinates.
  std::vector<int64_t> shape;

  bool isWithinTolerance() const { return numMismatches == 0; }
  /// `max_abs_err=... max_rel_err=... cosine=...` plus, for a mismatch, how
  /// many elements and which one is worst.
  std::string format(const Tolerance &tolerance) const;
};

/// Compares `actual` with `expected`. Differing element types or shapes are
/// an error, not a mismatch: no tolerance makes them comparable.
llvm::Expected<TensorComparison> compareTensors(const TensorData &actual,
                                                const TensorData &expected,
                                                const Tolerance &tolerance);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_TENSORCOMPARISON_H
