//===- CPUPipeline.h - linalg on tensors to the LLVM dialect ----*- C++ -*-===//
//
// The CPU backend's pass pipeline: `@main` in linalg/tensor/arith/math on
// tensors (the output of convert-lowbit-to-linalg) becomes LLVM dialect code
// that takes its inputs and then caller-provided output buffers as memrefs,
// with big loops parallelized through OpenMP.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_CPUPIPELINE_H
#define LOWBIT_TARGET_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace lowbit {

struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Use OpenMP threads for big loops"),
                        llvm::cl::init(true)};
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Tile to registers and vectorize"),
                         llvm::cl::init(true)};
  Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time every op of @main; the artifact prints the times "
                     "at exit (developer tool)"),
      llvm::cl::init(false)};
  Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("LLVM target triple (empty: the host's)"),
      llvm::cl::init("")};
  Option<std::string> dataLayout{
      *this, "data-layout",
      llvm::cl::desc("LLVM data layout (empty: unset, LLVM's default)"),
      llvm::cl::init("")};
};

/// Appends the CPU backend pipeline (tile, vectorize, bufferize, results to
/// out-params, OpenMP, LLVM dialect) to `pm`, which must be anchored on
/// builtin.module.
void buildLowbitCPUPipeline(mlir::OpPassManager &pm,
                            const CPUPipelineOptions &options);

/// Registers the CPU backend's passes and `lowbit-cpu-pipeline`.
void registerLowbitCPUPasses();

} // namespace lowbit

#endif // LOWBIT_TARGET_CPU_CPUPIPELINE_H
