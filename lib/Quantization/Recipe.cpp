//===- Recipe.cpp - Quantization schemes, presets and recipe files --------===//
//
// Presets, scheme validation, and the recipe parser. YAML is converted to a
// llvm::json::Value first so that one validator serves both syntaxes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Recipe.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace lowbit;
using namespace lowbit::quantization;

using Format = TensorScheme::Format;
using Granularity = TensorScheme::Granularity;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Schemes
//===----------------------------------------------------------------------===//

llvm::StringRef quantization::getFormatName(Format format) {
  switch (format) {
  case Format::Int:
    return "int";
  case Format::NF4:
    return "nf4";
  case Format::FP8E4M3:
    return "fp8_e4m3";
  case Format::Ternary:
    return "ternary";
  }
  llvm_unreachable("unknown format");
}

llvm::StringRef quantization::getGranularityName(Granularity granularity) {
  switch (granularity) {
  case Granularity::PerTensor:
    return "per_tensor";
  case Granularity::PerChannel:
    return "per_channel";
  case Granularity::PerGroup:
    return "per_group";
  case Granularity::PerToken:
    return "per_token";
  }
  llvm_unreachable("unknown granularity");
}

static std::optional<Format> parseFormat(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Format>>(name)
      .Case("int", Format::Int)
      .Case("nf4", Format::NF4)
      .Cases({"fp8_e4m3", "fp8"}, Format::FP8E4M3)
      .Case("ternary", Format::Ternary)
      .Default(std::nullopt);
}

static std::optional<Granularity> parseGranularity(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Granularity>>(name)
      .Case("per_tensor", Granularity::PerTensor)
      .Case("per_channel", Granularity::PerChannel)
      .Case("per_group", Granularity::PerGroup)
      .Case("per_token", Granularity::PerToken)
      .Default(std::nullopt);
}

llvm::Error TensorScheme::verify(bool isActivation) const {
  llvm::StringRef role = isActivation ? "activations" : "weights";
  auto fail = [](const llvm::Twine &message) { return makeError(message); };
  switch (format) {
  case Format::Int: {
    unsigned maxBits = isActivation ? 16 : 8;
    if (bits < 2 || bits > maxBits)
      return fail(llvm::formatv("bits: {0} is out of range for int {1} (2 to "
                                "{2})",
                                bits, role, maxBits)
                      .str());
    break;
  }
  case Format::NF4:
    if (isActivation)
      return fail("format: nf4 is a weight format");
    if (bits != 4)
      return fail(llvm::formatv("bits: nf4 is 4 bits, not {0}", bits).str());
    if (granularity != Granularity::PerGroup)
      return fail("granularity: nf4 needs per_group absmax blocks");
    break;
  case Format::FP8E4M3:
    if (bits != 8)
      return fail(
          llvm::formatv("bits: fp8_e4m3 is 8 bits, not {0}", bits).str());
    break;
  case Format::Ternary:
    if (isActivation)
      return fail("format: ternary is a weight format");
    if (bits != 2)
      return fail(
          llvm::formatv("bits: ternary codes take 2 bits, not {0}", bits)
              .str());
    break;
  }
  if (format != Format::Int && !symmetric)
    return fail(
        llvm::formatv("symmetric: {0} has no zero point", getFormatName(format))
            .str());
  if (granularity == Granularity::PerGroup) {
    if (groupSize <= 0)
      return fail("group_size: per_group needs a positive group_size");
  } else if (groupSize != 0) {
    return fail(llvm::formatv("group_size: only per_group takes a group "
                              "size, not {0}",
                              getGranularityName(granularity))
                    .str());
  }
  if (isActivation) {
    if (granularity == Granularity::PerChannel ||
        granularity == Granularity::PerGroup)
      return fail(llvm::formatv("granularity: activations are per_tensor or "
                                "per_token, not {0}",
                                getGranularityName(granularity))
                      .str());
    if (granularity == Granularity::PerToken && !dynamic)
      return fail("dynamic: per_token activations are dynamic");
  } else {
    if (granularity == Granularity::PerToken)
      return fail("granularity: per_token applies to activations only");
    if (dynamic)
      return fail("dynamic: weights are quantized ahead of time");
  }
  return llvm::Error::success();
}

bool TensorScheme::operator==(const TensorScheme &other) const {
  return format == other.format && bits == other.bits &&
         isSigned == other.isSigned && symmetric == other.symmetric &&
         narrow == other.narrow && granularity == other.granularity &&
         groupSize == other.groupSize && dynamic == other.dynamic;
}

bool LayerScheme::operator==(const LayerScheme &other) const {
  return name == other.name && keepFloat == other.keepFloat &&
         weights == other.weights && activations == other.activations;
}

//===----------------------------------------------------------------------===//
// Presets
//===----------------------------------------------------------------------===//

static TensorScheme makeScheme(Format format, unsigned bits, bool isSigned,
                               bool symmetric, bool narrow,
                               Granularity granularity, int64_t groupSize = 0,
                               bool dynamic = false) {
  TensorScheme scheme;
  scheme.format = format;
  scheme.bits = bits;
  scheme.isSigned = isSigned;
  scheme.symmetric = symmetric;
  scheme.narrow = narrow;
  scheme.granularity = granularity;
  scheme.groupSize = groupSize;
  scheme.dynamic = dynamic;
  return scheme;
}

static TensorScheme int8ChannelWeights() {
  return makeScheme(Format::Int, 8, true, true, true, Granularity::PerChannel);
}
static TensorScheme int8StaticActivations() {
  return makeScheme(Format::Int, 8, true, false, false, Granularity::PerTensor);
}
static TensorScheme int4Weights(int64_t groupSize) {
  return makeScheme(Format::Int, 4, true, true, true,
                    groupSize > 0 ? Granularity::PerGroup
                                  : Granularity::PerChannel,
                    groupSize);
}
static TensorScheme nf4Weights(int64_t groupSize) {
  return makeScheme(Format::NF4, 4, true, true, false, Granularity::PerGroup,
                    groupSize);
}
static TensorScheme fp8Tensor() {
  return makeScheme(Format::FP8E4M3, 8, true, true, false,
                    Granularity::PerTensor);
}
static TensorScheme ternaryWeights() {
  return makeScheme(Format::Ternary, 2, true, true, true,
                    Granularity::PerTensor);
}

llvm::ArrayRef<llvm::StringRef> quantization::getPresetNames() {
  static const llvm::StringRef names[] = {
      "float",   "fp8",       "nf4",        "nf4-g<N>",
      "ternary", "w4a16",     "w4a16-g<N>", "w4a16-g<N>-asym",
      "w4a8",    "w4a8-g<N>", "w8a8",       "w8a8-dynamic"};
  return names;
}

/// Parses the N of `<prefix>g<N><suffix>`.
static std::optional<int64_t> parseGroupSuffix(llvm::StringRef name,
                                               llvm::StringRef prefix,
                                               llvm::StringRef suffix) {
  if (!name.consume_front(prefix) || !name.consume_back(suffix))
    return std::nullopt;
  int64_t groupSize;
  if (name.empty() || !llvm::all_of(name, llvm::isDigit) ||
      name.getAsInteger(10, groupSize) || groupSize <= 0 ||
      groupSize > (int64_t(1) << 30))
    return std::nullopt;
  return groupSize;
}

llvm::Expected<LayerScheme> quantization::lookupPreset(llvm::StringRef name) {
  LayerScheme scheme;
  scheme.name = name.str();
  if (name == "float") {
    scheme.keepFloat = true;
    scheme.weights = int8ChannelWeights();
    return scheme;
  }
  if (name == "w8a8" || name == "w8a8-dynamic") {
    scheme.weights = int8ChannelWeights();
    scheme.activations = name == "w8a8"
                             ? int8StaticActivations()
                             : makeScheme(Format::Int, 8, true, true, true,
                                          Granularity::PerToken, 0,
                                          /*dynamic=*/true);
    return scheme;
  }
  if (name == "w4a16") {
    scheme.weights = int4Weights(128);
    return scheme;
  }
  if (std::optional<int64_t> group = parseGroupSuffix(name, "w4a16-g", "")) {
    scheme.weights = int4Weights(*group);
    return scheme;
  }
  if (std::optional<int64_t> group =
          parseGroupSuffix(name, "w4a16-g", "-asym")) {
    scheme.weights =
        makeScheme(Format::Int, 4, /*isSigned=*/false,
                   /*symmetric=*/false, false, Granularity::PerGroup, *group);
    return scheme;
  }
  if (name == "w4a8") {
    scheme.weights = int4Weights(0);
    scheme.activations = int8StaticActivations();
    return scheme;
  }
  if (std::optional<int64_t> group = parseGroupSuffix(name, "w4a8-g", "")) {
    scheme.weights = int4Weights(*group);
    scheme.activations = int8StaticActivations();
    return scheme;
  }
  if (name == "nf4") {
    scheme.weights = nf4Weights(64);
    return scheme;
  }
  if (std::optional<int64_t> group = parseGroupSuffix(name, "nf4-g", "")) {
    scheme.weights = nf4Weights(*group);
    return scheme;
  }
  if (name == "fp8") {
    scheme.weights = fp8Tensor();
    scheme.activations = fp8Tensor();
    return scheme;
  }
  if (name == "ternary") {
    scheme.weights = ternaryWeights();
    scheme.activations =
        makeScheme(Format::Int, 8, true, true, true, Granularity::PerTensor);
    return scheme;
  }
  return makeError("unknown preset '" + name +
                   "'; valid presets: " + llvm::join(getPresetNames(), ", "));
}

//===----------------------------------------------------------------------===//
// Rules and resolution
//===----------------------------------------------------------------------===//

bool RecipeRule::matches(llvm::StringRef layerName,
                         llvm::StringRef layerOpType) const {
  if (!name.empty() && name != layerName)
    return false;
  if (!opType.empty() && !layerOpType.equals_insensitive(opType))
    return false;
  if (!regex.empty()) {
    if (compiledRegex)
      return compiledRegex->match(layerName);
    return llvm::Regex(regex).match(layerName);
  }
  return true;
}

llvm::Expected<Recipe> Recipe::fromPreset(llvm::StringRef name) {
  auto scheme = lookupPreset(name);
  if (!scheme)
    return scheme.takeError();
  Recipe recipe;
  recipe.defaultScheme = std::move(*scheme);
  return recipe;
}

LayerScheme Recipe::resolve(llvm::StringRef layerName, llvm::StringRef opType,
                            int *matchedRule) const {
  for (size_t i = rules.size(); i-- > 0;) {
    if (rules[i].matches(layerName, opType)) {
      if (matchedRule)
        *matchedRule = static_cast<int>(i);
      return rules[i].scheme;
    }
  }
  if (matchedRule)
    *matchedRule = -1;
  return defaultScheme;
}

//===----------------------------------------------------------------------===//
// YAML to JSON
//===----------------------------------------------------------------------===//

namespace {
/// Converts a YAML document to a llvm::json::Value, typing plain scalars as
/// YAML 1.2's core schema does (null, booleans, integers, floats; anything
/// else, and every quoted scalar, is a string).
class YamlToJson {
public:
  YamlToJson(llvm::StringRef text, llvm::StringRef fileName)
      : buffer(text, fileName) {
    sourceMgr.setDiagHandler(
        [](const llvm::SMDiagnostic &diag, void *context) {
          std::string &out = *static_cast<std::string *>(context);
          llvm::raw_string_ostream os(out);
          diag.print(/*ProgName=*/nullptr, os, /*ShowColors=*/false,
                     /*ShowKindLabel=*/false);
        },
        &diagnostics);
  }

  llvm::Expected<llvm::json::Value> convert() {
    llvm::yaml::Stream stream(buffer, sourceMgr, /*ShowColors=*/false);
    auto document = stream.begin();
    if (document == stream.end())
      return llvm::json::Value(nullptr);
    llvm::yaml::Node *root = document->getRoot();
    std::optional<llvm::json::Value> value =
        root ? convertNode(stream, *root) : std::nullopt;
    if (value && !stream.failed()) {
      ++document;
      if (document != stream.end()) {
        stream.printError(document->getRoot(),
                          "a recipe is a single YAML document");
        value.reset();
      }
    }
    if (!value || stream.failed())
      return makeError(llvm::StringRef(diagnostics).rtrim());
    return std::move(*value);
  }

private:
  std::optional<llvm::json::Value> fail(llvm::yaml::Stream &stream,
                                        llvm::yaml::Node &node,
                                        const llvm::Twine &message) {
    stream.printError(&node, message);
    return std::nullopt;
  }

  static llvm::json::Value convertPlainScalar(llvm::StringRef text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" ||
        text == "NULL")
      return nullptr;
    if (text == "true" || text == "True" || text == "TRUE")
      return true;
    if (text == "false" || text == "False" || text == "FALSE")
      return false;
    char first = text.front();
    if (llvm::isDigit(first) || first == '-' || first == '+' || first == '.') {
      int64_t integer;
      if (!text.getAsInteger(10, integer))
        return integer;
      double number;
      if (!text.getAsDouble(number) && std::isfinite(number))
        return number;
    }
    return text.str();
  }

  std::optional<llvm::json::Value> convertNode(llvm::yaml::Stream &stream,
                                               llvm::yaml::Node &node) {
    switch (node.getType()) {
    case llvm::yaml::Node::NK_Null:
      return llvm::json::Value(nullptr);
    case llvm::yaml::Node::NK_Scalar: {
      auto &scalar = llvm::cast<llvm::yaml::ScalarNode>(node);
      llvm::SmallString<64> storage;
      llvm::StringRef text = scalar.getValue(storage);
      llvm::StringRef raw = scalar.getRawValue();
      if (raw.starts_with("\"") || raw.starts_with("'"))
        return llvm::json::Value(text.str());
      return convertPlainScalar(text);
    }
    case llvm::yaml::Node::NK_BlockScalar:
      return llvm::json::Value(
          llvm::cast<llvm::yaml::BlockScalarNode>(node).getValue().str());
    case llvm::yaml::Node::NK_Mapping: {
      llvm::json::Object object;
      for (llvm::yaml::KeyValueNode &entry :
           llvm::cast<llvm::yaml::MappingNode>(node)) {
        llvm::yaml::Node *keyNode = entry.getKey();
        if (!keyNode)
          return std::nullopt;
        auto *keyScalar = llvm::dyn_cast<llvm::yaml::ScalarNode>(keyNode);
        if (!keyScalar)
          return fail(stream, *keyNode, "mapping keys must be scalars");
        llvm::SmallString<64> storage;
        std::string key = keyScalar->getValue(storage).str();
        llvm::yaml::Node *valueNode = entry.getValue();
        if (!valueNode)
          return std::nullopt;
        std::optional<llvm::json::Value> value =
            convertNode(stream, *valueNode);
        if (!value)
          return std::nullopt;
        if (!object.try_emplace(key, std::move(*value)).second)
          return fail(stream, *keyNode, "duplicate key '" + key + "'");
      }
      return llvm::json::Value(std::move(object));
    }
    case llvm::yaml::Node::NK_Sequence: {
      llvm::json::Array array;
      for (llvm::yaml::Node &child :
           llvm::cast<llvm::yaml::SequenceNode>(node)) {
        std::optional<llvm::json::Value> value = convertNode(stream, child);
        if (!value)
          return std::nullopt;
        array.push_back(std::move(*value));
      }
      return llvm::json::Value(std::move(array));
    }
    case llvm::yaml::Node::NK_KeyValue:
    case llvm::yaml::Node::NK_Alias:
      break;
    }
    return fail(stream, node, "YAML aliases are not supported in recipes");
  }

  llvm::MemoryBufferRef buffer;
  llvm::SourceMgr sourceMgr;
  std::string diagnostics;
};
} // namespace

//===----------------------------------------------------------------------===//
// Recipe parsing
//===----------------------------------------------------------------------===//

namespace {
/// Validates a recipe's JSON form. Every error names the file and a path
/// such as `rules[2].weights.bits`.
class RecipeParser {
public:
  explicit RecipeParser(llvm::StringRef fileName) : fileName(fileName) {}

  llvm::Expected<Recipe> parse(const llvm::json::Value &root) {
    const llvm::json::Object *object = root.getAsObject();
    if (!object)
      return fail("", "a recipe must be a mapping with 'default' and "
                      "optional 'version', 'observer' and 'rules'");
    if (llvm::Error error =
            checkKeys(*object, {"version", "default", "observer", "rules"}, ""))
      return std::move(error);

    Recipe recipe;
    if (const llvm::json::Value *version = object->get("version")) {
      std::optional<int64_t> number = version->getAsInteger();
      if (!number)
        return fail("version", "expected an integer");
      if (*number != Recipe::kVersion)
        return fail("version",
                    llvm::formatv("recipe version {0} is not supported; this "
                                  "build reads version {1}",
                                  *number, Recipe::kVersion)
                        .str());
    }

    const llvm::json::Value *defaultValue = object->get("default");
    if (!defaultValue)
      return fail("", "missing 'default' (a preset name such as w8a8, or a "
                      "scheme mapping)");
    if (std::optional<llvm::StringRef> preset = defaultValue->getAsString()) {
      auto scheme = lookupPreset(*preset);
      if (!scheme)
        return fail("default", toString(scheme.takeError()));
      recipe.defaultScheme = std::move(*scheme);
    } else if (const llvm::json::Object *spec = defaultValue->getAsObject()) {
      if (llvm::Error error = checkKeys(
              *spec, {"scheme", "weights", "activations", "keep_float"},
              "default"))
        return std::move(error);
      if (!spec->get("scheme"))
        return fail("default", "a default mapping needs a 'scheme' preset");
      auto scheme = parseSchemeSpec(*spec, "default", nullptr);
      if (!scheme)
        return scheme.takeError();
      recipe.defaultScheme = std::move(*scheme);
    } else {
      return fail("default", "expected a preset name or a mapping");
    }

    if (const llvm::json::Value *observer = object->get("observer")) {
      auto config = parseObserver(*observer);
      if (!config)
        return config.takeError();
      recipe.observer = *config;
    }

    if (const llvm::json::Value *rules = object->get("rules")) {
      if (rules->getAsNull())
        return recipe;
      const llvm::json::Array *array = rules->getAsArray();
      if (!array)
        return fail("rules", "expected a list of rules");
      for (auto [index, ruleValue] : llvm::enumerate(*array)) {
        auto rule = parseRule(ruleValue, index, recipe.defaultScheme);
        if (!rule)
          return rule.takeError();
        recipe.rules.push_back(std::move(*rule));
      }
    }
    return recipe;
  }

private:
  llvm::Error fail(const llvm::Twine &where, const llvm::Twine &message) {
    std::string place = where.str();
    if (place.empty())
      return makeError(fileName + ": " + message);
    return makeError(fileName + ": " + place + ": " + message);
  }

  llvm::Error checkKeys(const llvm::json::Object &object,
                        llvm::ArrayRef<llvm::StringRef> known,
                        const llvm::Twine &where) {
    // Report unknown keys in sorted order so the message is deterministic.
    std::vector<std::string> keys;
    for (const auto &entry : object)
      keys.push_back(entry.first.str());
    llvm::sort(keys);
    for (const std::string &key : keys)
      if (!llvm::is_contained(known, key))
        return fail(where, "unknown key '" + key + "' (expected one of: " +
                               llvm::join(known, ", ") + ")");
    return llvm::Error::success();
  }

  static std::string join(const llvm::Twine &where, llvm::StringRef key) {
    std::string place = where.str();
    return place.empty() ? key.str() : place + "." + key.str();
  }

  /// A string value, or an error naming `where`.
  llvm::Expected<std::string> getString(const llvm::json::Value &value,
                                        const llvm::Twine &where) {
    if (std::optional<llvm::StringRef> text = value.getAsString())
      return text->str();
    return fail(where, "expected a string");
  }

  llvm::Expected<bool> getBool(const llvm::json::Value &value,
                               const llvm::Twine &where) {
    if (std::optional<bool> flag = value.getAsBoolean())
      return *flag;
    return fail(where, "expected true or false");
  }

  llvm::Expected<ObserverConfig> parseObserver(const llvm::json::Value &value) {
    const llvm::json::Object *object = value.getAsObject();
    if (!object)
      return fail("observer", "expected a mapping such as {activations: "
                              "percentile, percentile: 99.99}");
    if (llvm::Error error =
            checkKeys(*object, {"activations", "percentile"}, "observer"))
      return std::move(error);
    ObserverConfig config;
    if (const llvm::json::Value *method = object->get("activations")) {
      auto name = getString(*method, "observer.activations");
      if (!name)
        return name.takeError();
      std::optional<RangeMethod> parsed = parseRangeMethod(*name);
      if (!parsed)
        return fail("observer.activations",
                    "unknown observer '" + *name +
                        "' (expected minmax, percentile, mse or entropy)");
      config.activations = *parsed;
    }
    if (const llvm::json::Value *percentile = object->get("percentile")) {
      std::optional<double> number = percentile->getAsNumber();
      if (!number || !(*number > 0.0 && *number <= 100.0))
        return fail("observer.percentile",
                    "expected a number in (0, 100], such as 99.99");
      if (config.activations != RangeMethod::Percentile)
        return fail("observer.percentile",
                    "only the percentile observer takes a percentile");
      config.percentile = *number;
    }
    return config;
  }

  /// Applies `weights: {...}` or `activations: {...}` to `scheme`.
  llvm::Error applyOverrides(TensorScheme &scheme,
                             const llvm::json::Object &object,
                             const std::string &where, bool isActivation) {
    if (llvm::Error error =
            checkKeys(object,
                      {"format", "bits", "signed", "symmetric", "narrow",
                       "granularity", "group_size", "dynamic"},
                      where))
      return error;

    // A new format starts from that format's preset defaults.
    if (const llvm::json::Value *value = object.get("format")) {
      auto name = getString(*value, join(where, "format"));
      if (!name)
        return name.takeError();
      std::optional<Format> format = parseFormat(*name);
      if (!format)
        return fail(join(where, "format"),
                    "unknown format '" + *name +
                        "' (expected int, nf4, fp8_e4m3 or ternary)");
      if (*format != scheme.format) {
        switch (*format) {
        case Format::Int:
          scheme =
              isActivation ? int8StaticActivations() : int8ChannelWeights();
          break;
        case Format::NF4:
          scheme = nf4Weights(64);
          break;
        case Format::FP8E4M3:
          scheme = fp8Tensor();
          break;
        case Format::Ternary:
          scheme = ternaryWeights();
          break;
        }
      }
    }
    if (const llvm::json::Value *value = object.get("bits")) {
      std::optional<int64_t> bits = value->getAsInteger();
      if (!bits || *bits < 1 || *bits > 64)
        return fail(join(where, "bits"), "expected a bit width such as 8");
      scheme.bits = static_cast<unsigned>(*bits);
    }
    struct Flag {
      llvm::StringRef key;
      bool *field;
    } flags[] = {{"signed", &scheme.isSigned},
                 {"symmetric", &scheme.symmetric},
                 {"narrow", &scheme.narrow},
                 {"dynamic", &scheme.dynamic}};
    for (const Flag &flag : flags) {
      if (const llvm::json::Value *value = object.get(flag.key)) {
        auto parsed = getBool(*value, join(where, flag.key));
        if (!parsed)
          return parsed.takeError();
        *flag.field = *parsed;
      }
    }
    const llvm::json::Value *granularityValue = object.get("granularity");
    const llvm::json::Value *groupValue = object.get("group_size");
    if (granularityValue) {
      auto name = getString(*granularityValue, join(where, "granularity"));
      if (!name)
        return name.takeError();
      std::optional<Granularity> granularity = parseGranularity(*name);
      if (!granularity)
        return fail(join(where, "granularity"),
                    "unknown granularity '" + *name +
                        "' (expected per_tensor, per_channel, per_group or "
                        "per_token)");
      scheme.granularity = *granularity;
      if (*granularity != Granularity::PerGroup && !groupValue)
        scheme.groupSize = 0;
    }
    if (groupValue) {
      std::optional<int64_t> groupSize = groupValue->getAsInteger();
      if (!groupSize || *groupSize <= 0)
        return fail(join(where, "group_size"),
                    "expected a positive integer such as 128");
      scheme.groupSize = *groupSize;
      if (!granularityValue)
        scheme.granularity = Granularity::PerGroup;
    }
    if (llvm::Error error = scheme.verify(isActivation))
      return fail(where, toString(std::move(error)));
    return llvm::Error::success();
  }

  static void markCustom(LayerScheme &scheme) {
    if (!llvm::StringRef(scheme.name).ends_with("+custom"))
      scheme.name += "+custom";
  }

  /// The scheme part of a rule or of a default mapping: `scheme`,
  /// `weights`, `activations`, `keep_float`. `base` is the recipe default
  /// (null while parsing the default itself).
  llvm::Expected<LayerScheme> parseSchemeSpec(const llvm::json::Object &object,
                                              const std::string &where,
                                              const LayerScheme *base) {
    LayerScheme scheme;
    if (const llvm::json::Value *presetValue = object.get("scheme")) {
      auto name = getString(*presetValue, join(where, "scheme"));
      if (!name)
        return name.takeError();
      auto preset = lookupPreset(*name);
      if (!preset)
        return fail(join(where, "scheme"), toString(preset.takeError()));
      scheme = std::move(*preset);
    } else {
      assert(base && "the default names its scheme");
      scheme = *base;
    }

    const llvm::json::Value *weights = object.get("weights");
    const llvm::json::Value *activations = object.get("activations");
    if (weights || activations) {
      // Overriding a float scheme means quantizing after all.
      scheme.keepFloat = false;
      markCustom(scheme);
    }
    if (weights) {
      const llvm::json::Object *spec = weights->getAsObject();
      if (!spec)
        return fail(join(where, "weights"), "expected a mapping of scheme "
                                            "fields such as {bits: 4}");
      if (llvm::Error error = applyOverrides(scheme.weights, *spec,
                                             join(where, "weights"), false))
        return std::move(error);
    }
    if (activations) {
      std::optional<llvm::StringRef> text = activations->getAsString();
      if (activations->getAsNull() || (text && *text == "none")) {
        scheme.activations.reset();
      } else if (const llvm::json::Object *spec = activations->getAsObject()) {
        TensorScheme activationScheme =
            scheme.activations ? *scheme.activations : int8StaticActivations();
        if (llvm::Error error = applyOverrides(
                activationScheme, *spec, join(where, "activations"), true))
          return std::move(error);
        scheme.activations = activationScheme;
      } else {
        return fail(join(where, "activations"),
                    "expected a mapping of scheme fields or 'none'");
      }
    }
    if (const llvm::json::Value *keepValue = object.get("keep_float")) {
      auto keep = getBool(*keepValue, join(where, "keep_float"));
      if (!keep)
        return keep.takeError();
      if (*keep && (weights || activations))
        return fail(join(where, "keep_float"),
                    "keep_float: true contradicts the weights/activations "
                    "overrides of the same rule");
      if (*keep) {
        scheme.keepFloat = true;
        scheme.name = "float";
      } else if (scheme.keepFloat) {
        scheme.keepFloat = false;
        markCustom(scheme);
      }
    }
    return scheme;
  }

  llvm::Expected<RecipeRule> parseRule(const llvm::json::Value &value,
                                       size_t index,
                                       const LayerScheme &defaultScheme) {
    std::string where = llvm::formatv("rules[{0}]", index).str();
    const llvm::json::Object *object = value.getAsObject();
    if (!object)
      return fail(where, "expected a mapping with 'match' and a scheme");
    if (llvm::Error error = checkKeys(
            *object,
            {"match", "scheme", "weights", "activations", "keep_float"}, where))
      return std::move(error);

    RecipeRule rule;
    const llvm::json::Value *match = object->get("match");
    const llvm::json::Object *matchObject =
        match ? match->getAsObject() : nullptr;
    if (!matchObject)
      return fail(where, "needs a 'match' mapping with name, regex or "
                         "op_type");
    std::string matchWhere = join(where, "match");
    if (llvm::Error error =
            checkKeys(*matchObject, {"name", "regex", "op_type"}, matchWhere))
      return std::move(error);
    struct Criterion {
      llvm::StringRef key;
      std::string *field;
    } criteria[] = {{"name", &rule.name},
                    {"regex", &rule.regex},
                    {"op_type", &rule.opType}};
    for (const Criterion &criterion : criteria) {
      const llvm::json::Value *criterionValue = matchObject->get(criterion.key);
      if (!criterionValue)
        continue;
      auto text = getString(*criterionValue, join(matchWhere, criterion.key));
      if (!text)
        return text.takeError();
      if (text->empty())
        return fail(join(matchWhere, criterion.key), "must not be empty");
      *criterion.field = *text;
    }
    if (rule.name.empty() && rule.regex.empty() && rule.opType.empty())
      return fail(matchWhere, "needs name, regex or op_type");
    if (!rule.regex.empty()) {
      auto compiled = std::make_shared<llvm::Regex>(rule.regex);
      std::string message;
      if (!compiled->isValid(message))
        return fail(join(matchWhere, "regex"),
                    "invalid regex '" + rule.regex + "': " + message);
      rule.compiledRegex = std::move(compiled);
    }

    if (!object->get("scheme") && !object->get("weights") &&
        !object->get("activations") && !object->get("keep_float"))
      return fail(where, "sets no scheme (give scheme, weights, activations "
                         "or keep_float)");
    auto scheme = parseSchemeSpec(*object, where, &defaultScheme);
    if (!scheme)
      return scheme.takeError();
    rule.scheme = std::move(*scheme);
    return rule;
  }

  std::string fileName;
};
} // namespace

/// JSON when the name or, failing that, the first character says so.
static bool looksLikeJSON(llvm::StringRef text, llvm::StringRef fileName) {
  llvm::StringRef extension = llvm::sys::path::extension(fileName);
  if (extension.equals_insensitive(".json"))
    return true;
  if (extension.equals_insensitive(".yaml") ||
      extension.equals_insensitive(".yml"))
    return false;
  return text.ltrim().starts_with("{");
}

llvm::Expected<Recipe>
quantization::parseRecipe(llvm::StringRef text,
                          llvm::StringRef fileNameForErrors) {
  std::optional<llvm::json::Value> root;
  if (looksLikeJSON(text, fileNameForErrors)) {
    llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
    if (!parsed)
      return makeError(fileNameForErrors +
                       ": invalid JSON: " + toString(parsed.takeError()));
    root = std::move(*parsed);
  } else {
    YamlToJson converter(text, fileNameForErrors);
    llvm::Expected<llvm::json::Value> parsed = converter.convert();
    if (!parsed)
      return makeError("invalid YAML recipe: " + toString(parsed.takeError()));
    root = std::move(*parsed);
  }
  return RecipeParser(fileNameForErrors).parse(*root);
}

llvm::Expected<Recipe> quantization::readRecipeFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read recipe '" + path +
                     "': " + buffer.getError().message());
  return parseRecipe((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// JSON for the manifest
//===----------------------------------------------------------------------===//

llvm::json::Value quantization::toJSON(const TensorScheme &scheme) {
  llvm::json::Object object{
      {"format", getFormatName(scheme.format)},
      {"bits", static_cast<int64_t>(scheme.bits)},
      {"signed", scheme.isSigned},
      {"symmetric", scheme.symmetric},
      {"narrow", scheme.narrow},
      {"granularity", getGranularityName(scheme.granularity)},
      {"dynamic", scheme.dynamic},
  };
  if (scheme.granularity == Granularity::PerGroup)
    object["group_size"] = scheme.groupSize;
  return object;
}

llvm::json::Value quantization::toJSON(const LayerScheme &scheme) {
  llvm::json::Object object{{"name", scheme.name},
                            {"keep_float", scheme.keepFloat}};
  if (!scheme.keepFloat) {
    object["weights"] = toJSON(scheme.weights);
    object["activations"] = scheme.activations ? toJSON(*scheme.activations)
                                               : llvm::json::Value(nullptr);
  }
  return object;
}

llvm::json::Value quantization::toJSON(const Recipe &recipe) {
  llvm::json::Object observer{
      {"activations", getRangeMethodName(recipe.observer.activations)}};
  if (recipe.observer.activations == RangeMethod::Percentile)
    observer["percentile"] = recipe.observer.percentile;
  llvm::json::Array rules;
  for (const RecipeRule &rule : recipe.rules) {
    llvm::json::Object match;
    if (!rule.name.empty())
      match["name"] = rule.name;
    if (!rule.regex.empty())
      match["regex"] = rule.regex;
    if (!rule.opType.empty())
      match["op_type"] = rule.opType;
    rules.push_back(llvm::json::Object{{"match", std::move(match)},
                                       {"scheme", toJSON(rule.scheme)}});
  }
  return llvm::json::Object{{"version", static_cast<int64_t>(recipe.version)},
                            {"default", toJSON(recipe.defaultScheme)},
                            {"observer", std::move(observer)},
                            {"rules", std::move(rules)}};
}
