//===- QuantizedConstants.h - quantized weights as IR -----------*- C++ -*-===//
//
// `lowbit.constant` holds builtin element types only, so a quantized
// constant is its integer storage followed by an upstream storage cast:
//
//   %c = lowbit.constant dense_resource<fc1_q> : tensor<64x32xi8>
//   %w = quant.scast %c : tensor<64x32xi8> to tensor<64x32x!quant.uniform<...>>
//
// The storage is signless, as wide as the quantized type's storage (i4 for
// 4-bit codes, i8 for int8, u8 bit patterns and ternary codes, i32 for
// biases). Blobs hold one element per byte up to 8 bits (sub-byte codes
// sign- or zero-extended by the storage's signedness, as the lowering reads
// them), little-endian words above. These helpers build the `!quant` types
// of weights quantized by lowbit::quantization, create such constants and
// read them back.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEDCONSTANTS_H
#define LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEDCONSTANTS_H

#include "lowbit/Quantization/Numerics.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace lowbit {

/// The storage of a quantized type: `bits` wide, signed or not, holding
/// codes in [range.min, range.max].
struct StorageSpec {
  unsigned bits;
  bool isSigned;
  quantization::IntegerRange range;
};

/// The `!quant` element type describing `weights` (from quantizeWeights or
/// quantizeNF4) on a tensor of `shape`: per tensor, per axis, or sub-channel
/// with full-rank scale and zero-point tensors (blocks of 1 along the
/// channel axis, of the group size along the reduction axis). Scales of 0
/// (all-zero NF4 blocks, whose codes all decode to 0) become 1. Null when
/// the upstream verifier rejects the parameters (reported through
/// `emitError`).
mlir::quant::QuantizedType
getWeightQuantType(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                   const quantization::QuantizedWeights &weights,
                   llvm::ArrayRef<int64_t> shape, const StorageSpec &storage,
                   mlir::Type expressedType);

/// A per-tensor uniform type (null, reported, when invalid).
mlir::quant::UniformQuantizedType
getPerTensorQuantType(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                      const StorageSpec &storage, mlir::Type expressedType,
                      double scale, int64_t zeroPoint);

/// Creates `quant.scast(lowbit.constant codes)` of tensor type `type` (a
/// `!quant` element type): dense for at most 16 codes, else a dense_resource
/// blob named after `name` (sanitized).
mlir::Value createQuantizedConstant(mlir::OpBuilder &b, mlir::Location loc,
                                    mlir::RankedTensorType type,
                                    llvm::ArrayRef<int64_t> codes,
                                    llvm::StringRef name);

/// An integer `lowbit.constant` of `type` (signless), laid out as above.
mlir::Value createIntegerConstant(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::RankedTensorType type,
                                  llvm::ArrayRef<int64_t> values,
                                  llvm::StringRef name);

/// The codes of `value` (row-major, in the storage range) when it is
/// `quant.scast` of a readable integer constant; none otherwise.
std::optional<llvm::SmallVector<int64_t>>
readQuantizedConstant(mlir::Value value);

/// The scale and zero point of element `index` (row-major) of a tensor of
/// `shape` with per-tensor, per-axis or sub-channel type `type`.
std::pair<double, int64_t> getElementParams(mlir::quant::QuantizedType type,
                                            llvm::ArrayRef<int64_t> shape,
                                            int64_t index);

/// `type` for the transpose of a rank-2 tensor of `shape`: the per-axis
/// dimension swaps, as do sub-channel blocks and scale tables.
mlir::quant::QuantizedType
transpose2DQuantType(mlir::quant::QuantizedType type);

/// A name usable as a resource key (letters, digits, '_').
std::string sanitizeResourceName(llvm::StringRef name);

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_QUANTIZEDCONSTANTS_H
