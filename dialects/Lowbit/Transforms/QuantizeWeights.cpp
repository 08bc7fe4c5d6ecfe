//===- QuantizeWeights.cpp - round layer weights to their schemes ---------===//
//
// lowbit-quantize-weights: round-to-nearest weight quantization of every
// quantizable layer, per the scheme its recipe resolves. The weight operand
// becomes `dequantize(quant.scast(storage constant))`, so the float function
// is kept up to weight rounding and lowbit-quantize can fold the dequantize
// into a quantized kernel. The numerics are lowbit::quantization's.
//
// With calibration statistics, each quantized layer's bias is then
// corrected for the mean shift its weight rounding causes (empirical bias
// correction, Nagel et al., "Data-Free Quantization Through Weight
// Equalization and Bias Correction", section 4.2): E[y_q - y][o] =
// sum (Wq - W)[o, i] * E[x_i], subtracted from the bias.
//
//===----------------------------------------------------------------------===//

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/Transforms/LayerSchemes.h"
#include "dialects/Lowbit/Transforms/Passes.h"
#include "dialects/Lowbit/Transforms/QuantizedConstants.h"
#include "lowbit/Quantization/Numerics.h"
#include "lowbit/Quantization/Recipe.h"
#include "lowbit/Quantization/Stats.h"

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

/// The floats `codes` (of quantized tensor type `type`, read through
/// `codebook`) dequantize to, computed in f32 as the lowering does.
std::vector<float> decodeWeights(RankedTensorType type, ArrayRef<int64_t> codes,
                                 std::optional<Codebook> codebook) {
  auto quantType = cast<quant::QuantizedType>(type.getElementType());
  ArrayRef<int64_t> shape = type.getShape();
  std::vector<float> values(codes.size());
  for (size_t i = 0, e = codes.size(); i < e; ++i) {
    auto [scale, zeroPoint] =
        getElementParams(quantType, shape, static_cast<int64_t>(i));
    float s = static_cast<float>(scale);
    if (codebook == Codebook::nf4)
      values[i] = q::kNF4Table[codes[i] & 15] * s;
    else if (codebook == Codebook::fp8_e4m3fn)
      values[i] = q::e4m3fnToFloat(static_cast<uint8_t>(codes[i])) * s;
    else
      values[i] = (static_cast<float>(codes[i]) -
                   static_cast<float>(zeroPoint)) *
                  s;
  }
  return values;
}

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

//===----------------------------------------------------------------------===//
// Bias correction
//===----------------------------------------------------------------------===//

/// The activation dimension reduced against the weights' input channels,
/// along which calibration collects the channel sums: the layer's
/// activationChannelAxis, except for gemm, whose A is [M, K] (axis 1) or,
/// with transA, [K, M] (axis 0).
int64_t getReducedActivationAxis(const QuantizableLayer &layer) {
  if (auto gemm = dyn_cast<GemmOp>(layer.op))
    return gemm.getTransA() ? 0 : 1;
  return layer.activationChannelAxis;
}

/// For each tap of `conv`'s kernel window (row-major over the spatial
/// kernel dimensions `kernel`), the share of output positions at which it
/// reads the input rather than padding: the product over the spatial
/// dimensions of #{y : 0 <= y * stride - pad_begin + k * dilation < X} / Y.
/// All 1 when the shapes are not static.
std::vector<double> getTapCoverage(ConvOp conv, ArrayRef<int64_t> kernel) {
  int64_t window = 1;
  for (int64_t k : kernel)
    window *= k;
  std::vector<double> coverage(window, 1.0);
  auto inputType = cast<RankedTensorType>(conv.getInput().getType());
  RankedTensorType outputType = conv.getType();
  size_t rank = kernel.size();
  ArrayRef<int64_t> strides = conv.getStrides(), dilations = conv.getDilations(),
                    pads = conv.getPads();
  if (!inputType.hasStaticShape() || !outputType.hasStaticShape() ||
      inputType.getRank() != static_cast<int64_t>(rank) + 2 ||
      outputType.getRank() != static_cast<int64_t>(rank) + 2 ||
      strides.size() != rank || dilations.size() != rank ||
      pads.size() != 2 * rank)
    return coverage;
  int64_t inner = window;
  for (size_t d = 0; d < rank; ++d) {
    int64_t in = inputType.getDimSize(d + 2), out = outputType.getDimSize(d + 2);
    if (out <= 0)
      return std::vector<double>(window, 1.0);
    inner /= kernel[d];
    for (int64_t k = 0; k < kernel[d]; ++k) {
      int64_t valid = 0;
      for (int64_t y = 0; y < out; ++y) {
        int64_t at = y * strides[d] - pads[d] + k * dilations[d];
        valid += at >= 0 && at < in;
      }
      double share = static_cast<double>(valid) / out;
      // Every tap whose index along d is k.
      for (int64_t i = 0; i < window; ++i)
        if ((i / inner) % kernel[d] == k)
          coverage[i] *= share;
    }
  }
  return coverage;
}

/// The mean shift E[y_q - y] per output channel that replacing `original`
/// by `rounded` (row-major weights of `weightType`) causes in `layer`, whose
/// activation has channel means `means` (taken as the same at every
/// position): conv sums over the input channels of the output channel's
/// group and the kernel window, each tap weighted by the share of output
/// positions at which it reads the input rather than padding; matmul
/// [K, N] and gemm B (per `transB`) sum over K, gemm times alpha. Failure,
/// with `why`, when the shapes do not match.
FailureOr<std::vector<double>>
computeMeanShift(const QuantizableLayer &layer, RankedTensorType weightType,
                 ArrayRef<float> original, ArrayRef<float> rounded,
                 ArrayRef<double> means, std::string &why) {
  ArrayRef<int64_t> shape = weightType.getShape();
  auto delta = [&](int64_t i) {
    double d = static_cast<double>(rounded[i]) - original[i];
    return std::isfinite(d) ? d : 0.0;
  };
  auto expectChannels = [&](int64_t channels) {
    if (static_cast<int64_t>(means.size()) == channels)
      return true;
    why = llvm::formatv("its input has {0} channel means but the weights "
                        "reduce over {1} input channels",
                        means.size(), channels)
              .str();
    return false;
  };
  std::vector<double> shift;
  if (auto conv = dyn_cast<ConvOp>(layer.op)) {
    int64_t outChannels = shape[0], groupChannels = shape[1];
    int64_t groups = conv.getGroup();
    int64_t window = 1;
    for (int64_t d = 2, e = shape.size(); d < e; ++d)
      window *= shape[d];
    if (groups <= 0 || outChannels % groups != 0) {
      why = "its group count does not divide its output channels";
      return failure();
    }
    if (!expectChannels(groupChannels * groups))
      return failure();
    std::vector<double> coverage = getTapCoverage(conv, shape.drop_front(2));
    int64_t perGroup = outChannels / groups;
    shift.assign(outChannels, 0.0);
    for (int64_t o = 0; o < outChannels; ++o) {
      int64_t firstChannel = (o / perGroup) * groupChannels;
      double sum = 0.0;
      for (int64_t c = 0; c < groupChannels; ++c) {
        double mean = means[firstChannel + c];
        int64_t base = (o * groupChannels + c) * window;
        for (int64_t k = 0; k < window; ++k)
          sum += delta(base + k) * coverage[k] * mean;
      }
      shift[o] = sum;
    }
    return shift;
  }
  if (shape.size() != 2) {
    why = "its weights are not 2-D";
    return failure();
  }
  bool transposed = false;
  double alpha = 1.0;
  if (auto gemm = dyn_cast<GemmOp>(layer.op)) {
    transposed = gemm.getTransB();
    alpha = gemm.getAlpha().convertToFloat();
  }
  int64_t reduction = transposed ? shape[1] : shape[0];
  int64_t columns = transposed ? shape[0] : shape[1];
  if (!expectChannels(reduction))
    return failure();
  shift.assign(columns, 0.0);
  for (int64_t k = 0; k < reduction; ++k)
    for (int64_t n = 0; n < columns; ++n)
      shift[n] += delta(transposed ? n * reduction + k : k * columns + n) *
                  means[k];
  for (double &value : shift)
    value *= alpha;
  return shift;
}

/// `values`, a constant of `type`, plus `delta` along its last dimension
/// (which must be 1 or delta.size(); a scalar becomes a vector): the new
/// type and values. None when the last dimension does not broadcast.
std::optional<std::pair<RankedTensorType, std::vector<float>>>
addAlongLastAxis(RankedTensorType type, ArrayRef<float> values,
                 ArrayRef<double> delta) {
  int64_t channels = delta.size();
  SmallVector<int64_t> shape(type.getShape());
  if (shape.empty())
    shape.push_back(1);
  int64_t last = shape.back();
  if (last != 1 && last != channels)
    return std::nullopt;
  shape.back() = channels;
  int64_t rows = 1;
  for (int64_t d : ArrayRef<int64_t>(shape).drop_back())
    rows *= d;
  std::vector<float> result(rows * channels);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t n = 0; n < channels; ++n)
      result[r * channels + n] = static_cast<float>(
          values[r * last + (last == 1 ? 0 : n)] + delta[n]);
  return std::make_pair(type.clone(shape), std::move(result));
}

/// A new f32 constant of `type` before `op`.
Value createF32Constant(OpBuilder &b, Location loc, RankedTensorType type,
                        StringRef name, ArrayRef<float> values) {
  return ConstantOp::create(b, loc, makeF32Elements(type, name, values));
}

/// `value + delta` along the last dimension when `value` is an f32 constant
/// that broadcasts that way (a new constant), else null.
Value addToConstant(OpBuilder &b, Location loc, Value value,
                    ArrayRef<double> delta, StringRef name) {
  ElementsAttr attr;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.getElementType().isF32() ||
      !matchPattern(value, m_Constant(&attr)))
    return Value();
  std::optional<SmallVector<float>> values = getF32Values(attr);
  if (!values)
    return Value();
  auto sum = addAlongLastAxis(type, *values, delta);
  if (!sum)
    return Value();
  return createF32Constant(b, loc, sum->first, name, sum->second);
}

/// Adds `delta` (per output channel) to the bias of `layer`: a conv's bias
/// operand (created when absent), a gemm's C (divided by beta), or for a
/// matmul the constant of the `add` that is its only user, else a new `add`
/// after it (folding makes either the kernel's bias). Constants it stops
/// reading go to `replaced`, for the caller to erase once unused.
void addToBias(const QuantizableLayer &layer, ArrayRef<double> delta,
               llvm::SetVector<Operation *> &replaced) {
  Operation *op = layer.op;
  Location loc = op->getLoc();
  OpBuilder b(op);
  std::string name = layer.name + "_bias_corrected";
  std::vector<float> deltaF32(delta.begin(), delta.end());
  auto deltaType =
      RankedTensorType::get({static_cast<int64_t>(delta.size())},
                            b.getF32Type());
  auto noteReplaced = [&](Value old) {
    if (Operation *constant = old ? old.getDefiningOp() : nullptr)
      if (isa<ConstantOp>(constant))
        replaced.insert(constant);
  };
  auto addAfter = [&](Value result) {
    b.setInsertionPointAfter(op);
    Value constant = createF32Constant(b, loc, deltaType, name, deltaF32);
    auto add = AddOp::create(b, loc, result.getType(), result, constant);
    result.replaceAllUsesExcept(add, add);
  };

  if (auto conv = dyn_cast<ConvOp>(op)) {
    Value bias = conv.getBias();
    Value corrected;
    if (!bias)
      corrected = createF32Constant(b, loc, deltaType, name, deltaF32);
    else if (!(corrected = addToConstant(b, loc, bias, delta, name)))
      corrected = AddOp::create(
          b, loc, bias.getType(), bias,
          createF32Constant(b, loc, deltaType, name, deltaF32));
    conv.getBiasMutable().assign(corrected);
    noteReplaced(bias);
    return;
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    double beta = gemm.getBeta().convertToFloat();
    if (beta != 0.0 && std::isfinite(beta)) {
      std::vector<double> scaled(delta.begin(), delta.end());
      for (double &value : scaled)
        value /= beta;
      Value c = gemm.getC();
      Value corrected =
          c ? addToConstant(b, loc, c, scaled, name)
            : createF32Constant(b, loc, deltaType, name,
                                std::vector<float>(scaled.begin(),
                                                   scaled.end()));
      if (corrected) {
        gemm.getCMutable().assign(corrected);
        noteReplaced(c);
        return;
      }
    }
    addAfter(gemm.getResult());
    return;
  }
  Value result = op->getResult(0);
  if (result.hasOneUse()) {
    if (auto add = dyn_cast<AddOp>(*result.getUsers().begin())) {
      unsigned other = add.getLhs() == result ? 1 : 0;
      if (add.getType() == result.getType()) {
        Value bias = add->getOperand(other);
        if (Value corrected = addToConstant(b, loc, bias, delta, name)) {
          add->setOperand(other, corrected);
          noteReplaced(bias);
          return;
        }
      }
    }
  }
  addAfter(result);
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
    statsFile.reset();
    layersWithoutMeans.clear();
    if (biasCorrection && !stats.empty()) {
      llvm::Expected<q::StatsFile> file = q::readStatsFile(stats);
      if (!file) {
        emitError(module.getLoc()) << llvm::toString(file.takeError());
        return signalPassFailure();
      }
      statsFile = std::move(*file);
    }
    bool ok = true;
    rounded.clear();
    // Weight constants, and bias constants bias correction replaced.
    llvm::SetVector<Operation *> weightConstants;
    for (auto func : module.getOps<func::FuncOp>()) {
      for (const QuantizableLayer &layer : getLayersForQuantization(func)) {
        if (Operation *constant = layer.weight.getDefiningOp())
          weightConstants.insert(constant);
        ok &= succeeded(quantizeLayer(layer, **loaded, weightConstants));
      }
    }
    for (Operation *constant : weightConstants)
      if (constant->use_empty() && isa<ConstantOp>(constant))
        constant->erase();
    if (!layersWithoutMeans.empty())
      emitWarning(module.getLoc())
          << "stats file '" << stats << "' has no per-channel sums for the "
          << "inputs of " << layersWithoutMeans.size() << " layer(s) (first '"
          << layersWithoutMeans.front()
          << "'): their biases are not corrected; recalibrate to collect "
             "them";
    if (!ok)
      signalPassFailure();
  }

  /// Bias correction of `layer`, whose weights `original` were rounded to
  /// `decoded`, from the channel means of its input.
  void correctBias(const QuantizableLayer &layer, RankedTensorType weightType,
                   ArrayRef<float> original, ArrayRef<float> decoded,
                   llvm::SetVector<Operation *> &replaced) {
    auto warn = [&]() {
      return layer.op->emitWarning()
             << "layer '" << layer.name << "': bias not corrected: ";
    };
    auto it = statsFile->tensors.find(inputStatsKey(layer.name));
    if (it == statsFile->tensors.end()) {
      warn() << "stats file '" << stats << "' has no statistics for its "
             << "input";
      return;
    }
    const q::TensorStatistics &input = it->second;
    if (!input.hasChannelMeans()) {
      layersWithoutMeans.push_back(layer.name);
      return;
    }
    int64_t axis = getReducedActivationAxis(layer);
    if (input.channelAxis != axis) {
      warn() << "its input statistics run along axis " << input.channelAxis
             << ", not " << axis;
      return;
    }
    std::string why;
    FailureOr<std::vector<double>> shift =
        computeMeanShift(layer, weightType, original, decoded,
                         input.getChannelMeans(), why);
    if (failed(shift)) {
      warn() << why;
      return;
    }
    for (double &value : *shift)
      value = -value;
    addToBias(layer, *shift, replaced);
  }

  LogicalResult quantizeLayer(const QuantizableLayer &layer,
                              const q::Recipe &layerRecipe,
                              llvm::SetVector<Operation *> &replaced) {
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
    auto &[dequantized, fellBack, decoded] = rounded[key];
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
      if (statsFile)
        decoded = decodeWeights(weight->type, weight->codes, weight->codebook);
    }
    if (fellBack)
      op->setAttr(kSchemeAttrName,
                  b.getStringAttr(layerScheme.name + "+per_channel"));
    op->setOperand(1, dequantized);
    if (statsFile)
      correctBias(layer, weightType, *data, decoded, replaced);
    return success();
  }

  /// Quantized forms of constants already rounded, by (constant, rounding),
  /// whether its groups fell back to per channel, and (for bias
  /// correction) the floats its codes decode to.
  std::map<std::pair<void *, std::string>,
           std::tuple<Value, bool, std::vector<float>>>
      rounded;
  /// The statistics bias correction reads; none when it is off.
  std::optional<q::StatsFile> statsFile;
  /// Layers whose input statistics have no channel sums.
  std::vector<std::string> layersWithoutMeans;
};

} // namespace
