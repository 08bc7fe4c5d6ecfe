//===- ArtifactManifest.h - manifest.json of a CPU artifact -----*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H
#define LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H

#include "lib/Artifact/Evaluation.h"
#include "lib/Artifact/LayerRecipe.h"
#include "lowbit/Artifact/Compile.h"
#include "lowbit/Quantization/Recipe.h"
#include "lowbit/Quantization/Stats.h"
#include "lowbit/Target/CPU/CPUCodegen.h"

#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>

namespace lowbit {

/// Everything the manifest records. No timestamps or temporary paths: the
/// manifest is byte-for-byte reproducible.
struct ArtifactManifest {
  const CompileOptions *options = nullptr;
  std::string modelSHA256;
  const CPUTarget *target = nullptr;
  unsigned optLevel = 3;
  std::string passPipeline;
  const ModelSignature *signature = nullptr;
  /// SHA-256 of the other files in the artifact, by file name.
  std::map<std::string, std::string> fileSHA256;

  /// The calibration statistics used (a copy is the artifact's stats.json),
  /// or null. `calibrationDir` is the calibration folder's name when this
  /// compile calibrated, `statsFile` the file's name when given with --stats.
  const quantization::StatsFile *stats = nullptr;
  std::string calibrationDir;
  std::string statsFile;

  /// The recipe, for a quantized artifact (null for a float one), the
  /// observer it chose activation ranges with, and what every layer became.
  const quantization::Recipe *recipe = nullptr;
  std::vector<LayerRecipe> layers;

  /// The evaluation against the float model (--eval), or null.
  const EvaluationReport *evaluation = nullptr;
};

/// Writes `manifest` as pretty-printed JSON with a fixed key order.
void writeArtifactManifest(const ArtifactManifest &manifest,
                           llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H
