//===- LayerRecipe.cpp - what each layer of an artifact became ------------===//

#include "lib/Artifact/LayerRecipe.h"

#include "lib/Artifact/Instrument.h"

#include "dialects/Lowbit/IR/LowbitOps.h"
#include "dialects/Lowbit/Transforms/LayerSchemes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace lowbit;
using llvm::json::Object;
using JSONValue = llvm::json::Value;

namespace {

void describeStorage(Object &object, quant::QuantizedType type) {
  object["bits"] = static_cast<int64_t>(type.getStorageTypeIntegralWidth());
  object["signed"] = type.isSigned();
  object["storage_min"] = type.getStorageTypeMin();
  object["storage_max"] = type.getStorageTypeMax();
}

/// The manifest form of a tensor type: "float", or its quantization. A
/// per-tensor scale is kept at full precision: with it and the zero point
/// the artifact's integer arithmetic can be reproduced.
JSONValue describeType(mlir::Type type, lowbit::CodebookAttr codebook) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  auto quantized =
      tensor ? dyn_cast<quant::QuantizedType>(tensor.getElementType())
             : nullptr;
  if (!quantized)
    return "float";
  Object object;
  object["format"] = "int";
  if (codebook)
    object["format"] = lowbit::stringifyCodebook(codebook.getValue()).str();
  describeStorage(object, quantized);
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(quantized)) {
    object["granularity"] = "per_tensor";
    object["scale"] = uniform.getScale();
    object["zero_point"] = uniform.getZeroPoint();
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantized)) {
    object["granularity"] = "per_channel";
    object["axis"] = static_cast<int64_t>(perAxis.getQuantizedDimension());
    bool symmetric = llvm::all_of(perAxis.getZeroPoints(),
                                  [](int64_t zp) { return zp == 0; });
    object["symmetric"] = symmetric;
  } else if (auto subChannel =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(quantized)) {
    object["granularity"] = "per_group";
    llvm::json::Array blocks;
    int64_t groupSize = 1;
    for (auto [dim, size] : subChannel.getBlockSizeInfo()) {
      blocks.push_back(Object{{"axis", static_cast<int64_t>(dim)},
                              {"block_size", size}});
      groupSize = std::max(groupSize, size);
    }
    object["group_size"] = groupSize;
    object["blocks"] = std::move(blocks);
  }
  return object;
}

} // namespace

std::vector<lowbit::LayerRecipe>
lowbit::describeLayerRecipes(func::FuncOp main,
                             const quantization::Recipe &recipe) {
  std::vector<LayerRecipe> layers;
  for (const GraphLayer &layer : getGraphLayers(main)) {
    LayerRecipe entry;
    entry.name = layer.name;
    entry.opType = layer.opType;
    // The scheme lowbit-quantize-weights stamped, else the recipe's.
    if (auto stamp = layer.op->getAttrOfType<StringAttr>(kSchemeAttrName)) {
      entry.scheme = stamp.str();
    } else {
      quantization::LayerScheme scheme =
          recipe.resolve(layer.name, layer.opType);
      entry.scheme = scheme.keepFloat ? "float" : scheme.name;
    }
    Operation *op = layer.op;
    if (auto conv = dyn_cast<QuantizedConvOp>(op)) {
      entry.weights = describeType(conv.getWeight().getType(),
                                   conv.getWeightCodebookAttr());
      entry.activations = conv.getDynamicActivations()
                              ? JSONValue("dynamic")
                              : describeType(conv.getInput().getType(), {});
    } else if (auto matmul = dyn_cast<QuantizedMatMulOp>(op)) {
      entry.weights = describeType(matmul.getRhs().getType(),
                                   matmul.getWeightCodebookAttr());
      entry.activations = matmul.getDynamicActivations()
                              ? JSONValue("dynamic")
                              : describeType(matmul.getLhs().getType(), {});
    }
    if (layer.quantized)
      entry.output = describeType(op->getResult(0).getType(), {});
    layers.push_back(std::move(entry));
  }
  return layers;
}
