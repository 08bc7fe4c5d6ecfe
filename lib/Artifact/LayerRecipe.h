//===- LayerRecipe.h - what each layer of an artifact became ----*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_LAYERRECIPE_H
#define LOWBIT_LIB_ARTIFACT_LAYERRECIPE_H

#include "lowbit/Quantization/Recipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace lowbit {

/// The manifest's record of one layer.
struct LayerRecipe {
  std::string name;
  std::string opType;
  /// The recipe's scheme for the layer ("w8a8", "float", ...).
  std::string scheme;
  /// What the quantized graph holds, read from its types: "float", or an
  /// object with format, bits, signedness, granularity, group size, codebook
  /// (weights) and scale/zero point or "dynamic" (activations).
  llvm::json::Value weights = "float";
  llvm::json::Value activations = "float";
  llvm::json::Value output = "float";
};

/// Walks the quantized graph `main` and describes every layer, naming the
/// scheme `recipe` resolves for it.
std::vector<LayerRecipe>
describeLayerRecipes(mlir::func::FuncOp main,
                     const quantization::Recipe &recipe);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_LAYERRECIPE_H
