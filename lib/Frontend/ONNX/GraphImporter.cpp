//===- GraphImporter.cpp - ONNX graph to lowbit, node by node -------------===//

#include "GraphImporter.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace lowbit {
namespace onnx_import {

//===----------------------------------------------------------------------===//
// OpRegistry
//===----------------------------------------------------------------------===//

void OpRegistry::onOp(StringRef opType, int64_t sinceVersion,
                      OpHandler handler) {
  auto &versions = handlers[opType];
  versions.emplace_back(sinceVersion, std::move(handler));
  llvm::sort(versions, [](const auto &a, const auto &b) {
    return a.first < b.first;
  });
}

const OpHandler *OpRegistry::lookup(StringRef opType, int64_t opset) const {
  auto it = handlers.find(opType);
  if (it == handlers.end())
    return nullptr;
  const OpHandler *found = nullptr;
  for (const auto &[since, handler] : it->second)
    if (since <= opset)
      found = &handler;
  return found;
}

const OpRegistry &getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    populateElementwiseHandlers(r);
    populateNNHandlers(r);
    populateNormalizationHandlers(r);
    populateQuantizationHandlers(r);
    populateReductionHandlers(r);
    populateTensorHandlers(r);
    return r;
  }();
  return registry;
}

/// True for the default (ai.onnx) domain.
static bool isDefaultDomain(StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

std::string getRegistryKey(const onnx::NodeProto &node) {
  if (isDefaultDomain(node.domain()))
    return node.op_type();
  return node.domain() + "." + node.op_type();
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Type convertElementType(MLIRContext *context, int32_t onnxType) {
  Builder b(context);
  auto unsignedType = [&](unsigned width) {
    return IntegerType::get(context, width, IntegerType::Unsigned);
  };
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT8:
    return unsignedType(8);
  case onnx::TensorProto::UINT16:
    return unsignedType(16);
  case onnx::TensorProto::UINT32:
    return unsignedType(32);
  case onnx::TensorProto::UINT64:
    return unsignedType(64);
  default:
    return {};
  }
}

/// Stores the low `size` bytes of `value` little-endian at `out`.
static void storeLittleEndian(char *out, uint64_t value, unsigned size) {
  for (unsigned b = 0; b < size; ++b)
    out[b] = static_cast<char>((value >> (8 * b)) & 0xff);
}

FailureOr<HostTensor> decodeTensor(MLIRContext *context,
                                   const onnx::TensorProto &tensor,
                                   std::string &error) {
  Type elementType = convertElementType(context, tensor.data_type());
  if (!elementType) {
    error = "has unsupported element type " +
            onnx::TensorProto::DataType_Name(
                static_cast<onnx::TensorProto::DataType>(tensor.data_type()));
    return failure();
  }
  SmallVector<int64_t> dims;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0) {
      error = "has a negative dimension";
      return failure();
    }
    dims.push_back(dim);
  }
  if (tensor.has_segment()) {
    error = "is segmented, which is not supported";
    return failure();
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "has external data that was not loaded";
    return failure();
  }
  auto type = RankedTensorType::get(dims, elementType);
  size_t count = type.getNumElements();
  unsigned size = getHostElementSize(elementType);
  std::vector<char> bytes(count * size);

  auto countMismatch = [&](size_t got) {
    error = "holds " + std::to_string(got) + " values, but its shape needs " +
            std::to_string(count);
    return failure();
  };
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != bytes.size()) {
      error = "has " + std::to_string(raw.size()) +
              " bytes of raw data, but its shape and type need " +
              std::to_string(bytes.size());
      return failure();
    }
    std::memcpy(bytes.data(), raw.data(), raw.size());
    return HostTensor(type, std::move(bytes));
  }
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (static_cast<size_t>(tensor.float_data_size()) != count)
      return countMismatch(tensor.float_data_size());
    std::memcpy(bytes.data(), tensor.float_data().data(), bytes.size());
    break;
  case onnx::TensorProto::DOUBLE:
    if (static_cast<size_t>(tensor.double_data_size()) != count)
      return countMismatch(tensor.double_data_size());
    std::memcpy(bytes.data(), tensor.double_data().data(), bytes.size());
    break;
  case onnx::TensorProto::INT64:
    if (static_cast<size_t>(tensor.int64_data_size()) != count)
      return countMismatch(tensor.int64_data_size());
    std::memcpy(bytes.data(), tensor.int64_data().data(), bytes.size());
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (static_cast<size_t>(tensor.uint64_data_size()) != count)
      return countMismatch(tensor.uint64_data_size());
    for (size_t i = 0; i < count; ++i)
      storeLittleEndian(bytes.data() + i * size, tensor.uint64_data(i), size);
    break;
  default:
    // int32_data carries every narrower integer, bool, and the bit patterns
    // of float16 / bfloat16.
    if (static_cast<size_t>(tensor.int32_data_size()) != count)
      return countMismatch(tensor.int32_data_size());
    for (size_t i = 0; i < count; ++i) {
      uint64_t value = static_cast<uint32_t>(tensor.int32_data(i));
      if (elementType.isInteger(1))
        value = value != 0;
      storeLittleEndian(bytes.data() + i * size, value, size);
    }
    break;
  }
  return HostTensor(type, std::move(bytes));
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           int64_t opset)
    : graph(graph), node(node), opset(opset),
      loc(NameLoc::get(StringAttr::get(graph.getContext(),
                                       getDisplayName()))) {}

OpBuilder &NodeImporter::getBuilder() { return graph.getBuilder(); }
MLIRContext *NodeImporter::getContext() { return graph.getContext(); }

std::string NodeImporter::getDisplayName() const {
  if (!node.name().empty())
    return node.name();
  for (const std::string &output : node.output())
    if (!output.empty())
      return output;
  return node.op_type();
}

RankedTensorType NodeImporter::getInputType(unsigned i) {
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  return entry ? entry->getType() : RankedTensorType();
}

Value NodeImporter::getInput(unsigned i) {
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  if (!entry)
    return Value();
  if (graph.isEvaluatingOnHost()) {
    // The IR is thrown away: a fresh constant, never cached in the entry.
    const HostTensor *known = graph.getKnownValue(node.input(i));
    return create<lowbit::ConstantOp>(known->toElementsAttr(node.input(i)));
  }
  return graph.materialize(node.input(i), *entry);
}

const HostTensor *NodeImporter::getConstantInput(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  if (graph.isEvaluatingOnHost())
    return graph.getKnownValue(node.input(i));
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  return entry && entry->constant ? &*entry->constant : nullptr;
}

const HostTensor *NodeImporter::getRequiredConstant(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  return graph.getKnownValue(node.input(i));
}

FailureOr<const HostTensor *>
NodeImporter::getRequiredConstant(unsigned i, StringRef what) {
  if (const HostTensor *known = getRequiredConstant(i))
    return known;
  InFlightDiagnostic diag = emitError();
  diag << "the " << what << " (input " << i << ", '"
       << (hasInput(i) ? node.input(i) : std::string())
       << "') must be known at import time, but it is computed from graph "
          "inputs";
  if (!hasInput(i))
    return diag;
  SmallVector<std::string> sources = graph.getUnboundSources(node.input(i));
  if (sources.empty())
    return diag;
  diag << " (";
  llvm::interleaveComma(sources, diag,
                        [&](const std::string &s) { diag << "'" << s << "'"; });
  diag << "); pass --input-value " << sources.front() << "=FILE"
       << (sources.size() > 1 ? " for each" : "") << " to bind "
       << (sources.size() > 1 ? "them" : "it");
  return diag;
}

bool NodeImporter::isGraphInput(unsigned i) {
  if (!hasInput(i))
    return false;
  GraphImporter::Entry *entry = graph.lookup(node.input(i));
  return entry && !entry->constant &&
         isa_and_nonnull<BlockArgument>(entry->value);
}

bool NodeImporter::allInputsConstant() {
  for (unsigned i = 0, e = getNumInputs(); i < e; ++i)
    if (hasInput(i) && !getConstantInput(i))
      return false;
  return true;
}

FailureOr<SmallVector<int64_t>> NodeImporter::getConstantInts(unsigned i,
                                                              StringRef what) {
  FailureOr<const HostTensor *> constant = getRequiredConstant(i, what);
  if (failed(constant))
    return failure();
  return (*constant)->getInts();
}

const onnx::AttributeProto *NodeImporter::getAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImporter::getIntAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->i() : defaultValue;
}

float NodeImporter::getFloatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeImporter::getStringAttr(StringRef name,
                                        StringRef defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::getIntsAttr(StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>>
NodeImporter::getFloatsAttr(StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

void NodeImporter::setResult(unsigned i, Value value) {
  if (hasOutput(i) && !graph.isEvaluatingOnHost())
    graph.define(node.output(i), {value, std::nullopt});
}

void NodeImporter::setConstantResult(unsigned i, HostTensor value) {
  if (!hasOutput(i))
    return;
  if (graph.isEvaluatingOnHost())
    graph.defineKnown(node.output(i), std::move(value));
  else
    graph.define(node.output(i), {Value(), std::move(value)});
}

void NodeImporter::setQuantizedView(Value storage, Value quantized) {
  if (!graph.isEvaluatingOnHost())
    graph.setQuantizedView(storage, quantized);
}

Value NodeImporter::getQuantizedView(Value storage) {
  return graph.getQuantizedView(storage);
}

void NodeImporter::describe(InFlightDiagnostic &diag) const {
  diag << "node '" << getDisplayName() << "' (op ";
  if (!isDefaultDomain(node.domain()))
    diag << node.domain() << ".";
  diag << node.op_type() << ", opset " << opset << ")";
}

InFlightDiagnostic NodeImporter::emitError() {
  InFlightDiagnostic diag = mlir::emitError(graph.getFileLoc());
  describe(diag);
  diag << ": ";
  return diag;
}

InFlightDiagnostic NodeImporter::emitUnsupported(const Twine &why) {
  InFlightDiagnostic diag = mlir::emitError(graph.getFileLoc());
  describe(diag);
  diag << " is not supported";
  std::string reason = why.str();
  if (!reason.empty())
    diag << ": " << reason;
  return diag;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

RankedTensorType GraphImporter::Entry::getType() const {
  if (value)
    return cast<RankedTensorType>(value.getType());
  return constant->getType();
}

GraphImporter::GraphImporter(MLIRContext &context,
                             const onnx::ModelProto &model, StringRef path,
                             const ONNXImportOptions &options)
    : context(context), model(model), path(path.str()),
      opset(0), fileLoc(FileLineColLoc::get(&context, path, 0, 0)),
      builder(&context), options(options) {
  for (const onnx::OperatorSetIdProto &import : model.opset_import()) {
    if (isDefaultDomain(import.domain()))
      opset = import.version();
    else if (import.domain() == kMicrosoftDomain)
      microsoftOpset = import.version();
  }
  if (model.ir_version() < 3 && model.opset_import_size() == 0)
    opset = 1;
  const onnx::GraphProto &graph = model.graph();
  for (const auto *infos : {&graph.value_info(), &graph.output(), &graph.input()})
    for (const onnx::ValueInfoProto &info : *infos)
      inferredTypes.try_emplace(info.name(), &info.type());
}

GraphImporter::Entry *GraphImporter::lookup(StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

void GraphImporter::define(StringRef name, Entry entry) {
  values[name] = std::move(entry);
}

Value GraphImporter::materialize(StringRef name, Entry &entry) {
  if (entry.value)
    return entry.value;
  ElementsAttr attr = entry.constant->toElementsAttr(name);
  entry.value = lowbit::ConstantOp::create(
      builder, NameLoc::get(StringAttr::get(&context, name)), attr);
  return entry.value;
}

//===----------------------------------------------------------------------===//
// Bound graph inputs
//===----------------------------------------------------------------------===//

const HostTensor *GraphImporter::getKnownValue(StringRef name) {
  Entry *entry = lookup(name);
  if (!entry)
    return nullptr;
  if (entry->constant)
    return &*entry->constant;
  auto known = knownValues.find(name);
  if (known != knownValues.end())
    return &known->second;
  if (knownValues.empty() || !knownValueTried.insert(name).second)
    return nullptr;
  auto producer = producers.find(name);
  if (producer == producers.end())
    return nullptr;
  evaluateOnHost(*producer->second);
  known = knownValues.find(name);
  return known == knownValues.end() ? nullptr : &known->second;
}

void GraphImporter::defineKnown(StringRef name, HostTensor value) {
  knownValues[name] = std::move(value);
}

const OpHandler *GraphImporter::lookupHandler(const onnx::NodeProto &node,
                                              int64_t &nodeOpset) const {
  if (isDefaultDomain(node.domain()))
    nodeOpset = opset;
  else if (node.domain() == kMicrosoftDomain)
    nodeOpset = microsoftOpset;
  else
    return nullptr;
  return getOpRegistry().lookup(getRegistryKey(node), nodeOpset);
}

void GraphImporter::evaluateOnHost(const onnx::NodeProto &node) {
  for (const std::string &input : node.input())
    if (!input.empty() && !getKnownValue(input))
      return;
  int64_t nodeOpset;
  const OpHandler *handler = lookupHandler(node, nodeOpset);
  if (!handler)
    return;
  // A failure only means the value stays unknown; the handler reports what
  // it needs when it runs for real.
  ScopedDiagnosticHandler silence(&context,
                                  [](Diagnostic &) { return success(); });
  Block scratch;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&scratch);
  bool wasEvaluating = evaluatingOnHost;
  evaluatingOnHost = true;
  NodeImporter importer(*this, node, nodeOpset);
  (void)(*handler)(importer);
  evaluatingOnHost = wasEvaluating;
  scratch.dropAllReferences();
}

SmallVector<std::string> GraphImporter::getUnboundSources(StringRef name) {
  SmallVector<std::pair<unsigned, std::string>> sources;
  llvm::StringSet<> visited;
  SmallVector<std::string> worklist = {name.str()};
  while (!worklist.empty()) {
    std::string current = worklist.pop_back_val();
    if (!visited.insert(current).second)
      continue;
    Entry *entry = lookup(current);
    if (!entry || entry->constant || knownValues.count(current))
      continue;
    if (auto arg = dyn_cast_or_null<BlockArgument>(entry->value)) {
      sources.emplace_back(arg.getArgNumber(), current);
      continue;
    }
    auto producer = producers.find(current);
    if (producer != producers.end())
      for (const std::string &input : producer->second->input())
        if (!input.empty())
          worklist.push_back(input);
  }
  llvm::sort(sources);
  SmallVector<std::string> names;
  for (auto &source : sources)
    names.push_back(std::move(source.second));
  return names;
}

LogicalResult GraphImporter::bindInputValues(ArrayRef<std::string> argNames,
                                             ArrayRef<Type> argTypes) {
  for (const auto &[name, value] : options.inputValues) {
    const auto *found = llvm::find(argNames, name);
    if (found == argNames.end())
      return emitError(fileLoc) << "--input-value names '" << name
                                << "', which is not a graph input";
    auto type = cast<RankedTensorType>(argTypes[found - argNames.begin()]);
    Type elementType = convertElementType(&context, value.dtype);
    if (elementType != type.getElementType() ||
        ArrayRef<int64_t>(value.shape) != type.getShape())
      return emitError(fileLoc)
             << "--input-value for input '" << name << "' is "
             << value.getTypeString() << ", but the input is " << type;
    if (value.data.size() != static_cast<size_t>(value.getNumElements()) *
                                 getHostElementSize(elementType))
      return emitError(fileLoc) << "--input-value for input '" << name
                                << "' holds " << value.data.size()
                                << " bytes, which does not match its type "
                                << value.getTypeString();
    knownValues[name] = HostTensor(
        type, std::vector<char>(value.data.begin(), value.data.end()));
  }
  return success();
}

/// The MLIR type of a (static) graph input.
static RankedTensorType convertInputType(MLIRContext *context,
                                         const onnx::TypeProto &type) {
  Type elementType =
      convertElementType(context, type.tensor_type().elem_type());
  if (!elementType)
    return {};
  SmallVector<int64_t> shape;
  for (const auto &dim : type.tensor_type().shape().dim())
    shape.push_back(dim.dim_value());
  return RankedTensorType::get(shape, elementType);
}

LogicalResult GraphImporter::importInitializers() {
  for (const onnx::TensorProto &tensor : model.graph().initializer()) {
    std::string error;
    FailureOr<HostTensor> decoded = decodeTensor(&context, tensor, error);
    if (failed(decoded))
      return emitError(fileLoc)
             << "initializer '" << tensor.name() << "' " << error;
    define(tensor.name(), {Value(), std::move(*decoded)});
  }
  return success();
}

/// Collects the diagnostics of a verifier run into one message.
static LogicalResult verifyQuietly(Operation *op, std::string &message,
                                   bool recursively) {
  ScopedDiagnosticHandler handler(op->getContext(), [&](Diagnostic &diag) {
    if (!message.empty())
      message += "; ";
    message += diag.str();
    return success();
  });
  return verify(op, recursively);
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node) {
  int64_t nodeOpset = opset;
  const OpHandler *handler = lookupHandler(node, nodeOpset);
  NodeImporter importer(*this, node, nodeOpset);
  if (!isDefaultDomain(node.domain()) && node.domain() != kMicrosoftDomain)
    return importer.emitUnsupported(
        "domain '" + node.domain() + "' is not supported, only ai.onnx and " +
        kMicrosoftDomain + " (MatMulNBits)");
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && !lookup(node.input(i)))
      return importer.emitError()
             << "input '" << node.input(i) << "' is not defined";
  if (!handler)
    return importer.emitUnsupported();
  for (const std::string &output : node.output())
    if (!output.empty())
      producers[output] = &node;

  Block *block = builder.getInsertionBlock();
  Operation *last = block->empty() ? nullptr : &block->back();
  if (failed((*handler)(importer)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !lookup(node.output(i)))
      return importer.emitUnsupported("output " + Twine(i) + " ('" +
                                      node.output(i) + "') is not supported");
  // A result without elements is known whatever the inputs; as a constant
  // it spares the backends loops over empty iteration spaces.
  for (const std::string &output : node.output()) {
    Entry *result = output.empty() ? nullptr : lookup(output);
    if (result && result->value && !result->constant &&
        result->getType().getNumElements() == 0 &&
        getHostElementSize(result->getType().getElementType()))
      define(output, {Value(), HostTensor(result->getType(), {})});
  }

  // Check every op the handler made, so that a mistake is reported at the
  // node that caused it.
  for (Operation &op : llvm::make_range(
           last ? std::next(Block::iterator(last)) : block->begin(),
           block->end())) {
    std::string message;
    if (failed(verifyQuietly(&op, message, /*recursively=*/false)))
      return importer.emitError()
             << "the generated '" << op.getName()
             << "' does not verify (importer bug): " << message;
  }
  return checkResultTypes(importer);
}

/// Prints an ONNX shape like 1x?x4 for messages.
static std::string formatShape(const onnx::TensorShapeProto &shape) {
  std::string text;
  for (int d = 0; d < shape.dim_size(); ++d) {
    if (d)
      text += "x";
    text += shape.dim(d).has_dim_value()
                ? std::to_string(shape.dim(d).dim_value())
                : std::string("?");
  }
  return text.empty() ? "scalar" : text;
}

LogicalResult GraphImporter::checkResultTypes(NodeImporter &importer) {
  const onnx::NodeProto &node = importer.getProto();
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    auto it = inferredTypes.find(node.output(i));
    if (it == inferredTypes.end() || !it->second->has_tensor_type())
      continue;
    const onnx::TypeProto_Tensor &inferred = it->second->tensor_type();
    RankedTensorType ours = lookup(node.output(i))->getType();
    Type elementType = convertElementType(&context, inferred.elem_type());
    bool mismatch = elementType && elementType != ours.getElementType();
    if (inferred.has_shape()) {
      const onnx::TensorShapeProto &shape = inferred.shape();
      if (shape.dim_size() != ours.getRank()) {
        mismatch = true;
      } else {
        for (int d = 0; d < shape.dim_size(); ++d)
          if (shape.dim(d).has_dim_value() &&
              shape.dim(d).dim_value() != ours.getDimSize(d))
            mismatch = true;
      }
    }
    if (mismatch)
      return importer.emitError()
             << "output '" << node.output(i) << "' is imported as " << ours
             << ", but ONNX shape inference says "
             << (inferred.has_shape() ? formatShape(inferred.shape())
                                      : std::string("unknown shape"))
             << " of "
             << onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(
                        inferred.elem_type()));
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  (*module)->setAttr("lowbit.source",
                     builder.getStringAttr(llvm::sys::path::filename(path)));
  (*module)->setAttr("lowbit.opset", builder.getI64IntegerAttr(opset));
  builder.setInsertionPointToEnd(module->getBody());

  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    RankedTensorType type = convertInputType(&context, input.type());
    if (!type) {
      emitError(fileLoc) << "input '" << input.name()
                         << "' has an unsupported element type";
      return nullptr;
    }
    argTypes.push_back(type);
    argNames.push_back(input.name());
  }
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames))
    define(name, {entry->getArgument(i), std::nullopt});
  if (failed(bindInputValues(argNames, argTypes)))
    return nullptr;

  if (failed(importInitializers()))
    return nullptr;
  for (const onnx::NodeProto &node : graph.node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Entry *found = lookup(output.name());
    if (!found) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(materialize(output.name(), *found));
    resultTypes.push_back(results.back().getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, name] : llvm::enumerate(argNames))
    func.setArgAttr(i, "lowbit.name", builder.getStringAttr(name));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "lowbit.name", builder.getStringAttr(output.name()));

  // Nodes whose results feed no output (and constants only the host used)
  // are dropped; every lowbit op is side-effect free.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (op.use_empty() && isMemoryEffectFree(&op) &&
        !op.hasTrait<OpTrait::IsTerminator>())
      op.erase();

  // A bound input the host consumed entirely leaves the signature.
  llvm::BitVector unusedBound(argTypes.size());
  for (auto [i, name] : llvm::enumerate(argNames))
    if (options.inputValues.count(name) && entry->getArgument(i).use_empty())
      unusedBound.set(i);
  if (unusedBound.any() && failed(func.eraseArguments(unusedBound))) {
    emitError(fileLoc) << "cannot remove the bound inputs from @main "
                          "(importer bug)";
    return nullptr;
  }

  std::string message;
  if (failed(verifyQuietly(*module, message, /*recursively=*/true))) {
    emitError(fileLoc) << "the imported module does not verify (importer "
                          "bug): "
                       << message;
    return nullptr;
  }
  return module;
}

} // namespace onnx_import
} // namespace lowbit
