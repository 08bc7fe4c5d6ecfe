//===- quant-compile.cpp - ONNX model to a deployable artifact ------------===//
//
//   quant-compile model.onnx --target=cpu [--cpu=znver4]
//       [--input-shape name=1,3,48,320 ...] [--input-value name=FILE ...]
//       [--calib DIR [--save-stats FILE] | --stats FILE]
//       [--scheme NAME | --recipe FILE] [--observer KIND] [--eval DIR]
//       -o OUTDIR
//   quant-compile model.onnx --calib DIR --save-stats FILE
//   quant-compile --merge-stats a.json b.json ... -o merged.json
//   quant-compile model.onnx --emit=mlir-linalg [-o FILE]
//   quant-compile model.onnx [--scheme NAME --calib DIR] --emit=qdq-onnx
//       -o model.qdq.onnx
//
//===----------------------------------------------------------------------===//

#include "lowbit/Artifact/Calibration.h"
#include "lowbit/Artifact/Compile.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

namespace cl = llvm::cl;

namespace {

enum class EmitKind {
  Artifact,
  MLIRLowbit,
  QDQONNX,
  MLIRLinalg,
  MLIRLLVM,
  LLVMIR
};

cl::OptionCategory category("quant-compile options");

cl::list<std::string> positionals(cl::Positional,
                                  cl::desc("<model.onnx> | <stats.json>..."),
                                  cl::cat(category));
cl::opt<std::string> target("target", cl::desc("Target (cpu)"),
                            cl::init("cpu"), cl::cat(category));
cl::opt<std::string>
    cpu("cpu", cl::desc("LLVM CPU name, or 'native' for the host CPU"),
        cl::init("native"), cl::cat(category));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Static shape of an input: name=d0,d1,... (repeatable)"),
    cl::cat(category));
cl::list<std::string> inputValues(
    "input-value",
    cl::desc("Value of a graph input that the model needs at compile time "
             "(a shape, axes, scales...): name=FILE, .npy or .pb "
             "(repeatable)"),
    cl::cat(category));
cl::opt<std::string> output("o",
                            cl::desc("Artifact directory (with --emit: "
                                     "output file, default stdout)"),
                            cl::value_desc("path"), cl::cat(category));
cl::opt<EmitKind> emit(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Artifact),
    cl::values(clEnumValN(EmitKind::Artifact, "artifact",
                          "The artifact directory (default)"),
               clEnumValN(EmitKind::MLIRLowbit, "mlir-lowbit",
                          "The lowbit graph after import"),
               clEnumValN(EmitKind::QDQONNX, "qdq-onnx",
                          "That graph as an ONNX model, quantized layers "
                          "in QDQ form (needs -o FILE)"),
               clEnumValN(EmitKind::MLIRLinalg, "mlir-linalg",
                          "After convert-lowbit-to-linalg"),
               clEnumValN(EmitKind::MLIRLLVM, "mlir-llvm",
                          "After lowbit-cpu-pipeline (LLVM dialect)"),
               clEnumValN(EmitKind::LLVMIR, "llvm-ir",
                          "Optimized LLVM IR of the artifact")),
    cl::cat(category));
cl::opt<bool> profile("profile",
                      cl::desc("Time every op at run time; the artifact "
                               "prints the times at exit (slows it down)"),
                      cl::cat(category));
cl::opt<bool> verbose("v", cl::desc("Print the compile time to stderr"),
                      cl::cat(category));

cl::OptionCategory quantCategory("quantization options");

cl::opt<std::string>
    calibDir("calib",
             cl::desc("Calibrate on the samples of a folder (.npy for a "
                      "one-input model, .npz keyed by input name, ONNX .pb "
                      "TensorProto, or folders of them)"),
             cl::value_desc("dir"), cl::cat(quantCategory));
cl::opt<std::string>
    saveStats("save-stats",
              cl::desc("Also write the calibration statistics to a file "
                       "(without -o: only calibrate)"),
              cl::value_desc("file"), cl::cat(quantCategory));
cl::opt<bool> mergeStats(
    "merge-stats",
    cl::desc("Merge the stats files given as positional arguments into -o "
             "FILE (statistics of shards of one calibration set)"),
    cl::cat(quantCategory));
cl::opt<std::string>
    scheme("scheme",
           cl::desc("Quantize every layer with a preset scheme (w8a8, "
                    "w8a8-dynamic, w4a16-g128, w4a8, nf4, fp8, ternary, ...)"),
           cl::value_desc("name"), cl::cat(quantCategory));
cl::opt<std::string>
    recipePath("recipe",
               cl::desc("Quantize with a recipe file (JSON or YAML): a "
                        "default scheme and per-layer rules"),
               cl::value_desc("file"), cl::cat(quantCategory));
cl::opt<std::string>
    observer("observer",
             cl::desc("How activation ranges are chosen from the statistics: "
                      "minmax, percentile[:P] (default 99.99), mse, entropy"),
             cl::value_desc("kind"), cl::cat(quantCategory));
cl::opt<std::string>
    evalDir("eval",
            cl::desc("Compare the quantized artifact with the float model on "
                     "the samples of a folder: report.json, report.md"),
            cl::value_desc("dir"), cl::cat(quantCategory));

/// Prints diagnostics as `quant-compile: error: ...`, with the location when
/// there is one.
void printDiagnostic(mlir::Diagnostic &diagnostic) {
  llvm::raw_ostream &os = llvm::errs();
  os << "quant-compile: ";
  if (!llvm::isa<mlir::UnknownLoc>(diagnostic.getLocation()))
    os << diagnostic.getLocation() << ": ";
  switch (diagnostic.getSeverity()) {
  case mlir::DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case mlir::DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case mlir::DiagnosticSeverity::Note:
    os << "note: ";
    break;
  case mlir::DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  }
  os << diagnostic << "\n";
  for (mlir::Diagnostic &note : diagnostic.getNotes())
    printDiagnostic(note);
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-compile: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // LLVM's own -stats (pass statistics) would clash with --stats FILE: drop
  // it before ours is registered.
  if (cl::Option *llvmStats = cl::getRegisteredOptions().lookup("stats"))
    llvmStats->removeArgument();
  static cl::opt<std::string> statsPath(
      "stats",
      cl::desc("Reuse the statistics of a stats file instead of calibrating "
               "(collected on the same model)"),
      cl::value_desc("file"), cl::cat(quantCategory));
  cl::HideUnrelatedOptions({&category, &quantCategory});
  cl::ParseCommandLineOptions(
      argc, argv, "LowBit compiler: ONNX model to a deployable artifact\n");

  if (mergeStats) {
    if (positionals.empty())
      return fail("--merge-stats: no stats files given (quant-compile "
                  "--merge-stats a.json b.json -o merged.json)");
    if (output.empty())
      return fail("--merge-stats: no output file given (-o FILE)");
    if (llvm::Error error = lowbit::mergeStatsFiles(positionals, output))
      return fail(llvm::toString(std::move(error)));
    return 0;
  }
  if (positionals.empty())
    return fail("no model file given (quant-compile model.onnx -o OUTDIR)");
  if (positionals.size() > 1)
    return fail("one model at a time: got '" + positionals[0] + "' and '" +
                positionals[1] + "'");
  std::string modelPath = positionals[0];

  lowbit::CompileOptions options;
  options.modelPath = modelPath;
  options.outputDir = output;
  options.target = target;
  options.cpu = cpu;
  options.profile = profile;
  options.calibDir = calibDir;
  options.statsPath = statsPath;
  options.saveStatsPath = saveStats;
  options.scheme = scheme;
  options.recipePath = recipePath;
  options.observer = observer;
  options.evalDir = evalDir;
  options.log = &llvm::errs();
  // The tool's own path would make the manifest depend on the build tree.
  options.commandLine.push_back("quant-compile");
  for (int i = 1; i < argc; ++i)
    options.commandLine.push_back(argv[i]);
  for (const std::string &spec : inputShapes) {
    std::string message;
    if (mlir::failed(lowbit::parseInputShape(spec, options.import, message)))
      return fail(message); // already names the flag and its value
  }
  for (const std::string &spec : inputValues) {
    std::string message;
    if (mlir::failed(lowbit::parseInputValue(spec, options.import, message)))
      return fail(message);
  }

  mlir::MLIRContext context;
  // One line per diagnostic: the failing op's IR is for quant-opt sessions,
  // not for users of the driver.
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &diagnostic) { printDiagnostic(diagnostic); });

  auto start = std::chrono::steady_clock::now();
  if (emit == EmitKind::Artifact) {
    // Without -o, compileArtifact only calibrates (--calib DIR --save-stats
    // FILE) or says that the output directory is missing.
    if (mlir::failed(lowbit::compileArtifact(context, options)))
      return 1;
  } else {
    lowbit::CompileStage stage = lowbit::CompileStage::LowbitGraph;
    switch (emit) {
    case EmitKind::QDQONNX:
      stage = lowbit::CompileStage::QDQONNX;
      break;
    case EmitKind::MLIRLinalg:
      stage = lowbit::CompileStage::Linalg;
      break;
    case EmitKind::MLIRLLVM:
      stage = lowbit::CompileStage::LLVMDialect;
      break;
    case EmitKind::LLVMIR:
      stage = lowbit::CompileStage::LLVMIR;
      break;
    default:
      break;
    }
    if (emit == EmitKind::QDQONNX && (output.empty() || output == "-"))
      return fail("--emit=qdq-onnx writes a binary ONNX file: give it -o "
                  "FILE");
    std::error_code error;
    llvm::ToolOutputFile file(output.empty() ? "-" : output.getValue(), error,
                              llvm::sys::fs::OF_None);
    if (error)
      return fail("cannot write '" + output + "': " + error.message());
    if (mlir::failed(
            lowbit::emitCompileStage(context, options, stage, file.os())))
      return 1;
    file.keep();
  }
  if (verbose) {
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    llvm::errs() << "quant-compile: compiled " << modelPath << " in "
                 << llvm::format("%.2f", seconds) << " s\n";
  }
  return 0;
}
