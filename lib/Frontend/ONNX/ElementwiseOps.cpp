//===- ElementwiseOps.cpp - ONNX math, logic and activation ops -----------===//
//
// Binary ops with broadcasting (including the pre-opset-7 `broadcast`/`axis`
// form), variadic Sum/Max/Min/Mean, unary math and activations, Clip, Cast.
// Every op here folds on the host when all its inputs are known, which is
// what resolves shape arithmetic (Shape -> Mul -> Concat -> Reshape).
//
//===----------------------------------------------------------------------===//

#include "HandlerSupport.h"

#include "mlir/Dialect/Traits.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace lowbit {
namespace onnx_import {
namespace {

using FloatFn2 = double (*)(double, double);
using IntFn2 = int64_t (*)(int64_t, int64_t);
using BinaryBuilder = Value (*)(NodeImporter &, Type, Value, Value);

template <typename OpTy>
Value buildBinary(NodeImporter &node, Type type, Value lhs, Value rhs) {
  return node.create<OpTy>(type, lhs, rhs);
}

/// What one binary ONNX op computes, on the host and in IR.
struct BinarySpec {
  BinaryBuilder build;
  FloatFn2 floatFn;
  IntFn2 intFn;
  bool isComparison;
};

/// Integer division truncating toward zero; x / 0 gives 0 rather than
/// trapping the importer.
int64_t divInt(int64_t a, int64_t b) { return b == 0 ? 0 : a / b; }

/// Integer remainder with the sign of the divisor (ONNX Mod, fmod = 0).
int64_t modInt(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

int64_t powInt(int64_t base, int64_t exponent) {
  if (exponent < 0)
    return base == 1 ? 1 : (base == -1 ? (exponent % 2 ? -1 : 1) : 0);
  int64_t result = 1;
  for (int64_t i = 0; i < exponent && i < 64; ++i)
    result *= base;
  return result;
}

/// Applies the pre-opset-7 `broadcast`/`axis` attributes: the right operand
/// is aligned at `axis` of the left one instead of at the trailing end.
Value alignLegacyBroadcast(NodeImporter &node, Value lhs, Value rhs) {
  if (node.getOpset() >= 7 || !node.getIntAttr("broadcast", 0) ||
      !node.hasAttr("axis"))
    return rhs;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t axis = node.getIntAttr("axis", 0);
  if (axis < 0)
    axis += lhsType.getRank();
  SmallVector<int64_t> shape(rhsType.getShape());
  for (int64_t d = axis + rhsType.getRank(); d < lhsType.getRank(); ++d)
    shape.push_back(1);
  return createReshape(node, rhs, shape);
}

/// Same as alignLegacyBroadcast for a host constant right operand.
std::optional<HostTensor> alignLegacyBroadcast(NodeImporter &node,
                                               const HostTensor &lhs,
                                               const HostTensor &rhs) {
  if (node.getOpset() >= 7 || !node.getIntAttr("broadcast", 0) ||
      !node.hasAttr("axis"))
    return rhs;
  int64_t axis = node.getIntAttr("axis", 0);
  if (axis < 0)
    axis += lhs.getRank();
  SmallVector<int64_t> shape(rhs.getShape());
  for (int64_t d = axis + rhs.getRank(); d < lhs.getRank(); ++d)
    shape.push_back(1);
  return rhs.withShape(shape);
}

LogicalResult importBinary(NodeImporter &node, const BinarySpec &spec) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.emitError() << "expects two inputs";
  const HostTensor *lhsConst = node.getConstantInput(0);
  const HostTensor *rhsConst = node.getConstantInput(1);
  RankedTensorType lhsType = node.getInputType(0);
  Type elementType = spec.isComparison ? IntegerType::get(node.getContext(), 1)
                                       : lhsType.getElementType();
  if (lhsConst && rhsConst) {
    std::optional<HostTensor> rhs =
        alignLegacyBroadcast(node, *lhsConst, *rhsConst);
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes(node, {lhsConst->getShape(), rhs->getShape()});
    if (failed(shape))
      return failure();
    if (isFoldableSize(*shape)) {
      node.setConstantResult(
          0, evalBinary(*lhsConst, *rhs, getTensorType(*shape, elementType),
                        spec.floatFn, spec.intFn));
      return success();
    }
  }
  Value lhs = node.getInput(0);
  Value rhs = alignLegacyBroadcast(node, lhs, node.getInput(1));
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      node, {lhsType.getShape(),
             cast<RankedTensorType>(rhs.getType()).getShape()});
  if (failed(shape))
    return failure();
  node.setResult(0, spec.build(node, getTensorType(*shape, elementType), lhs,
                               rhs));
  return success();
}

void registerBinary(OpRegistry &registry, StringRef name, BinarySpec spec,
                    ArrayRef<int64_t> versions) {
  for (int64_t version : versions)
    registry.onOp(name, version, [spec](NodeImporter &node) {
      return importBinary(node, spec);
    });
}

/// Sum, Max, Min, Mean: a left-to-right chain of binary ops.
LogicalResult importVariadic(NodeImporter &node, const BinarySpec &spec,
                             bool isMean) {
  unsigned count = node.getNumInputs();
  if (count == 0)
    return node.emitError() << "expects at least one input";
  for (unsigned i = 0; i < count; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  Type elementType = node.getInputType(0).getElementType();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (unsigned i = 0; i < count; ++i)
    shapes.push_back(node.getInputType(i).getShape());
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(node, shapes);
  if (failed(shape))
    return failure();

  if (node.allInputsConstant() && isFoldableSize(*shape)) {
    HostTensor acc = *node.getConstantInput(0);
    for (unsigned i = 1; i < count; ++i) {
      SmallVector<int64_t> partial;
      (void)OpTrait::util::getBroadcastedShape(
          acc.getShape(), node.getConstantInput(i)->getShape(), partial);
      acc = evalBinary(acc, *node.getConstantInput(i),
                       getTensorType(partial, elementType), spec.floatFn,
                       spec.intFn);
    }
    if (isMean) {
      HostTensor divisor = HostTensor::fromDoubles(
          getTensorType({}, elementType), {static_cast<double>(count)});
      acc = evalBinary(
          acc, divisor, acc.getType(),
          [](double a, double b) { return a / b; }, divInt);
    }
    node.setConstantResult(0, acc);
    return success();
  }
  Value acc = node.getInput(0);
  for (unsigned i = 1; i < count; ++i) {
    Value next = node.getInput(i);
    SmallVector<int64_t> partial;
    (void)OpTrait::util::getBroadcastedShape(
        cast<RankedTensorType>(acc.getType()).getShape(),
        cast<RankedTensorType>(next.getType()).getShape(), partial);
    acc = spec.build(node, getTensorType(partial, elementType), acc, next);
  }
  if (isMean)
    acc = node.create<lowbit::DivOp>(acc.getType(), acc,
                                     createScalar(node, elementType, count));
  node.setResult(0, acc);
  return success();
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

using FloatFn1 = double (*)(double);
using IntFn1 = int64_t (*)(int64_t);
using UnaryBuilder = Value (*)(NodeImporter &, Value);

template <typename OpTy>
Value buildUnary(NodeImporter &node, Value input) {
  return node.create<OpTy>(input.getType(), input);
}

/// A unary op; `floatFn` is null when it is never folded on the host.
struct UnarySpec {
  UnaryBuilder build;
  FloatFn1 floatFn;
  IntFn1 intFn;
};

int64_t identityInt(int64_t v) { return v; }

LogicalResult importUnary(NodeImporter &node, const UnarySpec &spec) {
  if (!node.hasInput(0))
    return node.emitError() << "expects an input";
  const HostTensor *constant = node.getConstantInput(0);
  if (constant && spec.floatFn && isFoldableSize(constant->getShape())) {
    node.setConstantResult(0, evalUnary(*constant, constant->getType(),
                                        spec.floatFn, spec.intFn));
    return success();
  }
  node.setResult(0, spec.build(node, node.getInput(0)));
  return success();
}

void registerUnary(OpRegistry &registry, StringRef name, int64_t since,
                   UnarySpec spec) {
  registry.onOp(name, since, [spec](NodeImporter &node) {
    return importUnary(node, spec);
  });
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double relu(double x) { return x > 0 ? x : 0.0; }
double sign(double x) { return (x > 0) - (x < 0); }
double roundHalfEven(double x) { return std::nearbyint(x); }
double reciprocal(double x) { return 1.0 / x; }
double negate(double x) { return -x; }
double logicalNot(double x) { return x == 0.0; }

//===----------------------------------------------------------------------===//
// Activations with parameters
//===----------------------------------------------------------------------===//

APFloat f32(double value) { return APFloat(static_cast<float>(value)); }

LogicalResult importLeakyRelu(NodeImporter &node) {
  Value x = node.getInput(0);
  node.setResult(0, node.create<lowbit::LeakyReluOp>(
                        x.getType(), x, f32(node.getFloatAttr("alpha", 0.01f))));
  return success();
}

LogicalResult importElu(NodeImporter &node) {
  Value x = node.getInput(0);
  node.setResult(0, node.create<lowbit::EluOp>(
                        x.getType(), x, f32(node.getFloatAttr("alpha", 1.0f))));
  return success();
}

LogicalResult importHardSigmoid(NodeImporter &node) {
  Value x = node.getInput(0);
  node.setResult(0, node.create<lowbit::HardSigmoidOp>(
                        x.getType(), x, f32(node.getFloatAttr("alpha", 0.2f)),
                        f32(node.getFloatAttr("beta", 0.5f))));
  return success();
}

/// Selu(x) = gamma * Elu(x; alpha).
LogicalResult importSelu(NodeImporter &node) {
  Value x = node.getInput(0);
  auto type = cast<RankedTensorType>(x.getType());
  Value elu = node.create<lowbit::EluOp>(
      type, x, f32(node.getFloatAttr("alpha", 1.67326319217681884765625f)));
  Value gamma = createScalar(node, type.getElementType(),
                             node.getFloatAttr("gamma", 1.05070102214813232421875f));
  node.setResult(0, node.create<lowbit::MulOp>(type, elu, gamma));
  return success();
}

/// Celu(x) = alpha * Elu(x / alpha; 1).
LogicalResult importCelu(NodeImporter &node) {
  Value x = node.getInput(0);
  auto type = cast<RankedTensorType>(x.getType());
  float alpha = node.getFloatAttr("alpha", 1.0f);
  if (alpha == 1.0f) {
    node.setResult(0, node.create<lowbit::EluOp>(type, x, f32(1.0)));
    return success();
  }
  Value alphaValue = createScalar(node, type.getElementType(), alpha);
  Value scaled = node.create<lowbit::DivOp>(type, x, alphaValue);
  Value elu = node.create<lowbit::EluOp>(type, scaled, f32(1.0));
  node.setResult(0, node.create<lowbit::MulOp>(type, elu, alphaValue));
  return success();
}

/// ThresholdedRelu(x) = x > alpha ? x : 0.
LogicalResult importThresholdedRelu(NodeImporter &node) {
  Value x = node.getInput(0);
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  Value alpha = createScalar(node, elementType, node.getFloatAttr("alpha", 1.0f));
  Value above = node.create<lowbit::GreaterOp>(
      getTensorType(type.getShape(), IntegerType::get(node.getContext(), 1)), x,
      alpha);
  node.setResult(0, node.create<lowbit::WhereOp>(
                        type, above, x, createScalar(node, elementType, 0.0)));
  return success();
}

/// Softsign(x) = x / (1 + |x|).
LogicalResult importSoftsign(NodeImporter &node) {
  Value x = node.getInput(0);
  auto type = cast<RankedTensorType>(x.getType());
  Value abs = node.create<lowbit::AbsOp>(type, x);
  Value denominator = node.create<lowbit::AddOp>(
      type, abs, createScalar(node, type.getElementType(), 1.0));
  node.setResult(0, node.create<lowbit::DivOp>(type, x, denominator));
  return success();
}

/// PRelu(x) = x < 0 ? slope * x : x, slope broadcasting to x.
LogicalResult importPRelu(NodeImporter &node) {
  Value x = node.getInput(0);
  Value slope = node.getInput(1);
  auto type = cast<RankedTensorType>(x.getType());
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      node, {type.getShape(), node.getInputType(1).getShape()});
  if (failed(shape))
    return failure();
  auto resultType = getTensorType(*shape, type.getElementType());
  Value negative = node.create<lowbit::LessOp>(
      getTensorType(type.getShape(), IntegerType::get(node.getContext(), 1)), x,
      createScalar(node, type.getElementType(), 0.0));
  Value scaled = node.create<lowbit::MulOp>(resultType, x, slope);
  node.setResult(0,
                 node.create<lowbit::WhereOp>(resultType, negative, scaled, x));
  return success();
}

//===----------------------------------------------------------------------===//
// Math the dialect has no op for, composed from ops it has
//===----------------------------------------------------------------------===//

/// Builds elementwise ops on values of one type, with scalar constants.
class Composer {
public:
  Composer(NodeImporter &node, Value like)
      : node(node), type(cast<RankedTensorType>(like.getType())) {}

  Value scalar(double v) {
    return createScalar(node, type.getElementType(), v);
  }
  template <typename OpTy> Value unary(Value x) {
    return node.create<OpTy>(type, x);
  }
  template <typename OpTy> Value binary(Value a, Value b) {
    return node.create<OpTy>(type, a, b);
  }
  template <typename OpTy> Value compare(Value a, Value b) {
    return node.create<OpTy>(boolType(), a, b);
  }
  RankedTensorType boolType() {
    return getTensorType(type.getShape(),
                         IntegerType::get(node.getContext(), 1));
  }

  NodeImporter &node;
  RankedTensorType type;
};

enum class Hyperbolic { Tan, Sinh, Cosh, Asinh, Acosh, Atanh };

LogicalResult importComposedMath(NodeImporter &node, Hyperbolic kind) {
  Value x = node.getInput(0);
  Composer c(node, x);
  Value result;
  switch (kind) {
  case Hyperbolic::Tan:
    result = c.binary<lowbit::DivOp>(c.unary<lowbit::SinOp>(x),
                                     c.unary<lowbit::CosOp>(x));
    break;
  case Hyperbolic::Sinh:
  case Hyperbolic::Cosh: {
    // (exp(x) -/+ exp(-x)) / 2
    Value ex = c.unary<lowbit::ExpOp>(x);
    Value enx = c.unary<lowbit::ExpOp>(c.unary<lowbit::NegOp>(x));
    Value sum = kind == Hyperbolic::Sinh ? c.binary<lowbit::SubOp>(ex, enx)
                                         : c.binary<lowbit::AddOp>(ex, enx);
    result = c.binary<lowbit::MulOp>(sum, c.scalar(0.5));
    break;
  }
  case Hyperbolic::Asinh:
  case Hyperbolic::Acosh: {
    // log(x + sqrt(x^2 +/- 1))
    Value square = c.binary<lowbit::MulOp>(x, x);
    Value shifted = kind == Hyperbolic::Asinh
                        ? c.binary<lowbit::AddOp>(square, c.scalar(1.0))
                        : c.binary<lowbit::SubOp>(square, c.scalar(1.0));
    result = c.unary<lowbit::LogOp>(
        c.binary<lowbit::AddOp>(x, c.unary<lowbit::SqrtOp>(shifted)));
    break;
  }
  case Hyperbolic::Atanh: {
    // log((1 + x) / (1 - x)) / 2
    Value one = c.scalar(1.0);
    Value ratio = c.binary<lowbit::DivOp>(c.binary<lowbit::AddOp>(one, x),
                                          c.binary<lowbit::SubOp>(one, x));
    result = c.binary<lowbit::MulOp>(c.unary<lowbit::LogOp>(ratio),
                                     c.scalar(0.5));
    break;
  }
  }
  node.setResult(0, result);
  return success();
}

/// IsNaN(x) = x != x.
LogicalResult importIsNaN(NodeImporter &node) {
  Value x = node.getInput(0);
  Composer c(node, x);
  node.setResult(0, node.create<lowbit::NotOp>(
                        c.boolType(), c.compare<lowbit::EqualOp>(x, x)));
  return success();
}

/// IsInf(x) compares with +inf and/or -inf as the attributes ask.
LogicalResult importIsInf(NodeImporter &node) {
  Value x = node.getInput(0);
  Composer c(node, x);
  bool positive = node.getIntAttr("detect_positive", 1);
  bool negative = node.getIntAttr("detect_negative", 1);
  Value pos = c.compare<lowbit::EqualOp>(x, c.scalar(INFINITY));
  Value neg = c.compare<lowbit::EqualOp>(x, c.scalar(-INFINITY));
  Value result;
  if (positive && negative)
    result = node.create<lowbit::OrOp>(c.boolType(), pos, neg);
  else if (positive)
    result = pos;
  else if (negative)
    result = neg;
  else
    result = node.create<lowbit::AndOp>(c.boolType(), pos, neg);
  node.setResult(0, result);
  return success();
}

/// Shrink(x) = x < -lambd ? x + bias : (x > lambd ? x - bias : 0).
LogicalResult importShrink(NodeImporter &node) {
  Value x = node.getInput(0);
  Composer c(node, x);
  double lambd = node.getFloatAttr("lambd", 0.5f);
  double bias = node.getFloatAttr("bias", 0.0f);
  Value below = c.compare<lowbit::LessOp>(x, c.scalar(-lambd));
  Value above = c.compare<lowbit::GreaterOp>(x, c.scalar(lambd));
  Value upper = node.create<lowbit::WhereOp>(
      c.type, above, c.binary<lowbit::SubOp>(x, c.scalar(bias)),
      c.scalar(0.0));
  node.setResult(0, node.create<lowbit::WhereOp>(
                        c.type, below,
                        c.binary<lowbit::AddOp>(x, c.scalar(bias)), upper));
  return success();
}

//===----------------------------------------------------------------------===//
// Clip, Where, Cast, Identity, Dropout
//===----------------------------------------------------------------------===//

/// Clip: opset < 11 takes min/max attributes, later opsets optional inputs.
/// Known bounds become attributes; computed ones become max/min ops.
LogicalResult importClip(NodeImporter &node, bool boundsFromInputs) {
  Value x = node.getInput(0);
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  TypedAttr bounds[2];
  Value dynamicBounds[2];
  const char *names[2] = {"min", "max"};
  for (unsigned i = 0; i < 2; ++i) {
    if (!boundsFromInputs) {
      if (node.hasAttr(names[i]))
        bounds[i] = getScalarAttr(elementType, node.getFloatAttr(names[i], 0));
      continue;
    }
    if (!node.hasInput(i + 1))
      continue;
    const HostTensor *constant = node.getConstantInput(i + 1);
    if (constant && constant->getNumElements() == 1) {
      bounds[i] = isa<FloatType>(elementType)
                      ? getScalarAttr(elementType, constant->getDouble(0))
                      : TypedAttr(IntegerAttr::get(elementType,
                                                   constant->getInt(0)));
    } else {
      dynamicBounds[i] = node.getInput(i + 1);
    }
  }
  Value result = x;
  if (bounds[0] || bounds[1])
    result = node.create<lowbit::ClipOp>(type, result, bounds[0], bounds[1]);
  if (dynamicBounds[0])
    result = node.create<lowbit::MaxOp>(type, result, dynamicBounds[0]);
  if (dynamicBounds[1])
    result = node.create<lowbit::MinOp>(type, result, dynamicBounds[1]);
  node.setResult(0, result);
  return success();
}

LogicalResult importWhere(NodeImporter &node) {
  for (unsigned i = 0; i < 3; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "expects three inputs";
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      node, {node.getInputType(0).getShape(), node.getInputType(1).getShape(),
             node.getInputType(2).getShape()});
  if (failed(shape))
    return failure();
  auto type = getTensorType(*shape, node.getInputType(1).getElementType());
  if (node.allInputsConstant() && isFoldableSize(*shape)) {
    node.setConstantResult(0, evalWhere(*node.getConstantInput(0),
                                        *node.getConstantInput(1),
                                        *node.getConstantInput(2), type));
    return success();
  }
  node.setResult(0, node.create<lowbit::WhereOp>(type, node.getInput(0),
                                                 node.getInput(1),
                                                 node.getInput(2)));
  return success();
}

/// Cast to `elementType`, on the host when the input is known.
LogicalResult castTo(NodeImporter &node, Type elementType) {
  RankedTensorType type = node.getInputType(0);
  if (type.getElementType() == elementType) {
    forwardInput(node, 0, 0);
    return success();
  }
  const HostTensor *constant = node.getConstantInput(0);
  if (constant && isFoldableSize(type.getShape())) {
    node.setConstantResult(0, evalCast(*constant, elementType));
    return success();
  }
  node.setResult(0, node.create<lowbit::CastOp>(
                        getTensorType(type.getShape(), elementType),
                        node.getInput(0)));
  return success();
}

LogicalResult importCast(NodeImporter &node) {
  const onnx::AttributeProto *to = node.getAttr("to");
  if (!to)
    return node.emitError() << "needs the 'to' attribute";
  int32_t onnxType = static_cast<int32_t>(to->i());
  // Opset 1 spelled the target type as a string.
  if (to->type() == onnx::AttributeProto::STRING) {
    onnx::TensorProto::DataType parsed;
    if (!onnx::TensorProto::DataType_Parse(to->s(), &parsed))
      return node.emitError() << "unknown target type '" << to->s() << "'";
    onnxType = parsed;
  }
  Type elementType = convertElementType(node.getContext(), onnxType);
  if (!elementType)
    return node.emitUnsupported(
        "casting to " +
        onnx::TensorProto::DataType_Name(
            static_cast<onnx::TensorProto::DataType>(onnxType)));
  return castTo(node, elementType);
}

LogicalResult importCastLike(NodeImporter &node) {
  return castTo(node, node.getInputType(1).getElementType());
}

LogicalResult importIdentity(NodeImporter &node) {
  forwardInput(node, 0, 0);
  return success();
}

/// Inference-mode Dropout: the data passes through and the mask is all true.
LogicalResult importDropout(NodeImporter &node) {
  if (node.getOpset() >= 12 && node.hasInput(2)) {
    const HostTensor *training = node.getRequiredConstant(2);
    if (!training || training->getNumElements() != 1 || training->getInt(0))
      return node.emitUnsupported("only inference mode (training_mode false) "
                                  "is supported");
  }
  if (node.getOpset() < 7 && !node.getIntAttr("is_test", 0) &&
      node.hasOutput(1))
    return node.emitUnsupported("training mode (is_test = 0)");
  forwardInput(node, 0, 0);
  if (node.hasOutput(1)) {
    RankedTensorType type = node.getInputType(0);
    Type maskType = IntegerType::get(node.getContext(), 1);
    // Opset 10 and later give a bool mask; before that the mask had the
    // data's type.
    if (node.getOpset() < 10)
      maskType = type.getElementType();
    SmallVector<double> ones(type.getNumElements(), 1.0);
    node.setConstantResult(
        1, HostTensor::fromDoubles(getTensorType(type.getShape(), maskType),
                                   ones));
  }
  return success();
}

/// BitShift: the direction attribute picks the op; no host folding (shift
/// amounts are data, not shapes).
LogicalResult importBitShift(NodeImporter &node) {
  std::string direction = node.getStringAttr("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return node.emitError() << "direction must be LEFT or RIGHT, got \""
                            << direction << "\"";
  RankedTensorType type = node.getInputType(0);
  if (!isa<IntegerType>(type.getElementType()) ||
      type.getElementType().isInteger(1))
    return node.emitError() << "needs integer inputs";
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      node, {type.getShape(), node.getInputType(1).getShape()});
  if (failed(shape))
    return failure();
  auto resultType = getTensorType(*shape, type.getElementType());
  Value lhs = node.getInput(0), rhs = node.getInput(1);
  node.setResult(0, direction == "LEFT"
                        ? Value(node.create<lowbit::ShiftLeftOp>(resultType,
                                                                 lhs, rhs))
                        : Value(node.create<lowbit::ShiftRightOp>(resultType,
                                                                  lhs, rhs)));
  return success();
}

} // namespace

void populateElementwiseHandlers(OpRegistry &registry) {
  auto add = [](double a, double b) { return a + b; };
  auto sub = [](double a, double b) { return a - b; };
  auto mul = [](double a, double b) { return a * b; };
  auto div = [](double a, double b) { return a / b; };
  auto maxF = [](double a, double b) {
    return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  };
  auto minF = [](double a, double b) {
    return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
  };
  auto maxI = [](int64_t a, int64_t b) { return std::max(a, b); };
  auto minI = [](int64_t a, int64_t b) { return std::min(a, b); };

  BinarySpec addSpec{buildBinary<lowbit::AddOp>, add,
                     [](int64_t a, int64_t b) { return a + b; }, false};
  BinarySpec mulSpec{buildBinary<lowbit::MulOp>, mul,
                     [](int64_t a, int64_t b) { return a * b; }, false};
  BinarySpec maxSpec{buildBinary<lowbit::MaxOp>, maxF, maxI, false};
  BinarySpec minSpec{buildBinary<lowbit::MinOp>, minF, minI, false};
  registerBinary(registry, "Add", addSpec, {1, 7});
  registerBinary(registry, "Sub",
                 {buildBinary<lowbit::SubOp>, sub,
                  [](int64_t a, int64_t b) { return a - b; }, false},
                 {1, 7});
  registerBinary(registry, "Mul", mulSpec, {1, 7});
  registerBinary(registry, "Div", {buildBinary<lowbit::DivOp>, div, divInt, false},
                 {1, 7});
  registerBinary(registry, "Pow",
                 {buildBinary<lowbit::PowOp>,
                  [](double a, double b) { return std::pow(a, b); }, powInt,
                  false},
                 {1, 7});
  registerBinary(registry, "Equal",
                 {buildBinary<lowbit::EqualOp>,
                  [](double a, double b) { return double(a == b); },
                  [](int64_t a, int64_t b) { return int64_t(a == b); }, true},
                 {1, 7});
  registerBinary(registry, "Less",
                 {buildBinary<lowbit::LessOp>,
                  [](double a, double b) { return double(a < b); },
                  [](int64_t a, int64_t b) { return int64_t(a < b); }, true},
                 {1, 7});
  registerBinary(registry, "LessOrEqual",
                 {buildBinary<lowbit::LessEqualOp>,
                  [](double a, double b) { return double(a <= b); },
                  [](int64_t a, int64_t b) { return int64_t(a <= b); }, true},
                 {12});
  registerBinary(registry, "Greater",
                 {buildBinary<lowbit::GreaterOp>,
                  [](double a, double b) { return double(a > b); },
                  [](int64_t a, int64_t b) { return int64_t(a > b); }, true},
                 {1, 7});
  registerBinary(registry, "GreaterOrEqual",
                 {buildBinary<lowbit::GreaterEqualOp>,
                  [](double a, double b) { return double(a >= b); },
                  [](int64_t a, int64_t b) { return int64_t(a >= b); }, true},
                 {12});
  registerBinary(registry, "And",
                 {buildBinary<lowbit::AndOp>,
                  [](double a, double b) { return double(a && b); },
                  [](int64_t a, int64_t b) { return int64_t(a && b); }, false},
                 {1, 7});
  registerBinary(registry, "Or",
                 {buildBinary<lowbit::OrOp>,
                  [](double a, double b) { return double(a || b); },
                  [](int64_t a, int64_t b) { return int64_t(a || b); }, false},
                 {1, 7});
  registerBinary(registry, "Xor",
                 {buildBinary<lowbit::XorOp>,
                  [](double a, double b) { return double(bool(a) != bool(b)); },
                  [](int64_t a, int64_t b) { return int64_t(bool(a) != bool(b)); },
                  false},
                 {1, 7});
  registry.onOp("Mod", 10, [](NodeImporter &node) {
    bool fmod = node.getIntAttr("fmod", 0);
    auto build = fmod ? +[](NodeImporter &n, Type t, Value a, Value b) {
      return Value(n.create<lowbit::ModOp>(t, a, b, true));
    }
                      : +[](NodeImporter &n, Type t, Value a, Value b) {
                          return Value(n.create<lowbit::ModOp>(t, a, b, false));
                        };
    BinarySpec spec{
        build, [](double a, double b) { return std::fmod(a, b); },
        fmod ? +[](int64_t a, int64_t b) { return b == 0 ? 0 : a % b; }
             : modInt,
        false};
    return importBinary(node, spec);
  });

  for (int64_t version : {1, 6, 8}) {
    registry.onOp("Sum", version, [addSpec](NodeImporter &node) {
      return importVariadic(node, addSpec, /*isMean=*/false);
    });
    registry.onOp("Mean", version, [addSpec](NodeImporter &node) {
      return importVariadic(node, addSpec, /*isMean=*/true);
    });
    registry.onOp("Max", version, [maxSpec](NodeImporter &node) {
      return importVariadic(node, maxSpec, /*isMean=*/false);
    });
    registry.onOp("Min", version, [minSpec](NodeImporter &node) {
      return importVariadic(node, minSpec, /*isMean=*/false);
    });
  }

  auto ceilF = [](double x) { return std::ceil(x); };
  auto floorF = [](double x) { return std::floor(x); };
  registerUnary(registry, "Abs", 1,
                {buildUnary<lowbit::AbsOp>, [](double x) { return std::fabs(x); },
                 [](int64_t x) { return x < 0 ? -x : x; }});
  registerUnary(registry, "Neg", 1,
                {buildUnary<lowbit::NegOp>, negate,
                 [](int64_t x) { return -x; }});
  registerUnary(registry, "Ceil", 1,
                {buildUnary<lowbit::CeilOp>, ceilF, identityInt});
  registerUnary(registry, "Floor", 1,
                {buildUnary<lowbit::FloorOp>, floorF, identityInt});
  registerUnary(registry, "Round", 11,
                {buildUnary<lowbit::RoundOp>, roundHalfEven, identityInt});
  registerUnary(registry, "Sign", 9,
                {buildUnary<lowbit::SignOp>, sign,
                 [](int64_t x) { return int64_t((x > 0) - (x < 0)); }});
  registerUnary(registry, "Relu", 1,
                {buildUnary<lowbit::ReluOp>, relu,
                 [](int64_t x) { return x > 0 ? x : 0; }});
  registerUnary(registry, "Not", 1,
                {buildUnary<lowbit::NotOp>, logicalNot,
                 [](int64_t x) { return int64_t(x == 0); }});
  registerUnary(registry, "Reciprocal", 1,
                {buildUnary<lowbit::ReciprocalOp>, reciprocal, identityInt});
  registerUnary(registry, "Sqrt", 1,
                {buildUnary<lowbit::SqrtOp>, [](double x) { return std::sqrt(x); },
                 identityInt});
  registerUnary(registry, "Exp", 1,
                {buildUnary<lowbit::ExpOp>, [](double x) { return std::exp(x); },
                 identityInt});
  registerUnary(registry, "Log", 1,
                {buildUnary<lowbit::LogOp>, [](double x) { return std::log(x); },
                 identityInt});
  registerUnary(registry, "Sigmoid", 1,
                {buildUnary<lowbit::SigmoidOp>, sigmoid, identityInt});
  registerUnary(registry, "Tanh", 1,
                {buildUnary<lowbit::TanhOp>, [](double x) { return std::tanh(x); },
                 identityInt});
  registerUnary(registry, "Sin", 7,
                {buildUnary<lowbit::SinOp>, [](double x) { return std::sin(x); },
                 identityInt});
  registerUnary(registry, "Cos", 7,
                {buildUnary<lowbit::CosOp>, [](double x) { return std::cos(x); },
                 identityInt});
  registerUnary(registry, "Acos", 7,
                {buildUnary<lowbit::AcosOp>, [](double x) { return std::acos(x); },
                 identityInt});
  registerUnary(registry, "Asin", 7,
                {buildUnary<lowbit::AsinOp>, [](double x) { return std::asin(x); },
                 identityInt});
  registerUnary(registry, "Atan", 7,
                {buildUnary<lowbit::AtanOp>, [](double x) { return std::atan(x); },
                 identityInt});
  registerUnary(registry, "Erf", 9,
                {buildUnary<lowbit::ErfOp>, [](double x) { return std::erf(x); },
                 identityInt});
  registerUnary(registry, "Softplus", 1,
                {buildUnary<lowbit::SoftplusOp>, nullptr, nullptr});
  registerUnary(registry, "HardSwish", 14,
                {buildUnary<lowbit::HardSwishOp>, nullptr, nullptr});

  for (auto [name, kind] :
       {std::pair{"Tan", Hyperbolic::Tan}, std::pair{"Sinh", Hyperbolic::Sinh},
        std::pair{"Cosh", Hyperbolic::Cosh},
        std::pair{"Asinh", Hyperbolic::Asinh},
        std::pair{"Acosh", Hyperbolic::Acosh},
        std::pair{"Atanh", Hyperbolic::Atanh}}) {
    Hyperbolic k = kind;
    registry.onOp(name, 7, [k](NodeImporter &node) {
      return importComposedMath(node, k);
    });
  }
  registry.onOp("BitShift", 11, importBitShift);
  registry.onOp("IsNaN", 9, importIsNaN);
  registry.onOp("IsInf", 10, importIsInf);
  registry.onOp("Shrink", 9, importShrink);
  registry.onOp("LeakyRelu", 1, importLeakyRelu);
  registry.onOp("Elu", 1, importElu);
  registry.onOp("HardSigmoid", 1, importHardSigmoid);
  registry.onOp("Selu", 1, importSelu);
  registry.onOp("Celu", 12, importCelu);
  registry.onOp("ThresholdedRelu", 10, importThresholdedRelu);
  registry.onOp("Softsign", 1, importSoftsign);
  registry.onOp("PRelu", 1, importPRelu);
  registry.onOp("Clip", 1, [](NodeImporter &node) {
    return importClip(node, /*boundsFromInputs=*/false);
  });
  registry.onOp("Clip", 11, [](NodeImporter &node) {
    return importClip(node, /*boundsFromInputs=*/true);
  });
  registry.onOp("Where", 9, importWhere);
  registry.onOp("Cast", 1, importCast);
  registry.onOp("CastLike", 15, importCastLike);
  registry.onOp("Identity", 1, importIdentity);
  registry.onOp("Dropout", 1, importDropout);
}

} // namespace onnx_import
} // namespace lowbit
