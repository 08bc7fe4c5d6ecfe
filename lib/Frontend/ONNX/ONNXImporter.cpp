//===- ONNXImporter.cpp - ONNX model to the lowbit dialect ----------------===//
//
// The public entry points: load and check the model, then import its graph.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Frontend/ONNXImporter.h"

#include "GraphImporter.h"
#include "ModelLoader.h"

#include "dialects/Lowbit/IR/LowbitDialect.h"
#include "lowbit/Artifact/TensorFiles.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <climits>

using namespace mlir;

namespace lowbit {

ONNXImportOptions::ONNXImportOptions() = default;
ONNXImportOptions::ONNXImportOptions(const ONNXImportOptions &) = default;
ONNXImportOptions::ONNXImportOptions(ONNXImportOptions &&) = default;
ONNXImportOptions &
ONNXImportOptions::operator=(const ONNXImportOptions &) = default;
ONNXImportOptions &ONNXImportOptions::operator=(ONNXImportOptions &&) = default;
ONNXImportOptions::~ONNXImportOptions() = default;

LogicalResult parseInputShape(StringRef spec, ONNXImportOptions &options,
                              std::string &errorMessage) {
  auto [name, dimsText] = spec.rsplit('=');
  if (name.empty() || !spec.contains('=')) {
    errorMessage = ("--input-shape '" + spec +
                    "' is not of the form name=d0,d1,... (e.g. "
                    "x=1,3,48,320)")
                       .str();
    return failure();
  }
  std::vector<int64_t> dims;
  SmallVector<StringRef> parts;
  if (!dimsText.empty())
    dimsText.split(parts, ',');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.trim().getAsInteger(10, dim) || dim < 0) {
      errorMessage = ("--input-shape '" + spec + "': '" + part +
                      "' is not a non-negative integer extent")
                         .str();
      return failure();
    }
    dims.push_back(dim);
  }
  if (options.inputShapes.count(name.str())) {
    errorMessage = ("--input-shape gives input '" + name + "' twice").str();
    return failure();
  }
  options.inputShapes[name.str()] = std::move(dims);
  return success();
}

LogicalResult parseInputValue(StringRef spec, ONNXImportOptions &options,
                              std::string &errorMessage) {
  auto [name, file] = spec.split('=');
  if (name.empty() || file.empty()) {
    errorMessage = ("--input-value '" + spec +
                    "' is not of the form name=FILE (a .npy or .pb file)")
                       .str();
    return failure();
  }
  std::optional<TensorFileFormat> format = getTensorFileFormat(file);
  if (!format || *format == TensorFileFormat::Npz) {
    errorMessage = ("--input-value '" + spec +
                    "': the file must be .npy or .pb (an ONNX TensorProto)")
                       .str();
    return failure();
  }
  llvm::Expected<std::vector<TensorData>> tensors = readTensorFile(file);
  if (!tensors) {
    errorMessage = "--input-value " + name.str() + ": " +
                   llvm::toString(tensors.takeError());
    return failure();
  }
  if (options.inputValues.count(name.str())) {
    errorMessage = ("--input-value gives input '" + name + "' twice").str();
    return failure();
  }
  TensorData value = std::move(tensors->front());
  value.name = name.str();
  options.inputValues[name.str()] = std::move(value);
  return success();
}

FailureOr<std::vector<std::string>>
readONNXGraphInputNames(StringRef path, std::string &errorMessage) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    errorMessage = ("cannot read '" + path +
                    "': " + buffer.getError().message())
                       .str();
    return failure();
  }
  onnx::ModelProto model;
  if ((*buffer)->getBufferSize() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray((*buffer)->getBufferStart(),
                            static_cast<int>((*buffer)->getBufferSize()))) {
    errorMessage = ("'" + path + "' is not a valid ONNX model").str();
    return failure();
  }
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : model.graph().initializer())
    initializers.insert(tensor.name());
  std::vector<std::string> names;
  for (const onnx::ValueInfoProto &input : model.graph().input())
    if (!initializers.contains(input.name()))
      names.push_back(input.name());
  return names;
}

OwningOpRef<ModuleOp> importONNXFile(MLIRContext &context, StringRef path,
                                     const ONNXImportOptions &options) {
  context.loadDialect<LowbitDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  onnx::ModelProto model;
  if (failed(onnx_import::loadModel(path, options, fileLoc, model)))
    return nullptr;
  onnx_import::GraphImporter importer(context, model, path, options);
  return importer.run();
}

} // namespace lowbit
