//===- QuantizeWeights.cpp - round layer weights to their schemes ---------===//
//
// lowbit-quantize-weights: round-to-nearest weight quantization of every
// quantizable layer, per the scheme its recipe resolves. The weight operand
// becomes `dequantize(quant.scast(storage constant))`, so the float function
// is kept up to weight rounding and lowbit-quantize can fold the dequantize
// into a quantized kernel. The numerics are lowbit::quantization's.
//
//===----------------------------------------------------------------------===//

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/Transforms/LayerSchemes.h"
#include "dialects/Lowbit/Transforms/Passes.h"
#include "dialects/Lowbit/Transforms/QuantizedConstants.h"
#include "lowbit/Quantization/Numerics.h"
#include "lowbit/Quantization/Recipe.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <map>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITQUANTIZEWEIGHTSPASS
#include "dialects/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;
namespace q = lowbit::quantization;

namespace {

/// The weight dimensions holding output channels and the reduction.
struct WeightAxes {
  int64_t channel;
  int64_t reduction;
};

/// Where a layer's weight keeps its channels: conv [O, I/g, k...] (0, 1),
/// matmul [..., K, N] (N, K), gemm B [K, N] or, with transB, [N, K].
std::optional<WeightAxes> getWeightAxes(const QuantizableLayer &layer,
                                        RankedTensorType weightType) {
  if (isa<ConvOp>(layer.op))
    return WeightAxes{0, 1};
  if (auto gemm = dyn_cast<GemmOp>(layer.op))
    return gemm.getTransB() ? WeightAxes{0, 1} : WeightAxes{1, 0};
  int64_t rank = weightType.getRank();
  if (rank < 2)
    return std::nullopt;
  return WeightAxes{rank - 1, rank - 2};
}

/// A weight rounded to its scheme: codes in the storage range, the tensor
/// type that describes them, and the codebook they index, if any.
struct RoundedWeight {
  RankedTensorType type;
  SmallVector<int64_t> codes;
  std::optional<Codebook> codebook;
  /// Groups fell back to per channel.
  bool perChannelFallback = false;
};

class WeightRounder {
public:
  WeightRounder(const QuantizableLayer &layer, const q::TensorScheme &scheme,
                RankedTensorType weightType, WeightAxes axes,
                bool perChannelFallback)
      : layer(layer), scheme(scheme), weightType(weightType), axes(axes),
        perChannelFallback(perChannelFallback) {}

  FailureOr<RoundedWeight> round(ArrayRef<float> data);

private:
  InFlightDiagnostic emitLayerError() {
    return layer.op->emitError() << "layer '" << layer.name << "': ";
  }
  /// The group size to use, 0 for per channel after a fallback; failure
  /// (reported) when it does not divide the reduction dimension.
  FailureOr<int64_t> checkGroupSize();
  FailureOr<RoundedWeight> finish(const q::QuantizedWeights &weights,
                                  const StorageSpec &storage,
                                  std::optional<Codebook> codebook);
  FailureOr<RoundedWeight> roundInt(ArrayRef<float> data);
  FailureOr<RoundedWeight> roundNF4(ArrayRef<float> data);
  /// fp8 and ternary: one scale per tensor or per output channel.
  FailureOr<RoundedWeight> roundPerChannelScaled(ArrayRef<float> data);

  const QuantizableLayer &layer;
  const q::TensorScheme &scheme;
  RankedTensorType weightType;
  WeightAxes axes;
  bool perChannelFallback;
  bool fellBack = false;
};

FailureOr<int64_t> WeightRounder::checkGroupSize() {
  int64_t groupSize = scheme.groupSize;
  int64_t extent = weightType.getDimSize(axes.reduction);
  if (extent % groupSize == 0)
    return groupSize;
  if (!perChannelFallback) {
    emitLayerError() << "group size " << groupSize
                     << " does not divide the reduction dimension (" << extent
                     << "); choose a group size that divides it, or pass "
                        "group-fallback=per-channel";
    return failure();
  }
  layer.op->emitWarning() << "layer '" << layer.name << "': group size "
                          << groupSize
                          << " does not divide the reduction dimension ("
                          << extent << "); quantized per channel instead";
  fellBack = true;
  return 0;
}

FailureOr<RoundedWeight>
WeightRounder::finish(const q::QuantizedWeights &weights,
                      const StorageSpec &storage,
                      std::optional<Codebook> codebook) {
  quant::QuantizedType quantType = getWeightQuantType(
      [&] { return emitLayerError(); }, weights, weightType.getShape(), storage,
      weightType.getElementType());
  if (!quantType)
    return failure();
  RoundedWeight result{weightType.clone(quantType), {}, codebook, fellBack};
  result.codes.reserve(weights.codes.size());
  for (size_t i = 0, e = weights.codes.size(); i < e; ++i)
    result.codes.push_back(weights.getCode(i));
  return result;
}

FailureOr<RoundedWeight> WeightRounder::roundInt(ArrayRef<float> data) {
  q::WeightQuantOptions options;
  options.format = scheme.getIntegerFormat();
  switch (scheme.granularity) {
  case q::TensorScheme::Granularity::PerTensor:
    options.axis = -1;
    break;
  case q::TensorScheme::Granularity::PerChannel:
    options.axis = axes.channel;
    break;
  case q::TensorScheme::Granularity::PerGroup: {
    FailureOr<int64_t> groupSize = checkGroupSize();
    if (failed(groupSize))
      return failure();
    options.axis = axes.channel;
    options.groupSize = *groupSize;
    if (*groupSize > 0)
      options.groupAxis = axes.reduction;
    break;
  }
  case q::TensorScheme::Granularity::PerToken:
    emitLayerError() << "weights cannot be quantized per token";
    return failure();
  }
  llvm::Expected<q::QuantizedWeights> weights =
      q::quantizeWeights(data, weightType.getShape(), options);
  if (!weights) {
    emitLayerError() << llvm::toString(weights.takeError());
    return failure();
  }
  return finish(
      *weights,
      {options.format.bits, options.format.isSigned, options.format.getRange()},
      std::nullopt);
}

FailureOr<RoundedWeight> WeightRounder::roundNF4(ArrayRef<float> data) {
  FailureOr<int64_t> groupSize = checkGroupSize();
  if (failed(groupSize))
    return failure();
  // Per channel is one absmax group spanning the reduction dimension.
  int64_t size =
      *groupSize > 0 ? *groupSize : weightType.getDimSize(axes.reduction);
  llvm::Expected<q::QuantizedWeights> weights = q::quantizeNF4(
      data, weightType.getShape(), axes.channel, size, axes.reduction);
  if (!weights) {
    emitLayerError() << llvm::toString(weights.takeError());
    return failure();
  }
  return finish(*weights, {4, false, {0, 15}}, Codebook::nf4);
}

FailureOr<RoundedWeight>
WeightRounder::roundPerChannelScaled(ArrayRef<float> data) {
  bool isFP8 = scheme.format == q::TensorScheme::Format::FP8E4M3;
  bool perChannel =
      scheme.granularity == q::TensorScheme::Granularity::PerChannel;
  if (!perChannel &&
      scheme.granularity != q::TensorScheme::Granularity::PerTensor) {
    emitLayerError() << q::getFormatName(scheme.format)
                     << " weights are per tensor or per channel, not "
                     << q::getGranularityName(scheme.granularity);
    return failure();
  }
  ArrayRef<int64_t> shape = weightType.getShape();
  int64_t channels = perChannel ? shape[axes.channel] : 1;
  int64_t inner = 1;
  for (int64_t d = axes.channel + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  auto channelOf = [&](size_t i) -> int64_t {
    return perChannel ? (static_cast<int64_t>(i) / inner) % channels : 0;
  };

  std::vector<std::vector<float>> perChannelData(channels);
  for (size_t i = 0; i < data.size(); ++i)
    perChannelData[channelOf(i)].push_back(data[i]);

  q::QuantizedWeights weights;
  weights.axis = perChannel ? axes.channel : -1;
  weights.numChannels = channels;
  weights.isSigned = !isFP8;
  for (const std::vector<float> &values : perChannelData) {
    if (isFP8) {
      float absMax = 0.0f;
      for (float v : values)
        if (std::isfinite(v))
          absMax = std::max(absMax, std::fabs(v));
      weights.scales.push_back(q::chooseFP8Scale(absMax));
    } else {
      weights.scales.push_back(q::ternaryScale(values));
    }
    weights.zeroPoints.push_back(0);
  }
  weights.codes.resize(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    float scale = weights.scales[channelOf(i)];
    weights.codes[i] =
        isFP8 ? static_cast<int8_t>(q::floatToE4M3FN(data[i] / scale))
              : q::quantizeTernary(data[i], scale).front();
  }
  if (isFP8)
    return finish(weights, {8, false, {0, 255}}, Codebook::fp8_e4m3fn);
  return finish(weights, {8, true, {-1, 1}}, std::nullopt);
}

FailureOr<RoundedWeight> WeightRounder::round(ArrayRef<float> data) {
  switch (scheme.format) {
  case q::TensorScheme::Format::Int:
    return roundInt(data);
  case q::TensorScheme::Format::NF4:
    return roundNF4(data);
  case q::TensorScheme::Format::FP8E4M3:
  case q::TensorScheme::Format::Ternary:
    return roundPerChannelScaled(data);
  }
  llvm_unreachable("unknown weight format");
}

/// Identifies a rounding of one constant, so that layers sharing a weight
/// with the same scheme share its quantized form.
std::string getRoundingKey(const q::TensorScheme &scheme, WeightAxes axes) {
  return llvm::formatv("{0}/{1}/{2}/{3}/{4}/{5}/{6}/{7}/{8}",
                       q::getFormatName(scheme.format), scheme.bits,
                       scheme.isSigned, scheme.symmetric, scheme.narrow,
                       q::getGranularityName(scheme.granularity),
                       scheme.groupSize, axes.channel, axes.reduction)
      .str();
}

struct LowbitQuantizeWeightsPass final
    : lowbit::impl::LowbitQuantizeWeightsPassBase<LowbitQuantizeWeightsPass> {
  using LowbitQuantizeWeightsPassBase::LowbitQuantizeWeightsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (groupFallback != "error" && groupFallback != "per-channel") {
      emitError(module.getLoc()) << "group-fallback must be 'error' or "
                                    "'per-channel', not '"
                                 << groupFallback << "'";
      return signalPassFailure();
    }
    FailureOr<std::optional<q::Recipe>> loaded =
        loadRecipe(module, scheme, recipe);
    if (failed(loaded))
      return signalPassFailure();
    if (!*loaded)
      return;
    bool ok = true;
    rounded.clear();
    llvm::SetVector<Operation *> weightConstants;
    for (auto func : module.getOps<func::FuncOp>()) {
      for (const QuantizableLayer &layer : getLayersForQuantization(func)) {
        if (Operation *constant = layer.weight.getDefiningOp())
          weightConstants.insert(constant);
        ok &= succeeded(quantizeLayer(layer, **loaded));
      }
    }
    for (Operation *constant : weightConstants)
      if (constant->use_empty() && isa<ConstantOp>(constant))
        constant->erase();
    if (!ok)
      signalPassFailure();
  }

  LogicalResult quantizeLayer(const QuantizableLayer &layer,
                              const q::Recipe &layerRecipe) {
    Operation *op = layer.op;
    Builder b(op->getContext());
    q::LayerScheme layerScheme = layerRecipe.resolve(layer.name, layer.opType);
    op->setAttr(kLayerAttrName, b.getStringAttr(layer.name));
    op->setAttr(
        kSchemeAttrName,
        b.getStringAttr(layerScheme.keepFloat ? "float" : layerScheme.name));
    if (layerScheme.keepFloat)
      return success();

    ElementsAttr weightAttr;
    if (!matchPattern(layer.weight, m_Constant(&weightAttr)))
      return success(); // Already quantized (or not a weight layer).
    auto weightType = cast<RankedTensorType>(layer.weight.getType());
    std::optional<SmallVector<float>> data = getF32Values(weightAttr);
    std::optional<WeightAxes> axes = getWeightAxes(layer, weightType);
    if (!data || !axes) {
      op->emitWarning() << "layer '" << layer.name << "': "
                        << (data ? "a 1-D matmul weight has no output "
                                   "channels"
                                 : "weights are not readable f32 constants")
                        << "; left in float";
      op->setAttr(kSchemeAttrName, b.getStringAttr("float"));
      return success();
    }

    auto key = std::make_pair(layer.weight.getAsOpaquePointer(),
                              getRoundingKey(layerScheme.weights, *axes));
    auto &[dequantized, fellBack] = rounded[key];
    if (!dequantized) {
      WeightRounder rounder(layer, layerScheme.weights, weightType, *axes,
                            groupFallback == "per-channel");
      FailureOr<RoundedWeight> weight = rounder.round(*data);
      if (failed(weight))
        return failure();
      OpBuilder builder(op->getContext());
      Operation *constant = layer.weight.getDefiningOp();
      builder.setInsertionPointAfter(constant);
      Location loc = constant->getLoc();
      Value stored = createQuantizedConstant(
          builder, loc, weight->type, weight->codes, layer.name + "_weight_q");
      CodebookAttr codebook =
          weight->codebook
              ? CodebookAttr::get(op->getContext(), *weight->codebook)
              : CodebookAttr();
      dequantized =
          DequantizeOp::create(builder, loc, weightType, stored, codebook);
      fellBack = weight->perChannelFallback;
    }
    if (fellBack)
      op->setAttr(kSchemeAttrName,
                  b.getStringAttr(layerScheme.name + "+per_channel"));
    op->setOperand(1, dequantized);
    return success();
  }

  /// Quantized forms of constants already rounded, by (constant, rounding),
  /// and whether its groups fell back to per channel.
  std::map<std::pair<void *, std::string>, std::pair<Value, bool>> rounded;
};

} // namespace
