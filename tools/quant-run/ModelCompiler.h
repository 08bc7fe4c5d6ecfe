//===- ModelCompiler.h - ONNX model to a CPU artifact -----------*- C++ -*-===//
//
// The one place quant-run compiles a model: in process through
// lowbit::compileArtifact when LowbitArtifact is linked in, otherwise by
// running the quant-compile next to this executable.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H
#define LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lowbit {

/// Compiles the ONNX model at `modelPath` for the host CPU into the new
/// directory `artifactDir`. `inputShapes` gives static shapes for graph
/// inputs by name. The error holds the compiler's diagnostics.
llvm::Error compileModelForHost(
    llvm::StringRef modelPath, llvm::StringRef artifactDir,
    const std::map<std::string, std::vector<int64_t>> &inputShapes);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_MODELCOMPILER_H
