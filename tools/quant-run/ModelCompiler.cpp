//===- ModelCompiler.cpp - ONNX model to a CPU artifact -------------------===//

#include "ModelCompiler.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#ifdef LOWBIT_RUN_IN_PROCESS_COMPILE
#include "lowbit/Artifact/Compile.h"
#include "lowbit/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#endif

using namespace lowbit;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

#ifdef LOWBIT_RUN_IN_PROCESS_COMPILE

llvm::Expected<std::vector<std::string>>
lowbit::readModelInputNames(llvm::StringRef modelPath) {
  std::string message;
  mlir::FailureOr<std::vector<std::string>> names =
      readONNXGraphInputNames(modelPath, message);
  if (mlir::failed(names))
    return makeError(message);
  return std::move(*names);
}

llvm::Error lowbit::compileModelForHost(
    llvm::StringRef modelPath, llvm::StringRef artifactDir,
    const std::map<std::string, std::vector<int64_t>> &inputShapes,
    const std::map<std::string, TensorData> &inputValues) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    llvm::raw_string_ostream os(diagnostics);
    if (!diagnostics.empty())
      os << "\n";
    os << diag.getLocation() << ": " << diag.str();
    for (const mlir::Diagnostic &note : diag.getNotes())
      os << "\n  note: " << note.str();
    return mlir::success();
  });

  CompileOptions options;
  options.modelPath = modelPath.str();
  options.outputDir = artifactDir.str();
  options.target = "cpu";
  options.import.inputShapes = inputShapes;
  options.import.inputValues = inputValues;
  options.commandLine = {"quant-run", "--onnx-test", modelPath.str()};
  if (mlir::failed(compileArtifact(context, options)))
    return makeError("cannot compile '" + modelPath + "': " +
                     (diagnostics.empty() ? "unknown error" : diagnostics));
  return llvm::Error::success();
}

#else

/// quant-compile from this executable's directory, or from PATH.
static llvm::Expected<std::string> findQuantCompile() {
  // Any function in this executable identifies it.
  static int anchor;
  std::string self = llvm::sys::fs::getMainExecutable("quant-run", &anchor);
  llvm::SmallString<256> sibling(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(sibling, "quant-compile");
  if (llvm::sys::fs::can_execute(sibling))
    return sibling.str().str();
  llvm::ErrorOr<std::string> onPath =
      llvm::sys::findProgramByName("quant-compile");
  if (onPath)
    return *onPath;
  return makeError("cannot find quant-compile next to '" + self +
                   "' or on PATH");
}

llvm::Expected<std::vector<std::string>>
lowbit::readModelInputNames(llvm::StringRef modelPath) {
  return makeError("cannot read the graph inputs of '" + modelPath +
                   "': quant-run was built without the ONNX importer");
}

llvm::Error lowbit::compileModelForHost(
    llvm::StringRef modelPath, llvm::StringRef artifactDir,
    const std::map<std::string, std::vector<int64_t>> &inputShapes,
    const std::map<std::string, TensorData> &inputValues) {
  llvm::Expected<std::string> compiler = findQuantCompile();
  if (!compiler)
    return compiler.takeError();
  std::vector<std::string> arguments = {
      *compiler, modelPath.str(), "--target=cpu", "-o", artifactDir.str()};
  for (const auto &[name, shape] : inputShapes) {
    // A scalar needs no shape, and the flag has no spelling for one.
    if (shape.empty())
      continue;
    arguments.push_back(
        "--input-shape=" + name + "=" +
        llvm::join(llvm::map_range(
                       shape, [](int64_t dim) { return std::to_string(dim); }),
                   ","));
  }
  // Values travel as .npy files next to the artifact directory.
  for (const auto &[name, value] : inputValues) {
    llvm::SmallString<256> valuePath(llvm::sys::path::parent_path(artifactDir));
    llvm::sys::path::append(valuePath,
                            "input-value-" + std::to_string(arguments.size()) +
                                ".npy");
    if (llvm::Error error = writeNpyFile(valuePath, value))
      return error;
    arguments.push_back("--input-value=" + name + "=" + valuePath.str().str());
  }

  llvm::SmallString<256> logPath;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("quant-compile", "log", logPath))
    return makeError("cannot create a temporary file: " + error.message());
  llvm::FileRemover removeLog(logPath);
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(""), llvm::StringRef(logPath), llvm::StringRef(logPath)};
  llvm::SmallVector<llvm::StringRef> argumentRefs(arguments.begin(),
                                                  arguments.end());
  std::string executeError;
  int status = llvm::sys::ExecuteAndWait(*compiler, argumentRefs, std::nullopt,
                                         redirects,
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &executeError);
  if (status == 0)
    return llvm::Error::success();
  std::string log;
  if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
    log = llvm::StringRef((*buffer)->getBuffer()).trim().str();
  if (log.empty())
    log = executeError.empty() ? "exit status " + std::to_string(status)
                               : executeError;
  return makeError("cannot compile '" + modelPath + "': " + log);
}

#endif
