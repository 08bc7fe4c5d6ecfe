//===- LoweringFailure.h - why a lowbit op cannot be lowered ----*- C++ -*-===//
//
// Every lowbit op has exactly one lowering pattern and the conversion is a
// full one, so a pattern that cannot apply fails the whole conversion on its
// op. The driver then only says "failed to legalize operation"; patterns say
// why first, through failLowering.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGFAILURE_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGFAILURE_H

#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/Twine.h"

namespace lowbit {

/// Emits "'<op>' op on element type(s) <types> cannot be lowered to linalg:
/// <why>" as an error on `op` (the types are the distinct element types of
/// its operands, then results, before conversion), records `why` as the
/// match failure, and returns failure.
mlir::LogicalResult failLowering(mlir::ConversionPatternRewriter &rewriter,
                                 mlir::Operation *op, const llvm::Twine &why);

/// Fails through failLowering with "needs statically shaped tensors" unless
/// every operand and result of `op` is a statically shaped ranked tensor.
mlir::LogicalResult checkStaticShapes(mlir::Operation *op,
                                      mlir::ConversionPatternRewriter &rewriter);

/// Fails through failLowering unless `elementType` (an element type of `op`
/// before conversion) is a float or integer type, i.e. not quantized.
mlir::LogicalResult
checkIntOrFloatElements(mlir::Operation *op, mlir::Type elementType,
                        mlir::ConversionPatternRewriter &rewriter);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_LOWERINGFAILURE_H
