//===- InlineAllocaScopes.cpp - drop alloca-free memref.alloca_scope ------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUINLINEALLOCASCOPESPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

struct LowbitCPUInlineAllocaScopesPass final
    : lowbit::impl::LowbitCPUInlineAllocaScopesPassBase<
          LowbitCPUInlineAllocaScopesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      bool hasAlloca = scope.getBodyRegion()
                           .walk([](memref::AllocaOp) {
                             return WalkResult::interrupt();
                           })
                           .wasInterrupted();
      if (!hasAlloca && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      Operation *terminator = body.getTerminator();
      ValueRange results = terminator->getOperands();
      SmallVector<Value> replacements(results.begin(), results.end());
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.replaceOp(scope, replacements);
      rewriter.eraseOp(terminator);
    }
  }
};

} // namespace
