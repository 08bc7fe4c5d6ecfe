//===- LayerSchemes.cpp - which scheme each layer gets --------------------===//

#include "dialects/Lowbit/Transforms/LayerSchemes.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace lowbit {

FailureOr<std::optional<quantization::Recipe>>
loadRecipe(Operation *op, StringRef scheme, StringRef recipePath) {
  if (recipePath.empty() && scheme.empty())
    return std::optional<quantization::Recipe>();
  llvm::Expected<quantization::Recipe> recipe =
      recipePath.empty() ? quantization::Recipe::fromPreset(scheme)
                         : quantization::readRecipeFile(recipePath);
  if (!recipe) {
    emitError(op->getLoc()) << llvm::toString(recipe.takeError());
    return failure();
  }
  return std::optional<quantization::Recipe>(std::move(*recipe));
}

/// The layer view of a stamped conv/matmul/gemm, whatever its weight is.
static std::optional<QuantizableLayer> getStampedLayer(Operation *op) {
  auto name = op->getAttrOfType<StringAttr>(kLayerAttrName);
  if (!name)
    return std::nullopt;
  std::optional<QuantizableLayer> layer = describeContraction(op);
  if (layer)
    layer->name = name.str();
  return layer;
}

std::vector<QuantizableLayer> getLayersForQuantization(func::FuncOp func) {
  llvm::DenseMap<Operation *, QuantizableLayer> unstamped;
  for (QuantizableLayer &layer : getQuantizableLayers(func))
    unstamped.try_emplace(layer.op, std::move(layer));
  std::vector<QuantizableLayer> layers;
  func.walk([&](Operation *op) {
    if (std::optional<QuantizableLayer> stamped = getStampedLayer(op)) {
      layers.push_back(std::move(*stamped));
      return;
    }
    auto it = unstamped.find(op);
    if (it != unstamped.end())
      layers.push_back(std::move(it->second));
  });
  return layers;
}

bool isKeptFloat(Operation *op) {
  auto scheme = op->getAttrOfType<StringAttr>(kSchemeAttrName);
  return scheme && scheme.getValue() == "float";
}

} // namespace lowbit
