//===- ONNXExport.cpp - write a lowbit graph as an ONNX model -------------===//
//
// One ONNX node (or a short fixed pattern) per lowbit op, opset 17. Values
// keep the graph's input and output names; everything else is named after
// the op's location. Quantized values are their storage tensors, so a
// `quant.scast` is a rename and each quantized contraction expands into the
// DequantizeLinear → Conv/MatMul → activation → QuantizeLinear pattern that
// ONNX Runtime recognizes and runs as one integer kernel.
//
// libonnx and protobuf may throw; this file is built with exceptions and
// catches them at the entry point.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/ONNX/ONNXExport.h"

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <climits>
#include <exception>

using namespace mlir;

namespace lowbit {
namespace {

constexpr int64_t kOpset = 17;

/// ONNX TensorProto element type of a builtin element type, or of a
/// quantized type's storage (4- and 2-bit storage widens to 8 bits: the
/// values fit, and DequantizeLinear gives the same reals; 32-bit storage is
/// the int32 that DequantizeLinear also reads).
std::optional<int> onnxElementType(Type type) {
  if (auto q = dyn_cast<quant::QuantizedType>(type)) {
    unsigned width = q.getStorageTypeIntegralWidth();
    if (width <= 8)
      return q.isSigned() ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
    if (width == 32 && q.isSigned())
      return onnx::TensorProto::INT32;
    return std::nullopt;
  }
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isInteger(1))
    return onnx::TensorProto::BOOL;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool isUnsigned = integer.isUnsigned();
  if (integer.getWidth() < 8) // i4, i2 storage: a byte per element
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  default:
    return std::nullopt;
  }
}

/// Builds the ONNX graph from the function body.
class GraphExporter {
public:
  GraphExporter(func::FuncOp func, onnx::GraphProto &graph)
      : func(func), graph(graph) {}

  LogicalResult run();

private:
  // Naming.
  std::string freshName(StringRef base);
  std::string nameOf(Value value);
  std::string baseName(Operation *op);

  // Graph construction.
  onnx::NodeProto &addNode(StringRef opType, ArrayRef<std::string> inputs,
                           ArrayRef<std::string> outputs, Operation *op);
  void addIntsAttr(onnx::NodeProto &node, StringRef name,
                   ArrayRef<int64_t> values);
  void addIntAttr(onnx::NodeProto &node, StringRef name, int64_t value);
  void addFloatAttr(onnx::NodeProto &node, StringRef name, float value);
  void addStringAttr(onnx::NodeProto &node, StringRef name, StringRef value);
  std::string addInitializer(StringRef base, int elementType,
                             ArrayRef<int64_t> shape, std::string rawData);
  std::string addI64Initializer(StringRef base, ArrayRef<int64_t> values,
                                bool scalar = false);
  std::string addF32Initializer(StringRef base, ArrayRef<float> values,
                                ArrayRef<int64_t> shape);
  LogicalResult setValueInfo(onnx::ValueInfoProto &info, Value value,
                             StringRef name);

  // Quantization parameters as initializers.
  struct QuantInputs {
    std::string scale, zeroPoint;
    std::optional<int64_t> axis;
  };
  FailureOr<QuantInputs> quantInputs(Operation *op, quant::QuantizedType type,
                                     StringRef base);
  FailureOr<std::string> dequantizeValue(Operation *op, Value value,
                                         StringRef base,
                                         StringRef output = {});
  FailureOr<std::string> quantizeName(Operation *op, StringRef input,
                                      quant::QuantizedType type,
                                      StringRef output);

  // Ops.
  LogicalResult exportConstant(ConstantOp op);
  LogicalResult exportOp(Operation *op);
  template <typename OpTy>
  LogicalResult exportQuantizedContraction(OpTy op, StringRef onnxOp);

  func::FuncOp func;
  onnx::GraphProto &graph;
  DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
};

std::string GraphExporter::freshName(StringRef base) {
  std::string name = base.empty() ? "t" : base.str();
  if (used.insert(name).second)
    return name;
  for (unsigned i = 1;; ++i) {
    std::string candidate = name + "_" + std::to_string(i);
    if (used.insert(candidate).second)
      return candidate;
  }
}

std::string GraphExporter::baseName(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = dyn_cast<NameLoc>(inner))
        return name.getName().str();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return op->getName().stripDialect().str();
}

std::string GraphExporter::nameOf(Value value) {
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  std::string name = freshName(baseName(value.getDefiningOp()));
  names[value] = name;
  return name;
}

onnx::NodeProto &GraphExporter::addNode(StringRef opType,
                                        ArrayRef<std::string> inputs,
                                        ArrayRef<std::string> outputs,
                                        Operation *op) {
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type(opType.str());
  node.set_name(freshName(baseName(op) + "/" + opType.str()));
  for (const std::string &input : inputs)
    node.add_input(input);
  for (const std::string &output : outputs)
    node.add_output(output);
  return node;
}

void GraphExporter::addIntsAttr(onnx::NodeProto &node, StringRef name,
                                ArrayRef<int64_t> values) {
  onnx::AttributeProto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    attr.add_ints(v);
}

void GraphExporter::addIntAttr(onnx::NodeProto &node, StringRef name,
                               int64_t value) {
  onnx::AttributeProto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(onnx::AttributeProto::INT);
  attr.set_i(value);
}

void GraphExporter::addFloatAttr(onnx::NodeProto &node, StringRef name,
                                 float value) {
  onnx::AttributeProto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(onnx::AttributeProto::FLOAT);
  attr.set_f(value);
}

void GraphExporter::addStringAttr(onnx::NodeProto &node, StringRef name,
                                  StringRef value) {
  onnx::AttributeProto &attr = *node.add_attribute();
  attr.set_name(name.str());
  attr.set_type(onnx::AttributeProto::STRING);
  attr.set_s(value.str());
}

std::string GraphExporter::addInitializer(StringRef base, int elementType,
                                          ArrayRef<int64_t> shape,
                                          std::string rawData) {
  onnx::TensorProto &tensor = *graph.add_initializer();
  std::string name = freshName(base);
  tensor.set_name(name);
  tensor.set_data_type(elementType);
  for (int64_t d : shape)
    tensor.add_dims(d);
  tensor.set_raw_data(std::move(rawData));
  return name;
}

std::string GraphExporter::addI64Initializer(StringRef base,
                                             ArrayRef<int64_t> values,
                                             bool scalar) {
  std::string raw(reinterpret_cast<const char *>(values.data()),
                  values.size() * sizeof(int64_t));
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  return addInitializer(base, onnx::TensorProto::INT64, shape, std::move(raw));
}

std::string GraphExporter::addF32Initializer(StringRef base,
                                             ArrayRef<float> values,
                                             ArrayRef<int64_t> shape) {
  std::string raw(reinterpret_cast<const char *>(values.data()),
                  values.size() * sizeof(float));
  return addInitializer(base, onnx::TensorProto::FLOAT, shape, std::move(raw));
}

LogicalResult GraphExporter::setValueInfo(onnx::ValueInfoProto &info,
                                          Value value, StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  std::optional<int> elementType = onnxElementType(type.getElementType());
  if (!elementType)
    return func.emitError("cannot export graph value '")
           << name << "' of type " << type << " to ONNX";
  info.set_name(name.str());
  onnx::TypeProto_Tensor &tensor = *info.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(*elementType);
  onnx::TensorShapeProto &shape = *tensor.mutable_shape();
  for (int64_t d : type.getShape())
    shape.add_dim()->set_dim_value(d);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization parameters
//===----------------------------------------------------------------------===//

FailureOr<GraphExporter::QuantInputs>
GraphExporter::quantInputs(Operation *op, quant::QuantizedType type,
                           StringRef base) {
  // Zero points have the storage's ONNX type: int8/uint8, or int32 for
  // 32-bit accumulators (an i32 bias, a requantize input).
  std::optional<int> zpType = onnxElementType(type);
  if (!zpType)
    return op->emitError("cannot export quantized type ")
           << type << " to ONNX opset 17 (storage must be 8 bits or less, "
           << "or signed 32 bits)";
  unsigned zpBytes = *zpType == onnx::TensorProto::INT32 ? 4 : 1;
  auto zeroPointBytes = [&](ArrayRef<int64_t> zps) {
    std::string raw;
    for (int64_t zp : zps)
      for (unsigned b = 0; b < zpBytes; ++b)
        raw.push_back(static_cast<char>(
            (static_cast<uint64_t>(zp) >> (8 * b)) & 0xff));
    return raw;
  };
  QuantInputs result;
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    float scale = uniform.getScale();
    result.scale = addF32Initializer(base.str() + "_scale", {scale}, {});
    result.zeroPoint = addInitializer(base.str() + "_zero_point", *zpType, {},
                                      zeroPointBytes({uniform.getZeroPoint()}));
    return result;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    SmallVector<float> scales(perAxis.getScales().begin(),
                              perAxis.getScales().end());
    auto count = static_cast<int64_t>(scales.size());
    result.scale = addF32Initializer(base.str() + "_scale", scales, {count});
    result.zeroPoint =
        addInitializer(base.str() + "_zero_point", *zpType, {count},
                       zeroPointBytes(perAxis.getZeroPoints()));
    result.axis = perAxis.getQuantizedDimension();
    return result;
  }
  return op->emitError("cannot export quantized type ")
         << type
         << " to ONNX opset 17 (only per-tensor and per-axis parameters)";
}

/// A float name for `value`: itself, or a DequantizeLinear of it (into
/// `output` when given, else a fresh name after `base`).
FailureOr<std::string> GraphExporter::dequantizeValue(Operation *op,
                                                      Value value,
                                                      StringRef base,
                                                      StringRef output) {
  auto type = cast<RankedTensorType>(value.getType());
  auto q = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!q)
    return nameOf(value);
  FailureOr<QuantInputs> params = quantInputs(op, q, base);
  if (failed(params))
    return failure();
  std::string name =
      output.empty() ? freshName(base.str() + "_dequantized") : output.str();
  onnx::NodeProto &node = addNode("DequantizeLinear",
                                  {nameOf(value), params->scale,
                                   params->zeroPoint},
                                  {name}, op);
  if (params->axis)
    addIntAttr(node, "axis", *params->axis);
  return name;
}

FailureOr<std::string> GraphExporter::quantizeName(Operation *op,
                                                   StringRef input,
                                                   quant::QuantizedType type,
                                                   StringRef output) {
  if (type.getStorageTypeIntegralWidth() > 8)
    return op->emitError("cannot export a quantize to ")
           << type << ": QuantizeLinear writes 8-bit integers in opset 17";
  FailureOr<QuantInputs> params = quantInputs(op, type, output);
  if (failed(params))
    return failure();
  // QuantizeLinear saturates to the full int8/uint8 range; a narrower
  // storage range (i8<-127:127>, 4-bit storage) is a Clip of the integers
  // after it (saturating to the wider range first changes nothing).
  bool isSigned = type.isSigned();
  int64_t storageMin = type.getStorageTypeMin(),
          storageMax = type.getStorageTypeMax();
  bool narrow = storageMin > (isSigned ? -128 : 0) ||
                storageMax < (isSigned ? 127 : 255);
  std::string quantized =
      narrow ? freshName(output.str() + "_unclamped") : output.str();
  onnx::NodeProto &node = addNode(
      "QuantizeLinear", {input.str(), params->scale, params->zeroPoint},
      {quantized}, op);
  if (params->axis)
    addIntAttr(node, "axis", *params->axis);
  if (narrow) {
    int elementType = isSigned ? onnx::TensorProto::INT8
                               : onnx::TensorProto::UINT8;
    std::string lower = addInitializer(output.str() + "_min", elementType, {},
                                       std::string(1, static_cast<char>(
                                                          storageMin)));
    std::string upper = addInitializer(output.str() + "_max", elementType, {},
                                       std::string(1, static_cast<char>(
                                                          storageMax)));
    addNode("Clip", {quantized, lower, upper}, {output.str()}, op);
  }
  return output.str();
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult GraphExporter::exportConstant(ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  Type elementType = type.getElementType();
  // Integers that are only read as one quantized type (quant.scast) are
  // written as that type's storage, which DequantizeLinear needs to match
  // its zero point: unsigned storage (u8, u4) as uint8, its codes masked to
  // the storage width (storage is signless: the u4 code 15 reads -1).
  quant::QuantizedType view;
  for (Operation *user : op->getUsers()) {
    auto storageCast = dyn_cast<quant::StorageCastOp>(user);
    auto q = storageCast ? dyn_cast<quant::QuantizedType>(
                               getElementTypeOrSelf(storageCast.getType()))
                         : quant::QuantizedType();
    if (!q || (view && (view.isSigned() != q.isSigned() ||
                        view.getStorageTypeIntegralWidth() !=
                            q.getStorageTypeIntegralWidth()))) {
      view = {};
      break;
    }
    view = q;
  }
  std::optional<int> onnxType =
      onnxElementType(view ? Type(view) : elementType);
  if (!onnxType)
    return op.emitError("cannot export a constant of type ") << type;
  ElementsAttr attr = op.getValue();
  std::string raw;
  if (elementType.isF32()) {
    std::optional<SmallVector<float>> values = getF32Values(attr);
    if (!values)
      return op.emitError("cannot read the constant's data");
    raw.assign(reinterpret_cast<const char *>(values->data()),
               values->size() * sizeof(float));
  } else if (auto integer = dyn_cast<IntegerType>(elementType)) {
    std::optional<SmallVector<int64_t>> values = getI64Values(attr);
    // Sub-byte blobs hold one code per byte, sign- or zero-extended by the
    // storage's signedness (QuantizedConstants.h): the low bits are the
    // code either way.
    auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
    AsmResourceBlob *blob =
        resource ? resource.getRawHandle().getBlob() : nullptr;
    if (!values && integer.getWidth() < 8 && blob &&
        blob->getData().size() == static_cast<size_t>(type.getNumElements()))
      values = llvm::to_vector(llvm::map_range(
          blob->getData(), [](char c) { return int64_t(int8_t(c)); }));
    if (!values)
      return op.emitError("cannot read the constant's data");
    // Narrow storage (i4, i2) widens to a byte per element.
    unsigned bytes = std::max(1u, integer.getWidth() / 8);
    if (integer.isInteger(1))
      bytes = 1;
    uint64_t mask = ~uint64_t(0);
    if (view && !view.isSigned())
      mask = (uint64_t(1) << view.getStorageTypeIntegralWidth()) - 1;
    for (int64_t v : *values)
      for (unsigned b = 0; b < bytes; ++b)
        raw.push_back(static_cast<char>(
            ((static_cast<uint64_t>(v) & mask) >> (8 * b)) & 0xff));
  } else {
    return op.emitError("cannot export a constant of type ") << type;
  }
  std::string name = addInitializer(baseName(op), *onnxType, type.getShape(),
                                    std::move(raw));
  names[op.getResult()] = name;
  return success();
}

template <typename OpTy>
LogicalResult GraphExporter::exportQuantizedContraction(OpTy op,
                                                        StringRef onnxOp) {
  if (op.getWeightCodebook() || op.getDynamicActivations())
    return op.emitError("codebook weights and dynamic activations have no "
                        "standard QDQ form in ONNX opset 17");
  std::string base = baseName(op);
  Value activation = op->getOperand(0), weight = op->getOperand(1);
  auto weightType =
      cast<quant::QuantizedType>(getElementTypeOrSelf(weight.getType()));
  Type resultElement = getElementTypeOrSelf(op.getType());
  bool integerKernel =
      isa<quant::QuantizedType>(getElementTypeOrSelf(activation.getType()));
  if (integerKernel && resultElement.isInteger(32))
    return op.emitError("raw i32 accumulators are exported as "
                        "MatMulInteger/ConvInteger, which is not supported yet");

  FailureOr<std::string> x = dequantizeValue(op, activation, base + "_input");
  FailureOr<std::string> w = dequantizeValue(op, weight, base + "_weight");
  if (failed(x) || failed(w))
    return failure();
  SmallVector<std::string> inputs = {*x, *w};

  std::optional<std::string> bias;
  if (Value biasValue = op.getBias()) {
    if (!integerKernel) {
      bias = nameOf(biasValue);
    } else {
      // The i32 bias is in units of input scale × weight scale: ORT's
      // DequantizeLinear(int32 bias, s_x * s_w, 0).
      auto inputType = cast<quant::UniformQuantizedType>(
          getElementTypeOrSelf(activation.getType()));
      SmallVector<float> scales;
      if (auto perAxis =
              dyn_cast<quant::UniformQuantizedPerAxisType>(weightType))
        for (double s : perAxis.getScales())
          scales.push_back(static_cast<float>(inputType.getScale() * s));
      else
        scales.push_back(static_cast<float>(
            inputType.getScale() *
            cast<quant::UniformQuantizedType>(weightType).getScale()));
      auto count = static_cast<int64_t>(scales.size());
      std::string scale = addF32Initializer(
          base + "_bias_scale", scales,
          count == 1 ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{count});
      SmallVector<int32_t> zeros(count, 0);
      std::string zeroPoint = addInitializer(
          base + "_bias_zero_point", onnx::TensorProto::INT32,
          count == 1 ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{count},
          std::string(reinterpret_cast<const char *>(zeros.data()),
                      zeros.size() * sizeof(int32_t)));
      std::string dequantized = freshName(base + "_bias_dequantized");
      onnx::NodeProto &node = addNode(
          "DequantizeLinear", {nameOf(biasValue), scale, zeroPoint},
          {dequantized}, op);
      if (count > 1)
        addIntAttr(node, "axis", 0);
      bias = dequantized;
    }
  }

  // MatMul has no bias input: add it after. The last node of the chain
  // writes the result's name.
  bool matmul = onnxOp == "MatMul";
  if (bias && !matmul)
    inputs.push_back(*bias);
  auto resultQuant = dyn_cast<quant::QuantizedType>(resultElement);
  bool addBias = bias && matmul;
  bool hasActivation = op.getActivation() != FusedActivation::none;
  int remaining = 1 + addBias + hasActivation + (resultQuant ? 1 : 0);
  auto nextOutput = [&](StringRef suffix) {
    return --remaining == 0 ? nameOf(op.getResult())
                            : freshName(base + "_" + suffix.str());
  };

  std::string current = nextOutput(onnxOp.lower());
  onnx::NodeProto &node = addNode(onnxOp, inputs, {current}, op);
  if constexpr (std::is_same_v<OpTy, QuantizedConvOp>) {
    addIntsAttr(node, "strides", op.getStrides());
    addIntsAttr(node, "dilations", op.getDilations());
    addIntsAttr(node, "pads", op.getPads());
    addIntAttr(node, "group", op.getGroup());
  }
  if (addBias) {
    std::string sum = nextOutput("biased");
    addNode("Add", {current, *bias}, {sum}, op);
    current = sum;
  }
  if (op.getActivation() == FusedActivation::relu) {
    std::string out = nextOutput("relu");
    addNode("Relu", {current}, {out}, op);
    current = out;
  } else if (op.getActivation() == FusedActivation::clip) {
    float lo = op.getClipMinAttr() ? op.getClipMinAttr().getValueAsDouble()
                                   : -std::numeric_limits<float>::infinity();
    float hi = op.getClipMaxAttr() ? op.getClipMaxAttr().getValueAsDouble()
                                   : std::numeric_limits<float>::infinity();
    std::string lower = addF32Initializer(base + "_clip_min", {lo}, {});
    std::string upper = addF32Initializer(base + "_clip_max", {hi}, {});
    std::string out = nextOutput("clip");
    addNode("Clip", {current, lower, upper}, {out}, op);
    current = out;
  }
  if (!resultQuant)
    return success();
  return quantizeName(op, current, resultQuant, nextOutput("quantized"));
}

/// Elementwise ops that map one to one.
StringRef simpleOnnxOp(Operation *op) {
  return llvm::StringSwitch<StringRef>(op->getName().stripDialect())
      .Case("add", "Add")
      .Case("sub", "Sub")
      .Case("mul", "Mul")
      .Case("div", "Div")
      .Case("pow", "Pow")
      .Case("max", "Max")
      .Case("min", "Min")
      .Case("abs", "Abs")
      .Case("ceil", "Ceil")
      .Case("cos", "Cos")
      .Case("erf", "Erf")
      .Case("exp", "Exp")
      .Case("floor", "Floor")
      .Case("log", "Log")
      .Case("neg", "Neg")
      .Case("not", "Not")
      .Case("reciprocal", "Reciprocal")
      .Case("relu", "Relu")
      .Case("round", "Round")
      .Case("sigmoid", "Sigmoid")
      .Case("sign", "Sign")
      .Case("sin", "Sin")
      .Case("softplus", "Softplus")
      .Case("sqrt", "Sqrt")
      .Case("tanh", "Tanh")
      .Case("hard_swish", "HardSwish")
      .Case("matmul", "MatMul")
      .Default("");
}

LogicalResult GraphExporter::exportOp(Operation *op) {
  std::string base = baseName(op);
  auto operandNames = [&]() {
    SmallVector<std::string> result;
    for (Value operand : op->getOperands())
      result.push_back(nameOf(operand));
    return result;
  };
  auto resultName = [&]() { return nameOf(op->getResult(0)); };

  if (StringRef onnxOp = simpleOnnxOp(op); !onnxOp.empty()) {
    addNode(onnxOp, operandNames(), {resultName()}, op);
    return success();
  }
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ConstantOp constant) { return exportConstant(constant); })
      .Case([&](quant::StorageCastOp cast) {
        // Storage and quantized views are the same ONNX tensor.
        names[cast.getResult()] = nameOf(cast.getInput());
        return success();
      })
      .Case([&](QuantizeOp quantize) -> LogicalResult {
        if (quantize.getCodebook())
          return op->emitError("codebook quantization has no ONNX form");
        return quantizeName(op, nameOf(quantize.getInput()),
                            cast<quant::QuantizedType>(
                                getElementTypeOrSelf(quantize.getType())),
                            resultName());
      })
      .Case([&](DequantizeOp dequantize) -> LogicalResult {
        if (dequantize.getCodebook())
          return op->emitError("codebook dequantization has no ONNX form");
        return dequantizeValue(op, dequantize.getInput(), base,
                               resultName());
      })
      .Case([&](RequantizeOp requantize) -> LogicalResult {
        FailureOr<std::string> name =
            dequantizeValue(op, requantize.getInput(), base);
        if (failed(name))
          return failure();
        return quantizeName(op, *name,
                            cast<quant::QuantizedType>(
                                getElementTypeOrSelf(requantize.getType())),
                            resultName());
      })
      .Case([&](QuantizedConvOp conv) {
        return exportQuantizedContraction(conv, "Conv");
      })
      .Case([&](QuantizedMatMulOp matmul) {
        return exportQuantizedContraction(matmul, "MatMul");
      })
      .Case([&](ConvOp conv) {
        onnx::NodeProto &node = addNode("Conv", operandNames(),
                                        {resultName()}, op);
        addIntsAttr(node, "strides", conv.getStrides());
        addIntsAttr(node, "dilations", conv.getDilations());
        addIntsAttr(node, "pads", conv.getPads());
        addIntAttr(node, "group", conv.getGroup());
        return success();
      })
      .Case([&](ConvTransposeOp conv) {
        onnx::NodeProto &node = addNode("ConvTranspose", operandNames(),
                                        {resultName()}, op);
        auto input = cast<RankedTensorType>(conv.getInput().getType());
        auto weight = cast<RankedTensorType>(conv.getWeight().getType());
        int64_t spatial = input.getRank() - 2;
        // The result extent beyond what strides and pads give is ONNX's
        // output_padding.
        SmallVector<int64_t> outputPadding;
        for (int64_t i = 0; i < spatial; ++i) {
          int64_t natural = (input.getDimSize(i + 2) - 1) * conv.getStrides()[i] -
                            conv.getPads()[i] - conv.getPads()[i + spatial] +
                            (weight.getDimSize(i + 2) - 1) *
                                conv.getDilations()[i] +
                            1;
          outputPadding.push_back(conv.getType().getDimSize(i + 2) - natural);
        }
        addIntsAttr(node, "strides", conv.getStrides());
        addIntsAttr(node, "dilations", conv.getDilations());
        addIntsAttr(node, "pads", conv.getPads());
        addIntsAttr(node, "output_padding", outputPadding);
        addIntAttr(node, "group", conv.getGroup());
        return success();
      })
      .Case([&](GemmOp gemm) {
        onnx::NodeProto &node =
            addNode("Gemm", operandNames(), {resultName()}, op);
        addFloatAttr(node, "alpha", gemm.getAlpha().convertToFloat());
        addFloatAttr(node, "beta", gemm.getBeta().convertToFloat());
        addIntAttr(node, "transA", gemm.getTransA());
        addIntAttr(node, "transB", gemm.getTransB());
        return success();
      })
      .Case([&](ClipOp clip) {
        SmallVector<std::string> inputs = {nameOf(clip.getInput())};
        // Bounds are scalar initializers of the element type.
        auto addBound = [&](Attribute attr, StringRef suffix) {
          if (!attr) {
            inputs.push_back("");
            return;
          }
          if (auto f = dyn_cast<FloatAttr>(attr)) {
            inputs.push_back(addF32Initializer(
                base + suffix.str(),
                {static_cast<float>(f.getValueAsDouble())}, {}));
            return;
          }
          int64_t v = cast<IntegerAttr>(attr).getInt();
          inputs.push_back(addInitializer(
              base + suffix.str(),
              *onnxElementType(cast<TypedAttr>(attr).getType()), {},
              std::string(reinterpret_cast<const char *>(&v),
                          std::max(1u, cast<TypedAttr>(attr)
                                               .getType()
                                               .getIntOrFloatBitWidth() /
                                           8))));
        };
        addBound(clip.getMinAttr(), "_min");
        addBound(clip.getMaxAttr(), "_max");
        while (!inputs.empty() && inputs.back().empty())
          inputs.pop_back();
        addNode("Clip", inputs, {resultName()}, op);
        return success();
      })
      .Case([&](HardSigmoidOp hs) {
        onnx::NodeProto &node =
            addNode("HardSigmoid", operandNames(), {resultName()}, op);
        addFloatAttr(node, "alpha", hs.getAlpha().convertToFloat());
        addFloatAttr(node, "beta", hs.getBeta().convertToFloat());
        return success();
      })
      .Case([&](LeakyReluOp leaky) {
        onnx::NodeProto &node =
            addNode("LeakyRelu", operandNames(), {resultName()}, op);
        addFloatAttr(node, "alpha", leaky.getAlpha().convertToFloat());
        return success();
      })
      .Case([&](SoftmaxOp softmax) {
        onnx::NodeProto &node =
            addNode(softmax.getLog() ? "LogSoftmax" : "Softmax",
                    operandNames(), {resultName()}, op);
        addIntAttr(node, "axis", softmax.getAxis());
        return success();
      })
      .Case([&](ReshapeOp reshape) {
        std::string shape = addI64Initializer(base + "_shape",
                                              reshape.getType().getShape());
        addNode("Reshape", {nameOf(reshape.getInput()), shape},
                {resultName()}, op);
        return success();
      })
      .Case([&](TransposeOp transpose) {
        onnx::NodeProto &node =
            addNode("Transpose", operandNames(), {resultName()}, op);
        addIntsAttr(node, "perm", transpose.getPerm());
        return success();
      })
      .Case([&](ConcatOp concat) {
        onnx::NodeProto &node =
            addNode("Concat", operandNames(), {resultName()}, op);
        addIntAttr(node, "axis", concat.getAxis());
        return success();
      })
      .Case([&](SliceOp slice) {
        ArrayRef<int64_t> starts = slice.getStarts(), steps = slice.getSteps();
        ArrayRef<int64_t> sizes = slice.getType().getShape();
        SmallVector<int64_t> ends, axes;
        for (auto [i, start] : llvm::enumerate(starts)) {
          int64_t end = start + steps[i] * sizes[i];
          // A negative step running past the front needs an end before 0.
          ends.push_back(end < 0 ? INT64_MIN : end);
          axes.push_back(i);
        }
        addNode("Slice",
                {nameOf(slice.getInput()),
                 addI64Initializer(base + "_starts", starts),
                 addI64Initializer(base + "_ends", ends),
                 addI64Initializer(base + "_axes", axes),
                 addI64Initializer(base + "_steps", steps)},
                {resultName()}, op);
        return success();
      })
      .Case<ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
            ReduceL1Op, ReduceL2Op>([&](auto reduce) {
        StringRef onnxOp =
            llvm::StringSwitch<StringRef>(op->getName().stripDialect())
                .Case("reduce_mean", "ReduceMean")
                .Case("reduce_max", "ReduceMax")
                .Case("reduce_min", "ReduceMin")
                .Case("reduce_prod", "ReduceProd")
                .Case("reduce_l1", "ReduceL1")
                .Default("ReduceL2");
        onnx::NodeProto &node =
            addNode(onnxOp, operandNames(), {resultName()}, op);
        addIntsAttr(node, "axes", reduce.getAxes());
        addIntAttr(node, "keepdims", reduce.getKeepdims());
        return success();
      })
      .Case([&](ReduceSumOp reduce) {
        // ReduceSum takes its axes as an input since opset 13.
        onnx::NodeProto &node = addNode(
            "ReduceSum",
            {nameOf(reduce.getInput()),
             addI64Initializer(base + "_axes", reduce.getAxes())},
            {resultName()}, op);
        addIntAttr(node, "keepdims", reduce.getKeepdims());
        return success();
      })
      .Case([&](AvgPoolOp pool) {
        onnx::NodeProto &node =
            addNode("AveragePool", operandNames(), {resultName()}, op);
        addIntsAttr(node, "kernel_shape", pool.getKernelShape());
        addIntsAttr(node, "strides", pool.getStrides());
        addIntsAttr(node, "pads", pool.getPads());
        addIntAttr(node, "count_include_pad", pool.getCountIncludePad());
        return success();
      })
      .Case([&](MaxPoolOp pool) {
        onnx::NodeProto &node =
            addNode("MaxPool", operandNames(), {resultName()}, op);
        addIntsAttr(node, "kernel_shape", pool.getKernelShape());
        addIntsAttr(node, "strides", pool.getStrides());
        addIntsAttr(node, "dilations", pool.getDilations());
        addIntsAttr(node, "pads", pool.getPads());
        return success();
      })
      .Case([&](BatchNormOp norm) {
        onnx::NodeProto &node = addNode("BatchNormalization", operandNames(),
                                        {resultName()}, op);
        addFloatAttr(node, "epsilon", norm.getEpsilon().convertToFloat());
        return success();
      })
      .Case([&](ResizeOp resize) {
        SmallVector<float> roi;
        if (auto r = resize.getRoi())
          roi.assign(r->begin(), r->end());
        ArrayRef<float> scales = resize.getScales();
        std::string roiName =
            roi.empty() ? std::string()
                        : addF32Initializer(base + "_roi", roi,
                                            {static_cast<int64_t>(roi.size())});
        onnx::NodeProto &node = addNode(
            "Resize",
            {nameOf(resize.getInput()), roiName,
             addF32Initializer(base + "_scales", scales,
                               {static_cast<int64_t>(scales.size())})},
            {resultName()}, op);
        addStringAttr(node, "mode", resize.getMode());
        addStringAttr(node, "coordinate_transformation_mode",
                      resize.getCoordinateTransformationMode());
        addStringAttr(node, "nearest_mode", resize.getNearestMode());
        addFloatAttr(node, "cubic_coeff_a",
                     resize.getCubicCoeffA().convertToFloat());
        addIntAttr(node, "exclude_outside", resize.getExcludeOutside());
        addFloatAttr(node, "extrapolation_value",
                     resize.getExtrapolationValue().convertToFloat());
        return success();
      })
      .Case([&](CastOp castOp) -> LogicalResult {
        std::optional<int> to =
            onnxElementType(castOp.getType().getElementType());
        if (!to)
          return op->emitError("cannot export a cast to ")
                 << castOp.getType().getElementType();
        onnx::NodeProto &node =
            addNode("Cast", operandNames(), {resultName()}, op);
        addIntAttr(node, "to", *to);
        return success();
      })
      .Default([&](Operation *) {
        return op->emitError("'")
               << op->getName() << "' cannot be exported to ONNX yet";
      });
}

LogicalResult GraphExporter::run() {
  graph.set_name(func.getName().str());
  // Graph inputs keep their ONNX names.
  for (auto [i, argument] : llvm::enumerate(func.getArguments())) {
    auto name = func.getArgAttrOfType<StringAttr>(i, "lowbit.name");
    std::string argName = freshName(name ? name.getValue()
                                         : StringRef("input_" +
                                                     std::to_string(i)));
    names[argument] = argName;
    if (failed(setValueInfo(*graph.add_input(), argument, argName)))
      return failure();
  }
  // Returned values take the output names, unless they are inputs or
  // returned twice (then an Identity gives the output its own name).
  auto returnOp = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<std::string> outputNames;
  SmallVector<bool> reserved;
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, "lowbit.name");
    std::string outName = name ? name.getValue().str()
                               : "output_" + std::to_string(i);
    outputNames.push_back(outName);
    reserved.push_back(!names.count(value) && !isa<BlockArgument>(value) &&
                       !matchPattern(value, m_Constant()) &&
                       used.insert(outName).second);
    if (reserved.back())
      names[value] = outName;
  }
  for (Operation &op : func.getBody().front().without_terminator())
    if (failed(exportOp(&op)))
      return failure();
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    std::string valueName = nameOf(value);
    if (valueName != outputNames[i]) {
      // A value that is another tensor under a new name (quant.scast) left
      // its reserved output name unwritten: the Identity takes it.
      std::string outName =
          reserved[i] ? outputNames[i] : freshName(outputNames[i]);
      addNode("Identity", {valueName}, {outName}, returnOp);
      outputNames[i] = outName;
    }
    if (failed(setValueInfo(*graph.add_output(), value, outputNames[i])))
      return failure();
  }
  return success();
}

/// The serialized ModelProto of `module`'s `main`.
LogicalResult serializeModel(ModuleOp module, std::string &bytes) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func || func.getBody().getBlocks().size() != 1)
    return module.emitError("ONNX export needs a single-block 'main' function");
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("lowbit");
  onnx::OperatorSetIdProto &opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOpset);
  if (failed(GraphExporter(func, *model.mutable_graph()).run()))
    return failure();

  try {
    if (!model.SerializeToString(&bytes))
      return module.emitError("could not serialize the ONNX model");
  } catch (const std::exception &e) {
    return module.emitError("could not serialize the ONNX model: ") << e.what();
  }
  return success();
}

} // namespace

LogicalResult exportONNXModel(ModuleOp module, llvm::raw_ostream &os) {
  std::string bytes;
  if (failed(serializeModel(module, bytes)))
    return failure();
  os << bytes;
  return success();
}

LogicalResult exportONNXModel(ModuleOp module, StringRef path) {
  std::string bytes;
  if (failed(serializeModel(module, bytes)))
    return failure();
  SmallString<256> temp(path);
  temp += ".tmp";
  {
    std::error_code error;
    llvm::raw_fd_ostream os(temp, error);
    if (error)
      return module.emitError("cannot write '") << temp << "': "
                                                 << error.message();
    os << bytes;
    os.close();
    if (os.has_error())
      return module.emitError("cannot write '") << temp << "'";
  }
  if (std::error_code error = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return module.emitError("cannot rename '")
           << temp << "' to '" << path << "': " << error.message();
  }
  return success();
}

} // namespace lowbit
