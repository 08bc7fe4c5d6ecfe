//===- Instrument.h - expose layer activations as @main results -*- C++ -*-===//
//
// Calibration and evaluation observe the tensors around every quantizable
// layer by compiling a copy of the model whose @main returns them as extra
// results, after the model's own outputs. Each extra result is named by its
// statistics key ("<layer>:input", "<layer>:output"), so the artifact's C API
// hands them out by that name; a tensor that is already a result is not
// returned twice (see ObservedTensor::outputName).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_ARTIFACT_INSTRUMENT_H
#define LOWBIT_LIB_ARTIFACT_INSTRUMENT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// A layer of a float or quantized graph.
struct GraphLayer {
  mlir::Operation *op;
  std::string name;
  /// "conv", "matmul" or "gemm".
  std::string opType;
  mlir::Value activation;
  /// See QuantizableLayer::activationChannelAxis.
  int64_t channelAxis;
  /// A lowbit.quantized_conv / lowbit.quantized_matmul.
  bool quantized;
};

/// The layers of `main` in IR order: the quantizable layers of a float graph
/// (getQuantizableLayers) and, in a quantized graph, the quantized ops too,
/// named by the same rule (the ONNX node name, "#N" for repeats), so that a
/// layer keeps its name through quantization.
std::vector<GraphLayer> getGraphLayers(mlir::func::FuncOp main);

/// A tensor that instrumentation made an extra result of @main.
struct ObservedTensor {
  /// The statistics key, e.g. "conv1:input".
  std::string key;
  /// The artifact output that holds the tensor: `key`, or the name of the
  /// output that already returned it (a model output, or a tensor that
  /// another key already exposed).
  std::string outputName;
  /// The layer it belongs to.
  std::string layer;
  /// The layer's op type as recipes match it ("conv", "matmul", "gemm").
  std::string opType;
  /// True for the layer's activation operand, false for its result.
  bool isLayerInput = false;
  /// A float layer's result after the constant add that follows it (key
  /// biasedOutputKey): what a quantized op that absorbed the add computes.
  /// Not a statistics key.
  bool isBiasedOutput = false;
  /// For a quantized layer's result: the op has a bias operand.
  bool hasBias = false;
  /// For inputs: the dimension reduced against the weights' input channels
  /// (per-channel statistics run along it); -1 for outputs.
  int64_t channelAxis = -1;
  /// True when the layer is a quantized op (its value was dequantized to
  /// float to be returned).
  bool quantized = false;
  /// The activation a quantized layer's epilogue applies to its result:
  /// its float counterpart must be compared after the same function. Empty
  /// for none, else "relu" or "clip".
  std::string fusedActivation;
  float clipMin = 0;
  float clipMax = 0;
};

/// The key of a float layer's result after a following constant add.
std::string biasedOutputKey(llvm::StringRef layer);

/// Which tensors of each layer to expose.
enum class InstrumentMode {
  /// Activation operands and results, and float results after a following
  /// constant add (calibration, and the float side of evaluation).
  InputsAndOutputs,
  /// Results only (evaluation of a quantized model).
  Outputs,
};

/// Appends the observed tensors of every layer (getGraphLayers) of
/// `module`'s @main to its results. Quantized values are dequantized to
/// float before they are returned. Fails, with a diagnostic, when the module
/// has no @main.
mlir::FailureOr<std::vector<ObservedTensor>>
instrumentLayers(mlir::ModuleOp module, InstrumentMode mode);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_INSTRUMENT_H
