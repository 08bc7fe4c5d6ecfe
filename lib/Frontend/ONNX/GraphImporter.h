//===- GraphImporter.h - ONNX graph to lowbit, node by node -----*- C++ -*-===//
//
// The graph importer walks the nodes of a checked, shape-inferred ONNX graph
// in order and hands each to the handler registered for its op type and
// opset. Handlers see a NodeImporter: typed access to the node's inputs
// (as MLIR values or, when known at import time, as HostTensors), its
// attributes, and a way to define its outputs.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
#define LOWBIT_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "HostTensor.h"

#include "lowbit/Artifact/TensorFiles.h"
#include "lowbit/Frontend/ONNXImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <functional>
#include <optional>
#include <string>

namespace lowbit {
namespace onnx_import {

class GraphImporter;
class NodeImporter;

/// Imports one node: defines its outputs or emits one error and fails.
using OpHandler = std::function<mlir::LogicalResult(NodeImporter &)>;

/// Handlers by op type, each applying from an opset version on. Ops of the
/// default domain (ai.onnx) are registered by their name; ops of another
/// domain by `domain.name` (e.g. `com.microsoft.MatMulNBits`), with that
/// domain's opset versions.
class OpRegistry {
public:
  /// Registers `handler` for `opType` from opset `sinceVersion` until the
  /// next registration of the same op type.
  void onOp(llvm::StringRef opType, int64_t sinceVersion, OpHandler handler);

  /// The handler for `opType` at `opset`, or null when there is none.
  const OpHandler *lookup(llvm::StringRef opType, int64_t opset) const;

private:
  llvm::StringMap<std::vector<std::pair<int64_t, OpHandler>>> handlers;
};

/// Handlers by op family (one file each).
void populateElementwiseHandlers(OpRegistry &registry);
void populateNNHandlers(OpRegistry &registry);
void populateNormalizationHandlers(OpRegistry &registry);
void populateQuantizationHandlers(OpRegistry &registry);
void populateReductionHandlers(OpRegistry &registry);
void populateTensorHandlers(OpRegistry &registry);

/// The registry with every handler.
const OpRegistry &getOpRegistry();

/// The operator set domains the importer knows besides ai.onnx.
constexpr llvm::StringLiteral kMicrosoftDomain = "com.microsoft";

/// The key a node's handler is registered under: its op type for the
/// default domain, `domain.op_type` otherwise.
std::string getRegistryKey(const onnx::NodeProto &node);

/// Element type of an ONNX TensorProto data type, or null when unsupported.
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t onnxType);

/// Decodes the data of `tensor` (raw or typed fields; external data is
/// already loaded). Fails with `error` set on malformed or unsupported data.
mlir::FailureOr<HostTensor> decodeTensor(mlir::MLIRContext *context,
                                         const onnx::TensorProto &tensor,
                                         std::string &error);

/// The view of one node that a handler works with.
class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               int64_t opset);

  const onnx::NodeProto &getProto() const { return node; }
  llvm::StringRef getOpType() const { return node.op_type(); }
  /// The opset version of the node's domain.
  int64_t getOpset() const { return opset; }
  mlir::Location getLoc() const { return loc; }
  mlir::OpBuilder &getBuilder();
  mlir::MLIRContext *getContext();

  /// Creates an op at the node's location.
  template <typename OpTy, typename... Args>
  OpTy create(Args &&...args) {
    return OpTy::create(getBuilder(), loc, std::forward<Args>(args)...);
  }

  //===--- Inputs ---------------------------------------------------------===//

  unsigned getNumInputs() const { return node.input_size(); }
  /// True when input `i` exists and is not the empty (omitted) name.
  bool hasInput(unsigned i) const {
    return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
  }
  /// The type of input `i` (which must exist).
  mlir::RankedTensorType getInputType(unsigned i);
  /// Input `i` as an SSA value; a constant is materialized on first use.
  mlir::Value getInput(unsigned i);
  /// Input `i` if it is a constant, else null. Handlers fold on the host
  /// when their inputs are constants; a value computed from a bound graph
  /// input is not one (see getRequiredConstant).
  const HostTensor *getConstantInput(unsigned i);
  /// True when every present input is a constant.
  bool allInputsConstant();
  /// Input `i` where the handler cannot go on without its value: a constant,
  /// or the value it takes given the bound graph inputs
  /// (ONNXImportOptions::inputValues). Null when it is not known.
  const HostTensor *getRequiredConstant(unsigned i);
  /// getRequiredConstant, or an error naming `what` and the graph inputs the
  /// value is computed from.
  mlir::FailureOr<const HostTensor *> getRequiredConstant(unsigned i,
                                                          llvm::StringRef what);
  /// True when input `i` is a graph input (an argument of @main, bound or
  /// not), rather than a constant or a node's result.
  bool isGraphInput(unsigned i);
  /// Input `i` as integers; emits an error naming `what` when it is not
  /// known at import time.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  getConstantInts(unsigned i, llvm::StringRef what);

  //===--- Attributes -----------------------------------------------------===//

  const onnx::AttributeProto *getAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return getAttr(name); }
  int64_t getIntAttr(llvm::StringRef name, int64_t defaultValue) const;
  float getFloatAttr(llvm::StringRef name, float defaultValue) const;
  std::string getStringAttr(llvm::StringRef name,
                            llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>>
  getIntsAttr(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<float>>
  getFloatsAttr(llvm::StringRef name) const;

  //===--- Outputs --------------------------------------------------------===//

  unsigned getNumOutputs() const { return node.output_size(); }
  /// True when output `i` exists and is not omitted.
  bool hasOutput(unsigned i) const {
    return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
  }
  void setResult(unsigned i, mlir::Value value);
  void setConstantResult(unsigned i, HostTensor value);

  //===--- Quantized views ------------------------------------------------===//

  /// Records that the plain integer tensor `storage` (what ONNX sees) holds
  /// the codes of the quantized tensor `quantized`, so that a consumer that
  /// reads `storage` with the same quantized type uses `quantized` directly
  /// instead of a storage-cast round trip.
  void setQuantizedView(mlir::Value storage, mlir::Value quantized);
  /// The quantized tensor `storage` was made from, or null.
  mlir::Value getQuantizedView(mlir::Value storage);

  //===--- Errors ---------------------------------------------------------===//

  /// An error prefixed with `node 'NAME' (op TYPE, opset N): `.
  mlir::InFlightDiagnostic emitError();
  /// `node 'NAME' (op TYPE, opset N) is not supported: why`. TYPE is
  /// qualified by the domain outside ai.onnx.
  mlir::InFlightDiagnostic emitUnsupported(const llvm::Twine &why = "");

  /// The node's name for messages (its first output when unnamed).
  std::string getDisplayName() const;

private:
  /// `node 'NAME' (op TYPE, opset N)` for messages.
  void describe(mlir::InFlightDiagnostic &diag) const;

  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t opset;
  mlir::Location loc;
};

/// Builds `func.func @main` from an ONNX graph.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, const onnx::ModelProto &model,
                llvm::StringRef path, const ONNXImportOptions &options);

  /// Builds the module or emits one error and returns null.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  mlir::MLIRContext *getContext() { return &context; }
  mlir::OpBuilder &getBuilder() { return builder; }
  /// The location errors are reported at: the model file.
  mlir::Location getFileLoc() const { return fileLoc; }

  /// What an ONNX value name stands for while importing.
  struct Entry {
    mlir::Value value;
    std::optional<HostTensor> constant;
    mlir::RankedTensorType getType() const;
  };
  Entry *lookup(llvm::StringRef name);
  void define(llvm::StringRef name, Entry entry);
  /// The SSA value of an entry, materializing a constant if needed.
  mlir::Value materialize(llvm::StringRef name, Entry &entry);

  //===--- Bound graph inputs ---------------------------------------------===//

  /// The value `name` takes at import time: its constant, a bound graph
  /// input's value, or the result of evaluating its producer on the host
  /// with every input so known. Null when it depends on an unbound input.
  const HostTensor *getKnownValue(llvm::StringRef name);
  /// The unbound graph inputs `name` is computed from, in graph order.
  llvm::SmallVector<std::string> getUnboundSources(llvm::StringRef name);
  /// True while a handler runs to evaluate its node on the host for
  /// getKnownValue: its inputs read as constants, its IR is thrown away and
  /// its constant results become known values.
  bool isEvaluatingOnHost() const { return evaluatingOnHost; }
  /// Records a known value produced while evaluating on the host.
  void defineKnown(llvm::StringRef name, HostTensor value);

  /// See NodeImporter::setQuantizedView.
  void setQuantizedView(mlir::Value storage, mlir::Value quantized) {
    quantizedViews[storage] = quantized;
  }
  mlir::Value getQuantizedView(mlir::Value storage) const {
    return quantizedViews.lookup(storage);
  }

private:
  /// Converts and checks the bound input values against the inputs.
  mlir::LogicalResult bindInputValues(llvm::ArrayRef<std::string> argNames,
                                      llvm::ArrayRef<mlir::Type> argTypes);
  /// The handler for `node` and the opset version of its domain; null when
  /// there is none.
  const OpHandler *lookupHandler(const onnx::NodeProto &node,
                                 int64_t &nodeOpset) const;
  /// Runs `node`'s handler on known inputs for getKnownValue.
  void evaluateOnHost(const onnx::NodeProto &node);
  mlir::LogicalResult importInitializers();
  mlir::LogicalResult importNode(const onnx::NodeProto &node);
  /// Checks the types a handler produced against ONNX shape inference.
  mlir::LogicalResult checkResultTypes(NodeImporter &importer);

  mlir::MLIRContext &context;
  const onnx::ModelProto &model;
  std::string path;
  int64_t opset;
  /// The com.microsoft opset version the model imports (0 when it does not).
  int64_t microsoftOpset = 0;
  mlir::Location fileLoc;
  mlir::OpBuilder builder;
  llvm::StringMap<Entry> values;
  /// Types ONNX shape inference found, by value name.
  llvm::StringMap<const onnx::TypeProto *> inferredTypes;

  const ONNXImportOptions &options;
  /// Values known from bound graph inputs (the inputs themselves and what
  /// the host computed from them), by value name.
  llvm::StringMap<HostTensor> knownValues;
  /// Names whose value getKnownValue has tried to compute.
  llvm::StringSet<> knownValueTried;
  /// The node defining each value, by name.
  llvm::StringMap<const onnx::NodeProto *> producers;
  bool evaluatingOnHost = false;
  /// Plain storage tensors and the quantized tensors they hold.
  llvm::DenseMap<mlir::Value, mlir::Value> quantizedViews;
};

} // namespace onnx_import
} // namespace lowbit

#endif // LOWBIT_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
