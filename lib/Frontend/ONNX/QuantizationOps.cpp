//===- QuantizationOps.cpp - ONNX quantize, dequantize, integer kernels ---===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, QLinearMatMul,
// QLinearConv, MatMulInteger, ConvInteger and com.microsoft MatMulNBits.
//
// Scales and zero points known at import time become upstream
// `!quant.uniform` element types (per tensor, per axis, sub-channel) on
// lowbit.quantize / dequantize / quantized_matmul / quantized_conv. A value
// ONNX sees stays the plain integer tensor ONNX has (ui8, i8, ...), and
// quant.scast reinterprets its codes as the quantized type. quant.scast only
// takes signless integers, so unsigned codes also go through a same-width
// lowbit.cast (a no-op after lowering). The importer remembers which
// quantized tensor a plain value holds, so that a QuantizeLinear ->
// DequantizeLinear pair imports as dequantize(quantize(x)) with no cast in
// between: the chain lowbit-quantize folds.
//
// Parameters computed at run time (DynamicQuantizeLinear or its expanded
// form feeding QuantizeLinear) cannot be types: QuantizeLinear and
// DequantizeLinear then become the same arithmetic on plain tensors, and
// MatMulInteger / ConvInteger exact integer arithmetic in i32.
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

//===----------------------------------------------------------------------===//
// Quantized types from ONNX parameters
//===----------------------------------------------------------------------===//

/// How ONNX stores the codes of a quantized tensor: the element type of its
/// zero point (uint8, int8, ...).
struct Storage {
  unsigned width = 8;
  bool isSigned = false;

  /// Fails with an error naming `what` for element types that are not
  /// 8-, 16- or 32-bit integers.
  static FailureOr<Storage> get(NodeImporter &node, Type elementType,
                                StringRef what) {
    auto intType = dyn_cast<IntegerType>(elementType);
    if (!intType || !llvm::is_contained({8u, 16u, 32u}, intType.getWidth()))
      return node.emitUnsupported()
             << ": " << what << " has element type " << elementType
             << ", not an 8-, 16- or 32-bit integer";
    return Storage{intType.getWidth(), !intType.isUnsigned()};
  }

  unsigned getFlags() const {
    return isSigned ? quant::QuantizationFlags::Signed : 0;
  }
  int64_t getMin() const {
    return quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  }
  int64_t getMax() const {
    return quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);
  }
  IntegerType getSignlessType(MLIRContext *context) const {
    return IntegerType::get(context, width);
  }
};

/// Scales and zero points known at import time: one pair per tensor, or one
/// per index of `axis`.
struct AffineParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int32_t> axis;
};

/// A scale or zero point input known at import time for a Q/DQ node: a
/// constant (initializer, Constant node, or folded from them) or a graph
/// input bound with --input-value. A value the graph computes from its
/// inputs is not one, even when the host could evaluate it for bound
/// inputs: such parameters change at run time and the artifact must compute
/// them.
const HostTensor *getKnownParam(NodeImporter &node, unsigned i) {
  if (!node.hasInput(i))
    return nullptr;
  if (const HostTensor *constant = node.getConstantInput(i))
    return constant;
  if (node.isGraphInput(i))
    return node.getRequiredConstant(i);
  return nullptr;
}

/// The dimension a 1-D parameter with more than one element applies along:
/// the node's `axis` attribute (default 1), normalized against `rank`.
/// Nothing for per-tensor parameters.
FailureOr<std::optional<int64_t>> getParamAxis(NodeImporter &node,
                                               RankedTensorType paramType,
                                               int64_t rank) {
  if (paramType.getRank() == 0 || paramType.getNumElements() == 1)
    return std::optional<int64_t>();
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.getIntAttr("axis", 1), rank);
  if (failed(axis))
    return failure();
  return std::optional<int64_t>(*axis);
}

/// Reads `scale` and `zeroPoint` (null: 0) for a tensor of `shape`: per
/// tensor for one element, per axis along `axis` otherwise. `what` names the
/// scale input in errors.
FailureOr<AffineParams> readAffineParams(NodeImporter &node,
                                         const HostTensor &scale,
                                         const HostTensor *zeroPoint,
                                         ArrayRef<int64_t> shape,
                                         std::optional<int64_t> axis,
                                         StringRef what) {
  int64_t count = scale.getNumElements();
  if (scale.getRank() > 1)
    return node.emitUnsupported()
           << ": " << what << " has rank " << scale.getRank()
           << " (blocked quantization); only per-tensor and per-axis "
              "parameters are supported";
  if (count == 0 || !scale.isFloat())
    return node.emitError() << what << " must hold float scales";
  if (zeroPoint && zeroPoint->getNumElements() != count)
    return node.emitError() << what << " has " << count
                            << " elements but its zero point has "
                            << zeroPoint->getNumElements();
  AffineParams params;
  params.scales = scale.getDoubles();
  params.zeroPoints = zeroPoint ? zeroPoint->getInts()
                                : SmallVector<int64_t>(count, 0);
  if (count == 1)
    return params;
  if (!axis)
    return node.emitUnsupported()
           << ": " << what << " has " << count
           << " elements, but only a per-tensor scale is supported here";
  if (shape[*axis] != count)
    return node.emitError() << what << " has " << count
                            << " elements, but dimension " << *axis
                            << " has " << shape[*axis];
  params.axis = static_cast<int32_t>(*axis);
  return params;
}

/// The `!quant.uniform` type of `params`, or null with `why` set when
/// upstream rejects them (a scale that is not positive and finite, a zero
/// point outside the storage range).
quant::QuantizedType getQuantType(MLIRContext *context, Storage storage,
                                  Type expressedType,
                                  const AffineParams &params,
                                  std::string &why) {
  ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
    why = diag.str();
    return success();
  });
  auto emitError = [&] { return mlir::emitError(UnknownLoc::get(context)); };
  Type storageType = storage.getSignlessType(context);
  if (params.axis)
    return quant::UniformQuantizedPerAxisType::getChecked(
        emitError, storage.getFlags(), storageType, expressedType,
        params.scales, params.zeroPoints, *params.axis, storage.getMin(),
        storage.getMax());
  return quant::UniformQuantizedType::getChecked(
      emitError, storage.getFlags(), storageType, expressedType,
      params.scales.front(), params.zeroPoints.front(), storage.getMin(),
      storage.getMax());
}

/// The quantized type of the tensor input `valueIndex` from the scale and
/// zero point inputs `scaleIndex` / `zeroPointIndex` (a missing zero point
/// is 0), for nodes that have no float fallback: the parameters must be
/// known at import time. `perAxis` is the dimension per-axis parameters may
/// apply along (none: per tensor only); `what` names the tensor in errors.
FailureOr<quant::QuantizedType>
getRequiredQuantType(NodeImporter &node, unsigned scaleIndex,
                     unsigned zeroPointIndex, ArrayRef<int64_t> shape,
                     Storage storage, Type expressedType,
                     std::optional<int64_t> perAxis, StringRef what) {
  std::string scaleName = (what + "_scale").str();
  FailureOr<const HostTensor *> scale =
      node.getRequiredConstant(scaleIndex, scaleName);
  if (failed(scale))
    return failure();
  const HostTensor *zeroPoint = nullptr;
  if (node.hasInput(zeroPointIndex)) {
    FailureOr<const HostTensor *> known = node.getRequiredConstant(
        zeroPointIndex, (what + "_zero_point").str());
    if (failed(known))
      return failure();
    zeroPoint = *known;
  }
  FailureOr<AffineParams> params = readAffineParams(
      node, **scale, zeroPoint, shape, perAxis, scaleName);
  if (failed(params))
    return failure();
  std::string why;
  quant::QuantizedType type =
      getQuantType(node.getContext(), storage, expressedType, *params, why);
  if (!type)
    return node.emitError() << "invalid quantization parameters for " << what
                            << ": " << why;
  return type;
}

/// A !quant type with scale 1 (raw integer codes and a zero point), per
/// tensor or along `axis`, for MatMulInteger / ConvInteger.
quant::QuantizedType getUnitScaleType(MLIRContext *context, Storage storage,
                                      ArrayRef<int64_t> zeroPoints,
                                      std::optional<int32_t> axis,
                                      std::string &why) {
  AffineParams params;
  params.zeroPoints.assign(zeroPoints.begin(), zeroPoints.end());
  if (params.zeroPoints.empty())
    params.zeroPoints.push_back(0);
  params.scales.assign(params.zeroPoints.size(), 1.0);
  params.axis = axis;
  return getQuantType(context, storage, Float32Type::get(context), params,
                      why);
}

//===----------------------------------------------------------------------===//
// Plain integer tensors and their quantized views
//===----------------------------------------------------------------------===//

/// Input `i` (integer codes as ONNX stores them) viewed as a tensor of
/// `type`, whose element type is quantized.
Value getQuantizedInput(NodeImporter &node, unsigned i, RankedTensorType type) {
  auto quantType = cast<quant::QuantizedType>(type.getElementType());
  auto signlessType = type.clone(IntegerType::get(
      node.getContext(), quantType.getStorageTypeIntegralWidth()));
  Value codes;
  if (const HostTensor *constant = node.getConstantInput(i)) {
    // Weights: a signless constant of the same bytes, no cast.
    ArrayRef<char> bytes = constant->getBytes();
    HostTensor bits(signlessType,
                    std::vector<char>(bytes.begin(), bytes.end()));
    codes = node.create<lowbit::ConstantOp>(
        bits.toElementsAttr(node.getProto().input(i)));
  } else {
    Value value = node.getInput(i);
    if (Value quantized = node.getQuantizedView(value);
        quantized && quantized.getType() == type)
      return quantized;
    codes = value;
    if (value.getType() != signlessType)
      codes = node.create<lowbit::CastOp>(signlessType, value);
  }
  return node.create<quant::StorageCastOp>(type, codes);
}

/// `quantized` as the plain integer tensor ONNX sees, of `plainElement`
/// (ui8, i8, ...).
Value getPlainResult(NodeImporter &node, Value quantized, Type plainElement) {
  auto type = cast<RankedTensorType>(quantized.getType());
  auto quantType = cast<quant::QuantizedType>(type.getElementType());
  Type signless = IntegerType::get(node.getContext(),
                                   quantType.getStorageTypeIntegralWidth());
  Value codes =
      node.create<quant::StorageCastOp>(type.clone(signless), quantized);
  if (plainElement != signless)
    codes = node.create<lowbit::CastOp>(type.clone(plainElement), codes);
  node.setQuantizedView(codes, quantized);
  return codes;
}

//===----------------------------------------------------------------------===//
// Run-time parameters: elementwise arithmetic on plain tensors
//===----------------------------------------------------------------------===//

/// `param` (a scalar, or 1-D along `axis`) shaped to broadcast against a
/// tensor of `shape`.
FailureOr<Value> broadcastParam(NodeImporter &node, Value param,
                                ArrayRef<int64_t> shape,
                                std::optional<int64_t> axis, StringRef what) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0)
    return param;
  if (type.getRank() > 1)
    return node.emitUnsupported()
           << ": " << what << " has rank " << type.getRank()
           << " (blocked quantization)";
  if (type.getNumElements() == 1)
    return createReshape(node, param, {});
  if (!axis)
    return node.emitUnsupported()
           << ": " << what << " has " << type.getNumElements()
           << " elements, but only a per-tensor value is supported here";
  if (shape[*axis] != type.getNumElements())
    return node.emitError() << what << " has " << type.getNumElements()
                            << " elements, but dimension " << *axis
                            << " has " << shape[*axis];
  SmallVector<int64_t> broadcast(shape.size(), 1);
  broadcast[*axis] = type.getNumElements();
  return createReshape(node, param, broadcast);
}

/// The zero point input `i` as a value to subtract or add, or null when it
/// is absent or a constant of zeros (nothing to do).
Value getZeroPointInput(NodeImporter &node, unsigned i) {
  if (!node.hasInput(i))
    return Value();
  if (const HostTensor *constant = node.getConstantInput(i))
    if (llvm::all_of(constant->getInts(), [](int64_t v) { return v == 0; }))
      return Value();
  return node.getInput(i);
}

/// `value` converted to `elementType` (ONNX Cast semantics).
Value castTo(NodeImporter &node, Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  return node.create<lowbit::CastOp>(type.clone(elementType), value);
}

/// saturate(round_half_even(x / scale) + zeroPoint) converted to
/// `storageElement`; `scale` and `zeroPoint` (may be null) already broadcast
/// against `x`.
Value quantizeArithmetic(NodeImporter &node, Value x, Value scale,
                         Value zeroPoint, Type storageElement,
                         Storage storage) {
  auto type = cast<RankedTensorType>(x.getType());
  Type floatType = type.getElementType();
  Value rounded = node.create<lowbit::RoundOp>(
      type, node.create<lowbit::DivOp>(type, x, scale));
  if (zeroPoint)
    rounded = node.create<lowbit::AddOp>(type, rounded,
                                         castTo(node, zeroPoint, floatType));
  Value clipped = node.create<lowbit::ClipOp>(
      type, rounded, getScalarAttr(floatType, storage.getMin()),
      getScalarAttr(floatType, storage.getMax()));
  return castTo(node, clipped, storageElement);
}

/// (x - zeroPoint) * scale in the float type of `scale`; `scale` and
/// `zeroPoint` (may be null) already broadcast against `x`.
Value dequantizeArithmetic(NodeImporter &node, Value x, Value scale,
                           Value zeroPoint) {
  Type floatType = cast<RankedTensorType>(scale.getType()).getElementType();
  auto type = cast<RankedTensorType>(x.getType()).clone(floatType);
  Value value = castTo(node, x, floatType);
  if (zeroPoint)
    value = node.create<lowbit::SubOp>(type, value,
                                       castTo(node, zeroPoint, floatType));
  return node.create<lowbit::MulOp>(type, value, scale);
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

LogicalResult importQuantizeLinear(NodeImporter &node) {
  MLIRContext *context = node.getContext();
  RankedTensorType xType = node.getInputType(0);
  RankedTensorType scaleType = node.getInputType(1);
  Type floatType = scaleType.getElementType();
  if (!isa<FloatType>(floatType))
    return node.emitError() << "y_scale must be a float tensor";
  Type plainElement = node.hasInput(2)
                          ? node.getInputType(2).getElementType()
                          : IntegerType::get(context, 8, IntegerType::Unsigned);
  FailureOr<Storage> storage = Storage::get(node, plainElement, "y_zero_point");
  if (failed(storage))
    return failure();
  FailureOr<std::optional<int64_t>> axis =
      getParamAxis(node, scaleType, xType.getRank());
  if (failed(axis))
    return failure();
  // int32 inputs (opset 10 / 13) are quantized from their float value.
  Value x = castTo(node, node.getInput(0), floatType);
  auto floatXType = xType.clone(floatType);

  const HostTensor *scale = getKnownParam(node, 1);
  const HostTensor *zeroPoint = getKnownParam(node, 2);
  if (scale && (zeroPoint || !node.hasInput(2))) {
    FailureOr<AffineParams> params = readAffineParams(
        node, *scale, zeroPoint, xType.getShape(), *axis, "y_scale");
    if (failed(params))
      return failure();
    std::string why;
    if (quant::QuantizedType quantType =
            getQuantType(context, *storage, floatType, *params, why)) {
      Value quantized = node.create<lowbit::QuantizeOp>(
          floatXType.clone(quantType), x, /*codebook=*/CodebookAttr());
      node.setResult(0, getPlainResult(node, quantized, plainElement));
      return success();
    }
    // Parameters no !quant type can hold (a zero or negative scale) still
    // have a meaning: compute it.
  }

  FailureOr<Value> scaleValue = broadcastParam(
      node, node.getInput(1), xType.getShape(), *axis, "y_scale");
  if (failed(scaleValue))
    return failure();
  Value zeroPointValue = getZeroPointInput(node, 2);
  if (zeroPointValue) {
    FailureOr<Value> broadcast = broadcastParam(
        node, zeroPointValue, xType.getShape(), *axis, "y_zero_point");
    if (failed(broadcast))
      return failure();
    zeroPointValue = *broadcast;
  }
  node.setResult(0, quantizeArithmetic(node, x, *scaleValue, zeroPointValue,
                                       plainElement, *storage));
  return success();
}

LogicalResult importDequantizeLinear(NodeImporter &node) {
  MLIRContext *context = node.getContext();
  RankedTensorType xType = node.getInputType(0);
  RankedTensorType scaleType = node.getInputType(1);
  Type floatType = scaleType.getElementType();
  if (!isa<FloatType>(floatType))
    return node.emitError() << "x_scale must be a float tensor";
  FailureOr<Storage> storage =
      Storage::get(node, xType.getElementType(), "x");
  if (failed(storage))
    return failure();
  FailureOr<std::optional<int64_t>> axis =
      getParamAxis(node, scaleType, xType.getRank());
  if (failed(axis))
    return failure();

  const HostTensor *scale = getKnownParam(node, 1);
  const HostTensor *zeroPoint = getKnownParam(node, 2);
  if (scale && (zeroPoint || !node.hasInput(2))) {
    FailureOr<AffineParams> params = readAffineParams(
        node, *scale, zeroPoint, xType.getShape(), *axis, "x_scale");
    if (failed(params))
      return failure();
    std::string why;
    if (quant::QuantizedType quantType =
            getQuantType(context, *storage, floatType, *params, why)) {
      Value quantized = getQuantizedInput(node, 0, xType.clone(quantType));
      node.setResult(0, node.create<lowbit::DequantizeOp>(
                            xType.clone(floatType), quantized,
                            /*codebook=*/CodebookAttr()));
      return success();
    }
  }

  FailureOr<Value> scaleValue = broadcastParam(
      node, node.getInput(1), xType.getShape(), *axis, "x_scale");
  if (failed(scaleValue))
    return failure();
  Value zeroPointValue = getZeroPointInput(node, 2);
  if (zeroPointValue) {
    FailureOr<Value> broadcast = broadcastParam(
        node, zeroPointValue, xType.getShape(), *axis, "x_zero_point");
    if (failed(broadcast))
      return failure();
    zeroPointValue = *broadcast;
  }
  node.setResult(0, dequantizeArithmetic(node, node.getInput(0), *scaleValue,
                                         zeroPointValue));
  return success();
}

/// DynamicQuantizeLinear (uint8):
///   y_scale = (max(0, max(x)) - min(0, min(x))) / 255
///   y_zero_point = cast(round(clip(0 - min(0, min(x)) / y_scale, 0, 255)))
///   y = clip(round(x / y_scale) + y_zero_point, 0, 255)
/// in the order the ONNX function body computes it, so that the results are
/// bit-identical to the reference.
LogicalResult importDynamicQuantizeLinear(NodeImporter &node) {
  MLIRContext *context = node.getContext();
  RankedTensorType xType = node.getInputType(0);
  Type floatType = xType.getElementType();
  if (!isa<FloatType>(floatType))
    return node.emitError() << "x must be a float tensor";
  auto scalarType = getTensorType({}, floatType);
  Value x = node.getInput(0);
  Value minimum = x, maximum = x;
  if (xType.getRank() > 0) {
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(0, xType.getRank()));
    minimum = node.create<lowbit::ReduceMinOp>(scalarType, x, axes,
                                               /*keepdims=*/false);
    maximum = node.create<lowbit::ReduceMaxOp>(scalarType, x, axes,
                                               /*keepdims=*/false);
  }
  Value zero = createScalar(node, floatType, 0.0);
  Value qmax = createScalar(node, floatType, 255.0);
  minimum = node.create<lowbit::MinOp>(scalarType, minimum, zero);
  maximum = node.create<lowbit::MaxOp>(scalarType, maximum, zero);
  Value scale = node.create<lowbit::DivOp>(
      scalarType, node.create<lowbit::SubOp>(scalarType, maximum, minimum),
      qmax);
  Value initialZeroPoint = node.create<lowbit::SubOp>(
      scalarType, zero,
      node.create<lowbit::DivOp>(scalarType, minimum, scale));
  Value zeroPoint = node.create<lowbit::RoundOp>(
      scalarType, node.create<lowbit::ClipOp>(
                      scalarType, initialZeroPoint,
                      getScalarAttr(floatType, 0.0),
                      getScalarAttr(floatType, 255.0)));
  Type u8 = IntegerType::get(context, 8, IntegerType::Unsigned);
  Value plainZeroPoint = castTo(node, zeroPoint, u8);
  // The reference adds the uint8 zero point, exactly the float one here.
  node.setResult(0, quantizeArithmetic(node, x, scale, zeroPoint, u8,
                                       Storage{8, /*isSigned=*/false}));
  node.setResult(1, scale);
  node.setResult(2, plainZeroPoint);
  return success();
}

//===----------------------------------------------------------------------===//
// QLinearMatMul / QLinearConv
//===----------------------------------------------------------------------===//

/// Storage of an operand of a QLinear op: its own element type.
FailureOr<Storage> getOperandStorage(NodeImporter &node, unsigned i,
                                     StringRef what) {
  return Storage::get(node, node.getInputType(i).getElementType(), what);
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp):
/// a per tensor, b per tensor or per column, y per tensor.
LogicalResult importQLinearMatMul(NodeImporter &node) {
  RankedTensorType aType = node.getInputType(0);
  RankedTensorType bType = node.getInputType(3);
  Type floatType = node.getInputType(1).getElementType();
  if (bType.getRank() < 2)
    return node.emitUnsupported("b must have rank >= 2");
  FailureOr<SmallVector<int64_t>> shape =
      getMatMulShape(node, aType.getShape(), bType.getShape());
  if (failed(shape))
    return failure();
  Type plainElement = node.getInputType(7).getElementType();
  FailureOr<Storage> aStorage = getOperandStorage(node, 0, "a");
  FailureOr<Storage> bStorage = getOperandStorage(node, 3, "b");
  FailureOr<Storage> yStorage =
      Storage::get(node, plainElement, "y_zero_point");
  if (failed(aStorage) || failed(bStorage) || failed(yStorage))
    return failure();
  FailureOr<quant::QuantizedType> aQuant =
      getRequiredQuantType(node, 1, 2, aType.getShape(), *aStorage, floatType,
                           std::nullopt, "a");
  if (failed(aQuant))
    return failure();
  FailureOr<quant::QuantizedType> bQuant =
      getRequiredQuantType(node, 4, 5, bType.getShape(), *bStorage, floatType,
                           bType.getRank() - 1, "b");
  if (failed(bQuant))
    return failure();
  FailureOr<quant::QuantizedType> yQuant = getRequiredQuantType(
      node, 6, 7, *shape, *yStorage, floatType, std::nullopt, "y");
  if (failed(yQuant))
    return failure();
  Value lhs = getQuantizedInput(node, 0, aType.clone(*aQuant));
  Value rhs = getQuantizedInput(node, 3, bType.clone(*bQuant));
  Value result = node.create<lowbit::QuantizedMatMulOp>(
      getTensorType(*shape, *yQuant), lhs, rhs, /*bias=*/Value(),
      FusedActivation::none, FloatAttr(), FloatAttr(), CodebookAttr(),
      /*dynamic_activations=*/false);
  node.setResult(0, getPlainResult(node, result, plainElement));
  return success();
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B):
/// x and y per tensor, w per tensor or per output channel, B int32.
LogicalResult importQLinearConv(NodeImporter &node) {
  RankedTensorType xType = node.getInputType(0);
  RankedTensorType wType = node.getInputType(3);
  Type floatType = node.getInputType(1).getElementType();
  FailureOr<ConvGeometry> geometry = resolveConvGeometry(node, xType, wType);
  if (failed(geometry))
    return failure();
  Type plainElement = node.getInputType(7).getElementType();
  FailureOr<Storage> xStorage = getOperandStorage(node, 0, "x");
  FailureOr<Storage> wStorage = getOperandStorage(node, 3, "w");
  FailureOr<Storage> yStorage =
      Storage::get(node, plainElement, "y_zero_point");
  if (failed(xStorage) || failed(wStorage) || failed(yStorage))
    return failure();
  FailureOr<quant::QuantizedType> xQuant =
      getRequiredQuantType(node, 1, 2, xType.getShape(), *xStorage, floatType,
                           std::nullopt, "x");
  if (failed(xQuant))
    return failure();
  FailureOr<quant::QuantizedType> wQuant =
      getRequiredQuantType(node, 4, 5, wType.getShape(), *wStorage, floatType,
                           /*perAxis=*/0, "w");
  if (failed(wQuant))
    return failure();
  FailureOr<quant::QuantizedType> yQuant =
      getRequiredQuantType(node, 6, 7, geometry->resultShape, *yStorage,
                           floatType, std::nullopt, "y");
  if (failed(yQuant))
    return failure();
  Value bias;
  if (node.hasInput(8)) {
    RankedTensorType biasType = node.getInputType(8);
    if (!biasType.getElementType().isInteger(32) || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != wType.getDimSize(0))
      return node.emitError() << "B must be a 1-D int32 tensor of "
                              << wType.getDimSize(0) << " elements, not "
                              << biasType;
    bias = node.getInput(8);
  }
  Value input = getQuantizedInput(node, 0, xType.clone(*xQuant));
  Value weight = getQuantizedInput(node, 3, wType.clone(*wQuant));
  Value result = node.create<lowbit::QuantizedConvOp>(
      getTensorType(geometry->resultShape, *yQuant), input, weight, bias,
      geometry->strides, geometry->dilations, geometry->pads, geometry->group,
      FusedActivation::none, FloatAttr(), FloatAttr(), CodebookAttr(),
      /*dynamic_activations=*/false);
  node.setResult(0, getPlainResult(node, result, plainElement));
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger / ConvInteger
//===----------------------------------------------------------------------===//

/// An operand of MatMulInteger / ConvInteger with its optional zero point
/// input, for the integer fallback.
struct IntegerOperand {
  unsigned index;
  unsigned zeroPointIndex;
  /// The dimension a per-row / per-channel zero point applies along.
  int64_t axis;
  StringRef name;
};

/// (operand - zero point) in i32, the zero point broadcast along `axis`.
FailureOr<Value> getCenteredI32(NodeImporter &node,
                                const IntegerOperand &operand) {
  Type i32 = IntegerType::get(node.getContext(), 32);
  RankedTensorType type = node.getInputType(operand.index);
  auto i32Type = type.clone(i32);
  Value value = castTo(node, node.getInput(operand.index), i32);
  Value zeroPointInput = getZeroPointInput(node, operand.zeroPointIndex);
  if (!zeroPointInput)
    return value;
  FailureOr<Value> zeroPoint = broadcastParam(
      node, zeroPointInput, type.getShape(),
      operand.axis, (operand.name + "_zero_point").str());
  if (failed(zeroPoint))
    return failure();
  return Value(node.create<lowbit::SubOp>(i32Type, value,
                                          castTo(node, *zeroPoint, i32)));
}

/// The scale-1 quantized type of an operand whose zero point is known at
/// import time (per tensor, or along `perAxis`). Null with no error when the
/// zero point is computed at run time or is per axis where `perAxis` is
/// not given (the caller falls back to integer arithmetic).
FailureOr<quant::QuantizedType>
getIntegerOperandType(NodeImporter &node, const IntegerOperand &operand,
                      std::optional<int64_t> perAxis) {
  RankedTensorType type = node.getInputType(operand.index);
  FailureOr<Storage> storage =
      Storage::get(node, type.getElementType(), operand.name);
  if (failed(storage))
    return failure();
  SmallVector<int64_t> zeroPoints;
  std::optional<int32_t> axis;
  if (node.hasInput(operand.zeroPointIndex)) {
    const HostTensor *zeroPoint = getKnownParam(node, operand.zeroPointIndex);
    if (!zeroPoint || zeroPoint->getRank() > 1)
      return quant::QuantizedType();
    zeroPoints = zeroPoint->getInts();
    if (zeroPoints.size() > 1) {
      if (!perAxis || type.getDimSize(*perAxis) !=
                          static_cast<int64_t>(zeroPoints.size()))
        return quant::QuantizedType();
      axis = static_cast<int32_t>(*perAxis);
    }
  }
  std::string why;
  return getUnitScaleType(node.getContext(), *storage, zeroPoints, axis, why);
}

/// MatMulInteger(A, B, a_zero_point, b_zero_point) -> int32: zero points
/// scalar, or per row of A / per column of B.
LogicalResult importMatMulInteger(NodeImporter &node) {
  RankedTensorType aType = node.getInputType(0);
  RankedTensorType bType = node.getInputType(1);
  FailureOr<SmallVector<int64_t>> shape =
      getMatMulShape(node, aType.getShape(), bType.getShape());
  if (failed(shape))
    return failure();
  auto resultType =
      getTensorType(*shape, IntegerType::get(node.getContext(), 32));
  IntegerOperand a{0, 2, std::max<int64_t>(aType.getRank() - 2, 0), "a"};
  IntegerOperand b{1, 3, bType.getRank() - 1, "b"};

  if (bType.getRank() >= 2) {
    // The integer kernel takes per-tensor activations only.
    FailureOr<quant::QuantizedType> aQuant =
        getIntegerOperandType(node, a, std::nullopt);
    FailureOr<quant::QuantizedType> bQuant =
        getIntegerOperandType(node, b, b.axis);
    if (failed(aQuant) || failed(bQuant))
      return failure();
    if (*aQuant && *bQuant) {
      Value lhs = getQuantizedInput(node, 0, aType.clone(*aQuant));
      Value rhs = getQuantizedInput(node, 1, bType.clone(*bQuant));
      node.setResult(0, node.create<lowbit::QuantizedMatMulOp>(
                            resultType, lhs, rhs, /*bias=*/Value(),
                            FusedActivation::none, FloatAttr(), FloatAttr(),
                            CodebookAttr(), /*dynamic_activations=*/false));
      return success();
    }
  }

  // Run-time or per-row zero points: exact integer arithmetic in i32.
  if (aType.getRank() < 2 && node.hasInput(2) &&
      node.getInputType(2).getNumElements() > 1)
    return node.emitError() << "a per-row a_zero_point needs A of rank >= 2";
  FailureOr<Value> lhs = getCenteredI32(node, a);
  if (failed(lhs))
    return failure();
  FailureOr<Value> rhs = getCenteredI32(node, b);
  if (failed(rhs))
    return failure();
  node.setResult(0, node.create<lowbit::MatMulOp>(resultType, *lhs, *rhs));
  return success();
}

/// ConvInteger(x, w, x_zero_point, w_zero_point) -> int32: x's zero point
/// scalar, w's scalar or per output channel. Padding holds x's zero point,
/// i.e. contributes nothing.
LogicalResult importConvInteger(NodeImporter &node) {
  RankedTensorType xType = node.getInputType(0);
  RankedTensorType wType = node.getInputType(1);
  FailureOr<ConvGeometry> geometry = resolveConvGeometry(node, xType, wType);
  if (failed(geometry))
    return failure();
  auto resultType = getTensorType(geometry->resultShape,
                                  IntegerType::get(node.getContext(), 32));
  IntegerOperand x{0, 2, 1, "x"};
  IntegerOperand w{1, 3, 0, "w"};

  FailureOr<quant::QuantizedType> xQuant =
      getIntegerOperandType(node, x, std::nullopt);
  FailureOr<quant::QuantizedType> wQuant =
      getIntegerOperandType(node, w, w.axis);
  if (failed(xQuant) || failed(wQuant))
    return failure();
  if (*xQuant && *wQuant) {
    Value input = getQuantizedInput(node, 0, xType.clone(*xQuant));
    Value weight = getQuantizedInput(node, 1, wType.clone(*wQuant));
    node.setResult(0, node.create<lowbit::QuantizedConvOp>(
                          resultType, input, weight, /*bias=*/Value(),
                          geometry->strides, geometry->dilations,
                          geometry->pads, geometry->group,
                          FusedActivation::none, FloatAttr(), FloatAttr(),
                          CodebookAttr(), /*dynamic_activations=*/false));
    return success();
  }

  // Run-time zero points: subtract them in i32, then a plain i32 conv (whose
  // zero padding is x's zero point after the subtraction).
  FailureOr<Value> input = getCenteredI32(node, x);
  if (failed(input))
    return failure();
  FailureOr<Value> weight = getCenteredI32(node, w);
  if (failed(weight))
    return failure();
  node.setResult(0, node.create<lowbit::ConvOp>(
                        resultType, *input, *weight, /*bias=*/Value(),
                        geometry->strides, geometry->dilations,
                        geometry->pads, geometry->group));
  return success();
}

//===----------------------------------------------------------------------===//
// com.microsoft MatMulNBits
//===----------------------------------------------------------------------===//

/// MatMulNBits(A, B, scales, zero_points, g_idx, bias), 4-bit weights:
/// B holds N rows of K codes packed two per byte (low nibble first) in
/// blocks of block_size along K, each block with its own scale and zero
/// point (default 8). It becomes a weight-only quantized_matmul on a
/// K x N sub-channel `!quant.uniform<u4:f32:{0:block_size, 1:1}>` weight.
LogicalResult importMatMulNBits(NodeImporter &node) {
  MLIRContext *context = node.getContext();
  int64_t bits = node.getIntAttr("bits", 4);
  int64_t k = node.getIntAttr("K", 0), n = node.getIntAttr("N", 0);
  int64_t blockSize = node.getIntAttr("block_size", 0);
  if (bits != 4)
    return node.emitUnsupported("bits = " + Twine(bits) +
                                "; only 4-bit weights are supported");
  if (node.hasInput(4))
    return node.emitUnsupported("the g_idx input (act-order group indices)");
  if (k < 1 || n < 1 || blockSize < 2 || blockSize % 2 != 0)
    return node.emitError() << "needs positive K and N and an even "
                               "block_size (got K = "
                            << k << ", N = " << n << ", block_size = "
                            << blockSize << ")";
  if (k % blockSize != 0)
    return node.emitUnsupported("K = " + Twine(k) +
                                " is not a multiple of block_size = " +
                                Twine(blockSize));
  RankedTensorType aType = node.getInputType(0);
  Type floatType = aType.getElementType();
  if (!isa<FloatType>(floatType) || aType.getRank() < 1 ||
      aType.getShape().back() != k)
    return node.emitError() << "A must be a float tensor whose last "
                               "dimension is K = "
                            << k << ", not " << aType;
  int64_t blocks = k / blockSize, blobSize = blockSize / 2;

  FailureOr<const HostTensor *> packed =
      node.getRequiredConstant(1, "packed weights B");
  if (failed(packed))
    return failure();
  FailureOr<const HostTensor *> scales =
      node.getRequiredConstant(2, "scales");
  if (failed(scales))
    return failure();
  if ((*packed)->getElementType() !=
          IntegerType::get(context, 8, IntegerType::Unsigned) ||
      (*packed)->getNumElements() != n * blocks * blobSize)
    return node.emitError() << "B must be uint8 of shape [" << n << ", "
                            << blocks << ", " << blobSize << "], not "
                            << (*packed)->getType();
  if (!(*scales)->isFloat() || (*scales)->getNumElements() != n * blocks)
    return node.emitError() << "scales must hold " << n * blocks
                            << " floats ([N, K / block_size]), not "
                            << (*scales)->getType();

  // Zero points per (n, block): packed uint8 (two per byte, each row padded
  // to whole bytes), or unpacked floats that must be whole codes.
  SmallVector<int64_t> zeroPoints(n * blocks, 8);
  if (node.hasInput(3)) {
    FailureOr<const HostTensor *> known =
        node.getRequiredConstant(3, "zero_points");
    if (failed(known))
      return failure();
    const HostTensor &zp = **known;
    int64_t rowBytes = (blocks + 1) / 2;
    if (!zp.isFloat()) {
      if (zp.getNumElements() != n * rowBytes)
        return node.emitError() << "packed zero_points must hold "
                                << n * rowBytes << " bytes ([N, "
                                << rowBytes << "]), not " << zp.getType();
      for (int64_t row = 0; row < n; ++row)
        for (int64_t block = 0; block < blocks; ++block)
          zeroPoints[row * blocks + block] =
              (zp.getInt(row * rowBytes + block / 2) >> (4 * (block % 2))) &
              0xf;
    } else {
      if (zp.getNumElements() != n * blocks)
        return node.emitError() << "unpacked zero_points must hold "
                                << n * blocks << " values, not "
                                << zp.getType();
      for (int64_t i = 0; i < n * blocks; ++i) {
        double value = zp.getDouble(i);
        if (value != std::floor(value) || value < 0 || value > 15)
          return node.emitUnsupported()
                 << ": float zero_points that are not whole 4-bit codes ("
                 << value << ")";
        zeroPoints[i] = static_cast<int64_t>(value);
      }
    }
  }

  // Codes transposed to [K, N]: B[n][block][j] holds k = block * block_size
  // + 2j in its low nibble and k + 1 in its high nibble. One byte per i4
  // element, as DenseElementsAttr stores them.
  ArrayRef<char> bytes = (*packed)->getBytes();
  std::vector<char> codes(k * n);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t kk = 0; kk < k; ++kk) {
      uint8_t byte = static_cast<uint8_t>(bytes[row * (k / 2) + kk / 2]);
      codes[kk * n + row] = static_cast<char>((byte >> (4 * (kk % 2))) & 0xf);
    }
  Type i4 = IntegerType::get(context, 4);
  auto weightType = getTensorType({k, n}, i4);
  auto tableType = getTensorType({blocks, n}, floatType);
  SmallVector<APFloat> scaleTable;
  SmallVector<APInt> zeroPointTable;
  const llvm::fltSemantics &semantics =
      cast<FloatType>(floatType).getFloatSemantics();
  for (int64_t block = 0; block < blocks; ++block)
    for (int64_t row = 0; row < n; ++row) {
      APFloat scale((*scales)->getDouble(row * blocks + block));
      bool lost;
      scale.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      scaleTable.push_back(scale);
      zeroPointTable.push_back(
          APInt(4, static_cast<uint64_t>(zeroPoints[row * blocks + block])));
    }
  std::string why;
  ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
    why = diag.str();
    return success();
  });
  auto weightQuant = quant::UniformQuantizedSubChannelType::getChecked(
      [&] { return mlir::emitError(UnknownLoc::get(context)); },
      /*flags=*/0, i4, floatType,
      DenseElementsAttr::get(tableType, scaleTable),
      DenseElementsAttr::get(getTensorType({blocks, n}, i4), zeroPointTable),
      /*quantizedDimensions=*/{0, 1}, /*blockSizes=*/{blockSize, 1},
      /*storageTypeMin=*/0, /*storageTypeMax=*/15);
  if (!weightQuant)
    return node.emitError() << "invalid weight quantization: " << why;

  Value weightCodes = node.create<lowbit::ConstantOp>(
      DenseElementsAttr::getFromRawBuffer(weightType, codes));
  Value weight = node.create<quant::StorageCastOp>(
      weightType.clone(weightQuant), weightCodes);
  FailureOr<SmallVector<int64_t>> shape =
      getMatMulShape(node, aType.getShape(), {k, n});
  if (failed(shape))
    return failure();
  Value bias;
  if (node.hasInput(5)) {
    RankedTensorType biasType = node.getInputType(5);
    if (biasType.getElementType() != floatType || biasType.getRank() != 1 ||
        biasType.getDimSize(0) != n)
      return node.emitError() << "bias must be a 1-D tensor of " << n
                              << " elements of A's type, not " << biasType;
    bias = node.getInput(5);
  }
  node.setResult(0, node.create<lowbit::QuantizedMatMulOp>(
                        getTensorType(*shape, floatType), node.getInput(0),
                        weight, bias, FusedActivation::none, FloatAttr(),
                        FloatAttr(), CodebookAttr(),
                        /*dynamic_activations=*/false));
  return success();
}

} // namespace

void populateQuantizationHandlers(OpRegistry &registry) {
  registry.onOp("QuantizeLinear", 10, importQuantizeLinear);
  registry.onOp("DequantizeLinear", 10, importDequantizeLinear);
  registry.onOp("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
  registry.onOp("QLinearMatMul", 10, importQLinearMatMul);
  registry.onOp("QLinearConv", 10, importQLinearConv);
  registry.onOp("MatMulInteger", 10, importMatMulInteger);
  registry.onOp("ConvInteger", 10, importConvInteger);
  registry.onOp((kMicrosoftDomain + ".MatMulNBits").str(), 1,
                importMatMulNBits);
}

} // namespace onnx_import
} // namespace lowbit
