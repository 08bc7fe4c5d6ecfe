//===- ONNXBackendTest.h - Run an ONNX backend test folder ------*- C++ -*-===//
//
// An ONNX backend test folder holds model.onnx and test_data_set_*/ with
// input_<i>.pb and output_<i>.pb. Running one compiles the model, feeds every
// data set and compares every output with the reference.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_ONNXBACKENDTEST_H
#define LOWBIT_TOOLS_QUANTRUN_ONNXBACKENDTEST_H

#include "TensorComparison.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace lowbit {

struct ONNXBackendTestOptions {
  std::string testDir;
  Tolerance tolerance;
  /// Threads for the model; 0 leaves the runtime's default.
  int numThreads = 0;
};

/// Runs the test folder, printing one line per compared output to `os`.
/// Returns true when every output of every data set is within tolerance;
/// errors (a missing file, a failed compile or run) come back as errors.
llvm::Expected<bool> runONNXBackendTest(const ONNXBackendTestOptions &options,
                                        llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_ONNXBACKENDTEST_H
