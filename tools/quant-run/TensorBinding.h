//===- TensorBinding.h - Tensor files to model inputs/outputs ---*- C++ -*-===//
//
// Turns `--input NAME=FILE` / `--expected NAME=FILE` arguments into tensors
// bound to the model's inputs or outputs, with one clear error per problem.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_QUANTRUN_TENSORBINDING_H
#define LOWBIT_TOOLS_QUANTRUN_TENSORBINDING_H

#include "lowbit/Artifact/CompiledModel.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace lowbit {

/// A tensor read from a file and the model input or output it is for.
struct TensorBinding {
  /// Index into the model's inputs or outputs.
  int index;
  TensorData tensor;
  /// The file it came from, for messages.
  std::string fileName;
};

/// Which side of the model a binding is for; it words the messages.
enum class BindingRole { Input, ExpectedOutput };

/// Binds each `specs` entry (`NAME=FILE` or `FILE`) to one of `signatures`.
/// A `FILE` without a name goes to the only input/output, or by the names
/// the file holds (`.npz` entries, TensorProto names, a `.npy` file's stem).
/// Inputs must match their signature's type and shape exactly; expected
/// outputs are checked when compared. Every signature gets at most one
/// tensor.
llvm::Expected<std::vector<TensorBinding>>
bindTensorFiles(llvm::ArrayRef<std::string> specs,
                llvm::ArrayRef<TensorInfo> signatures, BindingRole role);

/// Checks that `tensor` from `fileName` has the type and shape of input
/// `signature`; the error names both, the file and the input.
llvm::Error checkInputType(const TensorInfo &signature,
                           const TensorData &tensor, llvm::StringRef fileName);

/// `x float32[1, 3], y int64[2]` for messages.
std::string describeSignatures(llvm::ArrayRef<TensorInfo> signatures);

} // namespace lowbit

#endif // LOWBIT_TOOLS_QUANTRUN_TENSORBINDING_H
