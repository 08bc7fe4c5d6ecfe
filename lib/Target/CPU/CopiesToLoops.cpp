//===- CopiesToLoops.cpp - strided memref.copy to linalg.copy -------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUCOPIESTOLOOPSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

/// Whether the LLVM lowering turns a copy involving `type` into a memcpy.
bool isContiguous(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

struct LowbitCPUCopiesToLoopsPass final
    : lowbit::impl::LowbitCPUCopiesToLoopsPassBase<LowbitCPUCopiesToLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies, selfCopies;
    getOperation().walk([&](memref::CopyOp copy) {
      // A tile written in place and "inserted" into itself (after CSE).
      if (copy.getSource() == copy.getTarget())
        selfCopies.push_back(copy);
      else if (!isContiguous(copy.getSource().getType()) ||
          !isContiguous(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : selfCopies)
      rewriter.eraseOp(copy);
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};

} // namespace
