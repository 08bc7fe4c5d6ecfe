//===- ONNXImporter.cpp - ONNX model to the lowbit dialect ----------------===//
//
// The public entry points: load and check the model, then import its graph.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Frontend/ONNXImporter.h"

#include "GraphImporter.h"
#include "ModelLoader.h"

#include "dialects/Lowbit/IR/LowbitDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace lowbit {

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

OwningOpRef<ModuleOp> importONNXFile(MLIRContext &context, StringRef path,
                                     const ONNXImportOptions &options) {
  context.loadDialect<LowbitDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  onnx::ModelProto model;
  if (failed(onnx_import::loadModel(path, options, fileLoc, model)))
    return nullptr;
  onnx_import::GraphImporter importer(context, model, path);
  return importer.run();
}

} // namespace lowbit
