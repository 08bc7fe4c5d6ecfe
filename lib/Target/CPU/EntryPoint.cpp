//===- EntryPoint.cpp - LLVM IR with the artifact entry and descriptor ----===//
//
// After lowbit-cpu-pipeline, @main takes one expanded memref descriptor
// (allocated ptr, aligned ptr, offset, sizes, strides) per input and then per
// output, and returns nothing. The runtime sees a simpler ABI
// (lib/Runtime/ModelDescriptor.h): `entry(void **buffers)`. This file
// generates that entry, which builds the static descriptors and calls
// @main (inlined by LLVM), and the descriptor global with the I/O table.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/CPUCodegen.h"

#include "lib/Runtime/ModelDescriptor.h"

#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace llvm;

namespace {

constexpr StringLiteral kEntryName = "lowbit_model_entry";
constexpr StringLiteral kMainName = "lowbit_model_main";

GlobalVariable *addConstant(Module &module, Constant *init, const Twine &name) {
  auto *global = new GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                    GlobalValue::PrivateLinkage, init, name);
  global->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return global;
}

/// `[n x lowbit_tensor_info]` for `tensors`, or null if there are none.
Constant *addTensorInfos(Module &module, StructType *infoType,
                         ArrayRef<lowbit::TensorSignature> tensors,
                         StringRef kind) {
  LLVMContext &context = module.getContext();
  auto *ptrType = PointerType::getUnqual(context);
  if (tensors.empty())
    return ConstantPointerNull::get(ptrType);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  SmallVector<Constant *> infos;
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    Constant *name = addConstant(
        module, ConstantDataArray::getString(context, tensor.name),
        "lowbit." + kind + ".name." + Twine(i));
    Constant *shape = ConstantPointerNull::get(ptrType);
    if (!tensor.shape.empty()) {
      SmallVector<uint64_t> dims(tensor.shape.begin(), tensor.shape.end());
      shape = addConstant(module, ConstantDataArray::get(context, dims),
                          "lowbit." + kind + ".shape." + Twine(i));
    }
    infos.push_back(ConstantStruct::get(
        infoType, {name, ConstantInt::get(i32, tensor.dtype),
                   ConstantInt::get(i32, tensor.shape.size()), shape,
                   ConstantInt::get(i64, tensor.numBytes)}));
  }
  auto *arrayType = ArrayType::get(infoType, infos.size());
  return addConstant(module, ConstantArray::get(arrayType, infos),
                     "lowbit." + kind + "s");
}

/// Defines `void entry(ptr buffers)` calling `main` with one expanded memref
/// descriptor per buffer.
Error addEntry(Module &module, Function &main,
               const lowbit::ModelSignature &signature) {
  LLVMContext &context = module.getContext();
  std::vector<const lowbit::TensorSignature *> buffers;
  for (const auto &tensor : signature.inputs)
    buffers.push_back(&tensor);
  for (const auto &tensor : signature.outputs)
    buffers.push_back(&tensor);
  size_t expectedParams = 0;
  for (const auto *tensor : buffers)
    expectedParams += 3 + 2 * tensor->shape.size();
  if (!main.getReturnType()->isVoidTy() ||
      main.arg_size() != expectedParams)
    return createStringError(
        "the compiled @main does not take %zu inputs then %zu output buffers "
        "(expected %zu LLVM parameters and no result, got %zu)",
        signature.inputs.size(), signature.outputs.size(), expectedParams,
        main.arg_size());

  auto *ptrType = PointerType::getUnqual(context);
  auto *entry = Function::Create(
      FunctionType::get(Type::getVoidTy(context), {ptrType}, false),
      GlobalValue::InternalLinkage, kEntryName, module);
  entry->addParamAttr(0, Attribute::NoAlias);
  IRBuilder<> b(BasicBlock::Create(context, "entry", entry));
  Type *i64 = b.getInt64Ty();
  SmallVector<Value *> args;
  for (auto [i, tensor] : llvm::enumerate(buffers)) {
    Value *slot = b.CreateConstInBoundsGEP1_64(ptrType, entry->getArg(0), i);
    Value *buffer = b.CreateAlignedLoad(ptrType, slot, Align(8));
    args.push_back(buffer);
    args.push_back(buffer);
    args.push_back(ConstantInt::get(i64, 0));
    for (int64_t dim : tensor->shape)
      args.push_back(ConstantInt::get(i64, dim));
    int64_t stride = 1;
    SmallVector<Value *> strides(tensor->shape.size());
    for (size_t d = tensor->shape.size(); d-- > 0;) {
      strides[d] = ConstantInt::get(i64, stride);
      stride *= tensor->shape[d];
    }
    args.append(strides.begin(), strides.end());
  }
  for (auto [arg, param] : llvm::zip_equal(args, main.args()))
    if (arg->getType() != param.getType())
      return createStringError(
          "the compiled @main has an unexpected parameter type");
  b.CreateCall(&main, args);
  b.CreateRetVoid();
  return Error::success();
}

} // namespace

Expected<std::unique_ptr<Module>> lowbit::translateToArtifactModule(
    mlir::ModuleOp module, LLVMContext &context,
    const ModelSignature &signature, const CPUTarget &target) {
  mlir::DialectRegistry registry;
  mlir::registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "model");
  if (!llvmModule)
    return createStringError("translation to LLVM IR failed");
  llvmModule->setSourceFileName("model");
  llvmModule->setTargetTriple(Triple(target.triple));
  llvmModule->setDataLayout(target.machine->createDataLayout());

  Function *main = llvmModule->getFunction("main");
  if (!main || main->isDeclaration())
    return createStringError("the LLVM module has no function @main");
  main->setName(kMainName);
  if (Error error = addEntry(*llvmModule, *main, signature))
    return std::move(error);

  // Nothing but the descriptor leaves the object: the runtime is the only
  // client, and internal linkage lets LLVM inline @main into the entry.
  for (Function &function : *llvmModule)
    if (!function.isDeclaration())
      function.setLinkage(GlobalValue::InternalLinkage);
  for (GlobalVariable &global : llvmModule->globals())
    if (!global.isDeclaration() && !global.hasLocalLinkage())
      global.setLinkage(GlobalValue::InternalLinkage);

  for (Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", target.cpu);
    if (!target.featureString.empty())
      function.addFnAttr("target-features", target.featureString);
  }

  auto *ptrType = PointerType::getUnqual(context);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  // lowbit_tensor_info: name, dtype, rank, shape, num_bytes.
  auto *infoType = StructType::create(context, {ptrType, i32, i32, ptrType, i64},
                                      "lowbit_tensor_info");
  // lowbit_model_desc: version, num_inputs, num_outputs, reserved, inputs,
  // outputs, entry.
  auto *descType = StructType::create(
      context, {i32, i32, i32, i32, ptrType, ptrType, ptrType},
      "lowbit_model_desc");
  Constant *desc = ConstantStruct::get(
      descType,
      {ConstantInt::get(i32, LOWBIT_MODEL_DESCRIPTOR_VERSION),
       ConstantInt::get(i32, signature.inputs.size()),
       ConstantInt::get(i32, signature.outputs.size()),
       ConstantInt::get(i32, 0),
       addTensorInfos(*llvmModule, infoType, signature.inputs, "input"),
       addTensorInfos(*llvmModule, infoType, signature.outputs, "output"),
       llvmModule->getFunction(kEntryName)});
  auto *descriptor = new GlobalVariable(
      *llvmModule, descType, /*isConstant=*/true, GlobalValue::ExternalLinkage,
      desc, LOWBIT_MODEL_DESCRIPTOR_SYMBOL);
  descriptor->setVisibility(GlobalValue::HiddenVisibility);
  descriptor->setAlignment(Align(8));
  return std::move(llvmModule);
}
