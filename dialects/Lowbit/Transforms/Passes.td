//===- Passes.td - lowbit graph transformations ------------*- tablegen -*-===//

#ifndef LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitFoldBatchNormPass : Pass<"lowbit-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalization into the preceding conv";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant parameters becomes
    `conv(x, W * s, (b - mean) * s + beta)` where
    `s = gamma / sqrt(var + epsilon)` per output channel. The conv must have
    no other users. Remaining batch norms stay for the lowering.
  }];
  let dependentDialects = ["lowbit::LowbitDialect"];
}

#endif // LOWBIT_TRANSFORMS_PASSES_TD
