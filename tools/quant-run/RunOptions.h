//===- RunOptions.h - quant-run's command line ------------------*- C++ -*-===//
//
// quant-run parses its own flags: libLLVM.so already registers global
// llvm::cl options with names quant-run needs (`--threads`), and a tool that
// only runs artifacts has no use for LLVM's hundreds of hidden options.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_RUNOPTIONS_H
#define LOWBIT_TOOLS_QUANTRUN_RUNOPTIONS_H

#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

struct RunOptions {
  /// The positional OUTDIR.
  std::string artifactDir;
  std::vector<std::string> inputSpecs;
  std::vector<std::string> expectedSpecs;
  std::string outputDir;
  TensorFileFormat outputFormat = TensorFileFormat::Npy;
  /// Unset means the mode's default.
  std::optional<double> rtol;
  std::optional<double> atol;
  unsigned benchRuns = 0;
  /// Unset leaves the runtime's default (all cores).
  std::optional<int> numThreads;
  std::string onnxTestDir;
  bool showHelp = false;
};

/// Parses `arguments` (without argv[0]). Flags take their value as
/// `--flag=value` or `--flag value`.
llvm::Expected<RunOptions>
parseRunOptions(llvm::ArrayRef<const char *> arguments);

/// Prints the usage text.
void printRunUsage(llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_RUNOPTIONS_H
