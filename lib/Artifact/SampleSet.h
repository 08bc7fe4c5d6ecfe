//===- SampleSet.h - folders of model inputs (--calib, --eval) --*- C++ -*-===//
//
// Calibration and evaluation read a folder of samples. Each sample is one
// entry of the folder, taken in byte order of the names:
//
//   * a `.npy` file: the value of the model's only input;
//   * a `.npz` archive: one array per input, keyed by input name (an archive
//     with one array may feed a one-input model whatever its key);
//   * a `.pb` ONNX TensorProto: the value of the input it names (or of the
//     only input);
//   * a sub-folder (e.g. an ONNX test's `test_data_set_0`) of `.npy` / `.pb`
//     files, one per input, matched by tensor name, else in name order.
//
// Other files are ignored. The set's SHA-256 covers the name and bytes of
// every file read, so it identifies the data whatever the folder is called.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_ARTIFACT_SAMPLESET_H
#define LOWBIT_LIB_ARTIFACT_SAMPLESET_H

#include "lowbit/Artifact/CompiledModel.h"
#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace lowbit {

/// The samples of one folder.
struct SampleSet {
  /// The folder as given on the command line.
  std::string dir;
  /// "calibration" or "evaluation": how errors name the files.
  std::string role;
  /// Sample names relative to `dir` (a file or a sub-folder), sorted.
  std::vector<std::string> samples;
  /// SHA-256 (hex) over every file of every sample, in order: its path
  /// relative to `dir` ('/'-separated), a NUL byte, its size as 8
  /// little-endian bytes, and its bytes.
  std::string sha256;
};

/// Lists the samples of `dir` and hashes them. `flag` ("--calib") and `role`
/// name the folder in errors: a missing folder, or one without samples.
llvm::Expected<SampleSet> openSampleSet(llvm::StringRef dir,
                                        llvm::StringRef flag,
                                        llvm::StringRef role);

/// Reads sample `index` of `set` as one tensor per model input, in the order
/// of `inputs`. Errors name the file and the input: a missing or extra
/// tensor, a wrong element type or shape (expected against found).
llvm::Expected<std::vector<TensorData>>
readSample(const SampleSet &set, size_t index,
           llvm::ArrayRef<TensorInfo> inputs);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_SAMPLESET_H
