//===- CPUCodegen.h - LLVM dialect to an artifact object file ---*- C++ -*-===//
//
// The ahead-of-time half of the CPU backend: the model's I/O table, the LLVM
// target for `--cpu`, translation of the LLVM-dialect module to LLVM IR with
// the artifact entry point and descriptor (lib/Runtime/ModelDescriptor.h),
// LLVM optimization and object emission.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_CPUCODEGEN_H
#define LOWBIT_TARGET_CPU_CPUCODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace lowbit {

/// One input or output of a compiled model, as the C API reports it.
struct TensorSignature {
  std::string name;
  /// ONNX TensorProto.DataType code (lowbit_dtype).
  int dtype = 0;
  std::vector<int64_t> shape;
  uint64_t numBytes = 0;
};

/// The artifact's I/O table, in graph order.
struct ModelSignature {
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
};

/// Reads the I/O table from `@main` at the lowbit level (before unsigned
/// types become signless): `lowbit.name` argument/result attributes (default
/// `input_<i>`/`output_<i>`), element types, static shapes.
llvm::Expected<ModelSignature> getModelSignature(mlir::ModuleOp module);


/// The LLVM target an artifact is compiled for.
struct CPUTarget {
  std::string triple;
  /// Resolved CPU name (`native` becomes the host's, e.g. `znver4`).
  std::string cpu;
  /// `+feature,-feature` string given to LLVM (host features for native).
  std::string featureString;
  /// Sorted names of the features the CPU has enabled.
  std::vector<std::string> enabledFeatures;
  std::string dataLayout;
  std::shared_ptr<llvm::TargetMachine> machine;
};

/// Creates the target for `cpu` ("native": the host CPU and its features) on
/// the host's triple. Fails with a message for an unknown CPU.
llvm::Expected<CPUTarget> createCPUTarget(llvm::StringRef cpu);

/// Translates `module` (LLVM dialect, output of lowbit-cpu-pipeline) to LLVM
/// IR and adds the artifact's entry point and `lowbit_model_descriptor` for
/// `signature`. Everything but the descriptor gets internal linkage.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToArtifactModule(mlir::ModuleOp module, llvm::LLVMContext &context,
                          const ModelSignature &signature,
                          const CPUTarget &target);

/// Runs LLVM's default O`optLevel` pipeline (0-3) on `module`.
void optimizeLLVMModule(llvm::Module &module, const CPUTarget &target,
                        unsigned optLevel);

/// Emits `module` as a position-independent object file into `object`.
llvm::Error emitObjectFile(llvm::Module &module, const CPUTarget &target,
                           llvm::SmallVectorImpl<char> &object);

} // namespace lowbit

#endif // LOWBIT_TARGET_CPU_CPUCODEGEN_H
