//===- ModelCompiler.h - ONNX model to a CPU artifact -----------*- C++ -*-===//
//
// The one place quant-run compiles a model: in process through
// lowbit::compileArtifact when LowbitArtifact is linked in, otherwise by
// running the quant-compile next to this executable.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H
#define LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H

#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lowbit {

/// Compiles the ONNX model at `modelPath` for the host CPU into the new
/// directory `artifactDir`. `inputShapes` gives static shapes for graph
/// inputs by name; `inputValues` values for graph inputs the model needs at
/// compile time (`quant-compile --input-value`). The error holds the
/// compiler's diagnostics.
llvm::Error compileModelForHost(
    llvm::StringRef modelPath, llvm::StringRef artifactDir,
    const std::map<std::string, std::vector<int64_t>> &inputShapes,
    const std::map<std::string, TensorData> &inputValues);

/// The names of the model's graph inputs (initializers excluded), in graph
/// order.
llvm::Expected<std::vector<std::string>>
readModelInputNames(llvm::StringRef modelPath);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H
