//===- ArtifactManifest.cpp - manifest.json of a CPU artifact -------------===//

#include "lib/Artifact/ArtifactManifest.h"
#include "lowbit/Artifact/TensorFiles.h"

#include <cmath>

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace {

void writeTensors(json::OStream &json, StringRef key,
                  ArrayRef<lowbit::TensorSignature> tensors) {
  json.attributeArray(key, [&] {
    for (const lowbit::TensorSignature &tensor : tensors) {
      json.object([&] {
        json.attribute("name", tensor.name);
        json.attribute("dtype", lowbit::getDTypeName(tensor.dtype));
        json.attributeArray("shape", [&] {
          for (int64_t dim : tensor.shape)
            json.value(dim);
        });
        json.attribute("num_bytes", static_cast<int64_t>(tensor.numBytes));
      });
    }
  });
}

void writeCalibration(json::OStream &json,
                      const lowbit::ArtifactManifest &manifest) {
  if (!manifest.stats) {
    json.attribute("calibration", nullptr);
    return;
  }
  json.attributeObject("calibration", [&] {
    if (!manifest.calibrationDir.empty())
      json.attribute("dir", manifest.calibrationDir);
    if (!manifest.statsFile.empty())
      json.attribute("stats_from", manifest.statsFile);
    json.attribute("sha256", manifest.stats->calibrationSha256);
    json.attribute("sample_count",
                   static_cast<int64_t>(manifest.stats->sampleCount));
    json.attribute("stats", "stats.json");
  });
}

void writeQuantization(json::OStream &json,
                       const lowbit::ArtifactManifest &manifest) {
  const lowbit::CompileOptions &options = *manifest.options;
  if (!manifest.recipe) {
    json.attribute("quantization", nullptr);
    return;
  }
  json.attributeObject("quantization", [&] {
    if (!options.scheme.empty())
      json.attribute("scheme", options.scheme);
    else
      json.attribute("recipe_file", sys::path::filename(options.recipePath));
    json.attributeObject("observer", [&] {
      const lowbit::quantization::ObserverConfig &observer =
          manifest.recipe->observer;
      json.attribute("activations",
                     lowbit::quantization::getRangeMethodName(
                         observer.activations));
      if (observer.activations ==
          lowbit::quantization::RangeMethod::Percentile)
        json.attribute("percentile", observer.percentile);
    });
    json.attribute("recipe", lowbit::quantization::toJSON(*manifest.recipe));
    json.attributeArray("layers", [&] {
      for (const lowbit::LayerRecipe &layer : manifest.layers)
        json.object([&] {
          json.attribute("name", layer.name);
          json.attribute("op_type", layer.opType);
          json.attribute("scheme", layer.scheme);
          json.attribute("weights", layer.weights);
          json.attribute("activations", layer.activations);
          json.attribute("output", layer.output);
        });
    });
  });
}

void writeEvaluation(json::OStream &json,
                     const lowbit::ArtifactManifest &manifest) {
  const lowbit::EvaluationReport *report = manifest.evaluation;
  if (!report) {
    json.attribute("evaluation", nullptr);
    return;
  }
  json.attributeObject("evaluation", [&] {
    json.attribute("dir", report->setName);
    json.attribute("sha256", report->setSha256);
    json.attribute("sample_count", static_cast<int64_t>(report->sampleCount));
    json.attribute("report", "report.json");
    json.attributeArray("outputs", [&] {
      for (const lowbit::OutputMetrics &output : report->outputs)
        json.object([&] {
          json.attribute("name", output.name);
          lowbit::writeMetricJSON(json, "sqnr_db", output.sqnrDb);
          lowbit::writeMetricJSON(json, "cosine_similarity",
                                  output.cosineSimilarity);
          lowbit::writeMetricJSON(json, "max_abs_error", output.maxAbsError);
          lowbit::writeMetricJSON(json, "top1_agreement", output.top1Agreement);
        });
    });
  });
}

} // namespace

void lowbit::writeArtifactManifest(const ArtifactManifest &manifest,
                                   raw_ostream &os) {
  const CompileOptions &options = *manifest.options;
  json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("format", "lowbit-artifact");
    json.attribute("format_version", 1);
    json.attributeObject("model", [&] {
      json.attribute("file", sys::path::filename(options.modelPath));
      json.attribute("sha256", manifest.modelSHA256);
    });
    json.attributeObject("compiler", [&] {
      json.attribute("name", "quant-compile");
      json.attribute("version", LOWBIT_VERSION);
      json.attribute("git_commit", LOWBIT_GIT_COMMIT);
      json.attribute("llvm_version", LLVM_VERSION_STRING);
    });
    json.attributeObject("target", [&] {
      const CPUTarget &target = *manifest.target;
      json.attribute("name", options.target);
      json.attribute("triple", target.triple);
      json.attribute("cpu_requested", options.cpu);
      json.attribute("cpu", target.cpu);
      json.attributeArray("features", [&] {
        for (const std::string &feature : target.enabledFeatures)
          json.value(feature);
      });
      json.attribute("opt_level", static_cast<int64_t>(manifest.optLevel));
      json.attribute("threads", "openmp");
    });
    json.attributeArray("command_line", [&] {
      for (const std::string &arg : options.commandLine)
        json.value(arg);
    });
    json.attributeObject("input_shapes", [&] {
      for (const auto &entry : options.import.inputShapes)
        json.attributeArray(entry.first, [&] {
          for (int64_t dim : entry.second)
            json.value(dim);
        });
    });
    json.attribute("pass_pipeline", manifest.passPipeline);
    writeTensors(json, "inputs", manifest.signature->inputs);
    writeTensors(json, "outputs", manifest.signature->outputs);
    writeCalibration(json, manifest);
    writeQuantization(json, manifest);
    writeEvaluation(json, manifest);
    json.attributeObject("files", [&] {
      for (const auto &entry : manifest.fileSHA256)
        json.attributeObject(entry.first,
                             [&] { json.attribute("sha256", entry.second); });
    });
  });
  os << "\n";
}
