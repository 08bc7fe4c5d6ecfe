//===- FuseElementwise.cpp - elementwise fusion that spares contractions --===//
//
// Upstream's linalg-fuse-elementwise-ops fuses any single-use elementwise
// producer into its consumer, a contraction included. Inside a contraction
// the producer's body runs once per reduction step instead of once per
// element (a ReLU before a 2x2 ConvTranspose ran 96 times per input), and
// the contraction no longer looks like one to tiling and vectorization.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUFUSEELEMENTWISEPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

bool isContraction(Operation *op) {
  if (!op)
    return false;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0 &&
         linalg::isaContractionOpInterface(linalgOp);
}

struct LowbitCPUFuseElementwisePass final
    : lowbit::impl::LowbitCPUFuseElementwisePassBase<
          LowbitCPUFuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    // Upstream's control (a single-use producer), minus contractions.
    linalg::ControlFusionFn singleUse = [](OpOperand *fusedOperand) {
      Operation *producer = fusedOperand->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    linalg::ControlFusionFn fuseElementwise =
        [singleUse](OpOperand *fusedOperand) {
          return singleUse(fusedOperand) &&
                 !isContraction(fusedOperand->getOwner());
        };
    linalg::populateElementwiseOpsFusionPatterns(patterns, fuseElementwise);
    // Reshapes stay outside contractions: a reshape folded into a named
    // matmul turns it into a generic with unit and split loops (1x1x40x6625
    // x120), which tiling no longer recognizes as a plain matmul. The
    // reshapes around a contraction are views after bufferization anyway.
    linalg::ControlFusionFn reshapeControl =
        [singleUse](OpOperand *fusedOperand) {
          return singleUse(fusedOperand) &&
                 !isContraction(fusedOperand->getOwner()) &&
                 !isContraction(fusedOperand->get().getDefiningOp());
        };
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns,
                                                      reshapeControl);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
