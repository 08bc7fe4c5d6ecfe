//===- QuantizeFolding.cpp - fold Q/DQ into quantized ops -----------------===//
//
// Patterns, applied greedily by lowbit-quantize. Each one is exact under the
// ONNX QDQ contract (a runtime may compute DQ -> op -> Q as an integer
// kernel with an i32 accumulator, i32 bias in units of s_a * s_w, and one
// final requantization):
//
//  * contractions on dequantized weights become quantized_conv/matmul;
//  * a bias, relu/clip and final quantize move into the kernel's epilogue
//    while its float result has no other user;
//  * quantize(dequantize(x)) is x, or a requantize;
//  * dequantize sinks below data movement, which then moves integers.
//
//===----------------------------------------------------------------------===//

#include "dialects/Lowbit/Transforms/QuantizeFolding.h"

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/IR/LowbitOps.h"
#include "dialects/Lowbit/Transforms/LayerSchemes.h"
#include "dialects/Lowbit/Transforms/QuantizedConstants.h"
#include "lowbit/Quantization/Numerics.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit;

namespace {

Type getElementType(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

/// The quantized value a `dequantize` reads, and how it decodes it.
struct Dequantized {
  Value stored;
  quant::QuantizedType type;
  std::optional<Codebook> codebook;
};

std::optional<Dequantized> getDequantized(Value value) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return std::nullopt;
  return Dequantized{
      dequantize.getInput(),
      cast<quant::QuantizedType>(getElementType(dequantize.getInput())),
      dequantize.getCodebook()};
}

/// A per-tensor uniform type dequantized without a codebook: what integer
/// kernels and integer data movement accept.
quant::UniformQuantizedType getPlainPerTensor(const Dequantized &value) {
  if (value.codebook)
    return nullptr;
  return dyn_cast<quant::UniformQuantizedType>(value.type);
}

/// Whether weights of `type` on `tensor` can feed a quantized contraction
/// whose weights hold output channels along `outAxis` and the reduction
/// along `reductionAxis` (what its verifier and lowering accept).
bool isFoldableWeightType(quant::QuantizedType type, RankedTensorType tensor,
                          int64_t outAxis, int64_t reductionAxis) {
  if (isa<quant::UniformQuantizedType>(type))
    return true;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    return perAxis.getQuantizedDimension() == outAxis;
  auto subChannel = dyn_cast<quant::UniformQuantizedSubChannelType>(type);
  if (!subChannel ||
      subChannel.getScales().getType().getRank() != tensor.getRank())
    return false;
  for (auto [dim, block] : subChannel.getBlockSizeInfo())
    if (dim != outAxis && dim != reductionAxis && block != 1 &&
        block != tensor.getDimSize(dim))
      return false;
  return true;
}

/// The scale of weight output channel `c` when it is the same along the
/// whole reduction (per tensor, per axis, or sub-channel with one block
/// along every other dimension).
std::optional<double> getChannelScale(quant::QuantizedType type,
                                      int64_t outAxis, int64_t c) {
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type))
    return uniform.getScale();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    return perAxis.getScales()[c];
  auto subChannel = cast<quant::UniformQuantizedSubChannelType>(type);
  DenseElementsAttr scales = subChannel.getScales();
  ArrayRef<int64_t> shape = scales.getType().getShape();
  for (auto [d, extent] : llvm::enumerate(shape))
    if (static_cast<int64_t>(d) != outAxis && extent != 1)
      return std::nullopt;
  int64_t at = shape[outAxis] == 1 ? 0 : c;
  return (*(scales.getValues<APFloat>().begin() + at)).convertToDouble();
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// The operands and arithmetic of a quantized contraction.
struct Kernel {
  Value lhs;
  Value rhs;
  quant::QuantizedType weightType;
  std::optional<Codebook> codebook;
  /// The activations' type for integer kernels; null for float ones.
  quant::UniformQuantizedType lhsType;
  bool dynamic = false;
  /// Weight dimension of the output channels.
  int64_t outAxis;

  bool isInteger() const { return static_cast<bool>(lhsType); }
};

/// The kernel `op` (a conv/matmul/gemm with float result) computes when its
/// activation is `activation` and its weights are `weights` (already in the
/// layout the quantized op wants, of tensor type `weightTensor`).
FailureOr<Kernel> matchKernel(PatternRewriter &rewriter, Operation *op,
                              Value activation, const Dequantized &weights,
                              RankedTensorType weightTensor, int64_t outAxis,
                              int64_t reductionAxis) {
  if (isKeptFloat(op))
    return rewriter.notifyMatchFailure(op, "the recipe keeps it float");
  if (!isFoldableWeightType(weights.type, weightTensor, outAxis, reductionAxis))
    return rewriter.notifyMatchFailure(op, "weights are not quantized per "
                                           "tensor, per output channel or in "
                                           "reduction groups");
  if (weights.codebook && weights.type.isSigned())
    return rewriter.notifyMatchFailure(op, "codebook with signed storage");
  Type expressed = weights.type.getExpressedType();
  if (getElementType(op->getResult(0)) != expressed)
    return rewriter.notifyMatchFailure(op, "result is not the weights' "
                                           "expressed type");
  Kernel kernel;
  kernel.rhs = weights.stored;
  kernel.weightType = weights.type;
  kernel.codebook = weights.codebook;
  kernel.outAxis = outAxis;
  std::optional<Dequantized> input = getDequantized(activation);
  quant::UniformQuantizedType inputType =
      input ? getPlainPerTensor(*input) : nullptr;
  // Integer kernels need one weight scale per output channel: an i32
  // accumulator cannot mix groups of different scales (the lowering rejects
  // them too). Weights grouped along the reduction take the dequantized
  // activations in float instead.
  bool perChannelScales = getChannelScale(weights.type, outAxis, 0).has_value();
  if (inputType && !weights.codebook && perChannelScales &&
      inputType.getExpressedType() == expressed) {
    kernel.lhs = input->stored;
    kernel.lhsType = inputType;
    return kernel;
  }
  if (getElementType(activation) != expressed)
    return rewriter.notifyMatchFailure(op, "activations are not the weights' "
                                           "expressed type");
  kernel.lhs = activation;
  kernel.dynamic =
      op->hasAttr(kDynamicActivationsAttrName) && !weights.codebook;
  return kernel;
}

/// Per-output-channel bias values read from a constant, or from a
/// dequantized integer constant (ONNX QDQ's int32 bias).
struct BiasValues {
  /// The real values (DequantizeLinear of the codes when dequantized).
  SmallVector<float> real;
  /// The integer codes and their scales and zero points, when dequantized.
  SmallVector<int64_t> codes;
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
};

/// Reads `value`, broadcast against a result of rank `resultRank` whose
/// channels (`channels` of them) lie along `channelAxis`, as one value per
/// channel. Every other dimension of `value` must be 1.
std::optional<BiasValues> readBias(Value value, int64_t channels,
                                   int64_t resultRank, int64_t channelAxis) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t offset = resultRank - type.getRank();
  if (offset < 0)
    return std::nullopt;
  int64_t count = 1;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t extent = type.getDimSize(d);
    if (d + offset == channelAxis && extent == channels)
      count = channels;
    else if (extent != 1)
      return std::nullopt;
  }

  BiasValues bias;
  ElementsAttr attr;
  if (matchPattern(value, m_Constant(&attr))) {
    std::optional<SmallVector<float>> values = getF32Values(attr);
    if (!values)
      return std::nullopt;
    bias.real = std::move(*values);
  } else if (std::optional<Dequantized> dequantized = getDequantized(value)) {
    std::optional<SmallVector<int64_t>> codes =
        readQuantizedConstant(dequantized->stored);
    if (!codes || dequantized->codebook ||
        !dequantized->type.getExpressedType().isF32())
      return std::nullopt;
    for (auto [i, code] : llvm::enumerate(*codes)) {
      auto [scale, zeroPoint] =
          getElementParams(dequantized->type, type.getShape(), i);
      bias.codes.push_back(code);
      bias.scales.push_back(scale);
      bias.zeroPoints.push_back(zeroPoint);
      bias.real.push_back(
          quantization::dequantizeAffine(static_cast<int32_t>(code - zeroPoint),
                                         static_cast<float>(scale), 0));
    }
  } else {
    return std::nullopt;
  }
  if (count == 1 && channels != 1) {
    bias.real.assign(channels, bias.real.front());
    if (!bias.codes.empty()) {
      bias.codes.assign(channels, bias.codes.front());
      bias.scales.assign(channels, bias.scales.front());
      bias.zeroPoints.assign(channels, bias.zeroPoints.front());
    }
  }
  return bias;
}

/// The bias operand of `kernel`: f32 for float kernels; for integer ones
/// i32 in units of s_a * s_w[c], i.e. roundHalfToEven(b / (s_a * s_w[c]))
/// in float32 as ONNX Runtime quantizes biases, or the codes themselves
/// when they are already in those units. Fails for integer kernels whose
/// weight scale varies along the reduction, and for float kernels that do
/// not compute in f32.
FailureOr<Value> createBias(OpBuilder &b, Location loc, const Kernel &kernel,
                            const BiasValues &bias) {
  int64_t channels = bias.real.size();
  if (!kernel.isInteger()) {
    if (!kernel.weightType.getExpressedType().isF32())
      return failure();
    auto type = RankedTensorType::get({channels}, b.getF32Type());
    return Value(
        ConstantOp::create(b, loc, makeF32Elements(type, "bias", bias.real)));
  }
  float inputScale = static_cast<float>(kernel.lhsType.getScale());
  SmallVector<int64_t> values;
  for (int64_t c = 0; c < channels; ++c) {
    std::optional<double> weightScale =
        getChannelScale(kernel.weightType, kernel.outAxis, c);
    if (!weightScale)
      return failure();
    float scale = inputScale * static_cast<float>(*weightScale);
    if (!bias.codes.empty() && bias.zeroPoints[c] == 0 &&
        static_cast<float>(bias.scales[c]) == scale &&
        bias.codes[c] >= std::numeric_limits<int32_t>::min() &&
        bias.codes[c] <= std::numeric_limits<int32_t>::max()) {
      values.push_back(bias.codes[c]);
      continue;
    }
    double rounded = quantization::roundHalfToEven(bias.real[c] / scale);
    if (std::isnan(rounded))
      rounded = 0.0;
    rounded = std::clamp<double>(rounded, std::numeric_limits<int32_t>::min(),
                                 std::numeric_limits<int32_t>::max());
    values.push_back(static_cast<int64_t>(rounded));
  }
  auto type = RankedTensorType::get({channels}, b.getI32Type());
  return createIntegerConstant(b, loc, type, values, "bias");
}

/// The attributes of a new quantized contraction built from `op`: its
/// stamps, the kernel's codebook and dynamic flag, plus `extra`.
NamedAttrList getContractionAttrs(Operation *op, const Kernel &kernel,
                                  ArrayRef<NamedAttribute> extra) {
  Builder b(op->getContext());
  NamedAttrList attrs(extra);
  for (StringRef name : {StringRef(kLayerAttrName), StringRef(kSchemeAttrName)})
    if (Attribute value = op->getAttr(name))
      attrs.set(name, value);
  if (kernel.codebook)
    attrs.set("weight_codebook",
              CodebookAttr::get(op->getContext(), *kernel.codebook));
  if (kernel.dynamic)
    attrs.set("dynamic_activations", b.getUnitAttr());
  return attrs;
}

/// `value + bias` where `bias` ([C], float) broadcasts along
/// `channelAxis` of `value`: the bias gets the missing unit dimensions.
Value addChannelBias(PatternRewriter &rewriter, Location loc, Value value,
                     Value bias, int64_t channelAxis) {
  auto type = cast<RankedTensorType>(value.getType());
  auto biasType = cast<RankedTensorType>(bias.getType());
  if (biasType.getRank() == 1 && channelAxis != type.getRank() - 1) {
    SmallVector<int64_t> shape(type.getRank() - channelAxis, 1);
    shape[0] = biasType.getDimSize(0);
    bias = ReshapeOp::create(rewriter, loc, biasType.clone(shape), bias);
  }
  return AddOp::create(rewriter, loc, type, value, bias);
}

/// The bias operand for `kernel` from a float bias tensor of a contraction
/// (conv bias [C], gemm C): read per channel when constant (or a
/// dequantized constant). Returns a null value and sets `addAfter` when the
/// bias must stay a float add after the kernel.
Value getBiasOperand(PatternRewriter &rewriter, Location loc,
                     const Kernel &kernel, Value bias, int64_t channels,
                     int64_t resultRank, int64_t channelAxis, bool &addAfter) {
  addAfter = false;
  if (!bias)
    return Value();
  if (std::optional<BiasValues> values =
          readBias(bias, channels, resultRank, channelAxis)) {
    FailureOr<Value> operand = createBias(rewriter, loc, kernel, *values);
    if (succeeded(operand))
      return *operand;
  } else if (!kernel.isInteger()) {
    auto type = cast<RankedTensorType>(bias.getType());
    if (type.getRank() == 1 && type.getDimSize(0) == channels &&
        type.getElementType() == kernel.weightType.getExpressedType())
      return bias;
  }
  addAfter = true;
  return Value();
}

struct FoldConv final : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> weights = getDequantized(conv.getWeight());
    if (!weights)
      return rewriter.notifyMatchFailure(conv, "weights are not dequantized");
    auto weightTensor = cast<RankedTensorType>(weights->stored.getType());
    FailureOr<Kernel> kernel =
        matchKernel(rewriter, conv, conv.getInput(), *weights, weightTensor,
                    /*outAxis=*/0, /*reductionAxis=*/1);
    if (failed(kernel))
      return failure();
    Location loc = conv.getLoc();
    RankedTensorType resultType = conv.getType();
    bool addAfter;
    Value bias = getBiasOperand(rewriter, loc, *kernel, conv.getBias(),
                                weightTensor.getDimSize(0),
                                /*resultRank=*/1, /*channelAxis=*/0, addAfter);
    SmallVector<Value> operands{kernel->lhs, kernel->rhs};
    if (bias)
      operands.push_back(bias);
    NamedAttrList attrs = getContractionAttrs(
        conv, *kernel,
        {rewriter.getNamedAttr("strides", conv.getStridesAttr()),
         rewriter.getNamedAttr("dilations", conv.getDilationsAttr()),
         rewriter.getNamedAttr("pads", conv.getPadsAttr()),
         rewriter.getNamedAttr("group", conv.getGroupAttr())});
    Value result = QuantizedConvOp::create(rewriter, loc, resultType, operands,
                                           attrs.getAttrs());
    if (addAfter)
      result = addChannelBias(rewriter, loc, result, conv.getBias(), 1);
    rewriter.replaceOp(conv, result);
    return success();
  }
};

struct FoldMatMul final : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> weights = getDequantized(matmul.getRhs());
    if (!weights)
      return rewriter.notifyMatchFailure(matmul, "weights not dequantized");
    auto weightTensor = cast<RankedTensorType>(weights->stored.getType());
    int64_t rank = weightTensor.getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(matmul, "1-D weights");
    FailureOr<Kernel> kernel =
        matchKernel(rewriter, matmul, matmul.getLhs(), *weights, weightTensor,
                    rank - 1, rank - 2);
    if (failed(kernel))
      return failure();
    NamedAttrList attrs = getContractionAttrs(matmul, *kernel, {});
    rewriter.replaceOpWithNewOp<QuantizedMatMulOp>(
        matmul, TypeRange{matmul.getType()},
        ValueRange{kernel->lhs, kernel->rhs}, attrs.getAttrs());
    return success();
  }
};

/// gemm(A, B, C) with alpha = 1 and no transA: a quantized_matmul on B
/// (for transB transposed at compile time when it is a constant, else by a
/// transpose of the integers when it is per tensor), C as its bias when it
/// is a per-column constant and beta = 1, else a float add after it.
struct FoldGemm final : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GemmOp gemm,
                                PatternRewriter &rewriter) const override {
    if (gemm.getTransA() || gemm.getAlpha().convertToFloat() != 1.0f)
      return rewriter.notifyMatchFailure(gemm, "transA or alpha != 1");
    if (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f)
      return rewriter.notifyMatchFailure(gemm, "beta != 1");
    std::optional<Dequantized> weights = getDequantized(gemm.getB());
    if (!weights)
      return rewriter.notifyMatchFailure(gemm, "weights not dequantized");
    auto storedTensor = cast<RankedTensorType>(weights->stored.getType());
    bool transB = gemm.getTransB();
    // Check in the stored layout, transpose once everything matches.
    int64_t outAxis = transB ? 0 : 1;
    if (!isFoldableWeightType(weights->type, storedTensor, outAxis,
                              1 - outAxis))
      return rewriter.notifyMatchFailure(gemm, "weights are not quantized "
                                               "per output channel");
    RankedTensorType weightTensor =
        transB ? RankedTensorType::get(
                     {storedTensor.getDimSize(1), storedTensor.getDimSize(0)},
                     transpose2DQuantType(weights->type))
               : storedTensor;
    Dequantized kernelWeights = *weights;
    kernelWeights.type =
        cast<quant::QuantizedType>(weightTensor.getElementType());
    if (transB && !isa<quant::UniformQuantizedType>(weights->type) &&
        !readQuantizedConstant(weights->stored))
      return rewriter.notifyMatchFailure(gemm, "transB of weights that are "
                                               "neither constant nor per "
                                               "tensor");
    FailureOr<Kernel> kernel = matchKernel(rewriter, gemm, gemm.getA(),
                                           kernelWeights, weightTensor, 1, 0);
    if (failed(kernel))
      return failure();

    Location loc = gemm.getLoc();
    if (transB) {
      if (std::optional<SmallVector<int64_t>> codes =
              readQuantizedConstant(weights->stored)) {
        int64_t rows = storedTensor.getDimSize(0);
        int64_t cols = storedTensor.getDimSize(1);
        SmallVector<int64_t> transposed(codes->size());
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j)
            transposed[j * rows + i] = (*codes)[i * cols + j];
        std::string name = "gemm_weight_t";
        if (auto layer = gemm->getAttrOfType<StringAttr>(kLayerAttrName))
          name = (layer.getValue() + "_weight_t").str();
        kernel->rhs = createQuantizedConstant(rewriter, loc, weightTensor,
                                              transposed, name);
      } else {
        // Only per-tensor types survive a transpose unchanged (see below).
        kernel->rhs =
            TransposeOp::create(rewriter, loc, weightTensor, weights->stored,
                                ArrayRef<int64_t>{1, 0});
      }
    }
    kernel->weightType = kernelWeights.type;

    int64_t channels = weightTensor.getDimSize(1);
    bool addAfter;
    Value bias = getBiasOperand(rewriter, loc, *kernel, gemm.getC(), channels,
                                /*resultRank=*/2, /*channelAxis=*/1, addAfter);
    SmallVector<Value> operands{kernel->lhs, kernel->rhs};
    if (bias)
      operands.push_back(bias);
    NamedAttrList attrs = getContractionAttrs(gemm, *kernel, {});
    Value result = QuantizedMatMulOp::create(rewriter, loc, gemm.getType(),
                                             operands, attrs.getAttrs());
    if (addAfter)
      result =
          AddOp::create(rewriter, loc, gemm.getType(), result, gemm.getC());
    rewriter.replaceOp(gemm, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Epilogues
//===----------------------------------------------------------------------===//

/// A quantized contraction whose float result may take more epilogue.
struct Contraction {
  Operation *op;

  /// The quantized contraction defining `value` when `value` is its float
  /// result and its only use.
  static std::optional<Contraction> getSoleFloatUse(Value value) {
    Operation *op = value.getDefiningOp();
    if (!isa_and_nonnull<QuantizedConvOp, QuantizedMatMulOp>(op) ||
        !value.hasOneUse() || !isa<FloatType>(getElementType(value)))
      return std::nullopt;
    return Contraction{op};
  }

  Value getLhs() const { return op->getOperand(0); }
  Value getRhs() const { return op->getOperand(1); }
  bool hasBias() const { return op->getNumOperands() > 2; }
  bool isInteger() const {
    return isa<quant::QuantizedType>(getElementType(getLhs()));
  }
  FusedActivation getActivation() const {
    if (auto conv = dyn_cast<QuantizedConvOp>(op))
      return conv.getActivation();
    return cast<QuantizedMatMulOp>(op).getActivation();
  }
  /// The result dimension of output channels, and the weights'.
  int64_t getResultChannelAxis() const {
    if (isa<QuantizedConvOp>(op))
      return 1;
    return cast<RankedTensorType>(op->getResult(0).getType()).getRank() - 1;
  }
  int64_t getWeightOutAxis() const {
    if (isa<QuantizedConvOp>(op))
      return 0;
    return cast<RankedTensorType>(getRhs().getType()).getRank() - 1;
  }
  Kernel getKernel() const {
    Kernel kernel;
    kernel.lhs = getLhs();
    kernel.rhs = getRhs();
    kernel.weightType = cast<quant::QuantizedType>(getElementType(getRhs()));
    kernel.lhsType =
        dyn_cast<quant::UniformQuantizedType>(getElementType(getLhs()));
    kernel.outAxis = getWeightOutAxis();
    return kernel;
  }
};

/// add(contraction, per-channel constant) -> contraction with bias.
struct FoldBiasAdd final : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [producer, other] : {std::pair(add.getLhs(), add.getRhs()),
                                   std::pair(add.getRhs(), add.getLhs())}) {
      std::optional<Contraction> contraction =
          Contraction::getSoleFloatUse(producer);
      if (!contraction || contraction->hasBias() ||
          contraction->getActivation() != FusedActivation::none ||
          add.getType() != producer.getType())
        continue;
      auto resultType = cast<RankedTensorType>(producer.getType());
      int64_t axis = contraction->getResultChannelAxis();
      std::optional<BiasValues> values = readBias(
          other, resultType.getDimSize(axis), resultType.getRank(), axis);
      if (!values)
        continue;
      FailureOr<Value> bias =
          createBias(rewriter, add.getLoc(), contraction->getKernel(), *values);
      if (failed(bias))
        continue;
      Operation *op = contraction->op;
      rewriter.modifyOpInPlace(op, [&] { op->insertOperands(2, *bias); });
      rewriter.replaceOp(add, producer);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a per-channel bias of a "
                                            "quantized contraction");
  }
};

/// relu / clip of a contraction -> its fused activation.
template <typename OpTy> struct FoldActivation final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy activation,
                                PatternRewriter &rewriter) const override {
    std::optional<Contraction> contraction =
        Contraction::getSoleFloatUse(activation.getInput());
    if (!contraction || contraction->getActivation() != FusedActivation::none ||
        activation.getType() != activation.getInput().getType())
      return rewriter.notifyMatchFailure(activation, "no fusible producer");
    MLIRContext *ctx = rewriter.getContext();
    NamedAttrList attrs;
    if constexpr (std::is_same_v<OpTy, ReluOp>) {
      attrs.set("activation",
                FusedActivationAttr::get(ctx, FusedActivation::relu));
    } else {
      auto bound = [&](Attribute attr) -> FloatAttr {
        auto value = dyn_cast_if_present<FloatAttr>(attr);
        return value ? rewriter.getF32FloatAttr(value.getValueAsDouble())
                     : FloatAttr();
      };
      FloatAttr min = bound(activation.getMinAttr());
      FloatAttr max = bound(activation.getMaxAttr());
      if (!min && !max)
        return rewriter.notifyMatchFailure(activation, "unbounded clip");
      attrs.set("activation",
                FusedActivationAttr::get(ctx, FusedActivation::clip));
      if (min)
        attrs.set("clip_min", min);
      if (max)
        attrs.set("clip_max", max);
    }
    Operation *op = contraction->op;
    rewriter.modifyOpInPlace(op, [&] {
      for (NamedAttribute attr : attrs)
        op->setAttr(attr.getName(), attr.getValue());
    });
    rewriter.replaceOp(activation, op->getResult(0));
    return success();
  }
};

/// quantize(integer contraction) -> the contraction with a quantized result.
struct FoldRequantizeEpilogue final : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    std::optional<Contraction> contraction =
        Contraction::getSoleFloatUse(quantize.getInput());
    auto resultType =
        dyn_cast<quant::UniformQuantizedType>(getElementType(quantize));
    if (!contraction || !contraction->isInteger() || quantize.getCodebook() ||
        !resultType ||
        resultType.getExpressedType() != getElementType(quantize.getInput()))
      return rewriter.notifyMatchFailure(quantize, "not a per-tensor quantize "
                                                   "of an integer kernel");
    Operation *op = contraction->op;
    rewriter.modifyOpInPlace(
        op, [&] { op->getResult(0).setType(quantize.getType()); });
    rewriter.replaceOp(quantize, op->getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Q/DQ pairs and data movement
//===----------------------------------------------------------------------===//

/// quantize(dequantize(x)) -> x when the types and codebooks agree, else
/// requantize(x) (no codebooks).
struct FoldQuantizeOfDequantize final : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> input = getDequantized(quantize.getInput());
    if (!input)
      return rewriter.notifyMatchFailure(quantize, "input not dequantized");
    if (input->stored.getType() == quantize.getType() &&
        input->codebook == quantize.getCodebook()) {
      rewriter.replaceOp(quantize, input->stored);
      return success();
    }
    if (input->codebook || quantize.getCodebook())
      return rewriter.notifyMatchFailure(quantize, "codebooks differ");
    rewriter.replaceOpWithNewOp<RequantizeOp>(quantize, quantize.getType(),
                                              input->stored);
    return success();
  }
};

/// op(dequantize(x)) -> dequantize(op(x)) for reshape, transpose and slice
/// of per-tensor values (the ops keep their element type, so per-axis
/// values, whose axis would move, stay).
template <typename OpTy> struct SinkDequantize final : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> input = getDequantized(op.getInput());
    quant::UniformQuantizedType type =
        input ? getPlainPerTensor(*input) : nullptr;
    if (!type)
      return rewriter.notifyMatchFailure(op, "input not dequantized per "
                                             "tensor");
    auto resultType = cast<RankedTensorType>(op.getType());
    Operation *moved = rewriter.clone(*op);
    rewriter.modifyOpInPlace(moved, [&] {
      moved->setOperand(0, input->stored);
      moved->getResult(0).setType(resultType.clone(type));
    });
    rewriter.replaceOpWithNewOp<DequantizeOp>(
        op, resultType, moved->getResult(0), CodebookAttr());
    return success();
  }
};

/// concat(dequantize(x_i)) -> dequantize(concat(x_i)) when every x_i has
/// the same per-tensor type.
struct SinkDequantizeConcat final : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> stored;
    quant::UniformQuantizedType type;
    for (Value input : concat.getInputs()) {
      std::optional<Dequantized> dequantized = getDequantized(input);
      quant::UniformQuantizedType inputType =
          dequantized ? getPlainPerTensor(*dequantized) : nullptr;
      if (!inputType || (type && inputType != type))
        return rewriter.notifyMatchFailure(concat, "inputs not dequantized "
                                                   "alike");
      type = inputType;
      stored.push_back(dequantized->stored);
    }
    RankedTensorType resultType = concat.getType();
    Value moved =
        ConcatOp::create(rewriter, concat.getLoc(), resultType.clone(type),
                         stored, concat.getAxisAttr());
    rewriter.replaceOpWithNewOp<DequantizeOp>(concat, resultType, moved,
                                              CodebookAttr());
    return success();
  }
};

} // namespace

void lowbit::populateQuantizeFoldingPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldActivation<ClipOp>, FoldActivation<ReluOp>, FoldBiasAdd,
               FoldConv, FoldGemm, FoldMatMul, FoldQuantizeOfDequantize,
               FoldRequantizeEpilogue, SinkDequantize<ReshapeOp>,
               SinkDequantize<SliceOp>, SinkDequantize<TransposeOp>,
               SinkDequantizeConcat>(patterns.getContext());
}
