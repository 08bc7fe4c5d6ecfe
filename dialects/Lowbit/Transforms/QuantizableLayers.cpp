//===- QuantizableLayers.cpp - the layers quantization works on -----------===//

#include "dialects/Lowbit/Transforms/QuantizableLayers.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace lowbit {

std::string getLocationName(Operation *op, StringRef fallback) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return fallback.str();
}

std::optional<QuantizableLayer> describeContraction(Operation *op) {
  QuantizableLayer layer{op, "", "", Value(), Value(), 0};
  if (auto conv = dyn_cast<ConvOp>(op)) {
    layer.opType = "conv";
    layer.activation = conv.getInput();
    layer.weight = conv.getWeight();
    layer.activationChannelAxis = 1;
    return layer;
  }
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    layer.opType = "matmul";
    layer.activation = matmul.getLhs();
    layer.weight = matmul.getRhs();
    layer.activationChannelAxis =
        cast<RankedTensorType>(layer.activation.getType()).getRank() - 1;
    return layer;
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    layer.opType = "gemm";
    layer.activation = gemm.getA();
    layer.weight = gemm.getB();
    layer.activationChannelAxis = gemm.getTransA() ? 0 : 1;
    return layer;
  }
  return std::nullopt;
}

std::vector<QuantizableLayer> getQuantizableLayers(func::FuncOp func) {
  std::vector<QuantizableLayer> layers;
  llvm::StringMap<unsigned> seen;
  func.walk([&](Operation *op) {
    std::optional<QuantizableLayer> layer = describeContraction(op);
    if (!layer || !matchPattern(layer->weight, m_Constant()))
      return;
    std::string base = getLocationName(op, layer->opType);
    unsigned &count = seen[base];
    layer->name = count == 0 ? base : base + "#" + std::to_string(count);
    ++count;
    layers.push_back(std::move(*layer));
  });
  return layers;
}

} // namespace lowbit
