//===- Passes.td - CPU backend passes ----------------------*- tablegen -*-===//

#ifndef LOWBIT_TARGET_CPU_PASSES_TD
#define LOWBIT_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitCPUCopiesToLoopsPass
    : Pass<"lowbit-cpu-copies-to-loops", "mlir::func::FuncOp"> {
  let summary = "Drop self-copies, rewrite strided memref.copy to linalg.copy";
  let description = [{
    Bufferization emits `memref.copy` between strided views (tensor.pad,
    tensor.insert_slice). The LLVM lowering turns those into calls to the
    generic `memrefCopy` runtime function, which walks elements one by one
    and is not part of our artifact ABI. Copies where both sides are
    contiguous stay (they become `llvm.memcpy`); the others become
    `linalg.copy`, which the pipeline lowers to loops. Copies of a buffer
    onto itself (a tile written in place, then inserted back; left by
    bufferization and merged by CSE) are erased.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def LowbitCPUFuseElementwisePass
    : Pass<"lowbit-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, but not into contractions";
  let description = [{
    `linalg-fuse-elementwise-ops` with one change: an elementwise producer
    is not fused into a contraction. Fused there, its body would run once
    per reduction step (a ReLU feeding a 2x2 ConvTranspose, 96 times per
    element), and the contraction would no longer be tiled and vectorized
    as one. Contractions get their operands from memory instead; their
    epilogues (bias, activation) are fused by tiling later.
  }];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def LowbitCPUHoistVectorTransfersPass
    : Pass<"lowbit-cpu-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Keep loop-carried vector accumulators in registers";
  let description = [{
    After bufferization, a tiled and vectorized reduction reads and writes its
    accumulator tile in every iteration of the reduction loops. This pass
    hoists those loop-invariant `vector.transfer_read`/`transfer_write` pairs
    out of the loops, so the accumulator lives in registers. Unlike upstream
    `linalg::hoistRedundantVectorTransfers` it accepts transfers on views and
    function arguments: in the artifact ABI every argument and allocation is
    a distinct buffer, so two accesses alias only if they share a root.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect"];
}

def LowbitCPUInlineAllocaScopesPass
    : Pass<"lowbit-cpu-inline-alloca-scopes", "mlir::func::FuncOp"> {
  let summary = "Inline memref.alloca_scope regions that hold no alloca";
  let description = [{
    `convert-scf-to-openmp` wraps every parallel loop body in a
    `memref.alloca_scope`, whose region must stay a single block; lowering the
    `scf.for` loops inside it to control flow then breaks the verifier. A
    scope without any `memref.alloca` inside does nothing, so it is inlined.
    Scopes that do hold allocas are kept.
  }];
}

def LowbitCPULowerVectorsPass
    : Pass<"lowbit-cpu-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower n-D vector ops and vector math for the LLVM backend";
  let description = [{
    `convert-vector-to-llvm` handles 1-D vectors and little else. This pass
    lowers what vectorization produced to that form: `vector.contract` to
    outer products and FMAs, multi-reductions, broadcasts, transposes,
    shape casts, masks, gathers and permuted transfers. Math on vectors
    (`exp`, `tanh`, `erf`, `log`, ...) becomes upstream's polynomial
    approximations, so it stays vectorized instead of becoming one libm
    call per lane.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::vector::VectorDialect",
  ];
}

def LowbitCPUPrepareModulePass
    : Pass<"lowbit-cpu-prepare-module", "mlir::ModuleOp"> {
  let summary = "Target attributes and read-only inputs for the CPU entry";
  let description = [{
    Sets `llvm.target_triple` and `llvm.data_layout` on the module and marks
    every argument of `@main` `bufferization.writable = false`: the runtime
    owns the input buffers and a model may run many times on the same
    inputs, so the compiled code must never write into them.
  }];
  let options = [
    Option<"targetTriple", "target-triple", "std::string", /*default=*/"",
           "LLVM target triple (empty: the host's)">,
    Option<"dataLayout", "data-layout", "std::string", /*default=*/"",
           "LLVM data layout string (empty: leave unset)">,
  ];
}

def LowbitCPUProfileOpsPass
    : Pass<"lowbit-cpu-profile-ops", "mlir::ModuleOp"> {
  let summary = "Time every computing op of @main (developer tool)";
  let description = [{
    Inserts `func.call @lowbit_profile_tick(id)` at the entry of `@main` (id
    -1) and after every linalg op, `tensor.pad`, `tensor.insert_slice` and
    `tensor.concat` in its body, and prints `lowbit-profile ID OP LOOPS` to
    stderr for each. The runtime adds the time since the previous tick to
    the op's counter and prints the counters at exit. Run it after
    elementwise fusion, so the ids name the ops that are really compiled.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
  ];
}

def LowbitCPUTileAndVectorizePass
    : Pass<"lowbit-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops for threads and registers, then vectorize";
  let description = [{
    Every statically shaped linalg op is tiled on tensors. Before tiling:
    `tensor.pad` by a constant becomes a fill of a fresh tensor and a
    `linalg.copy` into its interior (both tile and vectorize; bufferized
    as is, a pad is an element-by-element strided copy); contractions
    written as generics lose their unit loops, get contiguous loop groups
    collapsed and become named ops where they match one (a matmul on
    `1x1xMxK` reads its tiles directly instead of broadcasting them); and
    a parallel loop whose extent has no divisor near its register tile
    (6625 = 5^2 * 265) is split so the first part divides evenly.

    Register tiles: contractions `[m 8, n 32, k 4]`, convolutions
    `[f 8, ow 16, c 4]` with unit window tiles (so that they decompose to
    1-D convolutions, or, for NCHW depthwise and pooling, become
    elementwise once their unit loops are dropped), other ops at least 16
    elements along the innermost loops. A tile size always divides its
    loop's extent, so tiles stay static and vectorize without masks.

    An elementwise op whose input is a contraction or convolution used only
    there (bias, BN, activation) is tiled with that producer's tiles, and
    the producer, its fill or bias-broadcast init are fused into each tile:
    the epilogue runs while the accumulator tile is in registers. Ops with
    enough work get thread tiles first (`scf.forall`, grown along the
    inner loops while at least 64 remain, so that the per-iteration cost
    of the OpenMP loop is amortized), then register tiles inside with
    `scf.for`; small ops get register tiles on one thread. Reduction loops
    are tiled last. Then the tiled ops are vectorized; an op the vectorizer
    does not support stays a tiled linalg op and becomes scalar loops.

    Example: `linalg.matmul` on `tensor<64x128xf32>, tensor<128x512xf32>`
    becomes an `scf.forall` over 8x64 thread tiles, each an `scf.for` over
    two 8x32 register tiles whose `scf.for` over k holds one
    `vector.contract` on `vector<8x4xf32>, vector<4x32xf32>`.
  }];
  let options = [
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Distribute big ops over threads with scf.forall">,
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "Vectorize the tiled ops">,
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"32768",
           "Iteration count below which an op stays on one thread">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
}

#endif // LOWBIT_TARGET_CPU_PASSES_TD
