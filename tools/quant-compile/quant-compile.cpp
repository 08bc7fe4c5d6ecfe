//===- quant-compile.cpp - ONNX model to a deployable artifact ------------===//
//
//   quant-compile model.onnx --target=cpu [--cpu=znver4]
//       [--input-shape name=1,3,48,320 ...] [--input-value name=FILE ...]
//       -o OUTDIR
//   quant-compile model.onnx --emit=mlir-linalg [-o FILE]
//
//===----------------------------------------------------------------------===//

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

enum class EmitKind { Artifact, MLIRLowbit, MLIRLinalg, MLIRLLVM, LLVMIR };

cl::OptionCategory category("quant-compile options");

cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
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
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "LowBit compiler: ONNX model to a deployable artifact\n");

  lowbit::CompileOptions options;
  options.modelPath = modelPath;
  options.outputDir = output;
  options.target = target;
  options.cpu = cpu;
  options.profile = profile;
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
  context.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &diagnostic) { printDiagnostic(diagnostic); });

  auto start = std::chrono::steady_clock::now();
  if (emit == EmitKind::Artifact) {
    if (output.empty())
      return fail("no output directory given (-o OUTDIR)");
    if (mlir::failed(lowbit::compileArtifact(context, options)))
      return 1;
  } else {
    lowbit::CompileStage stage = lowbit::CompileStage::LowbitGraph;
    switch (emit) {
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
