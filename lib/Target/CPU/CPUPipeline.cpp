//===- CPUPipeline.cpp - lowbit-cpu-pipeline
//--------------------------------===//
//
// linalg on tensors -> tiles, vectors -> buffers with caller-provided outputs
// -> loops, OpenMP -> LLVM dialect. The lowering order follows
// TOOLCHAIN.md's list that works in MLIR 22.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/CPUPipeline.h"

#include "lib/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void lowbit::buildLowbitCPUPipeline(OpPassManager &pm,
                                    const CPUPipelineOptions &options) {
  LowbitCPUPrepareModulePassOptions prepare;
  prepare.targetTriple = options.targetTriple;
  prepare.dataLayout = options.dataLayout;
  pm.addPass(createLowbitCPUPrepareModulePass(prepare));

  // Tensor level: elementwise arith/math on whole tensors (which
  // bufferization cannot handle) become linalg.generic; fuse elementwise
  // chains, then tile and vectorize.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createLowbitCPUFuseElementwisePass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  // Per-op timers (developer tool): after fusion, so that the ids name the
  // ops that are really compiled.
  if (options.profile)
    pm.addPass(createLowbitCPUProfileOpsPass());
  if (options.parallel || options.vectorize) {
    LowbitCPUTileAndVectorizePassOptions tiling;
    tiling.parallel = options.parallel;
    tiling.vectorize = options.vectorize;
    pm.addNestedPass<func::FuncOp>(createLowbitCPUTileAndVectorizePass(tiling));
    pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createCSEPass());
  }

  // Buffers: identity layouts at the boundary, outputs become out-params the
  // runtime passes in, and results that alias inputs or constants are copied.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // In-place loops on buffers still carry their buffer as iter_args; folding
  // them exposes the returned allocations to out-param hoisting.
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createLowbitCPUCopiesToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createLowbitCPUHoistVectorTransfersPass());
  pm.addNestedPass<func::FuncOp>(createLowbitCPULowerVectorsPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());

  // Loops: remaining linalg ops are scalar loops; thread tiles go to OpenMP.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  if (options.parallel)
    pm.addPass(createConvertSCFToOpenMPPass());
  // Full unrolling: transfer lowering with loops leaves allocas inside loops
  // that overflow the stack on big tiles.
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(transfers));
  pm.addNestedPass<func::FuncOp>(createLowbitCPUInlineAllocaScopesPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle1D;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  // Allocations go through the runtime (lowbit_runtime.c), which keeps
  // freed buffers for the next run.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void lowbit::registerLowbitCPUPasses() {
  registerLowbitCPUTargetPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "lowbit-cpu-pipeline",
      "Compile @main from linalg on tensors to the LLVM dialect for the CPU "
      "artifact (tiled, vectorized, OpenMP, outputs as out-params)",
      buildLowbitCPUPipeline);
}
