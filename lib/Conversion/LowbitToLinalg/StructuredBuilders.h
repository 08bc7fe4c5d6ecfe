//===- StructuredBuilders.h - build linalg on static tensors ----*- C++ -*-===//
//
// Small builders shared by the lowbit-to-linalg patterns: constants and
// scalar arithmetic that follow the element kind (float, signed, unsigned),
// broadcasting and reducing linalg.generic ops, reshapes and pads of
// statically shaped tensors.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_STRUCTUREDBUILDERS_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_STRUCTUREDBUILDERS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace lowbit {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// True when every type is a ranked tensor with a static shape.
bool areStaticTensors(mlir::TypeRange types);

/// True when an original (pre-conversion) element type holds unsigned
/// integers: `uiN`, or a `!quant` type with unsigned storage.
bool isUnsignedElement(mlir::Type elementType);

/// A possibly negative axis attribute (ODS returns I64Attr values as
/// uint64_t) as a dimension in [0, rank).
int64_t normalizeAxis(uint64_t axis, int64_t rank);

/// The element type of a ranked tensor value or type.
mlir::Type elementTypeOf(mlir::Type tensorType);

/// The element type bool (i1) tensors are stored as after conversion: i8
/// holding 0 or 1, one byte per element like ONNX bool and the artifact ABI.
mlir::IntegerType getBoolStorageType(mlir::MLIRContext *ctx);

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// A constant of float or signless integer type `type` holding `value`
/// (integers are truncated toward zero).
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// An integer constant of signless type `type` (or index).
mlir::Value createIntConstant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Type type, int64_t value);

/// A scalar attribute (integer of any signedness, or float) as a constant of
/// the signless or float type `type`.
mlir::Value createConstantFromAttr(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::TypedAttr attr, mlir::Type type);

/// The identity of max (-inf, or the smallest integer) for `type`.
mlir::Value createLowest(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, bool isUnsigned);

/// The identity of min (+inf, or the largest integer) for `type`.
mlir::Value createHighest(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type type, bool isUnsigned);

mlir::Value createAdd(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
mlir::Value createSub(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
mlir::Value createMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y);
/// Float division, or integer division truncating toward zero.
mlir::Value createDiv(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, bool isUnsigned);
/// NaN-propagating for floats.
mlir::Value createMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, bool isUnsigned);
/// NaN-propagating for floats.
mlir::Value createMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value y, bool isUnsigned);

/// Comparisons shared by the compare ops (ordered for floats).
enum class CompareKind { Eq, Ne, Lt, Le, Gt, Ge };
mlir::Value createCompare(mlir::OpBuilder &b, mlir::Location loc,
                          CompareKind kind, mlir::Value x, mlir::Value y,
                          bool isUnsigned);

/// ONNX Cast of a scalar to the signless type `to`: float to integer
/// truncates toward zero, anything to i1 tests for non-zero, i1 to a number
/// gives 0 or 1, integers extend by the source's signedness.
mlir::Value createCast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Type to, bool fromUnsigned, bool toUnsigned);

/// The i1 a stored bool element means: `x != 0`.
mlir::Value createBoolFromStorage(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value stored);

/// The stored form (0 or 1 as i8) of an i1 scalar.
mlir::Value createBoolStorage(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value flag);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// `tensor.empty` of a static shape.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> shape, mlir::Type elementType);

/// `linalg.fill` of `scalar` into a new tensor of `shape`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, mlir::Value scalar);

/// The map reading an operand of `operandShape` in an iteration space of
/// `resultShape` with numpy broadcasting: shapes align on the right, and a
/// size-1 dimension against a larger one reads index 0.
mlir::AffineMap getBroadcastMap(mlir::MLIRContext *ctx,
                                llvm::ArrayRef<int64_t> operandShape,
                                llvm::ArrayRef<int64_t> resultShape);

/// The map `(d0, ..., d{rank-1}) -> (the dims not in axes)`.
mlir::AffineMap getKeptDimsMap(mlir::MLIRContext *ctx, int64_t rank,
                               llvm::ArrayRef<int64_t> axes);

/// Computes a scalar from the block arguments of a generic (inputs first).
using ScalarBodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// An all-parallel `linalg.generic` producing a new tensor of `resultType`
/// from `inputs` read through `inputMaps` (the output map is the identity).
mlir::Value buildParallelGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::RankedTensorType resultType,
                                 mlir::ValueRange inputs,
                                 llvm::ArrayRef<mlir::AffineMap> inputMaps,
                                 ScalarBodyBuilder body);

/// `buildParallelGeneric` with numpy broadcasting maps for every input.
mlir::Value buildBroadcastElementwise(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::RankedTensorType resultType,
                                      mlir::ValueRange inputs,
                                      ScalarBodyBuilder body);

/// Computes the new accumulator from an element, the extra operands' values
/// at the element's kept indices and the current accumulator.
using ReductionBodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value element,
    mlir::ValueRange extras, mlir::Value accumulator)>;

/// Reduces `input` over the sorted `axes`, dropping them from the shape.
/// `extras` have the reduced shape and are read at the kept indices.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           mlir::Value init, mlir::ValueRange extras,
                           ReductionBodyBuilder body);

/// Reshapes a static tensor with `tensor.collapse_shape` and/or
/// `tensor.expand_shape` (through 1-D when no single reassociation exists).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, llvm::ArrayRef<int64_t> shape);

/// Pads with `padValue` where `low`/`high` are positive and crops where they
/// are negative (`tensor.extract_slice` then `tensor.pad`).
mlir::Value padOrCrop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// A dense `arith.constant` 1-D tensor of `type`'s element type.
mlir::Value createDenseVector(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Type elementType,
                              llvm::ArrayRef<double> values);
mlir::Value createDenseIndexVector(mlir::OpBuilder &b, mlir::Location loc,
                                   llvm::ArrayRef<int64_t> values);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_STRUCTUREDBUILDERS_H
