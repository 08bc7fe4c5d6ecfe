//===- QuantizationRecipeTest.cpp - Presets and recipe files --------------===//
//
// Preset contents, recipe parsing in both syntaxes, rule resolution order,
// and the error messages users see.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Recipe.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace lowbit::quantization;

using Format = TensorScheme::Format;
using Granularity = TensorScheme::Granularity;

namespace {

std::string errorOf(llvm::Error error) {
  return llvm::toString(std::move(error));
}

LayerScheme preset(llvm::StringRef name) {
  auto scheme = lookupPreset(name);
  EXPECT_TRUE(bool(scheme)) << errorOf(scheme.takeError());
  return scheme ? *scheme : LayerScheme();
}

std::string recipeError(llvm::StringRef text,
                        llvm::StringRef fileName = "recipe.yaml") {
  auto recipe = parseRecipe(text, fileName);
  if (recipe)
    return "ok";
  return errorOf(recipe.takeError());
}

TEST(QuantizationRecipe, Presets) {
  LayerScheme w8a8 = preset("w8a8");
  EXPECT_EQ(w8a8.name, "w8a8");
  EXPECT_FALSE(w8a8.keepFloat);
  EXPECT_EQ(w8a8.weights.format, Format::Int);
  EXPECT_EQ(w8a8.weights.bits, 8u);
  EXPECT_TRUE(w8a8.weights.isSigned);
  EXPECT_TRUE(w8a8.weights.symmetric);
  EXPECT_TRUE(w8a8.weights.narrow);
  EXPECT_EQ(w8a8.weights.granularity, Granularity::PerChannel);
  ASSERT_TRUE(w8a8.activations.has_value());
  EXPECT_EQ(w8a8.activations->bits, 8u);
  EXPECT_TRUE(w8a8.activations->isSigned);
  EXPECT_FALSE(w8a8.activations->symmetric);
  EXPECT_EQ(w8a8.activations->granularity, Granularity::PerTensor);
  EXPECT_FALSE(w8a8.activations->dynamic);

  LayerScheme dynamic = preset("w8a8-dynamic");
  ASSERT_TRUE(dynamic.activations.has_value());
  EXPECT_EQ(dynamic.activations->granularity, Granularity::PerToken);
  EXPECT_TRUE(dynamic.activations->dynamic);
  EXPECT_TRUE(dynamic.activations->symmetric);

  LayerScheme w4 = preset("w4a16-g128");
  EXPECT_TRUE(w4.isWeightOnly());
  EXPECT_EQ(w4.weights.bits, 4u);
  EXPECT_EQ(w4.weights.granularity, Granularity::PerGroup);
  EXPECT_EQ(w4.weights.groupSize, 128);
  EXPECT_TRUE(w4.weights.symmetric);
  EXPECT_EQ(preset("w4a16").weights, w4.weights);
  EXPECT_EQ(preset("w4a16-g32").weights.groupSize, 32);

  LayerScheme asym = preset("w4a16-g64-asym");
  EXPECT_FALSE(asym.weights.symmetric);
  EXPECT_FALSE(asym.weights.isSigned);
  EXPECT_EQ(asym.weights.groupSize, 64);

  LayerScheme w4a8 = preset("w4a8");
  EXPECT_EQ(w4a8.weights.bits, 4u);
  EXPECT_EQ(w4a8.weights.granularity, Granularity::PerChannel);
  ASSERT_TRUE(w4a8.activations.has_value());
  EXPECT_EQ(w4a8.activations->bits, 8u);
  EXPECT_EQ(preset("w4a8-g128").weights.groupSize, 128);

  LayerScheme nf4 = preset("nf4");
  EXPECT_EQ(nf4.weights.format, Format::NF4);
  EXPECT_EQ(nf4.weights.groupSize, 64);
  EXPECT_TRUE(nf4.isWeightOnly());
  EXPECT_EQ(preset("nf4-g128").weights.groupSize, 128);

  LayerScheme fp8 = preset("fp8");
  EXPECT_EQ(fp8.weights.format, Format::FP8E4M3);
  ASSERT_TRUE(fp8.activations.has_value());
  EXPECT_EQ(fp8.activations->format, Format::FP8E4M3);
  EXPECT_EQ(fp8.activations->granularity, Granularity::PerTensor);

  LayerScheme ternary = preset("ternary");
  EXPECT_EQ(ternary.weights.format, Format::Ternary);
  ASSERT_TRUE(ternary.activations.has_value());
  EXPECT_EQ(ternary.activations->bits, 8u);
  EXPECT_EQ(ternary.activations->granularity, Granularity::PerTensor);

  EXPECT_TRUE(preset("float").keepFloat);

  // Every preset is valid.
  for (llvm::StringRef name :
       {"w8a8", "w8a8-dynamic", "w4a16", "w4a16-g32", "w4a16-g32-asym", "w4a8",
        "w4a8-g64", "nf4", "nf4-g32", "fp8", "ternary", "float"}) {
    LayerScheme scheme = preset(name);
    EXPECT_FALSE(bool(scheme.weights.verify(false))) << name.str();
    if (scheme.activations)
      EXPECT_FALSE(bool(scheme.activations->verify(true))) << name.str();
  }
}

TEST(QuantizationRecipe, UnknownPresetListsValidNames) {
  for (llvm::StringRef name : {"w9a9", "w4a16-g", "w4a16-g0", "nf4-gx"}) {
    auto scheme = lookupPreset(name);
    ASSERT_FALSE(bool(scheme));
    EXPECT_EQ(errorOf(scheme.takeError()),
              "unknown preset '" + name.str() +
                  "'; valid presets: float, fp8, nf4, nf4-g<N>, ternary, "
                  "w4a16, w4a16-g<N>, w4a16-g<N>-asym, w4a8, w4a8-g<N>, "
                  "w8a8, w8a8-dynamic");
  }
}

const char *kYamlRecipe = R"(version: 1
default: w8a8
observer: {activations: percentile, percentile: 99.99}
rules:
  - {match: {name: "conv_final"}, scheme: float}
  - {match: {regex: "^blocks\\.[0-9]+\\.mlp"}, scheme: w4a16-g64}
  - {match: {op_type: "conv"}, weights: {bits: 8, granularity: per_channel}}
)";

const char *kJsonRecipe = R"({
  "version": 1,
  "default": "w8a8",
  "observer": {"activations": "percentile", "percentile": 99.99},
  "rules": [
    {"match": {"name": "conv_final"}, "scheme": "float"},
    {"match": {"regex": "^blocks\\.[0-9]+\\.mlp"}, "scheme": "w4a16-g64"},
    {"match": {"op_type": "conv"},
     "weights": {"bits": 8, "granularity": "per_channel"}}
  ]
})";

void checkExampleRecipe(const Recipe &recipe) {
  EXPECT_EQ(recipe.version, 1);
  EXPECT_EQ(recipe.defaultScheme, preset("w8a8"));
  EXPECT_EQ(recipe.observer.activations, RangeMethod::Percentile);
  EXPECT_EQ(recipe.observer.percentile, 99.99);
  ASSERT_EQ(recipe.rules.size(), 3u);

  int rule = 0;
  EXPECT_TRUE(recipe.resolve("conv_final", "Gemm", &rule).keepFloat);
  EXPECT_EQ(rule, 0);
  LayerScheme mlp = recipe.resolve("blocks.12.mlp.fc1", "MatMul", &rule);
  EXPECT_EQ(rule, 1);
  EXPECT_EQ(mlp, preset("w4a16-g64"));
  LayerScheme other = recipe.resolve("head", "MatMul", &rule);
  EXPECT_EQ(rule, -1);
  EXPECT_EQ(other, preset("w8a8"));
  // The regex is searched, not anchored at the end.
  EXPECT_EQ(recipe.resolve("blocks.3.mlpx", "Add").name, "w4a16-g64");
  EXPECT_EQ(recipe.resolve("xblocks.3.mlp", "Add").name, "w8a8");

  // The last matching rule wins, whole: a conv named conv_final takes rule
  // 2 (the default plus its overrides), not float.
  LayerScheme conv = recipe.resolve("conv_final", "Conv", &rule);
  EXPECT_EQ(rule, 2);
  EXPECT_FALSE(conv.keepFloat);
  EXPECT_EQ(conv.name, "w8a8+custom");
  EXPECT_EQ(conv.weights.bits, 8u);
  EXPECT_EQ(conv.weights.granularity, Granularity::PerChannel);
  EXPECT_EQ(conv.activations, preset("w8a8").activations);
  EXPECT_EQ(recipe.resolve("blocks.1.mlp.conv", "CONV", &rule).name,
            "w8a8+custom");
  EXPECT_EQ(rule, 2);
}

TEST(QuantizationRecipe, ParseYaml) {
  auto recipe = parseRecipe(kYamlRecipe, "recipe.yaml");
  ASSERT_TRUE(bool(recipe)) << errorOf(recipe.takeError());
  checkExampleRecipe(*recipe);
}

TEST(QuantizationRecipe, ParseJson) {
  auto recipe = parseRecipe(kJsonRecipe, "recipe.json");
  ASSERT_TRUE(bool(recipe)) << errorOf(recipe.takeError());
  checkExampleRecipe(*recipe);
  // Without a telling extension the content decides.
  auto sniffed = parseRecipe(kJsonRecipe, "recipe.txt");
  ASSERT_TRUE(bool(sniffed)) << errorOf(sniffed.takeError());
  checkExampleRecipe(*sniffed);
  auto sniffedYaml = parseRecipe(kYamlRecipe, "recipe");
  ASSERT_TRUE(bool(sniffedYaml)) << errorOf(sniffedYaml.takeError());
  checkExampleRecipe(*sniffedYaml);
}

TEST(QuantizationRecipe, BlockYamlAndOverrides) {
  auto recipe = parseRecipe(R"(
default:
  scheme: w4a16-g128
  weights:
    symmetric: false
    signed: false
rules:
  - match:
      op_type: matmul
      regex: attn
    activations:
      bits: 8
      symmetric: true
      granularity: per_token
      dynamic: true
  - match: {name: lm_head}
    scheme: nf4
    weights: {group_size: 32}
  - match: {name: classifier}
    weights: {format: fp8_e4m3}
    activations: none
  - match: {name: embed}
    keep_float: true
)",
                            "r.yaml");
  ASSERT_TRUE(bool(recipe)) << errorOf(recipe.takeError());
  EXPECT_EQ(recipe->defaultScheme.name, "w4a16-g128+custom");
  EXPECT_FALSE(recipe->defaultScheme.weights.symmetric);
  EXPECT_FALSE(recipe->defaultScheme.weights.isSigned);
  EXPECT_EQ(recipe->defaultScheme.weights.groupSize, 128);
  // No observer in the file: the default, percentile 99.99.
  EXPECT_EQ(recipe->observer.activations, RangeMethod::Percentile);

  // Both criteria must hold.
  LayerScheme attention = recipe->resolve("layer0.attn.q", "MatMul");
  ASSERT_TRUE(attention.activations.has_value());
  EXPECT_TRUE(attention.activations->dynamic);
  EXPECT_EQ(attention.activations->granularity, Granularity::PerToken);
  EXPECT_EQ(attention.weights, recipe->defaultScheme.weights);
  EXPECT_FALSE(recipe->resolve("layer0.attn.q", "Add").activations);

  LayerScheme head = recipe->resolve("lm_head", "MatMul");
  EXPECT_EQ(head.weights.format, Format::NF4);
  EXPECT_EQ(head.weights.groupSize, 32);

  LayerScheme classifier = recipe->resolve("classifier", "Gemm");
  EXPECT_EQ(classifier.weights.format, Format::FP8E4M3);
  EXPECT_EQ(classifier.weights.granularity, Granularity::PerTensor);
  EXPECT_FALSE(classifier.activations);

  EXPECT_TRUE(recipe->resolve("embed", "Gather").keepFloat);
}

TEST(QuantizationRecipe, Errors) {
  EXPECT_EQ(recipeError("rules: []\n"),
            "recipe.yaml: missing 'default' (a preset name such as w8a8, or "
            "a scheme mapping)");
  EXPECT_EQ(recipeError("version: 2\ndefault: w8a8\n"),
            "recipe.yaml: version: recipe version 2 is not supported; this "
            "build reads version 1");
  EXPECT_EQ(recipeError("default: w8a8\nrulez: []\n"),
            "recipe.yaml: unknown key 'rulez' (expected one of: version, "
            "default, observer, rules)");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, scheme: float}\n"
                        "  - {match: {name: b}, wieghts: {bits: 4}}\n"),
            "recipe.yaml: rules[1]: unknown key 'wieghts' (expected one of: "
            "match, scheme, weights, activations, keep_float)");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, weights: {bits: 9}}\n"),
            "recipe.yaml: rules[0].weights: bits: 9 is out of range for int "
            "weights (2 to 8)");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, scheme: w5}\n"),
            "recipe.yaml: rules[0].scheme: unknown preset 'w5'; valid "
            "presets: float, fp8, nf4, nf4-g<N>, ternary, w4a16, w4a16-g<N>, "
            "w4a16-g<N>-asym, w4a8, w4a8-g<N>, w8a8, w8a8-dynamic");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {regex: \"(\"}, scheme: float}\n"),
            "recipe.yaml: rules[0].match.regex: invalid regex '(': "
            "parentheses not balanced");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n  - {match: {}, scheme: "
                        "float}\n"),
            "recipe.yaml: rules[0].match: needs name, regex or op_type");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n  - {match: {name: a}}\n"),
            "recipe.yaml: rules[0]: sets no scheme (give scheme, weights, "
            "activations or keep_float)");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, weights: {granularity: "
                        "per_group}}\n"),
            "recipe.yaml: rules[0].weights: group_size: per_group needs a "
            "positive group_size");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, activations: {granularity: "
                        "per_token}}\n"),
            "recipe.yaml: rules[0].activations: dynamic: per_token "
            "activations are dynamic");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, activations: {format: nf4}}\n"),
            "recipe.yaml: rules[0].activations: format: nf4 is a weight "
            "format");
  EXPECT_EQ(recipeError("default: w8a8\nobserver: {activations: median}\n"),
            "recipe.yaml: observer.activations: unknown observer 'median' "
            "(expected minmax, percentile, mse or entropy)");
  EXPECT_EQ(recipeError("default: w8a8\nobserver: {activations: mse, "
                        "percentile: 99}\n"),
            "recipe.yaml: observer.percentile: only the percentile observer "
            "takes a percentile");
  EXPECT_EQ(recipeError("default: w8a8\nrules:\n"
                        "  - {match: {name: a}, weights: {bits: eight}}\n"),
            "recipe.yaml: rules[0].weights.bits: expected a bit width such as "
            "8");
  EXPECT_EQ(recipeError("{\"default\": \"w8a8\",}", "r.json"),
            "r.json: invalid JSON: [1:20, byte=20]: Expected object key");
}

TEST(QuantizationRecipe, YamlSyntaxErrorNamesLine) {
  std::string error = recipeError("default: w8a8\nrules:\n  - {match: [\n");
  EXPECT_NE(error.find("recipe.yaml:3:"), std::string::npos) << error;
  std::string duplicate = recipeError("default: w8a8\ndefault: fp8\n");
  EXPECT_NE(duplicate.find("recipe.yaml:2:1: duplicate key 'default'"),
            std::string::npos)
      << duplicate;
}

TEST(QuantizationRecipe, FromPresetAndJson) {
  auto recipe = Recipe::fromPreset("w4a16-g32");
  ASSERT_TRUE(bool(recipe));
  EXPECT_EQ(recipe->resolve("any", "MatMul"), preset("w4a16-g32"));
  auto bad = Recipe::fromPreset("nope");
  ASSERT_FALSE(bool(bad));
  llvm::consumeError(bad.takeError());

  std::string text;
  llvm::raw_string_ostream os(text);
  os << toJSON(preset("w8a8"));
  EXPECT_EQ(text,
            "{\"activations\":{\"bits\":8,\"dynamic\":false,\"format\":\"int\","
            "\"granularity\":\"per_tensor\",\"narrow\":false,\"signed\":true,"
            "\"symmetric\":false},\"keep_float\":false,\"name\":\"w8a8\","
            "\"weights\":{\"bits\":8,\"dynamic\":false,\"format\":\"int\","
            "\"granularity\":\"per_channel\",\"narrow\":true,\"signed\":true,"
            "\"symmetric\":true}}");
  text.clear();
  os << toJSON(preset("nf4"));
  EXPECT_NE(text.find("\"group_size\":64"), std::string::npos) << text;
  EXPECT_NE(text.find("\"activations\":null"), std::string::npos) << text;
  text.clear();
  os << toJSON(preset("float"));
  EXPECT_EQ(text, "{\"keep_float\":true,\"name\":\"float\"}");

  auto parsed = parseRecipe(kYamlRecipe, "recipe.yaml");
  ASSERT_TRUE(bool(parsed));
  text.clear();
  os << toJSON(*parsed);
  // llvm::json prints doubles with 17 significant digits.
  EXPECT_NE(text.find("\"observer\":{\"activations\":\"percentile\","
                      "\"percentile\":99.98999"),
            std::string::npos)
      << text;
}

} // namespace
