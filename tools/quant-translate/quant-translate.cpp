//===- quant-translate.cpp - translate models to and from LowBit IR -------===//
//
// `quant-translate --import-onnx model.onnx [--input-shape x=1,3,48,320]
//  [--input-value shape=shape.npy]
// [-o out.mlir]` prints the model in the lowbit dialect;
// `quant-translate --export-qdq model.mlir -o model.onnx` writes a (quantized)
// lowbit module as an ONNX model, quantized ops in QDQ form. Output is
// written to a temporary file and renamed, so a failed run never leaves a
// half-written file behind.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Frontend/ONNXImporter.h"
#include "lowbit/InitAll.h"
#include "lowbit/Target/ONNX/ONNXExport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

llvm::cl::OptionCategory category("quant-translate options");

llvm::cl::opt<std::string> importONNX(
    "import-onnx", llvm::cl::desc("Import an ONNX model as lowbit IR"),
    llvm::cl::value_desc("model.onnx"), llvm::cl::cat(category));

llvm::cl::opt<std::string> exportQDQ(
    "export-qdq",
    llvm::cl::desc("Write a lowbit module (.mlir) as an ONNX model; "
                   "quantized ops become QuantizeLinear/DequantizeLinear "
                   "patterns"),
    llvm::cl::value_desc("model.mlir"), llvm::cl::cat(category));

llvm::cl::list<std::string> inputShapes(
    "input-shape",
    llvm::cl::desc("Static shape for a graph input, e.g. x=1,3,48,320 "
                   "(repeatable)"),
    llvm::cl::value_desc("name=d0,d1,..."), llvm::cl::cat(category));

llvm::cl::list<std::string> inputValues(
    "input-value",
    llvm::cl::desc("Value of a graph input that the model needs at import "
                   "time (a shape, axes, scales...), from a .npy or .pb file "
                   "(repeatable)"),
    llvm::cl::value_desc("name=FILE"), llvm::cl::cat(category));

llvm::cl::opt<std::string> outputFile("o", llvm::cl::desc("Output file"),
                                      llvm::cl::value_desc("file"),
                                      llvm::cl::init("-"),
                                      llvm::cl::cat(category));

llvm::cl::opt<bool> emitBytecode(
    "emit-bytecode",
    llvm::cl::desc("Write MLIR bytecode instead of text (weights stay "
                   "binary)"),
    llvm::cl::init(false), llvm::cl::cat(category));

/// Prints `FILE: error: message` for the importer's file-level locations
/// and the usual `loc: error: message` otherwise.
void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  Location loc = diag.getLocation();
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    if (file.getLine())
      os << ":" << file.getLine() << ":" << file.getColumn();
    os << ": ";
  } else if (!isa<UnknownLoc>(loc)) {
    os << loc << ": ";
  }
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  }
  os << diag << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  llvm::cl::HideUnrelatedOptions(
      {&category, &llvm::getColorCategory()});
  llvm::cl::ParseCommandLineOptions(argc, argv,
                                    "LowBit model translation driver\n");
  auto fail = [](const llvm::Twine &message) {
    llvm::errs() << "quant-translate: error: " << message << "\n";
    return 1;
  };
  if (importONNX.empty() == exportQDQ.empty())
    return fail("pass exactly one of --import-onnx model.onnx or "
                "--export-qdq model.mlir");

  lowbit::ONNXImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string message;
    if (failed(lowbit::parseInputShape(spec, options, message)))
      return fail(message);
  }
  for (const std::string &spec : inputValues) {
    std::string message;
    if (failed(lowbit::parseInputValue(spec, options, message)))
      return fail(message);
  }

  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  MLIRContext context(registry);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  if (!exportQDQ.empty()) {
    if (outputFile == "-")
      return fail("--export-qdq writes a binary ONNX file: give it -o FILE");
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(exportQDQ, &context);
    if (!module)
      return 1;
    return failed(lowbit::exportONNXModel(*module, outputFile)) ? 1 : 0;
  }

  OwningOpRef<ModuleOp> module =
      lowbit::importONNXFile(context, importONNX, options);
  if (!module)
    return 1;

  // Everything is produced in memory first; writeToOutput then writes a
  // temporary file next to the destination and renames it into place.
  std::string buffer;
  llvm::raw_string_ostream os(buffer);
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, os)))
      return fail("cannot serialize the module as bytecode");
  } else {
    module->print(os, OpPrintingFlags());
  }
  if (llvm::Error error = llvm::writeToOutput(
          outputFile, [&](llvm::raw_ostream &out) -> llvm::Error {
            out << buffer;
            return llvm::Error::success();
          })) {
    std::string message = llvm::toString(std::move(error));
    return fail("cannot write '" + outputFile + "': " + message);
  }
  return 0;
}
