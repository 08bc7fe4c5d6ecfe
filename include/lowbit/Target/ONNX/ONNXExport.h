//===- ONNXExport.h - write a lowbit graph as an ONNX model -----*- C++ -*-===//
//
// The inverse of the importer for the ops real models use: a float or
// quantized `lowbit` module becomes a standard ONNX model (opset 17).
// Quantized tensors are written as their int8/uint8 storage and quantized
// contractions as the QDQ pattern ONNX Runtime fuses into integer kernels
// (DequantizeLinear on activations, weights and int32 bias → Conv/MatMul →
// activation → QuantizeLinear), with exactly our scales and zero points.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_ONNX_ONNXEXPORT_H
#define LOWBIT_TARGET_ONNX_ONNXEXPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace lowbit {

/// Writes the `main` function of `module` to `path` as a serialized ONNX
/// ModelProto (through a temporary file renamed into place). Ops without an
/// ONNX form are reported as errors at their location.
mlir::LogicalResult exportONNXModel(mlir::ModuleOp module,
                                    llvm::StringRef path);

/// Writes the same serialized ModelProto to `os` (binary).
mlir::LogicalResult exportONNXModel(mlir::ModuleOp module,
                                    llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_TARGET_ONNX_ONNXEXPORT_H
