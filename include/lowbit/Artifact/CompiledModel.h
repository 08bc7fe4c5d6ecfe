//===- CompiledModel.h - A loaded artifact's C API --------------*- C++ -*-===//
//
// Loads OUTDIR/libmodel.so with dlopen, checks its ABI version, and wraps
// the C API of lowbit_runtime.h so that every failure comes back as an
// llvm::Error naming the artifact or tensor. Used by quant-run and by the
// compile driver (calibration and evaluation run artifacts in process).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ARTIFACT_COMPILEDMODEL_H
#define LOWBIT_ARTIFACT_COMPILEDMODEL_H

#include "lowbit/Artifact/TensorFiles.h"
#include "lowbit/Runtime/lowbit_runtime.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace lowbit {

/// Describes one model input or output, copied out of the C API
/// (`lowbit_tensor_info`).
struct TensorInfo {
  std::string name;
  lowbit_dtype dtype;
  std::vector<int64_t> shape;
  size_t numBytes;

  /// `float32[1, 3]`.
  std::string getTypeString() const;
};

/// One instance of a compiled model, loaded from an artifact directory.
class CompiledModel {
public:
  /// Loads `artifactDir`/libmodel.so and creates an instance.
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  load(llvm::StringRef artifactDir);

  ~CompiledModel();
  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  llvm::ArrayRef<TensorInfo> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorInfo> getOutputs() const { return outputs; }

  /// Index of the input named `name`, or -1.
  int findInput(llvm::StringRef name) const;
  /// Index of the output named `name`, or -1.
  int findOutput(llvm::StringRef name) const;

  llvm::Error setNumThreads(int numThreads);
  /// Copies `tensor`'s bytes into input `index`; the caller has checked its
  /// type.
  llvm::Error setInput(int index, const TensorData &tensor);
  llvm::Error run();
  /// Copies output `index` out of the model.
  llvm::Expected<TensorData> getOutput(int index) const;

private:
  /// The C API, resolved from the shared library.
  struct API;

  CompiledModel(std::string libraryPath, void *handle,
                std::unique_ptr<API> api);
  llvm::Error makeModelError(const llvm::Twine &what) const;

  std::string libraryPath;
  void *handle;
  std::unique_ptr<API> api;
  lowbit_model *model = nullptr;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
};

} // namespace lowbit

#endif // LOWBIT_ARTIFACT_COMPILEDMODEL_H
