//===- Recipe.h - Quantization schemes, presets and recipe files -*- C++
//-*-===//
//
// What precision every layer gets. A `TensorScheme` says how one tensor
// (weights or activations) is quantized, a `LayerScheme` pairs them, presets
// name the common combinations (w8a8, w4a16-g128, nf4, fp8, ...), and a
// recipe file picks a scheme per layer by name, regex or op type.
//
// Recipe files are JSON or YAML (chosen by extension, .json/.yaml/.yml, or
// else by whether the text starts with '{'):
//
//   version: 1                       # optional; only 1 exists
//   default: w8a8                    # a preset, or an object like a rule's
//   observer: {activations: percentile, percentile: 99.99}
//   rules:
//     - {match: {name: "conv_final"}, scheme: float}
//     - {match: {regex: "^blocks\\.[0-9]+\\.mlp"}, scheme: w4a16-g64}
//     - {match: {op_type: "conv"}, weights: {bits: 8, granularity:
//     per_channel}}
//
// A rule's `match` holds any of `name` (exact), `regex` (llvm::Regex,
// searched, so anchor it with ^...$ to match whole names) and `op_type`
// (case-insensitive); all given criteria must hold. A rule sets `scheme`
// (a preset; the recipe default when absent), and may override fields with
// `weights: {...}` and `activations: {...}` (or `activations: none` for
// weight-only) and set `keep_float: true`. Scheme objects take `format`
// (int, nf4, fp8_e4m3, ternary), `bits`, `signed`, `symmetric`, `narrow`,
// `granularity` (per_tensor, per_channel, per_group, per_token),
// `group_size` (implies per_group) and `dynamic`.
//
// The last matching rule wins, whole: its scheme is its own preset (or the
// default) plus its own overrides; earlier matches do not stack. So put
// general rules first and specific ones after them.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANTIZATION_RECIPE_H
#define LOWBIT_QUANTIZATION_RECIPE_H

#include "lowbit/Quantization/Numerics.h"
#include "lowbit/Quantization/Observers.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class Regex;
} // namespace llvm

namespace lowbit {
namespace quantization {

/// How one tensor is quantized.
struct TensorScheme {
  enum class Format { Int, NF4, FP8E4M3, Ternary };
  enum class Granularity { PerTensor, PerChannel, PerGroup, PerToken };

  Format format = Format::Int;
  /// Storage bits: 2-8 for int weights, 2-16 for int activations, 4 for NF4,
  /// 8 for FP8, 2 for ternary.
  unsigned bits = 8;
  bool isSigned = true;
  bool symmetric = true;
  bool narrow = false;
  Granularity granularity = Granularity::PerTensor;
  /// Elements per group along the reduction axis; only for PerGroup.
  int64_t groupSize = 0;
  /// Scales computed at run time (activations only; required by PerToken).
  bool dynamic = false;

  /// The integer format of an Int scheme.
  IntegerFormat getIntegerFormat() const {
    return IntegerFormat{bits, isSigned, symmetric, narrow};
  }

  /// Checks the invariants above. `isActivation` selects the rules for
  /// activations (no NF4/ternary, no per-channel/group, dynamic allowed).
  /// The message names the offending field.
  llvm::Error verify(bool isActivation) const;

  bool operator==(const TensorScheme &other) const;
  bool operator!=(const TensorScheme &other) const { return !(*this == other); }
};

/// How one layer is quantized.
struct LayerScheme {
  /// The preset it came from ("w8a8", "w4a16-g64"), with "+custom" appended
  /// when a recipe rule overrode fields.
  std::string name;
  /// Leave the layer in float; `weights` and `activations` are then unused.
  bool keepFloat = false;
  TensorScheme weights;
  /// None for weight-only quantization.
  std::optional<TensorScheme> activations;

  bool isWeightOnly() const { return !keepFloat && !activations; }
  bool operator==(const LayerScheme &other) const;
  bool operator!=(const LayerScheme &other) const { return !(*this == other); }
};

/// Recipe spellings of formats and granularities ("int", "nf4",
/// "fp8_e4m3", "ternary"; "per_tensor", "per_channel", "per_group",
/// "per_token").
llvm::StringRef getFormatName(TensorScheme::Format format);
llvm::StringRef getGranularityName(TensorScheme::Granularity granularity);

/// The preset names, as listed in errors: `<N>` stands for a group size.
llvm::ArrayRef<llvm::StringRef> getPresetNames();

/// The scheme of a preset:
///
///  * `w8a8`: int8 symmetric narrow ([-127, 127]) per-output-channel
///    weights; int8 asymmetric per-tensor static activations. Signed int8
///    with a zero point rather than uint8 keeps one integer type for
///    weights and activations (SPIR-V's integer dot product and typical NPU
///    MAC arrays take s8 x s8); a backend that prefers u8 activations (x86
///    VNNI) can add 128 to codes and zero point exactly.
///  * `w8a8-dynamic`: the same weights; int8 symmetric narrow per-token
///    dynamic activations.
///  * `w4a16`, `w4a16-g<N>`: weight-only int4 symmetric narrow, group
///    size N (128 for plain `w4a16`) along the reduction axis.
///  * `w4a16-g<N>-asym`: weight-only uint4 with a zero point per group, the
///    layout of GPTQ/AWQ checkpoints and ONNX Runtime's MatMulNBits.
///  * `w4a8`, `w4a8-g<N>`: int4 symmetric narrow weights per output channel
///    (or per group of N), int8 activations as in w8a8.
///  * `nf4`, `nf4-g<N>`: weight-only NF4 with absmax groups of 64 (or N).
///  * `fp8`: FP8 E4M3FN weights and activations, per-tensor, static.
///  * `ternary`: BitNet b1.58 absmean ternary weights (per tensor), int8
///    symmetric narrow per-tensor static activations.
///  * `float`: keep the layer in float.
///
/// Unknown names give an error that lists every valid name.
llvm::Expected<LayerScheme> lookupPreset(llvm::StringRef name);

/// One recipe rule: a match and the scheme matching layers get.
struct RecipeRule {
  /// Exact layer name; empty matches any.
  std::string name;
  /// Regex searched in the layer name; empty matches any.
  std::string regex;
  /// Op type, compared case-insensitively; empty matches any.
  std::string opType;
  LayerScheme scheme;

  /// True when every given criterion holds.
  bool matches(llvm::StringRef layerName, llvm::StringRef layerOpType) const;

  /// The compiled `regex` (shared, so rules stay copyable).
  std::shared_ptr<const llvm::Regex> compiledRegex;
};

/// A parsed recipe: a default scheme, rules and observer settings.
struct Recipe {
  static constexpr int kVersion = 1;

  int version = kVersion;
  LayerScheme defaultScheme;
  ObserverConfig observer;
  std::vector<RecipeRule> rules;

  /// A recipe that gives every layer the preset `name`.
  static llvm::Expected<Recipe> fromPreset(llvm::StringRef name);

  /// The scheme of a layer: the last rule that matches wins, else the
  /// default. When `matchedRule` is given it receives the rule's index, or
  /// -1 for the default.
  LayerScheme resolve(llvm::StringRef layerName, llvm::StringRef opType,
                      int *matchedRule = nullptr) const;
};

/// Parses a recipe in JSON or YAML (see the file comment). Errors name the
/// file, the place (e.g. `rules[2].weights.bits`) and the bad key or value.
llvm::Expected<Recipe> parseRecipe(llvm::StringRef text,
                                   llvm::StringRef fileNameForErrors);

/// Reads and parses a recipe file.
llvm::Expected<Recipe> readRecipeFile(llvm::StringRef path);

/// The manifest form of a scheme: every field, snake_case keys.
llvm::json::Value toJSON(const TensorScheme &scheme);
llvm::json::Value toJSON(const LayerScheme &scheme);
/// The manifest form of a whole recipe (default, observer, rules).
llvm::json::Value toJSON(const Recipe &recipe);

} // namespace quantization
} // namespace lowbit

#endif // LOWBIT_QUANTIZATION_RECIPE_H
