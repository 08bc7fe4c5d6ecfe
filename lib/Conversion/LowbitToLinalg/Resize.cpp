//===- Resize.cpp - lower lowbit resize to linalg -------------------------===//
//
// Shapes and scales are static, so the interpolation taps of every output
// coordinate (input indices and weights, per dimension) are computed here,
// exactly as ONNX's Resize reference does, and stored as small constant
// tables. The generic body reads the tables and gathers the input with
// tensor.extract; a dimension that maps each output to the same input index
// with weight 1 is read directly. tf_crop_and_resize coordinates that fall
// outside the input are marked in a further table per dimension, and such
// outputs take extrapolation_value.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;

namespace {

/// The interpolation parameters of one resize.
struct ResizeMode {
  StringRef mode;
  StringRef coordinateTransform;
  StringRef nearestMode;
  double cubicCoeffA;
  bool excludeOutside;
  std::optional<ArrayRef<float>> roi; // Starts then ends, normalized.
};

/// Taps of one output coordinate along one dimension: `weights[j]` applies
/// to input index `indices[j]` (already clamped into the input). `outside`
/// marks a tf_crop_and_resize coordinate outside the input, whose value is
/// the extrapolation value instead.
struct Taps {
  SmallVector<int64_t> indices;
  SmallVector<double> weights;
  bool outside = false;
};

/// The input coordinate of output coordinate `x` along dimension `dim`
/// (ONNX Resize-11/13 and the tf_* modes of Resize-11).
double originalCoordinate(const ResizeMode &mode, int64_t dim, int64_t x,
                          double scale, int64_t inLength, int64_t outLength) {
  // ONNX's reference uses scale * input length, not the integer extent;
  // an f32 scale derived from sizes is snapped back to the integer extent.
  double resized = scale * static_cast<double>(inLength);
  if (std::abs(resized - static_cast<double>(outLength)) <=
      1e-6 * std::max<double>(1.0, outLength))
    resized = static_cast<double>(outLength);
  double xr = static_cast<double>(x);
  StringRef transform = mode.coordinateTransform;
  if (transform == "align_corners")
    return resized == 1.0 ? 0.0 : xr * (inLength - 1) / (resized - 1.0);
  if (transform == "asymmetric")
    return xr / scale;
  if (transform == "tf_half_pixel_for_nn")
    return (xr + 0.5) / scale;
  if (transform == "tf_crop_and_resize") {
    int64_t rank = mode.roi->size() / 2;
    double start = (*mode.roi)[dim], end = (*mode.roi)[rank + dim];
    double extent = static_cast<double>(inLength - 1);
    if (outLength == 1)
      return 0.5 * (start + end) * extent;
    return start * extent +
           xr * (end - start) * extent / static_cast<double>(outLength - 1);
  }
  if (transform == "pytorch_half_pixel")
    return resized == 1.0 ? -0.5 : (xr + 0.5) / scale - 0.5;
  if (transform == "half_pixel_symmetric") {
    double adjustment = static_cast<double>(outLength) / resized;
    double center = static_cast<double>(inLength) / 2.0;
    return center * (1.0 - adjustment) + (xr + 0.5) / scale - 0.5;
  }
  return (xr + 0.5) / scale - 0.5; // half_pixel
}

SmallVector<double> nearestCoefficients(double ratio, bool integral,
                                        StringRef nearestMode) {
  bool right;
  if (integral)
    right = true;
  else if (nearestMode == "round_prefer_floor")
    right = ratio > 0.5;
  else if (nearestMode == "round_prefer_ceil")
    right = ratio >= 0.5;
  else
    right = nearestMode == "ceil";
  return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
}

SmallVector<double> cubicCoefficients(double r, double a) {
  double s = 1.0 - r;
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
}

/// The taps of output coordinate `x`, following the reference: the n
/// neighbors nearest to the input coordinate (preferring lower indices) in
/// the input edge-padded by ceil(n / 2), with ratio in (0, 1].
Taps computeTaps(const ResizeMode &mode, int64_t dim, int64_t x, double scale,
                 int64_t inLength, int64_t outLength) {
  double xo = originalCoordinate(mode, dim, x, scale, inLength, outLength);
  // TF CropAndResize: outside the input is the extrapolation value.
  bool outside = mode.coordinateTransform == "tf_crop_and_resize" &&
                 (xo < 0 || xo > static_cast<double>(inLength - 1));
  double floorX = std::floor(xo);
  bool integral = floorX == xo;
  int64_t base = static_cast<int64_t>(floorX) - (integral ? 1 : 0);
  double ratio = xo - static_cast<double>(base);
  SmallVector<double> coeffs;
  int64_t start = base;
  if (mode.mode == "nearest") {
    coeffs = nearestCoefficients(ratio, integral, mode.nearestMode);
  } else if (mode.mode == "linear") {
    coeffs = {1.0 - ratio, ratio};
  } else {
    coeffs = cubicCoefficients(ratio, mode.cubicCoeffA);
    start = base - 1;
  }
  int64_t n = coeffs.size(), pad = (n + 1) / 2;
  start = std::min(std::max(start, -pad), inLength + pad - n);
  Taps taps;
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    int64_t index = start + j;
    if (mode.excludeOutside && (index < 0 || index >= inLength))
      coeffs[j] = 0;
    sum += coeffs[j];
    taps.indices.push_back(std::min(std::max<int64_t>(index, 0), inLength - 1));
  }
  for (int64_t j = 0; j < n; ++j)
    taps.weights.push_back(mode.excludeOutside && sum != 0 ? coeffs[j] / sum
                                                           : coeffs[j]);
  // Nearest keeps only the selected tap.
  if (mode.mode == "nearest") {
    int64_t chosen = taps.weights[0] != 0 ? 0 : 1;
    taps = Taps{{taps.indices[chosen]}, {1.0}};
  }
  taps.outside = outside;
  return taps;
}

struct ResizeLowering final : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (failed(checkStaticShapes(op, rewriter)))
      return failure();
    ResizeMode mode{
        op.getMode(),           op.getCoordinateTransformationMode(),
        op.getNearestMode(),    op.getCubicCoeffA().convertToDouble(),
        op.getExcludeOutside(), op.getRoi()};
    if (mode.mode != "nearest" && !isa<FloatType>(elementTypeOf(op.getType())))
      return failLowering(rewriter, op, "interpolation needs floats");
    Location loc = op.getLoc();
    auto resultType =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type elementType = resultType.getElementType();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    if (inputType.getNumElements() == 0 || resultType.getNumElements() == 0) {
      if (resultType.getNumElements() != 0)
        return failLowering(rewriter, op, "cannot resize an empty input");
      rewriter.replaceOp(
          op, createEmpty(rewriter, loc, resultType.getShape(), elementType));
      return success();
    }

    // Per dimension: taps per output coordinate, or nothing when identity.
    struct DimTables {
      int64_t dim;
      SmallVector<SmallVector<int64_t>> indices; // [tap][output]
      SmallVector<SmallVector<double>> weights;  // [tap][output]
      SmallVector<int64_t> outside;              // [output], empty if none
    };
    SmallVector<DimTables> tables;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t in = inputType.getDimSize(d), out = resultType.getDimSize(d);
      double scale = op.getScales()[d];
      bool identity = in == out;
      SmallVector<Taps> perOutput;
      for (int64_t o = 0; o < out; ++o) {
        perOutput.push_back(computeTaps(mode, d, o, scale, in, out));
        const Taps &taps = perOutput.back();
        identity &= !taps.outside;
        for (auto [index, weight] : llvm::zip(taps.indices, taps.weights))
          identity &= weight == 0.0 || (index == o && weight == 1.0);
      }
      if (identity)
        continue;
      DimTables table{d, {}, {}, {}};
      size_t n = perOutput.front().indices.size();
      table.indices.resize(n);
      table.weights.resize(n);
      for (const Taps &taps : perOutput)
        for (size_t j = 0; j < n; ++j) {
          table.indices[j].push_back(taps.indices[j]);
          table.weights[j].push_back(taps.weights[j]);
        }
      if (llvm::any_of(perOutput, [](const Taps &t) { return t.outside; }))
        for (const Taps &taps : perOutput)
          table.outside.push_back(taps.outside);
      tables.push_back(std::move(table));
    }

    bool extrapolates = llvm::any_of(
        tables, [](const DimTables &t) { return !t.outside.empty(); });
    if (extrapolates && !isa<FloatType, IntegerType>(elementType))
      return failLowering(rewriter, op, "extrapolation needs a plain type");

    MLIRContext *ctx = rewriter.getContext();
    bool weighted = mode.mode != "nearest";
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (const DimTables &table : tables) {
      AffineMap map =
          AffineMap::get(rank, 0, {getAffineDimExpr(table.dim, ctx)}, ctx);
      for (size_t j = 0; j < table.indices.size(); ++j) {
        inputs.push_back(
            createDenseIndexVector(rewriter, loc, table.indices[j]));
        maps.push_back(map);
        if (weighted) {
          inputs.push_back(
              createDenseVector(rewriter, loc, elementType, table.weights[j]));
          maps.push_back(map);
        }
      }
      if (!table.outside.empty()) {
        inputs.push_back(createDenseIndexVector(rewriter, loc, table.outside));
        maps.push_back(map);
      }
    }
    Value result = buildParallelGeneric(
        rewriter, loc, resultType, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          // Table arguments per resized dimension, in order.
          SmallVector<SmallVector<std::pair<Value, Value>>> dimTaps;
          Value outside; // i1: some coordinate extrapolates.
          size_t next = 0;
          for (const DimTables &table : tables) {
            SmallVector<std::pair<Value, Value>> taps;
            for (size_t j = 0; j < table.indices.size(); ++j) {
              Value index = arith::IndexCastOp::create(b, l, b.getIndexType(),
                                                       args[next++]);
              Value weight = weighted ? args[next++] : Value();
              taps.push_back({index, weight});
            }
            if (!table.outside.empty()) {
              Value zero = createIntConstant(b, l, b.getI64Type(), 0);
              Value flag = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne,
                                                 args[next++], zero);
              outside =
                  outside ? arith::OrIOp::create(b, l, outside, flag) : flag;
            }
            dimTaps.push_back(std::move(taps));
          }
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          // Outputs that extrapolate take extrapolation_value.
          auto finish = [&](Value value) -> Value {
            if (!outside)
              return value;
            Value extrapolation =
                createConstant(b, l, elementType,
                               op.getExtrapolationValue().convertToDouble());
            return arith::SelectOp::create(b, l, outside, extrapolation, value);
          };
          // Sum over every combination of taps.
          Value acc;
          SmallVector<size_t> choice(tables.size(), 0);
          while (true) {
            Value weight;
            for (auto [t, table] : llvm::enumerate(tables)) {
              auto [index, w] = dimTaps[t][choice[t]];
              coords[table.dim] = index;
              if (weighted)
                weight = weight ? arith::MulFOp::create(b, l, weight, w) : w;
            }
            Value value = tensor::ExtractOp::create(b, l, input, coords);
            if (!weighted)
              return finish(value);
            Value term = weight
                             ? Value(arith::MulFOp::create(b, l, weight, value))
                             : value;
            acc = acc ? arith::AddFOp::create(b, l, acc, term) : term;
            size_t t = 0;
            for (; t < tables.size(); ++t) {
              if (++choice[t] < dimTaps[t].size())
                break;
              choice[t] = 0;
            }
            if (t == tables.size())
              break;
          }
          return finish(acc);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void lowbit::populateLowbitResizeToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(typeConverter, patterns.getContext());
}
