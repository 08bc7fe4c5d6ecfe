//===- ModelLoader.h - read, check and specialize an ONNX model -*- C++ -*-===//
//
// Everything that happens to the protobuf before any IR is built: parsing,
// loading external data (confined to the model's folder), the ONNX checker,
// input shape specialization and ONNX shape inference. Every failure is one
// diagnostic naming the file, tensor or input.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_FRONTEND_ONNX_MODELLOADER_H
#define LOWBIT_LIB_FRONTEND_ONNX_MODELLOADER_H

#include "lowbit/Artifact/TensorFiles.h"
#include "lowbit/Frontend/ONNXImporter.h"

#include "mlir/IR/Location.h"
#include "onnx/onnx_pb.h"

namespace lowbit {
namespace onnx_import {

/// The newest ai.onnx opset libonnx's schema registry knows.
int64_t getNewestKnownOpset();

/// The model's ai.onnx opset (its `""` or `"ai.onnx"` import; 1 for IR < 3).
int64_t getDefaultOpset(const onnx::ModelProto &model);

/// Reads `path` into `model`, loads external data, checks the model, gives
/// graph inputs the shapes in `options` and runs ONNX shape inference.
/// Emits one error at `loc` and fails on anything wrong.
mlir::LogicalResult loadModel(llvm::StringRef path,
                              const ONNXImportOptions &options,
                              mlir::Location loc, onnx::ModelProto &model);

} // namespace onnx_import
} // namespace lowbit

#endif // LOWBIT_LIB_FRONTEND_ONNX_MODELLOADER_H
