//===- Elementwise.cpp - lower lowbit elementwise ops to linalg -----------===//
//
// Every elementwise lowbit op becomes one all-parallel linalg.generic whose
// indexing maps implement ONNX multidirectional broadcasting; only the scalar
// body differs from op to op.
//
//===----------------------------------------------------------------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace lowbit;

namespace {

/// The original (pre-conversion) element types of an op, which carry the
/// signedness the converted signless values lost.
struct ElementTypes {
  SmallVector<Type> operands;
  Type result;

  bool operandUnsigned(unsigned i = 0) const {
    return isUnsignedElement(operands[i]);
  }
};

/// Which element types an op's scalar body supports.
enum class ElementSupport {
  /// Floats only (transcendental functions and activations).
  Float,
  /// Floats and integers of any width, i1 included.
  Any,
};

template <typename OpTy>
using ScalarBody = std::function<Value(OpBuilder &, Location, OpTy, ValueRange,
                                       const ElementTypes &)>;

/// Lowers one elementwise op through `body`, applied to the broadcast
/// operands.
template <typename OpTy>
class ElementwiseLowering final : public OpConversionPattern<OpTy> {
public:
  ElementwiseLowering(const TypeConverter &typeConverter, MLIRContext *ctx,
                      ElementSupport support, ScalarBody<OpTy> body)
      : OpConversionPattern<OpTy>(typeConverter, ctx), support(support),
        body(std::move(body)) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = dyn_cast_or_null<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    if (!resultType || !areStaticTensors(op->getOperandTypes()) ||
        !resultType.hasStaticShape())
      return failLowering(rewriter, op, "needs statically shaped tensors");
    ElementTypes types;
    for (Type type : op->getOperandTypes())
      types.operands.push_back(elementTypeOf(type));
    types.result = elementTypeOf(op.getType());
    SmallVector<Type> all(types.operands);
    all.push_back(types.result);
    if (!llvm::all_of(all, [](Type t) { return t.isIntOrFloat(); }))
      return failLowering(
          rewriter, op,
          "quantized operands are not supported; dequantize them first");
    if (support == ElementSupport::Float &&
        !llvm::all_of(all, [](Type t) { return isa<FloatType>(t); }))
      return failLowering(rewriter, op, "needs float elements");

    // Bodies compute on i1; bool tensors hold it as bytes.
    Value result = buildBroadcastElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> scalars;
          for (auto [arg, original] : llvm::zip_equal(args, types.operands))
            scalars.push_back(original.isInteger(1)
                                  ? createBoolFromStorage(b, loc, arg)
                                  : arg);
          Value value = body(b, loc, op, scalars, types);
          if (types.result.isInteger(1))
            return createBoolStorage(b, loc, value);
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  ElementSupport support;
  ScalarBody<OpTy> body;
};

template <typename OpTy>
void addElementwise(const TypeConverter &typeConverter,
                    RewritePatternSet &patterns, ElementSupport support,
                    ScalarBody<OpTy> body) {
  patterns.add<ElementwiseLowering<OpTy>>(typeConverter, patterns.getContext(),
                                          support, std::move(body));
}

/// Elementwise op whose body only needs the scalar arguments.
template <typename OpTy>
void addSimple(const TypeConverter &typeConverter, RewritePatternSet &patterns,
               ElementSupport support,
               std::function<Value(OpBuilder &, Location, ValueRange,
                                   const ElementTypes &)>
                   body) {
  addElementwise<OpTy>(
      typeConverter, patterns, support,
      [body](OpBuilder &b, Location loc, OpTy, ValueRange args,
             const ElementTypes &types) { return body(b, loc, args, types); });
}

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return createConstant(b, loc, like.getType(), value);
}

/// max(lo, min(hi, x)) with float constants.
Value clampUnit(OpBuilder &b, Location loc, Value x) {
  Value zero = constantLike(b, loc, x, 0.0), one = constantLike(b, loc, x, 1.0);
  return arith::MaximumFOp::create(b, loc, zero,
                                   arith::MinimumFOp::create(b, loc, one, x));
}

/// The remainder of ONNX Mod: the sign of the divisor unless `fmod`.
Value createMod(OpBuilder &b, Location loc, Value x, Value y, bool fmod,
                bool isUnsigned) {
  bool isFloat = isa<FloatType>(x.getType());
  if (isUnsigned)
    return arith::RemUIOp::create(b, loc, x, y);
  Value rem = isFloat ? Value(arith::RemFOp::create(b, loc, x, y))
                      : Value(arith::RemSIOp::create(b, loc, x, y));
  if (fmod)
    return rem;
  Value zero = constantLike(b, loc, x, 0.0);
  Value remNonZero = createCompare(b, loc, CompareKind::Ne, rem, zero, false);
  Value remNegative = createCompare(b, loc, CompareKind::Lt, rem, zero, false);
  Value divisorNegative =
      createCompare(b, loc, CompareKind::Lt, y, zero, false);
  Value signsDiffer =
      arith::XOrIOp::create(b, loc, remNegative, divisorNegative);
  Value adjust = arith::AndIOp::create(b, loc, remNonZero, signsDiffer);
  return arith::SelectOp::create(b, loc, adjust, createAdd(b, loc, rem, y),
                                 rem);
}

/// ONNX Pow with any mix of float and integer base and exponent: integers
/// go through f64, which is exact for the values integer pow can represent.
Value createPow(OpBuilder &b, Location loc, Value base, Value exponent,
                const ElementTypes &types) {
  Type baseType = base.getType();
  if (auto floatType = dyn_cast<FloatType>(baseType)) {
    Value e =
        createCast(b, loc, exponent, baseType, types.operandUnsigned(1), false);
    return math::PowFOp::create(b, loc, base, e);
  }
  Type f64 = b.getF64Type();
  Value wideBase =
      createCast(b, loc, base, f64, types.operandUnsigned(0), false);
  Value wideExp =
      createCast(b, loc, exponent, f64, types.operandUnsigned(1), false);
  Value power = math::PowFOp::create(b, loc, wideBase, wideExp);
  return createCast(b, loc, power, baseType, false, types.operandUnsigned(0));
}

/// `x << amount` or `x >> amount` (logical when `isUnsigned`), defined for
/// every amount: too large ones shift every bit out.
Value createShift(OpBuilder &b, Location loc, Value x, Value amount, bool left,
                  bool isUnsigned) {
  unsigned width = x.getType().getIntOrFloatBitWidth();
  Value widthValue = createIntConstant(b, loc, x.getType(), width);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        amount, widthValue);
  if (!left && !isUnsigned) {
    // Arithmetic shifts saturate at width - 1 (all sign bits).
    Value last = createIntConstant(b, loc, x.getType(), width - 1);
    return arith::ShRSIOp::create(
        b, loc, x, arith::SelectOp::create(b, loc, inRange, amount, last));
  }
  Value shifted = left ? Value(arith::ShLIOp::create(b, loc, x, amount))
                       : Value(arith::ShRUIOp::create(b, loc, x, amount));
  return arith::SelectOp::create(b, loc, inRange, shifted,
                                 createIntConstant(b, loc, x.getType(), 0));
}

} // namespace

void lowbit::populateLowbitElementwiseToLinalgPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  const TypeConverter &tc = typeConverter;
  using ES = ElementSupport;
  using Args = ValueRange;
  using Types = const ElementTypes &;

  // Binary arithmetic.
  addSimple<AddOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) {
                     return createAdd(b, loc, a[0], a[1]);
                   });
  addSimple<SubOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) {
                     return createSub(b, loc, a[0], a[1]);
                   });
  addSimple<MulOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) {
                     return createMul(b, loc, a[0], a[1]);
                   });
  addSimple<DivOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types t) {
                     return createDiv(b, loc, a[0], a[1], t.operandUnsigned());
                   });
  addSimple<MaxOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types t) {
                     return createMax(b, loc, a[0], a[1], t.operandUnsigned());
                   });
  addSimple<MinOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types t) {
                     return createMin(b, loc, a[0], a[1], t.operandUnsigned());
                   });
  addSimple<PowOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types t) {
                     return createPow(b, loc, a[0], a[1], t);
                   });
  addElementwise<ModOp>(
      tc, patterns, ES::Any,
      [](OpBuilder &b, Location loc, ModOp op, Args a, Types t) {
        return createMod(b, loc, a[0], a[1], op.getFmod(), t.operandUnsigned());
      });

  // Shifts: arith leaves shifts by the bit width or more undefined; ONNX
  // (numpy on fixed-width integers) shifts every bit out.
  addSimple<ShiftLeftOp>(
      tc, patterns, ES::Any, [](OpBuilder &b, Location loc, Args a, Types) {
        return createShift(b, loc, a[0], a[1], /*left=*/true, false);
      });
  addSimple<ShiftRightOp>(
      tc, patterns, ES::Any, [](OpBuilder &b, Location loc, Args a, Types t) {
        return createShift(b, loc, a[0], a[1], /*left=*/false,
                           t.operandUnsigned());
      });

  // Comparisons and logic.
  auto addCompare = [&](auto tag, CompareKind kind) {
    using OpTy = decltype(tag);
    addSimple<OpTy>(tc, patterns, ES::Any,
                    [kind](OpBuilder &b, Location loc, Args a, Types t) {
                      return createCompare(b, loc, kind, a[0], a[1],
                                           t.operandUnsigned());
                    });
  };
  addCompare(EqualOp(), CompareKind::Eq);
  addCompare(LessOp(), CompareKind::Lt);
  addCompare(LessEqualOp(), CompareKind::Le);
  addCompare(GreaterOp(), CompareKind::Gt);
  addCompare(GreaterEqualOp(), CompareKind::Ge);
  addSimple<AndOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                     return arith::AndIOp::create(b, loc, a[0], a[1]);
                   });
  addSimple<OrOp>(tc, patterns, ES::Any,
                  [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                    return arith::OrIOp::create(b, loc, a[0], a[1]);
                  });
  addSimple<XorOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                     return arith::XOrIOp::create(b, loc, a[0], a[1]);
                   });
  addSimple<NotOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                     return arith::XOrIOp::create(
                         b, loc, a[0],
                         createIntConstant(b, loc, a[0].getType(), 1));
                   });
  addSimple<WhereOp>(tc, patterns, ES::Any,
                     [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                       return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
                     });
  addSimple<CastOp>(
      tc, patterns, ES::Any, [](OpBuilder &b, Location loc, Args a, Types t) {
        return createCast(
            b, loc, a[0],
            isa<FloatType>(t.result)
                ? t.result
                : IntegerType::get(b.getContext(),
                                   t.result.getIntOrFloatBitWidth()),
            t.operandUnsigned(), isUnsignedElement(t.result));
      });

  // Unary ops defined for integers too.
  addSimple<AbsOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types t) -> Value {
                     if (isa<FloatType>(a[0].getType()))
                       return math::AbsFOp::create(b, loc, a[0]);
                     if (t.operandUnsigned())
                       return a[0];
                     return math::AbsIOp::create(b, loc, a[0]);
                   });
  addSimple<NegOp>(tc, patterns, ES::Any,
                   [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                     if (isa<FloatType>(a[0].getType()))
                       return arith::NegFOp::create(b, loc, a[0]);
                     return createSub(b, loc, constantLike(b, loc, a[0], 0),
                                      a[0]);
                   });
  addSimple<CeilOp>(tc, patterns, ES::Any,
                    [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                      if (isa<FloatType>(a[0].getType()))
                        return math::CeilOp::create(b, loc, a[0]);
                      return a[0];
                    });
  addSimple<FloorOp>(tc, patterns, ES::Any,
                     [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                       if (isa<FloatType>(a[0].getType()))
                         return math::FloorOp::create(b, loc, a[0]);
                       return a[0];
                     });
  addSimple<RoundOp>(tc, patterns, ES::Any,
                     [](OpBuilder &b, Location loc, Args a, Types) -> Value {
                       if (isa<FloatType>(a[0].getType()))
                         return math::RoundEvenOp::create(b, loc, a[0]);
                       return a[0];
                     });
  addSimple<ReluOp>(
      tc, patterns, ES::Any, [](OpBuilder &b, Location loc, Args a, Types t) {
        return createMax(b, loc, a[0], constantLike(b, loc, a[0], 0),
                         t.operandUnsigned());
      });
  addSimple<SignOp>(
      tc, patterns, ES::Any,
      [](OpBuilder &b, Location loc, Args a, Types t) -> Value {
        Value x = a[0];
        bool isUnsigned = t.operandUnsigned();
        Value zero = constantLike(b, loc, x, 0);
        Value one = constantLike(b, loc, x, 1);
        Value positive =
            createCompare(b, loc, CompareKind::Gt, x, zero, isUnsigned);
        if (isUnsigned)
          return arith::SelectOp::create(b, loc, positive, one, zero);
        Value negative =
            createCompare(b, loc, CompareKind::Lt, x, zero, isUnsigned);
        // Zero (and NaN) map to themselves.
        Value rest = arith::SelectOp::create(b, loc, negative,
                                             constantLike(b, loc, x, -1), x);
        return arith::SelectOp::create(b, loc, positive, one, rest);
      });
  addElementwise<ClipOp>(
      tc, patterns, ES::Any,
      [](OpBuilder &b, Location loc, ClipOp op, Args a, Types t) {
        Value x = a[0];
        bool isUnsigned = t.operandUnsigned();
        if (TypedAttr min = op.getMinAttr())
          x = createMax(b, loc, x,
                        createConstantFromAttr(b, loc, min, x.getType()),
                        isUnsigned);
        if (TypedAttr max = op.getMaxAttr())
          x = createMin(b, loc, x,
                        createConstantFromAttr(b, loc, max, x.getType()),
                        isUnsigned);
        return x;
      });

  // Float-only functions.
  auto addMath = [&](auto tag, auto build) {
    using OpTy = decltype(tag);
    addSimple<OpTy>(tc, patterns, ES::Float,
                    [build](OpBuilder &b, Location loc, Args a,
                            Types) -> Value { return build(b, loc, a[0]); });
  };
  addMath(AcosOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::AcosOp::create(b, loc, x);
  });
  addMath(AsinOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::AsinOp::create(b, loc, x);
  });
  addMath(AtanOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::AtanOp::create(b, loc, x);
  });
  addMath(CosOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::CosOp::create(b, loc, x);
  });
  addMath(SinOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::SinOp::create(b, loc, x);
  });
  addMath(ErfOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::ErfOp::create(b, loc, x);
  });
  addMath(ExpOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::ExpOp::create(b, loc, x);
  });
  addMath(LogOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::LogOp::create(b, loc, x);
  });
  addMath(SqrtOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::SqrtOp::create(b, loc, x);
  });
  addMath(TanhOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return math::TanhOp::create(b, loc, x);
  });
  addMath(ReciprocalOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    return arith::DivFOp::create(b, loc, constantLike(b, loc, x, 1.0), x);
  });
  addMath(SigmoidOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    Value one = constantLike(b, loc, x, 1.0);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, e));
  });
  addMath(SoftplusOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), which never overflows.
    Value zero = constantLike(b, loc, x, 0.0);
    Value negAbs =
        arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
    Value tail =
        math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
    return arith::AddFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, x, zero), tail);
  });
  addMath(HardSwishOp(), [](OpBuilder &b, Location loc, Value x) -> Value {
    Value scaled = arith::AddFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, 1.0 / 6.0)),
        constantLike(b, loc, x, 0.5));
    return arith::MulFOp::create(b, loc, x, clampUnit(b, loc, scaled));
  });

  addElementwise<GeluOp>(
      tc, patterns, ES::Float,
      [](OpBuilder &b, Location loc, GeluOp op, Args a, Types) -> Value {
        Value x = a[0];
        Value half = constantLike(b, loc, x, 0.5);
        Value one = constantLike(b, loc, x, 1.0);
        Value inner;
        if (op.getApproximate() == "tanh") {
          Value cube = arith::MulFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, x, x));
          Value poly = arith::AddFOp::create(
              b, loc, x,
              arith::MulFOp::create(b, loc, constantLike(b, loc, x, 0.044715),
                                    cube));
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(
                  b, loc, constantLike(b, loc, x, std::sqrt(2.0 / M_PI)),
                  poly));
        } else {
          inner = math::ErfOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, x,
                                    constantLike(b, loc, x, M_SQRT1_2)));
        }
        Value halfX = arith::MulFOp::create(b, loc, half, x);
        return arith::MulFOp::create(b, loc, halfX,
                                     arith::AddFOp::create(b, loc, one, inner));
      });
  addElementwise<HardSigmoidOp>(
      tc, patterns, ES::Float,
      [](OpBuilder &b, Location loc, HardSigmoidOp op, Args a, Types) {
        Value x = a[0];
        Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
        Value beta = constantLike(b, loc, x, op.getBeta().convertToDouble());
        Value linear = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, alpha, x), beta);
        return clampUnit(b, loc, linear);
      });
  addElementwise<LeakyReluOp>(
      tc, patterns, ES::Float,
      [](OpBuilder &b, Location loc, LeakyReluOp op, Args a, Types) -> Value {
        Value x = a[0];
        Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
        Value nonNegative = createCompare(b, loc, CompareKind::Ge, x,
                                          constantLike(b, loc, x, 0.0), false);
        return arith::SelectOp::create(b, loc, nonNegative, x,
                                       arith::MulFOp::create(b, loc, alpha, x));
      });
  addElementwise<EluOp>(
      tc, patterns, ES::Float,
      [](OpBuilder &b, Location loc, EluOp op, Args a, Types) -> Value {
        Value x = a[0];
        Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
        Value nonNegative = createCompare(b, loc, CompareKind::Ge, x,
                                          constantLike(b, loc, x, 0.0), false);
        Value expMinusOne =
            arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, x),
                                  constantLike(b, loc, x, 1.0));
        return arith::SelectOp::create(
            b, loc, nonNegative, x,
            arith::MulFOp::create(b, loc, alpha, expMinusOne));
      });
}
