//===- QuantizableLayers.h - the layers quantization works on ---*- C++ -*-===//
//
// Calibration, the quantize passes, the evaluation report and the manifest
// all speak about the same layers by the same names. A layer is a
// contraction with constant weights (conv, matmul, gemm); its name is the
// ONNX node name carried in its NameLoc, made unique in IR order with a
// "#N" suffix. Statistics are keyed "<layer>:input" (the activation operand)
// and "<layer>:output" (the result).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZABLELAYERS_H
#define LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZABLELAYERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

struct QuantizableLayer {
  mlir::Operation *op;
  /// Unique within the function.
  std::string name;
  /// The op's short type, as recipes match it: "conv", "matmul", "gemm".
  std::string opType;
  /// The activation operand and the weight operand (a constant).
  mlir::Value activation;
  mlir::Value weight;
  /// Dimension of `activation` that is reduced against the weights' input
  /// channels (1 for NCHW conv, the last one for matmul); per-channel
  /// statistics are collected along it.
  int64_t activationChannelAxis;
};

/// The layer view of a conv, matmul or gemm (op type, activation and weight
/// operands, activation channel axis), whatever its weight is; the name is
/// left empty. Nothing for other ops.
std::optional<QuantizableLayer> describeContraction(mlir::Operation *op);

/// The ONNX node name carried by `op`'s location (a NameLoc, possibly inside
/// a FusedLoc), or `fallback`.
std::string getLocationName(mlir::Operation *op, llvm::StringRef fallback);

/// The layers of `func` in IR order. A contraction qualifies when its weight
/// operand is produced by a constant (activation × activation products, such
/// as attention scores, are not weight layers).
std::vector<QuantizableLayer> getQuantizableLayers(mlir::func::FuncOp func);

/// Statistics keys of a layer's activation input and result.
inline std::string inputStatsKey(llvm::StringRef layer) {
  return (layer + ":input").str();
}
inline std::string outputStatsKey(llvm::StringRef layer) {
  return (layer + ":output").str();
}

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZABLELAYERS_H
