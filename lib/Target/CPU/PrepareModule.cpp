//===- PrepareModule.cpp - target attributes, read-only entry inputs ------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUPREPAREMODULEPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

struct LowbitCPUPrepareModulePass final
    : lowbit::impl::LowbitCPUPrepareModulePassBase<LowbitCPUPrepareModulePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(&getContext());
    std::string triple = targetTriple.empty()
                             ? llvm::sys::getDefaultTargetTriple()
                             : targetTriple.getValue();
    module->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(),
                    b.getStringAttr(llvm::Triple::normalize(triple)));
    if (!dataLayout.empty())
      module->setAttr(LLVM::LLVMDialect::getDataLayoutAttrName(),
                      b.getStringAttr(dataLayout));

    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError("the CPU backend needs a func.func @main");
      return signalPassFailure();
    }
    for (unsigned i = 0, e = main.getNumArguments(); i < e; ++i)
      if (isa<TensorType>(main.getArgument(i).getType()))
        main.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                        b.getBoolAttr(false));
  }
};

} // namespace
