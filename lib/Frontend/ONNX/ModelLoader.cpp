//===- ModelLoader.cpp - read, check and specialize an ONNX model ---------===//
//
// libonnx and protobuf report problems by throwing; this file is built with
// exceptions and turns every one of them into a single diagnostic.
//
//===----------------------------------------------------------------------===//

#include "ModelLoader.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <climits>
#include <exception>

using namespace mlir;

namespace lowbit {
namespace onnx_import {

int64_t getNewestKnownOpset() {
  const auto &ranges =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find(onnx::ONNX_DOMAIN);
  return it == ranges.end() ? 0 : it->second.second;
}

int64_t getDefaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  // IR versions before 3 had no opset_import and meant opset 1.
  return model.ir_version() < 3 ? 1 : 0;
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

/// Replaces the external data reference of `tensor` by its bytes, read from
/// a file that must lie inside `modelDir` (no absolute paths, no `..`, no
/// symlink leading out).
static LogicalResult loadExternalData(onnx::TensorProto &tensor,
                                      StringRef modelDir, Location loc) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t value;
      if (!llvm::to_integer(entry.value(), value, 10))
        return emitError(loc) << "tensor '" << tensor.name()
                              << "' has a malformed external data "
                              << entry.key() << " '" << entry.value() << "'";
      if (entry.key() == "offset")
        offset = value;
      else
        length = value;
    }
  }
  auto refuse = [&](StringRef why) {
    return emitError(loc) << "tensor '" << tensor.name()
                          << "': external data path '" << location << "' "
                          << why;
  };
  if (location.empty())
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has external data without a location";
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location,
                                   llvm::sys::path::Style::windows) ||
      location.front() == '/' || location.front() == '\\')
    return refuse("is absolute; external data must lie inside the model's "
                  "folder");
  for (StringRef component : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (component == "..")
      return refuse("leaves the model's folder through '..'");

  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  SmallString<256> realDir, realPath;
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir, realDir))
    return emitError(loc) << "cannot resolve the model's folder '" << modelDir
                          << "': " << ec.message();
  if (std::error_code ec = llvm::sys::fs::real_path(path, realPath))
    return emitError(loc) << "cannot open external data '" << location
                          << "' of tensor '" << tensor.name()
                          << "': " << ec.message();
  // A symlink inside the folder may still point elsewhere.
  SmallString<256> prefix(realDir);
  if (!prefix.ends_with(llvm::sys::path::get_separator()))
    prefix += llvm::sys::path::get_separator();
  if (!realPath.starts_with(prefix))
    return refuse(
        ("resolves to '" + realPath + "', outside the model's folder").str());

  auto buffer = llvm::MemoryBuffer::getFile(realPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read external data '" << location
                          << "' of tensor '" << tensor.name()
                          << "': " << buffer.getError().message();
  uint64_t fileSize = (*buffer)->getBufferSize();
  uint64_t size = length.value_or(fileSize >= offset ? fileSize - offset : 0);
  if (offset > fileSize || size > fileSize - offset)
    return emitError(loc) << "external data of tensor '" << tensor.name()
                          << "' (offset " << offset << ", length " << size
                          << ") lies beyond the end of '" << location << "' ("
                          << fileSize << " bytes)";
  tensor.set_raw_data((*buffer)->getBufferStart() + offset, size);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

/// Loads the external data of every initializer and Constant node tensor.
static LogicalResult loadAllExternalData(onnx::ModelProto &model,
                                         StringRef path, Location loc) {
  SmallString<256> modelDir = llvm::sys::path::parent_path(path);
  if (modelDir.empty())
    modelDir = ".";
  auto visit = [&](onnx::TensorProto &tensor) -> LogicalResult {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
      return success();
    return loadExternalData(tensor, modelDir, loc);
  };
  onnx::GraphProto *graph = model.mutable_graph();
  for (onnx::TensorProto &tensor : *graph->mutable_initializer())
    if (failed(visit(tensor)))
      return failure();
  for (onnx::NodeProto &node : *graph->mutable_node())
    for (onnx::AttributeProto &attr : *node.mutable_attribute())
      if (attr.has_t() && failed(visit(*attr.mutable_t())))
        return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Input shapes
//===----------------------------------------------------------------------===//

/// Graph inputs that are not initializers (before IR 4 initializers were
/// listed as inputs too).
static SmallVector<onnx::ValueInfoProto *>
getRealInputs(onnx::ModelProto &model) {
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : model.graph().initializer())
    initializers.insert(tensor.name());
  SmallVector<onnx::ValueInfoProto *> inputs;
  for (onnx::ValueInfoProto &input : *model.mutable_graph()->mutable_input())
    if (!initializers.contains(input.name()))
      inputs.push_back(&input);
  return inputs;
}

/// Applies `--input-shape` values and checks that every input ends static.
static LogicalResult specializeInputs(onnx::ModelProto &model,
                                      const ONNXImportOptions &options,
                                      Location loc) {
  SmallVector<onnx::ValueInfoProto *> inputs = getRealInputs(model);
  // `flag` names the option the shape came from in messages.
  auto specialize = [&](const std::string &name, ArrayRef<int64_t> dims,
                        StringRef flag) -> LogicalResult {
    auto it = llvm::find_if(inputs, [&](onnx::ValueInfoProto *v) {
      return v->name() == name;
    });
    if (it == inputs.end()) {
      std::string names;
      for (onnx::ValueInfoProto *input : inputs)
        names += (names.empty() ? "'" : ", '") + input->name() + "'";
      return emitError(loc) << flag << " names '" << name
                            << "', which is not a graph input; the inputs are "
                            << (names.empty() ? "(none)" : names);
    }
    onnx::ValueInfoProto &input = **it;
    if (!input.type().has_tensor_type())
      return emitError(loc) << "input '" << name << "' is not a tensor";
    onnx::TypeProto_Tensor *tensorType =
        input.mutable_type()->mutable_tensor_type();
    onnx::TensorShapeProto *shape = tensorType->mutable_shape();
    if (tensorType->has_shape() &&
        shape->dim_size() != static_cast<int>(dims.size()))
      return emitError(loc) << flag << " gives input '" << name << "' rank "
                            << dims.size() << ", but the model says rank "
                            << shape->dim_size();
    if (shape->dim_size() == 0)
      for (size_t d = 0; d < dims.size(); ++d)
        shape->add_dim();
    for (auto [d, value] : llvm::enumerate(dims)) {
      onnx::TensorShapeProto_Dimension *dim = shape->mutable_dim(d);
      if (dim->has_dim_value() && dim->dim_value() != value)
        return emitError(loc) << flag << " gives input '" << name
                              << "' extent " << value << " in dimension " << d
                              << ", but the model fixes it to "
                              << dim->dim_value();
      dim->set_dim_value(value);
    }
    return success();
  };
  for (const auto &[name, dims] : options.inputShapes)
    if (failed(specialize(name, dims, "--input-shape")))
      return failure();
  // A bound value fixes the shape of its input; an explicit --input-shape
  // that disagrees is caught when the value is checked against the input.
  for (const auto &[name, value] : options.inputValues)
    if (!options.inputShapes.count(name) &&
        failed(specialize(name, value.shape, "--input-value")))
      return failure();
  for (onnx::ValueInfoProto *input : inputs) {
    if (!input->type().has_tensor_type())
      return emitError(loc) << "input '" << input->name()
                            << "' is not a tensor; only tensor inputs are "
                               "supported";
    const onnx::TypeProto_Tensor &tensorType = input->type().tensor_type();
    if (!tensorType.has_shape())
      return emitError(loc) << "input '" << input->name()
                            << "' has an unknown rank; pass --input-shape "
                            << input->name() << "=d0,d1,...";
    for (int d = 0; d < tensorType.shape().dim_size(); ++d) {
      const onnx::TensorShapeProto_Dimension &dim = tensorType.shape().dim(d);
      if (dim.has_dim_value() && dim.dim_value() >= 0)
        continue;
      InFlightDiagnostic diag = emitError(loc);
      diag << "input '" << input->name() << "' has a dynamic dimension " << d;
      if (dim.has_dim_param())
        diag << " ('" << dim.dim_param() << "')";
      diag << "; pass --input-shape " << input->name() << "=";
      for (int k = 0; k < tensorType.shape().dim_size(); ++k) {
        const onnx::TensorShapeProto_Dimension &known =
            tensorType.shape().dim(k);
        diag << (k ? "," : "");
        if (known.has_dim_value())
          diag << known.dim_value();
        else
          diag << "N";
      }
      diag << " to make it static";
      return diag;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

LogicalResult loadModel(StringRef path, const ONNXImportOptions &options,
                        Location loc, onnx::ModelProto &model) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read '" << path
                          << "': " << buffer.getError().message();
  if ((*buffer)->getBufferSize() > static_cast<size_t>(INT_MAX))
    return emitError(loc) << "'" << path
                          << "' is larger than 2 GiB; keep weights as ONNX "
                             "external data";
  if (!model.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize())))
    return emitError(loc) << "'" << path
                          << "' is not a valid ONNX model: the protobuf does "
                             "not parse (truncated or not an ONNX file)";
  if (!model.has_graph() || model.ir_version() <= 0)
    return emitError(loc) << "'" << path
                          << "' is not an ONNX model: it has no "
                          << (model.has_graph() ? "IR version" : "graph");

  int64_t opset = getDefaultOpset(model);
  int64_t newest = getNewestKnownOpset();
  if (opset > newest)
    return emitError(loc) << "'" << path << "' uses ai.onnx opset " << opset
                          << ", newer than the newest supported opset "
                          << newest;
  if (opset <= 0)
    return emitError(loc) << "'" << path
                          << "' does not import the ai.onnx opset";

  if (failed(loadAllExternalData(model, path, loc)))
    return failure();

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return emitError(loc) << "'" << path
                          << "' fails the ONNX checker: " << e.what();
  } catch (...) {
    return emitError(loc) << "'" << path << "' fails the ONNX checker";
  }

  if (failed(specializeInputs(model, options, loc)))
    return failure();

  try {
    onnx::ShapeInferenceOptions inference(/*check_type_val=*/true,
                                          /*strict_mode_val=*/1,
                                          /*data_prop_val=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &e) {
    return emitError(loc) << "ONNX shape inference fails on '" << path
                          << "': " << e.what();
  } catch (...) {
    return emitError(loc) << "ONNX shape inference fails on '" << path << "'";
  }
  return success();
}

} // namespace onnx_import
} // namespace lowbit
