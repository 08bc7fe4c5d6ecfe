//===- ArtifactManifest.h - manifest.json of a CPU artifact -----*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H
#define LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H

#include "lowbit/Artifact/Compile.h"
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
};

/// Writes `manifest` as pretty-printed JSON with a fixed key order.
void writeArtifactManifest(const ArtifactManifest &manifest,
                           llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_ARTIFACTMANIFEST_H
