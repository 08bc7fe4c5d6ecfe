//===- Report.cpp - report.json, report.md and the stderr summary ---------===//

#include "lib/Artifact/Evaluation.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <cstdio>

using namespace lowbit;
using llvm::StringRef;

namespace {

std::string formatSqnr(std::optional<double> sqnr) {
  if (!sqnr)
    return "exact";
  if (std::isinf(*sqnr))
    return *sqnr > 0 ? "inf" : "-inf";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.2f", *sqnr);
  return text;
}

/// "32.10 dB", or "exact".
std::string formatSqnrWithUnit(std::optional<double> sqnr) {
  return formatSqnr(sqnr) + (sqnr && std::isfinite(*sqnr) ? " dB" : "");
}

std::string formatNumber(double value, const char *format) {
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(format, value);
  return text;
}

std::string formatPercent(std::optional<double> fraction) {
  if (!fraction)
    return "-";
  return formatNumber(*fraction * 100, "%.2f") + "%";
}

} // namespace

void lowbit::writeMetricJSON(llvm::json::OStream &json, StringRef key,
                             std::optional<double> value) {
  if (!value) {
    json.attribute(key, nullptr);
    return;
  }
  if (std::isinf(*value) || std::isnan(*value)) {
    json.attribute(key, std::isnan(*value) ? "nan"
                        : *value > 0       ? "inf"
                                           : "-inf");
    return;
  }
  // llvm::json prints doubles with 17 digits; the metrics have 6.
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", *value);
  json.attributeBegin(key);
  json.rawValue(text);
  json.attributeEnd();
}

void lowbit::writeReportJSON(const EvaluationReport &report,
                             llvm::raw_ostream &os) {
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("format", "lowbit-report");
    json.attribute("format_version", 1);
    json.attributeObject("evaluation_set", [&] {
      json.attribute("name", report.setName);
      json.attribute("sha256", report.setSha256);
      json.attribute("sample_count", static_cast<int64_t>(report.sampleCount));
    });
    json.attribute("sqnr_definition",
                   "10*log10(sum(float^2)/sum((float-quantized)^2)) over all "
                   "samples, dB; null when identical");
    json.attributeArray("outputs", [&] {
      for (const OutputMetrics &output : report.outputs)
        json.object([&] {
          json.attribute("name", output.name);
          writeMetricJSON(json, "sqnr_db", output.sqnrDb);
          writeMetricJSON(json, "cosine_similarity", output.cosineSimilarity);
          writeMetricJSON(json, "max_abs_error", output.maxAbsError);
          writeMetricJSON(json, "top1_agreement", output.top1Agreement);
        });
    });
    json.attributeArray("worst_samples", [&] {
      for (const SampleMetrics &sample : report.worstSamples)
        json.object([&] {
          json.attribute("sample", sample.sample);
          writeMetricJSON(json, "sqnr_db", sample.sqnrDb);
        });
    });
    json.attributeArray("layers", [&] {
      for (const LayerMetrics &layer : report.layers)
        json.object([&] {
          json.attribute("layer", layer.layer);
          json.attribute("op_type", layer.opType);
          json.attribute("quantized", layer.quantized);
          writeMetricJSON(json, "sqnr_db", layer.sqnrDb);
          writeMetricJSON(json, "max_abs_error", layer.maxAbsError);
        });
    });
  });
  os << "\n";
}

void lowbit::writeReportMarkdown(const EvaluationReport &report,
                                 StringRef modelFileName,
                                 llvm::raw_ostream &os) {
  os << "# Quantized `" << modelFileName << "` against the float model\n\n";
  os << report.sampleCount << " samples from `" << report.setName
     << "` (SHA-256 `" << report.setSha256 << "`). SQNR is "
     << "10·log10(Σ float² / Σ (float − quantized)²) over every sample, in "
     << "dB; higher is better.\n\n";

  os << "## Outputs\n\n";
  os << "| output | SQNR (dB) | cosine similarity | max abs error | top-1 "
        "agreement |\n";
  os << "|---|---:|---:|---:|---:|\n";
  for (const OutputMetrics &output : report.outputs)
    os << "| `" << output.name << "` | " << formatSqnr(output.sqnrDb) << " | "
       << formatNumber(output.cosineSimilarity, "%.6f") << " | "
       << formatNumber(output.maxAbsError, "%.4g") << " | "
       << formatPercent(output.top1Agreement) << " |\n";

  os << "\n## Worst samples\n\n";
  os << "| sample | SQNR (dB) |\n|---|---:|\n";
  for (const SampleMetrics &sample : report.worstSamples)
    os << "| `" << sample.sample << "` | " << formatSqnr(sample.sqnrDb)
       << " |\n";

  os << "\n## Layers, worst first\n\n";
  os << "Each layer's output in the quantized model against the same layer "
        "in the float model: the error it adds plus the error it "
        "inherits.\n\n";
  os << "| layer | op | quantized | SQNR (dB) | max abs error |\n";
  os << "|---|---|---|---:|---:|\n";
  for (const LayerMetrics &layer : report.layers)
    os << "| `" << layer.layer << "` | " << layer.opType << " | "
       << (layer.quantized ? "yes" : "no") << " | "
       << formatSqnr(layer.sqnrDb) << " | "
       << formatNumber(layer.maxAbsError, "%.4g") << " |\n";
}

void lowbit::printReportSummary(const EvaluationReport &report,
                                llvm::raw_ostream &os) {
  os << "evaluation on " << report.sampleCount << " samples from '"
     << report.setName << "':\n";
  for (const OutputMetrics &output : report.outputs) {
    os << "  output '" << output.name
       << "': SQNR " << formatSqnrWithUnit(output.sqnrDb) << ", cosine "
       << formatNumber(output.cosineSimilarity, "%.6f") << ", max abs error "
       << formatNumber(output.maxAbsError, "%.4g");
    if (output.top1Agreement)
      os << ", top-1 agreement " << formatPercent(output.top1Agreement);
    os << "\n";
  }
  if (!report.layers.empty()) {
    const LayerMetrics &worst = report.layers.front();
    os << "  worst layer: '" << worst.layer << "' (" << worst.opType
       << "), SQNR " << formatSqnrWithUnit(worst.sqnrDb) << "\n";
  }
}
