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

struct ONNXImportOptions {
  /// Static shapes for graph inputs, by input name; they replace symbolic or
  /// unknown dimensions (`--input-shape name=1,3,48,320`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Parses one `--input-shape` value, `name=d0,d1,...`, into `options`.
/// On failure returns a message naming the problem.
mlir::LogicalResult parseInputShape(llvm::StringRef spec,
                                    ONNXImportOptions &options,
                                    std::string &errorMessage);

/// Imports the ONNX model at `path` as a module holding `func.func @main`
/// in the lowbit dialect (see docs/IR-Contract.md). On failure emits one
/// diagnostic naming the file, node or input and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(mlir::MLIRContext &context,
                                                 llvm::StringRef path,
                                                 const ONNXImportOptions &options);

} // namespace lowbit

#endif // LOWBIT_FRONTEND_ONNXIMPORTER_H
