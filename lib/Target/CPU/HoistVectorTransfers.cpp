//===- HoistVectorTransfers.cpp - accumulators out of reduction loops -----===//
//
// Upstream `linalg::hoistRedundantVectorTransfers` refuses transfers on
// views and on function arguments, which is exactly where our accumulator
// tiles live (a subview of an allocation or of an output out-param). Within
// the CPU artifact ABI every function argument and allocation is a distinct
// buffer, so aliasing can be decided by the root buffer of each access.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUHOISTVECTORTRANSFERSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

/// The buffer `memref` is a view of (an allocation or a function argument).
Value rootBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

/// Whether any op inside `loop` other than `read` and `write` may access the
/// buffer rooted at `root`.
bool otherAccessInLoop(scf::ForOp loop, Value root, Operation *read,
                       Operation *write) {
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (op == read || op == write)
      return WalkResult::advance();
    for (Value operand : op->getOperands()) {
      if (!isa<BaseMemRefType>(operand.getType()))
        continue;
      // A view of the accumulator's buffer is itself only an access when
      // used; its users are walked too.
      if (isa<ViewLikeOpInterface>(op))
        continue;
      if (rootBuffer(operand) == root)
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Hoists one read/write pair out of `loop`; returns whether it did.
bool hoistOnePair(RewriterBase &rewriter, scf::ForOp loop) {
  for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
    if (!isa<MemRefType>(read.getShapedType()) || read.getMask())
      continue;
    if (llvm::any_of(read->getOperands(), [&](Value operand) {
          return !loop.isDefinedOutsideOfLoop(operand);
        }))
      continue;
    vector::TransferWriteOp write;
    for (auto candidate : loop.getBody()->getOps<vector::TransferWriteOp>()) {
      if (candidate.getBase() == read.getBase() &&
          candidate.getIndices() == read.getIndices() &&
          candidate.getVectorType() == read.getVectorType() &&
          candidate.getPermutationMap() == read.getPermutationMap() &&
          !candidate.getMask() && read->isBeforeInBlock(candidate))
        write = candidate;
    }
    if (!write)
      continue;
    if (otherAccessInLoop(loop, rootBuffer(read.getBase()), read, write))
      continue;

    loop.moveOutOfLoop(read);
    rewriter.moveOpAfter(write, loop);
    Value vector = write.getVector();
    FailureOr<LoopLikeOpInterface> newLoop =
        cast<LoopLikeOpInterface>(loop.getOperation())
            .replaceWithAdditionalYields(
                rewriter, read.getResult(),
                /*replaceInitOperandUsesInLoop=*/true,
                [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                  return SmallVector<Value>{vector};
                });
    if (failed(newLoop))
      return false;
    write.getValueToStoreMutable().assign(
        newLoop->getOperation()->getResults().back());
    return true;
  }
  return false;
}

struct LowbitCPUHoistVectorTransfersPass final
    : lowbit::impl::LowbitCPUHoistVectorTransfersPassBase<
          LowbitCPUHoistVectorTransfersPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    bool changed = true;
    while (changed) {
      changed = false;
      getOperation().walk(
          [](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
      SmallVector<scf::ForOp> loops;
      getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops) {
        if (hoistOnePair(rewriter, loop)) {
          changed = true;
          break;
        }
      }
    }
  }
};

} // namespace
