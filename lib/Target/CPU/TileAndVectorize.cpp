//===- TileAndVectorize.cpp - thread and register tiles, vectors ----------===//
//
// Two levels of tiling on tensors, then vectorization. See Passes.td for the
// strategy; the tile sizes below were measured on Zen 4 (TOOLCHAIN.md).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
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
  /// The register tile each loop wants, before clamping to a divisor.
  SmallVector<int64_t> targets;
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
    return isNonDecreasing(binary.getLHS()) && isNonDecreasing(binary.getRHS());
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
    // At least one vector of elements per tile: a short innermost loop (the
    // 2 of a depth-to-space shuffle) takes the next loops into the tile.
    int64_t elements = 1;
    for (int64_t dim = numLoops - 1; dim >= 0 && elements < kDefaultInnerTile;
         --dim) {
      plan.sizes[dim] = std::min(ranges[dim], kDefaultInnerTile / elements);
      elements *= plan.sizes[dim];
      if (plan.isReduction[dim])
        break;
    }
  }
  plan.targets = plan.sizes;
  for (auto [size, extent] : llvm::zip_equal(plan.sizes, ranges))
    size = largestDivisorAtMost(extent, size);
  return plan;
}

/// Whether `op` only copies or broadcasts its inputs (a bias broadcast into
/// an accumulator): cheap enough to recompute per tile.
bool isBroadcastCopy(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0 ||
      !generic.hasPureTensorSemantics())
    return false;
  return llvm::hasSingleElement(generic.getBody()->getOperations()) &&
         llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
           return map.isProjectedPermutation();
         });
}

/// The contraction or convolution whose result only `consumer` reads, when
/// `consumer` is an elementwise op over that result (bias add, activation).
/// Tiling `consumer` with the producer's tiles and fusing the producer into
/// each tile applies the epilogue while the accumulator tile is in cache,
/// instead of in another pass over memory.
linalg::LinalgOp getFusableAccumulatorProducer(linalg::LinalgOp consumer) {
  auto generic = dyn_cast<linalg::GenericOp>(consumer.getOperation());
  if (!generic || generic.getNumReductionLoops() != 0 ||
      generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics() ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity())
    return nullptr;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    auto producer = input->get().getDefiningOp<linalg::LinalgOp>();
    if (!producer || producer->getNumResults() != 1 ||
        !producer->getResult(0).hasOneUse() ||
        !generic.getMatchingIndexingMap(input).isIdentity() ||
        !producer.hasPureTensorSemantics() ||
        producer.getNumReductionLoops() == 0)
      continue;
    if (!linalg::isaContractionOpInterface(producer) &&
        !linalg::isaConvolutionOpInterface(producer))
      continue;
    AffineMap resultMap =
        producer.getMatchingIndexingMap(producer.getDpsInitOperand(0));
    if (!resultMap.isProjectedPermutation() || !planTiles(producer))
      continue;
    return producer;
  }
  return nullptr;
}

/// The producer's parallel tile sizes, expressed on the consumer's loops
/// (which are the result's dimensions).
TilePlan planConsumerTiles(linalg::LinalgOp consumer,
                           linalg::LinalgOp producer) {
  TilePlan producerPlan = *planTiles(producer);
  AffineMap resultMap =
      producer.getMatchingIndexingMap(producer.getDpsInitOperand(0));
  TilePlan plan;
  plan.isConvolution = producerPlan.isConvolution;
  for (unsigned dim = 0; dim < consumer.getNumLoops(); ++dim) {
    plan.sizes.push_back(producerPlan.sizes[resultMap.getDimPosition(dim)]);
    plan.isReduction.push_back(false);
  }
  return plan;
}

/// A parallel loop of `op` whose extent has no
/// divisor near its register tile (6625 = 5^2 * 265 would get 25-wide
/// tiles), and where to split it so that the first part divides evenly.
std::optional<std::pair<unsigned, int64_t>>
findAwkwardParallelLoop(linalg::LinalgOp op) {
  // An epilogue takes its tiles from its accumulator (see below).
  if (getFusableAccumulatorProducer(op))
    return std::nullopt;
  std::optional<TilePlan> plan = planTiles(op);
  if (!plan)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // The n loop of a contraction is the vector lane dimension of its
  // register tile: a tile that is not a multiple of 8 lanes wastes most of
  // its vectors.
  std::optional<unsigned> laneDim;
  if (linalg::isaContractionOpInterface(op))
    if (FailureOr<linalg::ContractionDimensions> dims =
            linalg::inferContractionDims(op);
        succeeded(dims) && !dims->n.empty())
      laneDim = dims->n.back();
  for (unsigned dim = 0; dim < ranges.size(); ++dim) {
    int64_t target = plan->targets[dim];
    if (plan->isReduction[dim] || target <= 1 || ranges[dim] <= target)
      continue;
    bool awkward = 2 * plan->sizes[dim] <= target ||
                   (laneDim == dim && plan->sizes[dim] % 8 != 0);
    if (!awkward)
      continue;
    return std::make_pair(dim, ranges[dim] / target * target);
  }
  return std::nullopt;
}

/// Groups of adjacent loops that every operand indexes as adjacent
/// dimensions, in order (e.g. (f, a, b) and (i, j) of a contraction on
/// [F, 2, 2, H, W] tensors); collapsing them keeps every access contiguous.
SmallVector<ReassociationIndices>
getCollapsibleLoopGroups(linalg::LinalgOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto position = [](AffineMap map, unsigned dim) -> int64_t {
    for (auto [index, expr] : llvm::enumerate(map.getResults()))
      if (auto dimExpr = dyn_cast<AffineDimExpr>(expr);
          dimExpr && dimExpr.getPosition() == dim)
        return index;
    return -1;
  };
  auto canMerge = [&](unsigned previous, unsigned dim) {
    if (iterators[previous] != iterators[dim])
      return false;
    for (AffineMap map : maps) {
      int64_t p = position(map, previous), d = position(map, dim);
      if ((p < 0) != (d < 0) || (p >= 0 && d != p + 1))
        return false;
    }
    return true;
  };
  SmallVector<ReassociationIndices> groups;
  for (unsigned dim = 0; dim < op.getNumLoops(); ++dim) {
    if (!groups.empty() && canMerge(groups.back().back(), dim))
      groups.back().push_back(dim);
    else
      groups.push_back({static_cast<int64_t>(dim)});
  }
  return groups;
}

/// The init operand that, replaced by a slice of another tensor, makes
/// `value` get computed in place there: `value` is the single-use result of
/// a linalg op whose init is a `tensor.empty`, possibly through single-use
/// inits (a fill, a bias broadcast) that are themselves linalg ops.
OpOperand *findEmptyInit(Value value) {
  while (true) {
    auto result = dyn_cast<OpResult>(value);
    if (!result || !value.hasOneUse())
      return nullptr;
    auto producer = dyn_cast<linalg::LinalgOp>(result.getOwner());
    if (!producer || !producer.hasPureTensorSemantics())
      return nullptr;
    OpOperand *init = producer.getDpsInitOperand(result.getResultNumber());
    Operation *initOp = init->get().getDefiningOp();
    if (isa_and_nonnull<tensor::EmptyOp>(initOp))
      return init;
    value = init->get();
  }
}

/// `tensor.pad` by a constant as a fill of the result and a `linalg.copy` of
/// the source into its interior. Both are linalg ops that tile and vectorize;
/// bufferized as is, a pad becomes an element-by-element strided copy. When
/// the source is computed into a `tensor.empty`, it is computed into the
/// interior of the filled result instead, and the pad copies nothing.
LogicalResult decomposePad(RewriterBase &rewriter, tensor::PadOp pad) {
  Value padding = pad.getConstantPaddingValue();
  RankedTensorType resultType = pad.getResultType();
  if (!padding || !resultType.hasStaticShape() ||
      !pad.getSourceType().hasStaticShape() ||
      (pad.hasZeroLowPad() && pad.hasZeroHighPad()) ||
      !pad.getLow().empty() || !pad.getHigh().empty() ||
      llvm::any_of(pad.getStaticLow(), [](int64_t v) { return v < 0; }) ||
      llvm::any_of(pad.getStaticHigh(), [](int64_t v) { return v < 0; }))
    return failure();
  Location loc = pad.getLoc();
  SmallVector<OpFoldResult> offsets = pad.getMixedLowPad();
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : pad.getSourceType().getShape())
    sizes.push_back(rewriter.getIndexAttr(size));
  SmallVector<OpFoldResult> strides(resultType.getRank(),
                                    rewriter.getIndexAttr(1));
  // Not tensor.empty: CSE would merge the identical fills of equally shaped
  // pads, and bufferization would then copy the shared border buffer for
  // every pad.
  // Only the border is filled, one slab per padded side: dimensions before
  // the slab's own span the interior, those after it span everything.
  ArrayRef<int64_t> sourceShape = pad.getSourceType().getShape();
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  auto createFilled = [&](Value paddingValue) -> Value {
    Value result = bufferization::AllocTensorOp::create(
        rewriter, loc, resultType, ValueRange());
    int64_t rank = resultType.getRank();
    for (int64_t dim = 0; dim < rank; ++dim) {
      for (bool isLow : {true, false}) {
        int64_t width = isLow ? low[dim] : high[dim];
        if (width == 0)
          continue;
        SmallVector<OpFoldResult> slabOffsets, slabSizes;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t offset = 0, size = resultType.getDimSize(d);
          if (d < dim) {
            offset = low[d];
            size = sourceShape[d];
          } else if (d == dim) {
            offset = isLow ? 0 : low[d] + sourceShape[d];
            size = width;
          }
          slabOffsets.push_back(rewriter.getIndexAttr(offset));
          slabSizes.push_back(rewriter.getIndexAttr(size));
        }
        Value slab = tensor::ExtractSliceOp::create(
            rewriter, loc, result, slabOffsets, slabSizes, strides);
        Value filledSlab =
            linalg::FillOp::create(rewriter, loc, paddingValue, slab)
                .getResult(0);
        result = tensor::InsertSliceOp::create(rewriter, loc, filledSlab,
                                               result, slabOffsets, slabSizes,
                                               strides);
      }
    }
    return result;
  };

  TypedAttr paddingAttr;
  OpOperand *emptyInit = findEmptyInit(pad.getSource());
  if (emptyInit && matchPattern(padding, m_Constant(&paddingAttr))) {
    // In place: fill first, then the producer writes the interior; the
    // insert_slice matches the extract_slice, so bufferization keeps one
    // buffer.
    Operation *user = emptyInit->getOwner();
    rewriter.setInsertionPoint(user);
    Value paddingValue =
        arith::ConstantOp::create(rewriter, loc, paddingAttr).getResult();
    Value filled = createFilled(paddingValue);
    Value interior = tensor::ExtractSliceOp::create(rewriter, loc, filled,
                                                    offsets, sizes, strides);
    rewriter.modifyOpInPlace(user, [&] { emptyInit->set(interior); });
    rewriter.setInsertionPoint(pad);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, pad.getSource(), filled, offsets, sizes, strides);
    return success();
  }

  rewriter.setInsertionPoint(pad);
  Value filled = createFilled(padding);
  Value interior = tensor::ExtractSliceOp::create(rewriter, loc, filled,
                                                  offsets, sizes, strides);
  Value copied =
      linalg::CopyOp::create(rewriter, loc, pad.getSource(), interior)
          .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, copied, filled,
                                                     offsets, sizes, strides);
  return success();
}

/// Whether `op` is a tiled convolution that no upstream decomposition turns
/// into a 1-D one (depthwise and pooling in NCHW), with its window loops
/// tiled to one: without its unit loops it is elementwise and vectorizes.
bool isUnitWindowConvolution(linalg::LinalgOp op) {
  if (isa<linalg::GenericOp>(op.getOperation()) ||
      !linalg::isaConvolutionOpInterface(op) || !op.hasPureTensorSemantics())
    return false;
  FailureOr<linalg::ConvolutionDimensions> dims =
      linalg::inferConvolutionDims(op);
  // Convolutions that reduce over input channels are contractions; the 1-D
  // convolution vectorizer handles those better than the generic one.
  if (failed(dims) || !dims->inputChannel.empty())
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  return !llvm::any_of(ranges, ShapedType::isDynamic) &&
         llvm::all_of(dims->filterLoop,
                      [&](unsigned dim) { return ranges[dim] == 1; });
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

/// Thread tiles: register tiles grown along the innermost parallel loops
/// (whole multiples of the register tile that divide the extent) while at
/// least `kMinThreadTiles` tiles remain for the threads to share.
constexpr int64_t kMinThreadTiles = 64;
SmallVector<OpFoldResult> threadTileSizes(OpBuilder &b, const TilePlan &plan,
                                          ArrayRef<int64_t> ranges) {
  SmallVector<int64_t> sizes(plan.sizes.size(), 0);
  int64_t tiles = 1;
  for (auto [size, isReduction, extent] :
       llvm::zip_equal(plan.sizes, plan.isReduction, ranges))
    if (!isReduction)
      tiles *= extent / size;
  for (int64_t dim = static_cast<int64_t>(sizes.size()) - 1; dim >= 0; --dim) {
    if (plan.isReduction[dim])
      continue;
    int64_t count = ranges[dim] / plan.sizes[dim];
    int64_t factor = 1;
    for (int64_t candidate = count; candidate > 1; --candidate)
      if (count % candidate == 0 && tiles / candidate >= kMinThreadTiles) {
        factor = candidate;
        break;
      }
    tiles /= factor;
    int64_t size = plan.sizes[dim] * factor;
    sizes[dim] = size < ranges[dim] ? size : 0;
  }
  return llvm::map_to_vector(sizes, [&](int64_t size) -> OpFoldResult {
    return b.getIndexAttr(size);
  });
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
  /// outermost generated loop, or null when nothing was tiled. With
  /// `threadLevel`, a big op first gets thread tiles (an `scf.forall` whose
  /// iterations each hold many register tiles, so that the per-iteration
  /// cost of the OpenMP loop is amortized), then register tiles inside.
  FailureOr<Operation *> tileParallelLoops(RewriterBase &rewriter,
                                           linalg::LinalgOp op,
                                           bool threadLevel);
  /// Level 2: reduction loops of every linalg op inside `root`.
  LogicalResult tileReductionLoops(RewriterBase &rewriter, Operation *root);
};

FailureOr<Operation *> LowbitCPUTileAndVectorizePass::tileParallelLoops(
    RewriterBase &rewriter, linalg::LinalgOp op, bool threadLevel) {
  linalg::LinalgOp accumulator = getFusableAccumulatorProducer(op);
  std::optional<TilePlan> plan =
      accumulator ? planConsumerTiles(op, accumulator) : planTiles(op);
  if (!plan)
    return static_cast<Operation *>(nullptr);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<OpFoldResult> sizes =
      tileSizesFor(rewriter, *plan, ranges, /*reductionLevel=*/false);
  if (!hasNonZero(sizes))
    return static_cast<Operation *>(nullptr);

  int64_t work =
      product(accumulator ? accumulator.getStaticLoopRanges() : ranges);
  bool useThreads = threadLevel && parallel && work >= minParallelWork;
  if (useThreads)
    sizes = threadTileSizes(rewriter, *plan, ranges);
  scf::SCFTilingOptions tilingOptions;
  tilingOptions.setTileSizes(sizes).setLoopType(
      useThreads ? scf::SCFTilingOptions::LoopType::ForallOp
                 : scf::SCFTilingOptions::LoopType::ForOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tilingOptions);
  // Fills and bias broadcasts that initialize an accumulator are worth
  // recomputing per tile, and so is the accumulator of an epilogue (each
  // of its tiles is computed once); fusing other producers would duplicate
  // work across tiles.
  Operation *accumulatorOp = accumulator ? accumulator.getOperation() : nullptr;
  options.setFusionControlFn(
      [accumulatorOp](tensor::ExtractSliceOp, OpResult producer, bool)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *owner = producer.getOwner();
        // The border of a decomposed pad (a fill that a slice is inserted
        // into) must stay whole: fused, its tiles would not write into it.
        bool isAccumulatorFill =
            isa<linalg::FillOp>(owner) &&
            llvm::none_of(producer.getUsers(), [](Operation *user) {
              return isa<tensor::InsertSliceOp>(user);
            });
        if (isAccumulatorFill || owner == accumulatorOp ||
            (accumulatorOp && isBroadcastCopy(owner)))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });

  rewriter.setInsertionPoint(op);
  // Tiling clones the op with its attributes; the marker finds the tile of
  // the root among the fused producers.
  constexpr StringLiteral kRootMarker = "lowbit.tile_root";
  op->setAttr(kRootMarker, rewriter.getUnitAttr());
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
  op->removeAttr(kRootMarker);
  if (failed(result))
    return op.emitOpError("could not be tiled for the CPU target");
  for (auto [original, replacement] : result->replacements)
    rewriter.replaceAllUsesWith(original, replacement);
  if (result->loops.empty())
    return static_cast<Operation *>(nullptr);
  Operation *outer = result->loops.front().getOperation();
  linalg::LinalgOp tiledRoot;
  outer->walk([&](linalg::LinalgOp tiled) {
    if (tiled->removeAttr(kRootMarker))
      tiledRoot = tiled;
  });
  if (useThreads && tiledRoot &&
      failed(tileParallelLoops(rewriter, tiledRoot, /*threadLevel=*/false)))
    return failure();
  return outer;
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

  {
    SmallVector<tensor::PadOp> pads;
    func.walk([&](tensor::PadOp pad) {
      if (!pad->getParentOfType<LoopLikeOpInterface>())
        pads.push_back(pad);
    });
    for (tensor::PadOp pad : pads)
      (void)decomposePad(rewriter, pad);
  }

  // Contractions written as generics with unit loops (a matmul on
  // 1x1xMxK) become named ops, whose vectorization reads operand tiles
  // directly instead of broadcasting them over the whole iteration space.
  {
    SmallVector<linalg::GenericOp> contractions;
    func.walk([&](linalg::GenericOp op) {
      if (!op->getParentOfType<LoopLikeOpInterface>() &&
          op.hasPureTensorSemantics() && op.getNumReductionLoops() > 0 &&
          linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });
    for (linalg::GenericOp op : contractions) {
      rewriter.setInsertionPoint(op);
      linalg::ControlDropUnitDims control;
      linalg::GenericOp generic = op;
      if (llvm::is_contained(op.getStaticLoopRanges(), 1)) {
        FailureOr<linalg::DropUnitDimsResult> dropped =
            linalg::dropUnitDims(rewriter, op, control);
        if (failed(dropped))
          continue;
        rewriter.replaceOp(op, dropped->replacements);
        generic = dyn_cast<linalg::GenericOp>(dropped->resultOp.getOperation());
        if (!generic)
          continue;
      }
      // Contiguous loop groups collapsed, a matmul on reshaped operands.
      SmallVector<ReassociationIndices> groups =
          getCollapsibleLoopGroups(generic);
      if (groups.size() < generic.getNumLoops() &&
          llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
            return map.isProjectedPermutation();
          })) {
        rewriter.setInsertionPoint(generic);
        FailureOr<linalg::CollapseResult> collapsed =
            linalg::collapseOpIterationDims(generic, groups, rewriter);
        if (succeeded(collapsed)) {
          rewriter.replaceOp(generic, collapsed->results);
          generic = dyn_cast<linalg::GenericOp>(
              collapsed->collapsedOp.getOperation());
          if (!generic)
            continue;
        }
      }
      rewriter.setInsertionPoint(generic);
      (void)linalg::specializeGenericOp(rewriter, generic);
    }
    RewritePatternSet patterns(context);
    linalg::FillOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }

  // Awkward extents: split off the remainder, so that both parts get static
  // register tiles (the remainder is smaller than one tile).
  {
    SmallVector<linalg::LinalgOp> worklist;
    func.walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<LoopLikeOpInterface>())
        worklist.push_back(op);
    });
    while (!worklist.empty()) {
      linalg::LinalgOp op = worklist.pop_back_val();
      std::optional<std::pair<unsigned, int64_t>> split =
          findAwkwardParallelLoop(op);
      if (!split)
        continue;
      rewriter.setInsertionPoint(op);
      auto [head, tail] =
          linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                          split->first, rewriter.getIndexAttr(split->second));
      if (auto headOp = dyn_cast_or_null<linalg::LinalgOp>(
              head ? head.getOperation() : nullptr))
        worklist.push_back(headOp);
    }
  }

  // Consumers first: tiling a consumer may fuse its fill producer, which
  // then must not be tiled on its own.
  SmallVector<linalg::LinalgOp> roots;
  func.walk([&](linalg::LinalgOp op) {
    if (!op->getParentOfType<LoopLikeOpInterface>())
      roots.push_back(op);
  });
  SmallVector<Operation *> tiledLoops;
  for (linalg::LinalgOp op : llvm::reverse(roots)) {
    // Fused into a consumer's tiles already.
    if (op->use_empty() && op.hasPureTensorSemantics()) {
      rewriter.eraseOp(op);
      continue;
    }
    FailureOr<Operation *> loop =
        tileParallelLoops(rewriter, op, /*threadLevel=*/true);
    if (failed(loop))
      return signalPassFailure();
    if (*loop) {
      tiledLoops.push_back(*loop);
      if (op->use_empty())
        rewriter.eraseOp(op);
    }
  }
  // Fills and broadcasts whose every user was tiled are dead now.
  func.walk([&](linalg::LinalgOp op) {
    if (op->use_empty() && op.hasPureTensorSemantics() &&
        (isa<linalg::FillOp>(op.getOperation()) || isBroadcastCopy(op)))
      rewriter.eraseOp(op);
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
  {
    SmallVector<linalg::LinalgOp> convolutions;
    func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<LoopLikeOpInterface>() &&
          isUnitWindowConvolution(op))
        convolutions.push_back(op);
    });
    linalg::ControlDropUnitDims sliceControl;
    sliceControl.rankReductionStrategy =
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
    for (linalg::LinalgOp op : convolutions) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, op);
      if (failed(generic))
        continue;
      rewriter.setInsertionPoint(*generic);
      FailureOr<linalg::DropUnitDimsResult> dropped =
          linalg::dropUnitDims(rewriter, *generic, sliceControl);
      if (failed(dropped))
        continue;
      rewriter.replaceOp(*generic, dropped->replacements);
      // Loops in the order of the result's dimensions, so that vectors run
      // along its contiguous innermost dimension.
      auto elementwise =
          dyn_cast<linalg::GenericOp>(dropped->resultOp.getOperation());
      if (!elementwise || elementwise.getNumDpsInits() != 1)
        continue;
      AffineMap resultMap =
          elementwise.getMatchingIndexingMap(elementwise.getDpsInitOperand(0));
      if (!resultMap.isPermutation() || resultMap.isIdentity())
        continue;
      SmallVector<unsigned> order;
      for (AffineExpr expr : resultMap.getResults())
        order.push_back(cast<AffineDimExpr>(expr).getPosition());
      rewriter.setInsertionPoint(elementwise);
      (void)linalg::interchangeGenericOp(rewriter, elementwise, order);
    }
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
