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

def LowbitCPUTileAndVectorizePass
    : Pass<"lowbit-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops for threads and registers, then vectorize";
  let description = [{
    Every statically shaped linalg op is tiled twice on tensors. The first
    level tiles its parallel loops with `scf.forall` (the unit of work of one
    thread; `linalg.fill` producers of its init are fused into it) when the
    op is big enough to be worth a thread, with `scf.for` otherwise. The
    second level tiles the reduction loops with `scf.for`. Tile sizes target
    register tiles: contractions `[m 8, n 32, k 4]`, convolutions
    `[f 8, ow 16, c 4]` with unit window tiles (so they decompose to 1-D
    convolutions), other ops 16 on the innermost loop. A tile size always
    divides its loop's extent, so tiles stay static and vectorize without
    masks. Finally the tiled ops are vectorized; an op the vectorizer does
    not support stays a tiled linalg op and becomes scalar loops later.

    Example: `linalg.matmul` on `tensor<64x128xf32>, tensor<128x96xf32>`
    becomes an `scf.forall (8, 3)` over `scf.for` over k holding one
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
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
}

#endif // LOWBIT_TARGET_CPU_PASSES_TD
