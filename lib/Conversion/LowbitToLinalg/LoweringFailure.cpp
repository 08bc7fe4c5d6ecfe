//===- LoweringFailure.cpp - why a lowbit op cannot be lowered ------------===//

#include "LoweringFailure.h"
#include "StructuredBuilders.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

LogicalResult lowbit::failLowering(ConversionPatternRewriter &rewriter,
                                   Operation *op, const Twine &why) {
  llvm::SetVector<Type> elementTypes;
  auto collect = [&](TypeRange types) {
    for (Type type : types)
      elementTypes.insert(getElementTypeOrSelf(type));
  };
  collect(op->getOperandTypes());
  collect(op->getResultTypes());

  InFlightDiagnostic diag = op->emitOpError();
  diag << "on element type" << (elementTypes.size() == 1 ? " " : "s ");
  llvm::interleaveComma(elementTypes, diag, [&](Type type) { diag << type; });
  diag << " cannot be lowered to linalg: " << why;
  return rewriter.notifyMatchFailure(op, why);
}

LogicalResult lowbit::checkStaticShapes(Operation *op,
                                        ConversionPatternRewriter &rewriter) {
  if (!areStaticTensors(op->getOperandTypes()) ||
      !areStaticTensors(op->getResultTypes()))
    return failLowering(rewriter, op, "needs statically shaped tensors");
  return success();
}

LogicalResult
lowbit::checkIntOrFloatElements(Operation *op, Type elementType,
                                ConversionPatternRewriter &rewriter) {
  if (!elementType.isIntOrFloat())
    return failLowering(
        rewriter, op,
        "needs float or integer elements (dequantize quantized ones first)");
  return success();
}
