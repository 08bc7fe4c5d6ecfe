//===- ModelSignature.cpp - the artifact's I/O table from @main -----------===//

#include "lowbit/Target/CPU/CPUCodegen.h"

#include "lowbit/Runtime/lowbit_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/ScopedPrinter.h"

using namespace mlir;
using lowbit::TensorSignature;

namespace {

/// ONNX dtype code of `type`, or 0 if the artifact ABI cannot carry it.
int getDType(Type type) {
  if (type.isF32())
    return LOWBIT_DTYPE_FLOAT32;
  if (type.isF16())
    return LOWBIT_DTYPE_FLOAT16;
  if (type.isF64())
    return LOWBIT_DTYPE_FLOAT64;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return LOWBIT_DTYPE_BOOL;
  case 8:
    return isUnsigned ? LOWBIT_DTYPE_UINT8 : LOWBIT_DTYPE_INT8;
  case 16:
    return isUnsigned ? LOWBIT_DTYPE_UINT16 : LOWBIT_DTYPE_INT16;
  case 32:
    return isUnsigned ? LOWBIT_DTYPE_UINT32 : LOWBIT_DTYPE_INT32;
  case 64:
    return isUnsigned ? LOWBIT_DTYPE_UINT64 : LOWBIT_DTYPE_INT64;
  default:
    return 0;
  }
}

uint64_t getElementBytes(Type type) {
  // i1 is stored as one byte per element, like ONNX bool.
  return std::max<uint64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

llvm::Expected<TensorSignature> getTensorSignature(Type type,
                                                   DictionaryAttr attrs,
                                                   llvm::StringRef kind,
                                                   unsigned index) {
  TensorSignature tensor;
  tensor.name = (kind + "_" + llvm::Twine(index)).str();
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("lowbit.name"))
      tensor.name = name.str();
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape())
    return llvm::createStringError(
        "@main %s '%s' must be a statically shaped tensor, got %s",
        kind.str().c_str(), tensor.name.c_str(),
        llvm::to_string(type).c_str());
  tensor.dtype = getDType(ranked.getElementType());
  if (tensor.dtype == 0)
    return llvm::createStringError(
        "@main %s '%s' has element type %s, which the CPU artifact ABI does "
        "not support",
        kind.str().c_str(), tensor.name.c_str(),
        llvm::to_string(ranked.getElementType()).c_str());
  tensor.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
  tensor.numBytes =
      ranked.getNumElements() * getElementBytes(ranked.getElementType());
  return tensor;
}

} // namespace

llvm::Expected<lowbit::ModelSignature>
lowbit::getModelSignature(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal())
    return llvm::createStringError("the module has no func.func @main");
  ModelSignature signature;
  FunctionType type = main.getFunctionType();
  for (auto [i, input] : llvm::enumerate(type.getInputs())) {
    auto tensor = getTensorSignature(input, main.getArgAttrDict(i), "input", i);
    if (!tensor)
      return tensor.takeError();
    signature.inputs.push_back(std::move(*tensor));
  }
  for (auto [i, result] : llvm::enumerate(type.getResults())) {
    auto tensor =
        getTensorSignature(result, main.getResultAttrDict(i), "output", i);
    if (!tensor)
      return tensor.takeError();
    signature.outputs.push_back(std::move(*tensor));
  }
  if (signature.outputs.empty())
    return llvm::createStringError("@main has no results");
  return signature;
}
