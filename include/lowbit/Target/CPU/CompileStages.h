//===- CompileStages.h - stop compileArtifact at an intermediate form -----===//
//
// `quant-compile --emit=...`: the same flow as lowbit::compileArtifact
// (include/lowbit/Artifact/Compile.h), stopped after one stage, printing that
// stage's form. For debugging and lit tests.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_COMPILESTAGES_H
#define LOWBIT_TARGET_CPU_COMPILESTAGES_H

#include "lowbit/Artifact/Compile.h"

#include "llvm/Support/raw_ostream.h"

namespace lowbit {

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

/// Runs the artifact flow for `options` up to `stage` and prints the result
/// to `os`. Errors are diagnostics on `context`, as in compileArtifact.
mlir::LogicalResult emitCompileStage(mlir::MLIRContext &context,
                                     const CompileOptions &options,
                                     CompileStage stage, llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TARGET_CPU_COMPILESTAGES_H
