//===- Evaluation.cpp - the quantized artifact against the float model ----===//

#include "lib/Artifact/Evaluation.h"

#include "lib/Artifact/Calibrate.h"
#include "lib/Artifact/ProgressBar.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace lowbit;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str());
}

/// Running sums for SQNR, cosine similarity, max error and top-1 agreement
/// of quantized values against reference values.
struct ErrorAccumulator {
  double signal = 0;
  double noise = 0;
  double dot = 0;
  double referenceNorm = 0;
  double quantizedNorm = 0;
  double maxAbsError = 0;
  uint64_t rows = 0;
  uint64_t agreeingRows = 0;

  void add(llvm::ArrayRef<float> reference, llvm::ArrayRef<float> quantized) {
    for (auto [r, q] : llvm::zip_equal(reference, quantized)) {
      double ref = r, quant = q;
      double error = ref - quant;
      // A NaN or infinity in either makes the error unbounded.
      if (!std::isfinite(error)) {
        noise = maxAbsError = std::numeric_limits<double>::infinity();
        continue;
      }
      signal += ref * ref;
      noise += error * error;
      dot += ref * quant;
      referenceNorm += ref * ref;
      quantizedNorm += quant * quant;
      maxAbsError = std::max(maxAbsError, std::abs(error));
    }
  }

  /// Argmax agreement of the rows of length `rowLength`.
  void addTop1(llvm::ArrayRef<float> reference, llvm::ArrayRef<float> quantized,
               size_t rowLength) {
    for (size_t start = 0; start + rowLength <= reference.size();
         start += rowLength) {
      auto argmax = [&](llvm::ArrayRef<float> row) {
        return std::max_element(row.begin(), row.end()) - row.begin();
      };
      ++rows;
      if (argmax(reference.slice(start, rowLength)) ==
          argmax(quantized.slice(start, rowLength)))
        ++agreeingRows;
    }
  }

  std::optional<double> getSqnrDb() const {
    if (noise == 0)
      return std::nullopt;
    if (std::isinf(noise) || signal == 0)
      return -std::numeric_limits<double>::infinity();
    return 10 * std::log10(signal / noise);
  }

  double getCosineSimilarity() const {
    if (referenceNorm == 0 && quantizedNorm == 0)
      return 1;
    if (referenceNorm == 0 || quantizedNorm == 0)
      return 0;
    return dot / std::sqrt(referenceNorm * quantizedNorm);
  }

  void merge(const ErrorAccumulator &other) {
    signal += other.signal;
    noise += other.noise;
    dot += other.dot;
    referenceNorm += other.referenceNorm;
    quantizedNorm += other.quantizedNorm;
    maxAbsError = std::max(maxAbsError, other.maxAbsError);
    rows += other.rows;
    agreeingRows += other.agreeingRows;
  }
};

std::optional<double> roundOptional(std::optional<double> value) {
  if (!value)
    return value;
  return roundForReport(*value);
}

/// Applies a quantized layer's fused activation to the float reference.
void applyFusedActivation(const ObservedTensor &tensor,
                          std::vector<float> &values) {
  if (tensor.fusedActivation == "relu")
    for (float &value : values)
      value = std::max(value, 0.0f);
  else if (tensor.fusedActivation == "clip")
    for (float &value : values)
      value = std::min(std::max(value, tensor.clipMin), tensor.clipMax);
}

llvm::Expected<std::vector<float>> readOutput(CompiledModel &model, int index,
                                              std::vector<int64_t> *shape) {
  llvm::Expected<TensorData> tensor = model.getOutput(index);
  if (!tensor)
    return tensor.takeError();
  if (shape)
    *shape = tensor->shape;
  return getFloatValues(*tensor);
}

} // namespace

double lowbit::roundForReport(double value) {
  if (!std::isfinite(value) || value == 0)
    return value;
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return std::strtod(text, nullptr);
}

llvm::Expected<EvaluationReport>
lowbit::evaluate(const EvaluationModels &models, const SampleSet &samples,
                 llvm::raw_ostream &progress) {
  CompiledModel &floatModel = *models.floatModel;
  CompiledModel &quantizedModel = *models.quantizedModel;
  CompiledModel &quantizedLayers = *models.quantizedLayers;

  // The model's outputs are the first results of the instrumented float
  // model and all the results of the quantized artifact.
  llvm::ArrayRef<TensorInfo> outputs = quantizedModel.getOutputs();
  for (auto [index, output] : llvm::enumerate(outputs))
    if (floatModel.findOutput(output.name) != static_cast<int>(index))
      return makeError("the float model has no output '" + output.name + "'");

  // Layers measured: every quantized-model layer the float model also has.
  struct MeasuredLayer {
    const ObservedTensor *tensor;
    int floatIndex;
    int quantizedIndex;
    ErrorAccumulator error;
  };
  llvm::StringMap<std::string> floatOutputs;
  for (const ObservedTensor &tensor : models.floatObserved)
    floatOutputs[tensor.key] = tensor.outputName;
  std::vector<MeasuredLayer> layers;
  for (const ObservedTensor &tensor : models.quantizedObserved) {
    // A quantized op with a bias may have absorbed the add after its float
    // counterpart.
    auto floatOutput = floatOutputs.end();
    if (tensor.hasBias)
      floatOutput = floatOutputs.find(biasedOutputKey(tensor.layer));
    if (floatOutput == floatOutputs.end())
      floatOutput = floatOutputs.find(tensor.key);
    if (floatOutput == floatOutputs.end())
      continue;
    int floatIndex = floatModel.findOutput(floatOutput->second);
    int quantizedIndex = quantizedLayers.findOutput(tensor.outputName);
    if (floatIndex < 0 || quantizedIndex < 0)
      continue;
    layers.push_back({&tensor, floatIndex, quantizedIndex, {}});
  }

  std::vector<ErrorAccumulator> outputErrors(outputs.size());
  std::vector<std::pair<std::optional<double>, size_t>> sampleSqnr;
  ProgressBar bar(progress, "evaluating", samples.samples.size());
  for (size_t sample = 0; sample < samples.samples.size(); ++sample) {
    llvm::Expected<std::vector<TensorData>> inputs =
        readSample(samples, sample, floatModel.getInputs());
    if (!inputs)
      return inputs.takeError();
    for (CompiledModel *model :
         {&floatModel, &quantizedModel, &quantizedLayers}) {
      for (auto [index, input] : llvm::enumerate(*inputs)) {
        int modelIndex = model->findInput(floatModel.getInputs()[index].name);
        if (modelIndex < 0)
          return makeError("the quantized model has no input '" +
                           floatModel.getInputs()[index].name + "'");
        if (llvm::Error error = model->setInput(modelIndex, input))
          return std::move(error);
      }
      if (llvm::Error error = model->run())
        return makeError("evaluation sample '" + samples.samples[sample] +
                         "': " + llvm::toString(std::move(error)));
    }

    ErrorAccumulator sampleError;
    for (auto [index, output] : llvm::enumerate(outputs)) {
      std::vector<int64_t> shape;
      auto reference = readOutput(floatModel, index, &shape);
      if (!reference)
        return reference.takeError();
      auto quantized = readOutput(quantizedModel, index, nullptr);
      if (!quantized)
        return quantized.takeError();
      ErrorAccumulator error;
      error.add(*reference, *quantized);
      if (!shape.empty() && shape.back() >= 2)
        error.addTop1(*reference, *quantized, shape.back());
      outputErrors[index].merge(error);
      sampleError.merge(error);
    }
    sampleSqnr.push_back({sampleError.getSqnrDb(), sample});

    for (MeasuredLayer &layer : layers) {
      auto reference = readOutput(floatModel, layer.floatIndex, nullptr);
      if (!reference)
        return reference.takeError();
      auto quantized =
          readOutput(quantizedLayers, layer.quantizedIndex, nullptr);
      if (!quantized)
        return quantized.takeError();
      if (reference->size() != quantized->size())
        return makeError("layer output '" + layer.tensor->key + "' has " +
                         llvm::Twine(quantized->size()) +
                         " elements in the quantized model and " +
                         llvm::Twine(reference->size()) + " in the float one");
      applyFusedActivation(*layer.tensor, *reference);
      layer.error.add(*reference, *quantized);
    }
    bar.step();
  }

  EvaluationReport report;
  report.setSha256 = samples.sha256;
  report.sampleCount = samples.samples.size();
  for (auto [output, error] : llvm::zip_equal(outputs, outputErrors)) {
    OutputMetrics metrics;
    metrics.name = output.name;
    metrics.sqnrDb = roundOptional(error.getSqnrDb());
    metrics.cosineSimilarity = roundForReport(error.getCosineSimilarity());
    metrics.maxAbsError = roundForReport(error.maxAbsError);
    if (error.rows)
      metrics.top1Agreement = roundForReport(
          static_cast<double>(error.agreeingRows) / error.rows);
    report.outputs.push_back(std::move(metrics));
  }

  // Worst first; identical samples (no SQNR) last; ties by name order.
  auto worseThan = [](const std::optional<double> &a,
                      const std::optional<double> &b) {
    if (!a || !b)
      return a.has_value() && !b.has_value();
    return *a < *b;
  };
  llvm::sort(sampleSqnr, [&](const auto &a, const auto &b) {
    if (worseThan(a.first, b.first) || worseThan(b.first, a.first))
      return worseThan(a.first, b.first);
    return a.second < b.second;
  });
  for (const auto &[sqnr, index] : llvm::ArrayRef(sampleSqnr).take_front(5))
    report.worstSamples.push_back(
        {samples.samples[index], roundOptional(sqnr)});

  std::vector<std::pair<LayerMetrics, size_t>> layerMetrics;
  for (auto [order, layer] : llvm::enumerate(layers)) {
    LayerMetrics metrics;
    metrics.layer = layer.tensor->layer;
    metrics.opType = layer.tensor->opType;
    metrics.quantized = layer.tensor->quantized;
    metrics.sqnrDb = roundOptional(layer.error.getSqnrDb());
    metrics.maxAbsError = roundForReport(layer.error.maxAbsError);
    layerMetrics.push_back({std::move(metrics), order});
  }
  // Worst first; equal SQNRs in graph order.
  llvm::sort(layerMetrics, [&](const auto &a, const auto &b) {
    if (worseThan(a.first.sqnrDb, b.first.sqnrDb) ||
        worseThan(b.first.sqnrDb, a.first.sqnrDb))
      return worseThan(a.first.sqnrDb, b.first.sqnrDb);
    return a.second < b.second;
  });
  for (auto &[metrics, order] : layerMetrics)
    report.layers.push_back(std::move(metrics));
  return report;
}
