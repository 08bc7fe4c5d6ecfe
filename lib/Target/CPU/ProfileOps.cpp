//===- ProfileOps.cpp - per-op timers for compiler developers -------------===//
//
// Finding where a model's time goes needs per-op numbers, and one fused
// entry function hides them from sampling profilers. This pass brackets each
// computing op of `@main` with calls to the runtime's `lowbit_profile_tick`.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/raw_ostream.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUPROFILEOPSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

constexpr StringLiteral kTickFunction = "lowbit_profile_tick";

/// Ops that touch memory; views, constants and empties cost nothing.
bool isTimed(Operation *op) {
  return isa<linalg::LinalgOp, tensor::PadOp, tensor::InsertSliceOp,
             tensor::ConcatOp>(op);
}

struct LowbitCPUProfileOpsPass final
    : lowbit::impl::LowbitCPUProfileOpsPassBase<LowbitCPUProfileOpsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    OpBuilder builder(module.getBodyRegion());
    Type i64 = builder.getI64Type();
    if (!module.lookupSymbol(kTickFunction)) {
      auto tick = func::FuncOp::create(builder, module.getLoc(), kTickFunction,
                                       builder.getFunctionType({i64}, {}));
      tick.setPrivate();
    }
    auto insertTick = [&](Location loc, int64_t id) {
      Value value = arith::ConstantIntOp::create(builder, loc, i64, id);
      func::CallOp::create(builder, loc, kTickFunction, TypeRange(),
                           ValueRange{value});
    };
    Block &body = main.getBody().front();
    builder.setInsertionPointToStart(&body);
    insertTick(main.getLoc(), -1);
    int64_t id = 0;
    for (Operation &op : llvm::make_early_inc_range(body)) {
      if (!isTimed(&op))
        continue;
      builder.setInsertionPointAfter(&op);
      insertTick(op.getLoc(), id);
      std::string text;
      llvm::raw_string_ostream os(text);
      os << op.getName();
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op)) {
        os << " loops";
        for (int64_t range : linalgOp.getStaticLoopRanges())
          os << " " << range;
        // Epilogues take their accumulator into their tiles; name it.
        for (Value input : linalgOp.getDpsInputs())
          if (auto producer = input.getDefiningOp<linalg::LinalgOp>())
            if (producer.getNumReductionLoops() > 0 &&
                producer->getResult(0).hasOneUse())
              os << " after " << producer->getName();
        if (auto generic = dyn_cast<linalg::GenericOp>(&op)) {
          os << " [";
          for (Operation &inner : generic.getBody()->without_terminator())
            os << inner.getName().stripDialect() << " ";
          os << "]";
        }
      } else if (op.getNumResults()) {
        os << " " << op.getResult(0).getType();
      }
      llvm::errs() << "lowbit-profile " << id << " " << text << "\n";
      ++id;
    }
  }
};

} // namespace
