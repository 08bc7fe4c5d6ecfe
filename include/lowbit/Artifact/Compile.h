//===- Compile.h - ONNX model to a shippable artifact -----------*- C++ -*-===//

#ifndef LOWBIT_ARTIFACT_COMPILE_H
#define LOWBIT_ARTIFACT_COMPILE_H

#include "lowbit/Frontend/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace lowbit {

struct CompileOptions {
  std::string modelPath;
  /// Artifact directory: libmodel.so, model.h, manifest.json. Written to a
  /// temporary sibling first and renamed, so it is never half-written.
  std::string outputDir;
  std::string target = "cpu";
  /// LLVM CPU name for the CPU target ("native" = the host).
  std::string cpu = "native";
  ONNXImportOptions import;
  /// Time every op at run time; the artifact prints a table at exit
  /// (a developer tool: it slows the model down).
  bool profile = false;
  /// The invoking command line, recorded in the manifest.
  std::vector<std::string> commandLine;
};

/// Compiles `options.modelPath` into an artifact. Errors are emitted as
/// diagnostics on `context` (one per problem, naming file/node/flag).
mlir::LogicalResult compileArtifact(mlir::MLIRContext &context,
                                    const CompileOptions &options);

/// The forms `quant-compile --emit=...` can stop at.
enum class CompileStage {
  /// The lowbit graph after import, BatchNorm folding and canonicalization.
  LowbitGraph,
  /// After convert-lowbit-to-linalg.
  Linalg,
  /// After lowbit-cpu-pipeline (LLVM dialect).
  LLVMDialect,
  /// Optimized LLVM IR with the artifact entry point and descriptor.
  LLVMIR,
};

/// Runs compileArtifact's flow up to `stage` and prints that form to `os`,
/// for debugging and lit tests. Errors are diagnostics on `context`.
mlir::LogicalResult emitCompileStage(mlir::MLIRContext &context,
                                     const CompileOptions &options,
                                     CompileStage stage, llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_ARTIFACT_COMPILE_H
