//===- Compile.cpp - ONNX model to a CPU artifact directory ---------------===//
//
// import -> lowbit graph (fold BatchNorm, canonicalize)
//   [-> calibration: a copy instrumented to return every layer's input and
//       output, compiled to a temporary artifact and run over --calib]
//   [-> lowbit-quantize-weights, lowbit-quantize (--scheme / --recipe)]
//   -> linalg -> lowbit-cpu-pipeline -> LLVM IR (entry + descriptor) -> O3 ->
// object -> libmodel.so with the runtime, plus model.h, manifest.json and,
// when asked, stats.json, report.json and report.md (--eval: the artifact
// against the float model), written into a temporary sibling of the output
// directory and renamed into place.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Artifact/Compile.h"

#include "lib/Artifact/ArtifactManifest.h"
#include "lib/Artifact/Calibrate.h"
#include "lib/Artifact/Evaluation.h"
#include "lib/Artifact/Instrument.h"
#include "lib/Artifact/LayerRecipe.h"
#include "lib/Artifact/ModelHeader.h"
#include "lib/Artifact/SampleSet.h"
#include "lib/Artifact/SharedLibraryLinker.h"
#include "lowbit/Artifact/CompiledModel.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Frontend/ONNXImporter.h"
#include "lowbit/InitAll.h"
#include "lowbit/Quantization/Recipe.h"
#include "lowbit/Quantization/Stats.h"
#include "lowbit/Target/CPU/CPUCodegen.h"
#include "lowbit/Target/CPU/CPUPipeline.h"
#include "lowbit/Target/ONNX/ONNXExport.h"

#include "dialects/Lowbit/Transforms/Passes.h"
#include "dialects/Lowbit/Transforms/QuantizableLayers.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <mutex>

using namespace mlir;
using llvm::SmallString;
using llvm::StringRef;
namespace quantization = lowbit::quantization;

namespace {

constexpr unsigned kOptLevel = 3;

std::string sha256Hex(StringRef bytes) {
  std::array<uint8_t, 32> hash = llvm::SHA256::hash(
      llvm::ArrayRef(reinterpret_cast<const uint8_t *>(bytes.data()),
                     bytes.size()));
  return llvm::toHex(hash, /*LowerCase=*/true);
}

SmallString<256> joinPath(StringRef dir, StringRef name) {
  SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return path;
}

/// The last component of a folder path given on the command line
/// ("data/calib/" -> "calib"): what the manifest records instead of a path
/// that depends on where the compile ran.
std::string getFolderName(StringRef dir) {
  SmallString<256> path(dir);
  llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  StringRef name = llvm::sys::path::filename(StringRef(path).rtrim("/"));
  if (name.empty() || name == ".") {
    SmallString<256> absolute(dir);
    llvm::sys::fs::make_absolute(absolute);
    llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
    name = llvm::sys::path::filename(StringRef(absolute).rtrim("/"));
  }
  return name.str();
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

LogicalResult emitLLVMError(MLIRContext &context, llvm::Error error) {
  return emitError(UnknownLoc::get(&context)) << toString(std::move(error));
}

/// Parses `--observer minmax|percentile[:P]|mse|entropy`.
llvm::Expected<quantization::ObserverConfig> parseObserver(StringRef spec) {
  auto [name, argument] = spec.split(':');
  std::optional<quantization::RangeMethod> method =
      quantization::parseRangeMethod(name);
  auto invalid = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--observer=" + spec + ": " + why);
  };
  if (!method)
    return invalid("unknown observer '" + name +
                   "' (valid: minmax, percentile[:P], mse, entropy)");
  quantization::ObserverConfig config;
  config.activations = *method;
  if (argument.empty() && !spec.contains(':'))
    return config;
  if (*method != quantization::RangeMethod::Percentile)
    return invalid("only percentile takes a parameter");
  double percentile;
  if (argument.getAsDouble(percentile) || !(percentile > 0) ||
      percentile > 100)
    return invalid("the percentile must be a number in (0, 100], got '" +
                   argument + "'");
  config.percentile = percentile;
  return config;
}

/// The observer in the form the passes' `observer=` option takes.
std::string formatObserver(const quantization::ObserverConfig &config) {
  std::string text =
      quantization::getRangeMethodName(config.activations).str();
  if (config.activations == quantization::RangeMethod::Percentile) {
    char percentile[32];
    std::snprintf(percentile, sizeof(percentile), "%.10g", config.percentile);
    text += ":";
    text += percentile;
  }
  return text;
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
  if (!options.scheme.empty() && !options.recipePath.empty())
    return emitError(loc) << "--scheme and --recipe are exclusive: a recipe "
                             "names its own default scheme";
  if (!options.calibDir.empty() && !options.statsPath.empty())
    return emitError(loc) << "--calib and --stats are exclusive: calibrate, "
                             "or reuse the statistics of a stats file";
  if (!options.saveStatsPath.empty() && options.calibDir.empty())
    return emitError(loc) << "--save-stats needs --calib DIR: there are no "
                             "statistics to save";
  if (!options.observer.empty() && !options.isQuantized())
    return emitError(loc) << "--observer chooses activation ranges for "
                             "quantization: give --scheme or --recipe";
  if (!options.evalDir.empty() && !options.isQuantized())
    return emitError(loc)
           << "--eval compares the quantized artifact with the float model: "
              "give --scheme NAME or --recipe FILE";
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

/// What the quantization passes are told.
struct QuantizeSettings {
  std::string scheme;
  std::string recipePath;
  std::string statsPath;
  std::string observer;
};

/// Appends lowbit-quantize-weights and lowbit-quantize with `settings`;
/// on failure `errors` says why.
LogicalResult buildQuantizePipeline(OpPassManager &pm,
                                    const QuantizeSettings &settings,
                                    std::string &errors) {
  auto option = [](StringRef name, StringRef value) -> std::string {
    if (value.empty())
      return "";
    return (" " + name + "={" + value + "}").str();
  };
  // A preset's group size may not divide every layer's reduction
  // dimension (a first conv over 3 channels): those layers get per-channel
  // weights and a warning rather than failing the whole compile. With
  // statistics, the weights pass also corrects biases for the mean shift of
  // weight rounding (from the calibrated input channel means).
  std::string weights = "lowbit-quantize-weights{" +
                        option("scheme", settings.scheme) +
                        option("recipe", settings.recipePath) +
                        option("group-fallback", "per-channel") +
                        option("stats", settings.statsPath) + "}";
  std::string activations =
      "lowbit-quantize{" + option("scheme", settings.scheme) +
      option("recipe", settings.recipePath) +
      option("stats", settings.statsPath) +
      option("observer", settings.observer) + "}";
  llvm::raw_string_ostream os(errors);
  if (failed(parsePassPipeline(weights + "," + activations + ",canonicalize",
                               pm, os)))
    return failure();
  return success();
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

/// The pipeline recorded in the manifest. Files are named as the artifact
/// holds them (stats.json, the recipe's file name), never by the temporary
/// or absolute paths the compile used.
std::string describePipeline(MLIRContext &context,
                             const lowbit::CompileOptions &options,
                             const lowbit::CPUTarget &target, bool hasStats,
                             StringRef observer) {
  PassManager pm(&context, ModuleOp::getOperationName());
  buildGraphPipeline(pm);
  if (options.isQuantized()) {
    QuantizeSettings settings;
    settings.scheme = options.scheme;
    if (!options.recipePath.empty())
      settings.recipePath =
          llvm::sys::path::filename(options.recipePath).str();
    if (hasStats)
      settings.statsPath = "stats.json";
    settings.observer = observer.str();
    std::string errors;
    (void)buildQuantizePipeline(pm, settings, errors);
  }
  buildLinalgPipeline(pm);
  buildCPUPipeline(pm, target, options.profile);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

/// An object file and the I/O table of the model it computes.
struct CompiledObject {
  lowbit::ModelSignature signature;
  llvm::SmallVector<char, 0> object;
};

/// A folder removed, with everything in it, when this goes out of scope.
class TemporaryDirectory {
public:
  TemporaryDirectory() = default;
  TemporaryDirectory(const TemporaryDirectory &) = delete;
  TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;
  ~TemporaryDirectory() { remove(); }

  /// Creates a fresh folder whose name starts with `prefix` (a path).
  std::error_code createUnique(const llvm::Twine &prefix) {
    remove();
    return llvm::sys::fs::createUniqueDirectory(prefix, path);
  }
  /// Creates a fresh folder in the system's temporary folder.
  std::error_code createInSystemTemp(StringRef prefix) {
    SmallString<256> base;
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, base);
    llvm::sys::path::append(base, prefix);
    return createUnique(base);
  }
  /// Adopts `existing` (created by the caller).
  void adopt(StringRef existing) {
    remove();
    path = existing;
  }
  void remove() {
    if (!path.empty())
      (void)llvm::sys::fs::remove_directories(path);
    path.clear();
  }
  StringRef get() const { return path; }

private:
  SmallString<256> path;
};

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

/// One run of the compiler: the float graph, the statistics, the quantized
/// graph and the objects made from them.
class CompileFlow {
public:
  CompileFlow(MLIRContext &context, const lowbit::CompileOptions &options)
      : context(context), options(options), errors(context) {}

  /// Loads dialects, checks the options, creates the target, hashes the
  /// model and resolves the recipe and observer.
  LogicalResult prepare();

  /// Runs the flow. Stops after `stopAt`, printing to `emitTo`, when given.
  /// Temporary artifacts (calibration, evaluation) go to `scratchDir`.
  /// When the flow runs to the end, `result` holds the object.
  LogicalResult run(std::optional<lowbit::CompileStage> stopAt,
                    llvm::raw_ostream *emitTo, StringRef scratchDir,
                    CompiledObject &result);

  /// Evaluates the finished artifact in `artifactDir` (--eval).
  LogicalResult evaluate(StringRef artifactDir);

  /// Writes libmodel.so, model.h, manifest.json and the optional files
  /// into `tempDir`.
  LogicalResult writeArtifact(CompiledObject &compiled, StringRef tempDir);

  /// `--calib DIR --save-stats FILE` without -o: statistics only.
  bool isCalibrateOnly() const {
    return options.outputDir.empty() && !options.calibDir.empty() &&
           !options.saveStatsPath.empty() && !options.isQuantized() &&
           options.evalDir.empty();
  }

private:
  /// Runs the passes `build` adds on `module`; `what` and
  /// `modelDescription` name them and the model in the error.
  LogicalResult runStage(ModuleOp module,
                         llvm::function_ref<void(OpPassManager &)> build,
                         StringRef what, StringRef modelDescription);
  /// Import + graph passes.
  OwningOpRef<ModuleOp> loadGraph();
  /// Calibrates over --calib or reads --stats.
  LogicalResult obtainStatistics(ModuleOp graph);
  /// Lowers a lowbit-level module (modified in place) to an object.
  LogicalResult lower(ModuleOp module, StringRef modelDescription,
                      std::optional<lowbit::CompileStage> stopAt,
                      llvm::raw_ostream *emitTo, CompiledObject &result);
  /// Instruments a copy of `graph`, compiles it into `scratchDir/name` and
  /// loads it.
  FailureOr<std::unique_ptr<lowbit::CompiledModel>>
  buildInstrumented(ModuleOp graph, lowbit::InstrumentMode mode,
                    StringRef name, StringRef modelDescription,
                    std::vector<lowbit::ObservedTensor> &observed);
  /// Recipe checks that need the graph: a scheme that quantizes activations
  /// statically needs statistics.
  LogicalResult checkRecipeAgainstGraph(ModuleOp graph);

  MLIRContext &context;
  const lowbit::CompileOptions &options;
  ErrorCounter errors;
  lowbit::CPUTarget target;
  std::string modelSha256;
  std::string scratchDir;

  std::optional<quantization::Recipe> recipe;
  std::string observer;
  std::optional<quantization::StatsFile> stats;
  std::string calibrationDirName;

  /// Kept for evaluation: the float graph, the instrumented float artifact
  /// (from calibration, or built for evaluation), the quantized graph.
  OwningOpRef<ModuleOp> floatGraph;
  OwningOpRef<ModuleOp> quantizedGraph;
  std::unique_ptr<lowbit::CompiledModel> floatInstrumented;
  std::vector<lowbit::ObservedTensor> floatObserved;
  std::vector<lowbit::LayerRecipe> layerRecipes;
  std::optional<lowbit::EvaluationReport> report;
};

LogicalResult CompileFlow::prepare() {
  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // The quantization passes are built from their textual form.
  static std::once_flag registerPasses;
  std::call_once(registerPasses, [] { lowbit::registerAllPasses(); });

  if (failed(checkOptions(context, options)))
    return failure();
  auto createdTarget = lowbit::createCPUTarget(options.cpu);
  if (!createdTarget)
    return emitError(UnknownLoc::get(&context))
           << "--cpu=" << options.cpu << ": "
           << toString(createdTarget.takeError());
  target = std::move(*createdTarget);

  auto model = llvm::MemoryBuffer::getFile(options.modelPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!model)
    return emitError(UnknownLoc::get(&context))
           << "cannot read model file '" << options.modelPath
           << "': " << model.getError().message();
  modelSha256 = sha256Hex((*model)->getBuffer());

  if (options.isQuantized()) {
    llvm::Expected<quantization::Recipe> read =
        options.scheme.empty()
            ? quantization::readRecipeFile(options.recipePath)
            : quantization::Recipe::fromPreset(options.scheme);
    if (!read)
      return emitError(UnknownLoc::get(&context))
             << (options.scheme.empty() ? "--recipe: " : "--scheme: ")
             << toString(read.takeError());
    recipe = std::move(*read);
    if (!options.observer.empty()) {
      llvm::Expected<quantization::ObserverConfig> config =
          parseObserver(options.observer);
      if (!config)
        return emitLLVMError(context, config.takeError());
      recipe->observer = *config;
    }
    observer = formatObserver(recipe->observer);
  }
  return success();
}

LogicalResult
CompileFlow::runStage(ModuleOp module,
                      llvm::function_ref<void(OpPassManager &)> build,
                      StringRef what, StringRef modelDescription) {
  PassManager pm(&context, ModuleOp::getOperationName());
  build(pm);
  if (failed(pm.run(module)))
    return fail(context, errors,
                "compiling " + modelDescription + " failed in " + what);
  return success();
}

OwningOpRef<ModuleOp> CompileFlow::loadGraph() {
  OwningOpRef<ModuleOp> module = loadModel(context, options);
  if (!module) {
    (void)fail(context, errors,
               "could not load model '" + options.modelPath + "'");
    return nullptr;
  }
  if (failed(runStage(*module, buildGraphPipeline, "the lowbit graph passes",
                      "'" + options.modelPath + "'")))
    return nullptr;
  return module;
}

LogicalResult CompileFlow::lower(ModuleOp module, StringRef modelDescription,
                                 std::optional<lowbit::CompileStage> stopAt,
                                 llvm::raw_ostream *emitTo,
                                 CompiledObject &result) {
  auto signature = lowbit::getModelSignature(module);
  if (!signature)
    return emitError(module->getLoc()) << toString(signature.takeError());
  result.signature = std::move(*signature);

  if (failed(runStage(module, buildLinalgPipeline, "convert-lowbit-to-linalg",
                      modelDescription)))
    return failure();
  if (stopAt == lowbit::CompileStage::Linalg) {
    module->print(*emitTo);
    return success();
  }
  if (failed(runStage(
          module,
          [&](OpPassManager &pm) {
            buildCPUPipeline(pm, target, options.profile);
          },
          "lowbit-cpu-pipeline", modelDescription)))
    return failure();
  if (stopAt == lowbit::CompileStage::LLVMDialect) {
    module->print(*emitTo);
    return success();
  }

  llvm::LLVMContext llvmContext;
  auto llvmModule = lowbit::translateToArtifactModule(
      module, llvmContext, result.signature, target);
  if (!llvmModule)
    return fail(context, errors,
                "compiling " + modelDescription + " to LLVM IR failed: " +
                    toString(llvmModule.takeError()));
  lowbit::optimizeLLVMModule(**llvmModule, target, kOptLevel);
  if (stopAt == lowbit::CompileStage::LLVMIR) {
    (*llvmModule)->print(*emitTo, nullptr);
    return success();
  }
  if (llvm::Error error =
          lowbit::emitObjectFile(**llvmModule, target, result.object))
    return emitLLVMError(context, std::move(error));
  return success();
}

FailureOr<std::unique_ptr<lowbit::CompiledModel>>
CompileFlow::buildInstrumented(ModuleOp graph, lowbit::InstrumentMode mode,
                               StringRef name, StringRef modelDescription,
                               std::vector<lowbit::ObservedTensor> &observed) {
  OwningOpRef<ModuleOp> module = graph.clone();
  FailureOr<std::vector<lowbit::ObservedTensor>> instrumented =
      lowbit::instrumentLayers(*module, mode);
  if (failed(instrumented))
    return failure();
  observed = std::move(*instrumented);
  CompiledObject compiled;
  if (failed(lower(*module, modelDescription, std::nullopt, nullptr, compiled)))
    return failure();

  SmallString<256> dir = joinPath(scratchDir, name);
  if (std::error_code error = llvm::sys::fs::create_directories(dir))
    return emitError(UnknownLoc::get(&context))
           << "cannot create '" << dir << "': " << error.message();
  SmallString<256> object = joinPath(dir, "model.o");
  SmallString<256> library = joinPath(dir, "libmodel.so");
  if (failed(writeFile(context, object,
                       StringRef(compiled.object.data(),
                                 compiled.object.size()))))
    return failure();
  if (llvm::Error error = lowbit::linkSharedLibrary(object, library, dir))
    return emitLLVMError(context, std::move(error));
  llvm::Expected<std::unique_ptr<lowbit::CompiledModel>> loaded =
      lowbit::CompiledModel::load(dir);
  if (!loaded)
    return emitLLVMError(context, loaded.takeError());
  return std::move(*loaded);
}

LogicalResult CompileFlow::obtainStatistics(ModuleOp graph) {
  if (!options.statsPath.empty()) {
    llvm::Expected<quantization::StatsFile> read =
        lowbit::readStatsForModel(options.statsPath, modelSha256);
    if (!read)
      return emitLLVMError(context, read.takeError());
    stats = std::move(*read);
    return success();
  }
  if (options.calibDir.empty())
    return success();

  llvm::Expected<lowbit::SampleSet> samples =
      lowbit::openSampleSet(options.calibDir, "--calib", "calibration");
  if (!samples)
    return emitLLVMError(context, samples.takeError());
  calibrationDirName = getFolderName(options.calibDir);
  FailureOr<std::unique_ptr<lowbit::CompiledModel>> model =
      buildInstrumented(graph, lowbit::InstrumentMode::InputsAndOutputs,
                        "float-instrumented",
                        "the instrumented float model for calibration",
                        floatObserved);
  if (failed(model))
    return failure();
  floatInstrumented = std::move(*model);
  llvm::raw_ostream &progress = options.log ? *options.log : llvm::nulls();
  llvm::Expected<quantization::StatsFile> collected =
      lowbit::collectStatistics(*floatInstrumented, floatObserved, *samples,
                                modelSha256, progress);
  if (!collected)
    return emitLLVMError(context, collected.takeError());
  stats = std::move(*collected);
  if (!options.saveStatsPath.empty())
    if (llvm::Error error =
            quantization::writeStatsFile(*stats, options.saveStatsPath))
      return emitLLVMError(context, std::move(error));
  return success();
}

LogicalResult CompileFlow::checkRecipeAgainstGraph(ModuleOp graph) {
  if (!recipe || stats)
    return success();
  auto main = graph.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return success();
  for (const lowbit::QuantizableLayer &layer :
       lowbit::getQuantizableLayers(main)) {
    quantization::LayerScheme scheme =
        recipe->resolve(layer.name, layer.opType);
    if (scheme.keepFloat || !scheme.activations ||
        scheme.activations->dynamic)
      continue;
    std::string source = options.scheme.empty()
                             ? "recipe '" + options.recipePath + "'"
                             : "--scheme " + options.scheme;
    return emitError(UnknownLoc::get(&context))
           << source << " quantizes the activations of layer '" << layer.name
           << "' with static ranges, which need calibration statistics: give "
              "--calib DIR or --stats FILE";
  }
  return success();
}

LogicalResult CompileFlow::run(std::optional<lowbit::CompileStage> stopAt,
                               llvm::raw_ostream *emitTo,
                               StringRef scratch, CompiledObject &result) {
  scratchDir = scratch.str();
  floatGraph = loadGraph();
  if (!floatGraph)
    return failure();
  if (failed(obtainStatistics(*floatGraph)))
    return failure();
  if (!stopAt && isCalibrateOnly())
    return success();

  OwningOpRef<ModuleOp> module = floatGraph->clone();
  if (recipe) {
    if (failed(checkRecipeAgainstGraph(*floatGraph)))
      return failure();
    QuantizeSettings settings;
    settings.scheme = options.scheme;
    settings.recipePath = options.recipePath;
    settings.observer = observer;
    if (stats) {
      SmallString<256> statsPath = joinPath(scratchDir, "stats.json");
      if (llvm::Error error = quantization::writeStatsFile(*stats, statsPath))
        return emitLLVMError(context, std::move(error));
      settings.statsPath = statsPath.str().str();
    }
    PassManager pm(&context, ModuleOp::getOperationName());
    std::string pipelineErrors;
    if (failed(buildQuantizePipeline(pm, settings, pipelineErrors)))
      return emitError(UnknownLoc::get(&context))
             << "cannot build the quantization passes: " << pipelineErrors;
    if (failed(pm.run(*module)))
      return fail(context, errors,
                  "quantizing '" + options.modelPath + "' failed");
    if (auto main = module->lookupSymbol<func::FuncOp>("main"))
      layerRecipes = lowbit::describeLayerRecipes(main, *recipe);
    if (!options.evalDir.empty())
      quantizedGraph = module->clone();
  }
  if (stopAt == lowbit::CompileStage::LowbitGraph) {
    module->print(*emitTo);
    return success();
  }
  if (stopAt == lowbit::CompileStage::QDQONNX)
    return lowbit::exportONNXModel(*module, *emitTo);
  return lower(*module, "'" + options.modelPath + "'", stopAt, emitTo,
               result);
}

LogicalResult CompileFlow::evaluate(StringRef artifactDir) {
  llvm::Expected<lowbit::SampleSet> samples =
      lowbit::openSampleSet(options.evalDir, "--eval", "evaluation");
  if (!samples)
    return emitLLVMError(context, samples.takeError());
  if (!floatInstrumented) {
    FailureOr<std::unique_ptr<lowbit::CompiledModel>> model = buildInstrumented(
        *floatGraph, lowbit::InstrumentMode::InputsAndOutputs,
        "float-instrumented", "the instrumented float model for evaluation",
        floatObserved);
    if (failed(model))
      return failure();
    floatInstrumented = std::move(*model);
  }
  std::vector<lowbit::ObservedTensor> quantizedObserved;
  FailureOr<std::unique_ptr<lowbit::CompiledModel>> quantizedLayers =
      buildInstrumented(*quantizedGraph, lowbit::InstrumentMode::Outputs,
                        "quantized-instrumented",
                        "the instrumented quantized model for evaluation",
                        quantizedObserved);
  if (failed(quantizedLayers))
    return failure();
  llvm::Expected<std::unique_ptr<lowbit::CompiledModel>> quantized =
      lowbit::CompiledModel::load(artifactDir);
  if (!quantized)
    return emitLLVMError(context, quantized.takeError());

  lowbit::EvaluationModels models{floatInstrumented.get(), floatObserved,
                                  quantized->get(), quantizedLayers->get(),
                                  quantizedObserved};
  llvm::raw_ostream &log = options.log ? *options.log : llvm::nulls();
  llvm::Expected<lowbit::EvaluationReport> evaluated =
      lowbit::evaluate(models, *samples, log);
  if (!evaluated)
    return emitLLVMError(context, evaluated.takeError());
  report = std::move(*evaluated);
  report->setName = getFolderName(options.evalDir);
  lowbit::printReportSummary(*report, log);
  return success();
}

LogicalResult CompileFlow::writeArtifact(CompiledObject &compiled,
                                         StringRef tempDir) {
  SmallString<256> object = joinPath(scratchDir, "model.o");
  if (failed(writeFile(context, object,
                       StringRef(compiled.object.data(),
                                 compiled.object.size()))))
    return failure();
  SmallString<256> library = joinPath(tempDir, "libmodel.so");
  if (llvm::Error error =
          lowbit::linkSharedLibrary(object, library, scratchDir))
    return emitLLVMError(context, std::move(error));

  lowbit::ArtifactManifest manifest;
  auto addFile = [&](StringRef name, StringRef contents) -> LogicalResult {
    if (failed(writeFile(context, joinPath(tempDir, name), contents)))
      return failure();
    manifest.fileSHA256[name.str()] = sha256Hex(contents);
    return success();
  };

  std::string header;
  {
    llvm::raw_string_ostream os(header);
    lowbit::writeModelHeader(compiled.signature,
                             llvm::sys::path::filename(options.modelPath), os);
  }
  if (failed(addFile("model.h", header)))
    return failure();
  if (stats && failed(addFile("stats.json",
                              quantization::printStatsFile(*stats))))
    return failure();

  if (!options.evalDir.empty()) {
    if (failed(evaluate(tempDir)))
      return failure();
    std::string json, markdown;
    llvm::raw_string_ostream jsonStream(json), markdownStream(markdown);
    lowbit::writeReportJSON(*report, jsonStream);
    lowbit::writeReportMarkdown(
        *report, llvm::sys::path::filename(options.modelPath), markdownStream);
    if (failed(addFile("report.json", json)) ||
        failed(addFile("report.md", markdown)))
      return failure();
  }

  auto libraryBytes = llvm::MemoryBuffer::getFile(library);
  if (!libraryBytes)
    return emitError(UnknownLoc::get(&context))
           << "cannot read back '" << library << "'";
  manifest.fileSHA256["libmodel.so"] =
      sha256Hex((*libraryBytes)->getBuffer());
  manifest.options = &options;
  manifest.target = &target;
  manifest.optLevel = kOptLevel;
  manifest.signature = &compiled.signature;
  manifest.passPipeline = describePipeline(context, options, target,
                                           stats.has_value(), observer);
  manifest.modelSHA256 = modelSha256;
  if (stats) {
    manifest.stats = &*stats;
    manifest.calibrationDir = calibrationDirName;
    if (!options.statsPath.empty())
      manifest.statsFile = llvm::sys::path::filename(options.statsPath).str();
  }
  if (recipe) {
    manifest.recipe = &*recipe;
    manifest.layers = layerRecipes;
  }
  if (report)
    manifest.evaluation = &*report;
  std::string json;
  {
    llvm::raw_string_ostream os(json);
    lowbit::writeArtifactManifest(manifest, os);
  }
  return writeFile(context, joinPath(tempDir, "manifest.json"), json);
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

} // namespace

LogicalResult lowbit::compileArtifact(MLIRContext &context,
                                      const CompileOptions &options) {
  CompileFlow flow(context, options);
  if (options.outputDir.empty() && !flow.isCalibrateOnly())
    return emitError(UnknownLoc::get(&context))
           << "no output directory given (-o OUTDIR)";
  if (failed(flow.prepare()))
    return failure();

  if (flow.isCalibrateOnly()) {
    TemporaryDirectory scratch;
    if (std::error_code error = scratch.createInSystemTemp("lowbit-calib"))
      return emitError(UnknownLoc::get(&context))
             << "cannot create a temporary directory: " << error.message();
    CompiledObject unused;
    return flow.run(std::nullopt, nullptr, scratch.get(), unused);
  }

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
  TemporaryDirectory tempDir;
  if (std::error_code error = tempDir.createUnique(outputDir + ".tmp"))
    return emitError(UnknownLoc::get(&context))
           << "cannot create a temporary directory next to '" << outputDir
           << "': " << error.message();
  TemporaryDirectory scratch;
  {
    SmallString<256> scratchPath = joinPath(tempDir.get(), ".scratch");
    if (std::error_code error = llvm::sys::fs::create_directory(scratchPath))
      return emitError(UnknownLoc::get(&context))
             << "cannot create '" << scratchPath << "': " << error.message();
    scratch.adopt(scratchPath);
  }

  CompiledObject compiled;
  if (failed(flow.run(std::nullopt, nullptr, scratch.get(), compiled)) ||
      failed(flow.writeArtifact(compiled, tempDir.get())))
    return failure();
  scratch.remove();
  if (failed(installArtifact(context, tempDir.get(), outputDir)))
    return failure();
  return success();
}

LogicalResult lowbit::emitCompileStage(MLIRContext &context,
                                       const CompileOptions &options,
                                       CompileStage stage,
                                       llvm::raw_ostream &os) {
  CompileFlow flow(context, options);
  if (failed(flow.prepare()))
    return failure();
  TemporaryDirectory scratch;
  if (!options.calibDir.empty() || options.isQuantized())
    if (std::error_code error = scratch.createInSystemTemp("lowbit-compile"))
      return emitError(UnknownLoc::get(&context))
             << "cannot create a temporary directory: " << error.message();
  CompiledObject unused;
  return flow.run(stage, &os, scratch.get(), unused);
}
