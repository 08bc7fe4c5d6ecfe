//===- Compile.cpp - ONNX model to a CPU artifact directory ---------------===//
//
// import -> lowbit graph (fold BatchNorm, canonicalize) -> linalg ->
// lowbit-cpu-pipeline -> LLVM IR (entry + descriptor) -> O3 -> object ->
// libmodel.so with the runtime, plus model.h and manifest.json, written into
// a temporary sibling of the output directory and renamed into place.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Artifact/Compile.h"

#include "lib/Artifact/ArtifactManifest.h"
#include "lib/Artifact/ModelHeader.h"
#include "lib/Artifact/SharedLibraryLinker.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Frontend/ONNXImporter.h"
#include "lowbit/InitAll.h"
#include "lowbit/Target/CPU/CPUCodegen.h"
#include "lowbit/Target/CPU/CPUPipeline.h"

#include "dialects/Lowbit/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using llvm::SmallString;
using llvm::StringRef;

namespace {

constexpr unsigned kOptLevel = 3;

std::string sha256Hex(StringRef bytes) {
  std::array<uint8_t, 32> hash = llvm::SHA256::hash(
      llvm::ArrayRef(reinterpret_cast<const uint8_t *>(bytes.data()),
                     bytes.size()));
  return llvm::toHex(hash, /*LowerCase=*/true);
}

/// Counts errors reported while it is alive and lets them through, so that a
/// failure nobody explained still gets one message.
class ErrorCounter {
public:
  explicit ErrorCounter(MLIRContext &context)
      : handler(&context, [this](Diagnostic &diagnostic) {
          if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
            sawError = true;
          return failure();
        }) {}
  bool sawError = false;

private:
  ScopedDiagnosticHandler handler;
};

LogicalResult fail(MLIRContext &context, const ErrorCounter &errors,
                   const llvm::Twine &message) {
  if (!errors.sawError)
    emitError(UnknownLoc::get(&context)) << message;
  return failure();
}

LogicalResult checkOptions(MLIRContext &context,
                           const lowbit::CompileOptions &options) {
  Location loc = UnknownLoc::get(&context);
  if (options.target != "cpu")
    return emitError(loc) << "unknown target '" << options.target
                          << "' (supported targets: cpu)";
  if (options.modelPath.empty())
    return emitError(loc) << "no model file given";
  if (!llvm::sys::fs::exists(options.modelPath))
    return emitError(loc) << "cannot open model file '" << options.modelPath
                          << "': no such file";
  if (llvm::sys::fs::is_directory(options.modelPath))
    return emitError(loc) << "model file '" << options.modelPath
                          << "' is a directory";
  return success();
}

/// The model as a lowbit-level module: imported from ONNX or, for tests and
/// debugging, parsed from a .mlir file (lowbit or linalg level).
OwningOpRef<ModuleOp> loadModel(MLIRContext &context,
                                const lowbit::CompileOptions &options) {
  if (llvm::sys::path::extension(options.modelPath) == ".mlir")
    return parseSourceFile<ModuleOp>(options.modelPath, &context);
  return lowbit::importONNXFile(context, options.modelPath, options.import);
}

void buildGraphPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(lowbit::createLowbitFoldBatchNormPass());
  pm.addPass(createCanonicalizerPass());
}

void buildLinalgPipeline(OpPassManager &pm) {
  pm.addPass(lowbit::createConvertLowbitToLinalgPass());
  pm.addPass(createCanonicalizerPass());
}

void buildCPUPipeline(OpPassManager &pm, const lowbit::CPUTarget &target,
                      bool profile) {
  lowbit::CPUPipelineOptions options;
  options.targetTriple = target.triple;
  options.dataLayout = target.dataLayout;
  options.profile = profile;
  lowbit::buildLowbitCPUPipeline(pm, options);
}

std::string describePipeline(MLIRContext &context,
                             const lowbit::CPUTarget &target, bool profile) {
  PassManager pm(&context, ModuleOp::getOperationName());
  buildGraphPipeline(pm);
  buildLinalgPipeline(pm);
  buildCPUPipeline(pm, target, profile);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

/// What the flow produces when it runs to the end.
struct CompiledModel {
  lowbit::ModelSignature signature;
  lowbit::CPUTarget target;
  llvm::SmallVector<char, 0> object;
};

/// Runs the flow; stops after `stopAt` printing to `emitTo` when given.
LogicalResult runFlow(MLIRContext &context,
                      const lowbit::CompileOptions &options,
                      std::optional<lowbit::CompileStage> stopAt,
                      llvm::raw_ostream *emitTo, CompiledModel &result) {
  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();

  if (failed(checkOptions(context, options)))
    return failure();
  ErrorCounter errors(context);
  auto target = lowbit::createCPUTarget(options.cpu);
  if (!target)
    return emitError(UnknownLoc::get(&context))
           << "--cpu=" << options.cpu << ": " << toString(target.takeError());
  result.target = std::move(*target);

  OwningOpRef<ModuleOp> module = loadModel(context, options);
  if (!module)
    return fail(context, errors,
                "could not load model '" + options.modelPath + "'");

  auto runStage = [&](lowbit::CompileStage stage,
                      llvm::function_ref<void(OpPassManager &)> build,
                      StringRef what) -> LogicalResult {
    PassManager pm(&context, ModuleOp::getOperationName());
    build(pm);
    if (failed(pm.run(*module)))
      return fail(context, errors,
                  "compiling '" + options.modelPath + "' failed in " + what);
    if (stopAt == stage) {
      module->print(*emitTo);
      return success();
    }
    return success();
  };

  if (failed(runStage(lowbit::CompileStage::LowbitGraph, buildGraphPipeline,
                      "the lowbit graph passes")))
    return failure();
  if (stopAt == lowbit::CompileStage::LowbitGraph)
    return success();
  auto signature = lowbit::getModelSignature(*module);
  if (!signature)
    return emitError(module->getLoc()) << toString(signature.takeError());
  result.signature = std::move(*signature);

  if (failed(runStage(lowbit::CompileStage::Linalg, buildLinalgPipeline,
                      "convert-lowbit-to-linalg")))
    return failure();
  if (stopAt == lowbit::CompileStage::Linalg)
    return success();
  if (failed(runStage(
          lowbit::CompileStage::LLVMDialect,
          [&](OpPassManager &pm) {
            buildCPUPipeline(pm, result.target, options.profile);
          },
          "lowbit-cpu-pipeline")))
    return failure();
  if (stopAt == lowbit::CompileStage::LLVMDialect)
    return success();

  llvm::LLVMContext llvmContext;
  auto llvmModule = lowbit::translateToArtifactModule(
      *module, llvmContext, result.signature, result.target);
  if (!llvmModule)
    return fail(context, errors,
                "compiling '" + options.modelPath +
                    "' to LLVM IR failed: " + toString(llvmModule.takeError()));
  lowbit::optimizeLLVMModule(**llvmModule, result.target, kOptLevel);
  if (stopAt == lowbit::CompileStage::LLVMIR) {
    (*llvmModule)->print(*emitTo, nullptr);
    return success();
  }
  if (llvm::Error error = lowbit::emitObjectFile(**llvmModule, result.target,
                                                 result.object))
    return emitError(UnknownLoc::get(&context)) << toString(std::move(error));
  return success();
}

LogicalResult writeFile(MLIRContext &context, StringRef path,
                        StringRef contents) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (!error) {
    os << contents;
    os.close();
    error = os.error();
  }
  if (error)
    return emitError(UnknownLoc::get(&context))
           << "cannot write '" << path << "': " << error.message();
  return success();
}

/// Moves the finished `tempDir` to `outputDir`, replacing an earlier
/// artifact there (never any other directory).
LogicalResult installArtifact(MLIRContext &context, StringRef tempDir,
                              StringRef outputDir) {
  Location loc = UnknownLoc::get(&context);
  SmallString<256> previous;
  if (llvm::sys::fs::exists(outputDir)) {
    SmallString<256> manifest(outputDir);
    llvm::sys::path::append(manifest, "manifest.json");
    bool isEmptyDir = false;
    if (llvm::sys::fs::is_directory(outputDir)) {
      std::error_code error;
      llvm::sys::fs::directory_iterator it(outputDir, error);
      isEmptyDir = !error && it == llvm::sys::fs::directory_iterator();
    }
    if (!llvm::sys::fs::is_directory(outputDir) ||
        (!isEmptyDir && !llvm::sys::fs::exists(manifest)))
      return emitError(loc)
             << "output '" << outputDir
             << "' exists and is not a LowBit artifact directory; refusing "
                "to replace it";
    previous = tempDir;
    previous += ".old";
    if (std::error_code error = llvm::sys::fs::rename(outputDir, previous))
      return emitError(loc) << "cannot replace '" << outputDir
                            << "': " << error.message();
  }
  if (std::error_code error = llvm::sys::fs::rename(tempDir, outputDir))
    return emitError(loc) << "cannot move the artifact to '" << outputDir
                          << "': " << error.message();
  if (!previous.empty())
    (void)llvm::sys::fs::remove_directories(previous);
  return success();
}

LogicalResult writeArtifact(MLIRContext &context,
                            const lowbit::CompileOptions &options,
                            CompiledModel &compiled, StringRef tempDir) {
  SmallString<256> scratch(tempDir);
  llvm::sys::path::append(scratch, ".scratch");
  if (std::error_code error = llvm::sys::fs::create_directory(scratch))
    return emitError(UnknownLoc::get(&context))
           << "cannot create '" << scratch << "': " << error.message();
  auto path = [&](StringRef dir, StringRef name) {
    SmallString<256> result(dir);
    llvm::sys::path::append(result, name);
    return result;
  };

  SmallString<256> object = path(scratch, "model.o");
  if (failed(writeFile(context, object,
                       StringRef(compiled.object.data(),
                                 compiled.object.size()))))
    return failure();
  SmallString<256> library = path(tempDir, "libmodel.so");
  if (llvm::Error error = lowbit::linkSharedLibrary(object, library, scratch))
    return emitError(UnknownLoc::get(&context)) << toString(std::move(error));

  std::string header;
  {
    llvm::raw_string_ostream os(header);
    lowbit::writeModelHeader(compiled.signature,
                             llvm::sys::path::filename(options.modelPath), os);
  }
  if (failed(writeFile(context, path(tempDir, "model.h"), header)))
    return failure();

  lowbit::ArtifactManifest manifest;
  manifest.options = &options;
  manifest.target = &compiled.target;
  manifest.optLevel = kOptLevel;
  manifest.signature = &compiled.signature;
  manifest.passPipeline =
      describePipeline(context, compiled.target, options.profile);
  auto model = llvm::MemoryBuffer::getFile(options.modelPath);
  auto libraryBytes = llvm::MemoryBuffer::getFile(library);
  if (!model || !libraryBytes)
    return emitError(UnknownLoc::get(&context))
           << "cannot read back '" << (model ? library.str() : StringRef(options.modelPath))
           << "'";
  manifest.modelSHA256 = sha256Hex((*model)->getBuffer());
  manifest.fileSHA256["libmodel.so"] =
      sha256Hex((*libraryBytes)->getBuffer());
  manifest.fileSHA256["model.h"] = sha256Hex(header);
  std::string json;
  {
    llvm::raw_string_ostream os(json);
    lowbit::writeArtifactManifest(manifest, os);
  }
  if (failed(writeFile(context, path(tempDir, "manifest.json"), json)))
    return failure();
  (void)llvm::sys::fs::remove_directories(scratch);
  return success();
}

} // namespace

LogicalResult lowbit::compileArtifact(MLIRContext &context,
                                      const CompileOptions &options) {
  if (options.outputDir.empty())
    return emitError(UnknownLoc::get(&context))
           << "no output directory given (-o OUTDIR)";
  CompiledModel compiled;
  if (failed(runFlow(context, options, std::nullopt, nullptr, compiled)))
    return failure();

  // The temporary directory is a sibling of the output so that the final
  // rename stays within one file system.
  SmallString<256> outputDir(options.outputDir);
  llvm::sys::fs::make_absolute(outputDir);
  llvm::sys::path::remove_dots(outputDir, /*remove_dot_dot=*/true);
  StringRef parent = llvm::sys::path::parent_path(outputDir);
  if (!parent.empty())
    if (std::error_code error = llvm::sys::fs::create_directories(parent))
      return emitError(UnknownLoc::get(&context))
             << "cannot create '" << parent << "': " << error.message();
  SmallString<256> tempDir;
  if (std::error_code error = llvm::sys::fs::createUniqueDirectory(
          outputDir + ".tmp", tempDir))
    return emitError(UnknownLoc::get(&context))
           << "cannot create a temporary directory next to '" << outputDir
           << "': " << error.message();
  if (failed(writeArtifact(context, options, compiled, tempDir)) ||
      failed(installArtifact(context, tempDir, outputDir))) {
    (void)llvm::sys::fs::remove_directories(tempDir);
    return failure();
  }
  return success();
}

LogicalResult lowbit::emitCompileStage(MLIRContext &context,
                                       const CompileOptions &options,
                                       CompileStage stage,
                                       llvm::raw_ostream &os) {
  CompiledModel compiled;
  return runFlow(context, options, stage, &os, compiled);
}
