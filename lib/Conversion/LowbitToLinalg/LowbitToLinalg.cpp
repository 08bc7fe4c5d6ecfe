//===- LowbitToLinalg.cpp - the convert-lowbit-to-linalg pass -------------===//
//
// The type converter shared by every lowbit-to-linalg pattern, the aggregate
// populate function, and the thin pass that applies them as a full
// conversion (function signatures included).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/LowbitToLinalg/LowbitToLinalg.h"
#include "QuantizedContraction.h"
#include "StructuredBuilders.h"
#include "lowbit/Conversion/Passes.h"

#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace lowbit {
#define GEN_PASS_DEF_CONVERTLOWBITTOLINALGPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

LowbitToLinalgTypeConverter::LowbitToLinalgTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](IntegerType type) -> Type {
    if (type.isSignless())
      return type;
    return IntegerType::get(type.getContext(), type.getWidth());
  });
  addConversion([](quant::QuantizedType type) -> Type {
    return IntegerType::get(type.getContext(),
                            type.getStorageTypeIntegralWidth());
  });
  addConversion([this](RankedTensorType type) -> Type {
    // Bool tensors are stored one byte per element, as the artifact ABI and
    // scalar memory accesses expect: an i1 tensor would bufferize to a memref
    // of i1 that vectorized accesses pack into bits. Linalg bodies still
    // compute on i1 (see createBoolFromStorage / createBoolStorage).
    if (type.getElementType().isInteger(1))
      return type.clone(getBoolStorageType(type.getContext()));
    Type element = convertType(type.getElementType());
    if (!element)
      return nullptr;
    return type.clone(element);
  });
}

void lowbit::populateLowbitToLinalgPatterns(const TypeConverter &typeConverter,
                                            RewritePatternSet &patterns) {
  populateLowbitElementwiseToLinalgPatterns(typeConverter, patterns);
  populateLowbitMatmulConvToLinalgPatterns(typeConverter, patterns);
  populateLowbitPoolingToLinalgPatterns(typeConverter, patterns);
  populateLowbitNormalizationToLinalgPatterns(typeConverter, patterns);
  populateLowbitReductionToLinalgPatterns(typeConverter, patterns);
  populateLowbitDataMovementToLinalgPatterns(typeConverter, patterns);
  populateLowbitResizeToLinalgPatterns(typeConverter, patterns);
  populateLowbitQuantizationToLinalgPatterns(typeConverter, patterns);
  populateLowbitQuantizedContractionToLinalgPatterns(typeConverter, patterns);
}

namespace {

struct ConvertLowbitToLinalgPass final
    : lowbit::impl::ConvertLowbitToLinalgPassBase<ConvertLowbitToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    LowbitToLinalgTypeConverter typeConverter;

    ConversionTarget target(*ctx);
    target.addIllegalDialect<LowbitDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return typeConverter.isSignatureLegal(op.getFunctionType()) &&
             typeConverter.isLegal(&op.getBody());
    });
    // Anything else (func.return, func.call, ops of other dialects) is legal
    // once its types are.
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return typeConverter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateLowbitToLinalgPatterns(typeConverter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);

    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
