//===- FoldBatchNorm.cpp - fold batch_norm into the preceding conv ---------===//

#include "dialects/Lowbit/IR/ConstantData.h"
#include "dialects/Lowbit/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFOLDBATCHNORMPASS
#include "dialects/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// The f32 values of `value` when it is produced by a constant.
std::optional<SmallVector<float>> constantF32(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getF32Values(attr);
}

struct FoldBatchNormIntoConv final : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use conv");
    auto gamma = constantF32(bn.getScale()), beta = constantF32(bn.getBias());
    auto mean = constantF32(bn.getMean()), var = constantF32(bn.getVariance());
    auto weight = constantF32(conv.getWeight());
    if (!gamma || !beta || !mean || !var || !weight)
      return rewriter.notifyMatchFailure(bn, "parameters are not f32 constants");
    size_t channels = gamma->size();
    SmallVector<float> bias(channels, 0.0f);
    if (Value convBias = conv.getBias()) {
      auto values = constantF32(convBias);
      if (!values)
        return rewriter.notifyMatchFailure(bn, "conv bias is not constant");
      bias = *values;
    }

    float epsilon = bn.getEpsilon().convertToFloat();
    size_t perChannel = weight->size() / channels;
    for (size_t c = 0; c < channels; ++c) {
      float s = (*gamma)[c] / std::sqrt((*var)[c] + epsilon);
      for (size_t i = 0; i < perChannel; ++i)
        (*weight)[c * perChannel + i] *= s;
      bias[c] = (bias[c] - (*mean)[c]) * s + (*beta)[c];
    }

    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    auto biasType = RankedTensorType::get({int64_t(channels)},
                                          weightType.getElementType());
    Location loc = bn.getLoc();
    Value newWeight = ConstantOp::create(
        rewriter, loc, makeF32Elements(weightType, "folded_weight", *weight));
    Value newBias = ConstantOp::create(
        rewriter, loc, makeF32Elements(biasType, "folded_bias", bias));
    rewriter.replaceOpWithNewOp<ConvOp>(
        bn, bn.getType(), conv.getInput(), newWeight, newBias,
        conv.getStridesAttr(), conv.getDilationsAttr(), conv.getPadsAttr(),
        conv.getGroupAttr());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct LowbitFoldBatchNormPass final
    : lowbit::impl::LowbitFoldBatchNormPassBase<LowbitFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
