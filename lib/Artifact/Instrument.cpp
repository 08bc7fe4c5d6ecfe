//===- Instrument.cpp - expose layer activations as @main results ---------===//

#include "lib/Artifact/Instrument.h"

#include "dialects/Lowbit/IR/LowbitOps.h"
#include "dialects/Lowbit/Transforms/LayerSchemes.h"
#include "dialects/Lowbit/Transforms/QuantizableLayers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace lowbit;

std::vector<lowbit::GraphLayer> lowbit::getGraphLayers(func::FuncOp main) {
  bool isFloatGraph = true;
  main.walk([&](Operation *op) {
    if (isa<QuantizedConvOp, QuantizedMatMulOp>(op) ||
        op->hasAttr(kLayerAttrName))
      isFloatGraph = false;
  });
  std::vector<GraphLayer> layers;
  if (isFloatGraph) {
    for (QuantizableLayer &layer : getQuantizableLayers(main))
      layers.push_back({layer.op, layer.name, layer.opType, layer.activation,
                        layer.activationChannelAxis, /*quantized=*/false});
    return layers;
  }

  // A quantized graph: layers carry the name lowbit-quantize-weights stamped
  // on them; unstamped ones are named as getQuantizableLayers would.
  llvm::DenseMap<Operation *, QuantizableLayer> floatLayers;
  for (QuantizableLayer &layer : getQuantizableLayers(main))
    floatLayers[layer.op] = layer;
  llvm::StringMap<unsigned> seen;
  main.walk([&](Operation *op) {
    auto stamp = op->getAttrOfType<StringAttr>(kLayerAttrName);
    GraphLayer layer{op, "", "", Value(), -1, /*quantized=*/false};
    auto lastAxis = [](Value value) {
      return cast<RankedTensorType>(value.getType()).getRank() - 1;
    };
    if (auto it = floatLayers.find(op); it != floatLayers.end()) {
      layer.opType = it->second.opType;
      layer.activation = it->second.activation;
      layer.channelAxis = it->second.activationChannelAxis;
    } else if (auto conv = dyn_cast<QuantizedConvOp>(op)) {
      layer.opType = "conv";
      layer.quantized = true;
      layer.activation = conv.getInput();
      layer.channelAxis = 1;
    } else if (auto matmul = dyn_cast<QuantizedMatMulOp>(op)) {
      layer.opType = "matmul";
      layer.quantized = true;
      layer.activation = matmul.getLhs();
      layer.channelAxis = lastAxis(layer.activation);
    } else if (!stamp) {
      return;
    } else if (auto conv = dyn_cast<ConvOp>(op)) {
      // A layer whose weights were quantized but not folded.
      layer.opType = "conv";
      layer.activation = conv.getInput();
      layer.channelAxis = 1;
    } else if (auto matmul = dyn_cast<MatMulOp>(op)) {
      layer.opType = "matmul";
      layer.activation = matmul.getLhs();
      layer.channelAxis = lastAxis(layer.activation);
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      layer.opType = "gemm";
      layer.activation = gemm.getA();
      layer.channelAxis = gemm.getTransA() ? 0 : lastAxis(layer.activation);
    } else {
      return;
    }
    if (stamp) {
      layer.name = stamp.str();
    } else {
      std::string base = getLocationName(op, layer.opType);
      unsigned &count = seen[base];
      layer.name = count == 0 ? base : base + "#" + std::to_string(count);
      ++count;
    }
    layers.push_back(std::move(layer));
  });
  return layers;
}

namespace {

/// `value` as a float tensor: quantized values are dequantized.
Value toFloat(OpBuilder &builder, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto quantized = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!quantized)
    return value;
  auto floatType = type.clone(quantized.getExpressedType());
  return lowbit::DequantizeOp::create(builder, loc, floatType, value,
                                      /*codebook=*/lowbit::CodebookAttr());
}

/// The result of `add(value, constant)` when that add is `value`'s only
/// user, else null.
Value getFollowingBiasAdd(Value value) {
  if (!value.hasOneUse())
    return Value();
  Operation *user = *value.getUsers().begin();
  if (!isa<AddOp>(user) || user->getNumOperands() != 2)
    return Value();
  Value other = user->getOperand(0) == value ? user->getOperand(1)
                                             : user->getOperand(0);
  if (!matchPattern(other, m_Constant()))
    return Value();
  return user->getResult(0);
}

} // namespace

std::string lowbit::biasedOutputKey(StringRef layer) {
  return (layer + ":biased_output").str();
}

FailureOr<std::vector<lowbit::ObservedTensor>>
lowbit::instrumentLayers(ModuleOp module, InstrumentMode mode) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return module.emitError("the module has no func.func @main");
  auto returnOp = cast<func::ReturnOp>(main.getBody().back().getTerminator());

  std::vector<ObservedTensor> observed;
  SmallVector<Value> extraResults;
  OpBuilder builder(returnOp);

  // A value is returned once: returning one tensor twice breaks
  // buffer-results-to-out-params. A tensor that is already a result (a
  // model output computed by a layer, an activation two layers share) is
  // read from that result.
  llvm::DenseMap<Value, std::string> returned;
  for (auto [i, value] : llvm::enumerate(returnOp.getOperands())) {
    auto name = main.getResultAttrOfType<StringAttr>(i, "lowbit.name");
    returned.try_emplace(value, name ? name.str()
                                     : "output_" + std::to_string(i));
  }
  auto expose = [&](ObservedTensor &tensor, Value value) {
    auto [it, inserted] = returned.try_emplace(value, tensor.key);
    tensor.outputName = it->second;
    if (inserted)
      extraResults.push_back(toFloat(builder, value.getLoc(), value));
  };

  for (const GraphLayer &layer : getGraphLayers(main)) {
    bool quantized = layer.quantized;
    if (mode == InstrumentMode::InputsAndOutputs) {
      ObservedTensor input;
      input.key = inputStatsKey(layer.name);
      input.layer = layer.name;
      input.opType = layer.opType;
      input.isLayerInput = true;
      input.channelAxis = layer.channelAxis;
      input.quantized = quantized;
      expose(input, layer.activation);
      observed.push_back(std::move(input));
    }
    ObservedTensor output;
    output.key = outputStatsKey(layer.name);
    output.layer = layer.name;
    output.opType = layer.opType;
    output.quantized = quantized;
    FusedActivation activation = FusedActivation::none;
    std::optional<APFloat> clipMin, clipMax;
    if (auto conv = dyn_cast<lowbit::QuantizedConvOp>(layer.op)) {
      activation = conv.getActivation();
      clipMin = conv.getClipMin();
      clipMax = conv.getClipMax();
    } else if (auto matmul = dyn_cast<lowbit::QuantizedMatMulOp>(layer.op)) {
      activation = matmul.getActivation();
      clipMin = matmul.getClipMin();
      clipMax = matmul.getClipMax();
    }
    if (activation == FusedActivation::relu) {
      output.fusedActivation = "relu";
    } else if (activation == FusedActivation::clip) {
      output.fusedActivation = "clip";
      output.clipMin = clipMin ? clipMin->convertToFloat()
                               : -std::numeric_limits<float>::infinity();
      output.clipMax = clipMax ? clipMax->convertToFloat()
                               : std::numeric_limits<float>::infinity();
    }
    output.hasBias = isa<QuantizedConvOp, QuantizedMatMulOp>(layer.op) &&
                     layer.op->getNumOperands() > 2;
    expose(output, layer.op->getResult(0));
    observed.push_back(std::move(output));

    // Folding absorbs a following constant add into a quantized op's bias:
    // evaluation compares such an op with the float value after the add.
    if (mode == InstrumentMode::InputsAndOutputs && !quantized)
      if (Value biased = getFollowingBiasAdd(layer.op->getResult(0))) {
        ObservedTensor tensor;
        tensor.key = biasedOutputKey(layer.name);
        tensor.layer = layer.name;
        tensor.opType = layer.opType;
        tensor.isBiasedOutput = true;
        expose(tensor, biased);
        observed.push_back(std::move(tensor));
      }
  }

  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0, e = main.getNumResults(); i < e; ++i)
    resultAttrs.push_back(main.getResultAttrDict(i)
                              ? main.getResultAttrDict(i)
                              : builder.getDictionaryAttr({}));
  for (const ObservedTensor &tensor : observed)
    if (tensor.outputName == tensor.key)
      resultAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
          "lowbit.name", builder.getStringAttr(tensor.key))));

  SmallVector<Value> results(returnOp.getOperands());
  results.append(extraResults);
  func::ReturnOp::create(builder, returnOp.getLoc(), results);
  returnOp.erase();
  SmallVector<Type> resultTypes;
  for (Value value : results)
    resultTypes.push_back(value.getType());
  main.setType(FunctionType::get(module.getContext(),
                                 main.getArgumentTypes(), resultTypes));
  main.setAllResultAttrs(resultAttrs);
  return observed;
}
