//===- quant-run.cpp - Run, check and time LowBit artifacts ---------------===//
//
// quant-run OUTDIR --input NAME=FILE ... [--expected NAME=FILE ...]
//     loads OUTDIR/libmodel.so, runs it on the inputs, writes the outputs
//     (--output-dir), compares them with references and times the model
//     (--bench).
// quant-run --onnx-test DIR
//     compiles and runs an ONNX backend test folder against its references.
//
//===----------------------------------------------------------------------===//

#include "ONNXBackendTest.h"
#include "RunOptions.h"
#include "TensorBinding.h"
#include "TensorComparison.h"
#include "lowbit/Artifact/CompiledModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace lowbit;

/// Prints `quant-run: error: <message>` and returns the failing exit code.
static int reportError(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quant-run") << message << "\n";
  return 1;
}

static int reportError(llvm::Error error) {
  return reportError(llvm::toString(std::move(error)));
}

/// A file name for output `name`: ONNX names may hold '/' or ':'.
static std::string getOutputFileName(llvm::StringRef name,
                                     TensorFileFormat format) {
  std::string fileName;
  for (char c : name)
    fileName += llvm::isAlnum(c) || c == '_' || c == '-' || c == '.' ? c : '_';
  if (fileName.empty() || fileName == "." || fileName == "..")
    fileName = "output";
  return fileName + (format == TensorFileFormat::Npy ? ".npy" : ".pb");
}

/// Times `benchRuns` runs after a warm-up and prints the latencies.
static llvm::Error benchmark(CompiledModel &model, unsigned benchRuns) {
  if (llvm::Error error = model.run())
    return error;
  std::vector<double> milliseconds;
  for (unsigned i = 0; i < benchRuns; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error error = model.run())
      return error;
    auto end = std::chrono::steady_clock::now();
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  llvm::sort(milliseconds);
  size_t count = milliseconds.size();
  double median =
      count % 2 ? milliseconds[count / 2]
                : (milliseconds[count / 2 - 1] + milliseconds[count / 2]) / 2;
  // Nearest-rank percentile.
  size_t p90Rank = (count * 9 + 9) / 10;
  llvm::outs() << llvm::format(
      "bench: %u runs: median %.4g ms, min %.4g ms, p90 %.4g ms\n", count,
      median, milliseconds.front(), milliseconds[p90Rank - 1]);
  return llvm::Error::success();
}

/// quant-run OUTDIR ...: returns the exit code.
static int runArtifact(const RunOptions &options) {
  Tolerance tolerance{options.rtol.value_or(1e-4), options.atol.value_or(1e-5)};
  llvm::Expected<std::unique_ptr<CompiledModel>> loaded =
      CompiledModel::load(options.artifactDir);
  if (!loaded)
    return reportError(loaded.takeError());
  CompiledModel &model = **loaded;
  if (options.numThreads)
    if (llvm::Error error = model.setNumThreads(*options.numThreads))
      return reportError(std::move(error));

  // Read and check every file before running, so a typo fails fast.
  llvm::Expected<std::vector<TensorBinding>> inputs = bindTensorFiles(
      options.inputSpecs, model.getInputs(), BindingRole::Input);
  if (!inputs)
    return reportError(inputs.takeError());
  llvm::Expected<std::vector<TensorBinding>> references = bindTensorFiles(
      options.expectedSpecs, model.getOutputs(), BindingRole::ExpectedOutput);
  if (!references)
    return reportError(references.takeError());

  for (const TensorBinding &input : *inputs)
    if (llvm::Error error = model.setInput(input.index, input.tensor))
      return reportError(std::move(error));
  if (llvm::Error error = model.run())
    return reportError(std::move(error));

  std::vector<TensorData> outputs;
  for (int index = 0, e = model.getOutputs().size(); index < e; ++index) {
    llvm::Expected<TensorData> output = model.getOutput(index);
    if (!output)
      return reportError(output.takeError());
    outputs.push_back(std::move(*output));
  }

  if (!options.outputDir.empty()) {
    if (std::error_code error =
            llvm::sys::fs::create_directories(options.outputDir))
      return reportError("cannot create output directory '" +
                         options.outputDir + "': " + error.message());
  }
  for (const TensorData &output : outputs) {
    llvm::outs() << "output '" << output.name << "' " << output.getTypeString();
    if (!options.outputDir.empty()) {
      llvm::SmallString<256> path(options.outputDir);
      llvm::sys::path::append(
          path, getOutputFileName(output.name, options.outputFormat));
      if (llvm::Error error =
              writeTensorFile(path, output, options.outputFormat))
        return reportError(std::move(error));
      llvm::outs() << " -> " << path;
    }
    llvm::outs() << "\n";
  }

  bool allWithinTolerance = true;
  for (const TensorBinding &reference : *references) {
    const TensorData &output = outputs[reference.index];
    llvm::outs() << "compare '" << output.name << "' with '"
                 << reference.fileName << "': ";
    llvm::Expected<TensorComparison> comparison =
        compareTensors(output, reference.tensor, tolerance);
    if (!comparison) {
      llvm::outs() << "MISMATCH: " << llvm::toString(comparison.takeError())
                   << "\n";
      allWithinTolerance = false;
      continue;
    }
    llvm::outs() << comparison->format(tolerance) << "\n";
    allWithinTolerance &= comparison->isWithinTolerance();
  }

  if (options.benchRuns > 0)
    if (llvm::Error error = benchmark(model, options.benchRuns))
      return reportError(std::move(error));

  llvm::outs().flush();
  if (!allWithinTolerance)
    return reportError("outputs differ from the expected values beyond "
                       "tolerance");
  return 0;
}

/// quant-run --onnx-test DIR: returns the exit code.
static int runONNXTest(const RunOptions &options) {
  ONNXBackendTestOptions testOptions;
  testOptions.testDir = options.onnxTestDir;
  // The ONNX backend's own defaults unless the user chose.
  testOptions.tolerance.rtol = options.rtol.value_or(1e-3);
  testOptions.tolerance.atol = options.atol.value_or(1e-7);
  testOptions.numThreads = options.numThreads.value_or(0);
  llvm::Expected<bool> passed = runONNXBackendTest(testOptions, llvm::outs());
  llvm::outs().flush();
  if (!passed)
    return reportError(passed.takeError());
  if (!*passed)
    return reportError("'" + options.onnxTestDir +
                       "': outputs differ from the reference beyond "
                       "tolerance");
  llvm::outs() << "PASS " << options.onnxTestDir << "\n";
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  llvm::Expected<RunOptions> options =
      parseRunOptions(llvm::ArrayRef<const char *>(argv + 1, argc - 1));
  if (!options)
    return reportError(options.takeError());
  if (options->showHelp) {
    printRunUsage(llvm::outs());
    return 0;
  }
  if (!options->onnxTestDir.empty()) {
    if (!options->artifactDir.empty() || !options->inputSpecs.empty() ||
        !options->expectedSpecs.empty())
      return reportError("--onnx-test takes its model and data from the test "
                         "folder; drop the artifact directory, --input and "
                         "--expected");
    return runONNXTest(*options);
  }
  if (options->artifactDir.empty())
    return reportError("no artifact directory given (quant-run OUTDIR "
                       "--input NAME=FILE ..., or --onnx-test DIR; see "
                       "--help)");
  return runArtifact(*options);
}
