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

  /// Calibration (--calib): a folder of input samples (.npy, .npz, .pb, or
  /// folders of them; see lib/Artifact/SampleSet.h). The float model,
  /// instrumented to return every quantizable layer's input and output, is
  /// run over it to collect their statistics.
  std::string calibDir;
  /// A stats file to use instead of calibrating (--stats); it must have been
  /// collected on the same model.
  std::string statsPath;
  /// Where to also write the statistics (--save-stats). With `calibDir` and
  /// no `outputDir`, the compile only calibrates.
  std::string saveStatsPath;
  /// Quantization: a preset (--scheme w8a8) or a recipe file (--recipe);
  /// neither compiles the float model.
  std::string scheme;
  std::string recipePath;
  /// Activation range choice (--observer): minmax, percentile[:P], mse or
  /// entropy; empty for the recipe's (min-max for presets).
  std::string observer;
  /// Evaluation (--eval): a folder of input samples on which the quantized
  /// artifact is compared with the float model (report.json, report.md).
  std::string evalDir;
  /// Progress bars and the evaluation summary go here (stderr in
  /// quant-compile); null for silence.
  llvm::raw_ostream *log = nullptr;

  /// True when the model is quantized.
  bool isQuantized() const { return !scheme.empty() || !recipePath.empty(); }
};

/// Compiles `options.modelPath` into an artifact: calibrates, quantizes and
/// evaluates as `options` ask. Errors are emitted as diagnostics on
/// `context` (one per problem, naming file/node/flag). With `calibDir` and
/// `saveStatsPath` but no `outputDir`, only calibrates.
mlir::LogicalResult compileArtifact(mlir::MLIRContext &context,
                                    const CompileOptions &options);

/// The forms `quant-compile --emit=...` can stop at.
enum class CompileStage {
  /// The lowbit graph after import, BatchNorm folding and canonicalization
  /// (and quantization, when asked for).
  LowbitGraph,
  /// That graph as an ONNX model, opset 17 (lowbit::exportONNXModel):
  /// quantized layers in the QDQ form ONNX Runtime runs. Binary.
  QDQONNX,
  /// After convert-lowbit-to-linalg.
  Linalg,
  /// After lowbit-cpu-pipeline (LLVM dialect).
  LLVMDialect,
  /// Optimized LLVM IR with the artifact entry point and descriptor.
  LLVMIR,
};

/// Runs compileArtifact's flow up to `stage` and prints that form to `os`,
/// for debugging and lit tests; a quantized compile calibrates and
/// quantizes first. Errors are diagnostics on `context`.
mlir::LogicalResult emitCompileStage(mlir::MLIRContext &context,
                                     const CompileOptions &options,
                                     CompileStage stage, llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_ARTIFACT_COMPILE_H
