//===- Evaluation.h - the quantized artifact against float ------*- C++ -*-===//
//
// `quant-compile --eval DIR` runs the float model and the quantized
// artifact on every sample of DIR and measures how far apart they are, per
// model output and per layer. The result goes into report.json, report.md
// and the manifest.
//
// SQNR is 10 log10(sum ref^2 / sum (ref - quant)^2) over all elements of
// all samples, in dB; it is absent (null) when the two are identical.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_ARTIFACT_EVALUATION_H
#define LOWBIT_LIB_ARTIFACT_EVALUATION_H

#include "lib/Artifact/Instrument.h"
#include "lib/Artifact/SampleSet.h"
#include "lowbit/Artifact/CompiledModel.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// How one model output of the quantized artifact compares with the float
/// model over the evaluation set.
struct OutputMetrics {
  std::string name;
  /// None when the outputs are identical.
  std::optional<double> sqnrDb;
  double cosineSimilarity = 1;
  double maxAbsError = 0;
  /// The fraction of rows (all but the last axis) whose argmax along the
  /// last axis agrees; none when the last axis has fewer than 2 elements.
  std::optional<double> top1Agreement;
};

/// The SQNR of one sample over all model outputs.
struct SampleMetrics {
  std::string sample;
  std::optional<double> sqnrDb;
};

/// How one layer's output in the quantized model compares with the same
/// layer's output in the float model (after the activation that the
/// quantized layer fuses, if any).
struct LayerMetrics {
  std::string layer;
  std::string opType;
  /// False for layers the recipe kept in float (their error comes from
  /// the layers before them).
  bool quantized = false;
  std::optional<double> sqnrDb;
  double maxAbsError = 0;
};

struct EvaluationReport {
  /// The folder's name (not its path, which would make artifacts depend on
  /// where they were built) and its SHA-256.
  std::string setName;
  std::string setSha256;
  size_t sampleCount = 0;
  std::vector<OutputMetrics> outputs;
  /// The samples with the lowest SQNR, worst first (at most 5).
  std::vector<SampleMetrics> worstSamples;
  /// Worst SQNR first; identical layers last.
  std::vector<LayerMetrics> layers;
};

/// The models evaluation runs.
struct EvaluationModels {
  /// The float model instrumented with InstrumentMode::InputsAndOutputs
  /// (its first results are the model's outputs).
  CompiledModel *floatModel;
  llvm::ArrayRef<ObservedTensor> floatObserved;
  /// The quantized artifact as shipped.
  CompiledModel *quantizedModel;
  /// The quantized model instrumented with InstrumentMode::Outputs.
  CompiledModel *quantizedLayers;
  llvm::ArrayRef<ObservedTensor> quantizedObserved;
};

/// Runs the models over every sample of `samples` (progress bar on
/// `progress`) and measures the quantized outputs against the float ones.
/// The caller names the set (`setName`).
llvm::Expected<EvaluationReport> evaluate(const EvaluationModels &models,
                                          const SampleSet &samples,
                                          llvm::raw_ostream &progress);

/// report.json: the report as JSON with a fixed key order.
void writeReportJSON(const EvaluationReport &report, llvm::raw_ostream &os);

/// report.md: the report as Markdown tables.
void writeReportMarkdown(const EvaluationReport &report,
                         llvm::StringRef modelFileName,
                         llvm::raw_ostream &os);

/// A few lines for stderr: per output SQNR, cosine, max error, top-1, and
/// the worst layer.
void printReportSummary(const EvaluationReport &report, llvm::raw_ostream &os);

/// Rounds `value` to 6 significant digits, so that reports stay readable
/// (and do not show noise digits).
double roundForReport(double value);

/// Writes `key: value` with `value` to 6 significant digits; null when
/// absent (identical tensors), and "inf"/"-inf" strings for infinities,
/// which JSON numbers cannot hold.
void writeMetricJSON(llvm::json::OStream &json, llvm::StringRef key,
                     std::optional<double> value);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_EVALUATION_H
