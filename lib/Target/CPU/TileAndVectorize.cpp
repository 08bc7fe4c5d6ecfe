//===- TileAndVectorize.cpp - thread and register tiles, vectors ----------===//
//
// Two levels of tiling on tensors, then vectorization. See Passes.td for the
// strategy; the tile sizes below were measured on Zen 4 (TOOLCHAIN.md).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITCPUTILEANDVECTORIZEPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace lowbit

using namespace mlir;

namespace {

/// Register tile of a contraction: an 8x32 f32 accumulator is 16 zmm
/// registers on AVX-512, and k = 4 keeps the operand tiles in L1.
constexpr int64_t kContractionTileM = 8;
constexpr int64_t kContractionTileN = 32;
constexpr int64_t kContractionTileK = 4;
/// Convolutions: 8 output channels x 16 output columns, 4 input channels.
constexpr int64_t kConvTileChannels = 8;
constexpr int64_t kConvTileWidth = 16;
constexpr int64_t kConvTileInputChannels = 4;
/// Other ops: one vector of 16 lanes along the innermost loop.
constexpr int64_t kDefaultInnerTile = 16;
/// Tiles with more iterations than this are not vectorized (the vectors
/// would spill); they become loops instead.
constexpr int64_t kMaxVectorizedTileIterations = 4096;

/// Tile size per loop of `op` for both levels: parallel loops are tiled at
/// the first (thread) level, reduction loops at the second.
struct TilePlan {
  SmallVector<int64_t> sizes;
  SmallVector<bool> isReduction;
  bool isConvolution = false;
};

/// The largest divisor of `extent` that is at most `target`, so that every
/// tile has the same static shape.
int64_t largestDivisorAtMost(int64_t extent, int64_t target) {
  for (int64_t size = std::min(extent, target); size > 1; --size)
    if (extent % size == 0)
      return size;
  return 1;
}

void setLast(SmallVectorImpl<int64_t> &sizes, ArrayRef<unsigned> dims,
             int64_t size) {
  if (!dims.empty())
    sizes[dims.back()] = size;
}

/// Whether `expr` only grows with every loop index: sums and non-negative
/// multiples of loop indices and constants.
bool isNonDecreasing(AffineExpr expr) {
  if (isa<AffineDimExpr, AffineConstantExpr>(expr))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  switch (binary.getKind()) {
  case AffineExprKind::Add:
    return isNonDecreasing(binary.getLHS()) &&
           isNonDecreasing(binary.getRHS());
  case AffineExprKind::Mul: {
    auto constant = dyn_cast<AffineConstantExpr>(binary.getRHS());
    return constant && constant.getValue() >= 0 &&
           isNonDecreasing(binary.getLHS());
  }
  default:
    return false;
  }
}

std::optional<TilePlan> planTiles(linalg::LinalgOp op) {
  unsigned numLoops = op.getNumLoops();
  if (numLoops == 0 || !op.hasPureTensorSemantics())
    return std::nullopt;
  // Tiling computes operand slices from the first and last index of a tile,
  // which is wrong for reversed accesses such as a flipped kernel
  // (`K - 1 - k`); such ops stay whole and become loops.
  for (AffineMap map : op.getIndexingMapsArray())
    if (!llvm::all_of(map.getResults(), isNonDecreasing))
      return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;

  TilePlan plan;
  plan.sizes.assign(numLoops, 1);
  for (utils::IteratorType type : op.getIteratorTypesArray())
    plan.isReduction.push_back(type == utils::IteratorType::reduction);

  FailureOr<linalg::ContractionDimensions> contraction = failure();
  if (linalg::isaContractionOpInterface(op))
    contraction = linalg::inferContractionDims(op);
  FailureOr<linalg::ConvolutionDimensions> convolution = failure();
  if (linalg::isaConvolutionOpInterface(op))
    convolution = linalg::inferConvolutionDims(op);
  if (succeeded(contraction) && !contraction->k.empty()) {
    setLast(plan.sizes, contraction->m, kContractionTileM);
    setLast(plan.sizes, contraction->n, kContractionTileN);
    setLast(plan.sizes, contraction->k, kContractionTileK);
  } else if (succeeded(convolution)) {
    plan.isConvolution = true;
    setLast(plan.sizes, convolution->outputImage, kConvTileWidth);
    setLast(plan.sizes, convolution->outputChannel, kConvTileChannels);
    setLast(plan.sizes, convolution->depth, kConvTileChannels);
    setLast(plan.sizes, convolution->inputChannel, kConvTileInputChannels);
  } else {
    plan.sizes.back() = kDefaultInnerTile;
  }
  for (auto [size, extent] : llvm::zip_equal(plan.sizes, ranges))
    size = largestDivisorAtMost(extent, size);
  return plan;
}

SmallVector<OpFoldResult> tileSizesFor(OpBuilder &b, const TilePlan &plan,
                                       ArrayRef<int64_t> ranges,
                                       bool reductionLevel) {
  SmallVector<OpFoldResult> sizes;
  for (auto [size, isReduction, extent] :
       llvm::zip_equal(plan.sizes, plan.isReduction, ranges)) {
    bool tileHere = isReduction == reductionLevel && size < extent;
    sizes.push_back(b.getIndexAttr(tileHere ? size : 0));
  }
  return sizes;
}

bool hasNonZero(ArrayRef<OpFoldResult> sizes) {
  return llvm::any_of(sizes, [](OpFoldResult size) {
    return getConstantIntValue(size) != std::optional<int64_t>(0);
  });
}

int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t value : values)
    result *= value;
  return result;
}

struct LowbitCPUTileAndVectorizePass final
    : lowbit::impl::LowbitCPUTileAndVectorizePassBase<
          LowbitCPUTileAndVectorizePass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Level 1: parallel loops, fusing `linalg.fill` producers. Returns the
  /// outermost generated loop, or null when nothing was tiled.
  FailureOr<Operation *> tileParallelLoops(RewriterBase &rewriter,
                                           linalg::LinalgOp op);
  /// Level 2: reduction loops of every linalg op inside `root`.
  LogicalResult tileReductionLoops(RewriterBase &rewriter, Operation *root);
};

FailureOr<Operation *>
LowbitCPUTileAndVectorizePass::tileParallelLoops(RewriterBase &rewriter,
                                                 linalg::LinalgOp op) {
  std::optional<TilePlan> plan = planTiles(op);
  if (!plan)
    return static_cast<Operation *>(nullptr);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<OpFoldResult> sizes =
      tileSizesFor(rewriter, *plan, ranges, /*reductionLevel=*/false);
  if (!hasNonZero(sizes))
    return static_cast<Operation *>(nullptr);

  bool useThreads = parallel && product(ranges) >= minParallelWork;
  scf::SCFTilingOptions tilingOptions;
  tilingOptions.setTileSizes(sizes).setLoopType(
      useThreads ? scf::SCFTilingOptions::LoopType::ForallOp
                 : scf::SCFTilingOptions::LoopType::ForOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tilingOptions);
  // Only the fill that initializes an accumulator is worth recomputing per
  // tile; fusing real producers would duplicate work across tiles.
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (isa<linalg::FillOp>(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });

  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitOpError("could not be tiled for the CPU target");
  for (auto [original, replacement] : result->replacements)
    rewriter.replaceAllUsesWith(original, replacement);
  if (result->loops.empty())
    return static_cast<Operation *>(nullptr);
  return result->loops.front().getOperation();
}

LogicalResult
LowbitCPUTileAndVectorizePass::tileReductionLoops(RewriterBase &rewriter,
                                                  Operation *root) {
  SmallVector<linalg::LinalgOp> ops;
  root->walk([&](linalg::LinalgOp op) { ops.push_back(op); });
  for (linalg::LinalgOp op : ops) {
    std::optional<TilePlan> plan = planTiles(op);
    if (!plan)
      continue;
    SmallVector<OpFoldResult> sizes = tileSizesFor(
        rewriter, *plan, op.getStaticLoopRanges(), /*reductionLevel=*/true);
    if (!hasNonZero(sizes))
      continue;
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(result))
      return op.emitOpError("could not tile its reduction loops");
    rewriter.replaceOp(op, result->replacements);
  }
  return success();
}

void LowbitCPUTileAndVectorizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  MLIRContext *context = &getContext();
  IRRewriter rewriter(context);

  // Consumers first: tiling a consumer may fuse its fill producer, which
  // then must not be tiled on its own.
  SmallVector<linalg::LinalgOp> roots;
  func.walk([&](linalg::LinalgOp op) {
    if (!op->getParentOfType<LoopLikeOpInterface>())
      roots.push_back(op);
  });
  SmallVector<Operation *> tiledLoops;
  for (linalg::LinalgOp op : llvm::reverse(roots)) {
    if (op->use_empty() && isa<linalg::FillOp>(op.getOperation())) {
      rewriter.eraseOp(op);
      continue;
    }
    FailureOr<Operation *> loop = tileParallelLoops(rewriter, op);
    if (failed(loop))
      return signalPassFailure();
    if (*loop) {
      tiledLoops.push_back(*loop);
      if (op->use_empty())
        rewriter.eraseOp(op);
    }
  }
  // Fills whose every user was tiled are dead now.
  func.walk([&](linalg::FillOp fill) {
    if (fill->use_empty())
      rewriter.eraseOp(fill);
  });
  for (Operation *loop : tiledLoops)
    if (failed(tileReductionLoops(rewriter, loop)))
      return signalPassFailure();

  // Window loops tiled to 1 make 2-D convolutions 1-D ones, which is the
  // form the vectorizer handles.
  {
    RewritePatternSet patterns(context);
    linalg::populateDecomposeConvolutionPatterns(patterns);
    linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
    scf::ForallOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
  if (!vectorize)
    return;

  SmallVector<linalg::LinalgOp> candidates;
  func.walk([&](linalg::LinalgOp op) {
    if (!op.hasPureTensorSemantics())
      return;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic) ||
        product(ranges) > kMaxVectorizedTileIterations)
      return;
    candidates.push_back(op);
  });
  for (linalg::LinalgOp op : candidates) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
        rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/true, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    // Unsupported ops stay linalg and become scalar loops later.
    if (succeeded(result))
      rewriter.replaceOp(op, result->replacements);
  }

  RewritePatternSet patterns(context);
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateSinkVectorOpsPatterns(patterns);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
  if (failed(applyPatternsGreedily(func, std::move(patterns))))
    return signalPassFailure();
}

} // namespace
