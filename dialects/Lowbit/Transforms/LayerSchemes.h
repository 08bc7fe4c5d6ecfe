//===- LayerSchemes.h - which scheme each layer gets ------------*- C++ -*-===//
//
// What the two quantize passes share about layers: the recipe they resolve
// schemes from (a preset name or a recipe file), the discardable attributes
// they leave on layers for each other, for the manifest and for folding,
// and the layers of a function once their weights may already be quantized.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_LAYERSCHEMES_H
#define LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_LAYERSCHEMES_H

#include "dialects/Lowbit/Transforms/QuantizableLayers.h"
#include "lowbit/Quantization/Recipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace lowbit {

/// The layer name (StringAttr), stamped by lowbit-quantize-weights: after
/// its weights are quantized a layer no longer has a constant weight, so
/// getQuantizableLayers would not find (or number) it again.
inline constexpr llvm::StringLiteral kLayerAttrName = "lowbit.layer";
/// The resolved scheme's name (StringAttr), e.g. "w4a16-g128", "float".
/// Folding leaves layers marked "float" alone.
inline constexpr llvm::StringLiteral kSchemeAttrName = "lowbit.scheme";
/// UnitAttr: the layer's activations are quantized at run time (folding
/// gives the quantized op `dynamic_activations`).
inline constexpr llvm::StringLiteral kDynamicActivationsAttrName =
    "lowbit.dynamic_activations";

/// The recipe of a pass's `scheme` / `recipe` options: the recipe file when
/// given, else the preset; nothing when both are empty. Errors (unreadable
/// file, bad recipe, unknown preset) are emitted at `op`'s location.
mlir::FailureOr<std::optional<quantization::Recipe>>
loadRecipe(mlir::Operation *op, llvm::StringRef scheme,
           llvm::StringRef recipePath);

/// The layers of `func` in IR order: getQuantizableLayers, plus the
/// conv/matmul/gemm ops stamped with `lowbit.layer` whose weights are no
/// longer constants. A stamped layer is named by its stamp.
std::vector<QuantizableLayer> getLayersForQuantization(mlir::func::FuncOp func);

/// True when folding must leave `op` in float (`lowbit.scheme = "float"`).
bool isKeptFloat(mlir::Operation *op);

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_LAYERSCHEMES_H
