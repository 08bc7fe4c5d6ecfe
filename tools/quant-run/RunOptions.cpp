//===- RunOptions.cpp - quant-run's command line --------------------------===//

#include "RunOptions.h"

#include "llvm/ADT/StringRef.h"

using namespace lowbit;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

void lowbit::printRunUsage(llvm::raw_ostream &os) {
  os << R"(OVERVIEW: LowBit artifact runner

USAGE:
  quant-run OUTDIR --input [NAME=]FILE ... [options]
      Run the artifact in OUTDIR (libmodel.so) on the inputs.
  quant-run --onnx-test DIR [--rtol R] [--atol A] [--threads N]
      Compile DIR/model.onnx, run every DIR/test_data_set_* and compare the
      outputs with its output_*.pb.

Tensor files are .npy, .npz (every array, by name) or ONNX TensorProto .pb.

OPTIONS:
  --input [NAME=]FILE     Model input. Without NAME the file goes to the
                          model's only input, or by the names it holds.
  --expected [NAME=]FILE  Reference for an output; the run fails when an
                          output is outside tolerance.
  --output-dir DIR        Write every output to DIR, named after it.
  --output-format npy|pb  File format for --output-dir (default npy).
  --rtol R                Relative tolerance (default 1e-4; 1e-3 with
                          --onnx-test, the ONNX backend tests' own).
  --atol A                Absolute tolerance (default 1e-5; 1e-7 with
                          --onnx-test).
  --bench N               After a warm-up run, time N runs and report the
                          median, min and p90 latency.
  --threads N             Threads for the model (0: all cores, the default).
  --onnx-test DIR         Run an ONNX backend test folder.
  --help                  Show this text.
)";
}

/// Parses a non-negative integer flag value.
static llvm::Error parseCount(llvm::StringRef flag, llvm::StringRef value,
                              unsigned &out) {
  if (value.getAsInteger(10, out))
    return makeError("--" + flag + " expects a non-negative integer, got '" +
                     value + "'");
  return llvm::Error::success();
}

static llvm::Error parseTolerance(llvm::StringRef flag, llvm::StringRef value,
                                  std::optional<double> &out) {
  double parsed;
  if (value.getAsDouble(parsed) || parsed < 0)
    return makeError("--" + flag + " expects a non-negative number, got '" +
                     value + "'");
  out = parsed;
  return llvm::Error::success();
}

llvm::Expected<RunOptions>
lowbit::parseRunOptions(llvm::ArrayRef<const char *> arguments) {
  RunOptions options;
  static constexpr llvm::StringLiteral kValueFlags[] = {
      "input", "expected", "output-dir", "output-format", "rtol",
      "atol",  "bench",    "threads",    "onnx-test"};
  for (size_t i = 0; i < arguments.size(); ++i) {
    llvm::StringRef argument = arguments[i];
    if (argument == "-h" || argument == "--help" || argument == "-help") {
      options.showHelp = true;
      continue;
    }
    if (!argument.starts_with("-") || argument == "-") {
      if (!options.artifactDir.empty())
        return makeError("unexpected argument '" + argument +
                         "': the artifact directory is already '" +
                         options.artifactDir + "'");
      options.artifactDir = argument.str();
      continue;
    }
    // Accept -flag as well as --flag, as LLVM tools do.
    llvm::StringRef flag =
        argument.drop_front(argument.starts_with("--") ? 2 : 1);
    auto [name, inlineValue] = flag.split('=');
    bool hasInlineValue = flag.contains('=');
    if (!llvm::is_contained(kValueFlags, name))
      return makeError("unknown option '" + argument +
                       "' (see quant-run --help)");
    llvm::StringRef value = inlineValue;
    if (!hasInlineValue) {
      if (i + 1 == arguments.size())
        return makeError("option '--" + name + "' needs a value");
      value = arguments[++i];
    }

    if (name == "input") {
      options.inputSpecs.push_back(value.str());
    } else if (name == "expected") {
      options.expectedSpecs.push_back(value.str());
    } else if (name == "output-dir") {
      options.outputDir = value.str();
    } else if (name == "output-format") {
      if (value == "npy")
        options.outputFormat = TensorFileFormat::Npy;
      else if (value == "pb")
        options.outputFormat = TensorFileFormat::TensorProto;
      else
        return makeError("--output-format expects npy or pb, got '" + value +
                         "'");
    } else if (name == "rtol" || name == "atol") {
      if (llvm::Error error = parseTolerance(
              name, value, name == "rtol" ? options.rtol : options.atol))
        return std::move(error);
    } else if (name == "bench") {
      if (llvm::Error error = parseCount(name, value, options.benchRuns))
        return std::move(error);
    } else if (name == "threads") {
      unsigned threads;
      if (llvm::Error error = parseCount(name, value, threads))
        return std::move(error);
      options.numThreads = threads;
    } else if (name == "onnx-test") {
      options.onnxTestDir = value.str();
    }
  }
  return options;
}
