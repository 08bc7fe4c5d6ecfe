//===- QuantizedContraction.cpp - lower quantized_matmul, quantized_conv --===//
//
// Every quantized contraction becomes ONE reduction linalg.generic with the
// loop structure of the float lowering (numpy-batched matmul, grouped N-d
// convolution over padded inputs), plus, where the result needs more than
// the accumulator, one elementwise epilogue generic on it that the CPU
// pipeline tiles and fuses with the contraction's tiles.
//
// Integer kernels (quantized activations and weights) accumulate in i32,
// starting from the i32 bias. For matmuls the generic body is the plain
// `acc + ext(a) * ext(b)`, which linalg recognizes as a contraction (tiled
// as a matmul, vectorized to vector.contract, its epilogue fused); the zero
// points enter through the exact integer identity
//   sum (a - za)(b - zb) = sum ab - zb * rowsum(a) - za * colsum(b) + K za zb
// in the epilogue (colsum folded at compile time for constant weights,
// rowsum a reduction over the activations only when zb != 0). Unsigned codes
// are re-biased to signed ones first (see flipSignBit). Convolutions are
// recognized by their indexing maps alone, so their body subtracts the zero
// points directly (the input is padded with za). The epilogue then
// gives the i32 accumulator, float(acc) * (sa * sb[n]), or
// quantize(float(acc) * (sa * sb[n] / sy)) with the multiplier rounded to
// f32 at compile time, the activation applied before rounding half to
// even (as ONNX Runtime's QLinearMatMul/QLinearConv kernels do).
//
// Weight-only kernels (float activations) dequantize each weight element in
// the body, `(w - zw) * sw[group]` or `table[w] * s[group]`, with per-axis
// and sub-channel parameters as small constant tables, and accumulate in
// float from the float bias. Constant 4-bit weights are packed two codes
// per byte along the reduction dimension and read through a `floordiv 2`
// map; the body picks the nibble by the parity of linalg.index. No float or
// unpacked copy of the weights is ever formed.
//
// Dynamic kernels quantize the float activations per row (absmax / 127,
// symmetric int8) in a reduction and a parallel generic, then run the
// integer kernel with the epilogue float(acc) * scale[m] * sw[n].
//
//===----------------------------------------------------------------------===//

#include "QuantizedContraction.h"
#include "ContractionBuilders.h"
#include "LoweringFailure.h"
#include "QuantizationBuilders.h"
#include "StructuredBuilders.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace lowbit;

namespace {

int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t value : values)
    result *= value;
  return result;
}

/// Inputs of a generic and their maps, added one operand at a time; `add`
/// returns the operand's position among the body arguments.
struct GenericInputs {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;

  unsigned add(Value value, AffineMap map) {
    values.push_back(value);
    maps.push_back(map);
    return values.size() - 1;
  }
};

/// One quantized contraction in the loops of its generic: the operands as
/// the generic reads them and what the kernels need to know about them.
struct Contraction {
  Operation *op;
  /// Maps for the activation, the (unpacked) weight and the result.
  ContractionLoops loops;
  /// Float activations, or their stored codes; reshaped and padded.
  Value input;
  /// The weight codes, one per element, in `weightShape`.
  Value weight;
  SmallVector<int64_t> weightShape;
  /// The reduction dimensions of `weightShape`, contiguous: the int4
  /// packing runs along them.
  int64_t runBegin = 0, runEnd = 0;
  /// The unconverted weight operand (to read constant codes from).
  Value originalWeight;
  /// The weight's scales and zero points over its original dimensions, and
  /// the map from the loops to those dimensions.
  QuantParams params;
  AffineMap paramsMap;
  /// The original weight dimension holding output channels.
  int64_t outDim = 0;
  /// Per-output-channel tables (bias, multipliers) have `channelShape` and
  /// are read through `channelMap` from the result's dimensions.
  SmallVector<int64_t> channelShape;
  AffineMap channelMap;
  /// The number of products summed into one result element.
  int64_t reductionSize = 0;
  /// Subtract the zero points in the body (convolutions) instead of
  /// correcting the accumulator in the epilogue (matmuls).
  bool zeroPointsInBody = false;
  Value bias;
  FusedActivation activation = FusedActivation::none;
  std::optional<double> clipMin, clipMax;
  std::optional<Codebook> codebook;
  Type floatType;

  quant::QuantizedType getWeightType() const { return params.getType(); }
  int64_t getNumChannels() const { return product(channelShape); }
  int64_t getResultRank() const { return loops.resultShape.size(); }

  /// The original weight index of output channel `channel` (other
  /// dimensions 0).
  SmallVector<int64_t> getChannelIndex(int64_t channel) const {
    SmallVector<int64_t> index(params.getTableMap().getNumDims(), 0);
    index[outDim] = channel;
    return index;
  }
  double getWeightScale(int64_t channel) const {
    return params.getScale(getChannelIndex(channel));
  }
  int64_t getWeightZeroPoint(int64_t channel) const {
    return params.getZeroPoint(getChannelIndex(channel));
  }
  bool hasPerChannelParams() const { return !params.isPerTensor(); }
};

/// How the contraction generic reads the weights: one code per element, or
/// a packed int4 constant and its `floordiv 2` map.
struct WeightReader {
  Value tensor;
  AffineMap map;
  bool isPacked = false;
  bool isSigned = true;
  AffineMap logicalMap;
  SmallVector<int64_t> shape;
  int64_t runBegin = 0, runEnd = 0;
  /// With packed weights, loops that only the weight indexed directly (the
  /// kernel window of a convolution) appear in no operand as a plain
  /// dimension any more; like the window operand of linalg's pooling ops,
  /// an unread `tensor.empty` of their extents keeps the loop bounds
  /// derivable.
  Value windowShape;
  AffineMap windowMap;

  /// Adds the weight operand (and the window operand) to `inputs`; returns
  /// the weight's position.
  unsigned addTo(GenericInputs &inputs) const {
    unsigned position = inputs.add(tensor, map);
    if (windowShape)
      inputs.add(windowShape, windowMap);
    return position;
  }

  /// The stored code of the current element from the body argument.
  Value readCode(OpBuilder &b, Location loc, Value arg) const {
    if (!isPacked)
      return arg;
    return unpackInt4Code(b, loc, arg, logicalMap, shape, runBegin, runEnd,
                          isSigned);
  }
};

/// The weight codes a kernel reads, and how they relate to the stored ones.
struct WeightCodes {
  /// One code per element, in `weightShape`.
  Value tensor;
  /// The codes, when known at compile time.
  std::optional<SmallVector<int64_t>> values;
  bool isSigned = true;
  /// Subtracted from the stored codes and zero points (unsigned codes
  /// re-biased to signed ones, see prepareIntegerWeights).
  int64_t zeroPointShift = 0;
  /// Whether `values` no longer match `tensor`.
  bool rewritten = false;
};

WeightCodes getStoredWeightCodes(const Contraction &c) {
  WeightCodes codes;
  codes.tensor = c.weight;
  codes.values = readConstantCodes(c.originalWeight, c.getWeightType());
  codes.isSigned = c.getWeightType().isSigned();
  return codes;
}

/// Sets the reader's window operand to the loops of the packed run that no
/// other operand of the contraction indexes as a plain dimension.
void addWindowOperand(OpBuilder &b, Location loc, const Contraction &c,
                      WeightReader &reader) {
  auto isPlainIn = [](AffineMap map, unsigned dim) {
    return llvm::any_of(map.getResults(), [&](AffineExpr expr) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      return dimExpr && dimExpr.getPosition() == dim;
    });
  };
  SmallVector<AffineExpr> exprs;
  SmallVector<int64_t> shape;
  for (int64_t d = c.runBegin; d < c.runEnd; ++d) {
    auto dim = dyn_cast<AffineDimExpr>(c.loops.maps[1].getResult(d));
    if (!dim || isPlainIn(c.loops.maps[0], dim.getPosition()) ||
        isPlainIn(c.loops.maps[2], dim.getPosition()))
      continue;
    exprs.push_back(dim);
    shape.push_back(c.weightShape[d]);
  }
  if (exprs.empty())
    return;
  reader.windowShape = createEmpty(b, loc, shape, b.getI8Type());
  reader.windowMap =
      AffineMap::get(c.loops.iterators.size(), 0, exprs, b.getContext());
}

WeightReader createWeightReader(OpBuilder &b, Location loc,
                                const Contraction &c,
                                const WeightCodes &codes) {
  WeightReader reader;
  quant::QuantizedType type = c.getWeightType();
  reader.isSigned = codes.isSigned;
  reader.logicalMap = c.loops.maps[1];
  reader.shape = c.weightShape;
  reader.runBegin = c.runBegin;
  reader.runEnd = c.runEnd;
  reader.map = c.loops.maps[1];
  bool asResource = isResourceConstant(c.originalWeight);
  if (codes.values && type.getStorageTypeIntegralWidth() == 4) {
    reader.isPacked = true;
    reader.tensor = createPackedInt4Constant(
        b, loc, *codes.values, c.weightShape, c.runBegin, c.runEnd, asResource);
    reader.map =
        getPackedInt4Map(c.loops.maps[1], c.weightShape, c.runBegin, c.runEnd);
    addWindowOperand(b, loc, c, reader);
    return reader;
  }
  if (codes.values && codes.rewritten) {
    reader.tensor = createCodesConstant(b, loc, *codes.values, c.weightShape,
                                        getStorageType(type), asResource);
    return reader;
  }
  reader.tensor = codes.tensor;
  return reader;
}

/// A tensor of the generic's result shape filled with `bias` along the
/// output channels, or with zeros.
Value createAccumulatorInit(OpBuilder &b, Location loc, const Contraction &c,
                            Value bias, Type elementType) {
  if (!bias)
    return createFilled(b, loc, c.loops.resultShape,
                        createConstant(b, loc, elementType, 0.0));
  return buildParallelGeneric(
      b, loc, RankedTensorType::get(c.loops.resultShape, elementType),
      ValueRange{reshapeTensor(b, loc, bias, c.channelShape)}, {c.channelMap},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// A per-output-channel constant table of `elementType` read through
/// `channelMap`.
Value createChannelTable(OpBuilder &b, Location loc, const Contraction &c,
                         Type elementType, ArrayRef<double> values) {
  return reshapeTensor(b, loc, createDenseVector(b, loc, elementType, values),
                       c.channelShape);
}

/// The activation, or the bounds of clip, on a float value.
Value applyActivation(OpBuilder &b, Location loc, Value x,
                      FusedActivation activation, std::optional<double> lo,
                      std::optional<double> hi) {
  Type type = x.getType();
  switch (activation) {
  case FusedActivation::none:
    return x;
  case FusedActivation::relu:
    return arith::MaximumFOp::create(b, loc, x,
                                     createConstant(b, loc, type, 0));
  case FusedActivation::clip:
    if (lo)
      x = arith::MaximumFOp::create(b, loc, x,
                                    createConstant(b, loc, type, *lo));
    if (hi)
      x = arith::MinimumFOp::create(b, loc, x,
                                    createConstant(b, loc, type, *hi));
    return x;
  }
  llvm_unreachable("unknown activation");
}

/// `x` (a double) rounded to `type` the way a compile-time f32 computation
/// would have rounded it.
double roundToType(double x, Type type) {
  if (type.isF32())
    return static_cast<float>(x);
  return x;
}

/// An elementwise generic over the accumulator and `extras`, producing
/// `elementType` elements of the accumulator's shape.
Value buildEpilogue(
    OpBuilder &b, Location loc, Value acc, const GenericInputs &extras,
    Type elementType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto accType = cast<RankedTensorType>(acc.getType());
  GenericInputs inputs;
  inputs.add(acc, b.getMultiDimIdentityMap(accType.getRank()));
  llvm::append_range(inputs.values, extras.values);
  llvm::append_range(inputs.maps, extras.maps);
  return buildParallelGeneric(b, loc, accType.clone(elementType), inputs.values,
                              inputs.maps, body);
}

/// The map reading `value` (with numpy-broadcast dims) from the result.
AffineMap getResultBroadcastMap(const Contraction &c, Value value) {
  return getBroadcastMap(value.getContext(),
                         cast<RankedTensorType>(value.getType()).getShape(),
                         c.loops.resultShape);
}

//===----------------------------------------------------------------------===//
// Integer kernels
//===----------------------------------------------------------------------===//

/// Stored integer activations: codes, signedness and affine parameters.
struct IntegerActivations {
  Value codes;
  bool isSigned = true;
  int64_t zeroPoint = 0;
};

/// Fails unless the weight's parameters are constant along the reduction
/// (an i32 accumulator has one scale).
LogicalResult checkPerChannelWeights(ConversionPatternRewriter &rewriter,
                                     const Contraction &c) {
  int64_t rank = c.params.getTableMap().getNumDims();
  for (int64_t d = 0; d < rank; ++d) {
    if (d == c.outDim || !c.params.variesAlong(d))
      continue;
    return failLowering(rewriter, c.op,
                        "integer kernels need one weight scale per output "
                        "channel; weight groups along other dimensions need "
                        "float activations (weight-only)");
  }
  return success();
}

/// Unsigned codes as signed ones with the same differences to the zero
/// point: u - z == (u xor 2^(b-1)) - (z - 2^(b-1)), the xor read as signed.
/// Matmul generics must not extend unsigned operands: the CPU pipeline turns
/// contraction generics into named linalg.matmul ops, which sign-extend
/// whatever the body did (MLIR 22's specializeGenericOp keeps no cast kind).
Value flipSignBit(OpBuilder &b, Location loc, Value codes) {
  auto type = cast<RankedTensorType>(codes.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  return buildParallelGeneric(
      b, loc, type, ValueRange{codes}, {b.getMultiDimIdentityMap(rank)},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        int64_t signBit = int64_t(1) << (element.getIntOrFloatBitWidth() - 1);
        return arith::XOrIOp::create(
            nb, nl, args[0], createIntConstant(nb, nl, element, signBit));
      });
}

IntegerActivations toSignedActivations(OpBuilder &b, Location loc,
                                       IntegerActivations lhs) {
  if (lhs.isSigned)
    return lhs;
  unsigned width = elementTypeOf(lhs.codes.getType()).getIntOrFloatBitWidth();
  lhs.codes = flipSignBit(b, loc, lhs.codes);
  lhs.zeroPoint -= int64_t(1) << (width - 1);
  lhs.isSigned = true;
  return lhs;
}

/// The weight codes of an integer kernel: stored ones for convolutions;
/// signed ones for matmuls (see flipSignBit), re-biased at compile time
/// when the weights are constant.
WeightCodes prepareIntegerWeights(OpBuilder &b, Location loc,
                                  const Contraction &c) {
  WeightCodes codes = getStoredWeightCodes(c);
  if (codes.isSigned || c.zeroPointsInBody)
    return codes;
  int64_t half = int64_t(1)
                 << (c.getWeightType().getStorageTypeIntegralWidth() - 1);
  codes.isSigned = true;
  codes.zeroPointShift = half;
  if (codes.values) {
    for (int64_t &value : *codes.values)
      value -= half;
    codes.rewritten = true;
  } else {
    codes.tensor = flipSignBit(b, loc, codes.tensor);
  }
  return codes;
}

/// sum (a - za) * (w - zw) over the reduction, in i32, from `init`. Matmul
/// bodies leave the zero points to the epilogue (see the file header).
Value buildIntegerContraction(OpBuilder &b, Location loc, const Contraction &c,
                              const IntegerActivations &lhs,
                              const WeightReader &weight, Value init) {
  Type i32 = b.getI32Type();
  GenericInputs inputs;
  unsigned lhsArg = inputs.add(lhs.codes, c.loops.maps[0]);
  unsigned weightArg = weight.addTo(inputs);
  std::optional<unsigned> zeroPointArg;
  bool subtract = c.zeroPointsInBody;
  if (subtract && c.hasPerChannelParams() && c.params.hasZeroPoints())
    zeroPointArg = inputs.add(c.params.createZeroPointTable(b, loc, i32),
                              c.params.getTableMap().compose(c.paramsMap));
  inputs.maps.push_back(c.loops.maps[2]);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs.values, ValueRange{init},
             inputs.maps, c.loops.iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value a = extendCode(nb, nl, args[lhsArg], lhs.isSigned, i32);
               Value w =
                   extendCode(nb, nl, weight.readCode(nb, nl, args[weightArg]),
                              weight.isSigned, i32);
               if (subtract && lhs.zeroPoint != 0)
                 a = arith::SubIOp::create(
                     nb, nl, a, createIntConstant(nb, nl, i32, lhs.zeroPoint));
               if (zeroPointArg)
                 w = arith::SubIOp::create(nb, nl, w, args[*zeroPointArg]);
               else if (subtract && c.params.isPerTensor() &&
                        c.params.getZeroPoint() != 0)
                 w = arith::SubIOp::create(
                     nb, nl, w,
                     createIntConstant(nb, nl, i32, c.params.getZeroPoint()));
               Value product = arith::MulIOp::create(nb, nl, a, w);
               Value sum = arith::AddIOp::create(nb, nl, args.back(), product);
               linalg::YieldOp::create(nb, nl, sum);
             })
      .getResult(0);
}

/// The zero points of the weight codes a matmul reads, per output channel
/// (one value per tensor).
SmallVector<int64_t> getWeightZeroPoints(const Contraction &c,
                                         const WeightCodes &codes) {
  SmallVector<int64_t> zeroPoints;
  int64_t count = c.hasPerChannelParams() ? c.getNumChannels() : 1;
  for (int64_t channel = 0; channel < count; ++channel)
    zeroPoints.push_back(c.getWeightZeroPoint(channel) - codes.zeroPointShift);
  return zeroPoints;
}

/// The zero-point corrections of a matmul accumulator (see the file
/// header) as epilogue inputs, and the body that applies them.
struct ZeroPointCorrection {
  /// -za * colsum(w) (+ K za zb when the weights are constant), broadcast
  /// over the result.
  std::optional<unsigned> offset;
  /// K za zb[n] still to add (non-constant weights).
  bool addConstantTerm = false;
  /// rowsum(a) and, per channel, zb.
  std::optional<unsigned> rowSum, weightZeroPoint;
  int64_t activationZeroPoint = 0;
  int64_t reductionSize = 0;
  /// zb per tensor (when there is no table).
  int64_t zeroPoint = 0;

  Value apply(OpBuilder &b, Location loc, Value acc, ValueRange extras) const {
    Type i32 = b.getI32Type();
    Value zb;
    if (rowSum || addConstantTerm)
      zb = weightZeroPoint ? extras[*weightZeroPoint]
                           : createIntConstant(b, loc, i32, zeroPoint);
    if (offset)
      acc = arith::AddIOp::create(b, loc, acc, extras[*offset]);
    if (addConstantTerm)
      acc = arith::AddIOp::create(
          b, loc, acc,
          arith::MulIOp::create(
              b, loc, zb,
              createIntConstant(b, loc, i32,
                                reductionSize * activationZeroPoint)));
    if (rowSum)
      acc = arith::SubIOp::create(
          b, loc, acc, arith::MulIOp::create(b, loc, zb, extras[*rowSum]));
    return acc;
  }

  bool isNeeded() const { return offset || rowSum || addConstantTerm; }
};

/// Sum of the activation codes along the reduction (the last dimension),
/// shaped to broadcast over the result: [..., M, 1].
Value buildRowSum(OpBuilder &b, Location loc, const IntegerActivations &lhs) {
  auto type = cast<RankedTensorType>(lhs.codes.getType());
  int64_t rank = type.getRank();
  Type i32 = b.getI32Type();
  Value sums = buildReduction(
      b, loc, lhs.codes, {rank - 1}, createIntConstant(b, loc, i32, 0), {},
      [&](OpBuilder &nb, Location nl, Value element, ValueRange, Value acc) {
        return arith::AddIOp::create(
            nb, nl, acc, extendCode(nb, nl, element, lhs.isSigned, i32));
      });
  SmallVector<int64_t> shape(type.getShape().drop_back());
  shape.push_back(1);
  return reshapeTensor(b, loc, sums, shape);
}

/// -za * colsum(w) for matmul weights [..., K, N], shaped [..., 1, N]: at
/// compile time (with K za zb[n]) when the codes are known, else a
/// reduction over the weights.
Value buildWeightOffset(OpBuilder &b, Location loc, const Contraction &c,
                        const WeightCodes &codes, ArrayRef<int64_t> zeroPoints,
                        int64_t za, bool &addConstantTerm) {
  ArrayRef<int64_t> shape = c.weightShape;
  int64_t rank = shape.size();
  int64_t k = shape[rank - 2], n = shape[rank - 1];
  int64_t batches = product(shape.drop_back(2));
  SmallVector<int64_t> offsetShape(shape.drop_back(2));
  offsetShape.append({1, n});
  Type i32 = b.getI32Type();
  if (codes.values) {
    addConstantTerm = false;
    SmallVector<int32_t> offsets(batches * n);
    for (int64_t batch = 0; batch < batches; ++batch)
      for (int64_t col = 0; col < n; ++col) {
        int64_t sum = 0;
        for (int64_t row = 0; row < k; ++row)
          sum += (*codes.values)[(batch * k + row) * n + col];
        int64_t zb = zeroPoints[zeroPoints.size() == 1 ? 0 : col];
        // Modulo 2^32, like the i32 accumulator it corrects.
        offsets[batch * n + col] = static_cast<int32_t>(static_cast<uint32_t>(
            static_cast<uint64_t>(k * za * zb - za * sum)));
      }
    auto type = RankedTensorType::get(offsetShape, i32);
    return arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef<int32_t>(offsets)));
  }
  addConstantTerm = true;
  Value sums = buildReduction(
      b, loc, codes.tensor, {rank - 2}, createIntConstant(b, loc, i32, 0), {},
      [&](OpBuilder &nb, Location nl, Value element, ValueRange, Value acc) {
        Value w = extendCode(nb, nl, element, codes.isSigned, i32);
        return arith::SubIOp::create(
            nb, nl, acc,
            arith::MulIOp::create(nb, nl, w,
                                  createIntConstant(nb, nl, i32, za)));
      });
  return reshapeTensor(b, loc, sums, offsetShape);
}

/// The zero-point corrections of an integer matmul as epilogue inputs.
ZeroPointCorrection addZeroPointCorrection(OpBuilder &b, Location loc,
                                           const Contraction &c,
                                           const IntegerActivations &lhs,
                                           const WeightCodes &codes,
                                           GenericInputs &extras) {
  ZeroPointCorrection correction;
  correction.activationZeroPoint = lhs.zeroPoint;
  correction.reductionSize = c.reductionSize;
  if (c.zeroPointsInBody)
    return correction;
  SmallVector<int64_t> zeroPoints = getWeightZeroPoints(c, codes);
  correction.zeroPoint = zeroPoints.front();
  if (lhs.zeroPoint != 0) {
    Value offset = buildWeightOffset(b, loc, c, codes, zeroPoints,
                                     lhs.zeroPoint, correction.addConstantTerm);
    correction.offset = extras.add(offset, getResultBroadcastMap(c, offset));
  }
  if (llvm::any_of(zeroPoints, [](int64_t zp) { return zp != 0; })) {
    Value rowSum = buildRowSum(b, loc, lhs);
    correction.rowSum = extras.add(rowSum, getResultBroadcastMap(c, rowSum));
  }
  if ((correction.rowSum || correction.addConstantTerm) &&
      zeroPoints.size() > 1) {
    SmallVector<double> table(zeroPoints.begin(), zeroPoints.end());
    correction.weightZeroPoint = extras.add(
        createChannelTable(b, loc, c, b.getI32Type(), table), c.channelMap);
  }
  return correction;
}

/// quant x quant -> quant / float / i32.
FailureOr<Value> lowerIntegerKernel(ConversionPatternRewriter &rewriter,
                                    Location loc, const Contraction &c,
                                    IntegerActivations lhs, double lhsScale,
                                    Type resultElement) {
  Type i32 = rewriter.getI32Type();
  if (!c.zeroPointsInBody)
    lhs = toSignedActivations(rewriter, loc, lhs);
  WeightCodes codes = prepareIntegerWeights(rewriter, loc, c);
  WeightReader weight = createWeightReader(rewriter, loc, c, codes);
  Value init = createAccumulatorInit(rewriter, loc, c, c.bias, i32);
  Value acc = buildIntegerContraction(rewriter, loc, c, lhs, weight, init);

  GenericInputs extras;
  ZeroPointCorrection correction =
      addZeroPointCorrection(rewriter, loc, c, lhs, codes, extras);
  if (resultElement.isInteger(32)) {
    if (!correction.isNeeded())
      return acc;
    return buildEpilogue(rewriter, loc, acc, extras, i32,
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return correction.apply(b, l, args[0],
                                                   args.drop_front());
                         });
  }

  // float(acc) * multiplier[n]: sa * sb[n] for a float result,
  // sa * sb[n] / sy for a quantized one (real / sy), rounded to the float
  // type at compile time.
  auto resultQuant = dyn_cast<quant::UniformQuantizedType>(resultElement);
  Type floatType = c.floatType;
  double resultScale = resultQuant ? resultQuant.getScale() : 1.0;
  SmallVector<double> multipliers;
  for (int64_t channel = 0;
       channel < (c.hasPerChannelParams() ? c.getNumChannels() : 1);
       ++channel) {
    double scale =
        roundToType(roundToType(lhsScale, floatType) *
                        roundToType(c.getWeightScale(channel), floatType),
                    floatType);
    if (resultQuant)
      scale =
          roundToType(scale / roundToType(resultScale, floatType), floatType);
    multipliers.push_back(scale);
  }
  std::optional<unsigned> multiplierArg;
  if (c.hasPerChannelParams())
    multiplierArg =
        extras.add(createChannelTable(rewriter, loc, c, floatType, multipliers),
                   c.channelMap);
  std::optional<double> lo = c.clipMin, hi = c.clipMax;
  if (resultQuant) {
    // The activation acts on real values; on real / sy it clips at
    // bound / sy.
    if (lo)
      lo = roundToType(roundToType(*lo, floatType) /
                           roundToType(resultScale, floatType),
                       floatType);
    if (hi)
      hi = roundToType(roundToType(*hi, floatType) /
                           roundToType(resultScale, floatType),
                       floatType);
  }
  Type storage = resultQuant ? Type(getStorageType(resultQuant)) : floatType;
  return buildEpilogue(
      rewriter, loc, acc, extras, storage,
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        ValueRange rest = args.drop_front();
        Value corrected = correction.apply(b, l, args[0], rest);
        Value multiplier =
            multiplierArg ? rest[*multiplierArg]
                          : createConstant(b, l, floatType, multipliers[0]);
        Value value = arith::MulFOp::create(
            b, l, arith::SIToFPOp::create(b, l, floatType, corrected),
            multiplier);
        value = applyActivation(b, l, value, c.activation, lo, hi);
        if (!resultQuant)
          return value;
        return roundToStorage(
            b, l, value,
            createConstant(b, l, floatType,
                           static_cast<double>(resultQuant.getZeroPoint())),
            resultQuant);
      });
}

//===----------------------------------------------------------------------===//
// Weight-only kernels
//===----------------------------------------------------------------------===//

/// float x quant -> float: the weights are dequantized inside the loop.
FailureOr<Value> lowerWeightOnlyKernel(ConversionPatternRewriter &rewriter,
                                       Location loc, const Contraction &c) {
  Type floatType = c.floatType;
  WeightReader weight =
      createWeightReader(rewriter, loc, c, getStoredWeightCodes(c));
  Value table;
  if (c.codebook)
    table = createCodebookTable(rewriter, loc, *c.codebook, floatType);

  GenericInputs inputs;
  unsigned lhsArg = inputs.add(c.input, c.loops.maps[0]);
  unsigned weightArg = weight.addTo(inputs);
  std::optional<unsigned> scaleArg, zeroPointArg;
  if (c.hasPerChannelParams()) {
    AffineMap tableMap = c.params.getTableMap().compose(c.paramsMap);
    scaleArg = inputs.add(c.params.createScaleTable(rewriter, loc, floatType),
                          tableMap);
    if (c.params.hasZeroPoints())
      zeroPointArg = inputs.add(
          c.params.createZeroPointTable(rewriter, loc, floatType), tableMap);
  }
  inputs.maps.push_back(c.loops.maps[2]);
  Value init = createAccumulatorInit(rewriter, loc, c, c.bias, floatType);
  bool isSigned = c.getWeightType().isSigned();
  Value acc =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{init.getType()}, inputs.values,
          ValueRange{init}, inputs.maps, c.loops.iterators,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value code = weight.readCode(b, l, args[weightArg]);
            Value scale =
                scaleArg ? args[*scaleArg]
                         : createConstant(b, l, floatType, c.params.getScale());
            Value w;
            if (table) {
              w = decodeCodebook(b, l, table, code);
            } else {
              w = codeToFloat(b, l, code, isSigned, floatType);
              if (zeroPointArg)
                w = arith::SubFOp::create(b, l, w, args[*zeroPointArg]);
              else if (c.params.isPerTensor() && c.params.getZeroPoint() != 0)
                w = arith::SubFOp::create(
                    b, l, w,
                    createConstant(
                        b, l, floatType,
                        static_cast<double>(c.params.getZeroPoint())));
            }
            w = arith::MulFOp::create(b, l, w, scale);
            Value product = arith::MulFOp::create(b, l, args[lhsArg], w);
            Value sum = arith::AddFOp::create(b, l, args.back(), product);
            linalg::YieldOp::create(b, l, sum);
          })
          .getResult(0);
  if (c.activation == FusedActivation::none)
    return acc;
  return buildEpilogue(rewriter, loc, acc, {}, floatType,
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         return applyActivation(b, l, args[0], c.activation,
                                                c.clipMin, c.clipMax);
                       });
}

//===----------------------------------------------------------------------===//
// Dynamic kernels
//===----------------------------------------------------------------------===//

/// float (quantized per row at run time) x quant -> float.
FailureOr<Value> lowerDynamicKernel(ConversionPatternRewriter &rewriter,
                                    Location loc, const Contraction &c) {
  Type floatType = c.floatType;
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  auto xType = cast<RankedTensorType>(c.input.getType());
  int64_t rank = xType.getRank();
  SmallVector<int64_t> rowShape(xType.getShape().drop_back());

  // scale[m] = absmax / 127 (1 for an all-zero row).
  Value absMax = buildReduction(
      rewriter, loc, c.input, {rank - 1},
      createConstant(rewriter, loc, floatType, 0.0), {},
      [](OpBuilder &b, Location l, Value element, ValueRange, Value acc) {
        return arith::MaximumFOp::create(b, l, acc,
                                         math::AbsFOp::create(b, l, element));
      });
  Value rowScale = buildParallelGeneric(
      rewriter, loc, RankedTensorType::get(rowShape, floatType),
      ValueRange{absMax}, {rewriter.getMultiDimIdentityMap(rank - 1)},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value zero = createConstant(b, l, floatType, 0.0);
        Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                             args[0], zero);
        Value scale = arith::DivFOp::create(
            b, l, args[0], createConstant(b, l, floatType, 127.0));
        return arith::SelectOp::create(
            b, l, isZero, createConstant(b, l, floatType, 1.0), scale);
      });
  // q = clamp(round_half_to_even(x / scale[m]), -127, 127) as i8.
  SmallVector<AffineExpr> rowExprs;
  for (int64_t d = 0; d + 1 < rank; ++d)
    rowExprs.push_back(rewriter.getAffineDimExpr(d));
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, rewriter.getContext());
  Value codes = buildParallelGeneric(
      rewriter, loc, xType.clone(i8), ValueRange{c.input, rowScale},
      {rewriter.getMultiDimIdentityMap(rank), rowMap},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value rounded = math::RoundEvenOp::create(
            b, l, arith::DivFOp::create(b, l, args[0], args[1]));
        Value clamped = arith::MinNumFOp::create(
            b, l,
            arith::MaxNumFOp::create(b, l, rounded,
                                     createConstant(b, l, floatType, -127.0)),
            createConstant(b, l, floatType, 127.0));
        return arith::FPToSIOp::create(b, l, i8, clamped);
      });

  IntegerActivations lhs{codes, /*isSigned=*/true, /*zeroPoint=*/0};
  WeightCodes weightCodes = prepareIntegerWeights(rewriter, loc, c);
  WeightReader weight = createWeightReader(rewriter, loc, c, weightCodes);
  Value init = createFilled(rewriter, loc, c.loops.resultShape,
                            createIntConstant(rewriter, loc, i32, 0));
  Value acc = buildIntegerContraction(rewriter, loc, c, lhs, weight, init);

  GenericInputs extras;
  ZeroPointCorrection correction =
      addZeroPointCorrection(rewriter, loc, c, lhs, weightCodes, extras);
  SmallVector<int64_t> scaleShape(rowShape);
  scaleShape.push_back(1);
  Value scales = reshapeTensor(rewriter, loc, rowScale, scaleShape);
  unsigned rowScaleArg = extras.add(scales, getResultBroadcastMap(c, scales));
  std::optional<unsigned> weightScaleArg, biasArg;
  if (c.hasPerChannelParams()) {
    SmallVector<double> weightScales;
    for (int64_t channel = 0; channel < c.getNumChannels(); ++channel)
      weightScales.push_back(c.getWeightScale(channel));
    weightScaleArg = extras.add(
        createChannelTable(rewriter, loc, c, floatType, weightScales),
        c.channelMap);
  }
  if (c.bias)
    biasArg = extras.add(reshapeTensor(rewriter, loc, c.bias, c.channelShape),
                         c.channelMap);
  return buildEpilogue(
      rewriter, loc, acc, extras, floatType,
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        ValueRange rest = args.drop_front();
        Value corrected = correction.apply(b, l, args[0], rest);
        Value weightScale =
            weightScaleArg
                ? rest[*weightScaleArg]
                : createConstant(b, l, floatType, c.params.getScale());
        Value value = arith::MulFOp::create(
            b, l,
            arith::MulFOp::create(
                b, l, arith::SIToFPOp::create(b, l, floatType, corrected),
                rest[rowScaleArg]),
            weightScale);
        if (biasArg)
          value = arith::AddFOp::create(b, l, value, rest[*biasArg]);
        return applyActivation(b, l, value, c.activation, c.clipMin, c.clipMax);
      });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// The epilogue attributes both ops share.
template <typename OpTy> void setEpilogueAttributes(Contraction &c, OpTy op) {
  c.activation = op.getActivation();
  if (FloatAttr lo = op.getClipMinAttr())
    c.clipMin = lo.getValueAsDouble();
  if (FloatAttr hi = op.getClipMaxAttr())
    c.clipMax = hi.getValueAsDouble();
  c.codebook = op.getWeightCodebook();
}

/// Fails, before any IR is built, for what the kernel of `c` cannot lower.
LogicalResult checkKernel(ConversionPatternRewriter &rewriter,
                          const Contraction &c, Type lhsElement, bool dynamic) {
  if (c.codebook &&
      failed(checkCodebook(rewriter, c.op, *c.codebook, c.params)))
    return failure();
  if (isa<quant::QuantizedType>(lhsElement) || dynamic)
    return checkPerChannelWeights(rewriter, c);
  return success();
}

/// The kernel the element types select (see the op description).
FailureOr<Value> lowerKernel(ConversionPatternRewriter &rewriter, Location loc,
                             const Contraction &c, Type lhsElement,
                             Type resultElement, bool dynamic) {
  if (auto lhs = dyn_cast<quant::UniformQuantizedType>(lhsElement))
    return lowerIntegerKernel(rewriter, loc, c,
                              {c.input, lhs.isSigned(), lhs.getZeroPoint()},
                              lhs.getScale(), resultElement);
  if (dynamic)
    return lowerDynamicKernel(rewriter, loc, c);
  return lowerWeightOnlyKernel(rewriter, loc, c);
}

/// (batch..., m, n, k) loops as (m, batch..., n, k). The CPU pipeline turns
/// a generic with leading batch loops into linalg.batch_matmul, whose
/// vectorization keeps i8 operands inside a batched vector.contract that
/// MLIR 22's contraction lowering leaves unlowered; a batched contraction
/// that is not a named op is vectorized with explicit extensions instead.
void moveRowLoopFirst(ContractionLoops &loops) {
  int64_t numLoops = loops.iterators.size(), row = numLoops - 3;
  MLIRContext *ctx = loops.maps.front().getContext();
  // Old loop `row` becomes loop 0, old loops [0, row) shift by one.
  SmallVector<AffineExpr> oldToNew;
  for (int64_t d = 0; d < numLoops; ++d)
    oldToNew.push_back(
        getAffineDimExpr(d == row ? 0 : (d < row ? d + 1 : d), ctx));
  AffineMap permutation = AffineMap::get(numLoops, 0, oldToNew, ctx);
  for (AffineMap &map : loops.maps)
    map = map.compose(permutation);
  SmallVector<utils::IteratorType> iterators(loops.iterators);
  iterators.erase(iterators.begin() + row);
  iterators.insert(iterators.begin(), loops.iterators[row]);
  loops.iterators = iterators;
}

/// `lowbit.matmul` batching: a weight without batch dimensions folds the
/// activations' batch into rows (one [rows, K] x [K, N] contraction);
/// otherwise (batch..., m, n, k) loops with numpy broadcasting.
struct QuantizedMatMulLowering final : OpConversionPattern<QuantizedMatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizedMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto weightType = cast<quant::QuantizedType>(rhsType.getElementType());
    FailureOr<QuantParams> params =
        QuantParams::get(weightType, rhsType.getShape());
    if (failed(params))
      return failLowering(rewriter, op, "unsupported weight quantization");
    ArrayRef<int64_t> rhsShape = rhsType.getShape();
    int64_t rhsRank = rhsShape.size();

    Contraction c;
    c.op = op;
    c.params = *params;
    c.outDim = rhsRank - 1;
    c.originalWeight = op.getRhs();
    c.floatType = weightType.getExpressedType();
    setEpilogueAttributes(c, op);
    Type lhsElement = lhsType.getElementType();
    if (failed(
            checkKernel(rewriter, c, lhsElement, op.getDynamicActivations())))
      return failure();

    int64_t k = rhsShape[rhsRank - 2], n = rhsShape[rhsRank - 1];
    // numpy promotion of a 1-D lhs; the result type already lacks the
    // promoted dimension, so the final reshape drops it.
    SmallVector<int64_t> lhsShape(lhsType.getShape());
    if (lhsShape.size() == 1)
      lhsShape.insert(lhsShape.begin(), 1);
    c.weightShape.assign(rhsShape.begin(), rhsShape.end());
    bool foldRows = product(rhsShape.drop_back(2)) == 1;
    if (foldRows) {
      lhsShape = {product(ArrayRef<int64_t>(lhsShape).drop_back()), k};
      c.weightShape = {k, n};
    }
    c.input = reshapeTensor(rewriter, loc, adaptor.getLhs(), lhsShape);
    c.weight = reshapeTensor(rewriter, loc, adaptor.getRhs(), c.weightShape);
    int64_t weightRank = c.weightShape.size();
    c.runBegin = weightRank - 2;
    c.runEnd = weightRank - 1;
    c.loops = getBatchedMatmulLoops(ctx, lhsShape, c.weightShape);
    int64_t numLoops = c.loops.iterators.size();
    if (!foldRows)
      moveRowLoopFirst(c.loops);
    c.paramsMap = c.loops.maps[1];
    if (foldRows) {
      SmallVector<AffineExpr> exprs(rhsRank - 2, getAffineConstantExpr(0, ctx));
      exprs.push_back(getAffineDimExpr(numLoops - 1, ctx));
      exprs.push_back(getAffineDimExpr(numLoops - 2, ctx));
      c.paramsMap = AffineMap::get(numLoops, 0, exprs, ctx);
    }
    int64_t resultRank = c.getResultRank();
    c.channelShape = {n};
    c.channelMap = AffineMap::get(resultRank, 0,
                                  {getAffineDimExpr(resultRank - 1, ctx)}, ctx);
    c.reductionSize = k;
    c.bias = adaptor.getBias();

    FailureOr<Value> result =
        lowerKernel(rewriter, loc, c, lhsElement, op.getType().getElementType(),
                    op.getDynamicActivations());
    if (failed(result))
      return failure();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, *result, resultType.getShape()));
    return success();
  }
};

/// `lowbit.conv` structure: the input padded (with the activation zero
/// point for integer kernels, so that padding contributes nothing), and
/// one grouped generic over (n, g, f, o..., c, k...) for every group count
/// (depthwise is G = C, Cg = 1), computing [N, G, Fg, O...].
struct QuantizedConvLowering final : OpConversionPattern<QuantizedConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizedConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    if (op.getDynamicActivations())
      return failLowering(rewriter, op,
                          "dynamic_activations is only supported on "
                          "quantized_matmul");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto weightTensorType = cast<RankedTensorType>(op.getWeight().getType());
    auto weightType =
        cast<quant::QuantizedType>(weightTensorType.getElementType());
    FailureOr<QuantParams> params =
        QuantParams::get(weightType, weightTensorType.getShape());
    if (failed(params))
      return failLowering(rewriter, op, "unsupported weight quantization");

    Contraction c;
    c.op = op;
    c.params = *params;
    c.outDim = 0;
    c.originalWeight = op.getWeight();
    c.floatType = weightType.getExpressedType();
    c.zeroPointsInBody = true;
    setEpilogueAttributes(c, op);
    Type lhsElement = inputType.getElementType();
    if (failed(checkKernel(rewriter, c, lhsElement, /*dynamic=*/false)))
      return failure();

    int64_t spatial = inputType.getRank() - 2;
    int64_t group = op.getGroup();
    ArrayRef<int64_t> weightShape = weightTensorType.getShape();
    int64_t filters = weightShape[0], groupChannels = weightShape[1];
    int64_t groupFilters = filters / group;
    ArrayRef<int64_t> kernel = weightShape.drop_front(2);

    auto lhsQuant = dyn_cast<quant::UniformQuantizedType>(lhsElement);
    Value padValue =
        lhsQuant ? createIntConstant(rewriter, loc, getStorageType(lhsQuant),
                                     lhsQuant.getZeroPoint())
                 : createConstant(rewriter, loc, c.floatType, 0.0);
    Value input = padSpatialDims(rewriter, loc, adaptor.getInput(),
                                 op.getPads(), padValue);
    c.input = splitChannels(rewriter, loc, input, group, 1);
    c.weightShape = {group, groupFilters, groupChannels};
    llvm::append_range(c.weightShape, kernel);
    c.weight = reshapeTensor(rewriter, loc, adaptor.getWeight(), c.weightShape);
    c.runBegin = 2;
    c.runEnd = c.weightShape.size();
    c.loops = getGroupedConvLoops(ctx, op.getStrides(), op.getDilations(),
                                  getForwardWeightMap(ctx, spatial));
    ArrayRef<int64_t> resultShape = op.getType().getShape();
    c.loops.resultShape = {resultShape[0], group, groupFilters};
    llvm::append_range(c.loops.resultShape, resultShape.drop_front(2));
    int64_t numLoops = c.loops.iterators.size();
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> paramExprs{dim(1) * groupFilters + dim(2),
                                       dim(3 + spatial)};
    for (int64_t i = 0; i < spatial; ++i)
      paramExprs.push_back(dim(4 + spatial + i));
    c.paramsMap = AffineMap::get(numLoops, 0, paramExprs, ctx);
    c.channelShape = {group, groupFilters};
    c.channelMap = AffineMap::get(c.getResultRank(), 0, {dim(1), dim(2)}, ctx);
    c.reductionSize = groupChannels * product(kernel);
    c.bias = adaptor.getBias();

    FailureOr<Value> result = lowerKernel(rewriter, loc, c, lhsElement,
                                          op.getType().getElementType(), false);
    if (failed(result))
      return failure();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, *result, resultType.getShape()));
    return success();
  }
};

} // namespace

void lowbit::populateLowbitQuantizedContractionToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<QuantizedMatMulLowering, QuantizedConvLowering>(
      typeConverter, patterns.getContext());
}
