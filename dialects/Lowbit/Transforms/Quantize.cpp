//===- Quantize.cpp - insert activation quantization, fold Q/DQ -----------===//
//
// lowbit-quantize: with a scheme or recipe, first inserts
// `dequantize(quantize(x))` on the activations of statically quantized
// layers (parameters from calibration statistics and an observer), and on
// their outputs where those only feed such layers; then folds every Q/DQ
// pair it can into quantized kernels (QuantizeFolding.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/Lowbit/Transforms/LayerSchemes.h"
#include "dialects/Lowbit/Transforms/Passes.h"
#include "dialects/Lowbit/Transforms/QuantizeFolding.h"
#include "dialects/Lowbit/Transforms/QuantizedConstants.h"
#include "lowbit/Quantization/Numerics.h"
#include "lowbit/Quantization/Observers.h"
#include "lowbit/Quantization/Recipe.h"
#include "lowbit/Quantization/Stats.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITQUANTIZEPASS
#include "dialects/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;
namespace q = lowbit::quantization;

namespace {

/// Parses `minmax`, `percentile`, `percentile:<P>`, `mse`, `entropy`.
std::optional<q::ObserverConfig> parseObserverOption(StringRef text) {
  auto [name, percentile] = text.split(':');
  std::optional<q::RangeMethod> method = q::parseRangeMethod(name);
  if (!method)
    return std::nullopt;
  q::ObserverConfig config;
  config.activations = *method;
  if (!percentile.empty()) {
    if (*method != q::RangeMethod::Percentile ||
        percentile.getAsDouble(config.percentile) ||
        !(config.percentile > 0.0 && config.percentile <= 100.0))
      return std::nullopt;
  }
  return config;
}

/// What was inserted on a layer's activation.
struct InsertedInput {
  Operation *layer;
  /// The quantized element type (per tensor).
  Type type;
  bool integer;
};

class ActivationQuantizer {
public:
  ActivationQuantizer(ModuleOp module, const q::Recipe &recipe,
                      q::ObserverConfig observer, StringRef statsPath)
      : module(module), recipe(recipe), observer(observer),
        statsPath(statsPath) {}

  LogicalResult run();

private:
  LogicalResult quantizeInput(const QuantizableLayer &layer,
                              const q::TensorScheme &scheme);
  void quantizeOutput(Operation *layer);
  FailureOr<const q::TensorStatistics *>
  getInputStatistics(const QuantizableLayer &layer, StringRef schemeName);

  ModuleOp module;
  const q::Recipe &recipe;
  q::ObserverConfig observer;
  StringRef statsPath;
  std::optional<q::StatsFile> stats;
  /// The quantize ops inserted on static layers' inputs.
  llvm::DenseMap<Operation *, InsertedInput> inputs;
};

FailureOr<const q::TensorStatistics *>
ActivationQuantizer::getInputStatistics(const QuantizableLayer &layer,
                                        StringRef schemeName) {
  if (!stats) {
    if (statsPath.empty()) {
      layer.op->emitError()
          << "layer '" << layer.name << "' (scheme " << schemeName
          << ") quantizes activations statically and needs calibration "
             "statistics: pass stats=<file>";
      return failure();
    }
    llvm::Expected<q::StatsFile> file = q::readStatsFile(statsPath);
    if (!file) {
      layer.op->emitError() << llvm::toString(file.takeError());
      return failure();
    }
    stats = std::move(*file);
  }
  std::string key = inputStatsKey(layer.name);
  auto it = stats->tensors.find(key);
  if (it == stats->tensors.end()) {
    layer.op->emitError() << "no statistics for '" << key << "' (layer '"
                          << layer.name << "') in stats file '" << statsPath
                          << "'";
    return failure();
  }
  return &it->second;
}

LogicalResult
ActivationQuantizer::quantizeInput(const QuantizableLayer &layer,
                                   const q::TensorScheme &scheme) {
  Operation *op = layer.op;
  auto inputType = cast<RankedTensorType>(layer.activation.getType());
  if (!inputType.getElementType().isF32()) {
    op->emitWarning() << "layer '" << layer.name << "': activations are "
                      << inputType.getElementType()
                      << ", not f32; left in float";
    return success();
  }
  StringRef schemeName;
  if (auto stamp = op->getAttrOfType<StringAttr>(kSchemeAttrName))
    schemeName = stamp.getValue();
  FailureOr<const q::TensorStatistics *> statistics =
      getInputStatistics(layer, schemeName);
  if (failed(statistics))
    return failure();
  auto emitError = [&] {
    return op->emitError() << "layer '" << layer.name << "': ";
  };

  bool isFP8 = scheme.format == q::TensorScheme::Format::FP8E4M3;
  q::IntegerFormat format = isFP8 ? q::IntegerFormat{8, true, true, false}
                                  : scheme.getIntegerFormat();
  llvm::Expected<std::pair<float, float>> range =
      q::chooseRange(**statistics, observer, format);
  if (!range) {
    emitError() << llvm::toString(range.takeError()) << " (stats file '"
                << statsPath << "')";
    return failure();
  }
  Type f32 = inputType.getElementType();
  quant::UniformQuantizedType type;
  CodebookAttr codebook;
  if (isFP8) {
    float absMax = std::max(std::fabs(range->first), std::fabs(range->second));
    type = getPerTensorQuantType(emitError, {8, false, {0, 255}}, f32,
                                 q::chooseFP8Scale(absMax), 0);
    codebook = CodebookAttr::get(op->getContext(), Codebook::fp8_e4m3fn);
  } else {
    q::AffineParams params =
        q::chooseAffineParams(range->first, range->second, format);
    type = getPerTensorQuantType(
        emitError, {format.bits, format.isSigned, format.getRange()}, f32,
        params.scale, params.zeroPoint);
  }
  if (!type)
    return failure();

  OpBuilder b(op);
  Location loc = op->getLoc();
  auto quantize = QuantizeOp::create(b, loc, inputType.clone(type),
                                     layer.activation, codebook);
  Value dequantized =
      DequantizeOp::create(b, loc, inputType, quantize, codebook);
  op->setOperand(0, dequantized);
  inputs[quantize] = {op, type, !isFP8};
  return success();
}

/// True for the ops that may follow a layer and still fold into its
/// epilogue: relu, clip, and an add of a constant.
bool isEpilogueOp(Operation *op) {
  if (isa<ReluOp, ClipOp>(op))
    return true;
  auto add = dyn_cast<AddOp>(op);
  return add && (matchPattern(add.getLhs(), m_Constant()) ||
                 matchPattern(add.getRhs(), m_Constant()));
}

void ActivationQuantizer::quantizeOutput(Operation *layer) {
  Value end = layer->getResult(0);
  while (end.hasOneUse() && isEpilogueOp(*end.getUsers().begin()))
    end = (*end.getUsers().begin())->getResult(0);

  // Every path must end at a static integer layer's input quantize, all
  // with one type; data movement in between commutes with quantization.
  Type common;
  SmallVector<Value> worklist{end};
  llvm::SmallPtrSet<Operation *, 8> visited;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      auto it = inputs.find(user);
      if (it != inputs.end()) {
        if (!it->second.integer || (common && common != it->second.type))
          return;
        common = it->second.type;
        continue;
      }
      if (!isa<ReshapeOp, TransposeOp, SliceOp, ConcatOp, MaxPoolOp>(user))
        return;
      if (visited.insert(user).second)
        worklist.push_back(user->getResult(0));
    }
  }
  if (!common)
    return;

  auto type = cast<RankedTensorType>(end.getType());
  OpBuilder b(layer->getContext());
  b.setInsertionPointAfterValue(end);
  Location loc = layer->getLoc();
  auto quantize =
      QuantizeOp::create(b, loc, type.clone(common), end, CodebookAttr());
  Value dequantized =
      DequantizeOp::create(b, loc, type, quantize, CodebookAttr());
  end.replaceAllUsesExcept(dequantized, quantize);
}

LogicalResult ActivationQuantizer::run() {
  Builder b(module.getContext());
  bool ok = true;
  for (auto func : module.getOps<func::FuncOp>()) {
    inputs.clear();
    SmallVector<Operation *> staticLayers;
    for (const QuantizableLayer &layer : getLayersForQuantization(func)) {
      Operation *op = layer.op;
      q::LayerScheme scheme = recipe.resolve(layer.name, layer.opType);
      op->setAttr(kLayerAttrName, b.getStringAttr(layer.name));
      // Keep lowbit-quantize-weights' stamp (it may record a fallback).
      if (scheme.keepFloat || !op->hasAttr(kSchemeAttrName))
        op->setAttr(kSchemeAttrName,
                    b.getStringAttr(scheme.keepFloat ? "float" : scheme.name));
      if (scheme.keepFloat || !scheme.activations)
        continue;
      if (!matchPattern(layer.weight, m_Op<DequantizeOp>())) {
        op->emitWarning() << "layer '" << layer.name
                          << "': weights are not quantized (run "
                             "lowbit-quantize-weights first); activations "
                             "left in float";
        continue;
      }
      if (scheme.activations->dynamic) {
        // Run-time activation scales exist for matmul rows (tokens) only; a
        // conv keeps float activations and dequantizes its int8 weights in
        // the loop.
        if (isa<ConvOp>(op)) {
          op->emitWarning() << "layer '" << layer.name
                            << "': dynamic activations are supported for "
                               "matmul and gemm only; the conv runs "
                               "weight-only";
          continue;
        }
        op->setAttr(kDynamicActivationsAttrName, b.getUnitAttr());
        continue;
      }
      if (failed(quantizeInput(layer, *scheme.activations))) {
        ok = false;
        continue;
      }
      staticLayers.push_back(op);
    }
    for (Operation *op : staticLayers)
      quantizeOutput(op);
  }
  return success(ok);
}

struct LowbitQuantizePass final
    : lowbit::impl::LowbitQuantizePassBase<LowbitQuantizePass> {
  using LowbitQuantizePassBase::LowbitQuantizePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<q::ObserverConfig> observerOverride;
    if (!observer.empty()) {
      observerOverride = parseObserverOption(observer);
      if (!observerOverride) {
        emitError(module.getLoc())
            << "unknown observer '" << observer
            << "' (expected minmax, percentile[:P], mse or "
               "entropy)";
        return signalPassFailure();
      }
    }
    FailureOr<std::optional<q::Recipe>> loaded =
        loadRecipe(module, scheme, recipe);
    if (failed(loaded))
      return signalPassFailure();
    if (*loaded) {
      // One source of truth for the manifest: the recipe's observer (a
      // preset's is ObserverConfig's default), unless overridden.
      q::ObserverConfig config = (*loaded)->observer;
      if (observerOverride)
        config = *observerOverride;
      ActivationQuantizer quantizer(module, **loaded, config, stats);
      if (failed(quantizer.run()))
        return signalPassFailure();
    }

    RewritePatternSet patterns(&getContext());
    populateQuantizeFoldingPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
