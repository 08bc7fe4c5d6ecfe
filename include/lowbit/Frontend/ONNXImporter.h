//===- ONNXImporter.h - ONNX model to the lowbit dialect --------*- C++ -*-===//

#ifndef LOWBIT_FRONTEND_ONNXIMPORTER_H
#define LOWBIT_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lowbit {

/// lowbit/Artifact/TensorFiles.h; not included here because it cannot be
/// included together with lowbit/Target/CPU/CPUCodegen.h (both declare
/// lowbit::getDTypeName(int) with different return types).
struct TensorData;

struct ONNXImportOptions {
  // Out of line, where TensorData is complete.
  ONNXImportOptions();
  ONNXImportOptions(const ONNXImportOptions &);
  ONNXImportOptions(ONNXImportOptions &&);
  ONNXImportOptions &operator=(const ONNXImportOptions &);
  ONNXImportOptions &operator=(ONNXImportOptions &&);
  ~ONNXImportOptions();


  /// Static shapes for graph inputs, by input name; they replace symbolic or
  /// unknown dimensions (`--input-shape name=1,3,48,320`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Values for graph inputs, by input name (`--input-value name=FILE`).
  /// Wherever the model needs a value at import time (a Reshape's shape, a
  /// Slice's starts, Resize's scales, ...) and that value comes from a bound
  /// input, directly or through ops the importer folds on the host, the bound
  /// value is used. A bound input that nothing else uses is removed from
  /// @main's signature; one still used as data stays an input. A bound input
  /// without an `inputShapes` entry is specialized to the value's shape.
  std::map<std::string, TensorData> inputValues;
};

/// Parses one `--input-shape` value, `name=d0,d1,...`, into `options`.
/// On failure returns a message naming the problem.
mlir::LogicalResult parseInputShape(llvm::StringRef spec,
                                    ONNXImportOptions &options,
                                    std::string &errorMessage);

/// Parses one `--input-value` value, `name=FILE` (`.npy`, or `.pb` holding
/// an ONNX TensorProto), reads the file and adds it to `options`. On failure
/// returns a message naming the problem.
mlir::LogicalResult parseInputValue(llvm::StringRef spec,
                                    ONNXImportOptions &options,
                                    std::string &errorMessage);

/// The names of the graph inputs of the ONNX model at `path` that are not
/// initializers, in graph order (the order of a backend test's input_N.pb).
/// On failure returns a message naming the file.
mlir::FailureOr<std::vector<std::string>>
readONNXGraphInputNames(llvm::StringRef path, std::string &errorMessage);

/// Imports the ONNX model at `path` as a module holding `func.func @main`
/// in the lowbit dialect (see docs/IR-Contract.md). On failure emits one
/// diagnostic naming the file, node or input and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 const ONNXImportOptions &options);

} // namespace lowbit

#endif // LOWBIT_FRONTEND_ONNXIMPORTER_H
